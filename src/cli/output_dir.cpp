#include "cli/output_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace ce {

namespace {

// "out/" → "out", "/a/b/" → "/a/b"; "/" stays.
fs::path strip_trailing_slash(fs::path p) {
  p = p.lexically_normal();
  if (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
  return p;
}

// Whether `inner` is `outer` or lies under it (both absolute and normalised).
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing "" element
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

fs::path canonical_or_absolute(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : strip_trailing_slash(c);
}

// The experiment a marker names, "" when the file is missing or not ours.
std::string marker_experiment(const fs::path& dir) {
  std::ifstream in(dir / kRunMarker);
  if (!in) return "";
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.value("carbonedge", "") != "run output") return "";
    return j.value("experiment", "");
  } catch (const std::exception&) {
    return "";
  }
}

// Alive: kill(pid, 0) finds it and it is not a zombie (a parent or an init that has not reaped it
// yet: it writes nothing any more).
bool pid_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;  // no /proc: trust kill()
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return true;
  char state = text[close + 2];
  return state != 'Z' && state != 'X';
}

// Free unless a live run (or one of its children) holds the marker's flock.
bool marker_lock_free(const fs::path& marker) {
  int fd = open(marker.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  bool is_free = flock(fd, LOCK_EX | LOCK_NB) == 0;
  close(fd);  // releases it again
  return is_free;
}

// `name` = base.partial-<digits>[.old]: the pid, else 0.
pid_t staging_pid(const std::string& name, const std::string& base) {
  const std::string tag = ".partial-";
  const size_t at = base.empty() ? name.rfind(tag) : base.size();
  if (at == std::string::npos || name.size() < at + tag.size() || name.compare(at, tag.size(), tag) != 0 ||
      name.compare(0, base.size(), base) != 0)
    return 0;
  std::string rest = name.substr(at + tag.size());
  if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, ".old") == 0) rest.resize(rest.size() - 4);
  if (rest.empty() || rest.size() > 9 || rest.find_first_not_of("0123456789") != std::string::npos) return 0;
  return static_cast<pid_t>(std::stol(rest));
}

}  // namespace

std::string run_marker(const std::string& experiment_file, const std::string& name) {
  nlohmann::json j;
  j["carbonedge"] = "run output";
  j["experiment"] = canonical_or_absolute(experiment_file).string();
  j["name"] = name;
  j["note"] = "written by `carbonedge run`; a later run of the same experiment may replace this directory";
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

OutputDir claim_output_dir(const std::string& out, const std::string& experiment_file,
                           const std::vector<std::string>& inputs) {
  if (out.empty()) throw InputError("--out: empty path; name the output directory");
  OutputDir d;
  d.shown = strip_trailing_slash(out).string();
  d.path = strip_trailing_slash(fs::absolute(out));
  const std::string what_to_do = "choose another --out, or remove it yourself";

  // `--out .` and its relatives: OUT is swapped as a whole, never the directory we stand in.
  std::error_code ec;
  const fs::path real = canonical_or_absolute(d.path);
  const fs::path cwd = fs::current_path(ec);
  if (!ec && within(cwd, real))
    fail_in_file(d.shown, "is the current directory or contains it; carbonedge replaces OUT as a whole, so "
                          "choose another --out (e.g. results/<name>)");
  for (const auto& f : inputs)
    if (!f.empty() && within(canonical_or_absolute(f), real))
      fail_in_file(d.shown, fmt::format("holds an input of this run ({}); choose another --out", f));

  const fs::file_status st = fs::symlink_status(d.path, ec);
  if (!fs::exists(st)) {
    // A missing OUT is created with its parents: the nearest existing ancestor must be a directory.
    for (fs::path a = d.path.parent_path(); !a.empty(); a = a.parent_path()) {
      if (fs::exists(fs::symlink_status(a, ec))) {
        if (!fs::is_directory(a, ec)) fail_in_file(a.string(), "is not a directory; choose another --out");
        break;
      }
      if (a == a.root_path()) break;
    }
    return d;
  }
  if (fs::is_symlink(st))
    fail_in_file(d.shown, "is a symbolic link, which carbonedge would replace by a directory; give the directory "
                          "it points to, or choose another --out");
  if (!fs::is_directory(st))
    fail_in_file(d.shown, fmt::format("exists and is not a directory; carbonedge does not overwrite what it did "
                                      "not write: {}", what_to_do));
  d.exists = true;
  if (fs::is_empty(d.path, ec) && !ec) return d;
  const std::string experiment = marker_experiment(d.path);
  if (experiment.empty())
    fail_in_file(d.shown, fmt::format("exists and was not written by `carbonedge run` (no {} marker); carbonedge "
                                      "does not overwrite what it did not write: {}", kRunMarker, what_to_do));
  const std::string mine = canonical_or_absolute(experiment_file).string();
  if (experiment != mine)
    fail_in_file(d.shown, fmt::format("holds the output of another experiment ({}); {}", experiment, what_to_do));
  d.own = true;
  return d;
}

bool remove_marked_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec)) || !fs::exists(dir / kRunMarker, ec)) return false;
  fs::remove_all(dir, ec);
  return !ec;
}

