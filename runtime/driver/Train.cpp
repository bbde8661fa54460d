//===- Train.cpp - `train`: the training loop -----------------------------===//
//
// Epochs over the training split in a seeded shuffled order. Each batch is one iteration:
// the model's training steps (its `train` statements, in file order, e.g. a GAN's
// discriminator and generator steps) run in turn on it, each with its own scheduled
// learning rate. The mean loss of each step and the throughput per epoch (a live
// progress line on a TTY), test accuracy through `infer` after each epoch when `infer`
// reads only what the dataset provides, per-iteration losses in a CSV file, and atomic
// checkpoints with --save. A checkpoint records the iterations done ("step" metadata),
// so --resume continues the run where it stopped: same batches, same rates.
//
// Under mpirun (Distributed.h) the run is data-parallel: each rank computes the
// gradients of its contiguous share of every batch with the step's gradient entry, the
// ranks sum them (weighted by their shares of the batch), and every rank applies the same
// update with the step's update entry; rank 0 prints, logs, evaluates and saves. With
// one process the fused step runs, as it always did.
//
//===----------------------------------------------------------------------===//
#include "Distributed.h"
#include "Driver.h"
#include "../lib/SplitMix64.h"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace nnrt::driver;

namespace {

/// "nan", "inf" or "-inf".
const char *lossText(float v) { return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf"; }

/// Set by SIGINT/SIGTERM: the run stops after the current step and saves (with --save).
volatile std::sig_atomic_t Interrupted = 0;

void onInterrupt(int sig) {
  Interrupted = 1;
  std::signal(sig, SIG_DFL); // a second signal ends the process at once
}

} // namespace

bool nnrt::driver::trainInterrupted() { return Interrupted != 0; }

namespace {

/// Installs onInterrupt for SIGINT and SIGTERM while it lives.
struct InterruptHandler {
  void (*OldInt)(int), (*OldTerm)(int);
  InterruptHandler() {
    Interrupted = 0;
    OldInt = std::signal(SIGINT, onInterrupt);
    OldTerm = std::signal(SIGTERM, onInterrupt);
  }
  ~InterruptHandler() {
    std::signal(SIGINT, OldInt);
    std::signal(SIGTERM, OldTerm);
  }
};

/// The visiting order of an epoch: Fisher-Yates over 0..n-1 with
/// splitmix64(seed * 1000003 + epoch), a function of (seed, epoch) only, so that a resumed
/// run visits what the uninterrupted one would have.
void shuffle(HeapArray<int64_t> &order, uint64_t seed, int64_t epoch) {
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = int64_t(i);
  nnrt::SplitMix64 rng(seed * 1000003ull + uint64_t(epoch));
  for (int64_t i = int64_t(order.size()) - 1; i > 0; --i)
    std::swap(order[i], order[rng.next() % uint64_t(i + 1)]);
}

struct Options {
  long long Epochs, Batch, Seed, Limit, MaxSteps, LogEvery;
  std::vector<std::string> Lr; ///< --lr X (every step) or --lr STEP=X
  int32_t Schedule = NNRT_SCHEDULE_CONSTANT;
  long long Warmup = 0; ///< --warmup N: steps of linear warm-up before the schedule
  bool Shuffle = true;
  bool DropLast = false; ///< --drop-last: every epoch visits whole batches only
  bool CountAllocs = false;
  bool AllowNonfinite = false; ///< go on when a step's loss is NaN or infinite
  std::string Data, Save, Resume, LogCsv;
  std::string Iteration; ///< --iteration A,B: the steps of an iteration, in order
  long long SamplesEvery = 0;   ///< --samples-every N: a PNG grid every N iterations
  std::string Samples;          ///< ... into this directory
  SampleRange Range;            ///< --range
  const nnrt_entry *Sampler = nullptr; ///< `infer`, when --samples-every is given
  std::vector<std::string> Feed;       ///< --feed NAME=FILE.npy
  long long Length = 0;                ///< --length: a text dataset's sequence length
  double Timeout = 600; ///< --timeout: the longest wait for the other ranks, in seconds
};

/// An input fed from a file (--feed NAME=FILE.npy, the parity mode: e.g. a GAN's noise
/// as PyTorch drew it): iteration k reads rows [k B, k B + rows) of the file.
struct Feed {
  int32_t Input = -1;
  NpyHolder File;
  int64_t RowElems = 1; ///< elements per row (the input's non-batch dims)
  int64_t Rows = 0;
};
using Feeds = std::vector<std::unique_ptr<Feed>>;

/// The data-parallel form of a step (more than one rank): its gradient and update
/// entries (nnrt/model.h, NNRT_GRAD_ENTRY_SUFFIX) and the buffer the ranks sum: the
/// loss, then every gradient, each weighted by the rank's share of the batch.
struct ParallelStep {
  const nnrt_entry *Grad = nullptr, *Apply = nullptr;
  int32_t GradLoss = 0;           ///< the loss output of Grad
  std::vector<int32_t> FromGrad;  ///< per Apply input: the Grad output it takes, or -1
  std::vector<size_t> Offset;     ///< ... and that output's place in Sum
  HeapArray<float> Sum;           ///< the loss and the gradients, in the order they finish
  size_t LossOffset = 0;          ///< the loss's place in Sum
  /// What the sum carries, in the order of Sum: a Grad output (the loss first), where it
  /// goes, and the step of Grad after which it is final (nnrt_output_ready_step; the
  /// last step when none writes it).
  struct Part {
    int32_t Output;
    size_t Offset;
    int32_t Ready;
  };
  std::vector<Part> Parts;
  /// Buckets of consecutive parts, summed over the ranks as soon as their last part is
  /// final, while the backward pass goes on: Sum[Begin, End) after step Ready.
  struct Bucket {
    size_t Begin, End;
    int32_t Ready;
  };
  std::vector<Bucket> Buckets;
  std::vector<nnrt_tensor> GradInputs, GradOutputs, ApplyInputs, ApplyOutputs;
  // During a step: the rank's share of the batch, the next part to copy and the next
  // bucket to start, and the first error of the observer.
  float Share = 0;
  size_t NextPart = 0, NextBucket = 0;
  ProcessGroup *Group = nullptr;
  bool Failed = false;
};

/// The smallest bucket of gradients summed on its own (elements): smaller groups of
/// gradients that finish at different steps travel with the next ones, so one message
/// does not carry a bias alone.
constexpr size_t MinBucketElements = 16 * 1024;

/// A training step of the iteration and what it carries through an epoch.
struct StepRun {
  const nnrt_entry *Entry = nullptr;
  int32_t LossIndex = 0;
  double Lr = 0; ///< peak learning rate
  std::vector<nnrt_tensor> Inputs, Outputs;
  double LossSum = 0; ///< over the epoch's iterations
  float Loss = 0;     ///< of the last iteration
  ParallelStep Par;   ///< with more than one rank
};

} // namespace

/// The shape of a run: batches per epoch and steps in all (the schedule's length).
struct RunPlan {
  int64_t Batch;         ///< rows per step
  int64_t End;           ///< examples an epoch visits (a static batch drops the remainder)
  int64_t StepsPerEpoch; ///< batches per epoch
  int64_t TotalSteps;    ///< epochs * StepsPerEpoch
};

/// Staging for one batch: the examples (f32 images or i32 token ids, copied as 4-byte
/// elements) and targets of its examples, gathered in visiting order. Sized for
/// min(batch, examples per epoch) rows, so a --batch larger than the dataset costs only
/// the dataset's size.
struct Staging {
  HeapArray<float> Images;
  HeapArray<int32_t> Labels;
};

/// Owns a dataset.
struct DsHolder {
  nnrt_dataset *D = nullptr;
  ~DsHolder() { nnrt_dataset_destroy(D); }
};

/// How an epoch ended.
enum class EpochEnd { Done, Failed, NonFinite };

/// What the run carries from step to step and epoch to epoch.
struct Progress {
  int64_t TotalSteps = 0;       ///< steps done in the run (resumed ones included)
  float BadLoss = 0;            ///< the non-finite loss that ended the run
  const char *BadStep = "";     ///< its step, when the iteration has several
  bool WarnedNonfinite = false; ///< --allow-nonfinite warns once
  float Lr = 0;                 ///< fed to an f32[] input named lr
  int32_t Seed = 0;             ///< fed to an i32[] input named seed (dropout's stream)
  int32_t ShardRowInput = -1;   ///< the input NNRT_SHARD_ROW_INPUT of gradient entries
  int32_t ShardRow = 0;         ///< ... fed this rank's first row within the batch
  ProcessGroup *Group = nullptr;
  int64_t DieAtStep = 0;        ///< NNRT_TEST_KILL_STEP on rank NNRT_TEST_KILL_RANK
};

/// Gathers the examples order[start .. start+rows) into the staging buffers.
static void stageBatch(const nnrt_dataset *ds, const DataBinding &bind,
                       const HeapArray<int64_t> &order, int64_t start, int64_t rows,
                       Staging &staging) {
  nnrt_tensor images = nnrt_dataset_images(ds), labels = nnrt_dataset_labels(ds);
  int64_t perExample = bind.ExampleElems, perTarget = bind.TargetElems;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t ex = order[size_t(start + r)];
    std::memcpy(staging.Images.data() + r * perExample,
                static_cast<char *>(images.data) + ex * perExample * 4, size_t(perExample) * 4);
    std::memcpy(staging.Labels.data() + r * perTarget,
                static_cast<int32_t *>(labels.data) + ex * perTarget, size_t(perTarget) * 4);
  }
}

