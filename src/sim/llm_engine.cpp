#include "sim/llm_engine.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace ce {

uint64_t LlmEngine::watermark_bytes() const {
  return static_cast<uint64_t>(std::floor(cfg_.watermark * static_cast<double>(capacity_)));
}

bool LlmEngine::fits_alone(uint32_t prompt, uint32_t output, uint64_t kv) const {
  const uint64_t tokens = uint64_t{std::max(prompt, 1u)} + std::max(output, 1u);
  return bytes_for(tokens, kv) + watermark_bytes() <= capacity_;
}

void LlmEngine::push(uint32_t slot, const ModelProfile* model, uint32_t prompt, uint32_t output, uint64_t kv,
                     bool prefilled) {
  Seq s{slot, model, std::max(prompt, 1u), std::max(output, 1u)};
  s.kv = kv;
  s.target = s.prompt;
  if (prefilled) {
    s.done = s.target;
    s.generated = 1;
    s.first_out = true;
  }
  s.order = next_order_++;
  waiting_.push_back(s);
}


bool LlmEngine::admit_head(const ModelProfile* model, uint64_t tokens_so_far) {
  if (waiting_.empty() || waiting_.front().model != model || running_.size() >= cfg_.max_batch) return false;
  Seq& s = waiting_.front();
  if (cfg_.chunk == 0 && tokens_so_far > 0 && tokens_so_far + s.target > cfg_.max_batch_tokens) return false;
  const uint64_t need = bytes_for(s.target, s.kv);
  if (free_bytes() < need + watermark_bytes()) return false;
  s.bytes = need;
  used_ += need;
  running_.push_back(s);
  waiting_.pop_front();
  return true;
}

void LlmEngine::preempt_newest() {
  Seq s = running_.back();
  running_.pop_back();
  used_ -= s.bytes;
  s.bytes = 0;
  s.target = s.prompt + s.generated;  // recompute everything it has (its next token comes out of it)
  s.done = 0;
  waiting_.push_front(s);
  ++preemptions_;
}

bool LlmEngine::grow(Seq& s, uint64_t tokens) {
  const uint64_t need = bytes_for(tokens, s.kv);
  if (s.bytes >= need) return true;
  if (free_bytes() < need - s.bytes) return false;
  used_ += need - s.bytes;
  s.bytes = need;
  return true;
}

uint32_t LlmEngine::add_decode_steps(const ModelProfile* m) {
  uint32_t added = 0;
  for (size_t i = 0; i < running_.size(); ++i) {
    Seq& s = running_[i];
    if (s.model != m || s.done < s.target) continue;  // still prefilling (chunked)
    const uint64_t kv = uint64_t{s.prompt} + s.generated;  // its KV after this step
    bool self = false;
    while (!grow(s, kv)) {
      self = running_.size() - 1 == i;
      preempt_newest();
      if (self) break;
    }
    if (self) break;
    members_.push_back({s.slot, 1, static_cast<uint32_t>(kv - 1), false, false});
    ++added;
  }
  return added;
}

bool LlmEngine::next(const ModelProfile*& model, std::vector<Member>& members) {
  if (busy_) throw std::logic_error("LlmEngine::next while an iteration runs");
  members_.clear();
  while (used_ > capacity_ && !running_.empty()) preempt_newest();  // the cache shrank (another model loaded)
  // Candidate models: oldest sequence first, the last iteration's model last when another has work.
  std::vector<std::pair<uint64_t, const ModelProfile*>> cand;
  auto note = [&](const Seq& s) {
    for (auto& c : cand)
      if (c.second == s.model) {
        c.first = std::min(c.first, s.order);
        return;
      }
    cand.emplace_back(s.order, s.model);
  };
  for (const Seq& s : running_) note(s);
  for (const Seq& s : waiting_) note(s);
  std::sort(cand.begin(), cand.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (cand.size() > 1 && cand.front().second == last_model_) std::rotate(cand.begin(), cand.begin() + 1, cand.end());

  for (const auto& [order, m] : cand) {
    (void)order;
    if (cfg_.chunk == 0) {
      uint64_t tokens = 0;  // prefills first: the prompts admitted now, whole
      while (admit_head(m, tokens)) {
        const Seq& s = running_.back();
        if (s.done == s.target) continue;  // prefilled elsewhere: it decodes with the others
        members_.push_back({s.slot, s.target, 0, true, true});
        tokens += s.target;
      }
      if (members_.empty()) add_decode_steps(m);  // else one decode step of every running sequence
    } else {
      int64_t budget = cfg_.chunk - static_cast<int64_t>(add_decode_steps(m));  // decodes count in the chunk
      for (Seq& s : running_) {  // unfinished prompts, then new ones
        if (budget <= 0) break;
        if (s.model != m || s.done >= s.target) continue;
        const uint32_t n = static_cast<uint32_t>(std::min<int64_t>(budget, s.target - s.done));
        members_.push_back({s.slot, n, s.done, true, s.done + n == s.target});
        budget -= n;
      }
      while (budget > 0 && admit_head(m, 0)) {
        const Seq& s = running_.back();
        if (s.done == s.target) continue;  // prefilled elsewhere: decodes from the next iteration
        const uint32_t n = static_cast<uint32_t>(std::min<int64_t>(budget, s.target));
        members_.push_back({s.slot, n, 0, true, n == s.target});
        budget -= n;
      }
    }
    if (!members_.empty()) {
      model = m;
      last_model_ = m;
      members = members_;
      busy_ = true;
      return true;
    }
  }
  return false;
}

void LlmEngine::finish(Outcome& out) {
  if (!busy_) throw std::logic_error("LlmEngine::finish without an iteration");
  busy_ = false;
  out.first_token.clear();
  out.finished.clear();
  for (const Member& mb : members_) {
    auto it = std::find_if(running_.begin(), running_.end(), [&](const Seq& s) { return s.slot == mb.slot; });
    if (it == running_.end()) throw std::logic_error("LlmEngine: a member left its iteration");
    Seq& s = *it;
    if (mb.prefill) {
      s.done += mb.tokens;
      if (s.done == s.target) {
        ++s.generated;
        if (!s.first_out) {
          s.first_out = true;
          out.first_token.push_back(s.slot);
        }
      }
    } else {
      ++s.generated;
    }
    if (s.done == s.target && s.generated >= s.output) {
      out.finished.push_back(s.slot);
      used_ -= s.bytes;
      running_.erase(it);
    }
  }
}

bool LlmEngine::has_model(const ModelProfile* m) const {
  for (const Seq& s : running_)
    if (s.model == m) return true;
  for (const Seq& s : waiting_)
    if (s.model == m) return true;
  return false;
}

bool LlmEngine::pop_unservable(uint32_t& slot) {
  if (busy_ || !running_.empty() || waiting_.empty()) return false;
  const Seq& s = waiting_.front();
  if (bytes_for(s.target, s.kv) + watermark_bytes() <= capacity_) return false;
  slot = s.slot;
  waiting_.pop_front();
  return true;
}

void LlmEngine::drop_running(std::vector<uint32_t>& slots) {
  slots.clear();
  for (const Seq& s : running_) slots.push_back(s.slot);  // admission order; arrival order below
  std::vector<std::pair<uint64_t, uint32_t>> by_order;
  for (const Seq& s : running_) by_order.emplace_back(s.order, s.slot);
  std::sort(by_order.begin(), by_order.end());
  for (size_t i = 0; i < by_order.size(); ++i) slots[i] = by_order[i].second;
  running_.clear();
  members_.clear();
  used_ = 0;
  busy_ = false;
}

}  // namespace ce
