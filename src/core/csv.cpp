#include "core/csv.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

#include "core/error.hpp"
#include "core/time_utc.hpp"

namespace ce {

CsvReader::CsvReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) fail_in_file(path, "cannot open file for reading (check the path and permissions)");
}

bool CsvReader::next(std::vector<std::string>& fields) {
  while (std::getline(in_, raw_)) {
    ++line_;
    if (!raw_.empty() && raw_.back() == '\r') raw_.pop_back();
    if (line_ == 1 && raw_.size() >= 3 && raw_.compare(0, 3, "\xEF\xBB\xBF") == 0) raw_.erase(0, 3);
    if (raw_.find_first_not_of(" \t") == std::string::npos) continue;
    split_csv_line(raw_, fields);
    return true;
  }
  return false;
}

void split_csv_line(std::string_view line, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
}

bool parse_double(std::string_view t, double& out) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty()) return false;
  if (t.front() == '+') t.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(out);
}

double CsvReader::to_double(const std::string& text, const std::string& column) const {
  double v;
  if (!parse_double(text, v))
    fail(fmt::format("column '{}': '{}' is not a number (write a plain decimal such as 123.4)", column, text));
  return v;
}

int64_t CsvReader::to_int(const std::string& text, const std::string& column) const {
  int64_t v = 0;
  std::string_view t(text);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size())
    fail(fmt::format("column '{}': '{}' is not an integer", column, text));
  return v;
}

double CsvReader::to_utc(const std::string& text, const std::string& column) const {
  auto t = parse_utc(text);
  if (!t)
    fail(fmt::format("column '{}': '{}' is not a UTC date-time (expected YYYY-MM-DD HH:MM:SS)", column, text));
  return *t;
}

void CsvReader::fail(const std::string& what) const { fail_at_line(path_, line_, what); }

}  // namespace ce
