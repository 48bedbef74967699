#include "config/experiment.hpp"
#include "config/failures.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <fmt/format.h>

#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "core/time_utc.hpp"

namespace fs = std::filesystem;

namespace ce {

// A path a user wrote may be too long or otherwise unusable: treat that as "does not exist" (the
// caller then reports the key) instead of letting std::filesystem throw (found by fuzz_experiment).
static bool exists_noexcept(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}


std::string resolve_data_root(const std::string& cli_value) {
  if (!cli_value.empty()) return cli_value;
  if (const char* env = std::getenv("CARBONEDGE_DATA_ROOT"); env && *env) return env;
  return CARBONEDGE_DEFAULT_DATA_ROOT;
}

std::string share_dir() {
  if (const char* env = std::getenv("CARBONEDGE_SHARE_DIR"); env && *env) return env;
  // An installed binary (cmake --install) finds its data in <prefix>/share/carbonedge.
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "carbonedge";
    if (fs::exists(installed / "carbon_traces" / "manifest.yaml")) return installed.string();
  }
  return CARBONEDGE_SHARE_DIR;
}

std::string resolve_path(const std::string& p, const std::string& file, const std::string& fallback_dir) {
  fs::path path(p);
  if (path.is_absolute()) return p;
  fs::path near = fs::path(file).parent_path() / path;
  if (fallback_dir.empty() || exists_noexcept(near)) return near.lexically_normal().string();
  return (fs::path(fallback_dir) / path).lexically_normal().string();
}

void apply_override(YAML::Node& root, const std::string& assignment, const std::string& file, bool from_command_line) {
  if (!valid_utf8(assignment))
    throw InputError("--set: an assignment is not valid UTF-8 text (it would be recorded in run.json)");
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(fmt::format("--set '{}': expected key.path=value", assignment));
  std::string path = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (parts.back().empty())
      throw InputError(fmt::format("--set '{}': empty key between dots (write key.path=value)", assignment));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // `platform.<key>...` when `platform:` names a file edits that file, not this document:
  // load_experiment applies it to the platform it loads (other readers of the experiment, such as
  // the sweep planner, have nothing to do here).
  if (parts.size() > 1 && parts[0] == "platform" && root.IsMap()) {
    const YAML::Node view = root;
    if (view["platform"] && view["platform"].IsScalar()) return;
  }
  // The value is YAML held to the same limits as a file (aliases, keys, nesting).
  YAML::Node parsed = load_yaml_text(value, fmt::format("--set '{}': value", assignment));
  if (from_command_line) mark_command_line_value(parsed);
  // A list entry is addressed by its index or by its `name:` (e.g. hosts.node-green).
  auto list_index = [&](const YAML::Node& list, const std::string& k) -> size_t {
    if (k.find_first_not_of("0123456789") == std::string::npos) {
      size_t idx = 0;
      auto [ptr, ec] = std::from_chars(k.data(), k.data() + k.size(), idx);
      if (ec != std::errc() || ptr != k.data() + k.size() || idx >= list.size())
        throw InputError(fmt::format("--set '{}': index {} out of range (the list has {} entries, 0..{})", assignment,
                                     k, list.size(), list.size() == 0 ? std::string("none") : std::to_string(list.size() - 1)));
      return idx;
    }
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].IsMap() && list[i]["name"] && list[i]["name"].IsScalar() && list[i]["name"].Scalar() == k) return i;
    throw InputError(fmt::format("--set '{}': no entry with index or name '{}' in {}", assignment, k, file));
  };
  auto prefix = [&](size_t n) {
    std::string p;
    for (size_t i = 0; i < n; ++i) p += (i ? "." : "") + parts[i];
    return p;
  };
  // yaml-cpp nodes are handles: walk with copies that refer to the same tree.
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i < parts.size(); ++i) {
    YAML::Node cur = chain.back();
    const std::string& k = parts[i];
    if (cur.IsScalar())
      throw InputError(fmt::format("--set '{}': '{}' is a single value in {}, so it has no key '{}'", assignment,
                                   prefix(i), file, k));
    const bool last = i + 1 == parts.size();
    if (cur.IsSequence()) {
      const size_t idx = list_index(cur, k);
      if (last) cur[idx] = parsed;
      else chain.push_back(cur[idx]);
    } else {
      if (last) cur[k] = parsed;
      else chain.push_back(cur[k]);
    }
  }
}

