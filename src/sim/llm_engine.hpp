#pragma once
// An LLM engine's scheduling rules as plain logic (no SimGrid): continuous, iteration-level
// batching over a paged KV cache, as Vidur models vLLM and Sarathi (accelerators-llm.md §5):
//  - the cache holds `capacity` bytes in pages of `block_tokens` tokens; a sequence holds
//    ⌈tokens in its KV / block_tokens⌉ pages of block_tokens × its model's KV bytes per token;
//  - admission (FIFO, never past the head): a waiting sequence enters when the batch has room
//    (< max_batch sequences), its whole prompt's blocks are free with `watermark` of the cache left
//    over, and (without chunking) the iteration's prompt tokens stay within max_batch_tokens (a
//    single longer prompt still runs alone, so none waits for ever);
//  - chunk = 0 (vLLM): an iteration is either prefills only — the prompts admitted now, whole — or
//    one decode step of every running sequence; prefills go first;
//  - chunk > 0 (Sarathi): every iteration runs a decode step of every running sequence plus prompt
//    chunks up to `chunk` tokens in all (unfinished prompts first, then new admissions);
//  - a decode step that needs a block when none is free preempts the newest running sequence: its
//    blocks are freed and it goes back to the front of the queue, to recompute its prompt and the
//    tokens it had generated in one prefill (vLLM's recompute policy); so the cache is never
//    over-committed, and preempted work is paid twice;
//  - an iteration holds one model: with several, they take turns (the oldest sequence of a model
//    other than the last iteration's goes next).
// The first token comes out of a sequence's prefill; each decode step adds one; a sequence ends at
// its output tokens. Counts below 1 are served as 1.
#include <cstdint>
#include <deque>
#include <vector>

#include "models/model_profile.hpp"

namespace ce {

struct LlmEngineConfig {
  uint32_t max_batch = 64;
  uint32_t max_batch_tokens = 4096;
  uint32_t chunk = 0;
  uint32_t block_tokens = 16;
  double watermark = 0.01;
};

class LlmEngine {
 public:
  struct Member {
    uint32_t slot;
    uint32_t tokens;   // prompt tokens of its chunk, or 1 for a decode step
    uint32_t start;    // tokens already in its KV cache
    bool prefill;
    bool last_chunk;   // its prefill ends here (the logits of its next token are computed)
  };
  struct Outcome {
    std::vector<uint32_t> first_token;  // sequences whose first token came out of this iteration
    std::vector<uint32_t> finished;     // sequences done (their blocks are free again)
  };

  explicit LlmEngine(const LlmEngineConfig& cfg) : cfg_(cfg) {}
  const LlmEngineConfig& config() const { return cfg_; }
  // The KV cache's size in bytes (the device's memory less the weights loaded); it may shrink while
  // sequences run (another model loaded): the newest are preempted until they fit again.
  void set_capacity(uint64_t bytes) { capacity_ = bytes; }
  uint64_t capacity() const { return capacity_; }
  uint64_t used_bytes() const { return used_; }
  uint64_t pages_for(uint64_t tokens) const { return (tokens + cfg_.block_tokens - 1) / cfg_.block_tokens; }
  // Whether a sequence could ever run alone: its prompt and all its output in the whole cache.
  bool fits_alone(uint32_t prompt, uint32_t output, uint64_t kv_bytes_per_token) const;

  // `prefilled`: its prompt was prefilled elsewhere and its KV cache shipped here (phase splitting):
  // its first token is out, it needs pages for the prompt and starts decoding.
  void push(uint32_t slot, const ModelProfile* model, uint32_t prompt, uint32_t output, uint64_t kv_bytes_per_token,
            bool prefilled = false);
  bool busy() const { return busy_; }
  // Forms the next iteration: its model and members; false when there is nothing to run.
  bool next(const ModelProfile*& model, std::vector<Member>& members);
  // The iteration formed by next() has run.
  void finish(Outcome& out);
  // Nothing runs and the queue's head cannot be admitted even alone (the cache shrank below it when
  // another model's weights were loaded): it is taken off the queue (the caller rejects it).
  bool pop_unservable(uint32_t& slot);
  // The running sequences lose their KV cache (the host went down under an iteration): they leave,
  // in arrival order; the waiting ones stay queued.
  void drop_running(std::vector<uint32_t>& slots);

  bool has_model(const ModelProfile* m) const;  // a sequence of m runs or waits
  size_t waiting() const { return waiting_.size(); }
  size_t running() const { return running_.size(); }
  uint64_t preemptions() const { return preemptions_; }

 private:
  struct Seq {
    uint32_t slot;
    const ModelProfile* model;
    uint32_t prompt, output;
    uint32_t generated = 0;  // tokens out so far
    uint32_t target = 0;     // tokens its current prefill computes (prompt, + generated after a preemption)
    uint32_t done = 0;       // of target, computed
    uint64_t kv = 0;         // KV bytes per token
    uint64_t bytes = 0;      // of the cache it holds
    uint64_t order = 0;      // arrival order
    bool first_out = false;  // its first token is out (TTFT taken)
  };
  uint64_t free_bytes() const { return used_ >= capacity_ ? 0 : capacity_ - used_; }
  uint64_t watermark_bytes() const;
  uint64_t bytes_for(uint64_t tokens, uint64_t kv) const { return pages_for(tokens) * cfg_.block_tokens * kv; }
  bool admit_head(const ModelProfile* model, uint64_t need_tokens);
  void preempt_newest();
  // One decode step of every running sequence of m past its prefill (its KV grows a token); a step
  // with no page free preempts the newest sequence — itself, when it is the newest. Steps added.
  uint32_t add_decode_steps(const ModelProfile* m);
  bool grow(Seq& s, uint64_t tokens);  // pages for `tokens` in its KV; false: no room

  LlmEngineConfig cfg_;
  uint64_t capacity_ = 0, used_ = 0;
  std::deque<Seq> waiting_;
  std::vector<Seq> running_;  // in admission order
  std::vector<Member> members_;
  const ModelProfile* last_model_ = nullptr;
  uint64_t next_order_ = 0, preemptions_ = 0;
  bool busy_ = false;
};

}  // namespace ce
