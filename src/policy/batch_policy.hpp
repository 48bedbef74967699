#pragma once
// The shape every time-shifting policy shares (docs/policies.md "Time shifting"): batch jobs go to
// a BatchRunner with the policy's planner; every other request (interactive traffic, deferrable
// requests) to `place` — monolithic, or wait-awhile's per-request deferral.
#include <memory>

#include "policy/batch_runner.hpp"

namespace ce {

class BatchPolicy : public Policy {
 public:
  BatchPolicy(std::unique_ptr<Policy> place, BatchRunner runner)
      : place_(std::move(place)), runner_(std::move(runner)) {}
  uint32_t events() const override { return place_->events() | BatchRunner::events(); }
  void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out) override;

 private:
  std::unique_ptr<Policy> place_;
  BatchRunner runner_;
};

// The keys the time-shifting policies share: `slot` (planning slot, default 1h, at least 1min) and
// `margin` (default 0): BatchRunnerOptions.
BatchRunnerOptions batch_options(const YamlSection& p);
// monolithic from the policy's `host` and `variant` keys (the requests that are not batch jobs).
std::unique_ptr<Policy> monolithic_from(const YamlSection& p, const PolicyContext& ctx);
// BatchPolicy(monolithic_from(p), BatchRunner(ctx, planner, batch_options(p))).
std::unique_ptr<Policy> make_batch_policy(const YamlSection& p, const PolicyContext& ctx, JobPlanner planner);

}  // namespace ce
