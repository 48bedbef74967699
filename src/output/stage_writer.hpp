#pragma once
// Streams stages.csv (output.stages: true) while the simulation runs: one row per executed stage
// and per transfer, with its own dynamic energy and carbon, so a split plan's energy can be
// rebuilt by hand (docs/outputs.md). Written once into the final file (plain or gzip), like
// requests.csv, and sampled like it (output.requests_every).
#include <cstdint>
#include <string>

#include "output/row_file.hpp"
#include "records/run_records.hpp"

namespace ce {

class StageWriter {
 public:
  StageWriter(const std::string& path, bool gzip, uint64_t every = 1);
  void write(const StageRecord& r);
  void close();

 private:
  RowFile out_;
  uint64_t every_;
};

}  // namespace ce
