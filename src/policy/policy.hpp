#pragma once
// Policies receive events (an arrival, a finished request, a timer they asked for, an intensity
// change, a host changing power state, the start of the run) with a read-only ClusterView, and
// answer with decisions as data: Place(plan), Defer, Reject, SetPstate, PowerOn, PowerOff, Sleep,
// SetTimer (Batsim's and WRENCH's shape). sim/ carries the decisions out; a policy never touches
// the simulation. A policy may keep state across events (deterministic: only from the events, the
// views and its seeded parameters). The common case, a pure per-request policy, overrides one
// function, decide(): the default on_event() turns each arrival into Place or Reject with it.
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "config/yaml_section.hpp"
#include "policy/cluster_view.hpp"
#include "workload/batch_job.hpp"
#include "workload/request.hpp"

namespace ce {

struct PlanStage {
  uint32_t host = 0;
  uint32_t first_row = 1;  // rows [first_row, last_row] of the model (row 0 is the input)
  uint32_t last_row = 1;
};

struct Plan {
  const ModelProfile* model = nullptr;  // the variant chosen; nullptr = rejected
  std::vector<PlanStage> stages;
  std::string reject_reason;
  // Every stage's compute × this (>= 1): the overhead of running a batch job's request among k
  // workers whose speed-up is below k (BatchJob::speedup: k / speedup[k]). 1 for a plain request.
  double work_scale = 1;
  // Placed although no candidate host could meet the request's SLO even unloaded (the geographic
  // policies' fallback to the nearest: the device is too far from every site, or its SLO too
  // tight). Counted apart from slo_violations (summary.json slo_unreachable_*): it says where to
  // build, not how the policy loaded the hosts.
  bool beyond_slo_reach = false;
  // Fan-out (an ensemble's members): these branches run at once, each its whole model on its host
  // from the request's input at the source; their outputs meet at stages.front().host, where
  // `stages` then run (of `model`) and the result goes back. A branch that fails fails the request.
  struct Branch {
    const ModelProfile* model = nullptr;
    uint32_t host = 0;
  };
  std::vector<Branch> branches;
  // What the result counts as (accuracy, per_model); nullptr: `model`. An ensemble reports its
  // members' combined accuracy this way.
  const ModelProfile* reported = nullptr;
  bool rejected() const { return model == nullptr; }
};

struct PolicyEvent {
  enum Kind : uint8_t {
    Start,            // t = 0, before the first arrival
    Arrival,          // `request` arrived (or, after a Defer, came back: `deferrals` > 0)
    RequestDone,      // `request` completed (`completed`) or failed
    Timer,            // a SetTimer of this policy fired (`timer` = its id)
    IntensityChange,  // the intensity of `zone`'s hosts changed (ClusterView::hosts[].intensity)
    HostChange,       // `host` changed power state (ClusterView::hosts[host].power)
    ReplicaChange,    // `model`'s replica on `host` finished loading (ClusterView::replicas)
  };
  Kind kind = Arrival;
  double t = 0;
  const Request* request = nullptr;                           // Arrival, RequestDone
  const std::vector<const ModelProfile*>* variants = nullptr;  // Arrival: the variants it may be served by
  uint32_t deferrals = 0;                                     // Arrival: how often it was deferred already
  bool completed = false;                                     // RequestDone
  uint64_t timer = 0;                                         // Timer
  uint32_t host = 0;                                          // HostChange, ReplicaChange
  const ModelProfile* model = nullptr;                        // ReplicaChange
  const std::string* zone = nullptr;                          // IntensityChange
};

inline constexpr uint32_t event_bit(PolicyEvent::Kind k) { return 1u << k; }

// Decision::Defer's `until` for a request the policy holds: it comes back only when the policy
// itself decides on it (Place or Reject, at any later event: a queue the policy drains, e.g. a
// batch job's requests started as workers free up). A held request never decided on fails at the
// end of the run.
inline constexpr double kHold = -std::numeric_limits<double>::infinity();

struct Decision {
  enum Kind : uint8_t {
    Place,      // run `request` by `plan` (stages on hosts that are booting wait for them)
    Defer,      // hand `request` back at `until` (kNever: at the next HostChange event; kHold: never —
                // the policy holds it and places or rejects it itself at a later event)
    Reject,     // give up on `request` (`reason`), counted as rejected
    SetPstate,  // `host` to pstate `pstate` (as an `events:` pstate change)
    PowerOn,    // boot `host` (off → booting → on; waking from sleep)
    PowerOff,   // shut `host` down (on → shutting-down → off); its running stages fail
    Sleep,      // put an idle `host` to sleep (platform `sleep:`); PowerOn wakes it
    SetTimer,   // a Timer event at `until` with id `timer`
    Deploy,     // load `model` into `host`'s memory (replicas tracked; absent or cold → loading → warm)
    Evict,      // drop `model`'s warm replica from `host`'s memory (warm → cold)
  };
  Kind kind = Place;
  uint64_t request = 0;
  Plan plan;
  double until = 0;
  uint32_t host = 0, pstate = 0;
  uint64_t timer = 0;
  const ModelProfile* model = nullptr;  // Deploy, Evict
  std::string reason;
};
using Decisions = std::vector<Decision>;

class Policy {
 public:
  virtual ~Policy() = default;
  // Which events this policy wants (event_bit()s); arrivals always come.
  virtual uint32_t events() const { return event_bit(PolicyEvent::Arrival); }
  // Whether it reads ClusterView::changes (sim/ keeps the change log only for policies that do).
  virtual bool uses_change_log() const { return false; }
  // Appends its decisions to `out`. Every Arrival must get exactly one Place, Defer or Reject
  // for its request. Default: Place(decide(...)), or Reject when the plan is rejected.
  virtual void on_event(const PolicyEvent& ev, const ClusterView& view, Decisions& out);
  // A pure per-request policy's whole logic: the plan for one arrival. Event-driven policies that
  // override on_event need not implement it.
  virtual Plan decide(const Request& req, const std::vector<const ModelProfile*>& variants,
                      const ClusterView& view) const;
};

// What a factory gets besides its YAML parameters.
struct PolicyContext {
  const PlatformSpec* platform = nullptr;
  const ModelCatalog* models = nullptr;
  const Experiment* experiment = nullptr;
  std::vector<uint32_t> sources;  // hosts the workload's requests come from (devices), sorted
  const std::vector<BatchJob>* jobs = nullptr;  // the workload's batch jobs by id − 1 (null: none)
};

using PolicyFactory = std::function<std::unique_ptr<Policy>(const YamlSection& params, const PolicyContext& ctx)>;

// Registry by type name. The built-in policies are listed in builtin_policies.hpp (an explicit
// table: static self-registration would be dropped by the linker from a static library).
void register_policy(const std::string& type, PolicyFactory factory);
std::unique_ptr<Policy> make_policy(const PolicySpec& spec, const PolicyContext& ctx);
std::vector<std::string> policy_types();

// Helpers shared by policies.
Plan whole_model_on(const ModelProfile* m, uint32_t host);
// The variant a `variant` key names among a request's variants (smallest first, largest last):
// "largest" or "" (the last), "smallest" (the first), or a variant's name (the largest when none
// of them has it, as monolithic does).
const ModelProfile* pick_variant(const std::vector<const ModelProfile*>& variants, const std::string& variant);
uint32_t host_param(const YamlSection& params, const std::string& key, const PolicyContext& ctx);

}  // namespace ce
