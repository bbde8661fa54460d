//===- Bench.cpp - `bench`: per-entry and per-kernel timings --------------===//
//
// Runs every entry (or one, with --entry) on random inputs: every symbol is bound to
// --batch, f32 inputs are U(0, 1), i32 inputs are labels in [0, classes) (the static class
// axis of infer's first output, else 10). Profiling is switched on in the context so each
// kernel is timed separately.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <sys/resource.h>

using namespace nnrt::driver;

static double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Random inputs for `entry` with every symbol bound to `batch`: f32 inputs U(0, 1), i32
/// inputs class indices in [0, classes), except an f32[] input named `lr`, which gets the
/// model's learning rate (1e-3 when it has none), as `train` feeds it: a random one up
/// to 1 made training steps diverge within the warm-up, and their kernels then timed
/// overflowing and denormal arithmetic (W7's training step: 105 ms instead of 44).
/// Prints the error and returns false when an input would be larger than the runtime's
/// limit or cannot be allocated.
static bool makeInputs(const nnrt_model *m, const nnrt_entry *e, int64_t batch,
                       int64_t classes, std::mt19937_64 &rng,
                       std::vector<HeapArray<float>> &storage, std::vector<nnrt_tensor> &inputs) {
  storage.clear();
  storage.resize(e->num_inputs);
  inputs.assign(e->num_inputs, nnrt_tensor{});
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  std::uniform_int_distribution<int64_t> label(0, classes - 1);
  for (int32_t i = 0; i < e->num_inputs; ++i) {
    const nnrt_input &decl = m->inputs[e->inputs[i]];
    nnrt_tensor &t = inputs[i];
    t.dtype = decl.dtype;
    t.shape = decl.shape;
    std::string dims;
    for (int32_t d = 0; d < t.shape.rank; ++d) {
      if (t.shape.dims[d] < 0)
        t.shape.dims[d] = batch;
      dims += (d ? ", " : "") + std::to_string(t.shape.dims[d]);
    }
    int64_t n = nnrt_shape_numel(&t.shape);
    if (n < 0) {
      error("input '%s' would be %s[%s] at batch %lld: more than %lld elements, the runtime's "
            "limit per tensor (NNRT_MAX_ELEMENTS)", decl.name,
            decl.dtype == NNRT_F32 ? "f32" : "i32", dims.c_str(), (long long)batch,
            NNRT_MAX_ELEMENTS);
      return false;
    }
    std::string what = "input '" + std::string(decl.name) + "'";
    if (!storage[i].allocate(size_t(n), what.c_str())) // 4 bytes per element for both dtypes
      return false;
    if (decl.dtype == NNRT_F32 && decl.shape.rank == 0 && !std::strcmp(decl.name, "lr")) {
      storage[i][0] = m->train.lr > 0 ? m->train.lr : 1e-3f;
    } else if (decl.dtype == NNRT_F32) {
      for (int64_t k = 0; k < n; ++k)
        storage[i][k] = u01(rng);
    } else {
      auto *p = reinterpret_cast<int32_t *>(storage[i].data());
      for (int64_t k = 0; k < n; ++k)
        p[k] = int32_t(label(rng));
    }
    t.data = storage[i].data();
  }
  return true;
}

