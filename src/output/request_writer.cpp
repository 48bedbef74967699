#include "output/request_writer.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "core/csv_writer.hpp"

namespace ce {

// Compact on purpose (≤ 110 bytes per request on the benchmark workload, docs/outputs.md): times
// relative to the arrival in ms with microsecond resolution instead of three absolute times, and
// energies with 10 significant digits — enough for Σ of the rows to match the summary's dynamic
// totals to 1e-9 (each value is within 5e-10 of the exact one), not the 17 of a round trip.
const char* const kRequestsHeader =
    "id,arrival_s,wait_ms,latency_ms,slo_met,status,requested,model,source,hosts,dynamic_energy_j,dynamic_carbon_g,"
    "prompt_tokens,output_tokens,ttft_ms,tpot_ms\n";

namespace {
// x with 10 significant digits, as %g spells it but with no leading zero in a two-digit exponent
// ("2.557673279e-6", not "e-06"): every CSV reader parses it, and it is a byte less per value.
void append_g10(std::string& out, double x) {
  const size_t from = out.size();
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{:.10g}"), x);
  const size_t e = out.find('e', from);
  if (e != std::string::npos && out.size() - e == 4 && out[e + 2] == '0') out.erase(e + 2, 1);
}

const char* status_name(RequestStatus s) {
  switch (s) {
    case RequestStatus::Completed: return "completed";
    case RequestStatus::Rejected: return "rejected";
    default: return "failed";
  }
}
}  // namespace

void append_request_row(std::string& out, const RequestRecord& r, const std::string& source_name) {
  auto it = std::back_inserter(out);
  const bool done = r.status == RequestStatus::Completed;
  const double latency = r.finish_s - r.arrival_s;
  it = fmt::format_to(it, FMT_COMPILE("{},{:.6f},"), r.id, r.arrival_s);
  // start_s is NaN when no execution ever began (RunAccountant): no wait to report.
  if (!std::isnan(r.start_s)) it = fmt::format_to(it, FMT_COMPILE("{:.3f}"), (r.start_s - r.arrival_s) * 1e3);
  it = fmt::format_to(it, FMT_COMPILE(",{:.3f},"), latency * 1e3);
  if (done && !std::isinf(r.slo_s)) out += latency <= r.slo_s ? '1' : '0';
  out += ',';
  out += status_name(r.status);
  // `requested` only when it says more than `model`: most workloads name the variant that serves
  // them, and the repeated name was ~9 bytes of every row.
  out += ',';
  if (r.requested != r.model) append_csv_text(out, r.requested);
  // Names come from the experiment and may hold any character: quoted where CSV needs it.
  for (const std::string* s : {&r.model, &source_name, &r.hosts}) {
    out += ',';
    append_csv_text(out, *s);
  }
  out += ',';
  append_g10(out, r.dynamic_energy_j);
  out += ',';
  append_g10(out, r.dynamic_carbon_g);
  // A language model's tokens and token times; empty for other models.
  if (r.llm) {
    it = fmt::format_to(std::back_inserter(out), FMT_COMPILE(",{},{},"), r.prompt_tokens, r.output_tokens);
    if (r.first_token_s >= 0) it = fmt::format_to(it, FMT_COMPILE("{:.3f}"), (r.first_token_s - r.arrival_s) * 1e3);
    out += ',';
    if (r.first_token_s >= 0 && r.output_tokens > 1)
      fmt::format_to(std::back_inserter(out), FMT_COMPILE("{:.3f}"),
                     (r.last_token_s - r.first_token_s) / (r.output_tokens - 1) * 1e3);
  } else {
    out += ",,,,";
  }
  out += '\n';
}

RequestWriter::RequestWriter(const std::string& path, const std::vector<std::string>& host_names, bool gzip,
                             uint64_t every)
    : out_(path, gzip), hosts_(host_names), every_(every) {
  out_.buffer() += kRequestsHeader;
}

void RequestWriter::write(const RequestRecord& r) {
  if (r.id % every_ != 0) return;
  append_request_row(out_.buffer(), r, hosts_[r.source]);
  out_.row_done();
}

void RequestWriter::close() { out_.close(); }

}  // namespace ce
