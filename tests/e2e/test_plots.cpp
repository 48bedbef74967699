// `carbonedge plot` end to end: a small run (three policies, two carbon zones, an intensity change
// point) and the sweep fixtures in tests/data/plot_sweep_* give every plot (a)-(e); each PNG must
// carry the PNG signature and be > 1 kB, each SVG must be well-formed XML with an <svg> root, and
// plotting twice must give identical bytes. Skipped (with a warning) only when /usr/bin/python3
// cannot import matplotlib and pandas.
#include <catch2/catch.hpp>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

bool have_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib, pandas, numpy' >/dev/null 2>&1") == 0;
}

// Minimal XML well-formedness: tags nest and close, root element is <svg>.
bool svg_is_well_formed(const std::string& text, std::string& why) {
  std::vector<std::string> stack;
  std::string root;
  size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    if (text.compare(i, 4, "<!--") == 0) { i = text.find("-->", i); if (i == std::string::npos) { why = "open comment"; return false; } continue; }
    if (text.compare(i, 9, "<![CDATA[") == 0) { i = text.find("]]>", i); if (i == std::string::npos) { why = "open CDATA"; return false; } continue; }
    size_t end = text.find('>', i);
    if (end == std::string::npos) { why = "unterminated tag"; return false; }
    std::string tag = text.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;  // prolog, DOCTYPE
    if (tag[0] == '/') {
      std::string name = tag.substr(1, tag.find_first_of(" \t\n") - 1);
      if (stack.empty() || stack.back() != name) { why = "mismatched </" + name + ">"; return false; }
      stack.pop_back();
      continue;
    }
    std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
    if (root.empty()) root = name;
    else if (stack.empty()) { why = "content after the root element"; return false; }
    if (tag.back() != '/') stack.push_back(name);
  }
  if (!stack.empty()) { why = "unclosed <" + stack.back() + ">"; return false; }
  if (root != "svg") { why = "root is <" + root + ">"; return false; }
  return true;
}

void check_png(const std::string& path) {
  INFO(path);
  REQUIRE(fs::exists(path));
  std::string bytes = slurp(path);
  CHECK(bytes.size() > 1024);
  CHECK(bytes.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0);
}

void check_svg(const std::string& path) {
  INFO(path);
  REQUIRE(fs::exists(path));
  std::string why;
  CHECK(svg_is_well_formed(slurp(path), why));
  INFO(why);
}

void check_plot(const std::string& dir, const std::string& stem) {
  check_png(dir + "/" + stem + ".png");
  check_svg(dir + "/" + stem + ".svg");
}

const char* kExperiment = R"(name: plot_small
seed: 3
platform: PLATFORM
carbon:
  start: 2023-06-01T00:30:00Z
  duration: 1h
workload:
  type: poisson
  rate: 0.5
  model: resnet
  sources: {rpi4-1: 1, rpi4-2: 1}
  slo: 1s
policies:
  monolithic: {host: edge-server}
  round-robin: {}
  adaptive: {type: intensity-adaptive, host: edge-server, c_low: 100, c_high: 200}
)";

}  // namespace

TEST_CASE("plot: every run plot is a valid PNG and SVG, deterministic", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas (apt-get install python3-matplotlib python3-pandas)");
    return;
  }
  TempDir tmp;
  std::string exp = kExperiment;
  exp.replace(exp.find("PLATFORM"), 8, source_dir() + "/platforms/edge_testbed.yaml");
  std::string file = tmp.file("plot_small.yaml", exp);
  CliResult run = run_cli("run " + file + " --out " + (tmp / "run") + " -q -j 1 --data-root " + data_root(), tmp);
  INFO(run.err);
  REQUIRE(run.rc == 0);

  CliResult p = run_cli("plot " + (tmp / "run") + " --out " + (tmp / "plots"), tmp);
  INFO(p.out << p.err);
  REQUIRE(p.rc == 0);
  for (const char* stem : {"a_carbon_vs_latency", "c_intensity_and_choice", "d_regions", "e_host_power"})
    check_plot(tmp / "plots", stem);
  CHECK(p.out.find("(b) weight sweep: skipped") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "plots/b_weight_sweep.png"));
  CHECK(p.out.find("(f) resilience under failures: skipped") != std::string::npos);  // no failures: section

  CliResult again = run_cli("plot " + (tmp / "run") + " --out " + (tmp / "plots2"), tmp);
  REQUIRE(again.rc == 0);
  for (const char* f : {"a_carbon_vs_latency.svg", "c_intensity_and_choice.png", "e_host_power.svg"})
    CHECK(slurp(tmp / (std::string("plots/") + f)) == slurp(tmp / (std::string("plots2/") + f)));
}

