// The LLM engine's scheduling rules on their own (sim/llm_engine.hpp, no SimGrid run): paged KV
// admission that never over-commits the cache, preemption with recompute, prefill-first and
// chunked iterations, max_batch, turns between models.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "sim/llm_engine.hpp"

using namespace ce;

namespace {

const ModelProfile kA{}, kB{};

struct Run {
  LlmEngine e;
  std::map<uint32_t, uint32_t> generated, first, finished, prefill_tokens;
  uint64_t iterations = 0, max_used = 0;
  explicit Run(LlmEngineConfig c, uint64_t pages) : e(c) { e.set_capacity(pages * 16); }  // 1 byte per token
  // One iteration: checks the cache is never over-committed while it runs.
  bool step(std::vector<LlmEngine::Member>* out = nullptr, const ModelProfile** model_out = nullptr) {
    const ModelProfile* m = nullptr;
    std::vector<LlmEngine::Member> mem;
    if (!e.next(m, mem)) return false;
    ++iterations;
    REQUIRE(e.used_bytes() <= e.capacity());
    max_used = std::max(max_used, e.used_bytes() / 16);
    for (const auto& x : mem) {
      if (x.prefill) prefill_tokens[x.slot] += x.tokens;
    }
    LlmEngine::Outcome o;
    e.finish(o);
    for (uint32_t s : o.first_token) ++first[s];
    for (uint32_t s : o.finished) ++finished[s];
    if (out) *out = mem;
    if (model_out) *model_out = m;
    return true;
  }
};

}  // namespace

TEST_CASE("LLM engine: one sequence — prefill, then output − 1 decode steps at growing contexts", "[llm]") {
  Run r({}, 1000);
  r.e.push(7, &kA, 100, 4, 1);
  std::vector<LlmEngine::Member> m;
  REQUIRE(r.step(&m));
  REQUIRE(m.size() == 1);
  CHECK((m[0].prefill && m[0].tokens == 100 && m[0].start == 0 && m[0].last_chunk));
  CHECK(r.first[7] == 1);
  CHECK(r.e.used_bytes() / 16 == 7);  // ⌈100 / 16⌉
  for (uint32_t k = 1; k <= 3; ++k) {
    REQUIRE(r.step(&m));
    REQUIRE(m.size() == 1);
    CHECK((!m[0].prefill && m[0].tokens == 1 && m[0].start == 100 + k - 1));
  }
  CHECK(r.finished[7] == 1);
  CHECK(r.e.used_bytes() / 16 == 0);
  CHECK_FALSE(r.step());
}

TEST_CASE("LLM engine: the KV limit holds — requests wait, never over-admit", "[llm]") {
  // 10 blocks of 16 tokens; prompts of 48 tokens take 3 blocks: only three fit at once.
  LlmEngineConfig c;
  c.watermark = 0;
  Run r(c, 10);
  for (uint32_t s = 0; s < 5; ++s) r.e.push(s, &kA, 48, 1, 1);
  std::vector<LlmEngine::Member> m;
  REQUIRE(r.step(&m));
  CHECK(m.size() == 3);  // the fourth waits for room
  CHECK(r.e.used_bytes() / 16 == 0);  // output 1: all three done after their prefill
  REQUIRE(r.step(&m));
  CHECK(m.size() == 2);
  CHECK(r.finished.size() == 5);
  // Watermark: 1 % of 1000 blocks = 10 kept free, so a prompt of 991 blocks waits... for ever: unservable.
  LlmEngineConfig w;
  Run big(w, 1000);
  CHECK(big.e.fits_alone(989 * 16, 1, 1));
  CHECK_FALSE(big.e.fits_alone(991 * 16, 1, 1));
  big.e.push(1, &kA, 991 * 16, 1, 1);
  CHECK_FALSE(big.step());
  uint32_t slot = 99;
  CHECK(big.e.pop_unservable(slot));
  CHECK(slot == 1);
}

TEST_CASE("LLM engine: decode growth preempts the newest, which recomputes its tokens", "[llm]") {
  LlmEngineConfig c;
  c.watermark = 0;
  Run r(c, 9);  // three prompts of 48 fill 9 blocks; the first decode step needs a 4th block each
  for (uint32_t s = 0; s < 3; ++s) r.e.push(s, &kA, 48, 20, 1);
  while (r.step()) {
  }
  CHECK(r.e.preemptions() > 0);
  CHECK(r.max_used <= 9);
  for (uint32_t s = 0; s < 3; ++s) {
    CHECK(r.finished[s] == 1);
    CHECK(r.first[s] == 1);  // TTFT once, even when recomputed
  }
  // A preempted sequence recomputed more than its prompt.
  uint32_t recomputed = 0;
  for (uint32_t s = 0; s < 3; ++s) recomputed += r.prefill_tokens[s] > 48;
  CHECK(recomputed > 0);
}

