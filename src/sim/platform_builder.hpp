#pragma once
// Builds the S4U platform from a PlatformSpec in O(hosts + links): one zone whose routes are
// PlatformSpec::route's (see SpecZone in the .cpp), with energy properties set before sealing
// (SimGrid reads them when a host is sealed).
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
