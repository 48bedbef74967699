#include "config/yaml_section.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ios>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace ce {

bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned c = p[i];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c < 0x80) { ++i; continue; }
    else if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) { len = 3; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return false;
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return false;
    i += len;
  }
  return true;
}

namespace {

// Throws an InputError for a broken limit at a line (1-based; 0 = no line known).
using FailAt = std::function<void(long line, const std::string& what)>;

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

// Walks the parser's events of one document and enforces the limits of yaml_section.hpp before any
// node is walked: every count is O(events), whatever the aliases expand to.
class LimitChecker : public YAML::EventHandler {
 public:
  explicit LimitChecker(FailAt fail) : fail_(std::move(fail)) {}
  bool merges() const { return merges_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { leaf(m, a, nullptr); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a, const std::string& v) override {
    leaf(m, a, &v);
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
    if (key_next()) bad_key(m);
    if (open_anchors_.count(a))
      fail(m, "an alias names a node that contains it (a cycle); YAML documents here must be trees");
    auto it = anchor_nodes_.find(a);
    const size_t n = it == anchor_nodes_.end() ? 1 : it->second;
    alias_nodes_ += n;
    if (alias_nodes_ > kYamlMaxAliasNodes)
      fail(m, fmt::format("aliases (*name) here stand for more than {} nodes in all (nested aliases multiply: "
                          "an alias bomb?); write the values out or use fewer nested aliases",
                          kYamlMaxAliasNodes));
    done(n);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    open(m, a, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    open(m, a, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    bool map = false;
    YAML::anchor_t anchor = 0;
    size_t nodes = 1;      // this node and all below it, each alias counted as a copy of its target
    std::string path;      // key path, for messages
    size_t index = 0;      // sequence: index of the next item
    bool want_key = true;  // mapping: the next node is a key
    std::string key;       // mapping: the key whose value comes next
    std::map<std::string, long> keys;  // mapping: keys seen -> line
  };

  [[noreturn]] void fail(const YAML::Mark& m, const std::string& what) const {
    fail_(m.line >= 0 ? m.line + 1 : 0, what);
    throw InputError(what);  // fail_ throws; this keeps [[noreturn]] honest
  }
  bool key_next() const { return !stack_.empty() && stack_.back().map && stack_.back().want_key; }
  [[noreturn]] void bad_key(const YAML::Mark& m) const {
    const std::string& p = stack_.back().path;
    fail(m, fmt::format("key '{}': a key here is a list, a mapping, an alias or empty; keys must be plain names",
                        p.empty() ? std::string("(top level)") : p));
  }
  std::string child_path() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    return f.map ? join_path(f.path, f.key) : fmt::format("{}[{}]", f.path, f.index);
  }
  // A value of `n` nodes is complete.
  void done(size_t n) {
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    f.nodes += n;
    if (f.map) f.want_key = true;
    else ++f.index;
  }
  void leaf(const YAML::Mark& m, YAML::anchor_t a, const std::string* value) {
    if (value && !valid_utf8(*value))
      fail(m, fmt::format("{}: text that is not valid UTF-8; save the file as UTF-8",
                          key_next() ? "a key" : "key '" + child_path() + "'"));
    if (key_next()) {
      if (!value) bad_key(m);
      Frame& f = stack_.back();
      const long line = m.line + 1;
      auto [it, fresh] = f.keys.emplace(*value, line);
      if (!fresh)
        fail(m, fmt::format("key '{}': appears twice in this mapping (first on line {}); keep one (YAML would "
                            "silently use only one of them)",
                            join_path(f.path, *value), it->second));
      if (*value == "<<") merges_ = true;
      f.key = *value;
      f.want_key = false;
      f.nodes += 1;
      return;
    }
    if (a) anchor_nodes_[a] = 1;
    done(1);
  }
  void open(const YAML::Mark& m, YAML::anchor_t a, bool map) {
    if (key_next()) bad_key(m);
    if (stack_.size() >= kYamlMaxDepth) fail(m, fmt::format("nested more than {} levels deep", kYamlMaxDepth));
    Frame f;
    f.map = map;
    f.anchor = a;
    f.path = child_path();
    if (a) open_anchors_.insert(a);
    stack_.push_back(std::move(f));
  }
  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor) {
      anchor_nodes_[f.anchor] = f.nodes;
      open_anchors_.erase(f.anchor);
    }
    done(f.nodes);
  }

