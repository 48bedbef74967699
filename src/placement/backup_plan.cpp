#include "placement/backup_plan.hpp"

#include <coin/CbcModel.hpp>
#include <coin/CoinPackedMatrix.hpp>
#include <coin/OsiClpSolverInterface.hpp>

#include <algorithm>
#include <limits>
#include <set>

namespace ce {

namespace {

// The memory rows: for each host j, the warm-only row, then one per failure scenario f ≠ j
// (hosts that are the primary of a cold service). Each row: the (service, option) pairs it sums.
struct MemoryRow {
  uint32_t host;
  std::vector<std::pair<size_t, size_t>> terms;
};

std::vector<MemoryRow> memory_rows(const BackupProblem& p) {
  std::set<uint32_t> scenarios;
  for (const auto& s : p.services)
    if (!s.warm) scenarios.insert(s.primary);
  std::vector<MemoryRow> rows;
  for (uint32_t j = 0; j < p.free_bytes.size(); ++j) {
    MemoryRow warm{j, {}};
    for (size_t s = 0; s < p.services.size(); ++s)
      if (p.services[s].warm)
        for (size_t o = 0; o < p.services[s].options.size(); ++o)
          if (p.services[s].options[o].host == j) warm.terms.emplace_back(s, o);
    for (uint32_t f : scenarios) {
      if (f == j) continue;
      MemoryRow row = warm;
      for (size_t s = 0; s < p.services.size(); ++s)
        if (!p.services[s].warm && p.services[s].primary == f)
          for (size_t o = 0; o < p.services[s].options.size(); ++o)
            if (p.services[s].options[o].host == j) row.terms.emplace_back(s, o);
      if (!row.terms.empty()) rows.push_back(std::move(row));
    }
    if (!warm.terms.empty()) rows.push_back(std::move(warm));
  }
  return rows;
}

double option_objective(const BackupOption& o) { return o.value - kBackupLambdaPerGB * o.bytes / 1e9; }

}  // namespace

BackupPlan evaluate_backups(const BackupProblem& p, const std::vector<int>& option) {
  BackupPlan out;
  out.option = option;
  out.feasible = option.size() == p.services.size();
  if (!out.feasible) return out;
  for (size_t s = 0; s < option.size(); ++s)
    if (option[s] >= 0) out.objective += option_objective(p.services[s].options[static_cast<size_t>(option[s])]);
  for (const MemoryRow& row : memory_rows(p)) {
    double used = 0;
    for (auto [s, o] : row.terms)
      if (option[s] == static_cast<int>(o)) used += p.services[s].options[o].bytes;
    if (used > p.free_bytes[row.host] * (1 + 1e-9)) out.feasible = false;
  }
  return out;
}

BackupPlan plan_backups(const BackupProblem& p, long node_limit) {
  std::vector<size_t> first(p.services.size() + 1, 0);
  for (size_t s = 0; s < p.services.size(); ++s) first[s + 1] = first[s] + p.services[s].options.size();
  const size_t ncols = first.back();
  BackupPlan none = evaluate_backups(p, std::vector<int>(p.services.size(), -1));  // always feasible
  if (ncols == 0) {
    none.proven_optimal = true;
    return none;
  }
  OsiClpSolverInterface si;
  const double inf = si.getInfinity();
  std::vector<double> collb(ncols, 0.0), colub(ncols, 1.0), obj(ncols, 0.0);
  CoinPackedMatrix A(false, 0, 0);
  A.setDimensions(0, static_cast<int>(ncols));
  std::vector<double> rowlb, rowub;
  for (size_t s = 0; s < p.services.size(); ++s) {
    CoinPackedVector one;
    for (size_t o = 0; o < p.services[s].options.size(); ++o) {
      const int c = static_cast<int>(first[s] + o);
      obj[c] = -option_objective(p.services[s].options[o]);  // CBC minimises
      one.insert(c, 1.0);
    }
    if (one.getNumElements() == 0) continue;
    A.appendRow(one);
    rowlb.push_back(-inf), rowub.push_back(1.0);
  }
  for (const MemoryRow& row : memory_rows(p)) {
    CoinPackedVector v;
    for (auto [s, o] : row.terms) v.insert(static_cast<int>(first[s] + o), p.services[s].options[o].bytes / 1e9);
    A.appendRow(v);
    rowlb.push_back(-inf), rowub.push_back(p.free_bytes[row.host] / 1e9);
  }
  si.messageHandler()->setLogLevel(0);
  si.loadProblem(A, collb.data(), colub.data(), obj.data(), rowlb.data(), rowub.data());
  for (size_t c = 0; c < ncols; ++c) si.setInteger(static_cast<int>(c));
  CbcModel cbc(si);
  cbc.setLogLevel(0);
  cbc.messageHandler()->setLogLevel(0);
  cbc.setMaximumNodes(static_cast<int>(std::min<long>(node_limit, std::numeric_limits<int>::max())));
  cbc.setAllowableGap(0.0);
  cbc.setAllowableFractionGap(1e-9);
  cbc.branchAndBound();
  const double* x = cbc.bestSolution();
  if (x == nullptr) return none;
  std::vector<int> choice(p.services.size(), -1);
  for (size_t s = 0; s < p.services.size(); ++s)
    for (size_t o = 0; o < p.services[s].options.size(); ++o)
      if (x[first[s] + o] > 0.5) choice[s] = static_cast<int>(o);
  // Recomputed exactly from the choice (the solver's values carry tolerances); never worse than none.
  BackupPlan out = evaluate_backups(p, choice);
  if (!out.feasible || out.objective < none.objective) out = none;
  out.proven_optimal = cbc.isProvenOptimal();
  return out;
}

}  // namespace ce
