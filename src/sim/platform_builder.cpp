#include "sim/platform_builder.hpp"

#include <fmt/format.h>

namespace sg4 = simgrid::s4u;

namespace ce {

namespace {
std::string wattage_per_state(const HostSpec& h) {
  std::string s;
  for (const auto& p : h.pstates) {
    if (!s.empty()) s += ", ";
    // Mono-core hosts take "Idle:AllCores" (SimGrid ignores OneCore there).
    s += h.cores == 1 ? fmt::format("{:.17g}:{:.17g}", p.idle_w, p.all_cores_w)
                      : fmt::format("{:.17g}:{:.17g}:{:.17g}", p.idle_w, p.one_core_w, p.all_cores_w);
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
    host->set_pstate(static_cast<unsigned long>(h.initial_pstate));
    out.hosts.push_back(host);
  }
  for (const auto& l : spec.links) {
    sg4::Link* link = zone->create_link(l.name, l.bandwidth);
    link->set_latency(l.latency);
    link->set_property("wattage_range", fmt::format("{:.17g}:{:.17g}", l.idle_w, l.busy_w));
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
  return out;
}

}  // namespace ce
