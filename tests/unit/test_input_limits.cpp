// The input limits of docs/reliability.md ("Inputs"): YAML alias expansion, duplicate and
// non-scalar keys, merge keys, booleans, range-checked integers, --set parsing, sweep size, workload
// rate and request bounds, carbon intensity bound and gap warnings. Each bad input must end in one
// ce::InputError (the CLI's one-line error, exit 2), never in a library exception or a runaway.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "carbon/carbon_catalog.hpp"
#include "carbon/carbon_loaders.hpp"
#include "config/experiment.hpp"
#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "core/time_utc.hpp"
#include "core/units.hpp"
#include "sweep/sweep_spec.hpp"
#include "workload/workload_factory.hpp"

using namespace ce;

namespace {

// The InputError message of f(), or "(no InputError)"; any other exception fails the test.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct TmpDir {
  std::filesystem::path path;
  TmpDir() {
    char tmpl[] = "/tmp/ce-unit-limits-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TmpDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::string p = (path / name).string();
    std::ofstream(p) << text;
    return p;
  }
};

// 1 + 9 + 9^2 + ... nodes: `levels` nested levels of 9 aliases each.
std::string alias_bomb(int levels) {
  std::string y = "a0: &a0 [x,x,x,x,x,x,x,x,x]\n";
  for (int i = 1; i < levels; ++i) {
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) y += (k ? ",*a" : "*a") + std::to_string(i - 1);
    y += "]\n";
  }
  return y;
}

YamlSection section(const std::string& yaml) { return YamlSection(YAML::Load(yaml), "f.yaml", ""); }

}  // namespace

TEST_CASE("parse_whole: whole numbers in range, no conversion outside it", "[limits]") {
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  int64_t v = 0;
  CHECK((parse_whole("42", lo, hi, v) && v == 42));
  CHECK((parse_whole("+42", lo, hi, v) && v == 42));
  CHECK((parse_whole(" -3 ", lo, hi, v) && v == -3));
  CHECK((parse_whole("1e3", lo, hi, v) && v == 1000));
  CHECK((parse_whole("42.0", lo, hi, v) && v == 42));
  CHECK((parse_whole("9223372036854775807", lo, hi, v) && v == hi));
  CHECK((parse_whole("-9223372036854775808", lo, hi, v) && v == lo));
  CHECK_FALSE(parse_whole("9223372036854775808", lo, hi, v));
  CHECK_FALSE(parse_whole("99999999999999999999", lo, hi, v));
  CHECK_FALSE(parse_whole("1e30", lo, hi, v));   // was a float-cast-overflow (UB)
  CHECK_FALSE(parse_whole("9.3e18", lo, hi, v));
  CHECK_FALSE(parse_whole("-1e19", lo, hi, v));
  CHECK_FALSE(parse_whole("1.5", lo, hi, v));
  CHECK_FALSE(parse_whole("nan", lo, hi, v));
  CHECK_FALSE(parse_whole("inf", lo, hi, v));
  CHECK_FALSE(parse_whole("", lo, hi, v));
  CHECK_FALSE(parse_whole("+-1", lo, hi, v));
  CHECK_FALSE(parse_whole("0x10", lo, hi, v));
  CHECK_FALSE(parse_whole("11", 0, 10, v));
  CHECK_FALSE(parse_whole("-1", 0, 10, v));
  CHECK((parse_whole("10", 0, 10, v) && v == 10));
  uint64_t u = 0;
  CHECK((parse_whole_u64("18446744073709551615", u) && u == std::numeric_limits<uint64_t>::max()));
  CHECK((parse_whole_u64("1e19", u) && u == 10000000000000000000ULL));
  CHECK_FALSE(parse_whole_u64("18446744073709551616", u));
  CHECK_FALSE(parse_whole_u64("2e19", u));
  CHECK_FALSE(parse_whole_u64("-1", u));
  CHECK_FALSE(parse_whole_u64("1e30", u));
}

