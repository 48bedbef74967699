// The bad-input catalogue (tests/bad_inputs/<case>/): every case must fail with exit code 2, exactly
// one line on stderr containing every line of its `expect` file (the file and the line or key at
// fault), and no output directory — not even a staging one. A case is a directory holding the input
// files (by default exp.yaml, platform.yaml, z.csv), `expect`, a README saying what is broken, and
// optionally `args` (the CLI arguments; default `run exp.yaml --out out`), run from a copy of the
// case directory.
#include <catch2/catch.hpp>

#include <algorithm>

#include "../support/cli_harness.hpp"

using namespace cetest;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

fs::path catalogue() { return fs::path(source_dir()) / "tests" / "bad_inputs"; }

// Copies the case into a fresh temp dir and runs the CLI there.
CliResult run_case(const fs::path& dir, const TempDir& tmp) {
  for (auto& e : fs::directory_iterator(dir)) fs::copy(e.path(), tmp.path / e.path().filename());
  std::string args = "run exp.yaml --out out";
  if (fs::exists(dir / "args")) args = lines_of(slurp((dir / "args").string())).at(0);
  // Run inside the copy so relative paths in args resolve there; stdout/stderr go to files outside it.
  TempDir io;
  return run_cli(args, io, tmp.path.string());
}

}  // namespace

TEST_CASE("bad-input catalogue: the files the cases break run when unbroken", "[e2e][bad-input]") {
  TempDir tmp;
  for (const char* f : {"exp.yaml", "platform.yaml", "z.csv"})
    fs::copy(catalogue() / "yaml_unknown_top_key" / f, tmp.path / f);
  // yaml_unknown_top_key only appends a key to the baseline: strip it to get the baseline back.
  std::string exp = slurp(tmp / "exp.yaml");
  exp = exp.substr(0, exp.find("carbom"));
  tmp.file("exp.yaml", exp);
  auto r = run_cli("run " + (tmp / "exp.yaml") + " --quiet --out " + (tmp / "out"), tmp);
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK(fs::exists(tmp / "out/comparison.csv"));
}

TEST_CASE("bad-input catalogue: every case fails with one line naming the file and line or key", "[e2e][bad-input]") {
  std::vector<fs::path> cases;
  for (auto& e : fs::directory_iterator(catalogue()))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  CHECK(cases.size() >= 25);
  for (const auto& dir : cases) {
    TempDir tmp;
    CliResult r = run_case(dir, tmp);
    INFO("case " << dir.filename().string() << ": stderr = " << r.err);
    CHECK(r.rc == 2);
    CHECK(count_lines(r.err) == 1);
    for (const auto& want : lines_of(slurp((dir / "expect").string()))) CHECK(r.err.find(want) != std::string::npos);
    CHECK_FALSE(fs::exists(tmp / "out"));
    for (auto& e : fs::directory_iterator(tmp.path))
      CHECK(e.path().filename().string().find("partial") == std::string::npos);
  }
}