  FailAt fail_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, size_t> anchor_nodes_;  // finished anchored nodes -> nodes
  std::set<YAML::anchor_t> open_anchors_;                    // anchored nodes still being read
  size_t alias_nodes_ = 0;
  bool merges_ = false;
};

// `<<: *base` / `<<: [*a, *b]` (YAML 1.1 merge keys, which yaml-cpp reads as a plain key "<<"): adds
// the merged mappings' keys the mapping does not set itself, earlier mappings first; removes "<<".
void resolve_merges(YAML::Node n, const FailAt& fail) {
  if (n.IsSequence()) {
    for (YAML::Node x : n) resolve_merges(x, fail);
    return;
  }
  if (!n.IsMap()) return;
  const YAML::Node view = n;  // const lookups never insert
  const YAML::Node merge = view["<<"];
  if (merge) {
    std::vector<YAML::Node> sources;
    if (merge.IsMap()) {
      sources.push_back(merge);
    } else if (merge.IsSequence()) {
      for (const YAML::Node& x : merge) {
        if (!x.IsMap()) fail(x.Mark().line + 1, "'<<' (a YAML merge key) takes a mapping or a list of mappings");
        sources.push_back(x);
      }
    } else {
      fail(merge.Mark().line + 1, "'<<' (a YAML merge key) takes a mapping or a list of mappings, e.g. <<: *defaults");
    }
    n.remove("<<");
    for (YAML::Node& src : sources) {
      resolve_merges(src, fail);
      for (auto it = src.begin(); it != src.end(); ++it) {
        const std::string k = it->first.Scalar();
        if (!view[k]) n[k] = it->second;
      }
    }
  }
  for (auto it = n.begin(); it != n.end(); ++it) resolve_merges(it->second, fail);
}

// Builds the node (syntax errors first), then checks `text` against the limits before anything
// walks the node: yaml-cpp's builder shares aliased nodes instead of copying them, so building is
// cheap; walking is what expands aliases. Parsing twice costs little next to that.
YAML::Node load_checked(const std::string& text, const FailAt& fail) {
  YAML::Node n = YAML::Load(text);
  LimitChecker check(fail);
  {
    std::stringstream in(text);
    YAML::Parser parser(in);
    parser.HandleNextDocument(check);
  }
  if (check.merges()) resolve_merges(n, fail);
  return n;
}

}  // namespace

YAML::Node load_yaml_file(const std::string& path) {
  // A directory (or other non-file) makes the stream throw std::ios_base::failure mid-parse (found by
  // fuzz_experiment): say what is wrong instead.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    fail_in_file(path, "is not a regular file (a directory?); give the path of a YAML file");
  std::string text;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail_in_file(path, "cannot open file (check the path)");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  } catch (const std::ios_base::failure& e) {
    fail_in_file(path, std::string("cannot read file: ") + e.what());
  }
  const FailAt fail = [&](long line, const std::string& what) {
    if (line > 0) fail_in_file(path, fmt::format("line {}: {}", line, what));  // as YamlSection::fail
    fail_in_file(path, what);
  };
  try {
    YAML::Node n = load_checked(text, fail);
    if (!n.IsMap()) fail_in_file(path, "top level must be a mapping of keys (key: value)");
    return n;
  } catch (const YAML::ParserException& e) {
    fail_at_line(path, e.mark.line + 1, "YAML syntax error: " + e.msg);
  }
}

YAML::Node load_yaml_text(const std::string& text, const std::string& where) {
  const FailAt fail = [&](long, const std::string& what) { throw InputError(where + ": " + what); };
  try {
    return load_checked(text, fail);
  } catch (const YAML::ParserException& e) {
    throw InputError(fmt::format("{}: not valid YAML ({})", where, e.msg));
  }
}

