#pragma once
// Where `carbonedge run` may write (docs/reliability.md, "Output directories and processes").
//
// The rule: a run writes only inside a directory it created — its staging directory
// OUT.partial-<pid>, next to OUT — and at the end puts that directory in OUT's place. OUT may be
//   - absent (its missing parents are created),
//   - an empty directory (rename(2) replaces it only while it is still empty), or
//   - an earlier output of the same experiment: a directory carrying the marker file
//     `.carbonedge-run` whose `experiment` is this experiment file; it is swapped out atomically
//     (renameat2 RENAME_EXCHANGE) and then removed.
// Anything else (a file, a symbolic link, a directory without our marker or with another
// experiment's, the current directory or one holding it, a directory holding an input file) is
// refused before anything is written: InputError, exit 2, one line naming OUT and what to do.
// Nothing is ever deleted unless it carries our marker (or is an empty directory).
//
// A run killed with SIGKILL leaves OUT.partial-<pid> behind; the next run to the same OUT removes
// it when the pid is dead (a zombie counts as dead), the marker's lock is free (flock, held by a
// live run and its children, also across NFS clients) and the marker is there.
#include <filesystem>
#include <string>
#include <vector>

namespace ce {

inline constexpr const char* kRunMarker = ".carbonedge-run";

struct OutputDir {
  std::string shown;           // OUT as given, normalised without a trailing slash: for messages
  std::filesystem::path path;  // absolute, normalised
  bool exists = false;         // an empty directory or our own earlier output: replaced at the end
  bool own = false;            // exists and carries this experiment's marker
};

// The marker's content: which experiment wrote the directory. Deterministic (no time, no pid),
// so two runs of the same experiment give byte-identical directories.
std::string run_marker(const std::string& experiment_file, const std::string& name);

// Whether `out` may receive the output of `experiment_file` (InputError when not); touches nothing.
// `inputs` are the files the run reads: OUT may not hold any of them.
OutputDir claim_output_dir(const std::string& out, const std::string& experiment_file,
                           const std::vector<std::string>& inputs);

// OUT.partial-<pid>, made with the marker in it (locked while this process or a child of it
// lives). Removed by the destructor unless install() put it in OUT's place.
class StagingDir {
 public:
  StagingDir(const OutputDir& out, const std::string& marker);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;

  std::string path() const { return path_.string(); }
  void install();  // puts the staging directory in OUT's place (see the rule above)
  void discard();  // removes it now

 private:
  OutputDir out_;
  std::filesystem::path path_;
  int lock_fd_ = -1;
  bool done_ = false;
};

// Removes, in `dir`, the staging directories `<base>.partial-<pid>` (any base when `base` is
// empty) left by runs that are gone: pid not alive, marker present (or the directory empty), its
// lock free. Best effort; returns how many it removed.
size_t remove_stale_staging(const std::filesystem::path& dir, const std::string& base);

// remove_all(dir) only if it carries our marker; false (nothing touched) otherwise.
bool remove_marked_dir(const std::filesystem::path& dir);

// Recreates the directory `from` (regular files and directories only) at `to`, which must not
// exist: each file hard-linked, else copied. Reads `from`, never writes to it (a resumed run reuses
// a finished policy's directory of OUT this way, before OUT is swapped out). False, with `to`
// removed, when anything failed.
bool link_or_copy_tree(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace ce
