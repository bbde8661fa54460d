// FP32 FMA peak of this machine with 2 threads: each thread runs 12 independent chains of
// 512-bit FMAs (enough to cover FMA latency x throughput). Prints one JSON line with the
// median and maximum of 5 runs.   fma_peak [ITERS]   (default 20M: ~0.1 s per run at
// 200 GFLOP/s). bench/run.py runs it in every GEMM round as a probe of how much of the
// (shared) machine the benchmark actually got. Built by bench/run.sh:
//   g++ -O2 -mavx512f -pthread bench/gemm/peak.cpp -o build/bench/fma_peak
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

static float work(long iters) {
  __m512 a[12];
#pragma GCC unroll 12
  for (int i = 0; i < 12; ++i)
    a[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i)
      a[i] = _mm512_fmadd_ps(a[i], m, c);
  __m512 s = a[0];
  for (int i = 1; i < 12; ++i)
    s = _mm512_add_ps(s, a[i]);
  return _mm512_reduce_add_ps(s);
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
    gf.push_back(threads * iters * 12.0 * 16 * 2 / s * 1e-9);
  }
  std::sort(gf.begin(), gf.end());
  std::printf("{\"fma_peak_gflops\": %.1f, \"max\": %.1f, \"threads\": %d}\n", gf[2], gf[4], threads);
  return 0;
}
