#include "models/catalog.hpp"

#include <algorithm>

#include "models/zoo.hpp"

namespace ce {

ModelCatalog::ModelCatalog(const std::vector<CustomModelSpec>& custom, const std::vector<FamilySpec>& families)
    : families_(families) {
  // A custom model is one row of work after its input row: it cannot be partitioned.
  for (const auto& c : custom) {
    ModelProfile m;
    m.name = c.name;
    m.family = c.family;
    m.top1 = c.top1;
    m.top5 = c.top5;
    m.layers.push_back({"input", "input", 0, 0, static_cast<uint64_t>(c.input_elems), 0});
    m.layers.push_back({"whole-model", c.layer_type, static_cast<uint64_t>(c.gmacs * 1e9),
                        static_cast<uint64_t>(c.params), static_cast<uint64_t>(c.output_elems), 0});
    custom_.push_back(std::move(m));
  }
}

const ModelProfile* ModelCatalog::find(const std::string& name) const {
  for (const auto& m : custom_)
    if (m.name == name) return &m;
  return find_model(name);
}

std::vector<const ModelProfile*> ModelCatalog::variants(const std::string& name) const {
  if (const ModelProfile* m = find(name)) return {m};
  std::vector<const ModelProfile*> out;
  for (const auto& f : families_)
    if (f.name == name)
      for (const auto& member : f.members)
        if (const ModelProfile* m = find(member)) out.push_back(m);
  if (out.empty()) {
    out = family_members(name);
    for (const auto& m : custom_)
      if (m.family == name) out.push_back(&m);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ModelProfile* a, const ModelProfile* b) { return a->total_macs() < b->total_macs(); });
  return out;
}

std::vector<std::string> ModelCatalog::names() const {
  std::vector<std::string> out = zoo_model_names();
  for (const auto& m : custom_) out.push_back(m.name);
  return out;
}

}  // namespace ce
