#include "core/units.hpp"

#include <cctype>
#include <cmath>
#include <utility>
#include <vector>

#include "core/csv.hpp"

namespace ce {

namespace {
using Table = std::vector<std::pair<const char*, double>>;

const Table& table(Unit unit) {
  static const Table speed = {{"", 1},       {"f", 1},        {"kf", 1e3},     {"Mf", 1e6},
                              {"Gf", 1e9},   {"Tf", 1e12},    {"Pf", 1e15},    {"flops", 1},
                              {"kflops", 1e3}, {"Mflops", 1e6}, {"Gflops", 1e9}, {"Tflops", 1e12}};
  // SimGrid convention: Bps = bytes/s, bps = bits/s.
  static const Table bw = {{"", 1},          {"Bps", 1},       {"kBps", 1e3},     {"MBps", 1e6},
                           {"GBps", 1e9},    {"bps", 0.125},   {"kbps", 125},     {"Mbps", 125e3},
                           {"Gbps", 125e6},  {"KiBps", 1024},  {"MiBps", 1048576}, {"GiBps", 1073741824.0}};
  static const Table dur = {{"", 1},   {"s", 1},      {"ms", 1e-3}, {"us", 1e-6},
                            {"ns", 1e-9}, {"min", 60}, {"h", 3600}, {"d", 86400}, {"y", 365 * 86400.0}};
  static const Table bytes = {{"", 1},         {"B", 1},    {"kB", 1e3},           {"KB", 1e3},
                              {"MB", 1e6},     {"GB", 1e9}, {"TB", 1e12},          {"KiB", 1024},
                              {"MiB", 1048576}, {"GiB", 1073741824.0}};
  switch (unit) {
    case Unit::Speed: return speed;
    case Unit::Bandwidth: return bw;
    case Unit::Duration: return dur;
    case Unit::Bytes: return bytes;
  }
  return speed;
}
}  // namespace

namespace {
// "5h30min", "1d12h": two or more <decimal><unit> parts, units from the largest down, each unit at
// most once (so "30min5h" and "1h1h" are refused as likely typos). Plain decimals only: an exponent
// would be ambiguous with the unit letters. Sets *overflow when the parts parse but the sum is not finite.
std::optional<double> parse_compound_duration(const std::string& text, bool* overflow) {
  const Table& units = table(Unit::Duration);
  double total = 0, last_factor = 0;
  size_t i = 0, parts = 0;
  while (i < text.size()) {
    const size_t num_start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string number = text.substr(num_start, unit_start - num_start), suffix = text.substr(unit_start, i - unit_start);
    double v, factor = 0;
    if (number.empty() || suffix.empty() || !parse_double(number, v)) return std::nullopt;
    for (auto& [name, f] : units)
      if (suffix == name) factor = f;
    if (factor == 0 || (parts > 0 && factor >= last_factor)) return std::nullopt;
    total += v * factor;
    last_factor = factor;
    ++parts;
  }
  if (parts < 2) return std::nullopt;
  if (!std::isfinite(total)) {
    if (overflow) *overflow = true;
    return std::nullopt;
  }
  return total;
}
}  // namespace

std::optional<double> parse_quantity(const std::string& text, Unit unit) {
  if (unit == Unit::Duration)
    if (auto v = parse_compound_duration(text, nullptr)) return v;
  size_t end = text.size();
  while (end > 0 && std::isalpha(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string number = text.substr(0, end), suffix = text.substr(end);
  double v;
  if (!parse_double(number, v)) return std::nullopt;
  for (auto& [name, factor] : table(unit))
    if (suffix == name) {
      const double q = v * factor;
      if (!std::isfinite(q)) return std::nullopt;
      return q;
    }
  return std::nullopt;
}

bool quantity_out_of_range(const std::string& text, Unit unit) {
  bool overflow = false;
  if (unit == Unit::Duration && (parse_compound_duration(text, &overflow), overflow)) return true;
  size_t end = text.size();
  while (end > 0 && std::isalpha(static_cast<unsigned char>(text[end - 1]))) --end;
  double v;
  if (!parse_double(text.substr(0, end), v)) return false;
  const std::string suffix = text.substr(end);
  for (auto& [name, factor] : table(unit))
    if (suffix == name) return !std::isfinite(v * factor);
  return false;
}

const char* unit_examples(Unit unit) {
  switch (unit) {
    case Unit::Speed: return "a speed such as 1.5Gf or 2e9";
    case Unit::Bandwidth: return "a bandwidth such as 100Mbps (bits) or 12.5MBps (bytes)";
    case Unit::Duration: return "a duration such as 5ms, 2h, 5h30min or 30 (seconds)";
    case Unit::Bytes: return "a size such as 4GB or 512MiB";
  }
  return "";
}

}  // namespace ce
