#include "core/error.hpp"

#include <fmt/format.h>

namespace ce {

namespace {
// Keep every message on one line even when it quotes user input.
std::string flatten(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}
}  // namespace

void fail_at_line(const std::string& file, long line, const std::string& what) {
  throw InputError(flatten(fmt::format("{}:{}: {}", file, line, what)));
}
void fail_at_key(const std::string& file, const std::string& key, const std::string& what) {
  throw InputError(flatten(fmt::format("{}: key '{}': {}", file, key, what)));
}
void fail_in_file(const std::string& file, const std::string& what) {
  throw InputError(flatten(fmt::format("{}: {}", file, what)));
}

}  // namespace ce
