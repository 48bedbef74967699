#pragma once
// Every model an experiment can name: the built-in zoo plus the experiment's own `models:` entries.
// A request names a family (served by any of its variants) or one model.
#include <deque>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "models/model_profile.hpp"

namespace ce {

class ModelCatalog {
 public:
  explicit ModelCatalog(const std::vector<CustomModelSpec>& custom = {}, const std::vector<FamilySpec>& families = {});
  const ModelProfile* find(const std::string& name) const;  // nullptr if unknown
  // Models that can serve a request for `name`, cheapest (fewest MACs) first; empty if unknown.
  std::vector<const ModelProfile*> variants(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::deque<ModelProfile> custom_;  // deque: stable addresses
  std::vector<FamilySpec> families_;
};

}  // namespace ce
