// Trace-driven workloads: exact Azure LLM replay, WorldCup98 rate envelope, bad input.
#include <algorithm>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time_utc.hpp"
#include "workload/azure_trace_stream.hpp"
#include "workload/envelope_bins.hpp"
#include "workload/rate_envelope_stream.hpp"

using namespace ce;
namespace fs = std::filesystem;

namespace {

const std::string kAzureCode =
    std::string(CE_TEST_SOURCE_DIR) + "/../shared/data/requests/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv";
const std::string kWorldCup = std::string(CE_TEST_SOURCE_DIR) + "/../shared/data/requests/worldcup98/invocation_count.csv";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "YYYY-MM-DD HH:MM:SS.fffffff" of the same day -> (seconds of the day, 100 ns ticks), from the text.
std::pair<long, long> day_clock(const std::string& ts) {
  long h = std::stol(ts.substr(11, 2)), m = std::stol(ts.substr(14, 2)), s = std::stol(ts.substr(17, 2));
  return {h * 3600 + m * 60 + s, std::stol(ts.substr(20, 7))};
}

// A per-process scratch folder, removed when the test binary exits.
struct ScratchDir {
  fs::path dir = fs::temp_directory_path() / ("ce_workload_test_" + std::to_string(::getpid()));
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

std::string temp_file(const std::string& name, const std::string& content) {
  static ScratchDir scratch;
  fs::create_directories(scratch.dir);
  fs::path p = scratch.dir / name;
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace

TEST_CASE("Azure trace: exact replay of every row, last line without newline included", "[workload]") {
  REQUIRE(fs::exists(kAzureCode));
  const std::string text = slurp(kAzureCode);
  REQUIRE(text.back() != '\n');  // the case this test is about
  // Rows from the raw text: header, then "TIMESTAMP,ContextTokens,GeneratedTokens" lines.
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (!l.empty()) lines.push_back(l);
  }
  REQUIRE(lines.size() == 8820);
  const std::string first = lines[1].substr(0, 27), last = lines.back().substr(0, 27);
  auto [fs0, ft0] = day_clock(first);
  auto [fs1, ft1] = day_clock(last);
  const double span = static_cast<double>(fs1 - fs0) + static_cast<double>(ft1 - ft0) * 1e-7;
  const uint32_t last_context = static_cast<uint32_t>(std::stoul(lines.back().substr(28)));

  AzureTraceOptions o;
  o.path = kAzureCode;
  AzureTraceStream s(o);
  CHECK(s.rows_in_window() == 8819);
  std::vector<Request> reqs;
  while (!s.finished()) reqs.push_back(s.pop());
  REQUIRE(reqs.size() == 8819);
  CHECK(reqs.front().arrival_s == 0);
  CHECK(reqs.front().prompt_tokens == 4808);
  CHECK(reqs.front().output_tokens == 10);
  CHECK(reqs.back().arrival_s == Approx(span).margin(1e-9));
  CHECK(reqs.back().prompt_tokens == last_context);
  CHECK(reqs.back().output_tokens == 173);
  WARN("Azure code trace: " << reqs.size() << " rows, last arrival " << std::setprecision(12) << reqs.back().arrival_s
                            << " s (from text: " << span << ")");
  // Every row: arrival = (t - t0) exactly, ids in order, sorted.
  bool exact = true;
  for (size_t i = 0; i < reqs.size(); ++i) {
    auto [si, ti] = day_clock(lines[i + 1]);
    const double want = static_cast<double>(si - fs0) + static_cast<double>(ti - ft0) * 1e-7;
    exact = exact && std::fabs(reqs[i].arrival_s - want) < 1e-9 && reqs[i].id == i;
  }
  CHECK(exact);

  // time_scale 2, offset 10 s, times alone: arrival = t / 2 + 10, no tokens.
  o.time_scale = 2;
  o.offset_s = 10;
  o.tokens = false;
  AzureTraceStream s2(o);
  Request r0 = s2.pop();
  CHECK(r0.arrival_s == 10);
  CHECK(r0.prompt_tokens + r0.output_tokens == 0);
  Request rl;
  while (!s2.finished()) rl = s2.pop();
  CHECK(rl.arrival_s == Approx(10 + span / 2).margin(1e-9));
  CHECK(rl.output_tokens == 0);
  o.tokens = true;

  // until cuts the replay; a negative offset skips the start.
  o.time_scale = 1;
  o.offset_s = -60;
  o.until_s = 600;
  AzureTraceStream s3(o);
  std::vector<double> t3;
  while (!s3.finished()) t3.push_back(s3.pop().arrival_s);
  REQUIRE(!t3.empty());
  CHECK(t3.front() >= 0);
  CHECK(t3.back() < 600);
  CHECK(s3.rows_in_window() == t3.size());
}

// ../shared/reference/accelerators-llm.md §8 (linearly interpolated percentiles of the staged CSVs).
TEST_CASE("Azure trace: token counts reproduce the reference's medians and p99s", "[workload]") {
  auto pct = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const double x = p * static_cast<double>(v.size() - 1);
    const size_t i = static_cast<size_t>(x);
    return i + 1 < v.size() ? v[i] + (x - static_cast<double>(i)) * (v[i + 1] - v[i]) : v[i];
  };
  struct Want {
    std::string file;
    double p50_in, p99_in, p50_out, p99_out;
  };
  const std::string dir = std::string(CE_TEST_SOURCE_DIR) + "/../shared/data/requests/azure-llm-inference-2023/";
  for (const Want& w : {Want{"AzureLLMInferenceTrace_code.csv", 1469, 7436, 13, 251},
                        Want{"AzureLLMInferenceTrace_conv.csv", 1020, 4142, 129, 601}}) {
    AzureTraceOptions o;
    o.path = dir + w.file;
    AzureTraceStream s(o);
    std::vector<double> in, out;
    while (!s.finished()) {
      const Request r = s.pop();
      in.push_back(r.prompt_tokens);
      out.push_back(r.output_tokens);
    }
    INFO(w.file);
    CHECK(pct(in, 0.5) == Approx(w.p50_in).margin(0.5));
    CHECK(pct(in, 0.99) == Approx(w.p99_in).margin(0.5));
    CHECK(pct(out, 0.5) == Approx(w.p50_out).margin(0.5));
    CHECK(pct(out, 0.99) == Approx(w.p99_out).margin(0.5));
  }
}

TEST_CASE("Azure trace: bad rows fail with FILE:LINE", "[workload]") {
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  const std::string ok1 = "2023-11-16 18:17:03.9799600,4808,10\n", ok2 = "2023-11-16 18:17:04.0319600,3180,8\n";
  struct Case {
    std::string name, body, expect;
  };
  std::vector<Case> cases = {
      {"unsorted.csv", header + ok1 + ok2 + "2023-11-16 18:17:04.0319599,1,1\n", "unsorted.csv:4:"},
      {"badtime.csv", header + ok1 + "2023-11-16 18:17:xx.0,1,1\n" + ok2, "badtime.csv:3:"},
      {"badfrac.csv", header + ok1 + "2023-11-16 18:17:04.,1,1", "badfrac.csv:3:"},
      {"fields.csv", header + ok1 + ok2 + ok2 + "2023-11-16 18:17:05.0,7\n", "fields.csv:5:"},
      {"tokens.csv", header + ok1 + "2023-11-16 18:17:04.0,-5,1\n", "tokens.csv:3:"},
      {"generated.csv", header + ok1 + "2023-11-16 18:17:04.0,5,x\n", "generated.csv:3: column 'GeneratedTokens'"},
      {"huge.csv", header + ok1 + "2023-11-16 18:17:04.0,5,4294967296\n", "huge.csv:3: column 'GeneratedTokens'"},
      {"notokens.csv", "TIMESTAMP,ContextTokens\n" + ok1, "notokens.csv:1:"},
      {"header.csv", "time,tokens\n" + ok1, "header.csv:1:"},
      {"lastline.csv", header + ok1 + "2023-11-16 18:17:03.0,1,1", "lastline.csv:3:"},  // no newline
  };
  for (const auto& c : cases) {
    AzureTraceOptions o;
    o.path = temp_file(c.name, c.body);
    std::string msg = error_of([&] { AzureTraceStream s(o); });
    INFO(msg);
    CHECK(msg.find(c.expect) != std::string::npos);
  }
  AzureTraceOptions o;
  o.path = "/nonexistent/trace.csv";
  CHECK(error_of([&] { AzureTraceStream s(o); }).find("/nonexistent/trace.csv") != std::string::npos);
  // A short valid file whose last line has no newline: both rows replayed.
  o.path = temp_file("two.csv", header + ok1 + "2023-11-16 18:17:04.0319600,3180,8");
  AzureTraceStream s(o);
  CHECK(s.pop().arrival_s == 0);
  CHECK(s.pop().arrival_s == Approx(0.052).margin(1e-12));
  CHECK(s.finished());
}

TEST_CASE("Envelope bins: WorldCup98 gaps filled, interpolate or zero", "[workload]") {
  const std::string body =
      "period,count\n1998-05-01 00:00:00,10\n1998-05-01 00:01:00,10\n1998-05-01 00:04:00,40\n1998-05-01 00:05:00,5";
  const std::string p = temp_file("gap.csv", body);
  std::vector<double> counts;
  std::vector<bool> filled;
  EnvelopeBinReader r(p, "period", "count", 60, GapFill::Interpolate);
  for (EnvelopeBin b; r.next(b);) {
    counts.push_back(b.count);
    filled.push_back(b.filled);
    CHECK(b.start == utc_seconds(1998, 5, 1, 0, static_cast<int>(counts.size() - 1), 0));
  }
  CHECK(counts == std::vector<double>{10, 10, 20, 30, 40, 5});
  CHECK(filled == std::vector<bool>{false, false, true, true, false, false});
  EnvelopeBinReader z(p, "period", "count", 60, GapFill::Zero);
  counts.clear();
  for (EnvelopeBin b; z.next(b);) counts.push_back(b.count);
  CHECK(counts == std::vector<double>{10, 10, 0, 0, 40, 5});

  std::string msg = error_of([&] {
    EnvelopeBinReader bad(temp_file("unsorted_wc.csv", "period,count\n1998-05-01 00:01:00,1\n1998-05-01 00:00:00,2\n"),
                          "period", "count", 60, GapFill::Zero);
    for (EnvelopeBin b; bad.next(b);) {
    }
  });
  CHECK(msg.find("unsorted_wc.csv:3:") != std::string::npos);
  msg = error_of([&] {
    EnvelopeBinReader bad(temp_file("neg_wc.csv", "period,count\n1998-05-01 00:01:00,1\n1998-05-01 00:02:00,-2\n"),
                          "period", "count", 60, GapFill::Zero);
    for (EnvelopeBin b; bad.next(b);) {
    }
  });
  CHECK(msg.find("neg_wc.csv:3:") != std::string::npos);

  REQUIRE(fs::exists(kWorldCup));
  EnvelopeBinReader wc(kWorldCup, "period", "count", 60, GapFill::Interpolate);
  long bins = 0;
  double first = 0, last = 0;
  for (EnvelopeBin b; wc.next(b); ++bins) {
    if (bins == 0) first = b.start;
    last = b.start;
  }
  CHECK(bins == 125310);  // 125,300 rows + 10 missing minutes in 7 gaps
  CHECK(wc.filled_bins() == 10);
  CHECK((last - first) / 60 + 1 == 125310);
}

namespace {
// Hourly sums of the WorldCup counts over [from, to) straight from the text.
std::vector<double> worldcup_hourly(double from, double to) {
  std::vector<double> h(static_cast<size_t>((to - from) / 3600), 0);
  std::ifstream in(kWorldCup);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    double t = *parse_utc(line.substr(0, 19));
    if (t >= from && t < to) h[static_cast<size_t>((t - from) / 3600)] += std::stod(line.substr(20));
  }
  return h;
}
}  // namespace

