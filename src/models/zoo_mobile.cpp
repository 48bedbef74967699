// Mobile CNNs, transcribed from torchvision/models/{mobilenetv2,mobilenetv3,efficientnet}.py
// (width multiplier 1.0). One row per inverted-residual / MBConv block: blocks with a residual
// cannot be cut inside, and keeping every block a row keeps the three nets comparable.
#include <algorithm>
#include <string>

#include "models/zoo_builders.hpp"

namespace ce::zoo_detail {

namespace {

std::string s(int64_t v) { return std::to_string(v); }

// Classifier-style head: avgpool row, then the caller's linear rows.
void avgpool_row(ArchBuilder& b) {
  b.row("avgpool", "pool");
  b.adaptive_avgpool(1, 1);
}

}  // namespace

ArchBuilder mobilenet_v2() {
  ArchBuilder b("mobilenet_v2", "mobilenet", Shape::image(3, 224, 224));
  b.row("features.0 conv3x3+bn+relu6", "conv");
  b.conv(32, 3, 2, 1, 1, false, true, "relu6");
  // t (expansion), c (out channels), n (repeats), s (first stride)
  const int setting[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                             {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int idx = 1;
  for (const auto& st : setting) {
    for (int i = 0; i < st[2]; ++i, ++idx) {
      const int t = st[0], stride = i == 0 ? st[3] : 1;
      const int64_t out = make_divisible(st[1]);
      b.row("features." + s(idx) + " invres(t=" + s(t) + ";k=3;s=" + s(stride) + ")",
            "inverted_residual");
      const Shape in = b.cur();
      const int64_t hidden = in.c * t;  // round(inp * expand_ratio)
      if (t != 1) b.conv(hidden, 1, 1, 0, 1, false, true, "relu6");
      b.conv(hidden, 3, stride, 1, hidden, false, true, "relu6");  // depthwise
      b.conv(out, 1, 1, 0, 1, false, true);                        // linear bottleneck
      if (stride == 1 && in.c == out) b.add();
    }
  }
  b.row("features." + s(idx) + " conv1x1+bn+relu6", "conv");
  b.conv(make_divisible(1280), 1, 1, 0, 1, false, true, "relu6");
  avgpool_row(b);
  b.row("classifier", "linear");  // dropout (free) + Linear(1280, 1000)
  b.linear(1000);
  return b;
}

ArchBuilder mobilenet_v3(bool large) {
  // bneck_conf(input, kernel, expanded, out, use_se, activation, stride)
  struct Bneck { int64_t in; int k; int64_t exp, out; bool se; bool hs; int stride; };
  static const Bneck kLarge[] = {
      {16, 3, 16, 16, false, false, 1},   {16, 3, 64, 24, false, false, 2},
      {24, 3, 72, 24, false, false, 1},   {24, 5, 72, 40, true, false, 2},
      {40, 5, 120, 40, true, false, 1},   {40, 5, 120, 40, true, false, 1},
      {40, 3, 240, 80, false, true, 2},   {80, 3, 200, 80, false, true, 1},
      {80, 3, 184, 80, false, true, 1},   {80, 3, 184, 80, false, true, 1},
      {80, 3, 480, 112, true, true, 1},   {112, 3, 672, 112, true, true, 1},
      {112, 5, 672, 160, true, true, 2},  {160, 5, 960, 160, true, true, 1},
      {160, 5, 960, 160, true, true, 1}};
  static const Bneck kSmall[] = {
      {16, 3, 16, 16, true, false, 2},   {16, 3, 72, 24, false, false, 2},
      {24, 3, 88, 24, false, false, 1},  {24, 5, 96, 40, true, true, 2},
      {40, 5, 240, 40, true, true, 1},   {40, 5, 240, 40, true, true, 1},
      {40, 5, 120, 48, true, true, 1},   {48, 5, 144, 48, true, true, 1},
      {48, 5, 288, 96, true, true, 2},   {96, 5, 576, 96, true, true, 1},
      {96, 5, 576, 96, true, true, 1}};
  const Bneck* conf = large ? kLarge : kSmall;
  const int n = large ? 15 : 11;
  const int64_t last_channel = large ? 1280 : 1024;

  ArchBuilder b(large ? "mobilenet_v3_large" : "mobilenet_v3_small", "mobilenet",
                Shape::image(3, 224, 224));
  b.row("features.0 conv3x3+bn+hswish", "conv");
  b.conv(16, 3, 2, 1, 1, false, true, "hswish");
  for (int i = 0; i < n; ++i) {
    const Bneck& c = conf[i];
    const char* act = c.hs ? "hswish" : "relu";
    b.row("features." + s(i + 1) + " bneck(k=" + s(c.k) + ";e=" + s(c.exp) + ";se=" +
              (c.se ? "1" : "0") + ";" + (c.hs ? "HS" : "RE") + ";s=" + s(c.stride) + ")",
          "inverted_residual");
    if (c.exp != c.in) b.conv(c.exp, 1, 1, 0, 1, false, true, act);
    b.conv(c.exp, c.k, c.stride, (c.k - 1) / 2, c.exp, false, true, act);  // depthwise
    if (c.se) b.squeeze_excite(make_divisible(static_cast<double>(c.exp / 4)), "relu", "hsigmoid");
    b.conv(c.out, 1, 1, 0, 1, false, true);
    if (c.stride == 1 && c.in == c.out) b.add();
  }
  const int64_t last_conv = 6 * conf[n - 1].out;
  b.row("features." + s(n + 1) + " conv1x1+bn+hswish", "conv");
  b.conv(last_conv, 1, 1, 0, 1, false, true, "hswish");
  avgpool_row(b);
  b.row("classifier.0+hswish", "linear");
  b.linear(last_channel, true, "hswish");
  b.row("classifier.3", "linear");  // after dropout (free)
  b.linear(1000);
  return b;
}

ArchBuilder efficientnet_b0() {
  // MBConvConfig(expand_ratio, kernel, stride, input_channels, out_channels, num_layers)
  struct Stage { int expand, k, stride; int64_t in, out; int layers; };
  const Stage stages[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                          {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                          {6, 3, 1, 192, 320, 1}};
  ArchBuilder b("efficientnet_b0", "efficientnet", Shape::image(3, 224, 224));
  b.row("features.0 conv3x3+bn+silu", "conv");
  b.conv(32, 3, 2, 1, 1, false, true, "silu");
  int stage_i = 1;
  for (const auto& st : stages) {
    for (int i = 0; i < st.layers; ++i) {
      const int64_t in = i == 0 ? st.in : st.out;
      const int stride = i == 0 ? st.stride : 1;
      b.row("features." + s(stage_i) + "." + s(i) + " MBConv" + s(st.expand) + "(k=" + s(st.k) +
                ";s=" + s(stride) + ")",
            "mbconv");
      const int64_t expanded = make_divisible(static_cast<double>(in * st.expand));
      if (expanded != in) b.conv(expanded, 1, 1, 0, 1, false, true, "silu");
      b.conv(expanded, st.k, stride, (st.k - 1) / 2, expanded, false, true, "silu");
      // EfficientNet's SE squeezes to a quarter of the block *input* channels (not expanded).
      b.squeeze_excite(std::max<int64_t>(1, in / 4), "silu", "sigmoid");
      b.conv(st.out, 1, 1, 0, 1, false, true);
      if (stride == 1 && in == st.out) b.add();  // stochastic depth is identity at inference
    }
    ++stage_i;
  }
  b.row("features." + s(stage_i) + " conv1x1+bn+silu", "conv");
  b.conv(4 * 320, 1, 1, 0, 1, false, true, "silu");
  avgpool_row(b);
  b.row("classifier", "linear");  // dropout (free) + Linear(1280, 1000)
  b.linear(1000);
  return b;
}

}  // namespace ce::zoo_detail
