#pragma once
// Where to put each service's backup replica and which variant (faillite; FailLite, arXiv
// 2504.15856, as reconstructed in ../shared/reference/resilience-and-geo.md §1.3), solved by
// COIN-OR CBC:
//
//   max  Σ_s Σ_o y_so · (value_so − λ · GB_so)        accuracy kept under failure, then memory
//   s.t. Σ_o y_so ≤ 1                                  at most one backup per service
//        Σ_{s warm, o on j} y_so · bytes_so ≤ free_j   warm backups are always resident
//        for every host f that is a primary, every j ≠ f:
//        Σ_{s warm, o on j} y·bytes + Σ_{s cold, p(s) = f, o on j} y·bytes ≤ free_j
//                                                      (when f fails, its services' cold backups
//                                                       load on j beside j's warm backups)
//        y binary
//
// value_so is the caller's (faillite: the service's weight × the variant's top-1 relative to the
// primary's); λ = 1e-4 per GB only breaks ties towards smaller replicas. Pure: tests compare it
// with brute force (tests/unit/test_backup_plan.cpp).
#include <cstdint>
#include <vector>

namespace ce {

struct BackupOption {
  uint32_t host = 0;
  double bytes = 0;
  double value = 0;
};

struct BackupService {
  uint32_t primary = 0;
  bool warm = false;  // a critical service: its backup is resident all the time
  std::vector<BackupOption> options;
};

struct BackupProblem {
  std::vector<double> free_bytes;  // per host: memory free for backups
  std::vector<BackupService> services;
};

struct BackupPlan {
  std::vector<int> option;  // per service: index into its options, −1 = no backup
  double objective = 0;     // Σ value − λ·GB of the chosen options
  bool feasible = false;
  bool proven_optimal = false;
};

constexpr double kBackupLambdaPerGB = 1e-4;

// The objective of a choice, and whether it respects every memory constraint (1e-9 relative slack).
BackupPlan evaluate_backups(const BackupProblem& p, const std::vector<int>& option);
BackupPlan plan_backups(const BackupProblem& p, long node_limit = 20000);

}  // namespace ce