TEST_CASE("Rate envelope: thinning keeps the WorldCup98 hourly shape, mean rescaled", "[workload]") {
  REQUIRE(fs::exists(kWorldCup));
  const double from = utc_seconds(1998, 5, 1, 0, 0, 0), to = utc_seconds(1998, 5, 8, 0, 0, 0);
  const auto src = worldcup_hourly(from, to);
  REQUIRE(src.size() == 168);
  for (EnvelopeShape shape : {EnvelopeShape::Step, EnvelopeShape::Linear}) {
    RateEnvelopeOptions o;
    o.path = kWorldCup;
    o.from_utc = from;
    o.to_utc = to;
    o.mean_rate = 20;
    o.shape = shape;
    RateEnvelopeStream s(o, 99);
    std::vector<double> gen(168, 0);
    uint64_t n = 0;
    double prev = -1;
    bool sorted = true;
    while (!s.finished()) {
      double t = s.pop().arrival_s;
      sorted = sorted && t >= prev;
      prev = t;
      gen[static_cast<size_t>(t / 3600)] += 1;
      ++n;
    }
    CHECK(sorted);
    const double r = pearson(src, gen), mean = static_cast<double>(n) / (to - from);
    WARN("WorldCup 05-01..05-08 " << (shape == EnvelopeShape::Step ? "step" : "linear") << ": " << n
                                  << " arrivals, mean " << mean << " req/s, hourly correlation " << r);
    CHECK(r >= 0.99);
    CHECK(mean == Approx(20).epsilon(shape == EnvelopeShape::Step ? 0.002 : 0.01));
    CHECK(s.filled_bins() == 0);
  }
}

