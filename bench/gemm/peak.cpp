// FP32 FMA peak of this machine with 2 threads: each thread runs 12 independent chains of
// FMAs on the widest vectors the compiler targets (zmm with AVX-512, else ymm with
// AVX2/FMA3; 12 chains cover FMA latency x throughput on both, and 12 accumulators plus
// 2 constants fit AVX2's 16 registers). Prints one JSON line with the median and maximum
// of 5 runs and the vector width.   fma_peak [ITERS]   (default 20M: ~0.1 s per run at
// 200 GFLOP/s). bench/run.py runs it in every GEMM round as a probe of how much of the
// (shared) machine the benchmark actually got. Built by bench/run.sh for the host:
//   g++ -O2 -march=native -pthread bench/gemm/peak.cpp -o build/bench/fma_peak
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int Lanes = 16;
static Vec splat(float x) { return _mm512_set1_ps(x); }
static Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
static float sum(Vec a) { return _mm512_reduce_add_ps(a); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int Lanes = 8;
static Vec splat(float x) { return _mm256_set1_ps(x); }
static Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
static float sum(Vec a) {
  alignas(32) float x[8];
  _mm256_store_ps(x, a);
  return x[0] + x[1] + x[2] + x[3] + x[4] + x[5] + x[6] + x[7];
}
#else
#error "fma_peak needs AVX2 and FMA3, or AVX-512"
#endif

static float work(long iters) {
  Vec a[12];
#pragma GCC unroll 12
  for (int i = 0; i < 12; ++i)
    a[i] = splat(1.0f + i * 1e-3f);
  const Vec m = splat(0.999999f), c = splat(1e-7f);
  for (long it = 0; it < iters; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i)
      a[i] = fma(a[i], m, c);
  Vec s = a[0];
  for (int i = 1; i < 12; ++i)
    s = add(s, a[i]);
  return sum(s);
}

int main(int argc, char **argv) {
  const int threads = 2;
  const long iters = argc > 1 ? std::atol(argv[1]) : 20000000;
  std::vector<double> gf;
  volatile float sink = 0;
  for (int r = 0; r < 5; ++r) {
    std::vector<std::thread> ts;
    std::vector<float> out(threads);
    auto t0 = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t)
      ts.emplace_back([&, t] { out[t] = work(iters); });
    for (auto &t : ts)
      t.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sink = sink + out[0] + out[1];
    gf.push_back(threads * iters * 12.0 * Lanes * 2 / s * 1e-9);
  }
  std::sort(gf.begin(), gf.end());
  std::printf("{\"fma_peak_gflops\": %.1f, \"max\": %.1f, \"threads\": %d, \"lanes\": %d}\n",
              gf[2], gf[4], threads, Lanes);
  return 0;
}
