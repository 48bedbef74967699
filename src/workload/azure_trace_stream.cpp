#include "workload/azure_trace_stream.hpp"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "core/error.hpp"
#include "core/time_utc.hpp"
#include "workload/source_builder.hpp"

namespace ce {

AzureTraceReader::AzureTraceReader(const std::string& path, bool tokens) : csv_(path), tokens_(tokens) {
  if (!csv_.next(f_)) fail_in_file(path, "file is empty (expected the header TIMESTAMP,ContextTokens,GeneratedTokens)");
  bool ts = false, prompt = !tokens, output = !tokens;
  for (size_t i = 0; i < f_.size(); ++i) {
    if (f_[i] == "TIMESTAMP") {
      ts_col_ = i;
      ts = true;
    }
    if (tokens && f_[i] == "ContextTokens") {
      prompt_col_ = i;
      prompt = true;
    }
    if (tokens && f_[i] == "GeneratedTokens") {
      output_col_ = i;
      output = true;
    }
  }
  if (!ts || !prompt || !output)
    csv_.fail(fmt::format("header must name the columns TIMESTAMP{} (an Azure LLM inference trace: "
                          "TIMESTAMP,ContextTokens,GeneratedTokens{})",
                          tokens ? ", ContextTokens and GeneratedTokens" : "",
                          tokens ? "; `tokens: false` replays the times alone" : ""));
  ncols_ = f_.size();
}

// A token count: a whole number in 0 .. 2^32 − 1.
uint32_t AzureTraceReader::token_field(size_t col, const char* name) {
  int64_t v = csv_.to_int(f_[col], name);
  if (v < 0 || v > std::numeric_limits<uint32_t>::max())
    csv_.fail(fmt::format("column '{}': {} is out of range (0 .. 4294967295)", name, v));
  return static_cast<uint32_t>(v);
}

bool AzureTraceReader::next(Row& row) {
  if (!csv_.next(f_)) return false;
  if (f_.size() != ncols_)
    csv_.fail(fmt::format("expected {} fields like the header, found {}", ncols_, f_.size()));
  const std::string& text = f_[ts_col_];
  const size_t dot = text.find('.');
  auto whole = parse_utc(std::string_view(text).substr(0, dot));
  double frac = 0;
  bool ok = whole.has_value() && (dot == std::string::npos || dot + 1 < text.size());
  if (ok && dot != std::string::npos) {
    int64_t ticks = 0;
    double scale = 1;
    for (size_t i = dot + 1; i < text.size() && ok; ++i) {
      char c = text[i];
      if (c < '0' || c > '9') {
        ok = false;
      } else if (i - dot <= 18) {  // digits beyond 1e-18 s cannot matter
        ticks = ticks * 10 + (c - '0');
        scale *= 10;
      }
    }
    frac = static_cast<double>(ticks) / scale;
  }
  if (!ok)
    csv_.fail(fmt::format("column 'TIMESTAMP': '{}' is not a date-time (expected YYYY-MM-DD HH:MM:SS.fffffff)", text));
  row.whole_s = *whole;
  row.frac_s = frac;
  if (have_prev_ && (row.whole_s < prev_.whole_s || (row.whole_s == prev_.whole_s && row.frac_s < prev_.frac_s)))
    csv_.fail(fmt::format("TIMESTAMP '{}' is earlier than the previous row's (rows must be sorted by time)", text));
  row.prompt_tokens = tokens_ ? token_field(prompt_col_, "ContextTokens") : 0;
  row.output_tokens = tokens_ ? token_field(output_col_, "GeneratedTokens") : 0;
  prev_ = row;
  have_prev_ = true;
  return true;
}

AzureTraceStream::AzureTraceStream(const AzureTraceOptions& opt) : opt_(opt) {
  if (!(opt.time_scale > 0)) throw std::invalid_argument("azure trace: time_scale must be > 0");
  {  // Pass 1: validate every row up to until_s and count the replayed ones.
    AzureTraceReader r(opt.path, opt.tokens);
    AzureTraceReader::Row row;
    if (!r.next(row)) fail_in_file(opt.path, "no data rows after the header");
    first_ = row;
    do {
      double a = arrival(row);
      if (a >= opt.until_s) break;
      if (a >= 0) ++rows_;
    } while (r.next(row));
  }
  reader_ = std::make_unique<AzureTraceReader>(opt.path, opt.tokens);
  advance();
}

double AzureTraceStream::arrival(const AzureTraceReader::Row& r) const {
  return ((r.whole_s - first_.whole_s) + (r.frac_s - first_.frac_s)) / opt_.time_scale + opt_.offset_s;
}

void AzureTraceStream::advance() {
  while (reader_ && reader_->next(cur_)) {
    double a = arrival(cur_);
    if (a >= opt_.until_s) break;
    if (a >= 0) {
      next_ = a;
      return;
    }
  }
  reader_.reset();  // done: close the file
  next_ = kNever;
}

Request AzureTraceStream::pop() {
  Request r;
  r.id = next_id_++;
  r.arrival_s = next_;
  r.prompt_tokens = cur_.prompt_tokens;
  r.output_tokens = cur_.output_tokens;
  advance();
  return r;
}


// type: azure_trace (keys: file, tokens, time_scale, offset; size_column is gone). The trace's own
// times and token counts; no seed.
std::unique_ptr<ArrivalStream> build_azure_trace(SourceBuilder& b, const YamlSection& s) {
  AzureTraceOptions o;
  o.path = b.find_file(s, "file");
  if (s.has("size_column"))
    s.fail("size_column", "was replaced by `tokens: true|false` (true, the default, reads both ContextTokens and "
                          "GeneratedTokens as each request's prompt and output tokens)");
  o.tokens = s.boolean_or("tokens", true);
  if (s.has("time_scale")) o.time_scale = s.positive("time_scale");
  o.offset_s = b.duration_or(s, "offset", 0, true);
  o.until_s = b.until(s);
  b.add_input_file(o.path);
  return std::make_unique<AzureTraceStream>(o);
}

}  // namespace ce