TEST_CASE("plot: a run with failures gives the resilience plot", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas");
    return;
  }
  TempDir tmp;
  tmp.file("outage.csv", "down,up\n2023-03-01T00:30:00Z,2023-03-01T01:00:00Z\n");
  CliResult run = run_cli("run " + source_dir() + "/experiments/failover_edge_month.yaml --set carbon.duration=2h"
                          " --set 'failures=[{site: edge-3, trace: " + (tmp / "outage.csv") + "}]' --out " +
                              (tmp / "run") + " -q -j 2 --data-root " + data_root(),
                          tmp);
  INFO(run.err);
  REQUIRE(run.rc == 0);
  CliResult p = run_cli("plot " + (tmp / "run") + " --out " + (tmp / "plots"), tmp);
  INFO(p.out << p.err);
  REQUIRE(p.rc == 0);
  check_plot(tmp / "plots", "f_resilience");
}

TEST_CASE("plot: sweep directories give the weight-sweep and per-region plots", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas");
    return;
  }
  TempDir tmp;
  CliResult wc = run_cli("plot " + source_dir() + "/tests/data/plot_sweep_wc --out " + (tmp / "wc"), tmp);
  INFO(wc.out << wc.err);
  REQUIRE(wc.rc == 0);
  check_plot(tmp / "wc", "a_carbon_vs_latency");
  check_plot(tmp / "wc", "b_weight_sweep");
  CHECK(wc.out.find("(c) carbon intensity and chosen model/host: skipped") != std::string::npos);
  CHECK(wc.out.find("(d) per-region comparison: skipped") != std::string::npos);
  CHECK(wc.out.find("majority node of ce-green: node-high from w_C=0.05 → node-green from w_C=0.5\n") !=
        std::string::npos);

  CliResult region = run_cli("plot " + source_dir() + "/tests/data/plot_sweep_region --out " + (tmp / "region") +
                                 " --region-key carbon.traces.GB.file --only d",
                             tmp);
  INFO(region.out << region.err);
  REQUIRE(region.rc == 0);
  check_plot(tmp / "region", "d_regions");
}

// The fixture sweeps policies.ce.units x policies.ce.w_C (two seeds): the weight-sweep plot must keep
// the units apart (one series each, seeds averaged) and find each one's flip of the majority node;
// averaged over units, the kwh series would hide the flip at 0.97 (it used to).
TEST_CASE("plot: a sweep over two keys gives one weight-sweep series per value of the other key", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas");
    return;
  }
  TempDir tmp;
  const std::string dir = source_dir() + "/tests/data/plot_sweep_wc_units";
  CliResult p = run_cli("plot " + dir + " --out " + (tmp / "p1") + " --only a,b,d --region-key policies.ce.units", tmp);
  INFO(p.out << p.err);
  REQUIRE(p.rc == 0);
  for (const char* stem : {"a_carbon_vs_latency", "b_weight_sweep", "d_regions"}) check_plot(tmp / "p1", stem);
  CHECK(p.out.find("majority node of ce, units=paper: node-high from w_C=0 → node-green from w_C=0.46\n") !=
        std::string::npos);
  CHECK(p.out.find("majority node of ce, units=kwh: node-high from w_C=0 → node-green from w_C=0.97\n") !=
        std::string::npos);
  CHECK(p.out.find("majority node of ce:") == std::string::npos);  // no series averaged over units

  CliResult again = run_cli("plot " + dir + " --out " + (tmp / "p2") + " --only a,b,d --region-key policies.ce.units", tmp);
  REQUIRE(again.rc == 0);
  for (const char* f : {"a_carbon_vs_latency.png", "a_carbon_vs_latency.svg", "b_weight_sweep.png",
                        "b_weight_sweep.svg", "d_regions.svg"})
    CHECK(slurp(tmp / (std::string("p1/") + f)) == slurp(tmp / (std::string("p2/") + f)));
}

