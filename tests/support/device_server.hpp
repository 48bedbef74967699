#pragma once
// The two-host platform of the host-fault and failure golden tests, and a run of one experiment on
// it. Device d sends to server s (one core, 1 Gf: one MAC = 2 ns; 10 W idle, 30 W busy, 1 W off)
// over link l (1 ms, no power).
#include <catch2/catch.hpp>

#include <string>

#include "cli_harness.hpp"

namespace cetest {

inline const char* kDeviceServerPlatform =
    "name: device_server\n"
    "hosts:\n"
    "  - {name: d, cores: 1, speed: 1Gf, power: \"2:4\", region: Z}\n"
    "  - {name: s, cores: 1, speed: 1Gf, power: \"10:30\", power_off: 1, region: Z}\n"
    "links:\n"
    "  - {name: l, bandwidth: 1GBps, latency: 1ms, power: \"0:0\", region: Z}\n"
    "network:\n"
    "  routes:\n"
    "    - {src: d, dst: s, links: [l]}\n";

// Two clients on d send one request each at t = 0 for a 900-GMAC block (1800 s on s), run on s by
// the policy `mono` (monolithic), under a constant 100 g/kWh for an hour; `extra` is appended
// (events:, failures:).
inline std::string two_blocks_on_server(const std::string& extra) {
  return "name: device_server\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 100}\n"
         "models:\n  - {name: block, gmacs: 900, input_elems: 0, output_elems: 0}\n"
         "workload:\n  type: closed_loop\n  clients: 2\n  think_time: 0\n  requests_per_client: 1\n"
         "  model: block\n  source: d\n"
         "policies:\n  mono: {type: monolithic, host: s}\n" +
         extra;
}

// Writes the platform (platform.yaml) and `experiment` into tmp, runs it into tmp/out and returns
// the summary.json of its policy `mono`.
inline nlohmann::json run_on_device_server(const TempDir& tmp, const std::string& experiment) {
  tmp.file("platform.yaml", kDeviceServerPlatform);
  auto exp = tmp.file("exp.yaml", experiment);
  auto r = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  REQUIRE(r.rc == 0);
  return read_json(tmp / "out/mono/summary.json");
}

}  // namespace cetest