TEST_CASE("LLM engine: prefill first; max_batch; max_batch_tokens", "[llm]") {
  LlmEngineConfig c;
  c.max_batch = 2;
  c.max_batch_tokens = 150;
  Run r(c, 10000);
  r.e.push(0, &kA, 100, 10, 1);
  r.e.push(1, &kA, 100, 10, 1);  // 200 > 150 prompt tokens: the second prompt waits an iteration
  r.e.push(2, &kA, 10, 10, 1);   // max_batch 2: waits until a sequence ends
  std::vector<LlmEngine::Member> m;
  REQUIRE(r.step(&m));
  CHECK(m.size() == 1);
  REQUIRE(r.step(&m));
  REQUIRE(m.size() == 1);
  CHECK((m[0].slot == 1 && m[0].prefill));  // prefills before the decode of 0
  REQUIRE(r.step(&m));
  CHECK(m.size() == 2);
  CHECK_FALSE(m[0].prefill);
  while (r.finished.size() < 1) REQUIRE(r.step(&m));
  REQUIRE(r.step(&m));
  CHECK((m.size() == 1 && m[0].slot == 2 && m[0].prefill));  // admitted as soon as one ended
}

TEST_CASE("LLM engine: chunked prefill mixes a prompt's chunks with the decode steps", "[llm]") {
  LlmEngineConfig c;
  c.chunk = 64;
  Run r(c, 10000);
  r.e.push(0, &kA, 10, 50, 1);
  std::vector<LlmEngine::Member> m;
  REQUIRE(r.step(&m));  // prefill of 10
  r.e.push(1, &kA, 100, 5, 1);
  REQUIRE(r.step(&m));
  REQUIRE(m.size() == 2);
  CHECK((!m[0].prefill && m[0].slot == 0));
  CHECK((m[1].prefill && m[1].tokens == 63 && m[1].start == 0 && !m[1].last_chunk));  // 64 − 1 decode
  REQUIRE(r.step(&m));
  REQUIRE(m.size() == 2);
  CHECK((m[1].prefill && m[1].tokens == 37 && m[1].start == 63 && m[1].last_chunk));
  CHECK(r.first[1] == 1);
}

TEST_CASE("LLM engine: models take turns; a random load keeps every invariant", "[llm]") {
  LlmEngineConfig c;
  c.max_batch = 8;
  Run r(c, 200);
  r.e.push(0, &kA, 20, 5, 1);
  r.e.push(1, &kB, 20, 5, 1);
  const ModelProfile* m1 = nullptr;
  const ModelProfile* m2 = nullptr;
  REQUIRE(r.step(nullptr, &m1));
  REQUIRE(r.step(nullptr, &m2));
  CHECK(m1 == &kA);
  CHECK(m2 == &kB);

  for (uint32_t chunk : {0u, 32u}) {
    LlmEngineConfig rc;
    rc.chunk = chunk;
    rc.max_batch = 6;
    Run x(rc, 120);
    std::mt19937 g(chunk + 1);
    uint32_t pushed = 0;
    std::map<uint32_t, uint32_t> output;
    for (int it = 0; it < 4000; ++it) {
      if (g() % 3 == 0 && pushed < 300) {
        const uint32_t p = 1 + g() % 400, o = 1 + g() % 60;
        if (x.e.fits_alone(p, o, 1)) {
          x.e.push(pushed, (g() % 2) ? &kA : &kB, p, o, 1);
          output[pushed] = o;
        }
        ++pushed;
      }
      x.step();
    }
    while (x.step()) {
    }
    CHECK(x.max_used <= 120);
    CHECK(x.finished.size() == output.size());
    for (const auto& [slot, o] : output) {
      CHECK(x.finished[slot] == 1);
      CHECK(x.first[slot] == 1);
    }
    INFO("chunk " << chunk << ": preemptions " << x.e.preemptions());
    CHECK(x.e.waiting() + x.e.running() == 0);
  }
}