bool parse_whole(const std::string& text, int64_t lo, int64_t hi, int64_t& out) {
  std::string_view t(text);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (!t.empty() && t.front() == '+') {
    t.remove_prefix(1);
    if (!t.empty() && t.front() == '-') return false;  // "+-1"
  }
  if (t.empty() || t.front() == '+' || t.front() == ' ') return false;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ptr == t.data() + t.size()) {
    if (ec != std::errc()) return false;  // digits only, but beyond 64 bits
  } else {
    double d;  // "1e3", "42.0": whole numbers in floating-point notation
    if (!parse_double(t, d) || d != std::floor(d)) return false;
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;  // before the cast
    v = static_cast<int64_t>(d);
  }
  if (v < lo || v > hi) return false;
  out = v;
  return true;
}

bool parse_whole_u64(const std::string& text, uint64_t& out) {
  std::string_view t(text);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  if (t.empty() || t.front() == '+' || t.front() == '-' || t.front() == ' ') return false;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ptr == t.data() + t.size()) {
    if (ec != std::errc()) return false;
  } else {
    double d;
    if (!parse_double(t, d) || d != std::floor(d)) return false;
    if (!(d >= 0 && d < 18446744073709551616.0)) return false;
    v = static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

YamlSection::YamlSection(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

std::string YamlSection::key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void YamlSection::fail(const std::string& key, const std::string& what) const {
  std::string where = key_path(key);
  // A value typed with --set has no line in the file (its mark is line 1 of the --set text).
  if (node_[key] && node_[key].Mark().line >= 0 && !is_command_line_value(node_[key]))
    fail_in_file(file_, fmt::format("line {}: key '{}': {}", node_[key].Mark().line + 1, where, what));
  fail_at_key(file_, where, what);
}

void YamlSection::allow_only(std::initializer_list<const char*> allowed) const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    // A mapping or list used as a key would throw YAML::BadConversion past the CLI (found by fuzz_experiment).
    if (!it->first.IsScalar())
      fail_in_file(file_, fmt::format("line {}: key '{}': keys must be plain names", it->first.Mark().line + 1,
                                      path_.empty() ? std::string("(top level)") : path_));
    std::string k = it->first.as<std::string>();
    bool ok = false;
    for (const char* a : allowed) ok = ok || (*a && k == a);  // "" stands for no key (a conditional entry)
    if (!ok) {
      std::string names;
      for (const char* a : allowed)
        if (*a) names += (names.empty() ? "" : ", ") + std::string(a);
      fail(k, "unknown key (allowed here: " + names + ")");
    }
  }
}

bool YamlSection::has(const std::string& key) const { return node_[key] && !node_[key].IsNull(); }

YamlSection YamlSection::child(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  if (!node_[key].IsMap()) fail(key, "must be a mapping (key: value pairs)");
  return YamlSection(node_[key], file_, key_path(key));
}

std::vector<YamlSection> YamlSection::list(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  if (!node_[key].IsSequence()) fail(key, "must be a list (- item)");
  std::vector<YamlSection> out;
  size_t i = 0;
  for (const auto& item : node_[key]) {
    std::string p = fmt::format("{}[{}]", key_path(key), i++);
    if (!item.IsMap()) fail_at_key(file_, p, "each entry must be a mapping (key: value pairs)");
    out.emplace_back(item, file_, p);
  }
  return out;
}

std::string YamlSection::str(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  if (!node_[key].IsScalar()) fail(key, "must be a single value, not a list or mapping");
  return node_[key].Scalar();
}
std::string YamlSection::str_or(const std::string& key, const std::string& def) const {
  return has(key) ? str(key) : def;
}

