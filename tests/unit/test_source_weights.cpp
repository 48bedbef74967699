// `source_weights: FILE.csv` (docs/inputs-workload.md): the source devices of a workload source drawn
// from a host,weight table (e.g. a geo platform's users hosts weighted by city population).
#include <catch2/catch.hpp>
#include <fnmatch.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "workload/workload_factory.hpp"

using namespace ce;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kHosts = {"lyon-users", "paris-users", "nice-users", "paris-srv-1"};

// A temp dir holding the experiment's files (the CSV is found next to the experiment file).
struct Dir {
  fs::path path;
  Dir() {
    char tmpl[] = "/tmp/carbonedge-sw-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void file(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
  std::string exp() const { return (path / "exp.yaml").string(); }
};

WorkloadContext context(const Dir& d) {
  WorkloadContext ctx;
  ctx.experiment_file = d.exp();
  ctx.seed = 7;
  ctx.duration_s = 3600;
  ctx.resolve_model = [](const std::string&, const std::string&) { return 0u; };
  ctx.resolve_host = [exp = d.exp()](const std::string& name, const std::string& key) -> uint32_t {
    auto it = std::find(kHosts.begin(), kHosts.end(), name);
    if (it == kHosts.end()) fail_at_key(exp, key, "unknown host '" + name + "'");
    return static_cast<uint32_t>(it - kHosts.begin());
  };
  ctx.hosts_matching = [](const std::string& pattern) {
    std::vector<std::string> out;
    for (const auto& h : kHosts)
      if (fnmatch(pattern.c_str(), h.c_str(), 0) == 0) out.push_back(h);
    return out;
  };
  return ctx;
}

// Requests per source host of a poisson source drawing from `csv` (about rate × 3600 of them).
std::map<uint32_t, double> counts(const Dir& d, const std::string& csv, double rate,
                                  std::vector<std::string>* files = nullptr) {
  d.file("w.csv", csv);
  auto s = make_workload(YAML::Load("{type: poisson, rate: " + std::to_string(rate) +
                                    ", model: m, source_weights: w.csv}"),
                         context(d), files);
  std::map<uint32_t, double> n;
  while (std::isfinite(s->peek_time())) n[s->pop().source] += 1;
  return n;
}

// Pearson's chi-square of observed counts against the expected shares.
double chi_square(const std::map<uint32_t, double>& n, const std::map<uint32_t, double>& share) {
  double total = 0, x2 = 0;
  for (const auto& [h, c] : n) total += c;
  for (const auto& [h, p] : share) {
    const double e = p * total, o = n.count(h) ? n.at(h) : 0;
    x2 += (o - e) * (o - e) / e;
  }
  return x2;
}

const char* const kPoisson = "{type: poisson, rate: 1, model: m, source_weights: w.csv}";

std::string error_of(const Dir& d, const std::string& csv, const std::string& yaml = kPoisson) {
  d.file("w.csv", csv);
  try {
    make_workload(YAML::Load(yaml), context(d));
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST_CASE("source_weights: draw frequencies follow the weights and the file is recorded",
          "[workload][source_weights]") {
  Dir d;
  std::vector<std::string> files;
  // Columns in any order, extra columns ignored, spaces around fields allowed.
  const auto n = counts(d, "city,weight,host\nLyon, 1 ,lyon-users\nParis,7,paris-users\nNice,2,nice-users\n", 10,
                        &files);
  double total = 0;
  for (const auto& [h, c] : n) total += c;
  CHECK(total > 30000);
  CHECK(n.count(3) == 0);  // the server is not in the table
  // 2 degrees of freedom: chi-square above 20 has probability 5e-5 (the seed is fixed anyway).
  CHECK(chi_square(n, {{0, 0.1}, {1, 0.7}, {2, 0.2}}) < 20);
  CHECK(chi_square(n, {{0, 0.2}, {1, 0.7}, {2, 0.1}}) > 100);  // and it would see swapped weights
  REQUIRE(files.size() == 1);
  CHECK(files[0] == (d.path / "w.csv").lexically_normal().string());
}

TEST_CASE("source_weights: a glob row gives every matching host the row's weight", "[workload][source_weights]") {
  Dir d;
  const auto n = counts(d, "host,weight\n*-users,1\nparis-srv-?,3\n", 10);
  CHECK(chi_square(n, {{0, 1 / 6.0}, {1, 1 / 6.0}, {2, 1 / 6.0}, {3, 3 / 6.0}}) < 25);
}

TEST_CASE("source_weights: bad tables are one-line errors naming FILE:LINE", "[workload][source_weights]") {
  Dir d;
  const std::string w = (d.path / "w.csv").string();
  auto has = [](const std::string& msg, const std::string& part) {
    INFO(msg);
    CHECK(msg.find(part) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  };
  has(error_of(d, ""), w + ":1: file is empty");
  has(error_of(d, "host\nlyon-users\n"), w + ":1: header has no column 'weight'");
  has(error_of(d, "name,weight\nlyon-users,1\n"), w + ":1: header has no column 'host'");
  has(error_of(d, "host,weight\n"), w + ":1: no rows after the header");
  has(error_of(d, "host,weight\nlyon-users,1\nrome-users,2\n"), w + ":3: column 'host': unknown host 'rome-users'");
  has(error_of(d, "host,weight\n*-gpu,1\n"), w + ":2: column 'host': pattern '*-gpu' matches no host");
  has(error_of(d, "host,weight\n,1\n"), w + ":2: column 'host' is empty");
  for (const char* bad : {"0", "-3", "abc", "inf", "nan", ""})
    has(error_of(d, std::string("host,weight\nlyon-users,") + bad + "\n"),
        w + ":2: column 'weight': '" + bad + "' is not a positive number");
  has(error_of(d, "host,weight\nlyon-users,1,9\n"), w + ":2: expected 2 fields like the header, found 3");
  has(error_of(d, "host,weight\nlyon-users,1e308\nnice-users,1e308\n"), w + ":1: the weights add up to more");
}

TEST_CASE("source_weights: key errors name the key", "[workload][source_weights]") {
  Dir d;
  const std::string csv = "host,weight\nlyon-users,1\n";
  CHECK_THAT(error_of(d, csv, "{type: poisson, rate: 1, model: m, source: lyon-users, source_weights: w.csv}"),
             Catch::Contains("key 'workload.source_weights': give either 'source' or 'source_weights', not both"));
  CHECK_THAT(error_of(d, csv, "{type: poisson, rate: 1, model: m, sources: [lyon-users], source_weights: w.csv}"),
             Catch::Contains("key 'workload.source_weights': give either 'sources' or 'source_weights'"));
  CHECK_THAT(error_of(d, csv, "{type: poisson, rate: 1, model: m, source_weights: nope.csv}"),
             Catch::Contains("key 'workload.source_weights': file 'nope.csv' not found"));
  CHECK_THAT(error_of(d, csv, "{type: batch_job, items: 10, max_workers: 1, deadline: 1h, model: m, "
                              "source_weights: w.csv}"),
             Catch::Contains("key 'workload.source_weights': a batch_job comes from one host"));
  // In a list of sources the key path names the entry.
  CHECK_THAT(error_of(d, "host,weight\nrome-users,1\n",
                      "{sources: [{type: poisson, rate: 1, model: m, source: lyon-users}, "
                      "{type: poisson, rate: 1, model: m, source_weights: w.csv}]}"),
             Catch::Contains("w.csv:2: column 'host': unknown host 'rome-users'"));
}