/// Points the entry's inputs at the staged batch of `rows` examples (and at the run's lr
/// and seed).
static void bindInputs(const nnrt_model *m, const nnrt_entry *entry, const DataBinding &bind,
                       const Feeds &feeds, int64_t firstRow, int64_t rows, Staging &staging,
                       Progress &run, std::vector<nnrt_tensor> &inputs) {
  for (int32_t i = 0; i < entry->num_inputs; ++i) {
    int32_t in = entry->inputs[i];
    nnrt_tensor &t = inputs[i];
    t = nnrt_tensor{};
    t.dtype = m->inputs[in].dtype;
    auto fed = std::find_if(feeds.begin(), feeds.end(),
                            [&](const std::unique_ptr<Feed> &f) { return f->Input == in; });
    if (fed != feeds.end()) {
      const Feed &f = **fed;
      t.shape = f.File.T.shape;
      t.shape.dims[0] = rows;
      t.data = static_cast<char *>(f.File.T.data) + firstRow * f.RowElems * 4;
    } else if (in == bind.ImageInput) {
      t.shape = bind.ExampleShape;
      t.shape.dims[0] = rows;
      t.data = staging.Images.data();
    } else if (in == bind.LabelInput) {
      t.shape = bind.TargetShape;
      t.shape.dims[0] = rows;
      t.data = staging.Labels.data();
    } else if (in == bind.SeedInput) {
      t.data = &run.Seed; // rank 0
    } else if (in == run.ShardRowInput) {
      t.data = &run.ShardRow; // rank 0
    } else {
      t.data = &run.Lr; // rank 0
    }
  }
}

/// The rows [lo, hi) of a batch of `rows` that this rank computes: contiguous shares,
/// which differ by at most one row.
static void shardOf(const ProcessGroup &group, int64_t rows, int64_t &lo, int64_t &hi) {
  lo = rows * group.rank() / group.size();
  hi = rows * (group.rank() + 1) / group.size();
}

/// Copies the parts of the sum that are final after step `step` of the gradient entry
/// (scaled by the rank's share) and starts the buckets they complete.
static bool sumReadyParts(ParallelStep &p, int32_t step) {
  for (; p.NextPart < p.Parts.size() && p.Parts[p.NextPart].Ready <= step; ++p.NextPart) {
    const ParallelStep::Part &part = p.Parts[p.NextPart];
    const nnrt_tensor &g = p.GradOutputs[size_t(part.Output)];
    const float *src = static_cast<const float *>(g.data);
    float *dst = p.Sum.data() + part.Offset;
    int64_t n = nnrt_shape_numel(&g.shape);
    for (int64_t k = 0; k < n; ++k)
      dst[k] = src[k] * p.Share;
  }
  for (; p.NextBucket < p.Buckets.size() && p.Buckets[p.NextBucket].Ready <= step;
       ++p.NextBucket) {
    const ParallelStep::Bucket &b = p.Buckets[p.NextBucket];
    if (!p.Group->startSum(p.Sum.data() + b.Begin, b.End - b.Begin))
      return false;
  }
  return p.Group->progress();
}

