#include "config/yaml_section.hpp"

#include <filesystem>
#include <ios>

#include <fmt/format.h>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace ce {

YAML::Node load_yaml_file(const std::string& path) {
  // A directory (or other non-file) makes the stream throw std::ios_base::failure mid-parse (found by
  // fuzz_experiment): say what is wrong instead.
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    fail_in_file(path, "is not a regular file (a directory?); give the path of a YAML file");
  try {
    YAML::Node n = YAML::LoadFile(path);
    if (!n.IsMap()) fail_in_file(path, "top level must be a mapping of keys (key: value)");
    return n;
  } catch (const YAML::BadFile&) {
    fail_in_file(path, "cannot open file (check the path)");
  } catch (const YAML::ParserException& e) {
    fail_at_line(path, e.mark.line + 1, "YAML syntax error: " + e.msg);
  } catch (const std::ios_base::failure& e) {
    fail_in_file(path, std::string("cannot read file: ") + e.what());
  }
}

YamlSection::YamlSection(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

std::string YamlSection::key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void YamlSection::fail(const std::string& key, const std::string& what) const {
  std::string where = key_path(key);
  if (node_[key] && node_[key].Mark().line >= 0)
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
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) {
      std::string names;
      for (const char* a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
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
  double v = num(key);
  if (v != static_cast<double>(static_cast<long>(v))) fail(key, fmt::format("must be a whole number (got {})", v));
  return static_cast<long>(v);
}
long YamlSection::integer_or(const std::string& key, long def) const { return has(key) ? integer(key) : def; }
bool YamlSection::boolean_or(const std::string& key, bool def) const {
  if (!has(key)) return def;
  std::string s = str(key);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail(key, fmt::format("'{}' is not true or false", s));
}

double parse_quantity_or_fail(const std::string& text, Unit unit, const std::string& file, const std::string& key) {
  auto v = parse_quantity(text, unit);
  if (!v) fail_at_key(file, key, fmt::format("'{}' is not {}", text, unit_examples(unit)));
  return *v;
}
double YamlSection::quantity(const std::string& key, Unit unit) const {
  std::string s = str(key);
  auto v = parse_quantity(s, unit);
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
