// The zoo's language models (models/llm_zoo.cpp): nine architectures × three weight precisions, in
// vendor families, with their published MMLU (or the documented ratio), weights by precision, and
// the chunked-prefill FLOPs that add up to a whole prefill.
#include <catch2/catch.hpp>

#include "models/cost_model.hpp"
#include "models/llm_architecture.hpp"
#include "models/llm_cost.hpp"
#include "models/zoo.hpp"

using namespace ce;

TEST_CASE("llm zoo: 30 variants, families by vendor, cheapest first", "[llm][zoo]") {
  size_t llms = 0;
  for (const auto& n : zoo_model_names()) llms += find_model(n)->llm != nullptr;
  CHECK(llms == 30);
  std::vector<std::string> qwen;
  for (const ModelProfile* m : family_members("qwen2.5")) qwen.push_back(m->name);
  REQUIRE(qwen.size() == 12);
  CHECK(qwen.front().rfind("qwen2.5-0.5b", 0) == 0);  // sorted by MACs per token: sizes ascend
  CHECK(qwen.back().rfind("qwen2.5-7b", 0) == 0);
  const ModelProfile* q4 = find_model("qwen2.5-3b-int4");
  REQUIRE(q4 != nullptr);
  CHECK(q4->family == "qwen2.5");
  CHECK(q4->precision == WeightPrecision::Int4);
  CHECK(q4->llm == find_llm("qwen2.5-3b"));
  CHECK(family_members("llama-3.2").size() == 6);
}

TEST_CASE("llm zoo: quality — published MMLU, derived ratios where none was published", "[llm][zoo]") {
  CHECK(find_model("llama-3.2-3b")->top1 == 63.4);      // Meta model card, 3B-Instruct
  CHECK(find_model("llama-3.2-3b-int4")->top1 == 62.0);  // SpinQuant W4A8, same card
  CHECK(find_model("llama-3.2-1b-int4")->top1 == 47.3);
  CHECK(find_model("qwen2.5-7b")->top1 == 74.2);
  CHECK(find_model("qwen2.5-7b-int8")->top1 == Approx(74.2 * 73.87 / 74.24));  // Red Hat's W8 ratio
  CHECK(find_model("qwen2.5-0.5b-int4")->top1 == Approx(47.5 * 33.0 / 37.9));  // Qwen2 GPTQ-Int4 0.5B ratio
  CHECK(find_model("phi-3-mini-4k-int4")->top1 == Approx(70.9 * 67.8 / 70.5));
  CHECK(find_model("tinyllama-1.1b-int4")->top1 == 25.0);  // floored at chance
  for (const auto& n : zoo_model_names()) {
    const ModelProfile* m = find_model(n);
    if (!m->llm || m->precision == WeightPrecision::Fp16) continue;
    INFO(n);
    const ModelProfile* fp16 = find_model(m->llm->name);
    CHECK(m->top1 <= fp16->top1);  // quantising never helps
    CHECK(m->top1 >= 25.0);
  }
}

TEST_CASE("llm zoo: weights by precision; a chunked prefill adds up to the whole prompt's", "[llm][zoo]") {
  const ModelProfile* f = find_model("llama-3.2-3b");
  const ModelProfile* i8 = find_model("llama-3.2-3b-int8");
  const ModelProfile* i4 = find_model("llama-3.2-3b-int4");
  CHECK(llm_weight_bytes(*f) == Approx(2 * f->llm->params()));
  CHECK(llm_weight_bytes(*i8) == Approx(f->llm->params()));
  CHECK(llm_weight_bytes(*i4) == Approx(4.5 / 8 * f->llm->params()));
  CHECK(stage_weight_bytes(*i4, 1, 1) == llm_weight_bytes(*i4));
  const LlmArchitecture& a = *f->llm;
  CHECK(a.chunk_flops(1469, 0, true) == Approx(a.prefill_flops(1469)).epsilon(1e-12));
  CHECK(a.chunk_flops(512, 0, false) + a.chunk_flops(512, 512, false) + a.chunk_flops(445, 1024, true) ==
        Approx(a.prefill_flops(1469)).epsilon(1e-12));
  // A one-token chunk after c − 1 cached tokens is a decode step at context c.
  CHECK(a.chunk_flops(1, 99, true) == Approx(a.decode_flops(100)).epsilon(1e-12));
  // An untied model's input embedding is gathered, not read: Qwen2.5-7B reads V·d fewer weights.
  const LlmArchitecture& q7 = *find_llm("qwen2.5-7b");
  CHECK(q7.params() - q7.weights_read() == Approx(152064.0 * 3584));
  CHECK(a.weights_read() == a.params());  // tied: the head is the embedding, read in full
}
