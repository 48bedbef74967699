// Golden tests for hosts turned off and on (experiment `events:`): what happens to the request that
// is running, the one queued behind it and the ones whose source device is off, and what the
// server's energy is, against hand computation.
#include <catch2/catch.hpp>

#include <algorithm>

#include "../support/device_server.hpp"

using namespace cetest;

namespace {

// Runs the two requests with `events` in tmp; the policy's summary.json.
nlohmann::json run_with_events(const TempDir& tmp, const std::string& events) {
  return run_on_device_server(tmp, two_blocks_on_server(events));
}

}  // namespace

TEST_CASE("a server turned off fails the request it runs, the queued one waits and runs when it is back",
          "[golden][faults]") {
  TempDir tmp;
  auto s = run_with_events(tmp, "events:\n  - {at: 15min, host: s, state: off}\n"
                                "  - {at: 20min, host: s, state: on}\n");
  CHECK(s["requests_arrived"] == 2);
  CHECK(s["requests_failed"] == 1);
  CHECK(s["requests_completed"] == 1);
  // Request A runs from 1 ms (its input crosses l) and fails at 900 s; B waits in the queue through
  // the outage and runs 1200 s → 3000 s, its result back at 3000.001 s.
  auto rows = read_csv_rows(tmp / "out/mono/requests.csv");
  REQUIRE(rows.size() == 3);
  // requests.csv gives times relative to the arrival (wait_ms, latency_ms); both arrive at 0.
  auto at = [&](size_t i, const char* c) {
    const auto& h = rows[0];
    const size_t k = static_cast<size_t>(std::find(h.begin(), h.end(), c) - h.begin());
    REQUIRE(k < h.size());
    return rows[i][k];
  };
  int failed = 0, completed = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    CHECK(std::stod(at(i, "arrival_s")) == 0);
    if (at(i, "status") == "failed") {
      ++failed;
      CHECK(rel_err(std::stod(at(i, "latency_ms")), 900e3) < 1e-9);
    } else {
      ++completed;
      CHECK(at(i, "status") == "completed");
      CHECK(rel_err(std::stod(at(i, "wait_ms")), 1200e3) < 1e-9);
      CHECK(rel_err(std::stod(at(i, "latency_ms")), 3000.001e3) < 1e-9);
    }
  }
  CHECK(failed == 1);
  CHECK(completed == 1);
  // s: busy at 30 W for [0.001, 900) and [1200, 3000), 1 W while off, 10 W idle otherwise.
  const double busy = (900 - 0.001) + 1800;
  const double energy_s = 30 * busy + 1 * 300 + 10 * (3600 - busy - 300);
  CHECK(rel_err(s["per_host"]["s"]["energy_j"], energy_s) < 1e-9);
  CHECK(s["per_host"]["s"]["tasks"] == 1);
}

TEST_CASE("requests from a device that is turned off fail at once and run nowhere", "[golden][faults]") {
  TempDir tmp;
  auto s = run_with_events(tmp, "events:\n  - {at: 0, host: d, state: off}\n");
  CHECK(s["requests_arrived"] == 2);
  CHECK(s["requests_failed"] == 2);
  CHECK(s["requests_completed"] == 0);
  CHECK(s["per_host"]["s"]["tasks"] == 0);
  // s idles the whole hour; the run still lasts the arrival window.
  CHECK(rel_err(s["per_host"]["s"]["energy_j"], 10 * 3600.0) < 1e-9);
}
