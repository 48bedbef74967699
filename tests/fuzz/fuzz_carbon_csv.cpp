// libFuzzer target: the carbon-intensity CSV readers. The first byte picks the format (auto,
// Electricity Maps direct/lca, SimGrid, generic); the rest is the file. Bad input must end in
// ce::InputError naming FILE:LINE; anything else is a finding.
#include <cstdint>

#include "carbon/carbon_loaders.hpp"
#include "core/error.hpp"
#include "fuzz_input_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ce::CarbonLoadOptions opt;
  switch (data[0] % 5) {
    case 0: opt.format = ce::CarbonFormat::Auto; break;
    case 1: opt.format = ce::CarbonFormat::ElectricityMaps; break;
    case 2: opt.format = ce::CarbonFormat::ElectricityMaps; opt.column = "lca"; break;
    case 3: opt.format = ce::CarbonFormat::SimGrid; opt.host_id = "h"; break;
    default: opt.format = ce::CarbonFormat::Generic; break;
  }
  const std::string path = cefuzz::write_file("carbon.csv", data + 1, size - 1);
  try {
    ce::CarbonSeries s = ce::load_carbon_csv(path, "Z", opt);
  } catch (const ce::InputError&) {
  }
  return 0;
}