/// One data-parallel step on this rank's share (staged) of a batch of `rows` examples
/// whose first row is row `firstRow` of the run (for --feed): the gradient entry, whose
/// buckets of gradients are summed over the ranks as the backward pass finishes them
/// (an observer of the entry's steps), then the update entry. Sets `s.Loss` to the loss
/// of the whole batch. Prints the error and returns false on failure.
static bool runParallelStep(nnrt_context *ctx, StepRun &s, const DataBinding &bind,
                            const Feeds &feeds, int64_t firstRow, int64_t rows,
                            Staging &staging, Progress &run) {
  const nnrt_model *m = nnrt_context_model(ctx);
  ParallelStep &p = s.Par;
  int64_t lo, hi;
  shardOf(*run.Group, rows, lo, hi);
  float *sum = p.Sum.data();
  p.NextPart = p.NextBucket = 0;
  p.Group = run.Group;
  p.Failed = false;
  if (hi > lo) {
    run.ShardRow = int32_t(lo);
    // Each rank's loss and gradients are means over its rows: weighted by its share,
    // their sum is the mean over the batch.
    p.Share = float(hi - lo) / float(rows);
    bindInputs(m, p.Grad, bind, feeds, firstRow + lo, hi - lo, staging, run, p.GradInputs);
    auto observe = [](void *user, int32_t step) {
      auto &par = *static_cast<ParallelStep *>(user);
      par.Failed = !sumReadyParts(par, step);
      return par.Failed ? 1 : 0;
    };
    if (nnrt_run_observed(ctx, p.Grad->name, p.GradInputs.data(), p.Grad->num_inputs,
                          p.GradOutputs.data(), p.Grad->num_outputs, observe, &p) != NNRT_OK) {
      // The sums in flight are abandoned: the failed run aborts every rank.
      if (!p.Failed)
        error("rank %d: %s", run.Group->rank(), nnrt_context_last_error(ctx));
      return false;
    }
    if (!sumReadyParts(p, INT32_MAX))
      return false;
  } else {
    // No rows here (a batch smaller than the ranks): zeros, in the same buckets.
    std::memset(sum, 0, p.Sum.size() * sizeof(float));
    p.NextPart = p.Parts.size();
    if (!sumReadyParts(p, INT32_MAX))
      return false;
  }
  if (!run.Group->finishSums())
    return false;
  for (int32_t i = 0; i < p.Apply->num_inputs; ++i) {
    nnrt_tensor &t = p.ApplyInputs[size_t(i)];
    t = nnrt_tensor{};
    t.dtype = NNRT_F32;
    if (p.FromGrad[size_t(i)] < 0) {
      t.data = &run.Lr; // rank 0
      continue;
    }
    t.shape = m->inputs[p.Apply->inputs[i]].shape; // a parameter's: static
    t.data = sum + p.Offset[size_t(i)];
  }
  if (nnrt_run(ctx, p.Apply->name, p.ApplyInputs.data(), p.Apply->num_inputs,
               p.ApplyOutputs.data(), p.Apply->num_outputs) != NNRT_OK)
    return error("rank %d: %s", run.Group->rank(), nnrt_context_last_error(ctx)) == 0;
  s.Loss = sum[p.LossOffset];
  return true;
}

/// The mean losses of the steps over `n` iterations: `loss X` for one step,
/// `loss d_step X g_step Y` for several.
static std::string meanLosses(const std::vector<StepRun> &steps, int64_t n, const char *fmt) {
  std::string out = "loss";
  char buf[64];
  for (const StepRun &s : steps) {
    if (steps.size() > 1)
      out += std::string(" ") + s.Entry->name;
    std::snprintf(buf, sizeof buf, fmt, n ? s.LossSum / double(n) : 0.0);
    out += std::string(" ") + buf;
  }
  return out;
}

/// One epoch, starting at batch `firstBatch` of its order; `run.TotalSteps` counts
/// iterations across epochs (for the schedule, --steps and --log-every). Failed: an error
/// was printed. NonFinite: the loss of step `run.BadStep` in iteration `run.TotalSteps`
/// (1-based) was NaN or infinite, its value in `run.BadLoss`, and --allow-nonfinite was
/// not given.
static EpochEnd trainEpoch(nnrt_context *ctx, std::vector<StepRun> &stepRuns,
                           const DataBinding &bind, const Feeds &feeds,
                           const nnrt_dataset *ds, const Options &opt,
                           const RunPlan &plan, int64_t epoch, int64_t firstBatch,
                           HeapArray<int64_t> &order, Staging &staging, Progress &run,
                           AllocationCounter &allocs, std::FILE *csv) {
  const nnrt_model *m = nnrt_context_model(ctx);
  int64_t batch = plan.Batch, end = plan.End;
  int64_t &totalSteps = run.TotalSteps;
  if (opt.Shuffle)
    shuffle(order, uint64_t(opt.Seed), epoch);
  bool tty = isatty(fileno(stderr));
  for (StepRun &s : stepRuns)
    s.LossSum = 0;
  int64_t seen = 0, steps = 0;
  auto t0 = std::chrono::steady_clock::now(), lastDraw = t0;
  for (int64_t start = firstBatch * batch;
       start < end && totalSteps < opt.MaxSteps && !Interrupted; start += batch) {
    int64_t rows = std::min(batch, end - start);
    bool parallel = run.Group->parallel();
    int64_t lo = 0, hi = rows; // the rows this rank stages
    if (parallel)
      shardOf(*run.Group, rows, lo, hi);
    stageBatch(ds, bind, order, start + lo, hi - lo, staging);
    for (StepRun &s : stepRuns) {
      const nnrt_entry *entry = parallel ? s.Par.Grad : s.Entry;
      run.Lr = nnrt_schedule_lr(opt.Schedule, float(s.Lr), totalSteps, plan.TotalSteps,
                                opt.Warmup);
      uint64_t allocsBefore = nnrt_allocation_count();
      if (parallel) {
        // The failure test's dead rank (NNRT_TEST_KILL_*): as `kill -9` would.
        if (run.DieAtStep == totalSteps + 1)
          std::raise(SIGKILL);
        if (!runParallelStep(ctx, s, bind, feeds, totalSteps * batch, rows, staging, run))
          return EpochEnd::Failed;
      } else {
        bindInputs(m, entry, bind, feeds, totalSteps * batch, rows, staging, run, s.Inputs);
      }
      if (!parallel && nnrt_run(ctx, entry->name, s.Inputs.data(), entry->num_inputs,
                                s.Outputs.data(), entry->num_outputs) != NNRT_OK) {
        if (tty)
          std::fprintf(stderr, "\r\033[K");
        error("%s", nnrt_context_last_error(ctx));
        return EpochEnd::Failed;
      }
      // --count-allocs (the first step of the iteration): its first run is the warm-up
      // (it sizes the arena and outputs).
      if (opt.CountAllocs && &s == &stepRuns.front()) {
        if (totalSteps == 0)
          allocs.begin(ctx, entry);
        else
          allocs.add(allocsBefore);
      }
      if (!parallel) {
        const nnrt_tensor &loss = s.Outputs[s.LossIndex];
        s.Loss = loss.dtype == NNRT_F32 ? *static_cast<float *>(loss.data) : 0.0f;
      }
      s.LossSum += s.Loss;
    }
    seen += rows;
    ++steps;
    if (opt.LogEvery > 0 && totalSteps % opt.LogEvery == 0) {
      std::printf("step %lld", (long long)totalSteps + 1);
      for (const StepRun &s : stepRuns)
        std::printf(stepRuns.size() > 1 ? " %s %.9g" : "%.0s loss %.9g", s.Entry->name,
                    double(s.Loss));
      std::printf("\n");
    }
    ++totalSteps;
    if (opt.SamplesEvery > 0 && totalSteps % opt.SamplesEvery == 0) {
      // One fixed noise batch (infer's counter is 0; the run's seed), so the grids show
      // the generator's progress on the same inputs.
      char name[64];
      std::snprintf(name, sizeof name, "/step-%06lld.png", (long long)totalSteps);
      if (!sampleGrid(ctx, opt.Sampler, 64, run.Seed, opt.Range, opt.Samples + name)) {
        if (tty)
          std::fprintf(stderr, "\r\033[K");
        return EpochEnd::Failed;
      }
    }
    if (csv) {
      std::fprintf(csv, "%lld", (long long)totalSteps);
      for (const StepRun &s : stepRuns)
        std::fprintf(csv, ",%.9g", double(s.Loss));
      std::fprintf(csv, "\n");
    }
    for (const StepRun &s : stepRuns) {
      if (std::isfinite(s.Loss))
        continue;
      if (!opt.AllowNonfinite) {
        if (tty)
          std::fprintf(stderr, "\r\033[K");
        run.BadLoss = s.Loss;
        run.BadStep = stepRuns.size() > 1 ? s.Entry->name : "";
        return EpochEnd::NonFinite;
      }
      if (!run.WarnedNonfinite)
        std::fprintf(stderr, "%swarning: the loss of step %lld%s%s is %s (--allow-nonfinite: "
                     "training goes on)\n", tty ? "\r\033[K" : "", (long long)totalSteps,
                     stepRuns.size() > 1 ? " in " : "",
                     stepRuns.size() > 1 ? s.Entry->name : "", lossText(s.Loss));
      run.WarnedNonfinite = true;
    }
    auto now = std::chrono::steady_clock::now();
    if (tty && std::chrono::duration<double>(now - lastDraw).count() > 0.1) {
      lastDraw = now;
      double secs = std::chrono::duration<double>(now - t0).count();
      int64_t done = firstBatch * batch + seen;
      int width = 30, filled = int(width * done / std::max<int64_t>(end, 1));
      std::fprintf(stderr, "\repoch %lld/%lld [%s%s] %lld/%lld %s %.0f samples/s",
                   (long long)epoch + 1, opt.Epochs, std::string(filled, '=').c_str(),
                   std::string(width - filled, ' ').c_str(), (long long)done, (long long)end,
                   meanLosses(stepRuns, steps, "%.4f").c_str(),
                   secs > 0 ? double(seen) / secs : 0.0);
    }
  }
  if (tty)
    std::fprintf(stderr, "\r\033[K");
  if (steps == 0 && Interrupted)
    return EpochEnd::Done; // interrupted between epochs: nothing to report
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("epoch %lld/%lld: %s, %lld samples, %.0f samples/s", (long long)epoch + 1,
              opt.Epochs, meanLosses(stepRuns, steps, "%.4f").c_str(), (long long)seen,
              secs > 0 ? double(seen) / secs : 0.0);
  if (Interrupted)
    std::printf(" (interrupted)\n");
  return EpochEnd::Done;
}

