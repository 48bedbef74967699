#pragma once
// Streams requests.csv while the simulation runs (O(1) memory), then adds each completed request's
// share of idle energy/carbon in one pass at the end, when that share is known.
#include <cstdio>
#include <string>
#include <vector>

#include "records/run_records.hpp"

namespace ce {

class RequestWriter {
 public:
  RequestWriter(const std::string& path, const std::vector<std::string>& host_names);
  ~RequestWriter();
  void write(const RequestRecord& r);
  // Rewrites the file with energy_j = dynamic + idle_share_j (completed requests only).
  void finalize(double idle_share_j, double idle_share_g);

 private:
  std::string path_, part_;
  std::FILE* f_ = nullptr;
  const std::vector<std::string>& hosts_;
};

}  // namespace ce
