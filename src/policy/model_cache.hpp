#pragma once
// Per-model tables a policy derives from (model, platform) once and reuses on every decision
// (prefix sums of stage time, weight bytes...). decide() stays a pure function of its arguments:
// the tables are a cache of pure functions. Lookups on the hot path hit a per-thread one-entry
// memo (no lock, no map); a miss takes the lock and builds the table once.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "models/model_profile.hpp"

namespace ce {

template <class T>
class PerModelCache {
 public:
  PerModelCache() : id_(next_id()) {}
  PerModelCache(const PerModelCache&) = delete;
  PerModelCache& operator=(const PerModelCache&) = delete;

  template <class Build>
  const T& get(const ModelProfile* m, Build&& build) const {
    struct Memo {
      uint64_t owner;
      const ModelProfile* model;
      const T* table;
    };
    thread_local Memo last{0, nullptr, nullptr};
    if (last.owner == id_ && last.model == m) return *last.table;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tables_.find(m);
    if (it == tables_.end()) it = tables_.emplace(m, build()).first;  // std::map: stable addresses
    last = {id_, m, &it->second};
    return it->second;
  }

 private:
  // A unique id per cache (never reused, unlike addresses), so a memo never outlives its owner's data.
  static uint64_t next_id() {
    static std::atomic<uint64_t> n{0};
    return ++n;
  }
  uint64_t id_;
  mutable std::mutex mu_;
  mutable std::map<const ModelProfile*, T> tables_;
};

}  // namespace ce
