#include "core/time_utc.hpp"

#include <cmath>
#include <cstdio>

namespace ce {

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = m > 2 ? m - 3 : m + 9;  // March = 0 (no int -3 wrapped into unsigned)
  const unsigned doy = (153 * mp + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

double utc_seconds(int y, int mo, int d, int h, int mi, double s) {
  return static_cast<double>(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int month_days(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Reads exactly n digits at pos.
bool digits(std::string_view t, size_t& pos, int n, int& out) {
  if (pos + n > t.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = t[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}
bool expect(std::string_view t, size_t& pos, char c) {
  if (pos < t.size() && t[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

std::optional<double> build(int y, int mo, int d, int h, int mi, double s) {
  if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || s >= 60.0)
    return std::nullopt;
  return utc_seconds(y, mo, d, h, mi, s);
}

// Parses "HH:MM[:SS[.f+]]" from pos to the end (an optional 'Z' may close it).
bool parse_clock(std::string_view t, size_t pos, int& h, int& mi, double& s) {
  int sec = 0;
  if (!digits(t, pos, 2, h) || !expect(t, pos, ':') || !digits(t, pos, 2, mi)) return false;
  s = 0;
  if (expect(t, pos, ':')) {
    if (!digits(t, pos, 2, sec)) return false;
    s = sec;
    if (expect(t, pos, '.')) {
      double scale = 0.1;
      size_t start = pos;
      while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
        s += (t[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return false;
    }
  }
  expect(t, pos, 'Z');
  return pos == t.size();
}

}  // namespace

std::optional<double> parse_utc(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\r')) t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  if (t.size() >= 10 && t[4] == '-') {  // ISO
    if (!digits(t, pos, 4, y) || !expect(t, pos, '-') || !digits(t, pos, 2, mo) ||
        !expect(t, pos, '-') || !digits(t, pos, 2, d))
      return std::nullopt;
    if (pos == t.size()) return build(y, mo, d, 0, 0, 0);
    if (t[pos] != ' ' && t[pos] != 'T') return std::nullopt;
    if (!parse_clock(t, pos + 1, h, mi, s)) return std::nullopt;
    return build(y, mo, d, h, mi, s);
  }
  if (t.size() >= 10 && t[2] == '/') {  // DD/MM/YYYY (spreadsheet-saved Electricity Maps files)
    if (!digits(t, pos, 2, d) || !expect(t, pos, '/') || !digits(t, pos, 2, mo) ||
        !expect(t, pos, '/') || !digits(t, pos, 4, y))
      return std::nullopt;
    if (pos == t.size()) return build(y, mo, d, 0, 0, 0);
    if (t[pos] != ' ') return std::nullopt;
    if (!parse_clock(t, pos + 1, h, mi, s)) return std::nullopt;
    return build(y, mo, d, h, mi, s);
  }
  return std::nullopt;
}

std::string format_utc(double epoch_seconds) {
  // Out of any calendar's range (or not a number): the seconds as they are, not an undefined cast.
  if (!(epoch_seconds > -1e15 && epoch_seconds < 1e15)) {
    char big[48];
    std::snprintf(big, sizeof big, "%g s since 1970", epoch_seconds);
    return big;
  }
  int64_t secs = static_cast<int64_t>(std::floor(epoch_seconds));
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // civil_from_days (Hinnant)
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];  // room for any int64 year (the compiler cannot see the range check above)
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  return buf;
}

}  // namespace ce
