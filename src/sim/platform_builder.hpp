#pragma once
// Builds the S4U platform from a PlatformSpec: one full zone whose routes are the star arms and
// explicit routes of the spec, with energy properties set before sealing (SimGrid reads them
// when a host is sealed).
#include <simgrid/s4u.hpp>
#include <vector>

#include "config/platform_spec.hpp"

namespace ce {

struct BuiltPlatform {
  std::vector<simgrid::s4u::Host*> hosts;  // platform order
  std::vector<simgrid::s4u::Link*> links;
};

BuiltPlatform build_platform(const PlatformSpec& spec);

}  // namespace ce
