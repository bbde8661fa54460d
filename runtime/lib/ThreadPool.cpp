//===- ThreadPool.cpp - the parallel loops of the kernels -----------------===//
//
// Every parallel loop of a Halide kernel calls halide_do_par_for(task, min, size,
// closure). Halide's runtime defines it weakly, on a general pool (a job queue under a
// mutex, nested and asynchronous tasks, workers that yield 40 times and then sleep on a
// condition variable); this definition replaces it for nnc's kernels, which run one
// parallel loop at a time: the caller publishes the loop, and it and the workers take
// its iterations from atomic counters (each iteration is a task of its own, as in
// Halide's pool, so results do not depend on which thread runs what).
//
// The loop is cut into one contiguous block per thread, and thread t (the caller is 0)
// takes its own block's iterations from the front first, then what is left of the
// others. Consecutive kernels mostly split the batch the same way (a loop over W7's 32
// sequences, one over their 128 heads, split-K's two chunks of rows), so a thread reads
// the rows that it wrote itself a kernel earlier, from its own core's L2, instead of
// whichever rows a shared counter gave it, half of them in the other core's L2: W7's
// training step 10.2 -> 8.4 ms on an Intel Xeon (docs/design.md, "Parallel loops in
// blocks"). A thread that is late or slow loses its block's remainder to the others. An
// idle worker yields its core for up to kSpinMicros before it sleeps, so that the next
// kernel's loop, usually microseconds away, finds it awake; yielding (not spinning on
// the core) leaves the core to any other thread that needs it. W7's training step:
// 2-4% faster than with Halide's pool on an AMD EPYC, about 12% on an Intel Xeon; cnn32
// at one image 5% slower on the Xeon (docs/benchmarks.md, "... a pool for the kernels'
// parallel loops").
//
// A loop called from inside an iteration (a nested parallel loop), or while another
// thread's loop runs, runs serially in its caller. The caller takes iterations too, so a
// loop completes even where no worker runs (after fork, say).
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sched.h>
#include <thread>

namespace {

/// How long an idle worker stays awake, yielding, before it sleeps.
constexpr auto kSpinMicros = std::chrono::microseconds(200);

/// Most blocks a loop is cut into (more threads share them).
constexpr int kMaxBlocks = 32;

/// A contiguous run of a loop's iterations, taken from the front by its owner first.
struct alignas(64) Block {
  std::atomic<int> Next{0};
  int End = 0;
};

struct Loop {
  Loop(halide_task_t task, void *userContext, uint8_t *closure, int min, int size,
       int threads)
      : Task(task), UserContext(userContext), Closure(closure), Min(min), Size(size),
        NumBlocks(std::min({threads, size, kMaxBlocks})) {
    for (int b = 0; b < NumBlocks; ++b) {
      Blocks[b].Next.store(int(int64_t(size) * b / NumBlocks), std::memory_order_relaxed);
      Blocks[b].End = int(int64_t(size) * (b + 1) / NumBlocks);
    }
  }
  halide_task_t Task;
  void *UserContext;
  uint8_t *Closure;
  int Min, Size, NumBlocks;
  std::atomic<int> Done{0}, Error{0};
  Block Blocks[kMaxBlocks];
};

/// Whether this thread is running an iteration of a loop.
thread_local bool InIteration = false;

/// Loops of more than one iteration this thread has started (parallelLoopsStarted).
thread_local uint64_t LoopsStarted = 0;

class Pool {
public:
  explicit Pool(int threads) {
    for (int i = 1; i < threads; ++i)
      std::thread([this, i] { work(i); }).detach();
  }

  /// Runs `loop` on the workers and the calling thread; its first nonzero result.
  int run(Loop &loop) {
    Current.store(&loop);
    Generation.fetch_add(1);
    if (Sleeping.load()) {
      std::lock_guard<std::mutex> guard(Lock);
      Wake.notify_all();
    }
    iterate(loop, 0);
    while (loop.Done.load() < loop.Size)
      std::this_thread::yield();
    // No worker may touch `loop` once it is gone: withdraw it, then wait for those
    // that took it.
    Current.store(nullptr);
    while (Active.load())
      std::this_thread::yield();
    return loop.Error.load();
  }

  /// Held by the thread whose loop runs (a second caller runs its loop serially).
  std::mutex Calling;

private:
  /// Runs iterations of `loop` on thread `self` (0: the caller): its own block first,
  /// then what is left of the others, each from the front.
  static void iterate(Loop &loop, int self) {
    InIteration = true;
    for (int k = 0; k < loop.NumBlocks; ++k) {
      Block &block = loop.Blocks[(self + k) % loop.NumBlocks];
      for (int i; (i = block.Next.fetch_add(1)) < block.End;) {
        if (!loop.Error.load(std::memory_order_relaxed))
          if (int r = loop.Task(loop.UserContext, loop.Min + i, loop.Closure)) {
            int none = 0;
            loop.Error.compare_exchange_strong(none, r);
          }
        loop.Done.fetch_add(1);
      }
    }
    InIteration = false;
  }

  void work(int self) {
    uint64_t seen = Generation.load();
    while (true) {
      auto start = std::chrono::steady_clock::now();
      while (Generation.load() == seen) {
        std::this_thread::yield();
        if (std::chrono::steady_clock::now() - start < kSpinMicros)
          continue;
        std::unique_lock<std::mutex> guard(Lock);
        Sleeping.fetch_add(1);
        Wake.wait(guard, [&] { return Generation.load() != seen; });
        Sleeping.fetch_sub(1);
      }
      seen = Generation.load();
      Active.fetch_add(1);
      if (Loop *loop = Current.load())
        iterate(*loop, self);
      Active.fetch_sub(1);
    }
  }

  std::atomic<uint64_t> Generation{0};
  std::atomic<Loop *> Current{nullptr};
  std::atomic<int> Active{0}, Sleeping{0};
  std::mutex Lock;
  std::condition_variable Wake;
};

Pool &pool() {
  static Pool *p = new Pool(nnrt::workerThreads()); // never destroyed: workers outlive main
  return *p;
}

} // namespace

uint64_t nnrt::parallelLoopsStarted() { return LoopsStarted; }

int nnrt::workerThreads() {
  static const int n = [] {
    const char *env = std::getenv("HL_NUM_THREADS");
    int v = env ? std::atoi(env) : 0;
    if (v <= 0) {
      // The cores this process may run on (mpirun binds ranks to cores), else all.
      cpu_set_t set;
      v = sched_getaffinity(0, sizeof(set), &set) == 0
              ? CPU_COUNT(&set)
              : int(std::thread::hardware_concurrency());
    }
    return std::clamp(v, 1, 256);
  }();
  return n;
}

extern "C" int halide_do_par_for(void *userContext, halide_task_t task, int min, int size,
                                 uint8_t *closure) {
  if (size <= 0)
    return 0;
  if (size > 1)
    ++LoopsStarted;
  Pool *p = size > 1 && !InIteration && nnrt::workerThreads() > 1 ? &pool() : nullptr;
  if (!p || !p->Calling.try_lock()) {
    for (int i = 0; i < size; ++i)
      if (int r = task(userContext, min + i, closure))
        return r;
    return 0;
  }
  Loop loop(task, userContext, closure, min, size, nnrt::workerThreads());
  int r = p->run(loop);
  p->Calling.unlock();
  return r;
}
