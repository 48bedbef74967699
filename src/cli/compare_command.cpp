// `carbonedge compare A B [--format table|csv]`: two run directories, or two sweep directories,
// side by side — every run-level metric of every policy in both, with B − A and the relative
// change (src/output/run_compare.hpp, docs/outputs.md). Reads only; writes nothing but stdout.
// Exit codes: 0 compared (whatever changed; `regress` is the one that fails on changes), 2 bad input.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "output/run_compare.hpp"

namespace ce {

namespace {

struct CompareOptions {
  std::string a, b, format = "table";
};

std::string describe(const RunSummaries& r) {
  std::string what = r.sweep ? "sweep" : "run";
  if (!r.name.empty()) what += " " + r.name;
  if (r.seed >= 0) what += fmt::format(", seed {}", r.seed);
  return fmt::format("{} ({}, {} {})", r.dir, what, r.entries.size(), r.sweep ? "point-policies" : "policies");
}

int compare(const CompareOptions& opt) {
  const RunSummaries a = read_run_summaries(opt.a);  // InputError → main prints it, exit 2
  const RunSummaries b = read_run_summaries(opt.b);
  if (a.sweep != b.sweep)
    fail_in_file(opt.b, fmt::format("a {} directory, but {} is a {} directory: compare two runs or two sweeps",
                                    b.sweep ? "sweep" : "run", opt.a, a.sweep ? "sweep" : "run"));
  const RunComparison c = compare_runs(a, b);
  if (opt.format == "csv") {
    std::cout << compare_csv(c);
    // stdout stays one CSV table; what it cannot hold goes to stderr (exit code still 0).
    for (const auto& [side, names] : {std::pair{"A", &c.only_a}, std::pair{"B", &c.only_b}})
      for (const auto& n : *names) std::cerr << fmt::format("note: {} only in {}\n", n, side);
    return 0;
  }
  std::cout << fmt::format("compare A = {}\n        B = {}\n", describe(a), describe(b));
  std::cout << compare_table(c);
  return 0;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto opt = std::make_shared<CompareOptions>();
  CLI::App* sub = app.add_subcommand(
      "compare", "two run (or sweep) directories side by side: every metric of every policy in both, B − A");
  sub->add_option("A", opt->a, "run or sweep directory (the reference side)")->required();
  sub->add_option("B", opt->b, "run or sweep directory")->required();
  sub->add_option("--format", opt->format, "table (default) or csv")->check(CLI::IsMember({"table", "csv"}));
  return {sub, [opt] { return compare(*opt); }};
}

}  // namespace ce
