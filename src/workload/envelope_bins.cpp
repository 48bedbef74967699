#include "workload/envelope_bins.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/error.hpp"
#include "core/time_utc.hpp"

namespace ce {

EnvelopeBinReader::EnvelopeBinReader(const std::string& path, const std::string& time_column,
                                     const std::string& count_column, double bin_s, GapFill gaps)
    : csv_(path), time_name_(time_column), count_name_(count_column), bin_s_(bin_s), gaps_(gaps) {
  if (!csv_.next(f_)) fail_in_file(path, fmt::format("file is empty (expected a header {},{})", time_column, count_column));
  bool t = false, c = false;
  for (size_t i = 0; i < f_.size(); ++i) {
    if (f_[i] == time_column) {
      time_col_ = i;
      t = true;
    }
    if (f_[i] == count_column) {
      count_col_ = i;
      c = true;
    }
  }
  if (!t || !c)
    csv_.fail(fmt::format("header must name the columns '{}' (bin start, UTC) and '{}' (requests in the bin)",
                          time_column, count_column));
  ncols_ = f_.size();
}

bool EnvelopeBinReader::next(EnvelopeBin& out) {
  if (gap_j_ < gap_k_) {
    const double j = static_cast<double>(gap_j_), k = static_cast<double>(gap_k_);
    out.start = prev_.start + j * bin_s_;
    out.count = gaps_ == GapFill::Zero ? 0.0 : prev_.count + (pending_.count - prev_.count) * j / k;
    out.filled = true;
    ++gap_j_;
    ++filled_;
    return true;
  }
  if (gap_k_ > 0) {  // all fills emitted: now the real row
    gap_k_ = gap_j_ = 0;
    prev_ = out = pending_;
    return true;
  }
  if (!csv_.next(f_)) return false;
  if (f_.size() != ncols_) csv_.fail(fmt::format("expected {} fields like the header, found {}", ncols_, f_.size()));
  EnvelopeBin row;
  row.start = csv_.to_utc(f_[time_col_], time_name_);
  row.count = csv_.to_double(f_[count_col_], count_name_);
  if (row.count < 0) csv_.fail(fmt::format("count {} is negative", row.count));
  if (have_prev_) {
    const double d = (row.start - prev_.start) / bin_s_;
    const double k = std::round(d);
    if (k < 1 || std::fabs(d - k) > 1e-6)
      csv_.fail(fmt::format("'{}' is not a whole number of {} s bins after the previous row {} "
                            "(rows must be sorted, one per bin)",
                            f_[time_col_], bin_s_, format_utc(prev_.start)));
    // Missing bins are filled one by one: bound their number (and keep the cast below defined).
    if (k > kMaxGapBins)
      csv_.fail(fmt::format("'{}' is {:.3g} bins of {} s after the previous row {}: more than {:.0e} missing bins "
                            "(a wrong bin length?)",
                            f_[time_col_], k, bin_s_, format_utc(prev_.start), kMaxGapBins));
    if (k > 1) {
      pending_ = row;
      gap_k_ = static_cast<long>(k);
      gap_j_ = 1;
      return next(out);
    }
  }
  have_prev_ = true;
  prev_ = out = row;
  return true;
}

}  // namespace ce
