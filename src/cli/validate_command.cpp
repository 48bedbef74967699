// `carbonedge validate`: prepares an experiment exactly as `run` would (every file read, every key
// checked) and runs nothing.
#include <fmt/format.h>

#include <iostream>

#include "cli/prepared.hpp"
#include "cli/run_command.hpp"

namespace ce {

int validate_command(const std::string& file, const LoadOptions& opt) {
  std::unique_ptr<Prepared> p = prepare(file, opt);
  std::cout << fmt::format("{}: OK — {} hosts, {} links, {} carbon zones, {} models requested, {} policies\n", file,
                           p->exp.platform.hosts.size(), p->exp.platform.links.size(), p->carbon.by_zone.size(),
                           p->requested_models.size(), p->policies.size());
  return 0;
}

}  // namespace ce