double YamlSection::num(const std::string& key) const {
  std::string s = str(key);
  double v;
  if (!parse_double(s, v)) fail(key, fmt::format("'{}' is not a number", s));
  return v;
}
double YamlSection::num_or(const std::string& key, double def) const { return has(key) ? num(key) : def; }
double YamlSection::positive(const std::string& key) const {
  double v = num(key);
  if (!(v > 0)) fail(key, fmt::format("must be > 0 (got {})", v));
  return v;
}
double YamlSection::non_negative_or(const std::string& key, double def) const {
  double v = num_or(key, def);
  if (v < 0) fail(key, fmt::format("must be >= 0 (got {})", v));
  return v;
}
long YamlSection::integer(const std::string& key) const {
  return integer_in(key, std::numeric_limits<long>::min(), std::numeric_limits<long>::max());
}
long YamlSection::integer_or(const std::string& key, long def) const { return has(key) ? integer(key) : def; }
long YamlSection::integer_in(const std::string& key, long lo, long hi) const {
  const std::string s = str(key);
  int64_t v;
  if (!parse_whole(s, lo, hi, v)) {
    if (lo == std::numeric_limits<long>::min() && hi == std::numeric_limits<long>::max())
      fail(key, fmt::format("must be a whole number (got '{}')", s));
    fail(key, fmt::format("must be a whole number from {} to {} (got '{}')", lo, hi, s));
  }
  return static_cast<long>(v);
}
long YamlSection::integer_in(const std::string& key, long lo, long hi, long def) const {
  return has(key) ? integer_in(key, lo, hi) : def;
}
uint64_t YamlSection::uint64_or(const std::string& key, uint64_t def) const {
  if (!has(key)) return def;
  const std::string s = str(key);
  uint64_t v;
  if (!parse_whole_u64(s, v))
    fail(key, fmt::format("must be a whole number from 0 to {} (got '{}')", std::numeric_limits<uint64_t>::max(), s));
  return v;
}
bool YamlSection::boolean_or(const std::string& key, bool def) const {
  if (!has(key)) return def;
  std::string s = str(key);
  for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})
    if (s == t) return true;
  for (const char* f : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})
    if (s == f) return false;
  fail(key, fmt::format("'{}' is not true or false", s));
}

double parse_quantity_or_fail(const std::string& text, Unit unit, const std::string& file, const std::string& key) {
  auto v = parse_quantity(text, unit);
  if (!v && quantity_out_of_range(text, unit)) fail_at_key(file, key, fmt::format("'{}' is out of range", text));
  if (!v) fail_at_key(file, key, fmt::format("'{}' is not {}", text, unit_examples(unit)));
  return *v;
}
namespace {
std::vector<YAML::Node>& command_line_values() {
  static std::vector<YAML::Node> nodes;
  return nodes;
}
}  // namespace

void clear_command_line_values() { command_line_values().clear(); }

void mark_command_line_value(const YAML::Node& value) {
  command_line_values().push_back(value);
  if (value.IsMap())
    for (auto it = value.begin(); it != value.end(); ++it) mark_command_line_value(it->second);
  else if (value.IsSequence())
    for (const auto& v : value) mark_command_line_value(v);
}

bool is_command_line_value(const YAML::Node& node) {
  for (const auto& n : command_line_values())
    if (n.is(node)) return true;
  return false;
}

double YamlSection::quantity(const std::string& key, Unit unit) const {
  std::string s = str(key);
  double bare;
  if (unit == Unit::Duration && parse_double(s, bare) && is_command_line_value(node_[key]))
    fail(key, fmt::format("--set gave '{}' without a unit: write {}s, {}min or {}h (a bare number means seconds "
                          "only in YAML files)", s, s, s, s));
  auto v = parse_quantity(s, unit);
  if (!v && quantity_out_of_range(s, unit)) fail(key, fmt::format("'{}' is out of range", s));
  if (!v) fail(key, fmt::format("'{}' is not {}", s, unit_examples(unit)));
  return *v;
}
double YamlSection::quantity_or(const std::string& key, Unit unit, double def) const {
  return has(key) ? quantity(key, unit) : def;
}

std::vector<std::string> YamlSection::str_list(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  std::vector<std::string> out;
  const YAML::Node n = node_[key];
  if (n.IsScalar()) return {n.Scalar()};
  if (!n.IsSequence()) fail(key, "must be a value or a list of values");
  for (const auto& x : n) {
    if (!x.IsScalar()) fail(key, "list entries must be single values");
    out.push_back(x.Scalar());
  }
  return out;
}

}  // namespace ce
