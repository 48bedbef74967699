// The zoo derives every profile from layer shapes (src/models/zoo_*.cpp); these tests compare the
// result against the independently produced reference profiles in shared/reference/dnn/ (per-row
// CSVs + totals_check.csv, itself checked against torchvision's num_params / _ops metadata).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "models/zoo.hpp"

using namespace ce;

namespace {

const std::string kRefDir = std::string(CE_TEST_SOURCE_DIR) + "/../shared/reference/dnn/";

struct RefRow {
  std::string name, type;
  uint64_t macs, params, out_elems;
};

std::vector<RefRow> read_ref_csv(const std::string& model) {
  CsvReader r(kRefDir + model + ".csv");
  std::vector<std::string> f;
  REQUIRE(r.next(f));  // header
  REQUIRE(f == std::vector<std::string>{"index", "name", "type", "macs", "params", "out_elems"});
  std::vector<RefRow> rows;
  while (r.next(f)) {
    REQUIRE(f.size() == 6);
    REQUIRE(r.to_int(f[0], "index") == static_cast<int64_t>(rows.size()));
    rows.push_back({f[1], f[2], static_cast<uint64_t>(r.to_int(f[3], "macs")),
                    static_cast<uint64_t>(r.to_int(f[4], "params")),
                    static_cast<uint64_t>(r.to_int(f[5], "out_elems"))});
  }
  return rows;
}

// totals_check.csv: model,rows_excl_input,computed_macs,computed_params,ref_gmacs,ref_params
// (ref_* empty where no official figure exists: BERT GMACs, YOLO params).
struct RefTotals {
  int64_t rows_excl_input = 0, macs = 0, params = 0;
  double ref_gmacs = -1;
  int64_t ref_params = -1;
};

std::map<std::string, RefTotals> read_totals() {
  CsvReader r(kRefDir + "totals_check.csv");
  std::vector<std::string> f;
  REQUIRE(r.next(f));
  std::map<std::string, RefTotals> out;
  while (r.next(f)) {
    REQUIRE(f.size() == 6);
    RefTotals t;
    t.rows_excl_input = r.to_int(f[1], "rows_excl_input");
    t.macs = r.to_int(f[2], "computed_macs");
    t.params = r.to_int(f[3], "computed_params");
    if (!f[4].empty()) t.ref_gmacs = r.to_double(f[4], "ref_gmacs");
    if (!f[5].empty()) t.ref_params = r.to_int(f[5], "ref_params");
    out[f[0]] = t;
  }
  return out;
}

// The vision and BERT models built from layer descriptions (the language models are built from
// their configs: test_llm_zoo.cpp).
std::vector<std::string> layer_models() {
  std::vector<std::string> out;
  for (const auto& n : zoo_model_names())
    if (find_model(n)->llm == nullptr) out.push_back(n);
  return out;
}

}  // namespace

TEST_CASE("zoo covers exactly the reference model set", "[zoo]") {
  const auto totals = read_totals();
  std::set<std::string> ref_names, zoo_names;
  for (const auto& [name, t] : totals) ref_names.insert(name);
  for (const auto& n : layer_models()) zoo_names.insert(n);
  CHECK(zoo_names == ref_names);
  CHECK(layer_models().size() == 16);
  CHECK(zoo_model_names().size() == 16 + 10 * 3);  // and ten language models at three precisions
}

TEST_CASE("zoo totals match totals_check.csv and the official counts", "[zoo]") {
  for (const auto& [name, t] : read_totals()) {
    INFO("model " << name);
    const ModelProfile* m = find_model(name);
    REQUIRE(m != nullptr);
    CHECK(static_cast<int64_t>(m->row_count()) - 1 == t.rows_excl_input);
    const double macs = static_cast<double>(m->total_macs());
    CHECK(std::abs(macs - t.macs) <= 0.01 * t.macs);
    CHECK(static_cast<int64_t>(m->total_params()) == t.params);
    if (t.ref_params >= 0) CHECK(static_cast<int64_t>(m->total_params()) == t.ref_params);
    // Official GMACs (torchvision _ops, darknet BFLOPs/2) are rounded to 3 decimals and some
    // counters also count the SE pooling (MobileNetV3-small: -0.86 %), hence 1 %.
    if (t.ref_gmacs > 0) CHECK(std::abs(macs / 1e9 - t.ref_gmacs) <= 0.01 * t.ref_gmacs);
  }
}

// Per-row comparison. All 16 models match the reference exactly on every row (the convention of
// the reference is the builder's: conv/linear/attention MACs only, BN gamma/beta as params), so
// no row-level tolerance is needed.
TEST_CASE("zoo rows match the reference per-row CSVs", "[zoo]") {
  for (const auto& name : layer_models()) {
    INFO("model " << name);
    const ModelProfile* m = find_model(name);
    REQUIRE(m != nullptr);
    const auto ref = read_ref_csv(name);
    REQUIRE(m->layers.size() == ref.size());
    for (size_t i = 0; i < ref.size(); ++i) {
      INFO("row " << i << " " << ref[i].name);
      const LayerProfile& l = m->layers[i];
      CHECK(l.name == ref[i].name);
      CHECK(l.type == ref[i].type);
      CHECK(l.macs == ref[i].macs);
      CHECK(l.params == ref[i].params);
      CHECK(l.out_elems == ref[i].out_elems);
    }
  }
}

