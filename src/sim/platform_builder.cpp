#include "sim/platform_builder.hpp"

#include <fmt/format.h>
#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/kernel/routing/NetZoneImpl.hpp>

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

sg4::Host* create_host(sg4::NetZone* zone, const HostSpec& h) {
  std::vector<double> speeds;
  for (const auto& p : h.pstates) speeds.push_back(p.speed);
  sg4::Host* host = zone->create_host(h.name, speeds);
  host->set_core_count(static_cast<int>(h.cores));
  host->set_property("wattage_per_state", wattage_per_state(h));
  host->set_property("wattage_off", fmt::format("{:.17g}", h.off_w));
  host->seal();
  return host;
}

// Link energy is not SimGrid's plugin: sim/ accounts it from each transfer (docs/outputs.md).
sg4::Link* create_link(sg4::NetZone* zone, const LinkSpec& l) {
  sg4::Link* link = zone->create_link(l.name, l.bandwidth);
  link->set_latency(l.latency);
  link->seal();
  return link;
}

// One SimGrid zone for the whole platform whose routes are PlatformSpec::route's: star arms, site
// uplinks and explicit routes, computed per transfer in O(route length) and stored nowhere. SimGrid
// 3.32's own zones cannot do this in O(hosts): a full zone stores hosts² routes, and one star zone
// per site costs O(zones) per link and host created and O(hosts) per zone sealed (its name lookups
// and seal walk every zone), hours at 10,000 sites. A routing zone is SimGrid's extension point:
// get_local_route fills the links and their summed latency, as StarZone's does.
class SpecZone : public simgrid::kernel::routing::NetZoneImpl {
 public:
  SpecZone(const PlatformSpec& spec) : NetZoneImpl(spec.name), spec_(spec) {}

  void add_host(const simgrid::kernel::routing::NetPoint* np, uint32_t h) {
    if (host_of_vertex_.size() <= np->id()) host_of_vertex_.resize(np->id() + 1, kNone);
    host_of_vertex_[np->id()] = h;
  }
  void set_links(const std::vector<sg4::Link*>& links) {
    std::vector<sg4::LinkInRoute> all(links.begin(), links.end());
    impl_ = get_link_list_impl(all, false);
  }

 protected:
  void get_local_route(const simgrid::kernel::routing::NetPoint* src, const simgrid::kernel::routing::NetPoint* dst,
                       simgrid::kernel::routing::Route* into, double* latency) override {
    into->link_list_.reserve(into->link_list_.size() + 4);  // a star route has ≤ 4 links: one allocation
    const uint32_t i = host_of_vertex_.at(src->id()), j = host_of_vertex_.at(dst->id());
    spec_.for_each_link(i, j, [&](uint32_t l) {
      into->link_list_.push_back(impl_[l]);
      if (latency) *latency += spec_.links[l].latency;  // the value given to set_latency()
    });
    // network.distance: the backbone's distance latency between two sites, which no link carries.
    // SimGrid 3.32's CM02 model takes the route's latency from this accumulator alone (it does not
    // re-add the links'), so a latency without a link is simply added here, like a coordinate zone
    // (Vivaldi) does. Added after the links, in the order PlatformSpec::path() adds it.
    if (latency && spec_.distance.on) *latency += spec_.extra_latency_s(i, j);
  }

 private:
  static constexpr uint32_t kNone = ~0u;
  const PlatformSpec& spec_;
  std::vector<uint32_t> host_of_vertex_;  // netpoint id → host index
  std::vector<simgrid::kernel::resource::StandardLinkImpl*> impl_;  // per link index
};

}  // namespace

BuiltPlatform build_platform(const PlatformSpec& spec) {
  BuiltPlatform out;
  auto* zone = new SpecZone(spec);  // owned by SimGrid's engine, as its own zone factories' are
  sg4::NetZone* iface = zone->get_iface();
  for (uint32_t h = 0; h < spec.hosts.size(); ++h) {
    out.hosts.push_back(create_host(iface, spec.hosts[h]));
    zone->add_host(out.hosts.back()->get_netpoint(), h);
  }
  for (const auto& l : spec.links) out.links.push_back(create_link(iface, l));
  zone->set_links(out.links);
  iface->seal();
  // After the zone's seal: sealing re-creates each host's energy extension, which starts in pstate
  // 0 and would charge pstate 0's idle power until the host's first energy update.
  for (size_t i = 0; i < spec.hosts.size(); ++i) out.hosts[i]->set_pstate(spec.hosts[i].initial_pstate);
  return out;
}

}  // namespace ce
