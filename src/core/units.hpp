#pragma once
// Quantities with units as written in YAML: "1.5Gf" (flop/s), "100Mbps", "5ms", "4GB", "2h".
// A bare number is taken in the base unit (flop/s, bytes/s, seconds, bytes). Durations may also be
// compound, largest unit first: "5h30min", "1d12h", "1h30min15s".
#include <optional>
#include <string>

namespace ce {

enum class Unit { Speed, Bandwidth, Duration, Bytes };

// nullopt when the text is not a number with a known suffix for this kind of quantity, or when the
// value in the base unit is not a finite double ("1e305d": out of range).
std::optional<double> parse_quantity(const std::string& text, Unit unit);
// True when parse_quantity failed only because the value overflows (a number with a valid suffix).
bool quantity_out_of_range(const std::string& text, Unit unit);
const char* unit_examples(Unit unit);

}  // namespace ce
