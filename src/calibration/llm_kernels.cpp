#include "calibration/llm_kernels.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"
#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

namespace ce::calib {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// splitmix64: a cheap stream for filling gigabytes of weights (wraps modulo 2^64 on purpose).
CE_INTENDED_WRAPAROUND uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

size_t count(int64_t a, int64_t b) { return static_cast<size_t>(a) * static_cast<size_t>(b); }

// Sign-extends int8 activations to int16 once per call, so the inner loop extends only weights.
std::vector<int16_t> widen(const int8_t* x, size_t n) { return std::vector<int16_t>(x, x + n); }

#if defined(__SSE2__)
// 16 int8 → two vectors of 8 int16 (SSE2 has no pmovsx: duplicate each byte, shift right 8).
inline void widen16(__m128i v, __m128i& lo, __m128i& hi) {
  lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
  hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
}
inline int32_t hsum(__m128i v) {
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(v);
}
#endif

// Dot products of one weight row with `t` (1..4) int16 activation rows of stride k.
inline void dot_rows(const int8_t* w, const int16_t* x, int64_t k, int t, int32_t* out) {
  int64_t j = 0;
  int32_t s[4] = {0, 0, 0, 0};
#if defined(__SSE2__)
  __m128i a[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
  for (; j + 16 <= k; j += 16) {
    __m128i lo, hi;
    widen16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + j)), lo, hi);
    for (int p = 0; p < t; ++p) {
      const int16_t* xp = x + p * k + j;
      // madd: pairs of int16 products summed into int32 lanes (|sum| ≤ 2·127² per lane and step)
      a[p] = _mm_add_epi32(a[p], _mm_madd_epi16(lo, _mm_loadu_si128(reinterpret_cast<const __m128i*>(xp))));
      a[p] = _mm_add_epi32(a[p], _mm_madd_epi16(hi, _mm_loadu_si128(reinterpret_cast<const __m128i*>(xp + 8))));
    }
  }
  for (int p = 0; p < t; ++p) s[p] = hsum(a[p]);
#endif
  for (; j < k; ++j)
    for (int p = 0; p < t; ++p) s[p] += static_cast<int32_t>(w[j]) * x[p * k + j];
  for (int p = 0; p < t; ++p) out[p] = s[p];
}

// Four weight rows against one int16 activation row: the activation loads (from L2 once k exceeds
// L1, as in the 18,944-wide down projections) are shared by four rows.
inline void dot_4rows(const int8_t* w, const int16_t* x, int64_t k, int32_t* out) {
  int64_t j = 0;
  int32_t s[4] = {0, 0, 0, 0};
#if defined(__SSE2__)
  __m128i a[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
  for (; j + 16 <= k; j += 16) {
    const __m128i xl = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + j));
    const __m128i xh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + j + 8));
    if ((j & 63) == 0)  // software prefetch: the kernel is close to its SSE2 compute limit, so the
      for (int r = 0; r < 4; ++r)  // hardware prefetcher alone leaves DRAM latency exposed
        _mm_prefetch(reinterpret_cast<const char*>(w + r * k + j + 1024), _MM_HINT_T0);
    for (int r = 0; r < 4; ++r) {
      __m128i lo, hi;
      widen16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + r * k + j)), lo, hi);
      a[r] = _mm_add_epi32(a[r], _mm_add_epi32(_mm_madd_epi16(lo, xl), _mm_madd_epi16(hi, xh)));
    }
  }
  for (int r = 0; r < 4; ++r) s[r] = hsum(a[r]);
#endif
  for (; j < k; ++j)
    for (int r = 0; r < 4; ++r) s[r] += static_cast<int32_t>(w[r * k + j]) * x[j];
  for (int r = 0; r < 4; ++r) out[r] = s[r];
}

}  // namespace

const char* precision_name(LlmPrecision p) { return p == LlmPrecision::Fp32 ? "fp32" : "int8"; }
double bytes_per_weight(LlmPrecision p) { return p == LlmPrecision::Fp32 ? 4.0 : 1.0; }

std::vector<LlmMatrix> llm_layer_matrices(const LlmArchitecture& a) {
  const auto d = static_cast<int64_t>(a.d_model), ff = static_cast<int64_t>(a.d_ff);
  const auto q = static_cast<int64_t>(a.heads_q * a.head_dim), kv = static_cast<int64_t>(a.heads_kv * a.head_dim);
  return {{"q", q, d}, {"k", kv, d}, {"v", kv, d}, {"o", d, q}, {"gate", ff, d}, {"up", ff, d}, {"down", d, ff}};
}

LlmMatrix llm_head_matrix(const LlmArchitecture& a) {
  return {"lm_head", static_cast<int64_t>(a.vocab), static_cast<int64_t>(a.d_model)};
}

double llm_token_weights(const LlmArchitecture& a) {
  double layer = 0;
  for (const auto& m : llm_layer_matrices(a)) layer += m.weights();
  return a.layers * layer + llm_head_matrix(a).weights();
}