TEST_CASE("plot: the output of a real `carbonedge sweep` over w_C gives the weight-sweep plot", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas");
    return;
  }
  TempDir tmp;
  std::string exp = slurp(source_dir() + "/experiments/ci/carbonedge_2603_slice.yaml");
  exp.replace(exp.find("../../platforms/"), 16, source_dir() + "/platforms/");
  exp.replace(exp.find("requests_per_client: 20"), 23, "requests_per_client: 5");
  exp += "sweep:\n  grid: {policies.ce-green.w_C: [0.1, 0.5, 0.9]}\n";
  std::string file = tmp.file("wc_sweep.yaml", exp);
  CliResult sweep = run_cli("sweep " + file + " --out " + (tmp / "sweep") + " -q -j 1", tmp);
  INFO(sweep.out << sweep.err);
  REQUIRE(sweep.rc == 0);
  CliResult p = run_cli("plot " + (tmp / "sweep"), tmp);
  INFO(p.out << p.err);
  REQUIRE(p.rc == 0);
  check_plot(tmp / "sweep/plots", "a_carbon_vs_latency");
  check_plot(tmp / "sweep/plots", "b_weight_sweep");
}

namespace {

// Runs `/usr/bin/python3 SCRIPT` (written to tmp) with plots/ importable; returns its exit code,
// stdout+stderr in `out`.
int run_python(const TempDir& tmp, const std::string& name, const std::string& script, std::string& out) {
  std::string file = tmp.file(name, "import sys\nsys.path.insert(0, '" + source_dir() + "/plots')\n" + script);
  std::string log = tmp / (name + ".log");
  int st = std::system(("/usr/bin/python3 " + file + " >" + log + " 2>&1").c_str());
  out = slurp(log);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

// docs/plots.md "Colours and series": a policy has one colour in every figure, whatever order the
// policies come in; zipped keys are one axis of the sweep, named by their short name.
TEST_CASE("plot: policy colours are stable and zipped keys are one series axis", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas");
    return;
  }
  TempDir tmp;
  std::string out;
  int rc = run_python(tmp, "colours.py", R"py(
import ce_plot_common as c, pandas as pd
a = c.policy_colors(["monolithic", "round-robin", "adaptive"])
b = c.policy_colors(["adaptive", "monolithic", "round-robin"])
assert a == b, (a, b)
assert len(set(a.values())) == 3
nine = c.policy_colors([f"p{i}" for i in range(9)])
assert len(set(nine.values())) == 9, nine
assert c.policy_colors(["x", "y"]) == c.policy_colors(["y", "x"])
# A zip of three region keys x a grid over w_C, two policies.
rows = []
for i, (z, w) in enumerate([(z, w) for z in ("DE", "NO") for w in (0.1, 0.5)]):
    for p in ("ce", "mono"):
        rows.append({"point": i, "platform.hosts.h1.region": z, "platform.hosts.h2.region": z,
                     "platform.default_region": z, "policies.ce.w_C": w, "seed": 1, "policy": p})
df = pd.DataFrame(rows)
keys = ["platform.hosts.h1.region", "platform.hosts.h2.region", "platform.default_region", "policies.ce.w_C"]
axes = c.sweep_axes(df, keys)
assert axes == [keys[:3], keys[3:]], axes
labels = [s[0] for s in c.sweep_series(df, keys)]
assert labels == ["ce, region=DE, w_C=0.1", "ce, region=DE, w_C=0.5", "ce, region=NO, w_C=0.1",
                  "ce, region=NO, w_C=0.5", "mono, region=DE", "mono, region=NO"], labels
labels = [s[0] for s in c.sweep_series(df, keys, exclude=("platform.default_region",))]
assert labels == ["ce, w_C=0.1", "ce, w_C=0.5", "mono"], labels
assert c.axis_title("platform.hosts.h2.region", axes) == "region (3 zipped keys)"
cols = c.series_colors(c.sweep_series(df, keys, exclude=("platform.default_region",)), ["ce", "mono"])
assert cols["mono"] == c.policy_colors(["ce", "mono"])["mono"]
assert cols["ce, w_C=0.1"] != cols["ce, w_C=0.5"]
print("ok")
)py", out);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("ok") != std::string::npos);
}

// experiments/region_sweep.yaml zips seven keys (six hosts' regions and the links' default zone):
// the per-region plot must take them as one axis (one bar per policy, not one per key value).
TEST_CASE("plot: the region sweep experiment gives the per-region plot over one zipped axis", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas");
    return;
  }
  TempDir tmp;
  std::string exp = slurp(source_dir() + "/experiments/region_sweep.yaml");
  exp.replace(exp.find("platform: ../platforms/"), 23, "platform: " + source_dir() + "/platforms/");
  exp.replace(exp.find("duration: 1d"), 12, "duration: 10min");
  std::string file = tmp.file("region_sweep.yaml", exp);
  CliResult sweep = run_cli("sweep " + file + " --out " + (tmp / "sweep") + " -q -j 2 --data-root " + data_root(), tmp);
  INFO(sweep.out << sweep.err);
  REQUIRE(sweep.rc == 0);
  CliResult p = run_cli("plot " + (tmp / "sweep") + " --only a,d", tmp);
  INFO(p.out << p.err);
  REQUIRE(p.rc == 0);
  check_plot(tmp / "sweep/plots", "a_carbon_vs_latency");
  check_plot(tmp / "sweep/plots", "d_regions");
  std::string out;
  int rc = run_python(tmp, "axes.py", "import ce_plot_common as c\nd = c.open_dir('" + (tmp / "sweep") + R"py(')
assert len(d.axes) == 1 and len(d.axes[0]) == 7, d.axes
labels = [s[0] for s in c.sweep_series(d.results, d.swept_keys, exclude=(d.axes[0][0],))]
assert labels == ["edge-server", "cloud", "on-device", "round-robin"], labels
assert d.name == "region_sweep", d.name
print("ok")
)py", out);
  INFO(out);
  CHECK(rc == 0);
}

