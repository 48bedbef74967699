// Classic ImageNet CNNs, transcribed from torchvision/models/{resnet,vgg,alexnet,squeezenet}.py.
// Rows: chain nets per layer (conv+ReLU fused, pool and FC separate); ResNet per residual block
// (a cut inside a block would have to ship two tensors); SqueezeNet per Fire module.
#include <stdexcept>
#include <string>

#include "models/zoo_builders.hpp"

namespace ce::zoo_detail {

namespace {

// torchvision BasicBlock: 3x3(stride) BN ReLU, 3x3 BN, [1x1(stride) BN downsample], add, ReLU.
void basic_block(ArchBuilder& b, int64_t planes, int stride) {
  const Shape in = b.cur();
  b.conv(planes, 3, stride, 1, 1, false, true, "relu");
  b.conv(planes, 3, 1, 1, 1, false, true);
  if (stride != 1 || in.c != planes) {
    const Shape main = b.cur();
    b.set(in);
    b.conv(planes, 1, stride, 0, 1, false, true);
    b.set(main);
  }
  b.add();
  b.activation("relu");
}

// torchvision Bottleneck (ResNet v1.5: the stride sits on the 3x3, not on the first 1x1).
void bottleneck(ArchBuilder& b, int64_t planes, int stride) {
  const Shape in = b.cur();
  b.conv(planes, 1, 1, 0, 1, false, true, "relu");
  b.conv(planes, 3, stride, 1, 1, false, true, "relu");
  b.conv(planes * 4, 1, 1, 0, 1, false, true);
  if (stride != 1 || in.c != planes * 4) {
    const Shape main = b.cur();
    b.set(in);
    b.conv(planes * 4, 1, stride, 0, 1, false, true);
    b.set(main);
  }
  b.add();
  b.activation("relu");
}

// Fire: squeeze 1x1 + ReLU, then expand1x1 and expand3x3 (each + ReLU) on the squeezed tensor,
// concatenated along channels.
void fire(ArchBuilder& b, int64_t squeeze, int64_t e1, int64_t e3) {
  b.conv(squeeze, 1, 1, 0, 1, true, false, "relu");
  const Shape s = b.cur();
  b.conv(e1, 1, 1, 0, 1, true, false, "relu");
  const Shape x1 = b.cur();
  b.set(s);
  b.conv(e3, 3, 1, 1, 1, true, false, "relu");
  const Shape x3 = b.cur();
  b.concat({x1, x3});
}

}  // namespace

ArchBuilder resnet(int depth) {
  int blocks[4];
  bool bottle = depth >= 50;
  switch (depth) {
    case 18: blocks[0] = 2, blocks[1] = 2, blocks[2] = 2, blocks[3] = 2; break;
    case 34: blocks[0] = 3, blocks[1] = 4, blocks[2] = 6, blocks[3] = 3; break;
    case 50: blocks[0] = 3, blocks[1] = 4, blocks[2] = 6, blocks[3] = 3; break;
    case 101: blocks[0] = 3, blocks[1] = 4, blocks[2] = 23, blocks[3] = 3; break;
    case 152: blocks[0] = 3, blocks[1] = 8, blocks[2] = 36, blocks[3] = 3; break;
    default: throw std::logic_error("resnet depth " + std::to_string(depth));
  }
  ArchBuilder b("resnet" + std::to_string(depth), "resnet", Shape::image(3, 224, 224));
  b.row("conv1+bn+relu", "conv");
  b.conv(64, 7, 2, 3, 1, false, true, "relu");
  b.row("maxpool", "pool");
  b.maxpool(3, 2, 1);
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t planes = int64_t{64} << stage;
    for (int i = 0; i < blocks[stage]; ++i) {
      const int stride = (stage > 0 && i == 0) ? 2 : 1;
      b.row("layer" + std::to_string(stage + 1) + "." + std::to_string(i),
            bottle ? "bottleneck" : "basicblock");
      if (bottle)
        bottleneck(b, planes, stride);
      else
        basic_block(b, planes, stride);
    }
  }
  b.row("avgpool", "pool");
  b.adaptive_avgpool(1, 1);
  b.row("fc", "linear");
  b.linear(1000);
  return b;
}

