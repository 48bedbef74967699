#pragma once
// Merges several streams by arrival time (ties go to the earlier stream in the list) and numbers
// the merged requests 0, 1, 2, ... Completions of closed-loop requests (client != 0) are routed
// back to the stream that issued that client; each client id must belong to one stream only.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "workload/arrival_stream.hpp"

namespace ce {

class MergeStream : public ArrivalStream {
 public:
  explicit MergeStream(std::vector<std::unique_ptr<ArrivalStream>> streams);

  double peek_time() override;
  Request pop() override;
  bool finished() const override;
  void on_completion(const Request& req, double now_s) override;
  double max_deadline_s() const override;

  size_t stream_count() const { return streams_.size(); }

 private:
  std::vector<std::unique_ptr<ArrivalStream>> streams_;
  std::unordered_map<uint32_t, size_t> client_owner_;
  uint64_t next_id_ = 0;
};

}  // namespace ce
