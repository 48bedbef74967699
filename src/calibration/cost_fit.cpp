#include "calibration/cost_fit.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ce::calib {

ClassFit fit_op_cost(const std::vector<FitSample>& samples) {
  if (samples.empty()) throw std::invalid_argument("fit_op_cost: no samples");
  const Eigen::Index n = static_cast<Eigen::Index>(samples.size());
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd t(n), w(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const FitSample& s = samples[static_cast<size_t>(i)];
    if (!(s.seconds > 0)) throw std::invalid_argument("fit_op_cost: a sample time is not positive");
    x(i, 0) = s.macs;
    x(i, 1) = s.bytes;
    x(i, 2) = 1.0;
    t(i) = s.seconds;
    w(i) = s.weight / s.seconds;
  }
  // Column scaling keeps the normal equations well conditioned (MACs ~1e9, fixed ~1).
  Eigen::Vector3d scale;
  for (int j = 0; j < 3; ++j) scale(j) = std::max(x.col(j).cwiseAbs().maxCoeff(), 1e-300);
  const Eigen::VectorXd sw = w.cwiseSqrt();
  Eigen::Vector3d best = Eigen::Vector3d::Zero();
  double best_sse = std::numeric_limits<double>::infinity();
  int best_mask = 0;
  for (int mask = 1; mask < 8; ++mask) {
    std::vector<int> cols;
    for (int j = 0; j < 3; ++j)
      if ((mask >> j & 1) && x.col(j).cwiseAbs().maxCoeff() > 0) cols.push_back(j);
    if (cols.size() != static_cast<size_t>(__builtin_popcount(static_cast<unsigned>(mask)))) continue;
    Eigen::MatrixXd a(n, static_cast<Eigen::Index>(cols.size()));
    for (size_t c = 0; c < cols.size(); ++c)
      a.col(static_cast<Eigen::Index>(c)) = x.col(cols[c]) / scale(cols[c]);
    const Eigen::MatrixXd aw = sw.asDiagonal() * a;
    const Eigen::VectorXd sol = aw.colPivHouseholderQr().solve(sw.cwiseProduct(t));
    if ((sol.array() < 0).any() || !sol.allFinite()) continue;
    Eigen::Vector3d coef = Eigen::Vector3d::Zero();
    for (size_t c = 0; c < cols.size(); ++c) coef(cols[c]) = sol(static_cast<Eigen::Index>(c)) / scale(cols[c]);
    const double sse = (w.array() * (x * coef - t).array().square()).sum();
    if (sse < best_sse * (1 - 1e-12)) best_sse = sse, best = coef, best_mask = mask;
  }
  if (best_mask == 0) throw std::runtime_error("fit_op_cost: no non-negative solution");
  ClassFit f;
  f.cost = {best(0), best(1), best(2)};
  f.samples = static_cast<int>(n);
  const Eigen::VectorXd pred = x * best;
  const Eigen::ArrayXd rel = (pred - t).array() / t.array();
  double wsum = 0, rel2 = 0, sum_pred = 0, sum_t = 0, mean_t = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double cnt = samples[static_cast<size_t>(i)].weight;
    wsum += cnt;
    rel2 += cnt * rel(i) * rel(i);
    sum_pred += cnt * pred(i);
    sum_t += cnt * t(i);
  }
  f.rms_rel_residual = std::sqrt(rel2 / wsum);
  f.total_rel_error = (sum_pred - sum_t) / sum_t;
  mean_t = (w.array() * t.array()).sum() / w.sum();
  const double sst = (w.array() * (t.array() - mean_t).square()).sum();
  f.r2 = sst > 0 ? 1 - best_sse / sst : 1;
  const char* names[3] = {"mac", "byte", "fixed"};
  for (int j = 0; j < 3; ++j)
    if (best_mask >> j & 1) f.terms += (f.terms.empty() ? "" : "+") + std::string(names[j]);
  return f;
}

}  // namespace ce::calib
