#pragma once
// Strict, typed access to one YAML mapping. Every failure is an InputError that names the file
// and the full key path ("FILE: key 'hosts[2].power': ..."), and unknown keys are errors, so a typo
// never silently falls back to a default.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/units.hpp"

namespace ce {

// Limits every YAML text carbonedge reads is held to (docs/inputs.md, "Limits"), checked while
// parsing, before any value is used:
//  - aliases (*name) may stand for at most kYamlMaxAliasNodes nodes in all, each alias counted as a
//    copy of what it names (nested aliases multiply): a few hundred bytes of nested aliases can
//    otherwise expand to gigabytes once the document is walked (an "alias bomb");
//  - an alias may not name a node that contains it (a cycle);
//  - nesting at most kYamlMaxDepth levels deep;
//  - every mapping key is a plain scalar (not a list, a mapping, an alias or empty), and appears
//    once per mapping (yaml-cpp would silently keep one of the two).
// YAML merge keys (`<<: *base` or `<<: [*a, *b]`) are resolved: the merged mappings' keys are added
// where the mapping does not set them itself (earlier mappings of a list win).
constexpr size_t kYamlMaxAliasNodes = 100000;
constexpr size_t kYamlMaxDepth = 64;

// Reads a YAML file under those limits. Syntax errors and broken limits → "FILE:LINE: ...".
// The top level must be a mapping.
YAML::Node load_yaml_file(const std::string& path);
// The same checks on YAML text held in memory (a --set value). Errors are "WHERE: ..." (line
// numbers are left out: such text is one line).
YAML::Node load_yaml_text(const std::string& text, const std::string& where);

// Well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). Every scalar of a YAML text
// and every --set must be: such text ends up in run.json, whose JSON writer refuses anything else.
bool valid_utf8(const std::string& s);

// Whole numbers as carbonedge reads them from YAML text or a --set: "42", "+42", "-3", or a number
// in floating-point notation that is whole ("1e3"). False when the text is not a whole number or
// lies outside [lo, hi] (no conversion is undefined: the range is checked before any cast).
bool parse_whole(const std::string& text, int64_t lo, int64_t hi, int64_t& out);
bool parse_whole_u64(const std::string& text, uint64_t& out);  // 0 .. 2^64 - 1

// Values given on the command line (--set), as opposed to written in a file: a duration among them
// must carry a unit, because `--set carbon.duration=7` meaning 7 s is a trap (in a file a bare
// number means seconds, as documented). load_experiment marks them (the value and every node inside
// it) after clearing the previous load's; YamlSection::quantity() consults the mark. One load at a
// time per process, which is how carbonedge loads (a sweep prepares its points one after another).
void clear_command_line_values();
void mark_command_line_value(const YAML::Node& value);
bool is_command_line_value(const YAML::Node& node);

class YamlSection {
 public:
  YamlSection(YAML::Node node, std::string file, std::string path);

  // Fails on any key not in `allowed` ("" entries are ignored: a key allowed only sometimes).
  void allow_only(std::initializer_list<const char*> allowed) const;
  bool has(const std::string& key) const;
  YAML::Node raw(const std::string& key) const { return node_[key]; }
  YamlSection child(const std::string& key) const;            // must exist and be a map
  std::vector<YamlSection> list(const std::string& key) const;  // must exist and be a sequence of maps
  std::string key_path(const std::string& key) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }

  std::string str(const std::string& key) const;
  std::string str_or(const std::string& key, const std::string& def) const;
  double num(const std::string& key) const;
  double num_or(const std::string& key, double def) const;
  double positive(const std::string& key) const;          // > 0
  double non_negative_or(const std::string& key, double def) const;
  // Whole numbers, range-checked before any conversion (a bad value is an error naming the key,
  // never undefined behaviour): integer() takes any whole number of the signed 64-bit range,
  // integer_in() only [lo, hi] ("must be a whole number from lo to hi (got X)").
  long integer(const std::string& key) const;
  long integer_or(const std::string& key, long def) const;
  long integer_in(const std::string& key, long lo, long hi) const;            // required
  long integer_in(const std::string& key, long lo, long hi, long def) const;  // def when absent
  uint64_t uint64_or(const std::string& key, uint64_t def) const;             // 0 .. 2^64 - 1, exact
  // true/True/TRUE/yes/Yes/YES/on/On/ON and their false/no/off forms (YAML 1.2 core schema plus
  // YAML 1.1's yes/no/on/off); anything else is an error naming the key.
  bool boolean_or(const std::string& key, bool def) const;
  double quantity(const std::string& key, Unit unit) const;
  double quantity_or(const std::string& key, Unit unit, double def) const;
  // A scalar or a list of scalars, as strings.
  std::vector<std::string> str_list(const std::string& key) const;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  YAML::Node node_;
  std::string file_, path_;
};

double parse_quantity_or_fail(const std::string& text, Unit unit, const std::string& file, const std::string& key);

}  // namespace ce
