// Determinism: two runs of the same experiment and seed give byte-identical files — every file the
// run writes, compared byte for byte, except */timing.json, which holds wall-clock measurements and
// is documented as the one non-deterministic file (docs/outputs.md). The two runs use different
// --jobs so that the order children finish in cannot leak into the outputs either.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <set>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

std::set<std::string> files_under(const fs::path& root) {
  std::set<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), root).string());
  return out;
}

}  // namespace

TEST_CASE("two runs of the same experiment and seed give byte-identical outputs, every file", "[e2e][determinism]") {
  TempDir tmp;
  // Quickstart plus one policy of every other built-in type, 20 simulated minutes.
  const std::string args = "run " + source_dir() + "/experiments/quickstart.yaml --quiet --data-root " + data_root() +
                           " --set carbon.duration=20min --set policies.lf.type=latency-first"
                           " --set policies.lf.max_stages=3 --set policies.ce.type=carbonedge"
                           " --set policies.ce.mode=green --set policies.ia.type=intensity-adaptive"
                           " --set policies.amp.type=carbonedge --set policies.amp.partition=amp4ec";
  auto a = run_cli(args + " --jobs 1 --out " + (tmp / "a"), tmp);
  INFO(a.err);
  REQUIRE(a.rc == 0);
  auto b = run_cli(args + " --jobs 2 --out " + (tmp / "b"), tmp);
  INFO(b.err);
  REQUIRE(b.rc == 0);
  const auto fa = files_under(tmp / "a"), fb = files_under(tmp / "b");
  CHECK(fa == fb);
  size_t compared = 0;
  for (const auto& f : fa) {
    if (fs::path(f).filename() == "timing.json") continue;  // wall-clock by design
    INFO(f);
    CHECK(slurp(tmp / ("a/" + f)) == slurp(tmp / ("b/" + f)));
    ++compared;
  }
  CHECK(compared >= 5 * 3 + 2);  // per policy summary, requests, timeseries; comparison.csv, run.json
  // run.json must not carry the moment or the process of the run.
  const std::string run = slurp(tmp / "a/run.json");
  std::time_t now = std::time(nullptr);
  char today[16];
  std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&now));
  CHECK(run.find(today) == std::string::npos);
  CHECK(run.find("\"pid\"") == std::string::npos);
}