// Names that become file or directory names (the experiment's results directory, policy labels)
// must stay inside the directory they are created in.
static bool plain_file_name(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

namespace {

CarbonSpec parse_carbon(const YamlSection& c, const std::string& file) {
  c.allow_only({"start", "duration", "wrap", "column", "manifest", "static", "traces", "forecast"});
  CarbonSpec s;
  std::string start = c.str("start");
  auto t = parse_utc(start);
  if (!t) c.fail("start", fmt::format("'{}' is not a UTC date-time (write 2023-06-01T00:00:00Z)", start));
  s.start_epoch = *t;
  s.duration_s = c.quantity("duration", Unit::Duration);
  if (!(s.duration_s > 0)) c.fail("duration", "must be > 0");
  if (s.duration_s > kMaxDurationS)
    c.fail("duration", fmt::format("{} s is longer than the limit of 100 years ({} s)", s.duration_s, kMaxDurationS));
  s.wrap = c.boolean_or("wrap", false);
  s.column = c.str_or("column", "");  // empty: the manifest's column for the zone
  if (!s.column.empty() && s.column != "direct" && s.column != "lca") c.fail("column", "must be direct or lca");
  s.manifest = c.has("manifest") ? resolve_path(c.str("manifest"), file)
                                 : (fs::path(share_dir()) / "carbon_traces" / "manifest.yaml").string();
  if (c.has("static")) {
    YamlSection st = c.child("static");
    for (auto it = st.node().begin(); it != st.node().end(); ++it) {
      std::string zone = it->first.as<std::string>();
      double v = st.num(zone);
      if (v < 0) st.fail(zone, "carbon intensity must be >= 0 gCO2eq/kWh");
      if (v > kMaxIntensity)
        st.fail(zone, fmt::format("carbon intensity {} gCO2eq/kWh is above {} (no grid emits that much: a unit "
                                  "mistake, g/MWh or g/MJ?)", v, kMaxIntensity));
      s.static_values[zone] = v;
    }
  }
  if (c.has("traces")) {
    YamlSection tr = c.child("traces");
    for (auto it = tr.node().begin(); it != tr.node().end(); ++it) {
      std::string zone = it->first.as<std::string>();
      YamlSection z = tr.child(zone);
      z.allow_only({"file", "format", "column", "host_id"});
      CarbonTraceOverride o;
      o.file = z.str("file");
      o.format = z.str_or("format", "auto");
      o.column = z.str_or("column", s.column.empty() ? "direct" : s.column);
      o.host_id = z.str_or("host_id", "");
      s.traces[zone] = o;
    }
  }
  if (c.has("forecast")) s.forecast = c.raw("forecast");
  return s;
}

std::vector<CustomModelSpec> parse_models(const YamlSection& root) {
  std::vector<CustomModelSpec> out;
  if (!root.has("models")) return out;
  for (const auto& m : root.list("models")) {
    m.allow_only({"name", "family", "gmacs", "params", "input_elems", "output_elems", "top1", "top5", "layer_type"});
    CustomModelSpec s;
    s.name = m.str("name");
    s.family = m.str_or("family", s.name);
    s.gmacs = m.positive("gmacs");
    s.params = m.non_negative_or("params", 0);
    s.input_elems = m.non_negative_or("input_elems", 150528);
    s.output_elems = m.non_negative_or("output_elems", 1000);
    // The catalog stores MACs and element counts as 64-bit integers: larger values would overflow
    // the conversion (found by fuzz_experiment).
    constexpr double kMaxCount = 1e18;
    for (const auto& [key, v] : {std::pair<const char*, double>{"gmacs", s.gmacs * 1e9}, {"params", s.params},
                                 {"input_elems", s.input_elems}, {"output_elems", s.output_elems}})
      if (v > kMaxCount) m.fail(key, "too large: at most 1e18 (MACs, parameters or elements)");
    s.top1 = m.non_negative_or("top1", 0);
    s.top5 = m.non_negative_or("top5", 0);
    s.layer_type = m.str_or("layer_type", "default");
    out.push_back(s);
  }
  return out;
}

std::vector<FamilySpec> parse_families(const YamlSection& root) {
  std::vector<FamilySpec> out;
  if (!root.has("families")) return out;
  YamlSection fs = root.child("families");
  for (auto it = fs.node().begin(); it != fs.node().end(); ++it) {
    FamilySpec f;
    f.name = it->first.as<std::string>();
    f.key = fs.key_path(f.name);
    // A copy, not a reference: it->second lives in a temporary proxy that a range-for would outlive
    // (AddressSanitizer: stack-use-after-scope, scripts/ci-sanitize.sh).
    const YAML::Node members = it->second;
    if (!members.IsSequence() || members.size() == 0)
      fs.fail(f.name, "must be a non-empty list of model names, e.g. [resnet18, resnet50]");
    for (const auto& m : members) f.members.push_back(m.as<std::string>());
    out.push_back(f);
  }
  return out;
}

std::vector<PlatformEvent> parse_events(const YamlSection& root, const PlatformSpec& plat, double duration_s);

// A policy's own `events:` are parsed with the top-level list's rules (hence platform and duration).
std::vector<PolicySpec> parse_policies(const YamlSection& root, const PlatformSpec& plat, double duration_s) {
  YamlSection ps = root.child("policies");
  std::vector<PolicySpec> out;
  for (auto it = ps.node().begin(); it != ps.node().end(); ++it) {
    PolicySpec p;
    // Non-scalar keys or types would throw YAML::BadConversion past the CLI (found by fuzz_experiment).
    if (!it->first.IsScalar()) ps.fail("", "policy labels must be plain names");
    p.label = it->first.as<std::string>();
    p.key = ps.key_path(p.label);
    if (!plain_file_name(p.label) || p.label[0] == '.')
      ps.fail(p.label, "policy labels become directory names: use letters, digits, '.', '-' and '_' (not first '.')");
    YAML::Node body = it->second;
    if (body.IsNull()) body = YAML::Node(YAML::NodeType::Map);
    if (!body.IsMap()) ps.fail(p.label, "must be a mapping (type: ..., parameters)");
    if (body["type"] && !body["type"].IsScalar()) YamlSection(body, ps.file(), p.key).fail("type", "must be a policy type name");
    p.type = body["type"] ? body["type"].as<std::string>() : p.label;
    p.params = YAML::Node(YAML::NodeType::Map);
    for (auto kv = body.begin(); kv != body.end(); ++kv) {
      if (!kv->first.IsScalar()) ps.fail(p.label, "parameter names must be plain names");
      const std::string k = kv->first.as<std::string>();
      if (k != "type" && k != "events") p.params[k] = kv->second;
    }
    p.events = parse_events(YamlSection(body, ps.file(), p.key), plat, duration_s);
    out.push_back(p);
  }
  if (out.empty()) ps.fail("", "list at least one policy");
  return out;
}

std::vector<PlatformEvent> parse_events(const YamlSection& root, const PlatformSpec& plat, double duration_s) {
  std::vector<PlatformEvent> out;
  if (!root.has("events")) return out;
  for (const auto& e : root.list("events")) {
    e.allow_only({"at", "host", "pstate", "state"});
    PlatformEvent ev;
    ev.at_s = e.quantity("at", Unit::Duration);
    if (ev.at_s < 0) e.fail("at", "must be >= 0");
    // An event after the arrivals stop would stretch the accounted span (idle power until then).
    if (ev.at_s >= duration_s)
      e.fail("at", fmt::format("{} s is at or after the end of the run (carbon.duration = {} s): events must happen "
                               "while requests arrive", ev.at_s, duration_s));
    int h = plat.host_index(e.str("host"));
    if (h < 0) e.fail("host", fmt::format("unknown host '{}' (not in {})", e.str("host"), plat.file));
    ev.host = static_cast<uint32_t>(h);
    if (e.has("pstate") == e.has("state")) e.fail("pstate", "give exactly one of pstate: N or state: on|off|sleep");
    if (e.has("pstate")) {
      const long p = e.integer("pstate");
      if (p < 0 || p >= static_cast<long>(plat.hosts[ev.host].pstates.size()))
        e.fail("pstate", fmt::format("host has pstates 0..{}", plat.hosts[ev.host].pstates.size() - 1));
      ev.pstate = static_cast<uint32_t>(p);
    } else {
      std::string st = e.str("state");
      if (st != "on" && st != "off" && st != "sleep") e.fail("state", "must be on, off or sleep");
      if (st == "sleep" && !plat.hosts[ev.host].power_states.has_sleep)
        e.fail("state", "this host has no sleep: section in the platform (power and wake_time)");
      ev.kind = st == "on" ? PlatformEvent::TurnOn : st == "off" ? PlatformEvent::TurnOff : PlatformEvent::Sleep;
    }
    out.push_back(ev);
  }
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at_s < b.at_s; });
  return out;
}

}  // namespace

