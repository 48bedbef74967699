#pragma once
// How long rows [first, last] of a model take on a host: Σ MACs / rate(host, row type) + a fixed
// overhead per row, at the host's pstate 0. Policies use it to predict; sim/ turns it into a
// SimGrid flop amount (time × pstate-0 speed), so slower pstates stretch it by the speed ratio.
#include <cstddef>

#include "config/platform_spec.hpp"
#include "models/model_profile.hpp"

namespace ce {

// MAC/s of `host` for rows of `type`: rates[type], else rates["default"], else speed / 2
// (one MAC = two flops) at pstate 0.
double mac_rate(const HostSpec& host, const std::string& type);
double stage_seconds(const HostSpec& host, const ModelProfile& m, size_t first, size_t last);
// SimGrid execution amount (flops at the host's pstate-0 speed) for the same rows.
double stage_flops(const HostSpec& host, const ModelProfile& m, size_t first, size_t last);
// Bytes of weights a stage must hold in memory (fp32 parameters).
double stage_weight_bytes(const ModelProfile& m, size_t first, size_t last);

}  // namespace ce
