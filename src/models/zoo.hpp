#pragma once
// The built-in DNN model zoo: every profile is derived from its architecture description
// (models/architecture.hpp; the language models from models/llm_architecture.hpp at three weight
// precisions, models/llm_zoo.hpp), built once on first use and immutable afterwards.
#include <string>
#include <vector>

#include "models/model_profile.hpp"

namespace ce {

// nullptr when `name` is not a zoo model.
const ModelProfile* find_model(const std::string& name);
// All zoo model names, in registry order.
std::vector<std::string> zoo_model_names();
// Members of a family (resnet, vgg, alexnet, squeezenet, mobilenet, efficientnet, vit, bert,
// yolo; the language models' llama-3.2, qwen2.5, phi-3, gemma-2, tinyllama), sorted by total MACs ascending (ties by name); empty for an unknown family.
std::vector<const ModelProfile*> family_members(const std::string& family);

}  // namespace ce
