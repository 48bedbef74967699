// The per-row outputs (requests.csv, stages.csv, timeseries.csv) are written once, straight into
// their final files, compactly; `output.format: csv.gz` gives the same bytes gzip-compressed;
// `output.requests_every: k` keeps exactly the ids divisible by k and changes no summary figure
// (docs/outputs.md).
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <map>
#include <set>

#include "../support/cli_harness.hpp"
#include "accounting/carbon_integral.hpp"
#include "accounting/run_accountant.hpp"
#include "accounting/run_metrics.hpp"
#include "core/csv.hpp"
#include "core/csv_writer.hpp"
#include "core/time_utc.hpp"
#include "output/results_writer.hpp"

using namespace cetest;

namespace {

// The quick start: 6 h of Poisson requests at 2 req/s (43,126 requests per policy), two policies.
CliResult run_quickstart(const TempDir& tmp, const std::string& out, const std::string& sets) {
  return run_cli("run " + source_dir() + "/experiments/quickstart.yaml --quiet --data-root " + data_root() +
                     " --out " + out + " " + sets,
                 tmp);
}

// The whole content of a gzip file, decompressed with zlib.
std::string gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  std::string s;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  REQUIRE(n == 0);  // 0: end of stream; < 0: a corrupt file
  REQUIRE(gzclose(f) == Z_OK);
  return s;
}

// Every regular file under `dir`, as paths relative to it.
std::set<std::string> files_under(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).string());
  return out;
}

// The lines of a CSV text (header first), each without its '\n'.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t a = 0;
  for (size_t b; (b = text.find('\n', a)) != std::string::npos; a = b + 1) out.push_back(text.substr(a, b - a));
  CHECK(a == text.size());  // ends with a whole line
  return out;
}

uint64_t leading_id(const std::string& line) { return std::stoull(line.substr(0, line.find(','))); }

const char* kPolicies[] = {"monolithic", "round-robin"};

}  // namespace

TEST_CASE("requests.csv and stages.csv and timeseries.csv are written once into their final files and compactly",
          "[e2e][outputs]") {
  TempDir tmp;
  const std::string out = tmp / "out";
  auto r = run_quickstart(tmp, out, "--set output.stages=true");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  // Only the final files: no .part/.tmp left behind by a write-then-rewrite, no staging directory.
  const std::set<std::string> want = {".carbonedge-run", "run.json", "comparison.csv",
                                      "monolithic/summary.json", "monolithic/timing.json",
                                      "monolithic/requests.csv", "monolithic/stages.csv",
                                      "monolithic/timeseries.csv", "round-robin/summary.json",
                                      "round-robin/timing.json", "round-robin/requests.csv",
                                      "round-robin/stages.csv", "round-robin/timeseries.csv"};
  CHECK(files_under(out) == want);
  for (const auto& e : fs::directory_iterator(tmp.path)) CHECK(e.path().filename().string().find(".partial-") == std::string::npos);

  for (const char* p : kPolicies) {
    INFO(p);
    const auto s = read_json(out + "/" + p + "/summary.json");
    const uint64_t arrived = s["requests_arrived"].get<uint64_t>();
    REQUIRE(arrived >= 20000);  // a realistic size for the bytes-per-request bound
    ce::CsvReader in(out + "/" + p + "/requests.csv");
    std::vector<std::string> h, row;
    REQUIRE(in.next(h));
    CHECK(h == std::vector<std::string>{"id", "arrival_s", "wait_ms", "latency_ms", "slo_met", "status", "requested",
                                        "model", "source", "hosts", "dynamic_energy_j", "dynamic_carbon_g",
                                          "prompt_tokens", "output_tokens", "ttft_ms", "tpot_ms"});
    std::vector<bool> seen(arrived, false);
    double last_finish = 0, dyn_j = 0, dyn_g = 0;
    uint64_t completed = 0;
    while (in.next(row)) {
      REQUIRE(row.size() == h.size());
      const uint64_t id = std::stoull(row[0]);
      REQUIRE(id < arrived);
      CHECK_FALSE(seen[id]);
      seen[id] = true;
      // Completion order: finish = arrival + latency never goes back (beyond the µs rounding).
      const double finish = std::stod(row[1]) + std::stod(row[3]) / 1e3;
      CHECK(finish >= last_finish - 2e-6);
      last_finish = std::max(last_finish, finish);
      dyn_j += std::stod(row[10]);
      dyn_g += std::stod(row[11]);
      completed += row[5] == "completed";
    }
    CHECK(std::count(seen.begin(), seen.end(), true) == static_cast<long>(arrived));
    CHECK(completed == s["requests_completed"].get<uint64_t>());
    // 10 significant digits per row keep Σ rows = the summary's dynamic totals to 1e-9.
    CHECK(rel_err(dyn_j, s["dynamic_energy_j"]) < 1e-9);
    CHECK(rel_err(dyn_g, s["dynamic_carbon_g"]) < 1e-9);
    const double per_request = static_cast<double>(fs::file_size(out + "/" + p + "/requests.csv")) / arrived;
    INFO("requests.csv bytes per request: " << per_request);
    CHECK(per_request <= 110);

    // timeseries.csv: per consumer, Σ energy_j of its rows is the summary's energy_j bit for bit
    // (the same intervals added in the same order), and its intervals tile [0, span].
    auto ts = read_csv_rows(out + "/" + p + "/timeseries.csv");
    REQUIRE(ts.size() > 1);
    std::map<std::string, double> sum;
    std::map<std::string, double> last_t1;
    for (size_t i = 1; i < ts.size(); ++i) {
      const std::string& name = ts[i][0];
      auto it = last_t1.find(name);
      CHECK(std::stod(ts[i][3]) == (it == last_t1.end() ? 0.0 : it->second));
      last_t1[name] = std::stod(ts[i][4]);
      sum[name] += std::stod(ts[i][7]);
    }
    for (const auto& [name, e] : sum) {
      INFO(name);
      const auto& per = s["per_host"].contains(name) ? s["per_host"][name] : s["per_link"][name];
      CHECK(e == per["energy_j"].get<double>());
      CHECK(last_t1[name] == s["span_s"].get<double>());
    }
    CHECK(sum.size() == s["per_host"].size() + s["per_link"].size());
  }
}

