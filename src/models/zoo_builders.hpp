#pragma once
// Internal: one builder per architecture family (zoo_*.cpp). Accuracy is filled in by zoo.cpp,
// which owns the registry, so every number with a source sits in one table.
#include "models/architecture.hpp"

namespace ce::zoo_detail {

ArchBuilder resnet(int depth);             // 18, 34, 50, 101, 152 (torchvision, v1.5)
ArchBuilder vgg16();
ArchBuilder alexnet();
ArchBuilder squeezenet(bool v1_1);
ArchBuilder mobilenet_v2();
ArchBuilder mobilenet_v3(bool large);
ArchBuilder efficientnet_b0();
ArchBuilder vit_b_16();
ArchBuilder bert_base(int seq_len);
ArchBuilder yolov3_tiny(int size);

}  // namespace ce::zoo_detail