/// The steps a --resume checkpoint has done: its "step" metadata, 0 when it has none
/// (weights from elsewhere) or when there is no checkpoint.
static bool resumedStep(nnrt_context *ctx, const std::string &resume, int64_t &step) {
  step = 0;
  const char *text = resume.empty() ? nullptr : nnrt_context_metadata(ctx, "step");
  if (!text)
    return true;
  char *endp = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &endp, 10);
  if (errno || endp == text || *endp || v < 0) {
    error("%s: metadata \"step\" is \"%s\", not a step count", resume.c_str(), text);
    return false;
  }
  step = v;
  return true;
}

/// Parses train's flags into `opt`. Returns -1 when training should start, else the exit
/// status (after --help or an error).
static int parseTrainFlags(const nnrt_model *m, const char *prog, int argc, char **argv,
                           Options &opt) {
  std::vector<FlagSpec> specs = {
      {"epochs", true, "passes over the training split (default: the model's)"},
      {"batch", true, "examples per step (default: the model's, else 32)"},
      {"lr", true, "peak learning rate fed to an f32[] input named lr (default: the model's); "
                   "STEP=X sets one step's when an iteration has several (repeat)"},
      {"iteration", true, "the training steps of an iteration, in order, e.g. d_step,g_step "
                          "(default: every train statement of the model, in file order)"},
      {"log-csv", true, "write the loss of every step of every iteration to this CSV file"},
      {"feed", true, "NAME=FILE.npy: feed input NAME, which the dataset does not provide, "
                     "from a file, a batch of rows per iteration (repeat; e.g. noise for a "
                     "parity run)"},
      {"samples-every", true, "every N iterations, write the 'infer' output of a fixed batch "
                              "of 64 as a PNG grid (a generator's samples), DIR/step-K.png"},
      {"samples", true, "the directory of --samples-every's grids (default: samples)"},
      {"range", true, "LO,HI: the values the grids draw black and white (default -1,1)"},
      {"schedule", true, "learning-rate schedule over the run: constant, linear or cosine "
                         "(default: the model's)"},
      {"warmup", true, "steps of linear warm-up: step k < N runs at lr (k+1)/N, then the "
                       "schedule runs over the remaining steps from the peak (default: the "
                       "model's, else 0; at most the run's steps)"},
      {"seed", true, "seed for init and shuffling (default: the model's)"},
      {"data", true, "dataset directory (default " NNRT_FASHION_MNIST_DIR ", for fortunes "
                     "and fortunes_lm " NNRT_FORTUNES_DIR ")"},
      {"limit", true, "use only the first N examples of each split"},
      {"length", true, "tokens per sequence of a text dataset (default: the data clause's "
                       "length); the model's sequence dim must be symbolic or equal"},
      {"save", true, "write a safetensors checkpoint after every epoch"},
      {"resume", true, "continue from this checkpoint: its parameters, optimizer state and "
                       "step count (the run goes on at the step it records)"},
      {"no-shuffle", false, "take the training examples in file order"},
      {"drop-last", false, "skip the last partial batch of each epoch, as PyTorch's "
                           "DataLoader(drop_last=True) and word_language_model do (a static "
                           "batch dim always does)"},
      {"steps", true, "stop once the run has done N steps (resumed steps count)"},
      {"log-every", true, "print the loss of every N-th step (`step K loss X`)"},
      {"count-allocs", false, "count the allocations of every step after the first (libnnrt "
                              "and the kernels' halide_malloc) and print them at the end"},
      {"allow-nonfinite", false, "go on when a step's loss is NaN or infinite (by default the "
                                 "run stops, keeps the last checkpoint and exits 1)"},
      {"timeout", true, "under mpirun: end the run with an error when the other ranks do not "
                        "answer within this many seconds (default 600). Under mpirun "
                        "(OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK set) with more than "
                        "one process, training is data-parallel: each rank computes the "
                        "gradients of its share of every batch of --batch examples, the "
                        "ranks sum them, rank 0 prints, evaluates and saves. It needs a "
                        "model compiled with nnc --data-parallel and a runtime built with "
                        "MPI (else an error)"},
      {"help", false, "print this help"}};
  Flags flags;
  if (int status =
          flags.parse(prog, "train", "[--epochs N] [--batch N] [--lr X] [--save F] [--resume F]",
                      specs, argc, argv);
      status >= 0)
    return status;
  if (!flags.getInt("epochs", m->train.epochs > 0 ? m->train.epochs : 1, 1, 1 << 20,
                    opt.Epochs) ||
      !flags.getInt("batch", m->train.batch > 0 ? m->train.batch : 32, 1, 1 << 24, opt.Batch) ||
      !flags.getInt("seed", m->train.seed, 0, 1ll << 62, opt.Seed) ||
      !flags.getInt("limit", 1ll << 40, 1, 1ll << 40, opt.Limit) ||
      !flags.getInt("steps", 1ll << 62, 1, 1ll << 62, opt.MaxSteps) ||
      !flags.getInt("log-every", 0, 0, 1ll << 40, opt.LogEvery) ||
      !flags.getInt("length", 0, 1, NNRT_TEXT_MAX_LENGTH, opt.Length) ||
      !flags.getInt("warmup", m->train.warmup_steps, 0, INT32_MAX, opt.Warmup))
    return 1;
  opt.Lr = flags.getAll("lr");
  opt.Feed = flags.getAll("feed");
  if (!flags.getInt("samples-every", 0, 0, 1ll << 40, opt.SamplesEvery))
    return 1;
  opt.Samples = flags.get("samples", "samples");
  if (!parseRange(flags.get("range", "-1,1"), opt.Range))
    return error("--range: expected LO,HI with LO < HI, got '%s'", flags.get("range").c_str());
  opt.Iteration = flags.get("iteration");
  opt.LogCsv = flags.get("log-csv");
  const char *modelSchedule = nnrt_schedule_name(m->train.schedule);
  std::string schedule = flags.get("schedule", modelSchedule ? modelSchedule : "constant");
  opt.Schedule = nnrt_schedule_from_name(schedule.c_str());
  if (opt.Schedule < 0)
    return error("--schedule: unknown schedule '%s' (expected constant, linear or cosine)",
                 schedule.c_str());
  opt.Shuffle = !flags.has("no-shuffle");
  opt.DropLast = flags.has("drop-last");
  opt.CountAllocs = flags.has("count-allocs");
  opt.AllowNonfinite = flags.has("allow-nonfinite");
  opt.Data = flags.get("data");
  opt.Save = flags.get("save");
  opt.Resume = flags.get("resume");
  double timeout = 0;
  if (!flags.getFloat("timeout", 600, timeout))
    return 1;
  if (!(timeout > 0))
    return error("--timeout: expected a positive number of seconds, got %g", timeout);
  opt.Timeout = timeout;
  return -1;
}

