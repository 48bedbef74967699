#pragma once
// requests.csv (docs/outputs.md): one row per request, written once, as each request ends, in
// completion order, into the final file (plain or gzip); memory is one 64 KiB block. Nothing known
// only at the end of the run is in it: a completed request's share of idle energy and carbon is the
// same for all and lives in summary.json (idle_share_per_request_j/_g).
#include <cstdint>
#include <string>
#include <vector>

#include "output/row_file.hpp"
#include "records/run_records.hpp"

namespace ce {

class RequestWriter {
 public:
  // `every` = output.requests_every: only ids divisible by it are written.
  RequestWriter(const std::string& path, const std::vector<std::string>& host_names, bool gzip, uint64_t every = 1);
  void write(const RequestRecord& r);
  void close();

 private:
  RowFile out_;
  const std::vector<std::string>& hosts_;
  uint64_t every_;
};

// One requests.csv row, appended to `out` (the header is kRequestsHeader): the one place its
// columns and number formats are decided (docs/outputs.md).
void append_request_row(std::string& out, const RequestRecord& r, const std::string& source_name);
extern const char* const kRequestsHeader;

}  // namespace ce
