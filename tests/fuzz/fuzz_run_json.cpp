// libFuzzer target: the run.json writer's YAML-to-JSON conversion (yaml_to_json in
// src/output/results_writer.cpp) on whatever the YAML reader accepts. The input is a YAML file read
// by load_yaml_file (the limits of docs/reliability.md: aliases, keys, nesting, merge keys); what it
// accepts must convert and serialise without an exception and at a bounded size (an alias bomb that
// slipped through would show here as a timeout or an out-of-memory). Bad input must end in
// ce::InputError; anything else is a finding.
#include <cstdint>
#include <cstdlib>

#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "fuzz_input_file.hpp"
#include "output/results_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cefuzz::write_file("doc.yaml", data, size);
  YAML::Node doc;
  try {
    doc = ce::load_yaml_file(path);
  } catch (const ce::InputError&) {
    return 0;
  }
  const std::string json = ce::yaml_to_json(doc).dump(2);
  // Every node is at most a few hundred bytes of JSON; the alias bound keeps the count small.
  if (json.size() > 64 * (size + ce::kYamlMaxAliasNodes) + 4096) std::abort();
  return 0;
}
