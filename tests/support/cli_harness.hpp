#pragma once
// Runs the real carbonedge binary on files a test writes into its own temp directory, and reads
// back what it produced. Used by golden and end-to-end tests (each ctest case is its own process).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace cetest {

namespace fs = std::filesystem;

inline std::string source_dir() { return CE_TEST_SOURCE_DIR; }
inline std::string data_root() { return source_dir() + "/../shared/data"; }

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/carbonedge-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& content) const {
    fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p.string();
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

struct CliResult {
  int rc = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `carbonedge ARGS` with stdout and stderr captured into files in `tmp`; from `workdir`
// when given (so relative paths in ARGS resolve there).
inline CliResult run_cli(const std::string& args, const TempDir& tmp, const std::string& workdir = "") {
  std::string out = tmp / "stdout.txt", err = tmp / "stderr.txt";
  std::string cmd = (workdir.empty() ? "" : "cd " + workdir + " && ") + std::string(CE_BINARY) + " " + args + " >" +
                    out + " 2>" + err;
  int st = std::system(cmd.c_str());
  CliResult r;
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(slurp(path)); }

// Index of the column named `name` in a CSV header row (throws when there is none: the test fails).
inline size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw std::runtime_error("no column " + name);
}

// CSV rows as maps column -> text (small files only).
inline std::vector<std::vector<std::string>> read_csv_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) f.push_back(x);
    if (!line.empty() && line.back() == ',') f.push_back("");
    rows.push_back(f);
  }
  return rows;
}

// |got − want| / |want|: the golden tests compare with hand computations to 1e-9 of it.
inline double rel_err(double got, double want) { return std::abs(got - want) / std::abs(want); }

inline size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace cetest
