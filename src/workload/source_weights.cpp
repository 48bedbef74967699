#include "workload/source_weights.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "core/csv.hpp"
#include "core/error.hpp"

namespace ce {

namespace {

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// Index of column `name` in the header, or a FILE:LINE error naming the header it needs.
size_t column(const CsvReader& r, const std::vector<std::string>& header, const char* name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (trimmed(header[i]) == name) return i;
  r.fail(fmt::format("header has no column '{}' (the first line must be 'host,weight')", name));
}

}  // namespace

WeightedChoice read_source_weights(const std::string& path, const WorkloadContext& ctx) {
  CsvReader r(path);
  std::vector<std::string> f;
  if (!r.next(f)) fail_at_line(path, 1, "file is empty (write the header 'host,weight', then one row per host)");
  const size_t host_col = column(r, f, "host"), weight_col = column(r, f, "weight"), ncols = f.size();
  const long header_line = r.line();
  WeightedChoice c;
  while (r.next(f)) {
    if (f.size() != ncols) r.fail(fmt::format("expected {} fields like the header, found {}", ncols, f.size()));
    const std::string host = trimmed(f[host_col]);
    if (host.empty()) r.fail("column 'host' is empty (write a host name or a glob pattern such as '*-users')");
    double w = 0;
    if (!parse_double(f[weight_col], w) || !(w > 0))
      r.fail(fmt::format("column 'weight': '{}' is not a positive number (write a finite weight > 0, e.g. the "
                         "population the host stands for)", trimmed(f[weight_col])));
    // The resolver's own error names the experiment file; here the row at fault is what to fix.
    const std::string key = fmt::format("{}:{}", path, r.line());
    auto resolve = [&](const std::string& name) {
      try {
        c.add(ctx.resolve_host(name, key), w);
      } catch (const InputError&) {
        r.fail(fmt::format("column 'host': unknown host '{}' (not a host of the platform; check the name or "
                           "use a glob pattern such as '*-users')", name));
      }
    };
    if (ctx.hosts_matching && host.find_first_of("*?") != std::string::npos) {  // every match, weight w each
      const std::vector<std::string> matched = ctx.hosts_matching(host);
      if (matched.empty()) r.fail(fmt::format("column 'host': pattern '{}' matches no host of the platform", host));
      for (const auto& m : matched) resolve(m);
    } else {
      resolve(host);
    }
  }
  if (c.empty()) fail_at_line(path, header_line, "no rows after the header (give one 'host,weight' row per host)");
  if (!std::isfinite(c.total()))
    fail_at_line(path, header_line, "the weights add up to more than a double can hold (scale them down)");
  return c;
}

}  // namespace ce
