#include "output/request_writer.hpp"

#include <fmt/format.h>
#include <cmath>
#include <stdexcept>

#include "core/csv.hpp"
#include "core/csv_writer.hpp"

namespace ce {

namespace {
const char* kHeader =
    "id,arrival_s,start_s,finish_s,latency_ms,status,requested,model,source,hosts,slo_met,"
    "dynamic_energy_j,dynamic_carbon_g";
const char* status_name(RequestStatus s) {
  switch (s) {
    case RequestStatus::Completed: return "completed";
    case RequestStatus::Rejected: return "rejected";
    default: return "failed";
  }
}
}  // namespace

RequestWriter::RequestWriter(const std::string& path, const std::vector<std::string>& host_names)
    : path_(path), part_(path + ".part"), hosts_(host_names) {
  f_ = std::fopen(part_.c_str(), "wb");
  if (!f_) throw std::runtime_error("cannot write " + part_);
  std::fprintf(f_, "%s\n", kHeader);
}

RequestWriter::~RequestWriter() {
  if (f_) std::fclose(f_);
}

void RequestWriter::write(const RequestRecord& r) {
  const bool done = r.status == RequestStatus::Completed;
  const double lat_ms = (r.finish_s - r.arrival_s) * 1e3;
  std::string slo = !done ? "" : (std::isinf(r.slo_s) ? "" : (r.finish_s - r.arrival_s <= r.slo_s ? "1" : "0"));
  // Model names come from the experiment and may hold any character: quoted where CSV needs it.
  fmt::print(f_, "{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.id, r.arrival_s, r.start_s, r.finish_s,
             done ? fmt::format("{}", lat_ms) : "", status_name(r.status), csv_field(r.requested),
             csv_field(r.model), csv_field(hosts_[r.source]), csv_field(r.hosts), slo, r.dynamic_energy_j,
             r.dynamic_carbon_g);
}

void RequestWriter::finalize(double share_j, double share_g) {
  std::fclose(f_);
  f_ = nullptr;
  CsvReader in(part_);
  std::FILE* out = std::fopen((path_ + ".tmp").c_str(), "wb");
  if (!out) throw std::runtime_error("cannot write " + path_);
  std::vector<std::string> fields;
  in.next(fields);
  std::fprintf(out, "%s,energy_j,carbon_g\n", kHeader);
  std::string line;
  while (in.next(fields)) {
    // Fields come back unquoted: quote them again the same way.
    line = csv_field(fields[0]);
    for (size_t i = 1; i < fields.size(); ++i) append_csv_field(line, fields[i]);
    if (fields[5] == "completed") {
      double dj = in.to_double(fields[11], "dynamic_energy_j"), dg = in.to_double(fields[12], "dynamic_carbon_g");
      fmt::print(out, "{},{},{}\n", line, dj + share_j, dg + share_g);
    } else {
      fmt::print(out, "{},,\n", line);
    }
  }
  std::fclose(out);
  std::remove(part_.c_str());
  if (std::rename((path_ + ".tmp").c_str(), path_.c_str()) != 0) throw std::runtime_error("cannot rename " + path_);
}

}  // namespace ce