TEST_CASE("Rate envelope: time scaling, offset, gaps inside the slice, slice errors", "[workload]") {
  REQUIRE(fs::exists(kWorldCup));
  RateEnvelopeOptions o;
  o.path = kWorldCup;
  o.from_utc = utc_seconds(1998, 5, 17, 0, 0, 0);
  o.to_utc = utc_seconds(1998, 5, 19, 0, 0, 0);  // 2 trace days -> 2 simulated minutes
  o.time_scale = 1440;
  o.offset_s = 30;
  o.mean_rate = 100;
  RateEnvelopeStream s(o, 4);
  CHECK(s.filled_bins() == 9);  // 8 missing minutes on 05-17, 1 on 05-18
  std::vector<double> t;
  while (!s.finished()) t.push_back(s.pop().arrival_s);
  CHECK(t.front() >= 30);
  CHECK(t.back() < 150);
  const double expected = 100 * 120.0;
  CHECK(std::fabs(static_cast<double>(t.size()) - expected) < 4 * std::sqrt(expected));

  // until stops early.
  o.until_s = 60;
  RateEnvelopeStream cut(o, 4);
  double last = 0;
  while (!cut.finished()) last = cut.pop().arrival_s;
  CHECK(last < 60);

  o.from_utc = utc_seconds(1998, 4, 1, 0, 0, 0);
  CHECK(error_of([&] { RateEnvelopeStream e(o, 1); }).find("before the first row") != std::string::npos);
  o.from_utc = utc_seconds(1998, 7, 26, 0, 0, 0);
  o.to_utc = utc_seconds(1998, 7, 28, 0, 0, 0);
  CHECK(error_of([&] { RateEnvelopeStream e(o, 1); }).find("after the last row") != std::string::npos);
  // Whole file when from/to are not given.
  RateEnvelopeOptions w;
  w.path = temp_file("small_wc.csv", "period,count\n1998-05-01 00:00:00,60\n1998-05-01 00:01:00,0\n1998-05-01 00:02:00,120");
  w.mean_rate = 50;
  RateEnvelopeStream ws(w, 8);
  CHECK(ws.from_utc() == utc_seconds(1998, 5, 1, 0, 0, 0));
  CHECK(ws.to_utc() == utc_seconds(1998, 5, 1, 0, 3, 0));
  size_t n = 0, in_zero_minute = 0;
  while (!ws.finished()) {
    double a = ws.pop().arrival_s;
    ++n;
    in_zero_minute += a >= 60 && a < 120;
  }
  CHECK(in_zero_minute == 0);  // step shape: no arrivals in a zero bin
  CHECK(std::fabs(static_cast<double>(n) - 9000.0) < 4 * std::sqrt(9000.0));
}