/// Opens the training split (and the test split when the model has a label input and
/// `infer` reads only what the dataset provides: else `infer` is set to null, with a note
/// in the second case), binds them to the steps' inputs and checks their labels. Prints
/// the error and returns false on failure.
static bool openSplits(const nnrt_model *m, const std::vector<StepRun> &steps,
                       const Feeds &feeds, const nnrt_entry *&infer, const Options &opt,
                       DsHolder &train, DsHolder &test, DataBinding &bind,
                       DataBinding &inferBind) {
  TextOverrides text;
  text.Length = opt.Length;
  if (!openDataset(m, opt.Data, "train", &train.D, text))
    return false;
  std::vector<int32_t> fed;
  for (const auto &f : feeds)
    fed.push_back(f->Input);
  for (const StepRun &s : steps)
    if (!bindDataset(m, s.Entry, train.D, bind, fed))
      return false;
  // A gradient entry reads what its step reads, and its shard's first row.
  for (int32_t i = 0; i < m->num_inputs; ++i)
    if (!std::strcmp(m->inputs[i].name, NNRT_SHARD_ROW_INPUT))
      fed.push_back(i);
  for (const StepRun &s : steps)
    if (s.Par.Grad && !bindDataset(m, s.Par.Grad, train.D, bind, fed))
      return false;
  if (!checkDatasetLabels(m, train.D))
    return false;
  // Accuracy needs labels: a model without a label input (a GAN) has none to score.
  if (!infer || bind.LabelInput < 0) {
    infer = nullptr;
    return true;
  }
  if (const char *other = unboundInput(m, infer, bind)) {
    std::printf("note: no test accuracy: entry 'infer' reads input '%s', which the dataset "
                "cannot provide\n", other);
    infer = nullptr;
    return true;
  }
  // The test split uses the training split's vocabulary (it is fit there).
  text.Vocabulary = nnrt_dataset_vocabulary(train.D);
  return openDataset(m, opt.Data, "t10k", &test.D, text) &&
         bindDataset(m, infer, test.D, inferBind) && checkDatasetLabels(m, test.D);
}

/// Reads the files of --feed NAME=FILE.npy and checks them against their inputs: the
/// dtype, the rank and the non-batch dims. Prints the error and returns 1 on failure, else 0.
static int openFeeds(const nnrt_model *m, const Options &opt, Feeds &feeds) {
  for (const std::string &value : opt.Feed) {
    size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0)
      return error("--feed: expected NAME=FILE.npy, got '%s'", value.c_str());
    std::string name = value.substr(0, eq), path = value.substr(eq + 1);
    auto f = std::make_unique<Feed>();
    for (int32_t i = 0; i < m->num_inputs; ++i)
      if (name == m->inputs[i].name)
        f->Input = i;
    if (f->Input < 0)
      return error("--feed: the model has no input '%s'", name.c_str());
    for (const auto &other : feeds)
      if (other->Input == f->Input)
        return error("--feed: input '%s' is fed twice", name.c_str());
    nnrt_error err;
    if (nnrt_npy_read(path.c_str(), &f->File.T, &err) != NNRT_OK)
      return error("%s", err.message);
    const nnrt_input &decl = m->inputs[f->Input];
    const nnrt_tensor &t = f->File.T;
    bool ok = t.dtype == decl.dtype && t.shape.rank == decl.shape.rank && decl.shape.rank >= 1;
    for (int32_t d = 1; ok && d < decl.shape.rank; ++d) {
      ok = decl.shape.dims[d] < 0 || decl.shape.dims[d] == t.shape.dims[d];
      f->RowElems *= t.shape.dims[d];
    }
    if (!ok)
      return error("--feed: '%s' does not match input '%s': it needs a %s file of rank %d "
                   "whose dims after the first are the input's", path.c_str(), name.c_str(),
                   decl.dtype == NNRT_F32 ? "f32" : "i32", decl.shape.rank);
    f->Rows = t.shape.dims[0];
    feeds.push_back(std::move(f));
  }
  return 0;
}

