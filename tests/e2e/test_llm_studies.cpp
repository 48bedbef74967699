// The LLM studies of docs/reproductions.md §i on the Azure conversation trace over the GB week:
// carbon-aware model selection lands between the smallest and the largest variant in both carbon and
// quality, and phase splitting gives the server's time to first token with the device's decode. Every
// request accounted for, Σ per-request dynamic = total − idle.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

nlohmann::json summary(const TempDir& tmp, const std::string& policy) {
  return read_json(tmp / ("out/" + policy + "/summary.json"));
}

void check_accounting(const nlohmann::json& s) {
  CHECK(s["requests_completed"].get<uint64_t>() + s["requests_failed"].get<uint64_t>() +
            s["requests_rejected"].get<uint64_t>() ==
        s["requests_arrived"].get<uint64_t>());
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
  CHECK(rel_err(s["dynamic_carbon_g"], s["carbon_g"].get<double>() - s["idle_carbon_g"].get<double>()) < 1e-9);
}

}  // namespace

TEST_CASE("llm model selection (GB week, Azure conv): the carbon-aware policy lies between the fixed variants",
          "[e2e][llm]") {
  TempDir tmp;
  auto r = run_cli("run " + source_dir() + "/experiments/llm_model_selection_gb_week.yaml -q --out " + (tmp / "out") +
                       " --data-root " + data_root(),
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const auto big = summary(tmp, "largest"), small = summary(tmp, "smallest"), c = summary(tmp, "carbon");
  for (const auto* s : {&big, &small, &c}) {
    check_accounting(*s);
    CHECK((*s)["requests_arrived"] == 19366);  // the conv trace's rows, stretched over the week
  }
  CHECK(small["dynamic_carbon_g"].get<double>() < c["dynamic_carbon_g"].get<double>());
  CHECK(c["dynamic_carbon_g"].get<double>() < big["dynamic_carbon_g"].get<double>());
  CHECK(small["mean_top1"].get<double>() < c["mean_top1"].get<double>());
  CHECK(c["mean_top1"].get<double>() < big["mean_top1"].get<double>());
  CHECK(c["per_model"].size() >= 3);  // it switches variants with the intensity
  CHECK(small["llm"]["tpot_ms"]["p50"].get<double>() < big["llm"]["tpot_ms"]["p50"].get<double>());
  // Plot (h) of the run: quality against energy per token, TTFT and TPOT per policy.
  auto p = run_cli("plot " + (tmp / "out") + " --only h --out " + (tmp / "plots"), tmp);
  INFO(p.out << p.err);
  REQUIRE(p.rc == 0);
  CHECK(fs::exists(tmp / "plots/h_llm.png"));
  CHECK(fs::exists(tmp / "plots/h_llm.svg"));
}

TEST_CASE("llm phase splitting (GB week, Azure conv): the server's prefill, the device's decode", "[e2e][llm]") {
  TempDir tmp;
  auto r = run_cli("run " + source_dir() + "/experiments/llm_phase_split_gb_week.yaml -q --out " + (tmp / "out") +
                       " --data-root " + data_root(),
                   tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const auto dev = summary(tmp, "device"), srv = summary(tmp, "server"), split = summary(tmp, "split");
  for (const auto* s : {&dev, &srv, &split}) {
    check_accounting(*s);
    CHECK((*s)["requests_completed"] == 19366);
  }
  auto ttft = [](const nlohmann::json& s) { return s["llm"]["ttft_ms"]["p50"].get<double>(); };
  auto tpot = [](const nlohmann::json& s) { return s["llm"]["tpot_ms"]["p50"].get<double>(); };
  CHECK(ttft(split) == Approx(ttft(srv)).epsilon(0.01));  // the same prefill on the same A100
  CHECK(ttft(split) < ttft(dev) / 5);
  CHECK(tpot(split) > tpot(srv) * 5);  // decode on the Nano, after the KV cache's transfer
  // The device decodes at its own power: the split's dynamic energy lies between the two.
  CHECK(split["dynamic_energy_j"].get<double>() > srv["dynamic_energy_j"].get<double>());
  CHECK(split["dynamic_energy_j"].get<double>() < dev["dynamic_energy_j"].get<double>());
}