TEST_CASE("YamlSection integer helpers are range-checked and name the key", "[limits]") {
  auto s = section("a: 1e30\nb: 7\nc: 2.5\nd: 18446744073709551615\ne: -4\n");
  CHECK(has(error_of([&] { s.integer("a"); }), "key 'a': must be a whole number (got '1e30')"));
  CHECK(s.integer("b") == 7);
  CHECK(has(error_of([&] { s.integer("c"); }), "whole number"));
  CHECK(has(error_of([&] { s.integer_in("b", 0, 5); }), "key 'b': must be a whole number from 0 to 5 (got '7')"));
  CHECK(s.integer_in("b", 0, 7) == 7);
  CHECK(s.integer_in("missing", 0, 7, 3) == 3);
  CHECK(has(error_of([&] { s.integer_in("missing", 0, 7); }), "missing"));
  CHECK(s.uint64_or("d", 1) == std::numeric_limits<uint64_t>::max());
  CHECK(s.uint64_or("missing", 9) == 9);
  CHECK(has(error_of([&] { s.uint64_or("e", 1); }), "from 0 to 18446744073709551615"));
  CHECK(has(error_of([&] { s.uint64_or("a", 1); }), "(got '1e30')"));
}

TEST_CASE("booleans: the YAML 1.2 core schema and YAML 1.1's yes/no/on/off", "[limits]") {
  auto s = section("a: True\nb: TRUE\nc: yes\nd: On\ne: False\nf: OFF\ng: No\nh: maybe\ni: 1\n");
  for (const char* k : {"a", "b", "c", "d"}) CHECK(s.boolean_or(k, false));
  for (const char* k : {"e", "f", "g"}) CHECK_FALSE(s.boolean_or(k, true));
  CHECK(has(error_of([&] { s.boolean_or("h", false); }), "'maybe' is not true or false"));
  CHECK(has(error_of([&] { s.boolean_or("i", false); }), "is not true or false"));
}

TEST_CASE("YAML aliases: a bomb and a cycle are refused while parsing and modest reuse is fine", "[limits]") {
  // 1 + 9 + 81 + ... : four levels stay well under the bound, six are far over it.
  YAML::Node ok = load_yaml_text(alias_bomb(4), "v");
  CHECK(ok["a3"].size() == 9);
  std::string e = error_of([&] { load_yaml_text(alias_bomb(6), "--set 'x=...': value"); });
  CHECK(has(e, "--set 'x=...': value: aliases"));
  CHECK(has(e, "100000"));
  e = error_of([&] { load_yaml_text(alias_bomb(40), "v"); });  // 9^40 nodes: must still be refused at once
  CHECK(has(e, "aliases"));
  CHECK(has(error_of([&] { load_yaml_text("a: &a [1, *a]\n", "v"); }), "cycle"));
  CHECK(has(error_of([&] { load_yaml_text("a: &a {b: {c: *a}}\n", "v"); }), "cycle"));
  // Reuse of one anchor many times is counted per use.
  std::string many = "a: &a [1, 2, 3]\nb: [";
  for (int i = 0; i < 40000; ++i) many += (i ? ",*a" : "*a");
  many += "]\n";
  CHECK(has(error_of([&] { load_yaml_text(many, "v"); }), "aliases"));
}

