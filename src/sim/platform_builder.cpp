#include "sim/platform_builder.hpp"

#include <fmt/format.h>

namespace sg4 = simgrid::s4u;

namespace ce {

namespace {
// SimGrid's own terms, Idle:Epsilon:AllCores per pstate, from the one conversion in PstateSpec.
std::string wattage_per_state(const HostSpec& h) {
  std::string s;
  for (const auto& p : h.pstates) {
    if (!s.empty()) s += ", ";
    s += fmt::format("{:.17g}:{:.17g}:{:.17g}", p.idle_w, p.epsilon_w, p.all_cores_w);
  }
  return s;
}
}  // namespace

BuiltPlatform build_platform(const PlatformSpec& spec) {
  BuiltPlatform out;
  auto* zone = sg4::create_full_zone(spec.name);
  for (const auto& h : spec.hosts) {
    std::vector<double> speeds;
    for (const auto& p : h.pstates) speeds.push_back(p.speed);
    sg4::Host* host = zone->create_host(h.name, speeds);
    host->set_core_count(static_cast<int>(h.cores));
    host->set_property("wattage_per_state", wattage_per_state(h));
    host->set_property("wattage_off", fmt::format("{:.17g}", h.off_w));
    host->seal();
    out.hosts.push_back(host);
  }
  // Link energy is not SimGrid's plugin: sim/ accounts it from each transfer (docs/outputs.md).
  for (const auto& l : spec.links) {
    sg4::Link* link = zone->create_link(l.name, l.bandwidth);
    link->set_latency(l.latency);
    link->seal();
    out.links.push_back(link);
  }
  for (size_t i = 0; i < spec.hosts.size(); ++i)
    for (size_t j = 0; j < spec.hosts.size(); ++j) {
      if (i == j || !spec.reachable[i][j]) continue;
      std::vector<sg4::LinkInRoute> route;
      for (uint32_t l : spec.routes[i][j]) route.emplace_back(out.links[l]);
      zone->add_route(out.hosts[i]->get_netpoint(), out.hosts[j]->get_netpoint(), nullptr, nullptr, route, false);
    }
  zone->seal();
  // After the zone's seal: sealing re-creates each host's energy extension, which starts in pstate
  // 0 and would charge pstate 0's idle power until the host's first energy update.
  for (size_t i = 0; i < spec.hosts.size(); ++i) out.hosts[i]->set_pstate(spec.hosts[i].initial_pstate);
  return out;
}

}  // namespace ce
