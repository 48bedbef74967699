// LLM architectures from their configs (models/llm_architecture.hpp): parameter counts within 1 % of
// the published sizes, the KV cache per token, and the prefill/decode FLOPs of the reference's worked
// example (../shared/reference/accelerators-llm.md §6), with a hand count for Llama-3.2-1B.
#include <catch2/catch.hpp>

#include "models/llm_architecture.hpp"

using namespace ce;

TEST_CASE("LLM architectures: parameters within 1 % of every published size", "[unit][llm]") {
  REQUIRE(llm_architectures().size() == 10);
  for (const auto& m : llm_architectures()) {
    INFO(m.name << ": " << m.params() << " vs published " << m.published_params);
    CHECK(std::abs(m.params() - m.published_params) / m.published_params < 0.01);
  }
}

TEST_CASE("LLM architectures: Llama-3.2-1B counted by hand", "[unit][llm]") {
  const LlmArchitecture& m = *find_llm("llama-3.2-1b");
  // Per layer: q 2048², k and v 2048 × 512 each, o 2048², MLP 3 × 2048 × 8192, two norms of 2048.
  const double layer = 2048.0 * 2048 + 2 * 2048.0 * 512 + 2048.0 * 2048 + 3 * 2048.0 * 8192;
  CHECK(m.layer_linear_params() == layer);
  CHECK(m.params() == 16 * (layer + 2 * 2048.0) + 128256.0 * 2048 + 2048);  // tied head; final norm
  // KV: 16 layers × (k + v) × 8 heads × 64 × 2 bytes = 32 KiB per token.
  CHECK(m.kv_bytes_per_token(2) == 32 * 1024);
}

TEST_CASE("LLM architectures: the reference's Llama-3.2-3B example", "[unit][llm]") {
  const LlmArchitecture& m = *find_llm("llama-3.2-3b");
  CHECK(m.kv_bytes_per_token(2) == 112 * 1024);  // 112 KiB per token (fp16)
  // Prefill of the code trace's median prompt (1469 tokens): ≈ 8.28 TFLOP linear + 0.37 TFLOP attention.
  const double p = 1469, linear = 2 * m.linear_params() * p, attention = 2.0 * 28 * 24 * 128 * p * (p + 1);
  CHECK(linear == Approx(8.28e12).epsilon(0.01));
  CHECK(attention == Approx(0.37e12).epsilon(0.02));
  CHECK(m.prefill_flops(p) == Approx(linear + attention + 2.0 * 128256 * 3072).epsilon(1e-12));
  // Doubling the prompt more than doubles the prefill (the attention term grows with P²).
  CHECK(m.prefill_flops(2 * p) > 2 * m.prefill_flops(p));
  // Decode at context 1469 ≈ 6.9 GFLOP per token; a p99 code request (7687 tokens) holds 0.82 GiB of KV.
  CHECK(m.decode_flops(p) == Approx(6.9e9).epsilon(0.02));
  CHECK(m.kv_bytes_per_token(2) * 7687 / (1024.0 * 1024 * 1024) == Approx(0.82).epsilon(0.01));
  // A decode step reads the weights and the cache: fp16 weights ≈ 6.4 GB (reference §7 roofline).
  CHECK(m.decode_bytes(0, 2, 2) == Approx(6.43e9).epsilon(0.01));
}
