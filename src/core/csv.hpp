#pragma once
// A small streaming CSV reader that knows its file name and line number, so every parse error
// can say "FILE:LINE: ...". Handles quoted fields ("a,b"), CRLF, a UTF-8 BOM and a last line
// without a trailing newline (the Azure traces end that way).
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace ce {

class CsvReader {
 public:
  explicit CsvReader(const std::string& path);
  // Reads the next non-empty line into fields; false at end of file.
  bool next(std::vector<std::string>& fields);
  long line() const { return line_; }
  const std::string& path() const { return path_; }

  // Field conversions that fail with "FILE:LINE: column 'name': ..." on bad text.
  double to_double(const std::string& text, const std::string& column) const;
  int64_t to_int(const std::string& text, const std::string& column) const;
  double to_utc(const std::string& text, const std::string& column) const;
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string path_;
  std::ifstream in_;
  long line_ = 0;
  std::string raw_;
};

void split_csv_line(std::string_view line, std::vector<std::string>& out);
// Strict number parsing: the whole text must be a finite number.
bool parse_double(std::string_view text, double& out);

}  // namespace ce
