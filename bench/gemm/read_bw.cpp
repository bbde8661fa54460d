// Read bandwidth of this machine with 2 threads: each thread sums its half of a buffer
// of MB megabytes (vector loads, 4 independent accumulators), the whole buffer read
// once per pass and the passes repeated, so a buffer that fits a cache level measures
// that level. Prints one JSON line with the median and maximum GB/s of 9 runs. It is
// the roofline of a product that streams its weights once per call (W2's dense layer at
// one image reads 12.8 MB: 3136 x 1024 floats, the default size).
//   g++ -O2 -march=native -pthread bench/gemm/read_bw.cpp -o build/bench/read_bw
//   build/bench/read_bw [MB] [PASSES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

static float sumRange(const float *p, size_t n) {
  float a[64] = {0};
  for (size_t i = 0; i + 64 <= n; i += 64)
#pragma GCC unroll 64
    for (int j = 0; j < 64; ++j)
      a[j] += p[i + j]; // vectorized by -O2 -march=native (independent lanes)
  float s = 0;
  for (float x : a)
    s += x;
  return s;
}

int main(int argc, char **argv) {
  const int threads = 2;
  double mb = argc > 1 ? std::atof(argv[1]) : 3136.0 * 1024 * 4 / 1e6;
  int passes = argc > 2 ? std::atoi(argv[2]) : 200;
  size_t n = size_t(mb * 1e6 / 4) / (64 * threads) * (64 * threads);
  std::vector<float> buf(n, 1.0f);
  std::vector<double> gbs;
  volatile float sink = 0;
  for (int run = 0; run < 9; ++run) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    std::vector<float> part(threads);
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        size_t half = n / threads;
        float s = 0;
        for (int p = 0; p < passes; ++p)
          s += sumRange(buf.data() + t * half, half);
        part[t] = s;
      });
    for (std::thread &t : pool)
      t.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sink = sink + part[0] + part[1];
    gbs.push_back(double(n) * 4 * passes / s / 1e9);
  }
  std::sort(gbs.begin(), gbs.end());
  std::printf("{\"read_mb\": %.1f, \"passes\": %d, \"read_gbs_median\": %.1f, "
              "\"read_gbs_max\": %.1f}\n",
              double(n) * 4 / 1e6, passes, gbs[gbs.size() / 2], gbs.back());
  return 0;
}
