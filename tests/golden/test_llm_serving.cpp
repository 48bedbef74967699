// Golden tests for LLM serving (docs/inputs.md "LLM serving"): a language model's request costs by
// its tokens on a device's roofline — prefill of P prompt tokens, then output − 1 decode steps, each
// iteration overhead + max(FLOPs / flops, bytes / bandwidth) — with continuous batching, a KV cache
// bounded by the device's memory, phase power (prefill / decode) and the iteration's dynamic energy
// split by tokens. Every expected value is computed here by hand from Qwen2.5-0.5B's published config
// (the formulas of accelerators-llm.md §6), not by the simulator's code; Σ per-request dynamic =
// total − idle in every case.
#include <catch2/catch.hpp>

#include <cmath>
#include <fmt/format.h>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

// Qwen2.5-0.5B (HF config.json): 24 layers, d 896, d_ff 4864, 14 query / 2 KV heads of 64, vocab
// 151936, tied embeddings, q/k/v biases. 494,032,768 parameters (its model card's count).
constexpr double L = 24, D = 896, FF = 4864, HQ = 14, HKV = 2, DH = 64, V = 151936;
constexpr double kLayerLinear = D * HQ * DH + 2 * D * HKV * DH + HQ * DH * D + (HQ * DH + 2 * HKV * DH) + 3 * D * FF;
constexpr double kParams = L * (kLayerLinear + 2 * D) + V * D + D;
constexpr double kWeightBytes = 2 * kParams;          // fp16, all read each iteration (tied head)
constexpr double kKvPerToken = L * 2 * HKV * DH * 2;  // 12,288 bytes
double prefill_flops(double n, double start) {       // a prompt's chunk that ends it
  return 2 * L * kLayerLinear * n + 4 * L * HQ * DH * (n * start + n * (n + 1) / 2) + 2 * V * D;
}
double decode_flops(double ctx) { return 2 * L * kLayerLinear + 4 * L * HQ * DH * ctx + 2 * V * D; }

// The device: 1 ms per iteration plus a roofline on `bw` B/s and `flops` FLOP/s; idle 5 W, 25 W
// while an iteration holds prompt tokens, 15 W in decode-only ones; 4 GB unless `memory` says.
std::string device(const std::string& bw = "1GBps", const std::string& flops = "1Tf", const std::string& memory = "4GB") {
  return "name: toyllm\nsource: \"hand-made for tests\"\nmemory: " + memory +
         "\nmodes:\n  - {name: hi, idle: 5}\n"
         "llm:\n  hi: {bandwidth: " + bw + ", flops: " + flops +
         ", overhead: 1ms, prefill_power: 25, decode_power: 15}\n";
}
constexpr double kOverhead = 0.001, kIdle = 5, kPrefillDyn = 20, kDecodeDyn = 10;

// Requests come from the device itself (no network): `clients` closed-loop clients each sending one
// request of `prompt` / `output` tokens at t = 0.
std::string experiment(int clients, int prompt, int output, const std::string& model = "qwen2.5-0.5b",
                       const std::string& host_extra = "", const std::string& extra = "") {
  return "name: llm\nseed: 1\nplatform: platform.yaml\n"
         "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 100}\n"
         "workload:\n  sources:\n"
         "    - {type: closed_loop, clients: " + std::to_string(clients) +
         ", think_time: 0, requests_per_client: 1, model: " + model + ", source: a, prompt_tokens: " +
         std::to_string(prompt) + ", output_tokens: " + std::to_string(output) + host_extra + "}\n" +
         "policies:\n  mono: {type: monolithic, host: a}\n" + extra;
}

struct Run {
  nlohmann::json s;
  std::vector<std::vector<std::string>> rows;
  std::string err;
  double col(size_t row, const std::string& name) const { return std::stod(rows.at(row).at(column(rows[0], name))); }
};

