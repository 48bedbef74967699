#include "workload/rate_envelope_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/error.hpp"
#include "core/time_utc.hpp"
#include "workload/source_builder.hpp"

namespace ce {

RateEnvelopeStream::RateEnvelopeStream(const RateEnvelopeOptions& opt, uint64_t seed) : opt_(opt), rng_(seed) {
  if (!(opt.mean_rate > 0) || !(opt.time_scale > 0) || !(opt.bin_s > 0))
    throw std::invalid_argument("rate envelope: mean_rate, time_scale and bin must be > 0");
  // Pass 1: validate the slice, find its bounds and the integral of the counts over it.
  EnvelopeBinReader r(opt.path, opt.time_column, opt.count_column, opt.bin_s, opt.gaps);
  EnvelopeBin b;
  if (!r.next(b)) fail_in_file(opt.path, "no data rows after the header");
  const double first = b.start;
  from_ = std::isnan(opt.from_utc) ? first : opt.from_utc;
  const bool open_end = std::isnan(opt.to_utc);
  to_ = open_end ? kNever : opt.to_utc;
  if (from_ < first)
    fail_in_file(opt.path, fmt::format("the slice starts at {}, before the first row ({})", format_utc(from_),
                                       format_utc(first)));
  if (!(to_ > from_))
    fail_in_file(opt.path, fmt::format("the slice [{}, {}) is empty (to must be after from)", format_utc(from_),
                                       format_utc(opt.to_utc)));
  double integral = 0;  // sum of count * (overlap / bin)
  double end = first;   // end of the last bin read
  do {
    if (b.start >= to_) break;
    end = b.start + opt.bin_s;
    const double a = std::max(b.start, from_), e = std::min(end, to_);
    if (e > a) {
      integral += b.count * (e - a) / opt.bin_s;
      filled_ += b.filled;
    }
  } while (r.next(b));
  if (open_end) to_ = end;
  if (to_ > end)
    fail_in_file(opt.path, fmt::format("the slice ends at {}, after the last row's bin ({})", format_utc(to_),
                                       format_utc(end)));
  if (!(integral > 0))
    fail_in_file(opt.path, fmt::format("the slice [{}, {}) holds no requests, so it cannot be scaled to a mean rate",
                                       format_utc(from_), format_utc(to_)));
  // mean count per bin over the slice = integral * bin / (to - from)
  const double mean_count = integral * opt.bin_s / (to_ - from_);
  scale_ = opt.mean_rate / mean_count;

  // Pass 2 starts here and goes on lazily.
  bins_ = std::make_unique<EnvelopeBinReader>(opt.path, opt.time_column, opt.count_column, opt.bin_s, opt.gaps);
  seg_.t0 = seg_.t1 = sim_time(from_);
  advance(std::max(0.0, sim_time(from_)));
}

bool RateEnvelopeStream::next_bin(EnvelopeBin& b) {
  while (bins_ && bins_->next(b)) {
    if (b.start >= to_) break;
    if (b.start + opt_.bin_s > from_) return true;
  }
  bins_.reset();  // slice done: close the file
  return false;
}

bool RateEnvelopeStream::next_segment() {
  EnvelopeBin b;
  if (opt_.shape == EnvelopeShape::Step) {
    if (!next_bin(b)) return false;
    seg_.t0 = sim_time(std::max(b.start, from_));
    seg_.t1 = sim_time(std::min(b.start + opt_.bin_s, to_));
    seg_.r0 = seg_.r1 = b.count * scale_;
    return true;
  }
  // Linear: points at bin midpoints; flat head [from, first midpoint) and tail [last midpoint, to).
  switch (stage_) {
    case Stage::Head:
      if (!next_bin(b)) return false;
      last_ = {sim_time(b.start + opt_.bin_s / 2), b.count * scale_};
      seg_ = {sim_time(from_), last_.t, last_.r, last_.r};
      stage_ = Stage::Middle;
      return true;
    case Stage::Middle:
      if (next_bin(b)) {
        Point p{sim_time(b.start + opt_.bin_s / 2), b.count * scale_};
        seg_ = {last_.t, p.t, last_.r, p.r};
        last_ = p;
        return true;
      }
      seg_ = {last_.t, sim_time(to_), last_.r, last_.r};
      stage_ = Stage::Tail;
      return true;
    default:
      stage_ = Stage::Done;
      return false;
  }
}

void RateEnvelopeStream::advance(double t) {
  for (;;) {
    if (t >= opt_.until_s) break;
    if (t >= seg_.t1) {
      if (!next_segment()) break;
      t = std::max(t, seg_.t0);
      continue;
    }
    const double rmax = std::max(seg_.r0, seg_.r1);
    if (!(rmax > 0)) {
      t = seg_.t1;
      continue;
    }
    t += rng_.exponential(rmax);
    if (t >= seg_.t1) {  // memoryless: restart from the segment end with the next bound
      t = seg_.t1;
      continue;
    }
    if (t >= opt_.until_s) break;
    if (seg_.r0 == seg_.r1) {
      next_ = t;
      return;
    }
    const double rate = seg_.r0 + (seg_.r1 - seg_.r0) * (t - seg_.t0) / (seg_.t1 - seg_.t0);
    if (rng_.uniform() * rmax < rate) {
      next_ = t;
      return;
    }
  }
  bins_.reset();
  next_ = kNever;
}

Request RateEnvelopeStream::pop() {
  Request r;
  r.id = next_id_++;
  r.arrival_s = next_;
  advance(next_);
  return r;
}


// type: rate_envelope (keys: file, from, to, mean_rate, time_scale, day_length, offset, gaps, shape,
// bin, time_column, count_column).
std::unique_ptr<ArrivalStream> build_rate_envelope(SourceBuilder& b, const YamlSection& s) {
  RateEnvelopeOptions o;
  o.path = b.find_file(s, "file");
  if (s.has("from")) o.from_utc = b.utc(s, "from");
  if (s.has("to")) o.to_utc = b.utc(s, "to");
  if (s.has("from") && s.has("to") && !(o.to_utc > o.from_utc)) s.fail("to", "must be after 'from'");
  o.mean_rate = b.rate(s, "mean_rate", s.positive("mean_rate"));
  if (s.has("time_scale") && s.has("day_length"))
    s.fail("day_length", "give either 'time_scale' or 'day_length', not both");
  if (s.has("time_scale")) o.time_scale = s.positive("time_scale");
  if (s.has("day_length")) {
    double d = b.duration_or(s, "day_length", 0);
    if (!(d > 0)) s.fail("day_length", "must be > 0");
    o.time_scale = 86400.0 / d;
  }
  o.offset_s = b.duration_or(s, "offset", 0, true);
  const std::string gaps = s.str_or("gaps", "interpolate");
  if (gaps == "interpolate") o.gaps = GapFill::Interpolate;
  else if (gaps == "zero") o.gaps = GapFill::Zero;
  else s.fail("gaps", fmt::format("'{}' is not interpolate or zero", gaps));
  const std::string shape = s.str_or("shape", "step");
  if (shape == "step") o.shape = EnvelopeShape::Step;
  else if (shape == "linear") o.shape = EnvelopeShape::Linear;
  else s.fail("shape", fmt::format("'{}' is not step or linear", shape));
  o.bin_s = b.duration_or(s, "bin", 60);
  if (!(o.bin_s > 0)) s.fail("bin", "must be > 0");
  o.time_column = s.str_or("time_column", o.time_column);
  o.count_column = s.str_or("count_column", o.count_column);
  o.until_s = b.until(s);
  b.expect(s, "mean_rate", o.mean_rate, 0, o.until_s);
  b.add_input_file(o.path);
  return std::make_unique<RateEnvelopeStream>(o, b.arrival_seed());
}

}  // namespace ce