TEST_CASE("output.format: csv.gz writes the csv run's bytes gzip-compressed in under 30 bytes per request",
          "[e2e][outputs]") {
  TempDir tmp;
  const std::string plain = tmp / "plain", gz = tmp / "gz";
  auto r = run_quickstart(tmp, plain, "--set output.stages=true");
  REQUIRE(r.rc == 0);
  r = run_quickstart(tmp, gz, "--set output.stages=true --set output.format=csv.gz");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(slurp(plain + "/comparison.csv") == slurp(gz + "/comparison.csv"));
  for (const char* p : kPolicies) {
    INFO(p);
    const std::string a = plain + "/" + p, b = gz + "/" + p;
    CHECK(files_under(b) == std::set<std::string>{"summary.json", "timing.json", "requests.csv.gz", "stages.csv.gz",
                                                  "timeseries.csv.gz"});
    for (const char* f : {"requests.csv", "stages.csv", "timeseries.csv"}) {
      INFO(f);
      const std::string text = slurp(a + "/" + f);
      REQUIRE(text.size() > 1000);
      CHECK(gunzip(b + "/" + f + ".gz") == text);
    }
    CHECK(slurp(a + "/summary.json") == slurp(b + "/summary.json"));
    const auto s = read_json(b + "/summary.json");
    const double per_request =
        static_cast<double>(fs::file_size(b + "/requests.csv.gz")) / s["requests_arrived"].get<double>();
    INFO("requests.csv.gz bytes per request: " << per_request);
    CHECK(per_request <= 30);
  }
  // Same seed, same compressed bytes (zlib's gzip header holds no time stamp or file name).
  const std::string again = tmp / "again";
  REQUIRE(run_quickstart(tmp, again, "--set output.stages=true --set output.format=csv.gz").rc == 0);
  for (const char* f : {"requests.csv.gz", "stages.csv.gz", "timeseries.csv.gz"})
    CHECK(slurp(gz + "/monolithic/" + f) == slurp(again + "/monolithic/" + f));
}