Run run(const TempDir& tmp, const std::string& dev, const std::string& exp, const std::string& host_keys = "") {
  tmp.file("toy.yaml", dev);
  tmp.file("platform.yaml", "name: llm\nhosts:\n  - {name: a, accelerator: toy.yaml, region: Z" + host_keys +
                                "}\n  - {name: cpu, cores: 1, speed: 1Gf, power: \"1:2\", region: Z}\n");
  auto path = tmp.file("exp.yaml", exp);
  auto r = run_cli("run " + path + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  return {read_json(tmp / "out/mono/summary.json"), read_csv_rows(tmp / "out/mono/requests.csv"), r.err};
}

void check_energy(const Run& r, double dynamic) {
  const nlohmann::json& s = r.s;
  CHECK(rel_err(s["dynamic_energy_j"], dynamic) < 1e-9);
  CHECK(rel_err(s["per_host"]["a"]["energy_j"], kIdle * 3600 + dynamic) < 1e-9);
  CHECK(rel_err(s["dynamic_carbon_g"], dynamic / 3.6e6 * 100) < 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
  CHECK(rel_err(s["dynamic_carbon_g"], s["carbon_g"].get<double>() - s["idle_carbon_g"].get<double>()) < 1e-9);
  double rows = 0;
  for (size_t i = 1; i < r.rows.size(); ++i) rows += r.col(i, "dynamic_energy_j");
  CHECK(rel_err(rows, dynamic) < 1e-9);
}

}  // namespace

TEST_CASE("llm: one request — prefill then decode steps on the roofline, phase power", "[golden][llm]") {
  TempDir tmp;
  auto r = run(tmp, device(), experiment(1, 100, 5));
  // Memory-bound at 1 GB/s: prefill reads the weights once (its 72 GFLOP take 0.07 s at 1 TFLOP/s);
  // decode step k (k = 1..4) reads the weights and the KV cache of 100 + k tokens.
  CHECK(kParams == 494032768.0);
  const double prefill = kOverhead + std::max(prefill_flops(100, 0) / 1e12, kWeightBytes / 1e9);
  double decode = 0;
  for (int k = 1; k <= 4; ++k)
    decode += kOverhead + std::max(decode_flops(100 + k) / 1e12, (kWeightBytes + kKvPerToken * (100 + k)) / 1e9);
  CHECK(r.s["requests_completed"] == 1);
  CHECK(std::abs(r.col(1, "ttft_ms") - prefill * 1e3) < 1e-3);  // requests.csv keeps µs
  CHECK(std::abs(r.col(1, "tpot_ms") - decode / 4 * 1e3) < 1e-3);
  CHECK(std::abs(r.col(1, "latency_ms") - (prefill + decode) * 1e3) < 1e-3);
  CHECK(rel_err(r.s["llm"]["ttft_ms"]["p50"], prefill * 1e3) < 1e-3);  // histogram buckets: 0.01 %
  CHECK(r.s["llm"]["output_tokens"] == 5);
  check_energy(r, kPrefillDyn * prefill + kDecodeDyn * decode);
}

TEST_CASE("llm: doubling the prompt raises the prefill time as the model says (compute-bound)", "[golden][llm]") {
  // 1 TB/s and 100 GFLOP/s: prefill is compute-bound, linear in P plus causal attention in P².
  double ttft[2];
  for (int i = 0; i < 2; ++i) {
    TempDir tmp;
    const int p = 256 << i;
    auto r = run(tmp, device("1000GBps", "100Gf"), experiment(1, p, 1));
    ttft[i] = r.col(1, "ttft_ms") / 1e3;
    const double want = kOverhead + std::max(prefill_flops(p, 0) / 1e11, kWeightBytes / 1e12);
    CHECK(std::abs(ttft[i] - want) < 1e-6);
    check_energy(r, kPrefillDyn * want);  // output 1: the first token ends it, no decode step
  }
  const double ratio = (kOverhead + prefill_flops(512, 0) / 1e11) / (kOverhead + prefill_flops(256, 0) / 1e11);
  CHECK(ttft[1] / ttft[0] == Approx(ratio).epsilon(1e-6));
  CHECK(ratio > 2.0);  // the attention term grows with P²
}

TEST_CASE("llm: two requests — prefills first, then shared decode steps, energy split by tokens",
          "[golden][llm]") {
  TempDir tmp;
  auto r = run(tmp, device(), experiment(2, 100, 3));
  // Both arrive at 0; the first starts an iteration at once, alone (no batching delay). The second's
  // prompt goes next (prefills before decodes), then both decode together: 2 steps at contexts 101
  // and 102, one weight read per step, each sequence's own KV cache.
  const double p = kOverhead + std::max(prefill_flops(100, 0) / 1e12, kWeightBytes / 1e9);
  double decode = 0;
  for (int k = 1; k <= 2; ++k)
    decode += kOverhead + std::max(2 * decode_flops(100 + k) / 1e12, (kWeightBytes + 2 * kKvPerToken * (100 + k)) / 1e9);
  CHECK(std::abs(r.col(1, "ttft_ms") - p * 1e3) < 1e-3);
  CHECK(std::abs(r.col(2, "ttft_ms") - 2 * p * 1e3) < 1e-3);
  CHECK(std::abs(r.col(1, "tpot_ms") - (p + decode) / 2 * 1e3) < 1e-3);  // waits out the second prefill
  CHECK(std::abs(r.col(2, "tpot_ms") - decode / 2 * 1e3) < 1e-3);
  for (size_t i = 1; i <= 2; ++i) {
    CHECK(std::abs(r.col(i, "latency_ms") - (2 * p + decode) * 1e3) < 1e-3);
    // Its own prefill, and half of each shared decode step (one token each).
    CHECK(rel_err(r.col(i, "dynamic_energy_j"), kPrefillDyn * p + kDecodeDyn * decode / 2) < 1e-8);
  }
  check_energy(r, 2 * kPrefillDyn * p + kDecodeDyn * decode);
}

TEST_CASE("llm: the KV cache bounds the running batch — the third request waits, never over-admitted",
          "[golden][llm]") {
  TempDir tmp;
  // Memory for the weights (988 MB) and 2 × ⌈(64 + 8) / 16⌉ = 2 × 5 pages of 16 tokens × 12,288 B
  // (983,040 B) and a little: a third sequence waits until one ends. Watermark off.
  const double room = 2 * 5 * 16 * kKvPerToken + 100000;
  const std::string memory = fmt::format("{:.0f}B", kWeightBytes + room);
  auto r = run(tmp, device("1GBps", "1Tf", memory), experiment(3, 64, 8), ", llm: {watermark: 0}");
  CHECK(r.s["requests_completed"] == 3);
  // The first prompt runs alone (the others arrive as it starts), the second's next; the third's 4
  // pages do not fit beside theirs (growing to 5 each while they decode): it starts once both end.
  const double p = kOverhead + std::max(prefill_flops(64, 0) / 1e12, kWeightBytes / 1e9);
  double decode = 0;
  for (int k = 1; k <= 7; ++k)
    decode += kOverhead + std::max(2 * decode_flops(64 + k) / 1e12, (kWeightBytes + 2 * kKvPerToken * (64 + k)) / 1e9);
  const double both_done = 2 * p + decode;
  CHECK(std::abs(r.col(1, "latency_ms") - both_done * 1e3) < 1e-3);
  CHECK(std::abs(r.col(2, "latency_ms") - both_done * 1e3) < 1e-3);
  CHECK(std::abs(r.col(3, "wait_ms") - both_done * 1e3) < 1e-3);
  CHECK(std::abs(r.col(3, "ttft_ms") - (both_done + p) * 1e3) < 1e-3);
  double alone = 0;
  for (int k = 1; k <= 7; ++k) alone += kOverhead + std::max(decode_flops(64 + k) / 1e12, (kWeightBytes + kKvPerToken * (64 + k)) / 1e9);
  check_energy(r, 3 * kPrefillDyn * p + kDecodeDyn * (decode + alone));
}

TEST_CASE("llm: placements no LLM engine can run are rejected and counted", "[golden][llm]") {
  TempDir tmp;
  // The monolithic policy sends a language model to a flop-rated host, and a CNN to the LLM engine.
  auto r = run(tmp, device(),
               "name: llm\nseed: 1\nplatform: platform.yaml\n"
               "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 100}\n"
               "workload:\n  sources:\n"
               "    - {type: closed_loop, clients: 2, think_time: 0, requests_per_client: 1, model: qwen2.5-0.5b, "
               "source: a, prompt_tokens: 10, output_tokens: 2}\n"
               "policies:\n  mono: {type: monolithic, host: cpu}\n");
  CHECK(r.s["requests_rejected"] == 2);
  CHECK(r.s["unsupported_placements"] == 2);
  CHECK(r.err.find("has no LLM engine") != std::string::npos);
  TempDir tmp2;
  auto c = run(tmp2, device(), experiment(1, 10, 2, "resnet50"));
  CHECK(c.s["unsupported_placements"] == 1);
  CHECK(c.err.find("serves language models only") != std::string::npos);
}

TEST_CASE("llm: a host turned off mid-decode fails its running sequences; energy still adds up", "[golden][llm]") {
  TempDir tmp;
  auto r = run(tmp, device(), experiment(2, 100, 50, "qwen2.5-0.5b", "", "events:\n  - {at: 3s, host: a, state: off}\n"));
  CHECK(r.s["requests_failed"] == 2);
  CHECK(r.s["requests_completed"] == 0);
  // Until 3 s: prefill of the first (0.989 s) and of the second, then decode steps of both, cut at 3 s.
  const double p = kOverhead + kWeightBytes / 1e9;
  const nlohmann::json& s = r.s;
  CHECK(s["dynamic_energy_j"].get<double>() > 2 * kPrefillDyn * p);
  CHECK(s["dynamic_energy_j"].get<double>() < 2 * kPrefillDyn * p + kDecodeDyn * (3 - 2 * p) + 1e-9);
  CHECK(rel_err(s["dynamic_energy_j"], s["energy_j"].get<double>() - s["idle_energy_j"].get<double>()) < 1e-9);
  double rows = 0;
  for (size_t i = 1; i < r.rows.size(); ++i) rows += r.col(i, "dynamic_energy_j");
  CHECK(rel_err(rows, s["dynamic_energy_j"]) < 1e-9);
}

TEST_CASE("llm: phase splitting — prefill on one host, the KV cache shipped, decode on another", "[golden][llm]") {
  TempDir tmp;
  tmp.file("toy.yaml", device());
  tmp.file("platform.yaml",
           "name: llm\nhosts:\n"
           "  - {name: a, accelerator: toy.yaml, region: Z}\n"
           "  - {name: b, accelerator: toy.yaml, region: Z}\n"
           "links:\n  - {name: l, bandwidth: 1GBps, latency: 1ms, power: \"0:0\", region: Z}\n"
           "network:\n  routes:\n    - {src: a, dst: b, links: [l]}\n");
  std::string exp = experiment(1, 100, 5);
  const std::string mono = "mono: {type: monolithic, host: a}";
  exp.replace(exp.find(mono), mono.size(), "mono: {type: phase-split, prefill: a, decode: b}");
  auto res = run_cli("run " + tmp.file("exp.yaml", exp) + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(res.err);
  REQUIRE(res.rc == 0);
  Run r{read_json(tmp / "out/mono/summary.json"), read_csv_rows(tmp / "out/mono/requests.csv"), res.err};
  // a: the prefill (its first token comes out there). l: the prompt's KV cache (100 tokens × 12,288 B)
  // and the token id, 1 ms + bytes / 1 GB/s. b: 4 decode steps at contexts 101..104. l again: the 5
  // output token ids back to the source a.
  const double prefill = kOverhead + kWeightBytes / 1e9;
  const double kv = 0.001 + (100 * kKvPerToken + 4) / 1e9, back = 0.001 + 5 * 4 / 1e9;
  double decode = 0;
  for (int k = 1; k <= 4; ++k) decode += kOverhead + (kWeightBytes + kKvPerToken * (100 + k)) / 1e9;
  CHECK(r.rows[1][column(r.rows[0], "hosts")] == "a;b");
  CHECK(std::abs(r.col(1, "ttft_ms") - prefill * 1e3) < 1e-3);
  CHECK(std::abs(r.col(1, "tpot_ms") - (kv + decode) / 4 * 1e3) < 1e-3);
  CHECK(std::abs(r.col(1, "latency_ms") - (prefill + kv + decode + back) * 1e3) < 1e-3);
  CHECK(rel_err(r.s["per_host"]["a"]["dynamic_energy_j"], kPrefillDyn * prefill) < 1e-9);
  CHECK(rel_err(r.s["per_host"]["b"]["dynamic_energy_j"], kDecodeDyn * decode) < 1e-9);
  CHECK(rel_err(r.s["dynamic_energy_j"], kPrefillDyn * prefill + kDecodeDyn * decode) < 1e-9);
  CHECK(rel_err(r.s["dynamic_energy_j"], r.s["energy_j"].get<double>() - r.s["idle_energy_j"].get<double>()) < 1e-9);
}

TEST_CASE("llm: chunked prefill — a prompt in chunks beside decode steps, energy still exact", "[golden][llm]") {
  TempDir tmp;
  // chunk 64: the first request (prompt 100) alone: chunks of 64 and 36 (the second ends the prompt),
  // then 4 decode steps. Compute-bound at 10 GFLOP/s so the chunks' FLOPs show.
  auto r = run(tmp, device("1000GBps", "10Gf"), experiment(1, 100, 5), ", llm: {chunk: 64}");
  const double c1 = kOverhead + std::max((2 * L * kLayerLinear * 64 + 4 * L * HQ * DH * (64.0 * 65 / 2)) / 1e10,
                                         kWeightBytes / 1e12);
  const double c2 = kOverhead + std::max(prefill_flops(36, 64) / 1e10, (kWeightBytes + 64 * kKvPerToken) / 1e12);
  double decode = 0;
  for (int k = 1; k <= 4; ++k)
    decode += kOverhead + std::max(decode_flops(100 + k) / 1e10, (kWeightBytes + kKvPerToken * (100 + k)) / 1e12);
  CHECK(std::abs(r.col(1, "ttft_ms") - (c1 + c2) * 1e3) < 1e-3);
  CHECK(std::abs(r.col(1, "latency_ms") - (c1 + c2 + decode) * 1e3) < 1e-3);
  check_energy(r, kPrefillDyn * (c1 + c2) + kDecodeDyn * decode);
}

TEST_CASE("llm: Splitwise's A100 phase power integrates exactly (63 W idle, 400 W prompt, 250 W token)",
          "[golden][llm]") {
  TempDir tmp;
  tmp.file("platform.yaml", "name: llm\nhosts:\n  - {name: a, accelerator: " + source_dir() +
                                "/platforms/accelerators/a100_llm.yaml, region: Z}\n");
  auto path = tmp.file("exp.yaml", experiment(1, 1000, 11));
  auto res = run_cli("run " + path + " --out " + (tmp / "out") + " --quiet", tmp);
  INFO(res.err);
  REQUIRE(res.rc == 0);
  Run r{read_json(tmp / "out/mono/summary.json"), read_csv_rows(tmp / "out/mono/requests.csv"), res.err};
  // The profile's rates: 1645 GB/s, 156 TFLOP/s, no overhead. Prefill of 1000 tokens, then 10 steps.
  const double prefill = std::max(prefill_flops(1000, 0) / 156e12, kWeightBytes / 1645e9);
  double decode = 0;
  for (int k = 1; k <= 10; ++k)
    decode += std::max(decode_flops(1000 + k) / 156e12, (kWeightBytes + kKvPerToken * (1000 + k)) / 1645e9);
  CHECK(std::abs(r.col(1, "ttft_ms") - prefill * 1e3) < 1e-3);
  CHECK(rel_err(r.s["per_host"]["a"]["energy_j"], 63 * 3600 + (400 - 63) * prefill + (250 - 63) * decode) < 1e-12);
  CHECK(rel_err(r.s["dynamic_energy_j"], (400 - 63) * prefill + (250 - 63) * decode) < 1e-9);
}

TEST_CASE("llm: a model that does not fit beside the one in use waits for it to drain, then for its load",
          "[golden][llm]") {
  TempDir tmp;
  // 1.3 GB: Qwen2.5-0.5B fp16 (988 MB) or int8 (494 MB), not both. Loads take 1 s + bytes / 1 GB/s.
  const std::string exp =
      "name: llm\nseed: 1\nplatform: platform.yaml\n"
      "carbon:\n  start: 2023-01-01T00:00:00Z\n  duration: 1h\n  static: {Z: 100}\n"
      "workload:\n  sources:\n"
      "    - {type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, model: qwen2.5-0.5b, source: a, "
      "prompt_tokens: 100, output_tokens: 3}\n"
      "    - {type: closed_loop, clients: 1, think_time: 0, requests_per_client: 1, model: qwen2.5-0.5b-int8, "
      "source: a, prompt_tokens: 100, output_tokens: 3}\n"
      "policies:\n  mono: {type: monolithic, host: a}\n";
  auto r = run(tmp, device("1GBps", "1Tf", "1.3GB"), exp, ", llm: {load_bandwidth: 1GBps, load_latency: 1s}");
  REQUIRE(r.s["requests_completed"] == 2);
  // fp16 first: its load, prefill (weights at 2 B), 2 decode steps; then the int8 load and the same
  // at 1 B per weight.
  auto serve = [](double bytes_per_weight) {
    const double w = kParams * bytes_per_weight;
    double t = kOverhead + std::max(prefill_flops(100, 0) / 1e12, w / 1e9);
    for (int k = 1; k <= 2; ++k) t += kOverhead + std::max(decode_flops(100 + k) / 1e12, (w + kKvPerToken * (100 + k)) / 1e9);
    return t;
  };
  const double load16 = 1 + kWeightBytes / 1e9, load8 = 1 + kParams / 1e9;
  const double done16 = load16 + serve(2);
  CHECK(std::abs(r.col(1, "latency_ms") - done16 * 1e3) < 1e-3);
  CHECK(std::abs(r.col(2, "latency_ms") - (done16 + load8 + serve(1)) * 1e3) < 1e-3);
  CHECK(rel_err(r.s["dynamic_energy_j"], r.s["energy_j"].get<double>() - r.s["idle_energy_j"].get<double>()) < 1e-9);
}