TEST_CASE("zoo rows carry their primitive ops", "[zoo]") {
  for (const auto& name : layer_models()) {
    INFO("model " << name);
    const ModelProfile* m = find_model(name);
    REQUIRE(m->row_ops.size() == m->layers.size());
    CHECK(m->layers[0].type == "input");
    CHECK(m->row_ops[0].empty());
    for (size_t i = 1; i < m->layers.size(); ++i) {
      INFO("row " << i << " " << m->layers[i].name);
      const auto& ops = m->row_ops[i];
      REQUIRE_FALSE(ops.empty());
      uint64_t macs = 0, params = 0;
      for (const auto& op : ops) {
        macs += op.macs;
        params += op.params;
        if (op.kind == OpKind::Conv2d) {
          // The shapes must reproduce the MAC count a kernel of that shape performs.
          CHECK(op.macs == static_cast<uint64_t>(op.k) * op.k * (op.in_c / op.groups) * op.out_c *
                               op.out_h * op.out_w);
          CHECK(op.macs == static_cast<uint64_t>(op.batch * op.m * op.k_dim * op.n));
        }
        if (op.kind == OpKind::Linear || op.kind == OpKind::MatMul)
          CHECK(op.macs == static_cast<uint64_t>(op.batch * op.m * op.k_dim * op.n));
      }
      CHECK(macs == m->layers[i].macs);
      CHECK(params == m->layers[i].params);
      CHECK(ops.back().out_elems == m->layers[i].out_elems);  // the row's last op makes its output
    }
  }
  // Attention is counted: each ViT block has Q·K^T and A·V of 12 heads x 197 x 197 x 64.
  const auto& vit_block = find_model("vit_b_16")->row_ops[2];
  const auto n_mm = std::count_if(vit_block.begin(), vit_block.end(),
                                  [](const OpShape& o) { return o.kind == OpKind::MatMul; });
  CHECK(n_mm == 2);
}

TEST_CASE("YOLO route layers keep earlier outputs live", "[zoo]") {
  // PROFILES.md §1.1: cuts after darknet layers 9..19 must also ship layer 8's 173,056 elements,
  // cuts after 13..16 layer 13's 43,264 (13 ships it as its own output). Row = darknet + 1.
  const ModelProfile* y = find_model("yolov3_tiny_416");
  REQUIRE(y != nullptr);
  for (size_t r = 0; r < y->layers.size(); ++r) {
    INFO("row " << r);
    uint64_t want = 0;
    if (r >= 10 && r <= 20) want += 173056;
    if (r >= 15 && r <= 17) want += 43264;
    CHECK(y->layers[r].extra_live_elems == want);
  }
  CHECK(y->cut_bytes(16) == Approx((43095.0 + 173056 + 43264) * 4));
  for (const auto& name : zoo_model_names()) {
    if (name == "yolov3_tiny_416") continue;
    for (const auto& l : find_model(name)->layers) CHECK(l.extra_live_elems == 0);
  }
}

TEST_CASE("zoo lookup and family ordering", "[zoo]") {
  CHECK(find_model("resnet7") == nullptr);
  CHECK(find_model("") == nullptr);
  CHECK(find_model("ResNet50") == nullptr);  // names are exact
  const ModelProfile* r50 = find_model("resnet50");
  REQUIRE(r50 != nullptr);
  CHECK(r50 == find_model("resnet50"));  // built once, stable address
  CHECK(r50->family == "resnet");

  auto names = [](const std::vector<const ModelProfile*>& v) {
    std::vector<std::string> out;
    for (const auto* p : v) out.push_back(p->name);
    return out;
  };
  CHECK(names(family_members("resnet")) ==
        std::vector<std::string>{"resnet18", "resnet34", "resnet50", "resnet101", "resnet152"});
  CHECK(names(family_members("mobilenet")) ==
        std::vector<std::string>{"mobilenet_v3_small", "mobilenet_v3_large", "mobilenet_v2"});
  CHECK(names(family_members("squeezenet")) ==
        std::vector<std::string>{"squeezenet1_1", "squeezenet1_0"});
  CHECK(family_members("nope").empty());

  const std::set<std::string> families{"resnet", "vgg", "alexnet", "squeezenet", "mobilenet",
                                       "efficientnet", "vit", "bert", "yolo"};
  size_t covered = 0;
  for (const auto& f : families) {
    const auto members = family_members(f);
    CHECK_FALSE(members.empty());
    covered += members.size();
    for (size_t i = 1; i < members.size(); ++i)
      CHECK(members[i - 1]->total_macs() <= members[i]->total_macs());
  }
  CHECK(covered == layer_models().size());  // every model is in one of the nine families
}

TEST_CASE("zoo accuracy metadata", "[zoo]") {
  CHECK(find_model("resnet50")->top1 == Approx(76.130));
  CHECK(find_model("resnet50")->top5 == Approx(92.87));  // 100 - 7.13 (papers.md §2.4)
  CHECK(find_model("alexnet")->top5 == Approx(79.09));
  CHECK(find_model("vit_b_16")->top1 == Approx(81.072));
  for (const auto& name : layer_models()) {
    INFO("model " << name);
    const ModelProfile* m = find_model(name);
    if (m->family == "bert" || m->family == "yolo") {  // not ImageNet classifiers
      CHECK(m->top1 == 0);
      CHECK(m->top5 == 0);
    } else {
      CHECK(m->top1 > 50);
      CHECK(m->top5 > m->top1);
      CHECK(m->top5 < 100);
    }
  }
  // Within a family, the more expensive ResNet is the more accurate one.
  const auto rn = family_members("resnet");
  for (size_t i = 1; i < rn.size(); ++i) CHECK(rn[i]->top1 > rn[i - 1]->top1);
}
