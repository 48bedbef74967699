#include "config/accelerator_spec.hpp"

#include <cmath>
#include <fmt/format.h>

#include "config/yaml_section.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/units.hpp"

namespace ce {

int AcceleratorSpec::mode_index(const std::string& n) const {
  for (size_t i = 0; i < modes.size(); ++i)
    if (modes[i].name == n) return static_cast<int>(i);
  return -1;
}

std::string AcceleratorSpec::mode_names() const {
  std::string s;
  for (const auto& m : modes) s += (s.empty() ? "" : ", ") + m.name;
  return s;
}

BatchCost AcceleratorSpec::cost(const BatchTable& t, uint32_t batch) {
  const auto& b = t.batch;
  if (batch <= b.front()) return {t.latency.front(), t.power.front()};
  if (batch >= b.back()) return {t.latency.back(), t.power.back()};
  size_t i = 1;
  while (b[i] < batch) ++i;  // b[i-1] < batch <= b[i]
  if (b[i] == batch) return {t.latency[i], t.power[i]};
  const double f = static_cast<double>(batch - b[i - 1]) / static_cast<double>(b[i] - b[i - 1]);
  return {t.latency[i - 1] + f * (t.latency[i] - t.latency[i - 1]), t.power[i - 1] + f * (t.power[i] - t.power[i - 1])};
}

namespace {

BatchTable parse_table(const YamlSection& t, const PowerMode& mode) {
  t.allow_only({"batch", "latency", "power"});
  BatchTable out;
  const auto batches = t.str_list("batch"), lats = t.str_list("latency"), pows = t.str_list("power");
  if (lats.size() != batches.size() || pows.size() != batches.size())
    t.fail("batch", fmt::format("batch, latency and power must have one entry each per batch size (got {}, {}, {})",
                                batches.size(), lats.size(), pows.size()));
  for (size_t i = 0; i < batches.size(); ++i) {
    int64_t b = 0;
    if (!parse_whole(batches[i], 1, 1 << 20, b))
      t.fail("batch", fmt::format("'{}' must be a whole number from 1 to {}", batches[i], 1 << 20));
    if (i == 0 && b != 1) t.fail("batch", "must start at 1 (the cost of a request alone)");
    if (i > 0 && b <= out.batch.back())
      t.fail("batch", fmt::format("must be strictly increasing ({} after {})", b, out.batch.back()));
    out.batch.push_back(static_cast<uint32_t>(b));
    const double l = parse_quantity_or_fail(lats[i], Unit::Duration, t.file(), t.key_path("latency"));
    if (!(l > 0) || !std::isfinite(l)) t.fail("latency", fmt::format("'{}' must be a duration > 0", lats[i]));
    if (i > 0 && l < out.latency.back())
      t.fail("latency", fmt::format("must not decrease with the batch size ({} s at batch {} after {} s)", l, b,
                                    out.latency.back()));
    out.latency.push_back(l);
    double w = 0;
    if (!parse_double(pows[i], w) || !std::isfinite(w)) t.fail("power", fmt::format("'{}' must be watts (a number)", pows[i]));
    if (!(w >= mode.idle_w) || w > 1e6)
      t.fail("power", fmt::format("{} W must lie between mode {}'s idle power ({} W) and 1e6 W", w, mode.name,
                                  mode.idle_w));
    out.power.push_back(w);
  }
  return out;
}

// `key: 204.8GBps` (every precision) or `key: {fp16: …, int8: …, int4: …}` (each one given); > 0,
// or >= 0 when `zero_ok`.
void parse_by_precision(const YamlSection& m, const std::string& key, Unit unit, double (&out)[3], bool zero_ok = false) {
  static const char* kNames[3] = {"fp16", "int8", "int4"};
  if (!m.has(key)) {
    if (zero_ok) return;
    m.fail(key, "missing");
  }
  if (m.raw(key).IsMap()) {
    const YamlSection p = m.child(key);
    p.allow_only({"fp16", "int8", "int4"});
    for (int i = 0; i < 3; ++i) out[i] = p.quantity(kNames[i], unit);
  } else {
    const double v = m.quantity(key, unit);
    for (double& x : out) x = v;
  }
  for (double x : out)
    if (!(zero_ok ? x >= 0 : x > 0) || !std::isfinite(x)) m.fail(key, zero_ok ? "must be >= 0" : "must be > 0");
}

LlmModeRates parse_llm_mode(const YamlSection& m, const PowerMode& mode) {
  m.allow_only({"bandwidth", "flops", "overhead", "prefill_power", "decode_power", "source"});
  LlmModeRates r;
  parse_by_precision(m, "bandwidth", Unit::Bandwidth, r.bandwidth);
  parse_by_precision(m, "flops", Unit::Speed, r.flops);
  parse_by_precision(m, "overhead", Unit::Duration, r.overhead_s, true);
  r.prefill_w = m.num("prefill_power");
  r.decode_w = m.num("decode_power");
  for (const char* k : {"prefill_power", "decode_power"}) {
    const double w = m.num(k);
    if (!(w >= mode.idle_w) || w > 1e6)
      m.fail(k, fmt::format("{} W must lie between mode {}'s idle power ({} W) and 1e6 W", w, mode.name, mode.idle_w));
  }
  r.source = m.str_or("source", "");
  return r;
}

}  // namespace

std::shared_ptr<const AcceleratorSpec> load_accelerator(const std::string& path) {
  YamlSection top(load_yaml_file(path), path, "");
  top.allow_only({"name", "source", "sharing", "memory", "modes", "models", "llm"});
  auto a = std::make_shared<AcceleratorSpec>();
  a->file = path;
  a->name = top.str("name");
  a->source = top.str("source");
  const std::string sharing = top.str_or("sharing", "ps");
  if (sharing == "ps")
    a->sharing = AcceleratorSpec::Sharing::Ps;
  else if (sharing == "exclusive")
    a->sharing = AcceleratorSpec::Sharing::Exclusive;
  else
    top.fail("sharing", fmt::format("unknown sharing '{}' (known: ps, exclusive)", sharing));
  a->memory_bytes = top.quantity_or("memory", Unit::Bytes, 0);
  for (const YamlSection& m : top.list("modes")) {
    m.allow_only({"name", "idle", "source"});
    PowerMode pm{m.str("name"), m.non_negative_or("idle", -1), m.str_or("source", "")};
    if (pm.idle_w < 0) m.fail("idle", "missing: the mode's idle wall power in W");
    if (a->mode_index(pm.name) >= 0) m.fail("name", fmt::format("mode '{}' is listed twice", pm.name));
    a->modes.push_back(pm);
  }
  if (a->modes.empty()) top.fail("modes", "list at least one power mode");
  if (top.has("llm")) {
    const YamlSection llm = top.child("llm");
    for (auto it = llm.node().begin(); it != llm.node().end(); ++it)
      if (a->mode_index(it->first.Scalar()) < 0)
        llm.fail(it->first.Scalar(), fmt::format("'{}' is no power mode of this accelerator (modes: {})",
                                                 it->first.Scalar(), a->mode_names()));
    for (const PowerMode& pm : a->modes) {
      if (!llm.has(pm.name)) llm.fail(pm.name, fmt::format("missing: every mode needs its rates (mode '{}')", pm.name));
      a->llm.push_back(parse_llm_mode(llm.child(pm.name), pm));
    }
    if (!(a->memory_bytes > 0)) top.fail("memory", "an LLM engine needs the device's memory (it bounds the KV cache)");
  }
  if (!top.has("models")) {
    if (a->llm.empty()) top.fail("models", "missing: list at least one model (or give an llm: section)");
    return a;
  }
  const YamlSection models = top.child("models");
  for (auto it = models.node().begin(); it != models.node().end(); ++it) {
    const std::string name = it->first.Scalar();
    const YamlSection ms = models.child(name);
    AcceleratorModel am;
    for (auto k = ms.node().begin(); k != ms.node().end(); ++k) {
      const std::string key = k->first.Scalar();
      if (key != "switch" && key != "activations" && a->mode_index(key) < 0)
        ms.fail(key, fmt::format("'{}' is no power mode of this accelerator (modes: {}; or 'switch', "
                                 "'activations')",
                                 key, a->mode_names()));
    }
    am.switch_s = ms.quantity_or("switch", Unit::Duration, 0);
    if (!(am.switch_s >= 0) || !std::isfinite(am.switch_s)) ms.fail("switch", "must be a duration >= 0");
    if (am.switch_s > 0 && a->sharing != AcceleratorSpec::Sharing::Exclusive)
      ms.fail("switch", "a model switch time applies to sharing: exclusive only");
    am.activation_bytes = ms.quantity_or("activations", Unit::Bytes, 0);
    if (!(am.activation_bytes >= 0) || !std::isfinite(am.activation_bytes))
      ms.fail("activations", "must be a size >= 0, e.g. 25MB");
    for (const PowerMode& pm : a->modes) {
      if (!ms.has(pm.name)) ms.fail(pm.name, fmt::format("missing: every mode needs a table (mode '{}')", pm.name));
      am.by_mode.push_back(parse_table(ms.child(pm.name), pm));
    }
    for (size_t i = 1; i < am.by_mode.size(); ++i)
      if (am.by_mode[i].batch.back() != am.by_mode[0].batch.back())
        ms.fail(a->modes[i].name, fmt::format("its largest batch ({}) differs from mode {}'s ({}); give every mode the "
                                              "same largest batch",
                                              am.by_mode[i].batch.back(), a->modes[0].name, am.by_mode[0].batch.back()));
    a->models.emplace(name, std::move(am));
  }
  if (a->models.empty() && a->llm.empty()) top.fail("models", "list at least one model");
  return a;
}

}  // namespace ce
