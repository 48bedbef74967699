// The bad-input catalogue (tests/bad_inputs/<case>/): every case must fail with exit code 2, exactly
// one line on stderr containing every line of its `expect` file (the file and the line or key at
// fault), and no output directory — not even a staging one. A case is a directory holding the input
// files (by default exp.yaml, platform.yaml, z.csv), `expect`, a README saying what is broken, and
// optionally `args` (the CLI arguments; default `run exp.yaml --out out`), run from a copy of the
// case directory. A case must also fail quickly: one still running after kCaseSeconds is killed and
// fails (a bad input that would run away must be refused before anything runs).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

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

// A bad input must be refused at once: a case still running after this long is killed and fails
// (a generous bound: sanitizer builds run the same cases; the inputs are tiny).
constexpr int kCaseSeconds = 20;

// Copies the case into a fresh temp dir and runs the CLI there, killed after kCaseSeconds.
CliResult run_case(const fs::path& dir, const TempDir& tmp, double* seconds) {
  for (auto& e : fs::directory_iterator(dir)) fs::copy(e.path(), tmp.path / e.path().filename());
  std::string args = "run exp.yaml --out out";
  if (fs::exists(dir / "args")) args = lines_of(slurp((dir / "args").string())).at(0);
  // Run inside the copy so relative paths in args resolve there; stdout/stderr go to files outside it.
  TempDir io;
  const std::string out = io / "stdout.txt", err = io / "stderr.txt";
  const std::string cmd = "cd " + tmp.path.string() + " && timeout -s KILL " + std::to_string(kCaseSeconds) + " " +
                          std::string(CE_BINARY) + " " + args + " >" + out + " 2>" + err;
  const auto t0 = std::chrono::steady_clock::now();
  const int st = std::system(cmd.c_str());
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CliResult r;
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
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
  CHECK(cases.size() >= 70);
  for (const auto& dir : cases) {
    TempDir tmp;
    double seconds = 0;
    CliResult r = run_case(dir, tmp, &seconds);
    INFO("case " << dir.filename().string() << ": stderr = " << r.err << " (" << seconds << " s)");
    CHECK(r.rc == 2);  // 137: killed after kCaseSeconds (ran away)
    CHECK(seconds < kCaseSeconds);
    CHECK(count_lines(r.err) == 1);
    for (const auto& want : lines_of(slurp((dir / "expect").string()))) CHECK(r.err.find(want) != std::string::npos);
    CHECK_FALSE(fs::exists(tmp / "out"));
    for (auto& e : fs::directory_iterator(tmp.path))
      CHECK(e.path().filename().string().find("partial") == std::string::npos);
  }
}