TEST_CASE("output.requests_every: k writes exactly the ids divisible by k and the unsampled summary",
          "[e2e][outputs]") {
  TempDir tmp;
  const std::string all = tmp / "all", some = tmp / "some";
  const std::string sets = "--set carbon.duration=2h --set output.stages=true";
  REQUIRE(run_quickstart(tmp, all, sets).rc == 0);
  auto r = run_quickstart(tmp, some, sets + " --set output.requests_every=7");
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(slurp(all + "/comparison.csv") == slurp(some + "/comparison.csv"));
  for (const char* p : kPolicies) {
    INFO(p);
    const std::string a = all + "/" + p, b = some + "/" + p;
    CHECK(slurp(a + "/summary.json") == slurp(b + "/summary.json"));
    CHECK(slurp(a + "/timeseries.csv") == slurp(b + "/timeseries.csv"));
    const uint64_t arrived = read_json(b + "/summary.json")["requests_arrived"].get<uint64_t>();
    for (const char* f : {"requests.csv", "stages.csv"}) {
      INFO(f);
      // The sampled file is the full file's header and its rows of ids divisible by 7, in order.
      const auto full = lines_of(slurp(a + "/" + f)), kept = lines_of(slurp(b + "/" + f));
      std::vector<std::string> want = {full.at(0)};
      for (size_t i = 1; i < full.size(); ++i)
        if (leading_id(full[i]) % 7 == 0) want.push_back(full[i]);
      CHECK(kept == want);
      REQUIRE(kept.size() > 100);
    }
    // Every request ends, so requests.csv holds each multiple of 7 below the arrival count once.
    std::set<uint64_t> ids;
    const auto kept = lines_of(slurp(b + "/requests.csv"));
    for (size_t i = 1; i < kept.size(); ++i) ids.insert(leading_id(kept[i]));
    CHECK(ids.size() == kept.size() - 1);
    CHECK(ids.size() == (arrived + 6) / 7);
    CHECK(*ids.rbegin() == (arrived - 1) / 7 * 7);
  }
}

