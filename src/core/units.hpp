#pragma once
// Quantities with units as written in YAML: "1.5Gf" (flop/s), "100Mbps", "5ms", "4GB", "2h".
// A bare number is taken in the base unit (flop/s, bytes/s, seconds, bytes).
#include <optional>
#include <string>

namespace ce {

enum class Unit { Speed, Bandwidth, Duration, Bytes };

// nullopt when the text is not a number with a known suffix for this kind of quantity.
std::optional<double> parse_quantity(const std::string& text, Unit unit);
const char* unit_examples(Unit unit);

}  // namespace ce