bool link_or_copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(from, ec)) || !fs::create_directory(to, ec) || ec) return false;
  bool ok = true;
  for (auto it = fs::recursive_directory_iterator(from, ec); ok && !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path dst = to / fs::relative(it->path(), from, ec);
    const fs::file_status st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_directory(st)) {
      ok = fs::create_directory(dst, ec) && !ec;
    } else if (fs::is_regular_file(st)) {
      // The files are never written in place afterwards (summary.json is replaced by rename), so
      // sharing their inodes with OUT's copy, which the swap then removes, is safe.
      fs::create_hard_link(it->path(), dst, ec);
      if (ec) {
        ec.clear();
        ok = fs::copy_file(it->path(), dst, ec) && !ec;
      }
    } else {
      ok = false;  // a link or something stranger: not what a run writes
    }
  }
  if (ec) ok = false;
  if (!ok) fs::remove_all(to, ec);
  return ok;
}

size_t remove_stale_staging(const fs::path& dir, const std::string& base) {
  size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const pid_t pid = staging_pid(name, base);
    if (pid == 0) continue;
    std::error_code e2;
    if (!fs::is_directory(entry.symlink_status(e2))) continue;
    if (pid != getpid() && pid_alive(pid)) continue;  // our own pid here is a dead run's, reused
    const fs::path marker = entry.path() / kRunMarker;
    if (fs::exists(marker, e2)) {
      if (marker_lock_free(marker) && remove_marked_dir(entry.path())) ++removed;
    } else if (fs::is_empty(entry.path(), e2) && !e2 && fs::remove(entry.path(), e2)) {
      ++removed;  // killed between mkdir and the marker: empty, nothing to lose
    }
  }
  return removed;
}

StagingDir::StagingDir(const OutputDir& out, const std::string& marker) : out_(out) {
  const fs::path parent = out.path.parent_path();
  path_ = parent / (out.path.filename().string() + ".partial-" + std::to_string(getpid()));
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) fail_in_file(parent.string(), fmt::format("cannot create the directory ({}); choose another --out", ec.message()));
  remove_stale_staging(parent, out.path.filename().string());
  if (!fs::create_directory(path_, ec) || ec)
    fail_in_file(path_.string(), ec ? fmt::format("cannot create the staging directory ({})", ec.message())
                                    : std::string("exists and is not a staging directory of a dead run; remove it yourself"));
  // The marker first, locked before anything else is written: a live run's staging is never stale.
  const fs::path m = path_ / kRunMarker;
  lock_fd_ = open(m.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (lock_fd_ < 0 || flock(lock_fd_, LOCK_EX) != 0) {
    int err = errno;
    discard();
    throw std::runtime_error(fmt::format("cannot write {}: {}", m.string(), strerror(err)));
  }
  size_t done = 0;
  while (done < marker.size()) {
    ssize_t w = write(lock_fd_, marker.data() + done, marker.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int err = errno;
      discard();
      throw std::runtime_error(fmt::format("cannot write {}: {}", m.string(), strerror(err)));
    }
    done += static_cast<size_t>(w);
  }
}

StagingDir::~StagingDir() {
  if (!done_) discard();
  if (lock_fd_ >= 0) close(lock_fd_);
}

void StagingDir::discard() {
  std::error_code ec;
  fs::remove_all(path_, ec);  // ours: we made it
  done_ = true;
}

void StagingDir::install() {
  const std::string staging = path_.string(), out = out_.path.string();
  if (out_.own) {
    // Atomic swap: OUT is at every moment the old output or the new one, never missing or mixed.
    if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) == 0) {
      done_ = true;
      if (!remove_marked_dir(path_))  // path_ now holds the previous output
        std::cerr << fmt::format("warning: {} changed during the run; what was there is now in {}\n", out_.shown,
                                 staging);
      return;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      throw std::runtime_error(fmt::format("cannot swap {} into {}: {}", staging, out, strerror(errno)));
    // A file system without RENAME_EXCHANGE: move the old output aside (its name is a staging
    // name, so a crash right here leaves something the next run cleans up), then rename.
    const std::string old = staging + ".old";
    if (std::rename(out.c_str(), old.c_str()) != 0)
      throw std::runtime_error(fmt::format("cannot move {} aside: {}", out, strerror(errno)));
    if (std::rename(staging.c_str(), out.c_str()) != 0) {
      int err = errno;
      std::rename(old.c_str(), out.c_str());
      throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", staging, out, strerror(err)));
    }
    done_ = true;
    remove_marked_dir(old);
    return;
  }
  // Absent, or an empty directory: rename(2) fails rather than replace one that is not empty.
  if (std::rename(staging.c_str(), out.c_str()) != 0) {
    int err = errno;
    if (err == ENOTEMPTY || err == EEXIST || err == ENOTDIR || err == EISDIR) {
      done_ = true;  // keep the finished results where they are
      throw std::runtime_error(fmt::format("{}: appeared or changed during the run, so it was left alone; the "
                                           "results are in {}", out_.shown, staging));
    }
    throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", staging, out, strerror(err)));
  }
  done_ = true;
}

}  // namespace ce
