#include "output/stage_writer.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "core/csv_writer.hpp"

namespace ce {

StageWriter::StageWriter(const std::string& path) : path_(path), part_(path + ".part") {
  f_ = std::fopen(part_.c_str(), "wb");
  if (!f_) throw std::runtime_error("cannot write " + part_);
  std::fputs("request,kind,where,start_s,end_s,flops_or_bytes,dynamic_energy_j,dynamic_carbon_g,status\n", f_);
}

StageWriter::~StageWriter() {
  if (f_) std::fclose(f_);
}

void StageWriter::write(const StageRecord& r) {
  fmt::print(f_, "{},{},{},{},{},{},{},{},{}\n", r.request, r.transfer ? "transfer" : "exec", csv_field(r.where), r.start_s,
             r.end_s, r.amount, r.energy_j, r.carbon_g, r.completed ? "completed" : "failed");
}

void StageWriter::close() {
  if (std::fclose(f_) != 0) throw std::runtime_error("cannot write " + part_);
  f_ = nullptr;
  if (std::rename(part_.c_str(), path_.c_str()) != 0) throw std::runtime_error("cannot rename " + part_);
}

}  // namespace ce