/// The steps of an iteration: --iteration's names, else the model's iteration steps in
/// file order (else its train entry), each with its loss output and peak learning rate
/// (--lr X for all, --lr STEP=X for one). Prints the error and returns 1 on failure,
/// else 0.
static int planSteps(const nnrt_model *m, const Options &opt, std::vector<StepRun> &steps) {
  const nnrt_train_config &t = m->train;
  struct Default {
    std::string Entry, Loss;
    double Lr;
  };
  std::vector<Default> known;
  for (int32_t i = 0; i < t.num_iteration_steps; ++i)
    known.push_back({t.iteration_steps[i].entry, t.iteration_steps[i].loss_output,
                     double(t.iteration_steps[i].lr)});
  if (known.empty() && t.train_entry && *t.train_entry)
    known.push_back({t.train_entry, t.loss_output ? t.loss_output : "", double(t.lr)});
  if (known.empty())
    return error("this model has no train entry");
  std::vector<std::string> names;
  if (opt.Iteration.empty()) {
    for (const Default &d : known)
      names.push_back(d.Entry);
  } else {
    for (size_t b = 0; b <= opt.Iteration.size();) {
      size_t e = std::min(opt.Iteration.find(',', b), opt.Iteration.size());
      names.push_back(opt.Iteration.substr(b, e - b));
      b = e + 1;
    }
  }
  std::string list;
  for (const Default &d : known)
    list += (list.empty() ? "" : ", ") + d.Entry;
  for (const std::string &name : names) {
    auto it = std::find_if(known.begin(), known.end(),
                           [&](const Default &d) { return d.Entry == name; });
    if (it == known.end())
      return error("--iteration: '%s' is not a training step of this model (steps: %s)",
                   name.c_str(), list.c_str());
    StepRun s;
    s.Entry = nnrt_find_entry(m, name.c_str());
    if (!s.Entry || s.Entry->num_outputs < 1)
      return error("entry '%s' has no loss output", name.c_str());
    for (int32_t o = 0; o < s.Entry->num_outputs; ++o)
      if (!std::strcmp(s.Entry->output_names[o], it->Loss.c_str()))
        s.LossIndex = o;
    s.Lr = it->Lr;
    s.Inputs.resize(size_t(s.Entry->num_inputs));
    s.Outputs.resize(size_t(s.Entry->num_outputs));
    steps.push_back(std::move(s));
  }
  for (const std::string &value : opt.Lr) {
    size_t eq = value.find('=');
    std::string step = eq == std::string::npos ? "" : value.substr(0, eq);
    std::string number = eq == std::string::npos ? value : value.substr(eq + 1);
    char *endp = nullptr;
    errno = 0;
    double lr = std::strtod(number.c_str(), &endp);
    if (number.empty() || errno || *endp || !std::isfinite(lr))
      return error("'--lr %s': expected a finite number (--lr X or --lr STEP=X)",
                   value.c_str());
    if (lr < 0) // as PyTorch's optimizers: a negative rate climbs the loss
      return error("'--lr %s': a learning rate must be 0 or positive", value.c_str());
    bool found = step.empty();
    for (StepRun &s : steps)
      if (step.empty() || step == s.Entry->name) {
        s.Lr = lr;
        found = true;
      }
    if (!found)
      return error("--lr: '%s' is not a step of the iteration (%s)", step.c_str(),
                   list.c_str());
  }
  return 0;
}

/// Finds the gradient and update entries of every step for a run on `group.size()`
/// ranks, checks that the update reads only gradients and `lr`, and sizes the buffer
/// the ranks sum. Prints the error and returns 1 on failure, else 0.
static int planParallel(const nnrt_model *m, const ProcessGroup &group,
                        std::vector<StepRun> &steps) {
  for (StepRun &s : steps) {
    ParallelStep &p = s.Par;
    std::string name = s.Entry->name;
    p.Grad = nnrt_find_entry(m, (name + NNRT_GRAD_ENTRY_SUFFIX).c_str());
    p.Apply = nnrt_find_entry(m, (name + NNRT_APPLY_ENTRY_SUFFIX).c_str());
    if (!p.Grad || !p.Apply)
      return error("%d processes (%s): data-parallel training needs the entries '%s%s' and "
                   "'%s%s', which this model lacks: compile it with nnc --data-parallel",
                   group.size(), ProcessGroup::launcher(), name.c_str(),
                   NNRT_GRAD_ENTRY_SUFFIX, name.c_str(), NNRT_APPLY_ENTRY_SUFFIX);
    const char *lossName = s.Entry->output_names[s.LossIndex];
    for (int32_t o = 0; o < p.Grad->num_outputs; ++o)
      if (!std::strcmp(p.Grad->output_names[o], lossName))
        p.GradLoss = o;
    // The loss and the gradients in the order the backward pass finishes them.
    int32_t last = p.Grad->num_steps;
    auto readyOf = [&](int32_t output) {
      int32_t r = nnrt_output_ready_step(p.Grad, output);
      return r < 0 ? last : r;
    };
    p.Parts.push_back({p.GradLoss, 0, readyOf(p.GradLoss)});
    for (int32_t i = 0; i < p.Apply->num_inputs; ++i) {
      const nnrt_input &in = m->inputs[p.Apply->inputs[i]];
      int32_t from = -1;
      for (int32_t o = 0; o < p.Grad->num_outputs; ++o)
        if (!std::strcmp(p.Grad->output_names[o], in.name))
          from = o;
      int64_t n = nnrt_shape_numel(&in.shape);
      bool isLr = in.shape.rank == 0 && in.dtype == NNRT_F32 && !std::strcmp(in.name, "lr");
      // The gradient as the gradient entry declares its output: the same static shape.
      const nnrt_slot *out =
          from < 0 ? nullptr : &p.Grad->slots[p.Grad->output_slots[from]];
      if (!isLr && (!out || in.dtype != NNRT_F32 || out->dtype != NNRT_F32 || n < 0 ||
                    nnrt_shape_numel(&out->shape) != n))
        return error("entry '%s' reads input '%s', which is not an f32 gradient of a static "
                     "shape output by '%s'", p.Apply->name, in.name, p.Grad->name);
      p.FromGrad.push_back(isLr ? -1 : from);
      p.Offset.push_back(0);
      if (!isLr)
        p.Parts.push_back({from, size_t(i), readyOf(from)});
    }
    std::stable_sort(p.Parts.begin(), p.Parts.end(),
                     [](const ParallelStep::Part &a, const ParallelStep::Part &b) {
                       return a.Ready < b.Ready;
                     });
    size_t total = 0;
    for (size_t k = 0; k < p.Parts.size(); ++k) {
      ParallelStep::Part &part = p.Parts[k];
      size_t input = part.Offset; // the Apply input (the loss: 0), until here
      part.Offset = total;
      if (part.Output == p.GradLoss)
        p.LossOffset = total;
      else
        p.Offset[input] = total;
      total += size_t(nnrt_shape_numel(&p.Grad->slots[p.Grad->output_slots[part.Output]].shape));
      // A bucket ends where it is large enough and the next part finishes later.
      size_t begin = p.Buckets.empty() ? 0 : p.Buckets.back().End;
      bool lastPart = k + 1 == p.Parts.size();
      if (lastPart || (total - begin >= MinBucketElements && p.Parts[k + 1].Ready > part.Ready))
        p.Buckets.push_back({begin, total, part.Ready});
    }
    if (total > size_t(1 << 30))
      return error("step '%s' has %zu gradient elements; a sum over the ranks takes at most "
                   "2^30", name.c_str(), total);
    if (!p.Sum.allocate(total, "the gradients the ranks sum"))
      return 1;
    p.GradInputs.resize(size_t(p.Grad->num_inputs));
    p.GradOutputs.resize(size_t(p.Grad->num_outputs));
    p.ApplyInputs.resize(size_t(p.Apply->num_inputs));
    p.ApplyOutputs.resize(size_t(p.Apply->num_outputs));
  }
  return 0;
}

