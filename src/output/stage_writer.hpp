#pragma once
// Streams stages.csv (output.stages: true) while the simulation runs: one row per executed stage
// and per transfer, with its own dynamic energy and carbon, so a split plan's energy can be
// rebuilt by hand (docs/outputs.md).
#include <cstdio>
#include <string>

#include "records/run_records.hpp"

namespace ce {

class StageWriter {
 public:
  explicit StageWriter(const std::string& path);
  ~StageWriter();
  StageWriter(const StageWriter&) = delete;
  StageWriter& operator=(const StageWriter&) = delete;
  void write(const StageRecord& r);
  void close();  // flushes, then renames the .part file to its final name

 private:
  std::string path_, part_;
  std::FILE* f_ = nullptr;
};

}  // namespace ce
