#include "models/zoo.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "models/llm_zoo.hpp"
#include "models/zoo_builders.hpp"

namespace ce {

namespace {

struct Entry {
  std::function<ArchBuilder()> build;
  double top1, top5;  // ImageNet-1k single-crop 224 accuracy, percent
};

// Accuracy sources:
//  * top-1: torchvision *_Weights.IMAGENET1K_V1 meta "acc@1" (shared/reference/dnn/PROFILES.md §1.3).
//  * top-5 of ResNets / VGG-16 / AlexNet: 100 - top-5 error of the torchvision error table
//    (shared/reference/papers.md §2.4); the meta "acc@5" differs by < 0.01 (e.g. 92.862 vs 92.87).
//  * top-5 of the others: torchvision meta "acc@5" (read in copies of torchvision/models/*.py).
//  * YOLOv3-tiny (COCO detector, mAP@0.5 = 33.1) and BERT-base (GLUE etc.) have no ImageNet
//    accuracy: 0 = not applicable. Each is alone in its family, so model selection never compares it.
std::vector<std::pair<std::string, Entry>> registry() {
  using namespace zoo_detail;
  return {
      {"resnet18", {[] { return resnet(18); }, 69.758, 100 - 10.92}},
      {"resnet34", {[] { return resnet(34); }, 73.314, 100 - 8.58}},
      {"resnet50", {[] { return resnet(50); }, 76.130, 100 - 7.13}},
      {"resnet101", {[] { return resnet(101); }, 77.374, 100 - 6.44}},
      {"resnet152", {[] { return resnet(152); }, 78.312, 100 - 5.94}},
      {"vgg16", {vgg16, 71.592, 100 - 9.62}},
      {"alexnet", {alexnet, 56.522, 100 - 20.91}},
      {"squeezenet1_0", {[] { return squeezenet(false); }, 58.092, 80.420}},
      {"squeezenet1_1", {[] { return squeezenet(true); }, 58.178, 80.624}},
      {"mobilenet_v2", {mobilenet_v2, 71.878, 90.286}},
      {"mobilenet_v3_large", {[] { return mobilenet_v3(true); }, 74.042, 91.340}},
      {"mobilenet_v3_small", {[] { return mobilenet_v3(false); }, 67.668, 87.402}},
      {"efficientnet_b0", {efficientnet_b0, 77.692, 93.532}},
      {"vit_b_16", {vit_b_16, 81.072, 95.318}},
      {"bert_base_seq128", {[] { return bert_base(128); }, 0, 0}},
      {"yolov3_tiny_416", {[] { return yolov3_tiny(416); }, 0, 0}},
  };
}

struct Zoo {
  std::vector<ModelProfile> models;
  Zoo() {
    for (auto& [name, e] : registry()) {
      models.push_back(e.build().finish(e.top1, e.top5));
      if (models.back().name != name)  // registry key and builder must agree
        throw std::logic_error("zoo: builder for " + name + " named it " + models.back().name);
    }
    for (ModelProfile& m : build_llm_zoo()) models.push_back(std::move(m));
  }
};

const Zoo& zoo() {
  static const Zoo z;  // thread-safe lazy init (C++11 magic statics)
  return z;
}

}  // namespace

const ModelProfile* find_model(const std::string& name) {
  for (const auto& m : zoo().models)
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<std::string> zoo_model_names() {
  std::vector<std::string> out;
  for (const auto& m : zoo().models) out.push_back(m.name);
  return out;
}

std::vector<const ModelProfile*> family_members(const std::string& family) {
  std::vector<const ModelProfile*> out;
  for (const auto& m : zoo().models)
    if (m.family == family) out.push_back(&m);
  std::sort(out.begin(), out.end(), [](const ModelProfile* a, const ModelProfile* b) {
    const auto ma = a->total_macs(), mb = b->total_macs();
    return ma != mb ? ma < mb : a->name < b->name;
  });
  return out;
}

}  // namespace ce