/// The shape of the run for `n` training examples (a static batch dim, or --drop-last,
/// drops the last partial batch); false after an error when no batch fits.
static bool planRun(const DataBinding &bind, const Options &opt, int64_t n, RunPlan &plan) {
  plan.Batch = bind.StaticBatch >= 0 ? bind.StaticBatch : opt.Batch;
  plan.End = bind.StaticBatch >= 0 || opt.DropLast ? n - n % plan.Batch : n;
  plan.StepsPerEpoch = (plan.End + plan.Batch - 1) / plan.Batch;
  plan.TotalSteps = opt.Epochs * plan.StepsPerEpoch;
  if (plan.StepsPerEpoch == 0) {
    error("no batch to train on: %lld training examples, batch %lld", (long long)n,
          (long long)plan.Batch);
    return false;
  }
  // A warm-up longer than the run would end it below the peak rate, and fitting it into
  // the run would change the declared ramp: neither is what the recipe asked for.
  if (opt.Warmup > plan.TotalSteps) {
    error("the warm-up (%lld steps) is longer than the run (%lld steps); give --warmup N "
          "with N <= %lld", opt.Warmup, (long long)plan.TotalSteps,
          (long long)plan.TotalSteps);
    return false;
  }
  return true;
}

/// Removes the temporaries that writers killed mid-save left beside `checkpoint`, and
/// says so (a failure to list the directory is not an error: loading reports it).
static void removeStaleTemporaries(const std::string &checkpoint) {
  int32_t removed = 0;
  if (nnrt_remove_stale_temporaries(checkpoint.c_str(), &removed, nullptr) == NNRT_OK &&
      removed > 0)
    std::fprintf(stderr, "note: removed %d stale temporary file%s of interrupted saves "
                 "beside '%s'\n", removed, removed == 1 ? "" : "s", checkpoint.c_str());
}

/// Reports a non-finite loss and returns the exit status. The step's update is already in
/// the parameters, so nothing is saved: the last checkpoint on disk (of step `savedStep`
/// when this run wrote one) is the last good state.
static int stopNonFinite(const Options &opt, const RunPlan &plan, const Progress &run,
                         int64_t epoch, int64_t savedStep) {
  int64_t batchNo = (run.TotalSteps - 1) % plan.StepsPerEpoch + 1;
  std::string kept = opt.Save.empty() ? ""
                     : savedStep >= 0
                         ? "; '" + opt.Save + "' keeps step " + std::to_string(savedStep)
                         : "; '" + opt.Save + "' is left as it was";
  return error("the loss of step %lld%s%s (epoch %lld, batch %lld) is %s: training stopped%s "
               "(--allow-nonfinite goes on)", (long long)run.TotalSteps,
               *run.BadStep ? " in " : "", run.BadStep, (long long)epoch + 1,
               (long long)batchNo, lossText(run.BadLoss), kept.c_str());
}

