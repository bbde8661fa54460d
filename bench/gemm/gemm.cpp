// SGEMM microbenchmark for the peers of nnc's GEMM kernel: OpenBLAS (cblas_sgemm) and
// oneDNN (dnnl_sgemm), row-major C = A x B with square N x N operands.
//
//   gemm_bench LIB N REPS      LIB = openblas | onednn
//
// Prints one JSON line: {"lib", "n", "reps", "median_ms", "min_ms", "gflops", "max_err"}
// with gflops = 2 N^3 / median. One library per process, so that one library's idle
// worker threads (OpenBLAS spins for a while after a call) never steal a core from the
// other. Threads: OpenBLAS is set to 2 with openblas_set_num_threads; oneDNN (OpenMP
// build) follows OMP_NUM_THREADS, which bench/run.sh sets to 2. Built by bench/run.sh:
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
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s openblas|onednn N REPS\n", argv[0]);
    return 2;
  }
  const char *lib = argv[1];
  const long n = std::atol(argv[2]);
  const int reps = std::atoi(argv[3]);
  const bool blas = std::strcmp(lib, "openblas") == 0;
  if (n <= 0 || reps <= 0 || (!blas && std::strcmp(lib, "onednn") != 0)) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  if (blas)
    openblas_set_num_threads(2);

  std::vector<float> a(n * n), b(n * n), c(n * n);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (auto &x : a) x = u(rng);
  for (auto &x : b) x = u(rng);

  auto gemm = [&] {
    if (blas) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n,
                  b.data(), n, 0.0f, c.data(), n);
    } else if (dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(),
                          n) != dnnl_success) {
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
    long i = (s * 7919) % n, j = (s * 104729) % n;
    double ref = 0;
    for (long k = 0; k < n; ++k)
      ref += double(a[i * n + k]) * b[k * n + j];
    maxErr = std::max(maxErr, std::fabs(ref - c[i * n + j]) / std::max(1.0, std::fabs(ref)));
  }
  std::sort(t.begin(), t.end());
  double med = t.size() % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
  double flop = 2.0 * n * n * n;
  std::printf("{\"lib\": \"%s\", \"n\": %ld, \"reps\": %d, \"median_ms\": %.4f, \"min_ms\": %.4f, "
              "\"gflops\": %.1f, \"max_err\": %.2e}\n",
              lib, n, reps, med * 1e3, t.front() * 1e3, flop / med * 1e-9, maxErr);
  return maxErr < 1e-3 ? 0 : 1;
}