void fill_uniform(float* p, size_t n, uint64_t seed, float lo, float hi) {
  uint64_t s = seed;
  const float span = (hi - lo) / 16777216.f;  // 24 random bits
  for (size_t i = 0; i < n; ++i) p[i] = lo + span * static_cast<float>(splitmix(s) >> 40);
}

void fill_int8(int8_t* p, size_t n, uint64_t seed) {
  uint64_t s = seed;
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(static_cast<int>(splitmix(s) % 255) - 127);
}

float quantize_int8(const float* x, int64_t k, int8_t* q) {
  float amax = 0;
  for (int64_t j = 0; j < k; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float scale = amax > 0 ? amax / 127.f : 1.f;
  for (int64_t j = 0; j < k; ++j) q[j] = static_cast<int8_t>(std::lrint(x[j] / scale));
  return scale;
}

void int8_gemv(const int8_t* w, int64_t n, int64_t k, const int8_t* x, int32_t* acc) {
  const std::vector<int16_t> xw = widen(x, static_cast<size_t>(k));
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) dot_4rows(w + i * k, xw.data(), k, acc + i);
  for (; i < n; ++i) dot_rows(w + i * k, xw.data(), k, 1, acc + i);
}

void int8_gemm(const int8_t* w, int64_t n, int64_t k, const int8_t* x, int64_t tokens, int32_t* acc) {
  const std::vector<int16_t> xw = widen(x, count(tokens, k));
  // Blocks of weight rows that stay in L2 (~256 KB) while every token passes over them; 4 tokens
  // per weight row share one sign extension of the weights.
  const int64_t rows = std::max<int64_t>(1, (int64_t{256} << 10) / std::max<int64_t>(k, 1));
  int32_t out[4];
  for (int64_t i0 = 0; i0 < n; i0 += rows) {
    const int64_t i1 = std::min(n, i0 + rows);
    for (int64_t p = 0; p < tokens; p += 4) {
      const int t = static_cast<int>(std::min<int64_t>(4, tokens - p));
      for (int64_t i = i0; i < i1; ++i) {
        dot_rows(w + i * k, xw.data() + p * k, k, t, out);
        for (int q = 0; q < t; ++q) acc[(p + q) * n + i] = out[q];
      }
    }
  }
}

LlmLinear::LlmLinear(const LlmMatrix& m, LlmPrecision p, uint64_t seed) : m_(m), p_(p) {
  if (m.n <= 0 || m.k <= 0) throw std::invalid_argument("LlmLinear: matrix '" + m.name + "' has no weights");
  const size_t sz = count(m.n, m.k);
  if (p == LlmPrecision::Fp32) {
    wf_.resize(sz);
    const float a = std::sqrt(6.f / static_cast<float>(m.k));  // He-uniform, as op_kernels.cpp
    fill_uniform(wf_.data(), sz, seed, -a, a);
  } else {
    wq_.resize(sz);
    fill_int8(wq_.data(), sz, seed);
    scale_.assign(static_cast<size_t>(m.n), std::sqrt(6.f / static_cast<float>(m.k)) / 127.f);
  }
}

void LlmLinear::gemv(const float* x, float* y) {
  if (p_ == LlmPrecision::Fp32) {
    Eigen::Map<const RowMat> w(wf_.data(), m_.n, m_.k);
    Eigen::Map<Eigen::VectorXf>(y, m_.n).noalias() = w * Eigen::Map<const Eigen::VectorXf>(x, m_.k);
    return;
  }
  xq_.resize(static_cast<size_t>(m_.k));
  acc_.resize(static_cast<size_t>(m_.n));
  const float xs = quantize_int8(x, m_.k, xq_.data());
  int8_gemv(wq_.data(), m_.n, m_.k, xq_.data(), acc_.data());
  for (int64_t i = 0; i < m_.n; ++i) y[i] = xs * scale_[static_cast<size_t>(i)] * static_cast<float>(acc_[static_cast<size_t>(i)]);
}

void LlmLinear::gemm(const float* x, int64_t tokens, float* y) {
  if (p_ == LlmPrecision::Fp32) {
    Eigen::Map<const RowMat> w(wf_.data(), m_.n, m_.k);
    Eigen::Map<RowMat>(y, tokens, m_.n).noalias() = Eigen::Map<const RowMat>(x, tokens, m_.k) * w.transpose();
    return;
  }
  xq_.resize(count(tokens, m_.k));
  acc_.resize(count(tokens, m_.n));
  std::vector<float> xs(static_cast<size_t>(tokens));
  for (int64_t p = 0; p < tokens; ++p) xs[static_cast<size_t>(p)] = quantize_int8(x + p * m_.k, m_.k, xq_.data() + p * m_.k);
  int8_gemm(wq_.data(), m_.n, m_.k, xq_.data(), tokens, acc_.data());
  for (int64_t p = 0; p < tokens; ++p)
    for (int64_t i = 0; i < m_.n; ++i) {
      const size_t at = static_cast<size_t>(p * m_.n + i);
      y[at] = xs[static_cast<size_t>(p)] * scale_[static_cast<size_t>(i)] * static_cast<float>(acc_[at]);
    }
}

}  // namespace ce::calib
