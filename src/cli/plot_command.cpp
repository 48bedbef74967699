// `carbonedge plot DIR [--out PLOTDIR]`: runs plots/plot_all.py (installed beside platforms/ in
// share_dir()) with Debian's Python 3, which makes every plot the run or sweep directory supports
// and says which it skipped and why (docs/plots.md). The plotting lives in Python because matplotlib
// is the tool for it; this command only finds the scripts and the interpreter.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "config/experiment.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;

namespace ce {

namespace {

struct PlotOptions {
  std::string dir, out, x_key, region_key, only;
};

// $CARBONEDGE_PYTHON lets a test (or a user without /usr/bin/python3) pick another interpreter.
std::string python_path() {
  const char* env = std::getenv("CARBONEDGE_PYTHON");
  return env && *env ? env : "/usr/bin/python3";
}

// Runs argv[0] with argv; returns its exit code (127 if it could not start, 1 if killed).
int spawn(const std::vector<std::string>& args, bool silence_stderr) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (silence_stderr && !freopen("/dev/null", "w", stderr)) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) < 0) return 1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int plot(const PlotOptions& opt) {
  if (!fs::is_directory(opt.dir))
    throw InputError(fmt::format("{}: not a directory (expected the output of `carbonedge run` or `carbonedge sweep`)",
                                 opt.dir));
  if (!fs::exists(fs::path(opt.dir) / "comparison.csv") && !fs::exists(fs::path(opt.dir) / "results.csv"))
    throw InputError(fmt::format("{}: neither a run directory (comparison.csv) nor a sweep directory (results.csv)",
                                 opt.dir));
  const std::string script = (fs::path(share_dir()) / "plots" / "plot_all.py").string();
  if (!fs::exists(script))
    throw std::runtime_error(fmt::format("plot scripts not found: {} (set CARBONEDGE_SHARE_DIR to the directory "
                                         "holding plots/)", script));
  const std::string py = python_path();
  if (access(py.c_str(), X_OK) != 0)
    throw std::runtime_error(fmt::format("{} not found: plots need Python 3 with matplotlib and pandas (Debian: "
                                         "apt-get install python3-matplotlib python3-pandas)", py));
  if (spawn({py, "-c", "import matplotlib, pandas, numpy"}, true) != 0)
    throw std::runtime_error(fmt::format("{} cannot import matplotlib/pandas/numpy (Debian: apt-get install "
                                         "python3-matplotlib python3-pandas)", py));
  std::vector<std::string> args{py, script, opt.dir};
  if (!opt.out.empty()) args.insert(args.end(), {"--out", opt.out});
  if (!opt.x_key.empty()) args.insert(args.end(), {"--x", opt.x_key});
  if (!opt.region_key.empty()) args.insert(args.end(), {"--region-key", opt.region_key});
  if (!opt.only.empty()) args.insert(args.end(), {"--only", opt.only});
  int rc = spawn(args, false);
  return rc == 0 || rc == 2 ? rc : 1;  // the script printed its own error
}

}  // namespace

Command add_plot_command(CLI::App& app) {
  auto opt = std::make_shared<PlotOptions>();
  CLI::App* sub = app.add_subcommand("plot", "plot a run or sweep directory as PNG and SVG (docs/plots.md)");
  sub->add_option("dir", opt->dir, "output directory of `carbonedge run` or `carbonedge sweep`")->required();
  sub->add_option("--out,-o", opt->out, "where to write the plots (default: DIR/plots)");
  sub->add_option("--x", opt->x_key, "swept key of the weight-sweep plot (default: the key ending in w_C)");
  sub->add_option("--region-key", opt->region_key, "swept key of the per-region plot (default: a key naming a region/zone)");
  sub->add_option("--only", opt->only, "comma-separated subset of the plots a,b,c,d,e,f,g,h");
  return {sub, [opt] { return plot(*opt); }};
}

}  // namespace ce
