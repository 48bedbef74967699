#pragma once
// Writing CSV: the one place that decides how a field is spelled. RFC 4180: a field containing a
// comma, a double quote, CR or LF is enclosed in double quotes, with its quotes doubled; any other
// field is written as is (so numbers and plain names keep their bytes). CsvReader (core/csv.hpp)
// reads such fields back, except CR/LF inside a field (it reads line by line).
#include <string>
#include <string_view>
#include <vector>

namespace ce {

// One field, quoted only when it must be.
std::string csv_field(std::string_view text);

// Fields quoted as needed, joined by ',', ended by '\n'.
std::string csv_row(const std::vector<std::string>& fields);

// Appends one field (quoted as needed) to `out`, without a separator and without a temporary
// string: the per-row path of requests.csv and stages.csv.
void append_csv_text(std::string& out, std::string_view text);

// Appends `,field` (quoted as needed) to a row under construction.
inline void append_csv_field(std::string& row, std::string_view text) {
  row += ',';
  row += csv_field(text);
}

}  // namespace ce
