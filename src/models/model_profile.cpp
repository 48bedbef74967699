#include "models/model_profile.hpp"

namespace ce {

const char* precision_name(WeightPrecision p) {
  return p == WeightPrecision::Int4 ? "int4" : p == WeightPrecision::Int8 ? "int8" : "fp16";
}

double bytes_per_weight(WeightPrecision p) {
  return p == WeightPrecision::Int4 ? 4.5 / 8 : p == WeightPrecision::Int8 ? 1.0 : 2.0;
}

uint64_t ModelProfile::total_macs() const {
  uint64_t s = 0;
  for (const auto& l : layers) s += l.macs;
  return s;
}
uint64_t ModelProfile::total_params() const {
  uint64_t s = 0;
  for (const auto& l : layers) s += l.params;
  return s;
}
double ModelProfile::cut_bytes(size_t k) const {
  const auto& l = layers.at(k);
  return static_cast<double>(l.out_elems + l.extra_live_elems) * bytes_per_elem;
}

}  // namespace ce