TEST_CASE("YAML keys: duplicates, non-scalar keys and deep nesting are errors with file and line", "[limits]") {
  TmpDir d;
  std::string f = d.file("dup.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n");
  std::string e = error_of([&] { load_yaml_file(f); });
  CHECK(has(e, f + ": line 4: key 'b.c': appears twice in this mapping (first on line 3)"));
  f = d.file("dup2.yaml", "a: 1\nl:\n  - {x: 1, y: 2, x: 3}\n");
  CHECK(has(error_of([&] { load_yaml_file(f); }), "line 3: key 'l[0].x': appears twice"));
  f = d.file("key.yaml", "a: 1\nm: {[p, q]: 1}\n");
  CHECK(has(error_of([&] { load_yaml_file(f); }), "line 2: key 'm': a key here is a list"));
  f = d.file("key2.yaml", "? {p: 1}\n: 1\n");
  CHECK(has(error_of([&] { load_yaml_file(f); }), "key '(top level)'"));
  f = d.file("key3.yaml", "a: &x k\nm: {*x : 1}\n");
  CHECK(has(error_of([&] { load_yaml_file(f); }), "key 'm': a key here is"));
  f = d.file("null.yaml", "m: {~: 1}\n");
  CHECK(has(error_of([&] { load_yaml_file(f); }), "key 'm': a key here is"));
  std::string deep = "a: " + std::string(100, '[') + std::string(100, ']') + "\n";
  CHECK(has(error_of([&] { load_yaml_text(deep, "v"); }), "nested more than 64 levels"));
  // Text must be UTF-8 (run.json's JSON writer refuses anything else; found by fuzz_run_json).
  f = d.file("latin1.yaml", "a: 1\nd: \"caf\xe9\"\n");
  CHECK(has(error_of([&] { load_yaml_file(f); }), "line 2: key 'd': text that is not valid UTF-8"));
  CHECK(has(error_of([&] { load_yaml_text("{\"k\xff\": 1}", "v"); }), "a key: text that is not valid UTF-8"));
  for (const char* bad : {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80"})
    CHECK(has(error_of([&] { load_yaml_text(std::string("a: \"x") + bad + "\"", "v"); }), "UTF-8"));
  CHECK(load_yaml_text("a: \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8c\xb1\"", "v")["a"].Scalar() ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8c\xb1");
  // The same key in two different mappings is fine.
  CHECK_NOTHROW(load_yaml_text("a: {x: 1}\nb: {x: 2}\n", "v"));
}

TEST_CASE("YAML merge keys are resolved: explicit keys win, earlier mappings win", "[limits]") {
  YAML::Node n = load_yaml_text(
      "base: &b {cores: 4, speed: 1Gf, region: GB}\n"
      "more: &m {region: FR, memory: 4GB}\n"
      "h1: {<<: *b, name: h1, cores: 8}\n"
      "h2: {<<: [*b, *m], name: h2}\n"
      "h3:\n  <<: {x: 1}\n  y: 2\n",
      "v");
  CHECK_FALSE(n["h1"]["<<"]);
  CHECK(n["h1"]["cores"].as<int>() == 8);
  CHECK(n["h1"]["speed"].Scalar() == "1Gf");
  CHECK(n["h2"]["region"].Scalar() == "GB");
  CHECK(n["h2"]["memory"].Scalar() == "4GB");
  CHECK(n["h3"]["x"].as<int>() == 1);
  CHECK(n["base"]["cores"].as<int>() == 4);  // the merged-from mapping is unchanged
  CHECK(has(error_of([&] { load_yaml_text("a: {<<: 5}\n", "v"); }), "merge key"));
  CHECK(has(error_of([&] { load_yaml_text("a: {<<: [1]}\n", "v"); }), "merge key"));
}

TEST_CASE("set overrides (--set): errors are one-line InputErrors, never library exceptions", "[limits]") {
  auto doc = [] {
    return YAML::Load("platform: p.yaml\nworkload: {rate: 1}\nevents: [{at: 1}]\npolicies: {m: {host: h}}\n");
  };
  YAML::Node d = doc();
  CHECK(has(error_of([&] { apply_override(d, "workload.rate.x=1", "e.yaml"); }), "'workload.rate' is a single value"));
  CHECK(has(error_of([&] { apply_override(d, "workload.rate.x.y=1", "e.yaml"); }), "'workload.rate' is a single value"));
  CHECK(has(error_of([&] { apply_override(d, "events.100000000000000000000000.at=1", "e.yaml"); }), "out of range"));
  CHECK(has(error_of([&] { apply_override(d, "events.1.at=1", "e.yaml"); }), "index 1 out of range"));
  CHECK(has(error_of([&] { apply_override(d, "events.0.at.x=1", "e.yaml"); }), "single value"));
  CHECK(has(error_of([&] { apply_override(d, "a..b=1", "e.yaml"); }), "empty key"));
  CHECK(has(error_of([&] { apply_override(d, ".a=1", "e.yaml"); }), "empty key"));
  CHECK(has(error_of([&] { apply_override(d, "a=[1", "e.yaml"); }), "not valid YAML"));
  CHECK(has(error_of([&] { apply_override(d, "a={[x]: 1}", "e.yaml"); }), "plain names"));
  CHECK(has(error_of([&] { apply_override(d, "a={x: 1, x: 2}", "e.yaml"); }), "twice"));
  CHECK(has(error_of([&] { apply_override(d, "noequals", "e.yaml"); }), "expected key.path=value"));
  CHECK(has(error_of([&] { apply_override(d, "a\x85" "b=1", "e.yaml"); }), "not valid UTF-8"));  // fuzz_set_override
  CHECK(has(error_of([&] { apply_override(d, "a=\"\xff\"", "e.yaml"); }), "not valid UTF-8"));
  // Valid ones still work.
  apply_override(d, "events.0.at=5", "e.yaml");
  CHECK(d["events"][0]["at"].as<int>() == 5);
  apply_override(d, "policies.m.host=g", "e.yaml");
  CHECK(d["policies"]["m"]["host"].Scalar() == "g");
  apply_override(d, "new.key=3", "e.yaml");
  CHECK(d["new"]["key"].as<int>() == 3);
  // platform.<key> belongs to the platform file when `platform:` names one: the document is untouched.
  apply_override(d, "platform.hosts.h.cores=8", "e.yaml");
  CHECK(d["platform"].Scalar() == "p.yaml");
  // ... and replacing the platform file itself is an ordinary override.
  apply_override(d, "platform=q.yaml", "e.yaml");
  CHECK(d["platform"].Scalar() == "q.yaml");
}

TEST_CASE("sweep: the number of points and replicate seeds are bounded", "[limits][sweep]") {
  std::string grid = "sweep:\n  grid: {";
  for (int i = 0; i < 11; ++i) grid += (i ? ", k" : "k") + std::to_string(i) + ": [1,2,3,4,5,6,7,8,9,10]";
  grid += "}\n";
  std::string e = error_of([&] { parse_sweep(YAML::Load(grid), "e.yaml", 1); });
  CHECK(has(e, "key 'sweep'"));
  CHECK(has(e, "100000"));
  CHECK(has(error_of([&] { parse_sweep(YAML::Load("sweep: {replicates: 1e11}"), "e.yaml", 1); }),
            "sweep.replicates"));
  CHECK(has(error_of([&] { parse_sweep(YAML::Load("sweep: {grid: {a: [1, 2]}, replicates: 60000}"), "e.yaml", 1); }),
            "points"));
  CHECK(has(error_of([&] { parse_sweep(YAML::Load("sweep: {replicates: 3}"), "e.yaml", kMaxPointSeed - 1); }),
            "largest seed"));
  CHECK(parse_sweep(YAML::Load("sweep: {replicates: 2}"), "e.yaml", kMaxPointSeed - 1).seeds.back() == kMaxPointSeed);
  CHECK(expand_sweep(parse_sweep(YAML::Load("sweep: {grid: {a: [1, 2]}, replicates: 50000}"), "e.yaml", 1)).size() ==
        100000);
}

TEST_CASE("workload: rates and expected request counts are bounded, max_requests opts in", "[limits][workload]") {
  WorkloadContext ctx;
  ctx.experiment_file = "e.yaml";
  ctx.duration_s = 86400;
  ctx.resolve_model = [](const std::string&, const std::string&) { return 0u; };
  ctx.resolve_host = [](const std::string&, const std::string&) { return 0u; };
  auto make = [&](const std::string& y) { make_workload(YAML::Load(y), ctx); };
  CHECK(has(error_of([&] { make("{type: poisson, rate: 1e9, model: m, source: h}"); }), "key 'workload.rate'"));
  CHECK(has(error_of([&] { make("{type: poisson, rate: 1e20, model: m, source: h}"); }), "above the limit"));
  std::string e = error_of([&] { make("{type: poisson, rate: 1e4, model: m, source: h}"); });  // 8.64e8 requests
  CHECK(has(e, "key 'workload.rate'"));
  CHECK(has(e, "max_requests"));
  CHECK_NOTHROW(make("{type: poisson, rate: 1e4, model: m, source: h, max_requests: 1e9}"));
  CHECK_NOTHROW(make("{sources: [{type: poisson, rate: 1e4, model: m, source: h}], max_requests: 1e9}"));
  CHECK(has(error_of([&] { make("{sources: [{type: poisson, rate: 1, model: m, source: h, max_requests: 5}]}"); }),
            "unknown key"));
  CHECK(has(error_of([&] { make("{type: poisson, rate: 1, model: m, source: h, max_requests: 1e13}"); }),
            "workload.max_requests"));
  // A source that stops early, or starts late, expects fewer requests.
  CHECK_NOTHROW(make("{type: poisson, rate: 1e4, stop: 1h, model: m, source: h}"));
  CHECK_NOTHROW(make("{type: poisson, rate: 1e4, start: 23h, model: m, source: h}"));
  CHECK(has(error_of([&] {
          make("{type: mmpp, states: [{rate: 2e6, mean_sojourn: 1s}, {rate: 0, mean_sojourn: 1s}], model: m, source: h}");
        }),
        "workload.states[0].rate"));
  CHECK(has(error_of([&] { make("{type: diurnal, mean_rate: 9e5, amplitude: 0.5, model: m, source: h}"); }),
            "workload.mean_rate"));
  CHECK(has(error_of([&] { make("{type: closed_loop, clients: 1e30, think_time: 1s, model: m, source: h}"); }),
            "from 1 to 10000000"));
  CHECK(has(error_of([&] { make("{type: closed_loop, clients: 100000, think_time: 1ms, model: m, source: h}"); }),
            "workload.clients"));
  CHECK_NOTHROW(make("{type: closed_loop, clients: 100000, think_time: 1ms, requests_per_client: 10, model: m, source: h}"));
  CHECK(has(error_of([&] { make("{type: closed_loop, clients: 2, think_time: 1s, requests_per_client: 1e30, model: m, source: h}"); }),
            "requests_per_client"));
}

TEST_CASE("quantities that overflow are out of range, not infinite", "[limits]") {
  CHECK_FALSE(parse_quantity("1e305d", Unit::Duration));
  CHECK(quantity_out_of_range("1e305d", Unit::Duration));
  CHECK_FALSE(quantity_out_of_range("5 parsecs", Unit::Duration));
  CHECK(*parse_quantity("1e300", Unit::Duration) == 1e300);
  auto s = section("d: 1e305d\n");
  CHECK(has(error_of([&] { s.quantity("d", Unit::Duration); }), "key 'd': '1e305d' is out of range"));
  CHECK(has(format_utc(1e300), "s since 1970"));  // no undefined cast in a message about a huge time
  CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
}

TEST_CASE("carbon: intensities above 5000 g/kWh are errors and gaps over 48 h are warnings", "[limits][carbon]") {
  TmpDir d;
  std::string f = d.file("hi.csv", "timestamp,value\n0,100\n3600,5001\n");
  CHECK(has(error_of([&] { load_carbon_csv(f, "Z", {}); }), f + ":3: carbon intensity 5001"));
  f = d.file("ok.csv", "timestamp,value\n0,100\n3600,5000\n");
  CHECK_NOTHROW(load_carbon_csv(f, "Z", {}));
  // Rows 0 h, 1 h, then 73 h (a 72 h gap, reported at the row after it), then 74 h.
  f = d.file("gap.csv", "timestamp,value\n0,100\n3600,200\n262800,150\n266400,120\n");
  CarbonSeries s = load_carbon_csv(f, "Z", {});
  REQUIRE(s.gaps.size() == 1);
  CHECK(s.gaps[0].t0 == 3600);
  CHECK(s.gaps[0].t1 == 262800);
  CHECK(s.gaps[0].line == 4);

  Experiment e;
  e.file = d.file("e.yaml", "");
  e.carbon.duration_s = 3600 * 74;
  e.carbon.traces["Z"] = CarbonTraceOverride{f, "auto", "direct", ""};
  ZoneTimelines z = load_zone_timelines(e, {"Z"});
  REQUIRE(z.warnings.size() == 1);
  CHECK(has(z.warnings[0], f + ":4: zone 'Z': no carbon data for 72.0 h"));
  e.carbon.duration_s = 1800;  // the run ends before the gap: nothing to report
  CHECK(load_zone_timelines(e, {"Z"}).warnings.empty());
  // A gap between two yearly files of a zone is found when they are joined.
  std::string f1 = d.file("y1.csv", "timestamp,value\n2023-01-01 00:00:00,100\n2023-01-01 01:00:00,90\n");
  std::string f2 = d.file("y2.csv", "timestamp,value\n2023-01-05 00:00:00,100\n2023-01-05 01:00:00,90\n");
  CarbonSeries joined = load_carbon_csv(f1, "Z", {});
  append_series(joined, load_carbon_csv(f2, "Z", {}), f2);
  REQUIRE(joined.gaps.size() == 1);
  CHECK(joined.gaps[0].file == f2);
}

TEST_CASE("experiment: seed, name, events and carbon bounds", "[limits]") {
  TmpDir d;
  d.file("p.yaml", "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n");
  const std::string base =
      "platform: p.yaml\ncarbon: {start: 2023-01-01T00:00:00Z, duration: 1h, static: {Z: 100}}\n"
      "workload: {type: poisson, rate: 1, model: tiny, source: h}\npolicies: {mono: {host: h, type: monolithic}}\n";
  auto load = [&](const std::string& extra, LoadOptions opt = {}) {
    const std::string f = d.file("e.yaml", base + extra);
    return load_experiment(f, opt);
  };
  CHECK(load("seed: 18446744073709551615\n").seed == std::numeric_limits<uint64_t>::max());
  CHECK(has(error_of([&] { load("seed: 1e30\n"); }), "key 'seed'"));
  LoadOptions clamped;
  clamped.seed = std::numeric_limits<long>::max();  // what CLI11 makes of a 20-digit --seed
  CHECK(has(error_of([&] { load("", clamped); }), "--seed: out of range"));
  LoadOptions fine;
  fine.seed = std::numeric_limits<long>::max() - 1;
  CHECK(load("", fine).seed == 9223372036854775806ULL);
  CHECK(has(error_of([&] { load("name: ../victim\n"); }), "key 'name'"));
  CHECK(has(error_of([&] { load("name: a/b\n"); }), "plain file name"));
  CHECK(has(error_of([&] { load("name: ..\n"); }), "plain file name"));
  CHECK(load("name: my-exp_1.2\n").name == "my-exp_1.2");
  CHECK(has(error_of([&] { load("events: [{at: 1000h, host: h, state: off}]\n"); }), "key 'events[0].at'"));
  CHECK(has(error_of([&] { load("events: [{at: 1h, host: h, state: off}]\n"); }), "after the end"));
  CHECK(load("events: [{at: 59min, host: h, state: off}]\n").events.size() == 1);
  CHECK(has(error_of([&] { load("", LoadOptions{{"carbon.static.Z=5001"}, "", -1}); }), "carbon.static.Z"));
  CHECK(has(error_of([&] { load("", LoadOptions{{"carbon.duration=101y"}, "", -1}); }), "100 years"));
  CHECK(load("output: {requests: False, timeseries: YES}\n").output.requests_csv == false);
}
