#pragma once
// File helpers shared by every stage: hashing inputs for run.json and writing outputs atomically.
#include <string>

namespace ce {

std::string sha256_file(const std::string& path);  // lowercase hex
std::string sha256_text(const std::string& text);  // lowercase hex
// Writes to PATH.tmp then renames over PATH, so a reader never sees a half-written file.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace ce