ArchBuilder vgg16() {
  // cfg "D": 64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M (0 = maxpool).
  const int cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
  ArchBuilder b("vgg16", "vgg", Shape::image(3, 224, 224));
  int conv_i = 0, pool_i = 0;
  for (int c : cfg) {
    if (c == 0) {
      b.row("pool" + std::to_string(++pool_i), "pool");
      b.maxpool(2, 2);
    } else {
      b.row("conv" + std::to_string(++conv_i) + "+relu", "conv");
      b.conv(c, 3, 1, 1, 1, true, false, "relu");
    }
  }
  // AdaptiveAvgPool2d(7,7) is the identity at 224x224; it belongs to the pool5 cut point.
  b.adaptive_avgpool(7, 7);
  b.row("fc1+relu", "linear");
  b.linear(4096, true, "relu");  // dropout is free and ignored
  b.row("fc2+relu", "linear");
  b.linear(4096, true, "relu");
  b.row("fc3", "linear");
  b.linear(1000);
  return b;
}

ArchBuilder alexnet() {
  ArchBuilder b("alexnet", "alexnet", Shape::image(3, 224, 224));
  b.row("conv1+relu", "conv");
  b.conv(64, 11, 4, 2, 1, true, false, "relu");
  b.row("pool1", "pool");
  b.maxpool(3, 2);
  b.row("conv2+relu", "conv");
  b.conv(192, 5, 1, 2, 1, true, false, "relu");
  b.row("pool2", "pool");
  b.maxpool(3, 2);
  b.row("conv3+relu", "conv");
  b.conv(384, 3, 1, 1, 1, true, false, "relu");
  b.row("conv4+relu", "conv");
  b.conv(256, 3, 1, 1, 1, true, false, "relu");
  b.row("conv5+relu", "conv");
  b.conv(256, 3, 1, 1, 1, true, false, "relu");
  b.row("pool5", "pool");
  b.maxpool(3, 2);
  b.adaptive_avgpool(6, 6);  // identity at 224x224
  b.row("fc6+relu", "linear");
  b.linear(4096, true, "relu");
  b.row("fc7+relu", "linear");
  b.linear(4096, true, "relu");
  b.row("fc8", "linear");
  b.linear(1000);
  return b;
}

ArchBuilder squeezenet(bool v1_1) {
  ArchBuilder b(v1_1 ? "squeezenet1_1" : "squeezenet1_0", "squeezenet", Shape::image(3, 224, 224));
  struct Fire { int64_t s, e1, e3; };
  auto fire_row = [&](int idx, Fire f) {
    b.row("fire" + std::to_string(idx), "fire");
    fire(b, f.s, f.e1, f.e3);
  };
  int pool_i = 0;
  auto pool_row = [&]() {
    b.row("maxpool" + std::to_string(++pool_i), "pool");
    b.maxpool(3, 2, 0, /*ceil_mode=*/true);
  };
  b.row("conv1+relu", "conv");
  if (v1_1) {
    b.conv(64, 3, 2, 0, 1, true, false, "relu");
    pool_row();
    fire_row(2, {16, 64, 64});
    fire_row(3, {16, 64, 64});
    pool_row();
    fire_row(4, {32, 128, 128});
    fire_row(5, {32, 128, 128});
    pool_row();
    fire_row(6, {48, 192, 192});
    fire_row(7, {48, 192, 192});
    fire_row(8, {64, 256, 256});
    fire_row(9, {64, 256, 256});
  } else {
    b.conv(96, 7, 2, 0, 1, true, false, "relu");
    pool_row();
    fire_row(2, {16, 64, 64});
    fire_row(3, {16, 64, 64});
    fire_row(4, {32, 128, 128});
    pool_row();
    fire_row(5, {32, 128, 128});
    fire_row(6, {48, 192, 192});
    fire_row(7, {48, 192, 192});
    fire_row(8, {64, 256, 256});
    pool_row();
    fire_row(9, {64, 256, 256});
  }
  b.row("conv10+relu", "conv");  // classifier: dropout (free), final 1x1 conv, ReLU
  b.conv(1000, 1, 1, 0, 1, true, false, "relu");
  b.row("avgpool", "pool");
  b.adaptive_avgpool(1, 1);
  return b;
}

}  // namespace ce::zoo_detail
