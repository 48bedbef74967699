// libFuzzer target: the `--set key.path=value` parser (apply_override in src/config/experiment.cpp)
// on a fixed experiment-like document, then the run.json conversion of the result. The input is one
// or more assignments, one per line. A bad assignment must end in ce::InputError (the CLI's one-line
// error, exit 2); any other exception, a crash or a sanitizer report is a finding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/experiment.hpp"
#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "output/results_writer.hpp"

namespace {
const char* kDoc =
    "name: fz\nplatform: platform.yaml\n"
    "carbon: {start: 2023-01-01T00:00:00Z, duration: 1h, static: {Z: 100}}\n"
    "models: [{name: tiny, gmacs: 0.01}]\n"
    "workload: {sources: [{type: poisson, rate: 1, model: tiny, source: h}]}\n"
    "policies: {mono: {host: h, type: monolithic}, rr: {type: round-robin, hosts: [h, g]}}\n"
    "events: [{at: 10min, host: h, state: off}, {at: 20min, host: h, state: on}]\n"
    "inline: {platform: {hosts: [{name: h, cores: 1}]}}\n";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  YAML::Node doc = YAML::Load(kDoc);
  const std::string text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  try {
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      const std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty()) ce::apply_override(doc, line, "fz.yaml");
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  } catch (const ce::InputError&) {
    return 0;
  }
  const std::string json = ce::yaml_to_json(doc).dump();
  if (json.size() > 64 * (size + ce::kYamlMaxAliasNodes) + 65536) std::abort();
  return 0;
}
