// Access patterns of a GEMV y = x W over W2's dense weight (W [3136, 1024], 12.8 MB,
// row-major), two threads, AVX-512: the orders a one-row product can stream W in
// (docs/design.md, "A GEMV in chunks of rows"). Each pattern runs 400 calls per round,
// three rounds; prints the median and fastest microseconds per call and the GB/s of
// the median.
//   tiles     column tiles of 256 (16 accumulators in registers), thread t the tiles
//             t, t + 2: each thread reads a 1 KB piece of every row (nnc's one-row tiles
//             before scheduleGemvChunks)
//   cols-mem  each thread half the columns, the accumulators in memory (L1)
//   cols-reg  each thread half the columns, 32 accumulators in registers
//   rows      each thread a contiguous half of the rows into an accumulator row (L1)
//   rows4     the same, four rows per load and store of the accumulator (what
//             scheduleGemvChunks compiles to)
//   g++ -O2 -march=native -pthread bench/gemm/gemv_patterns.cpp -o build/bench/gemv_patterns
//   build/bench/gemv_patterns
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>
#ifdef __AVX512F__
#include <immintrin.h>

constexpr int K = 3136, N = 1024;
static float *W, *X, *Y, *Part;

/// y[c0, c0 + 16 A) with A accumulators in registers over all rows.
template <int A> static void registerTile(int c0) {
  __m512 acc[A];
  for (int j = 0; j < A; ++j)
    acc[j] = _mm512_setzero_ps();
  for (int k = 0; k < K; ++k) {
    __m512 b = _mm512_set1_ps(X[k]);
    const float *r = W + size_t(k) * N + c0;
#pragma GCC unroll 32
    for (int j = 0; j < A; ++j)
      acc[j] = _mm512_fmadd_ps(b, _mm512_loadu_ps(r + 16 * j), acc[j]);
  }
  for (int j = 0; j < A; ++j)
    _mm512_storeu_ps(Y + c0 + 16 * j, acc[j]);
}

static void tiles(int t) {
  for (int c = t * 256; c < N; c += 512)
    registerTile<16>(c);
}

static void colsMem(int t) {
  alignas(64) float acc[N / 2] = {};
  int c0 = t * N / 2;
  for (int k = 0; k < K; ++k) {
    __m512 b = _mm512_set1_ps(X[k]);
    const float *r = W + size_t(k) * N + c0;
    for (int j = 0; j < N / 2; j += 16)
      _mm512_store_ps(acc + j, _mm512_fmadd_ps(b, _mm512_loadu_ps(r + j), _mm512_load_ps(acc + j)));
  }
  std::copy(acc, acc + N / 2, Y + c0);
}

static void colsReg(int t) { registerTile<32>(t * N / 2); }

static void rows(int t) {
  float *acc = Part + t * N;
  std::fill(acc, acc + N, 0.f);
  for (int k = t * K / 2; k < (t + 1) * K / 2; ++k) {
    __m512 b = _mm512_set1_ps(X[k]);
    const float *r = W + size_t(k) * N;
    for (int j = 0; j < N; j += 16)
      _mm512_store_ps(acc + j, _mm512_fmadd_ps(b, _mm512_loadu_ps(r + j), _mm512_load_ps(acc + j)));
  }
}

static void rows4(int t) {
  float *acc = Part + t * N;
  std::fill(acc, acc + N, 0.f);
  for (int k = t * K / 2; k < (t + 1) * K / 2; k += 4) { // K / 2 is a multiple of 4
    __m512 b0 = _mm512_set1_ps(X[k]), b1 = _mm512_set1_ps(X[k + 1]),
           b2 = _mm512_set1_ps(X[k + 2]), b3 = _mm512_set1_ps(X[k + 3]);
    const float *r = W + size_t(k) * N;
    for (int j = 0; j < N; j += 16) {
      __m512 s = _mm512_fmadd_ps(b0, _mm512_loadu_ps(r + j), _mm512_load_ps(acc + j));
      s = _mm512_fmadd_ps(b1, _mm512_loadu_ps(r + N + j), s);
      s = _mm512_fmadd_ps(b2, _mm512_loadu_ps(r + 2 * N + j), s);
      s = _mm512_fmadd_ps(b3, _mm512_loadu_ps(r + 3 * N + j), s);
      _mm512_store_ps(acc + j, s);
    }
  }
}

int main() {
  W = static_cast<float *>(std::aligned_alloc(4096, size_t(K) * N * 4));
  X = static_cast<float *>(std::aligned_alloc(64, K * 4));
  Y = static_cast<float *>(std::aligned_alloc(64, N * 4));
  Part = static_cast<float *>(std::aligned_alloc(4096, 2 * N * 4));
  for (size_t i = 0; i < size_t(K) * N; ++i)
    W[i] = float(i % 7) * 0.01f;
  for (int k = 0; k < K; ++k)
    X[k] = float(k % 5) * 0.1f;
  struct Pattern {
    const char *name;
    void (*fn)(int);
  } patterns[] = {{"tiles", tiles}, {"cols-mem", colsMem}, {"cols-reg", colsReg},
                  {"rows", rows}, {"rows4", rows4}};
  // The second thread spins on a generation counter and runs the current pattern's
  // share 1 for each new generation; the main thread runs share 0.
  std::atomic<int> generation{0}, done{0};
  std::atomic<bool> quit{false};
  std::atomic<void (*)(int)> current{nullptr};
  std::thread worker([&] {
    int seen = 0;
    for (;;) {
      while (generation.load() == seen)
        ;
      seen = generation.load();
      if (quit.load())
        return;
      current.load()(1);
      done.store(1);
    }
  });
  for (int round = 1; round <= 3; ++round)
    for (const Pattern &p : patterns) {
      current.store(p.fn);
      std::vector<double> us;
      for (int it = 0; it < 400; ++it) {
        auto t0 = std::chrono::steady_clock::now();
        done.store(0);
        generation.fetch_add(1);
        p.fn(0);
        while (!done.load())
          ;
        us.push_back(std::chrono::duration<double, std::micro>(
                         std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(us.begin(), us.end());
      std::printf("round %d %-9s median %6.1f us, fastest %6.1f us, %4.0f GB/s\n", round, p.name,
                  us[us.size() / 2], us[0], double(K) * N * 4 / us[us.size() / 2] / 1e3);
    }
  quit.store(true);
  generation.fetch_add(1);
  worker.join();
  return 0;
}
#else
int main() {
  std::printf("gemv_patterns: needs AVX-512 (compile with -march=native on such a host)\n");
  return 0;
}
#endif
