// The run and validate subcommands' flags, and the flags every experiment-loading command shares.
#include "cli/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include "cli/run_command.hpp"

namespace ce {

CLI::Validator jobs_validator() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        bool digits = !v.empty() && v.size() <= 6 && v.find_first_not_of("0123456789") == std::string::npos;
        return digits ? "" : "must be a non-negative integer, 0 meaning all cores (got '" + v + "')";
      },
      "UINT");
}

void add_load_flags(CLI::App* sub, LoadOptions& load) {
  sub->add_option("--set", load.overrides, "override a key of the experiment: key.path=value (repeatable)");
  sub->add_option("--data-root", load.data_root,
                  "where the real data lives (default: $CARBONEDGE_DATA_ROOT, else ../shared/data)");
  sub->add_option("--seed", load.seed, "random seed (replaces the experiment's seed)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            // CLI11's NonNegativeNumber reports a non-number as "not in range 0 to 1.79e308".
            bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
            if (!digits) return "must be a non-negative integer (got '" + v + "')";
            // Leading zeros would make CLI11 read octal (010 → 8); the value must fit the option's
            // long below LONG_MAX (which load_experiment reserves), never be clamped into it.
            v.erase(0, std::min(v.find_first_not_of('0'), v.size() - 1));
            uint64_t x = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
            constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<long>::max()) - 1;
            if (ec != std::errc() || end != v.data() + v.size() || x > kMax)
              return fmt::format("'{}' is out of range (0 to {})", v, kMax);
            return "";
          },
          "UINT"));
}

Command add_run_command(CLI::App& app) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand("run", "simulate every policy of an experiment and compare them");
  sub->add_option("experiment", opt->experiment, "experiment YAML file")->required();
  sub->add_option("--out,-o", opt->out_dir,
                  "output directory (default: results/<experiment name>); must be new, empty, or an earlier output "
                  "of this experiment, which is replaced (docs/outputs.md)");
  sub->add_option("--jobs,-j", opt->jobs, "policies simulated in parallel (default and 0: all cores)")
      ->check(jobs_validator());
  sub->add_flag("--quiet,-q", opt->quiet, "no progress display on stderr, nothing printed on success");
  sub->add_option("--policies", opt->policies, "run only these policies of the experiment: label,label,...");
  add_load_flags(sub, opt->load);
  return {sub, [opt] { return run_command(*opt); }};
}

Command add_validate_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto load = std::make_shared<LoadOptions>();
  auto policies = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("validate", "check an experiment and every file it names; runs nothing");
  sub->add_option("file", *file, "experiment YAML file")->required();
  sub->add_option("--policies", *policies, "also check that these policy labels exist: label,label,...");
  add_load_flags(sub, *load);
  return {sub, [file, load, policies] {
            if (!policies->empty()) pick_policies(load_experiment(*file, *load), *policies);  // InputError: exit 2
            return validate_command(*file, *load);
          }};
}

}  // namespace ce
