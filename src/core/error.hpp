#pragma once
// One error type for every bad input. Its message is a single line that names the file, the
// line or key, what is wrong and how to fix it; the CLI prints it and exits with code 2.
#include <stdexcept>
#include <string>

namespace ce {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& one_line) : std::runtime_error(one_line) {}
};

// "FILE:LINE: what"
[[noreturn]] void fail_at_line(const std::string& file, long line, const std::string& what);
// "FILE: key 'a.b.c': what"
[[noreturn]] void fail_at_key(const std::string& file, const std::string& key, const std::string& what);
// "FILE: what"
[[noreturn]] void fail_in_file(const std::string& file, const std::string& what);

}  // namespace ce
