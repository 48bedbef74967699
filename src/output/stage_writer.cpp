#include "output/stage_writer.hpp"

#include <fmt/format.h>

#include <iterator>

#include "core/csv_writer.hpp"

namespace ce {

StageWriter::StageWriter(const std::string& path, bool gzip, uint64_t every) : out_(path, gzip), every_(every) {
  out_.buffer() += "request,kind,where,start_s,end_s,flops_or_bytes,dynamic_energy_j,dynamic_carbon_g,status\n";
}

// Full round-trip precision: stages.csv is the hand-checkable detail (tests rebuild durations and
// link energies from it to 1e-9), and it is off by default.
void StageWriter::write(const StageRecord& r) {
  if (r.request % every_ != 0) return;
  std::string& out = out_.buffer();
  fmt::format_to(std::back_inserter(out), "{},{},", r.request, r.transfer ? "transfer" : "exec");
  append_csv_text(out, r.where);
  fmt::format_to(std::back_inserter(out), ",{},{},{},{},{},{}\n", r.start_s, r.end_s, r.amount, r.energy_j, r.carbon_g,
                 r.completed ? "completed" : "failed");
  out_.row_done();
}

void StageWriter::close() { out_.close(); }

}  // namespace ce
