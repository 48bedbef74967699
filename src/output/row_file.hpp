#pragma once
// One output table written once, front to back, while its rows are produced: plain CSV, or gzip
// (output.format: csv.gz, path + ".gz"). Rows are appended to buffer(), which goes to disk in
// 64 KiB blocks, so memory stays one block whatever the number of rows, and the file on disk is
// never read back, rewritten or renamed: the run's staging directory OUT.partial-<pid> is what
// makes the whole output atomic (docs/outputs.md).
#include <zlib.h>

#include <cstdio>
#include <string>

namespace ce {

class RowFile {
 public:
  // `path` without the .gz suffix; `gzip` adds it.
  RowFile(std::string path, bool gzip);
  ~RowFile();
  RowFile(const RowFile&) = delete;
  RowFile& operator=(const RowFile&) = delete;

  // Append whole rows ('\n'-terminated) here, then call row_done().
  std::string& buffer() { return buf_; }
  void row_done() {
    if (buf_.size() >= kBlock) flush();
  }
  // Writes what is left and closes; throws "cannot write PATH" if any write failed.
  void close();
  const std::string& path() const { return path_; }

 private:
  static constexpr size_t kBlock = 64 * 1024;
  void flush();
  std::string path_;
  std::FILE* f_ = nullptr;
  gzFile gz_ = nullptr;
  std::string buf_;
  bool failed_ = false;
};

}  // namespace ce
