// SGEMM microbenchmark for the peers of nnc's GEMM kernel: OpenBLAS (cblas_sgemm) and
// oneDNN (dnnl_sgemm), row-major C[M x N] = A[M x K] x B[K x N], or with `ta` A stored
// transposed (K x M: a weight gradient's x^T g).
//
//   gemm_bench LIB M K N REPS [THREADS [ta]]   LIB = openblas | onednn, THREADS default 2
//
// Prints one JSON line: {"lib", "m", "k", "n", "threads", "ta", "reps", "median_ms",
// "min_ms", "gflops", "max_err"} with gflops = 2 M N K / median. One library per
// process, so that one library's idle worker threads (OpenBLAS spins for a while after
// a call) never steal a core from the other. Threads: OpenBLAS is set with
// openblas_set_num_threads; oneDNN (OpenMP build) follows OMP_NUM_THREADS, which
// bench/run.py sets. Built by bench/run.sh:
//   g++ -O2 -std=c++17 bench/gemm/gemm.cpp -lopenblas -ldnnl -o build/bench/gemm_bench
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

extern "C" void openblas_set_num_threads(int);

int main(int argc, char **argv) {
  if (argc < 6 || argc > 8) {
    std::fprintf(stderr, "usage: %s openblas|onednn M K N REPS [THREADS [ta]]\n", argv[0]);
    return 2;
  }
  const char *lib = argv[1];
  const long m = std::atol(argv[2]), k = std::atol(argv[3]), n = std::atol(argv[4]);
  const int reps = std::atoi(argv[5]);
  const int threads = argc >= 7 ? std::atoi(argv[6]) : 2;
  const bool ta = argc == 8 && std::strcmp(argv[7], "ta") == 0;
  const bool blas = std::strcmp(lib, "openblas") == 0;
  if (m <= 0 || k <= 0 || n <= 0 || reps <= 0 || threads <= 0 ||
      (!blas && std::strcmp(lib, "onednn") != 0) || (argc == 8 && !ta)) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  if (blas)
    openblas_set_num_threads(threads);

  std::vector<float> a(m * k), b(k * n), c(m * n);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (auto &x : a) x = u(rng);
  for (auto &x : b) x = u(rng);

  auto gemm = [&] {
    if (blas) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, CblasNoTrans, m, n, k,
                  1.0f, a.data(), ta ? m : k, b.data(), n, 0.0f, c.data(), n);
    } else if (dnnl_sgemm(ta ? 'T' : 'N', 'N', m, n, k, 1.0f, a.data(), ta ? m : k, b.data(),
                          n, 0.0f, c.data(), n) != dnnl_success) {
      std::fprintf(stderr, "dnnl_sgemm failed\n");
      std::exit(1);
    }
  };

  const int warmup = 3;
  std::vector<double> t;
  for (int i = 0; i < warmup + reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    gemm();
    auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup)
      t.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  // Spot check 64 entries against a double-precision dot product.
  double maxErr = 0;
  for (int s = 0; s < 64; ++s) {
    long i = (s * 7919) % m, j = (s * 104729) % n;
    double ref = 0;
    for (long p = 0; p < k; ++p)
      ref += double(ta ? a[p * m + i] : a[i * k + p]) * b[p * n + j];
    maxErr = std::max(maxErr, std::fabs(ref - c[i * n + j]) / std::max(1.0, std::fabs(ref)));
  }
  std::sort(t.begin(), t.end());
  double med = t.size() % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
  double flop = 2.0 * m * n * k;
  std::printf("{\"lib\": \"%s\", \"m\": %ld, \"k\": %ld, \"n\": %ld, \"threads\": %d, "
              "\"ta\": %s, \"reps\": %d, \"median_ms\": %.4f, \"min_ms\": %.4f, "
              "\"gflops\": %.1f, \"max_err\": %.2e}\n",
              lib, m, k, n, threads, ta ? "true" : "false", reps, med * 1e3, t.front() * 1e3,
              flop / med * 1e-9, maxErr);
  return maxErr < 1e-3 ? 0 : 1;
}