static bool benchEntry(nnrt_context *ctx, const nnrt_entry *e, int64_t batch, long long iters,
                       long long warmup, std::mt19937_64 &rng, bool countAllocs) {
  const nnrt_model *m = nnrt_context_model(ctx);
  std::vector<HeapArray<float>> storage;
  std::vector<nnrt_tensor> inputs;
  std::string output;
  int64_t classes = modelClasses(m, output);
  if (!makeInputs(m, e, batch, classes > 0 ? classes : NNRT_FASHION_MNIST_CLASSES, rng, storage,
                  inputs))
    return false;
  std::vector<nnrt_tensor> outputs(e->num_outputs);
  // A training step over more rows than its micro_batch runs its gradient entry per
  // slice and its update entry once (nnrt_iteration_step.micro_batch): the kernels shown
  // are then the gradient entry's, in its last slice.
  const nnrt_entry *k = e;
  int32_t micro = 0;
  for (int32_t i = 0; i < m->train.num_iteration_steps; ++i)
    if (!std::strcmp(m->train.iteration_steps[i].entry, e->name))
      micro = m->train.iteration_steps[i].micro_batch;
  std::string gradName = std::string(e->name) + NNRT_GRAD_ENTRY_SUFFIX;
  if (micro > 0 && batch > micro && !nnrt_kernels_on_gpu())
    k = nnrt_find_entry(m, gradName.c_str());
  std::vector<double> totals;
  std::vector<std::vector<double>> perStep(k->num_steps);
  std::vector<double> stepTimes(k->num_steps);
  AllocationCounter allocs;
  // The calls time the entry and its kernels together, except with GPU kernels: there
  // profiling waits for each kernel, so the entry is timed without it and the kernels
  // in as many further calls.
  bool gpu = nnrt_kernels_on_gpu();
  long long calls = warmup + iters * (gpu ? 2 : 1);
  // The CPU time the process took over the timed calls, against their wall time: with
  // N threads, about N cores when nothing else took a core (idle workers spin), fewer
  // when another process or the hypervisor did.
  auto cpuSeconds = [] {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           1e-6 * double(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
  };
  double cpu0 = 0;
  auto wall0 = std::chrono::steady_clock::now();
  for (long long it = 0; it < calls; ++it) {
    if (it == warmup) {
      allocs.begin(ctx, k);
      cpu0 = cpuSeconds();
      wall0 = std::chrono::steady_clock::now();
    }
    bool entryTimed = it >= warmup && it < warmup + iters;
    bool kernelsTimed = it >= warmup && (!gpu || !entryTimed);
    nnrt_context_set_profiling(ctx, kernelsTimed);
    uint64_t allocsBefore = nnrt_allocation_count();
    auto t0 = std::chrono::steady_clock::now();
    if (nnrt_run(ctx, e->name, inputs.data(), e->num_inputs, outputs.data(), e->num_outputs) !=
        NNRT_OK) {
      error("%s", nnrt_context_last_error(ctx));
      return false;
    }
    auto t1 = std::chrono::steady_clock::now();
    if (entryTimed) {
      allocs.add(allocsBefore);
      totals.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    if (kernelsTimed) {
      nnrt_last_step_times(ctx, k->name, stepTimes.data(), k->num_steps);
      for (int32_t s = 0; s < k->num_steps; ++s)
        perStep[s].push_back(stepTimes[s]);
    }
  }
  double cores = (cpuSeconds() - cpu0) /
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::printf("entry %s (batch %lld, %lld iters): median %.4f ms, min %.4f ms\n", e->name,
              (long long)batch, iters, median(totals) * 1e3,
              *std::min_element(totals.begin(), totals.end()) * 1e3);
  if (k != e)
    std::printf("  micro-batches of %d rows: %lld runs of %s, then %s%s once; the kernels of "
                "%s's last run:\n",
                micro, (long long)((batch + micro - 1) / micro), k->name, e->name,
                NNRT_APPLY_ENTRY_SUFFIX, k->name);
  std::printf("  %4s  %-40s %10s\n", "step", "kernel", "median ms");
  // Steps that ran side by side (nnrt_last_step_groups) are marked with their group.
  std::vector<int32_t> group(size_t(k->num_steps));
  nnrt_last_step_groups(ctx, k->name, group.data(), k->num_steps);
  for (int32_t s = 0; s < k->num_steps; ++s) {
    int32_t last = s;
    while (last + 1 < k->num_steps && group[size_t(last + 1)] == group[size_t(s)])
      ++last;
    bool beside = group[size_t(s)] != s || last > s;
    std::printf("  %4d  %-40s %10.4f", s, k->steps[s].kernel ? k->steps[s].kernel : "?",
                median(perStep[s]) * 1e3);
    if (beside)
      std::printf("  beside steps %d-%d", group[size_t(s)], last);
    std::printf("\n");
  }
  // How many kernels ran parallel loops: an entry whose kernels all run on one thread
  // (work below the parallel thresholds) uses one core on any machine, so its cores
  // figure says nothing of the machine (bench/run.py reads both).
  std::vector<int32_t> parallel(size_t(k->num_steps));
  nnrt_last_step_parallel(ctx, k->name, parallel.data(), k->num_steps);
  int parallelKernels = int(std::count(parallel.begin(), parallel.end(), 1));
  std::printf("  cpu: %.2f cores used over the timed calls (%d of %d kernels ran parallel "
              "loops)\n",
              cores, parallelKernels, kernelSteps(*k));
  if (countAllocs)
    allocs.report();
  return true;
}

int nnrt::driver::runBench(const nnrt_model *m, const char *prog, int argc, char **argv) {
  std::vector<FlagSpec> specs = {
      {"batch", true, "value of every symbolic dim (default: the model's train batch, else 64)"},
      {"iters", true, "timed calls per entry (default 20)"},
      {"warmup", true, "untimed calls before them (default 3)"},
      {"entry", true, "time only this entry"},
      {"weights", true, "safetensors file with the parameters (default: seeded init)"},
      {"seed", true, "seed for inputs and parameter init"},
      {"count-allocs", false, "count the allocations of the timed calls (libnnrt and the "
                              "kernels' halide_malloc; warm-up excluded)"},
      {"help", false, "print this help"}};
  Flags flags;
  if (int status = flags.parse(prog, "bench", "[--batch N] [--iters N] [--warmup N] [--entry NAME]",
                               specs, argc, argv);
      status >= 0)
    return status;
  long long batch, iters, warmup, seed;
  if (!flags.getInt("batch", m->train.batch > 0 ? m->train.batch : 64, 1, 1 << 24, batch) ||
      !flags.getInt("iters", 20, 1, 1 << 24, iters) ||
      !flags.getInt("warmup", 3, 0, 1 << 24, warmup) ||
      !flags.getInt("seed", m->train.seed, 0, 1ll << 62, seed))
    return 1;
  std::string only = flags.get("entry");
  if (!only.empty() && !nnrt_find_entry(m, only.c_str()))
    return error("this model has no entry '%s'", only.c_str());
  ContextHolder ctx;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, flags.get("weights"), seed))
    return 1;
  std::mt19937_64 rng{uint64_t(seed)};
  for (int32_t i = 0; i < m->num_entries; ++i) {
    const nnrt_entry *e = &m->entries[i];
    if (!only.empty() && only != e->name)
      continue;
    if (!benchEntry(ctx.Ctx, e, batch, iters, warmup, rng, flags.has("count-allocs")))
      return 1;
  }
  return 0;
}
