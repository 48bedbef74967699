// YOLOv3-tiny, transcribed from pjreddie/darknet cfg/yolov3-tiny.cfg. One row per darknet layer
// (row = darknet index + 1, row 0 being the input), since darknet itself is a layer list and
// its route layers are the only non-chain edges.
#include <string>

#include "models/zoo_builders.hpp"

namespace ce::zoo_detail {

namespace {

int row_of(int darknet_layer) { return darknet_layer + 1; }

// [convolutional] with batch_normalize=1 (no conv bias; BN gamma/beta) and leaky activation, or
// the linear detection conv (bias, no BN).
void dk_conv(ArchBuilder& b, int idx, int64_t filters, int size, bool bn_leaky) {
  const std::string k = std::to_string(size);
  b.row(std::to_string(idx) + " conv" + k + "x" + k + "/" + std::to_string(filters) +
            (bn_leaky ? "+bn+leaky" : " linear"),
        "conv");
  b.conv(filters, size, 1, size / 2, 1, /*bias=*/!bn_leaky, /*bn=*/bn_leaky, bn_leaky ? "leaky" : nullptr);
}

void dk_maxpool(ArchBuilder& b, int idx, int size, int stride) {
  b.row(std::to_string(idx) + " maxpool" + std::to_string(size) + "/" + std::to_string(stride), "pool");
  b.maxpool_darknet(size, stride);
}

void dk_yolo(ArchBuilder& b, int idx) {
  const Shape x = b.cur();
  b.row(std::to_string(idx) + " yolo(" + std::to_string(x.h) + "x" + std::to_string(x.w) + ")", "yolo");
  b.reshape("yolo_decode", x);  // logistic on x,y,obj,cls: elementwise, not counted
}

}  // namespace

ArchBuilder yolov3_tiny(int size) {
  ArchBuilder b("yolov3_tiny_" + std::to_string(size), "yolo", Shape::image(3, size, size));
  int i = 0;
  const int64_t widths[] = {16, 32, 64, 128, 256};
  for (int64_t f : widths) {  // layers 0..9: conv3x3 + maxpool 2/2
    dk_conv(b, i++, f, 3, true);
    dk_maxpool(b, i++, 2, 2);
  }
  dk_conv(b, i++, 512, 3, true);   // 10
  dk_maxpool(b, i++, 2, 1);        // 11: size 2 stride 1 keeps 13x13
  dk_conv(b, i++, 1024, 3, true);  // 12
  dk_conv(b, i++, 256, 1, true);   // 13
  dk_conv(b, i++, 512, 3, true);   // 14
  dk_conv(b, i++, 255, 1, false);  // 15: 3 anchors x (80 classes + 5)
  dk_yolo(b, i++);                 // 16
  // 17: route -4 = output of layer 13
  b.row(std::to_string(i) + " route -4", "route");
  b.uses_row_output(row_of(i - 4));
  b.set(b.row_output(row_of(i - 4)));
  b.reshape("route", b.cur());
  ++i;
  dk_conv(b, i++, 128, 1, true);  // 18
  b.row(std::to_string(i++) + " upsample x2", "upsample");  // 19
  b.upsample(2);
  // 20: route -1, 8 = concat(layer 19, layer 8) along channels
  b.row(std::to_string(i) + " route -1;8", "route");
  b.uses_row_output(row_of(8));
  b.concat({b.cur(), b.row_output(row_of(8))});
  ++i;
  dk_conv(b, i++, 256, 3, true);   // 21
  dk_conv(b, i++, 255, 1, false);  // 22
  dk_yolo(b, i++);                 // 23
  return b;
}

}  // namespace ce::zoo_detail
