#pragma once
// Strict, typed access to one YAML mapping. Every failure is an InputError that names the file
// and the full key path ("FILE: key 'hosts[2].power': ..."), and unknown keys are errors, so a typo
// never silently falls back to a default.
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/units.hpp"

namespace ce {

YAML::Node load_yaml_file(const std::string& path);  // syntax errors → "FILE:LINE: ..."

class YamlSection {
 public:
  YamlSection(YAML::Node node, std::string file, std::string path);

  // Fails on any key not in `allowed`.
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
  long integer(const std::string& key) const;
  long integer_or(const std::string& key, long def) const;
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
