#pragma once
// One inference request as it leaves the workload stage. Indices refer to tables the experiment
// resolved once (model names, hosts), so a request is small and cheap to copy.
#include <cstdint>
#include <limits>

namespace ce {

struct Request {
  uint64_t id = 0;           // 0, 1, 2, ... in arrival order
  double arrival_s = 0;      // simulated seconds since the experiment start
  uint32_t model = 0;        // index into Experiment::requested_models (a family or a variant name)
  uint32_t source = 0;       // index into the platform's hosts: the device the request comes from
  double slo_s = std::numeric_limits<double>::infinity();  // latency deadline, relative to arrival
  // Completion deadline relative to arrival, at least slo_s: a request with a deadline beyond its
  // SLO may be deferred until then (time shifting); finishing after it is a deadline violation.
  // Infinity: none.
  double deadline_s = std::numeric_limits<double>::infinity();
  // A language-model request's prompt and output lengths in tokens (the Azure LLM trace's
  // ContextTokens / GeneratedTokens, or drawn: workload `prompt_tokens` / `output_tokens`); they
  // drive an LLM's cost. 0 = not given (other models ignore them).
  uint32_t prompt_tokens = 0;
  uint32_t output_tokens = 0;
  // A language-model request's SLOs on its time to first token and time per output token
  // (workload `ttft_slo` / `tpot_slo`); infinity: none.
  double ttft_slo_s = std::numeric_limits<double>::infinity();
  double tpot_slo_s = std::numeric_limits<double>::infinity();
  uint32_t client = 0;       // closed-loop client id (0 for open-loop sources)
  uint32_t job = 0;          // the batch job it belongs to (BatchJob::id, workload/batch_job.hpp); 0: none
  uint32_t work = 1;         // inferences it stands for (a batch job's chunk): its compute and data scale by it
};

}  // namespace ce