/// The run after its flags, on the ranks of `group` (one process when it is not
/// parallel). Returns the exit status.
static int train(const nnrt_model *m, Options &opt, ProcessGroup &group) {
  std::vector<StepRun> steps;
  if (planSteps(m, opt, steps))
    return 1;
  bool lead = group.rank() == 0; // prints, logs, evaluates and saves
  if (group.parallel()) {
    if (planParallel(m, group, steps))
      return 1;
    // The other ranks say nothing on stdout; their errors still reach stderr.
    if (!lead && !std::freopen("/dev/null", "w", stdout))
      return error("rank %d: cannot silence stdout", group.rank());
    if (!lead) {
      opt.LogCsv.clear();
      opt.SamplesEvery = 0;
    }
  }
  Feeds feeds;
  if (openFeeds(m, opt, feeds))
    return 1;
  const nnrt_entry *infer = nnrt_find_entry(m, "infer");
  if (opt.SamplesEvery > 0) {
    opt.Sampler = infer;
    if (!infer || infer->num_outputs < 1)
      return error("--samples-every: this model has no infer entry");
    if (mkdir(opt.Samples.c_str(), 0777) != 0 && errno != EEXIST)
      return error("--samples: cannot create '%s': %s", opt.Samples.c_str(),
                   std::strerror(errno));
  }
  DsHolder trainHolder, testHolder;
  DataBinding bind, inferBind;
  if (!openSplits(m, steps, feeds, infer, opt, trainHolder, testHolder, bind, inferBind))
    return 1;
  const nnrt_dataset *train = trainHolder.D, *test = testHolder.D;
  if (!opt.Resume.empty() && lead)
    removeStaleTemporaries(opt.Resume);
  ContextHolder ctx;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, opt.Resume, opt.Seed, /*noteInit=*/false))
    return 1;
  HeapArray<int64_t> order;
  if (!order.allocate(size_t(std::min<int64_t>(opt.Limit, nnrt_dataset_size(train))),
                      "the visiting order"))
    return 1;
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = int64_t(i);
  RunPlan plan;
  if (!planRun(bind, opt, int64_t(order.size()), plan))
    return 1;
  if (group.parallel() && bind.StaticBatch >= 0)
    return error("data-parallel training splits each batch over the ranks, but input '%s' "
                 "has a static batch dim (%lld)", m->inputs[bind.ImageInput].name,
                 (long long)bind.StaticBatch);
  // A fed file holds a batch of rows for every iteration the run may do.
  int64_t iterations = std::min<int64_t>(plan.TotalSteps, opt.MaxSteps);
  for (const auto &f : feeds)
    if (f->Rows < iterations * plan.Batch)
      return error("--feed: input '%s' needs %lld rows (%lld iterations of batch %lld), the "
                   "file has %lld", m->inputs[f->Input].name,
                   (long long)(iterations * plan.Batch), (long long)iterations,
                   (long long)plan.Batch, (long long)f->Rows);
  Staging staging;
  size_t stagingRows = size_t(std::min(plan.Batch, plan.End));
  if (!staging.Images.allocate(stagingRows * size_t(bind.ExampleElems),
                              "a batch of examples") ||
      !staging.Labels.allocate(stagingRows * size_t(bind.TargetElems), "a batch of labels"))
    return 1;
  if (!recordTextMetadata(ctx.Ctx, train))
    return 1;
  Progress run;
  run.Seed = seedInputValue(opt.Seed);
  run.Group = &group;
  // Test hook (test/e2e/mpi-failure.test): rank NNRT_TEST_KILL_RANK dies at the start of
  // step NNRT_TEST_KILL_STEP of a data-parallel run.
  const char *killRank = std::getenv("NNRT_TEST_KILL_RANK");
  const char *killStep = std::getenv("NNRT_TEST_KILL_STEP");
  if (group.parallel() && killRank && killStep && std::atoi(killRank) == group.rank())
    run.DieAtStep = std::atoll(killStep);
  for (int32_t i = 0; i < m->num_inputs; ++i)
    if (!std::strcmp(m->inputs[i].name, NNRT_SHARD_ROW_INPUT))
      run.ShardRowInput = i;
  int64_t &totalSteps = run.TotalSteps;
  if (!resumedStep(ctx.Ctx, opt.Resume, totalSteps))
    return 1;
  std::string names, rates;
  for (const StepRun &s : steps) {
    names += std::string(names.empty() ? "" : ", ") + s.Entry->name;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%g", rates.empty() ? "" : ", ", s.Lr);
    rates += buf;
  }
  std::string warmup;
  if (opt.Warmup > 0)
    warmup = ", warm-up " + std::to_string(opt.Warmup) + " steps";
  std::printf("%s: %lld epoch%s of %lld %s, batch %lld, lr %s (%s schedule%s), seed %lld\n",
              names.c_str(), opt.Epochs, opt.Epochs == 1 ? "" : "s",
              (long long)plan.StepsPerEpoch, steps.size() > 1 ? "iterations" : "steps",
              (long long)plan.Batch, rates.c_str(), nnrt_schedule_name(opt.Schedule),
              warmup.c_str(), opt.Seed);
  if (group.parallel())
    std::printf("data-parallel: %d ranks, about %lld examples of each batch per rank\n",
                group.size(), (long long)((plan.Batch + group.size() - 1) / group.size()));
  // --log-csv: a header and one row per iteration; a resumed run appends to its file.
  std::FILE *csv = nullptr;
  if (!opt.LogCsv.empty()) {
    bool append = totalSteps > 0 && access(opt.LogCsv.c_str(), F_OK) == 0;
    csv = std::fopen(opt.LogCsv.c_str(), append ? "a" : "w");
    if (!csv)
      return error("--log-csv: cannot write '%s': %s", opt.LogCsv.c_str(),
                   std::strerror(errno));
    if (!append) {
      std::fprintf(csv, "step");
      for (const StepRun &s : steps)
        std::fprintf(csv, ",%s", steps.size() > 1 ? s.Entry->name : "loss");
      std::fprintf(csv, "\n");
    }
  }
  struct CsvCloser {
    std::FILE *&F;
    ~CsvCloser() {
      if (F)
        std::fclose(F);
    }
  } csvCloser{csv};
  // Closes the CSV file, reporting a failed write (a full disk) as an error.
  auto closeCsv = [&]() -> bool {
    if (!csv)
      return true;
    bool ok = !std::ferror(csv);
    ok &= std::fclose(csv) == 0;
    csv = nullptr;
    if (!ok)
      error("--log-csv: writing '%s' failed", opt.LogCsv.c_str());
    return ok;
  };
  int64_t firstEpoch = plan.StepsPerEpoch ? totalSteps / plan.StepsPerEpoch : 0;
  if (totalSteps > 0)
    std::printf("resuming at step %lld (epoch %lld, batch %lld)\n", (long long)totalSteps,
                (long long)firstEpoch + 1, (long long)(totalSteps % plan.StepsPerEpoch) + 1);
  if (firstEpoch >= opt.Epochs)
    std::printf("nothing to do: the checkpoint has done all %lld epochs\n", opt.Epochs);
  else if (totalSteps >= opt.MaxSteps)
    std::printf("nothing to do: the checkpoint has done %lld steps (--steps %lld)\n",
                (long long)totalSteps, opt.MaxSteps);
  AllocationCounter allocs;
  int64_t correct = -1, total = 0; // test accuracy after the last epoch
  bool saved = false;
  int64_t savedStep = -1; // the step of the last checkpoint this run wrote
  auto save = [&] {
    saved = nnrt_context_set_metadata(ctx.Ctx, "step", std::to_string(totalSteps).c_str()) ==
                NNRT_OK &&
            nnrt_save_safetensors(ctx.Ctx, opt.Save.c_str()) == NNRT_OK;
    if (saved)
      savedStep = totalSteps;
    return saved;
  };
  InterruptHandler interrupts;
  for (int64_t epoch = firstEpoch; epoch < opt.Epochs && totalSteps < opt.MaxSteps; ++epoch) {
    int64_t firstBatch = epoch == firstEpoch ? totalSteps - epoch * plan.StepsPerEpoch : 0;
    EpochEnd end = trainEpoch(ctx.Ctx, steps, bind, feeds, train, opt, plan, epoch, firstBatch,
                              order, staging, run, allocs, csv);
    if (end == EpochEnd::Failed)
      return 1;
    if (end == EpochEnd::NonFinite)
      return closeCsv(), stopNonFinite(opt, plan, run, epoch, savedStep);
    if (Interrupted && group.parallel())
      return error("rank %d: interrupted after step %lld: a data-parallel run cannot stop "
                   "in step on every rank (the last checkpoint is intact; --resume continues "
                   "from it)", group.rank(), (long long)totalSteps);
    if (Interrupted) {
      // The step in flight finished; with --save nothing of the run is lost.
      std::printf("interrupted after step %lld\n", (long long)totalSteps);
      if (opt.Save.empty())
        return 130;
      if (!save())
        return error("%s", nnrt_context_last_error(ctx.Ctx));
      std::printf("saved %s: --resume %s continues at step %lld\n", opt.Save.c_str(),
                  opt.Save.c_str(), (long long)totalSteps);
      return 130;
    }
    if (infer && lead) {
      double nll;
      if (!evaluate(ctx.Ctx, infer, inferBind, test, opt.Batch, opt.Limit, run.Seed, correct,
                    total, &nll))
        return 1;
      std::printf(", test accuracy %.4f (%lld/%lld)", total ? double(correct) / total : 0.0,
                  (long long)correct, (long long)total);
      if (inferBind.TargetElems > 1 && total && !std::isnan(nll))
        std::printf(", perplexity %.2f", std::exp(nll / double(total)));
    }
    std::printf("\n");
    std::fflush(stdout);
    if (!opt.Save.empty() && lead && !save())
      return error("%s", nnrt_context_last_error(ctx.Ctx));
  }
  if (!closeCsv())
    return 1;
  if (opt.CountAllocs)
    allocs.report();
  if (correct >= 0)
    std::printf("final test accuracy: %.4f (%lld/%lld) after %lld steps\n",
                total ? double(correct) / total : 0.0, (long long)correct, (long long)total,
                (long long)totalSteps);
  if (saved)
    std::printf("saved %s\n", opt.Save.c_str());
  return 0;
}

int nnrt::driver::runTrain(const nnrt_model *m, const char *prog, int argc, char **argv) {
  Options opt;
  if (int status = parseTrainFlags(m, prog, argc, argv, opt); status >= 0)
    return status;
  ProcessGroup group;
  if (!group.start(/*force=*/false, opt.Timeout))
    return 1;
  int status = train(m, opt, group);
  group.finish(status);
  return status;
}