// Plots of a long run read only the columns they use (categorical text): on the World Cup run (3 ×
// 259k requests, requests.csv 27 MB each) plots (c) and (e) peaked at 289 MB when every column was
// read as Python strings, ~120 MB now; the bound leaves room for other matplotlib builds.
TEST_CASE("plot: a long run's time-series plots stay within a memory bound", "[e2e][plots]") {
  if (!have_matplotlib()) {
    WARN("skipped: /usr/bin/python3 cannot import matplotlib/pandas");
    return;
  }
  TempDir tmp;
  std::string exp = slurp(source_dir() + "/experiments/worldcup_gb_week.yaml");
  exp.replace(exp.find("platform: ../platforms/"), 23, "platform: " + source_dir() + "/platforms/");
  std::string file = tmp.file("wc.yaml", exp);
  CliResult run = run_cli("run " + file + " --out " + (tmp / "run") + " -q --data-root " + data_root(), tmp);
  INFO(run.err);
  REQUIRE(run.rc == 0);
  std::string out;
  int rc = run_python(tmp, "mem.py", R"py(
import resource, subprocess, time
t = time.time()
r = subprocess.run(["/usr/bin/python3", ")py" + source_dir() + "/plots/plot_all.py\", \"" + (tmp / "run") +
                                               "\", \"--out\", \"" + (tmp / "plots") + R"py(", "--only", "c,e"])
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"rc={r.returncode} peak={peak_mb:.0f} MB wall={time.time() - t:.1f} s")
assert r.returncode == 0
assert peak_mb < 220, peak_mb
)py", out);
  INFO(out);
  CHECK(rc == 0);
  check_plot(tmp / "plots", "c_intensity_and_choice");
  check_plot(tmp / "plots", "e_host_power");
}

TEST_CASE("plot: the SVG check itself rejects malformed files", "[e2e][plots]") {
  std::string why;
  CHECK(svg_is_well_formed("<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg a=\"1\"><!-- <x> --><g><path d=\"M0\"/></g></svg>\n", why));
  CHECK_FALSE(svg_is_well_formed("<svg><g></svg>", why));
  CHECK_FALSE(svg_is_well_formed("<svg><g>", why));
  CHECK_FALSE(svg_is_well_formed("<html></html>", why));
  CHECK_FALSE(svg_is_well_formed("<svg></svg><svg></svg>", why));
}

TEST_CASE("plot: a directory that is not carbonedge output exits 2", "[e2e][plots]") {
  TempDir tmp;
  fs::create_directories(tmp / "empty");
  CliResult r = run_cli("plot " + (tmp / "empty"), tmp);
  CHECK(r.rc == 2);
  CHECK(r.err.find("empty") != std::string::npos);
  CHECK(run_cli("plot " + (tmp / "does-not-exist"), tmp).rc == 2);
}
