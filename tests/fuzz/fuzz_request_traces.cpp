// libFuzzer target: the request-trace readers — the Azure LLM trace (AzureTraceReader, then the
// replaying stream) and the WorldCup-style bin file (EnvelopeBinReader). The first byte picks the
// reader and its options; the rest is the file. Bad input must end in ce::InputError; anything
// else is a finding. Bins are capped so a huge (valid) gap cannot turn one input into a long loop.
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_input_file.hpp"
#include "workload/azure_trace_stream.hpp"
#include "workload/envelope_bins.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string path = cefuzz::write_file("trace.csv", data + 1, size - 1);
  try {
    if (mode % 2 == 0) {
      ce::AzureTraceOptions o;
      o.path = path;
      o.tokens = mode % 4 == 0;
      o.until_s = 1e6;
      ce::AzureTraceStream s(o);
      for (int i = 0; i < 100000 && !s.finished(); ++i) s.pop();
    } else {
      ce::EnvelopeBinReader r(path, "period", "count", (mode & 4) ? 60 : 1,
                              (mode & 8) ? ce::GapFill::Zero : ce::GapFill::Interpolate);
      ce::EnvelopeBin b;
      for (int i = 0; i < 100000 && r.next(b); ++i) {
      }
    }
  } catch (const ce::InputError&) {
  }
  return 0;
}