static Experiment load_experiment_body(const std::string& path, const LoadOptions& opt) {
  YAML::Node doc = load_yaml_file(path);
  clear_command_line_values();
  // `platform.<key>...` reaches into the platform file when `platform:` names one.
  std::vector<std::string> platform_overrides;
  std::vector<bool> platform_from_cli;
  for (size_t i = 0; i < opt.overrides.size(); ++i) {
    const std::string& o = opt.overrides[i];
    const bool cli = i < opt.command_line_overrides;
    if (o.rfind("platform.", 0) == 0 && doc["platform"] && doc["platform"].IsScalar()) {
      platform_overrides.push_back(o.substr(9));
      platform_from_cli.push_back(cli);
    } else {
      apply_override(doc, o, path, cli);
    }
  }
  YamlSection root(doc, path, "");
  root.allow_only({"name", "description", "seed", "platform", "carbon", "models", "workload", "policies", "events",
                   "output", "sweep", "metrics", "families", "failures",
                   "replicas"});
  Experiment e;
  e.file = path;
  e.resolved = YAML::Clone(doc);
  e.input_files.push_back(path);
  e.name = root.str_or("name", fs::path(path).stem().string());
  // The name is the default results directory (results/<name>): it must not lead out of it.
  if (root.has("name") && !plain_file_name(e.name))
    root.fail("name", fmt::format("'{}' is not a plain file name: use letters, digits, '.', '-' and '_' (it names "
                                  "the results directory results/<name>)", e.name));
  if (e.name == "." || e.name == "..") fail_in_file(path, "add name: (the file name is not usable as a directory name)");
  uint64_t seed = 1;
  if (opt.seed >= 0) {
    // The command line reads --seed as a signed 64-bit number and clamps longer ones to its largest
    // value: that value is taken for a clamped one and refused.
    if (opt.seed == std::numeric_limits<long>::max())
      throw InputError(fmt::format("--seed: out of range (--seed takes 0..{}; a larger seed can be written as seed: "
                                   "in the experiment file, up to {})",
                                   std::numeric_limits<long>::max() - 1, std::numeric_limits<uint64_t>::max()));
    seed = static_cast<uint64_t>(opt.seed);
  } else {
    seed = root.uint64_or("seed", 1);
  }
  e.seed = seed;
  e.resolved["seed"] = seed;
  e.data_root = resolve_data_root(opt.data_root);

  std::string plat = resolve_path(root.str("platform"), path, share_dir());
  if (!exists_noexcept(plat)) root.fail("platform", fmt::format("file '{}' does not exist", plat));
  if (std::error_code ec; !fs::is_regular_file(plat, ec))
    root.fail("platform", fmt::format("'{}' is not a regular file (a directory?)", plat));
  e.platform = load_platform(plat, [&](YAML::Node& pdoc) {
    for (size_t i = 0; i < platform_overrides.size(); ++i) {
      const std::string& o = platform_overrides[i];
      try {
        apply_override(pdoc, o, plat, platform_from_cli[i]);
      } catch (const InputError& err) {  // name the key as the user wrote it
        std::string m = err.what();
        const size_t at = m.find("--set '");
        if (at != std::string::npos) m.insert(at + 7, "platform.");
        throw InputError(m);
      }
    }
  });
  if (!platform_overrides.empty()) {
    e.resolved["platform_overrides"] = YAML::Node(YAML::NodeType::Sequence);
    for (const auto& o : platform_overrides) e.resolved["platform_overrides"].push_back(o);
  }
  e.input_files.push_back(plat);
  e.carbon = parse_carbon(root.child("carbon"), path);
  e.models = parse_models(root);
  e.families = parse_families(root);
  if (!root.has("workload")) root.fail("workload", "missing (required)");
  e.workload = doc["workload"];
  e.policies = parse_policies(root, e.platform, e.carbon.duration_s);
  e.events = parse_events(root, e.platform, e.carbon.duration_s);
  // Both lists are sorted by time: merged, the listed events first at the same instant.
  const auto failures = parse_failures(root, e);
  const auto listed = static_cast<std::ptrdiff_t>(e.events.size());
  e.events.insert(e.events.end(), failures.begin(), failures.end());
  std::inplace_merge(e.events.begin(), e.events.begin() + listed, e.events.end(),
                     [](auto& a, auto& b) { return a.at_s < b.at_s; });
  e.replicas = parse_replicas(root, e);
  if (root.has("output")) {
    YamlSection o = root.child("output");
    o.allow_only({"requests", "timeseries", "stages", "format", "requests_every"});
    e.output.requests_csv = o.boolean_or("requests", true);
    e.output.timeseries_csv = o.boolean_or("timeseries", true);
    e.output.stages_csv = o.boolean_or("stages", false);
    const std::string format = o.str_or("format", "csv");
    if (format != "csv" && format != "csv.gz")
      o.fail("format", fmt::format("must be csv or csv.gz (got '{}')", format));
    e.output.gzip = format == "csv.gz";
    // 1e12: more requests than any run simulates (a larger k would keep request 0 alone).
    e.output.requests_every = static_cast<uint64_t>(o.integer_in("requests_every", 1, 1000000000000L, 1));
  }
  if (root.has("metrics")) {
    YamlSection m = root.child("metrics");
    m.allow_only({"reference"});
    e.metrics.reference = m.str("reference");
    bool known = false;
    for (const auto& p : e.policies) known = known || p.label == e.metrics.reference;
    if (!known) m.fail("reference", fmt::format("no policy labelled '{}' in policies:", e.metrics.reference));
  }
  return e;
}

// Safety net: a node of an unexpected YAML type that no explicit check caught (yaml-cpp throws
// BadConversion / InvalidNode; found by fuzz_experiment) still becomes a one-line input error with
// the file and line, not an uncaught exception.
Experiment load_experiment(const std::string& path, const LoadOptions& opt) {
  try {
    return load_experiment_body(path, opt);
  } catch (const YAML::Exception& e) {
    if (e.mark.line < 0) fail_in_file(path, "unexpected YAML value (" + e.msg + ")");
    fail_at_line(path, e.mark.line + 1, "unexpected YAML value here (" + e.msg + ")");
  }
}

}  // namespace ce
