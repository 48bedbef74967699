#pragma once
// UTC calendar <-> seconds since the Unix epoch, without time zones or leap seconds
// (all carbon series and traces carbonedge reads are UTC or zone-less).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ce {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
// Seconds since epoch for a calendar date-time (UTC).
double utc_seconds(int y, int mo, int d, int h, int mi, double s);

// Accepts "YYYY-MM-DD HH:MM[:SS[.fffffff]]", the same with 'T' and an optional trailing 'Z',
// "YYYY-MM-DD" and "DD/MM/YYYY HH:MM[:SS]". Returns nullopt when the text is none of these
// or names an impossible date.
std::optional<double> parse_utc(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ" (fractions of a second are truncated).
std::string format_utc(double epoch_seconds);

}  // namespace ce
