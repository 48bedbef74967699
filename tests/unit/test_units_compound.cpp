// Compound durations ("5h30min", "1d12h") wherever a duration is read, and the command-line rule: a
// duration given with --set must carry a unit (a bare number there is refused), while a bare number
// written in a YAML file keeps meaning seconds.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/experiment.hpp"
#include "config/yaml_section.hpp"
#include "core/error.hpp"
#include "core/units.hpp"

using namespace ce;

TEST_CASE("compound durations add their parts with the largest unit first", "[units]") {
  CHECK(parse_quantity("5h30min", Unit::Duration) == 5 * 3600.0 + 30 * 60);
  CHECK(parse_quantity("1d12h", Unit::Duration) == 36 * 3600.0);
  CHECK(parse_quantity("1h30min15s", Unit::Duration) == 5415.0);
  CHECK(parse_quantity("2min500ms", Unit::Duration) == 120.5);
  CHECK(parse_quantity("1.5h30min", Unit::Duration) == 7200.0);
  // Single parts and bare numbers are unchanged.
  CHECK(parse_quantity("90min", Unit::Duration) == 5400.0);
  CHECK(parse_quantity("30", Unit::Duration) == 30.0);
  CHECK(parse_quantity("1e3s", Unit::Duration) == 1000.0);
}

TEST_CASE("compound durations out of order or repeated or unitless or with bad units are refused", "[units]") {
  for (const char* bad : {"30min5h", "1h1h", "1h30", "5h30m", "h30min", "1h-30min", "1h 30min", "1e3h5min", "1h30min5"})
    CHECK_FALSE(parse_quantity(bad, Unit::Duration).has_value());
  // Only durations are compound: "1GB500MB" is not a size.
  CHECK_FALSE(parse_quantity("1GB500MB", Unit::Bytes).has_value());
  CHECK_FALSE(parse_quantity("1Gf5Mf", Unit::Speed).has_value());
  // A compound whose parts overflow is "out of range", not "not a duration".
  const std::string huge = std::string(308, '9') + "y1d";
  CHECK_FALSE(parse_quantity(huge, Unit::Duration).has_value());
  CHECK(quantity_out_of_range(huge, Unit::Duration));
  CHECK_FALSE(quantity_out_of_range("30min5h", Unit::Duration));
}

namespace {
namespace fs = std::filesystem;

// A minimal experiment (static carbon, one host) whose carbon.duration the caller sets.
struct Files {
  fs::path dir = fs::temp_directory_path() / ("ce-units-" + std::to_string(::getpid()));
  std::string exp;
  explicit Files(const std::string& duration) {
    fs::create_directories(dir);
    std::ofstream(dir / "p.yaml") << "name: p\nhosts:\n  - {name: h, cores: 1, speed: 1Gf, power: \"10:30\", region: Z}\n";
    exp = (dir / "e.yaml").string();
    std::ofstream(exp) << "name: e\nplatform: p.yaml\ncarbon: {start: 2023-01-01T00:00:00Z, duration: " << duration
                       << ", static: {Z: 100}}\nworkload: {type: poisson, rate: 1, model: tiny, source: h}\n"
                          "policies: {mono: {type: monolithic, host: h}}\n";
  }
  ~Files() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

std::string load_error(const std::string& exp, const LoadOptions& opt) {
  try {
    load_experiment(exp, opt);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a bare number is seconds in a file but refused for a duration given with --set", "[units]") {
  Files f("7");
  CHECK(load_experiment(f.exp, {}).carbon.duration_s == 7);  // the file's documented behaviour
  LoadOptions cli;
  cli.overrides = {"carbon.duration=7"};
  const std::string err = load_error(f.exp, cli);
  CHECK_THAT(err, Catch::Contains("key 'carbon.duration'") && Catch::Contains("without a unit") &&
                      Catch::Contains("7s, 7min or 7h"));
  CHECK(err.find('\n') == std::string::npos);
  CHECK(err.find("line 1") == std::string::npos);  // the value has no line in the file
  cli.overrides = {"carbon.duration=5h30min"};
  CHECK(load_experiment(f.exp, cli).carbon.duration_s == 19800);
  // Inside a mapping given with --set too.
  cli.overrides = {"carbon={start: 2023-01-01T00:00:00Z, duration: 60, static: {Z: 1}}"};
  CHECK_THAT(load_error(f.exp, cli), Catch::Contains("without a unit"));
  // Overrides after the command-line ones come from a sweep point (values written in the file).
  LoadOptions point;
  point.overrides = {"carbon.duration=60"};
  point.command_line_overrides = 0;
  CHECK(load_experiment(f.exp, point).carbon.duration_s == 60);
  // Other keys given with --set may stay bare numbers.
  cli.overrides = {"workload.rate=2"};
  CHECK(load_experiment(f.exp, cli).carbon.duration_s == 7);
}