TEST_CASE("timeseries rows go out as each interval is final, time-major, and match the per-consumer reference",
          "[outputs]") {
  TempDir tmp;
  // A zone whose intensity changes every hour; a host and two links (one name needs quoting).
  ce::ZoneTimelines carbon;
  carbon.by_zone.emplace("GB", ce::Timeline({{0, 120.5}, {3600, 98.25}, {7200, 301}, {10800, 77}}, 14400, false));
  const ce::Timeline& tl = carbon.by_zone.at("GB");
  ce::PlatformSpec plat;
  ce::HostSpec h;
  h.name = "edge-server";
  h.region = "GB";
  plat.hosts.push_back(h);
  plat.links.push_back({"wan,\"1\"", 1000, 0.5, 2, 12, "GB"});
  plat.links.push_back({"lan", 4000, 0.25, 1, 3, "GB"});
  const std::vector<std::string> models;
  const double epoch = 1685577600;  // 2023-06-01T00:00:00Z
  std::vector<std::pair<uint32_t, ce::IntervalCarbon>> rows;
  ce::TimeseriesWriter writer(tmp / "ts.csv", plat, epoch);
  ce::RunAccountant acc(plat, carbon, models, {}, {}, [&](uint32_t c, const ce::IntervalCarbon& iv) {
    rows.emplace_back(c, iv);
    writer.write(c, iv);
  });
  // The host's cumulative energy, samples that include a repeated instant (merged) and a partial
  // last hour; the links' from their transfers (as sim/ would emit them).
  const std::vector<ce::EnergySample> host = {{0, 0, 0},          {3600, 36000.125, 36000},
                                              {7200, 80000.3, 72000}, {7200, 80000.3, 72000},
                                              {10800, 1e5 / 3, 1e5}, {12345.678, 2e5 / 7, 1.2e5}};
  const std::vector<uint32_t> wan = {0}, both = {0, 1};
  auto tick = [&](size_t i) {
    acc.host_sample(0, host[i]);
    acc.zone_tick("GB", host[i].t);
    acc.samples_taken(host[i].t);
  };
  tick(0);
  acc.transfer_started({0, 1, 3000});  // in flight across the 3600 change point: 1.5e6 bytes
  tick(1);
  CHECK(rows.empty());  // nothing ends before the transfer's start... and t = 3600 rows wait
  acc.transfer_ended({0, 1, &wan, 3000, 5000, 1.5e6, 0, true});
  CHECK(rows.empty());  // rows ending at 3600 wait until no sample before 3600 can still come
  acc.transfer_started({1, 2, 7000});  // cut short: carried 3e5 of 4e5 bytes
  tick(2);
  tick(3);
  CHECK(rows.size() == 3);  // [0, 3600) of the host and both links, released once t1 < frontier
  acc.transfer_ended({1, 2, &both, 7000, 7300, 4e5, 1e5, false});
  tick(4);
  CHECK(rows.size() == 6);
  acc.host_sample(0, host[5]);
  acc.samples_taken(host[5].t);
  acc.finish(host[5].t);
  writer.close();
  REQUIRE(rows.size() == 12);  // 4 intervals × (host + 2 links)
  // Ordered by (t1, consumer): hosts in platform order, then links.
  for (size_t i = 1; i < rows.size(); ++i)
    CHECK(std::make_pair(rows[i - 1].second.t1, rows[i - 1].first) < std::make_pair(rows[i].second.t1, rows[i].first));
  // The reference: each consumer's full sample series (the links' with each transfer's energy
  // spread over its data phase [start + Σ latency, end]) through for_each_interval.
  auto link_energy = [&](uint32_t l, double t) {
    double e = plat.links[l].idle_w * t;
    auto add = [&](double a, double b, double bytes, bool on_l) {
      if (!on_l) return;
      const double en = (plat.links[l].busy_w - plat.links[l].idle_w) * bytes / plat.links[l].bandwidth;
      e += en * std::clamp((t - a) / (b - a), 0.0, 1.0);
    };
    add(3000 + 0.5, 5000, 1.5e6, l == 0);
    add(7000 + 0.75, 7300, 3e5, true);
    return ce::EnergySample{t, e, plat.links[l].idle_w * t};
  };
  std::vector<std::vector<ce::EnergySample>> series = {host, {}, {}};
  for (uint32_t l = 0; l < 2; ++l)
    for (double t : {0.0, 3600.0, 7200.0, 10800.0, 12345.678}) series[1 + l].push_back(link_energy(l, t));
  std::string ref = "consumer,kind,zone,t0_s,t1_s,t0_utc,intensity_g_per_kwh,energy_j,mean_power_w,carbon_g\n";
  for (const auto& [c, iv] : rows)
    ref += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", ce::csv_field(c == 0 ? h.name : plat.links[c - 1].name),
                       c == 0 ? "host" : "link", "GB", iv.t0, iv.t1, ce::csv_field(ce::format_utc(epoch + iv.t0)),
                       iv.intensity, iv.energy_j, iv.energy_j / (iv.t1 - iv.t0), iv.carbon_g);
  CHECK(slurp(tmp / "ts.csv") == ref);
  for (uint32_t c = 0; c < 3; ++c) {
    INFO("consumer " << c);
    const auto expect = ce::integrate_carbon(series[c], tl);
    std::vector<ce::IntervalCarbon> got;
    for (const auto& [k, iv] : rows)
      if (k == c) got.push_back(iv);
    REQUIRE(got.size() == expect.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].t0 == expect[i].t0);
      CHECK(got[i].t1 == expect[i].t1);
      CHECK(got[i].intensity == expect[i].intensity);
      CHECK(got[i].energy_j == Approx(expect[i].energy_j).epsilon(1e-12));
      CHECK(got[i].idle_energy_j == Approx(expect[i].idle_energy_j).epsilon(1e-12));
    }
    // The totals are the same additions over the same intervals, in time order: bit for bit.
    ce::ConsumerTotals t;
    for (const auto& iv : got) ce::add_interval(t, iv);
    CHECK(t.energy_j == acc.totals()[c].energy_j);
    CHECK(t.carbon_g == acc.totals()[c].carbon_g);
    CHECK(t.idle_energy_j == acc.totals()[c].idle_energy_j);
  }
  // The host's rows are exactly for_each_interval's over its samples (no rounding of its own).
  std::vector<ce::IntervalCarbon> host_rows;
  for (const auto& [k, iv] : rows)
    if (k == 0) host_rows.push_back(iv);
  const auto host_ref = ce::integrate_carbon(host, tl);
  for (size_t i = 0; i < host_ref.size(); ++i) CHECK(host_rows[i].carbon_g == host_ref[i].carbon_g);
  // gzip: the same bytes.
  {
    ce::TimeseriesWriter gz(tmp / "ts.csv", plat, epoch, true);
    for (const auto& [c, iv] : rows) gz.write(c, iv);
    gz.close();
  }
  CHECK(gunzip(tmp / "ts.csv.gz") == ref);
}

TEST_CASE("bad output keys: one line naming the file and key and exit code 2 and no output", "[e2e][outputs]") {
  TempDir tmp;
  for (const char* set : {"output.format=xml", "output.format=CSV", "output.requests_every=0",
                          "output.requests_every=-3", "output.requests_every=2.5", "output.compress=true"}) {
    INFO(set);
    const std::string out = tmp / "out";
    auto r = run_quickstart(tmp, out, std::string("--set ") + set);
    CHECK(r.rc == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("quickstart.yaml") != std::string::npos);
    const std::string key = std::string(set).substr(0, std::string(set).find('='));
    CHECK(r.err.find(key) != std::string::npos);
    CHECK_FALSE(fs::exists(out));
  }
}
