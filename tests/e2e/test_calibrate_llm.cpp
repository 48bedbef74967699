// `carbonedge calibrate --llm --fast`: LLM decode/prefill kernels timed on this machine (~30 s). The
// numbers depend on the machine: the checks are that the written NAME.llm.yaml is an LLM engine
// profile a platform can use, and that the simulator, given it, decodes Qwen2.5-0.5B-int8 at the
// speed the calibration measured for the whole model (one token through all its layers and head).
#include <catch2/catch.hpp>

#include <sstream>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kTimingsDistorted = true;  // ASan slows the kernels unevenly: timings say nothing
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
constexpr bool kTimingsDistorted = true;
#else
constexpr bool kTimingsDistorted = false;
#endif
#else
constexpr bool kTimingsDistorted = false;
#endif

// The "measured(tok/s)" column of the printed table's row for `model` `prec`.
double measured_tok_s(const std::string& out, const std::string& model, const std::string& prec) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::vector<std::string> w;
    for (std::string x; f >> x;) w.push_back(x);
    if (w.size() >= 9 && w[0] == model && w[1] == prec) return std::stod(w[7]);
  }
  return -1;
}
}  // namespace

TEST_CASE("calibrate --llm --fast writes an LLM engine profile the simulator decodes at the measured speed",
          "[e2e][calibrate][llm]") {
  TempDir tmp;
  auto bad = run_cli("calibrate --llm --fast --quiet --out " + (tmp / "hosts/me.yaml"), tmp);
  CHECK(bad.rc == 2);
  CHECK(bad.err.find("--power IDLE:BUSY") != std::string::npos);

  // The three smallest models: enough for the fit (and its two whole-model checks), in a few seconds.
  auto r = run_cli("calibrate --llm --fast --models qwen2.5-0.5b,tinyllama-1.1b,llama-3.2-1b --power 4:40 --out " +
                       (tmp / "hosts/me.yaml"),
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  REQUIRE(fs::exists(tmp / "hosts/me.llm.yaml"));
  CHECK(fs::exists(tmp / "hosts/me.llm.csv"));
  CHECK_FALSE(fs::exists(tmp / "hosts/me.yaml"));  // --llm leaves the host profile alone
  const double measured = measured_tok_s(r.out, "qwen2.5-0.5b", "int8");
  REQUIRE(measured > 0);

  tmp.file("platform.yaml", "name: p\nhosts:\n  - {name: h, accelerator: hosts/me.llm.yaml, region: Z}\n");
  auto exp = tmp.file("exp.yaml",
                      "name: c\nseed: 1\nplatform: platform.yaml\n"
                      "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 100}\n"
                      "workload:\n  sources:\n    - {type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, "
                      "model: qwen2.5-0.5b-int8, source: h, prompt_tokens: 1, output_tokens: 33}\n"
                      "policies:\n  mono: {type: monolithic, host: h}\n");
  auto s = run_cli("run " + exp + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(s.err);
  REQUIRE(s.rc == 0);
  const auto rows = read_csv_rows(tmp / "out/mono/requests.csv");
  REQUIRE(rows.size() == 2);
  const double tpot_s = std::stod(rows[1][column(rows[0], "tpot_ms")]) / 1e3;
  const double simulated = 1 / tpot_s;
  WARN("qwen2.5-0.5b-int8 decode on this CPU: simulated " << simulated << " tok/s, measured whole " << measured);
  auto summary = read_json(tmp / "out/mono/summary.json");
  CHECK(rel_err(summary["dynamic_energy_j"], summary["energy_j"].get<double>() - summary["idle_energy_j"].get<double>()) < 1e-9);
  if (!kTimingsDistorted) CHECK(std::abs(simulated / measured - 1) < 0.3);
}
