//===- Train.cpp - `train`: the training loop -----------------------------===//
//
// Epochs over the training split in a seeded shuffled order, one call of the train entry
// per batch with the scheduled learning rate, the mean loss and throughput per epoch (a
// live progress line on a TTY), test accuracy through `infer` after each epoch, and atomic
// checkpoints with --save. A checkpoint records the steps done ("step" metadata), so
// --resume continues the run where it stopped: same batches, same rates.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"
#include "../lib/SplitMix64.h"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
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
  double Lr;
  int32_t Schedule = NNRT_SCHEDULE_CONSTANT;
  bool Shuffle = true;
  bool CountAllocs = false;
  bool AllowNonfinite = false; ///< go on when a step's loss is NaN or infinite
  std::string Data, Save, Resume;
};

} // namespace

/// The shape of a run: batches per epoch and steps in all (the schedule's length).
struct RunPlan {
  int64_t Batch;         ///< rows per step
  int64_t End;           ///< examples an epoch visits (a static batch drops the remainder)
  int64_t StepsPerEpoch; ///< batches per epoch
  int64_t TotalSteps;    ///< epochs * StepsPerEpoch
};

/// Staging for one batch: the images and labels of its examples, gathered in visiting
/// order. Sized for min(batch, examples per epoch) rows, so a --batch larger than the
/// dataset costs only the dataset's size.
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
  bool WarnedNonfinite = false; ///< --allow-nonfinite warns once
  float Lr = 0;                 ///< fed to an f32[] input named lr
  int32_t Seed = 0;             ///< fed to an i32[] input named seed (dropout's stream)
};

/// Gathers the examples order[start .. start+rows) into the staging buffers and points the
/// entry's inputs at them (and at the run's lr and seed).
static void gatherBatch(const nnrt_model *m, const nnrt_entry *entry, const DataBinding &bind,
                        const nnrt_dataset *ds, const HeapArray<int64_t> &order, int64_t start,
                        int64_t rows, Staging &staging, Progress &run,
                        std::vector<nnrt_tensor> &inputs) {
  nnrt_tensor images = nnrt_dataset_images(ds), labels = nnrt_dataset_labels(ds);
  int64_t perExample = images.shape.dims[1] * images.shape.dims[2];
  for (int64_t r = 0; r < rows; ++r) {
    int64_t ex = order[size_t(start + r)];
    std::memcpy(staging.Images.data() + r * perExample,
                static_cast<float *>(images.data) + ex * perExample, size_t(perExample) * 4);
    staging.Labels[size_t(r)] = static_cast<int32_t *>(labels.data)[ex];
  }
  for (int32_t i = 0; i < entry->num_inputs; ++i) {
    int32_t in = entry->inputs[i];
    nnrt_tensor &t = inputs[i];
    t = nnrt_tensor{};
    t.dtype = m->inputs[in].dtype;
    if (in == bind.ImageInput) {
      t.shape = m->inputs[in].shape;
      t.shape.dims[0] = rows;
      t.data = staging.Images.data();
    } else if (in == bind.LabelInput) {
      t.shape.rank = 1;
      t.shape.dims[0] = rows;
      t.data = staging.Labels.data();
    } else if (in == bind.SeedInput) {
      t.data = &run.Seed; // rank 0
    } else {
      t.data = &run.Lr; // rank 0
    }
  }
}

/// One epoch, starting at batch `firstBatch` of its order; `run.TotalSteps` counts steps
/// across epochs (for the schedule, --steps and --log-every). Failed: an error was
/// printed. NonFinite: the loss of step `run.TotalSteps` (1-based) was NaN or infinite,
/// its value in `run.BadLoss`, and --allow-nonfinite was not given.
static EpochEnd trainEpoch(nnrt_context *ctx, const nnrt_entry *entry, const DataBinding &bind,
                           const nnrt_dataset *ds, const Options &opt, const RunPlan &plan,
                           int64_t epoch, int64_t firstBatch, int32_t lossIndex,
                           HeapArray<int64_t> &order, Staging &staging, Progress &run,
                           AllocationCounter &allocs) {
  const nnrt_model *m = nnrt_context_model(ctx);
  int64_t batch = plan.Batch, end = plan.End;
  int64_t &totalSteps = run.TotalSteps;
  if (opt.Shuffle)
    shuffle(order, uint64_t(opt.Seed), epoch);
  std::vector<nnrt_tensor> inputs(entry->num_inputs);
  std::vector<nnrt_tensor> outputs(entry->num_outputs);
  bool tty = isatty(fileno(stderr));
  double lossSum = 0;
  int64_t seen = 0, steps = 0;
  auto t0 = std::chrono::steady_clock::now(), lastDraw = t0;
  for (int64_t start = firstBatch * batch;
       start < end && totalSteps < opt.MaxSteps && !Interrupted; start += batch) {
    run.Lr = nnrt_schedule_lr(opt.Schedule, float(opt.Lr), totalSteps, plan.TotalSteps);
    int64_t rows = std::min(batch, end - start);
    gatherBatch(m, entry, bind, ds, order, start, rows, staging, run, inputs);
    uint64_t allocsBefore = nnrt_allocation_count();
    if (nnrt_run(ctx, entry->name, inputs.data(), entry->num_inputs, outputs.data(),
                 entry->num_outputs) != NNRT_OK) {
      if (tty)
        std::fprintf(stderr, "\r\033[K");
      error("%s", nnrt_context_last_error(ctx));
      return EpochEnd::Failed;
    }
    // --count-allocs: the first step is the warm-up (it sizes the arena and outputs).
    if (opt.CountAllocs) {
      if (totalSteps == 0)
        allocs.begin(ctx, entry);
      else
        allocs.add(allocsBefore);
    }
    const nnrt_tensor &loss = outputs[lossIndex];
    float lossValue = loss.dtype == NNRT_F32 ? *static_cast<float *>(loss.data) : 0.0f;
    lossSum += lossValue;
    seen += rows;
    ++steps;
    if (opt.LogEvery > 0 && totalSteps % opt.LogEvery == 0)
      std::printf("step %lld loss %.9g\n", (long long)totalSteps + 1, double(lossValue));
    ++totalSteps;
    if (!std::isfinite(lossValue)) {
      if (!opt.AllowNonfinite) {
        if (tty)
          std::fprintf(stderr, "\r\033[K");
        run.BadLoss = lossValue;
        return EpochEnd::NonFinite;
      }
      if (!run.WarnedNonfinite)
        std::fprintf(stderr, "%swarning: the loss of step %lld is %s (--allow-nonfinite: "
                     "training goes on)\n", tty ? "\r\033[K" : "", (long long)totalSteps,
                     lossText(lossValue));
      run.WarnedNonfinite = true;
    }
    auto now = std::chrono::steady_clock::now();
    if (tty && std::chrono::duration<double>(now - lastDraw).count() > 0.1) {
      lastDraw = now;
      double secs = std::chrono::duration<double>(now - t0).count();
      int64_t done = firstBatch * batch + seen;
      int width = 30, filled = int(width * done / std::max<int64_t>(end, 1));
      std::fprintf(stderr, "\repoch %lld/%lld [%s%s] %lld/%lld loss %.4f %.0f samples/s",
                   (long long)epoch + 1, opt.Epochs, std::string(filled, '=').c_str(),
                   std::string(width - filled, ' ').c_str(), (long long)done, (long long)end,
                   lossSum / double(steps), secs > 0 ? double(seen) / secs : 0.0);
    }
  }
  if (tty)
    std::fprintf(stderr, "\r\033[K");
  if (steps == 0 && Interrupted)
    return EpochEnd::Done; // interrupted between epochs: nothing to report
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("epoch %lld/%lld: loss %.4f, %lld samples, %.0f samples/s", (long long)epoch + 1,
              opt.Epochs, steps ? lossSum / double(steps) : 0.0, (long long)seen,
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
      {"lr", true, "peak learning rate fed to an f32[] input named lr (default: the model's)"},
      {"schedule", true, "learning-rate schedule over the run: constant, linear or cosine "
                         "(default: the model's)"},
      {"seed", true, "seed for init and shuffling (default: the model's)"},
      {"data", true, "dataset directory (default " NNRT_FASHION_MNIST_DIR ")"},
      {"limit", true, "use only the first N examples of each split"},
      {"save", true, "write a safetensors checkpoint after every epoch"},
      {"resume", true, "continue from this checkpoint: its parameters, optimizer state and "
                       "step count (the run goes on at the step it records)"},
      {"no-shuffle", false, "take the training examples in file order"},
      {"steps", true, "stop once the run has done N steps (resumed steps count)"},
      {"log-every", true, "print the loss of every N-th step (`step K loss X`)"},
      {"count-allocs", false, "count the allocations of every step after the first (libnnrt "
                              "and the kernels' halide_malloc) and print them at the end"},
      {"allow-nonfinite", false, "go on when a step's loss is NaN or infinite (by default the "
                                 "run stops, keeps the last checkpoint and exits 1)"},
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
      !flags.getFloat("lr", m->train.lr, opt.Lr))
    return 1;
  const char *modelSchedule = nnrt_schedule_name(m->train.schedule);
  std::string schedule = flags.get("schedule", modelSchedule ? modelSchedule : "constant");
  opt.Schedule = nnrt_schedule_from_name(schedule.c_str());
  if (opt.Schedule < 0)
    return error("--schedule: unknown schedule '%s' (expected constant, linear or cosine)",
                 schedule.c_str());
  opt.Shuffle = !flags.has("no-shuffle");
  opt.CountAllocs = flags.has("count-allocs");
  opt.AllowNonfinite = flags.has("allow-nonfinite");
  opt.Data = flags.get("data");
  opt.Save = flags.get("save");
  opt.Resume = flags.get("resume");
  return -1;
}

/// Opens the training split (and the test split when the model has an infer entry),
/// binds them to the entries' inputs and checks their labels. Prints the error and
/// returns false on failure.
static bool openSplits(const nnrt_model *m, const nnrt_entry *entry, const nnrt_entry *infer,
                       const Options &opt, DsHolder &train, DsHolder &test, DataBinding &bind,
                       DataBinding &inferBind) {
  if (!openDataset(m, opt.Data, "train", &train.D))
    return false;
  nnrt_tensor images = nnrt_dataset_images(train.D);
  int64_t rows = images.shape.dims[1], cols = images.shape.dims[2];
  if (!bindDataset(m, entry, rows, cols, bind) || !checkDatasetLabels(m, train.D))
    return false;
  return !infer || (bindDataset(m, infer, rows, cols, inferBind) &&
                    openDataset(m, opt.Data, "t10k", &test.D) && checkDatasetLabels(m, test.D));
}

/// The shape of the run for `n` training examples (a static batch dim drops the last
/// partial batch); false after an error when no batch fits.
static bool planRun(const DataBinding &bind, const Options &opt, int64_t n, RunPlan &plan) {
  plan.Batch = bind.StaticBatch >= 0 ? bind.StaticBatch : opt.Batch;
  plan.End = bind.StaticBatch >= 0 ? n - n % plan.Batch : n;
  plan.StepsPerEpoch = (plan.End + plan.Batch - 1) / plan.Batch;
  plan.TotalSteps = opt.Epochs * plan.StepsPerEpoch;
  if (plan.StepsPerEpoch == 0) {
    error("no batch to train on: %lld training examples, batch %lld", (long long)n,
          (long long)plan.Batch);
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
  return error("the loss of step %lld (epoch %lld, batch %lld) is %s: training stopped%s "
               "(--allow-nonfinite goes on)", (long long)run.TotalSteps, (long long)epoch + 1,
               (long long)batchNo, lossText(run.BadLoss), kept.c_str());
}

int nnrt::driver::runTrain(const nnrt_model *m, const char *prog, int argc, char **argv) {
  Options opt;
  if (int status = parseTrainFlags(m, prog, argc, argv, opt); status >= 0)
    return status;
  const char *name = m->train.train_entry ? m->train.train_entry : "";
  const nnrt_entry *entry = *name ? nnrt_find_entry(m, name) : nullptr;
  if (!entry)
    return error("this model has no train entry");
  int32_t lossIndex = 0;
  for (int32_t o = 0; o < entry->num_outputs; ++o)
    if (m->train.loss_output && !std::strcmp(entry->output_names[o], m->train.loss_output))
      lossIndex = o;
  if (entry->num_outputs < 1)
    return error("entry '%s' has no loss output", entry->name);
  const nnrt_entry *infer = nnrt_find_entry(m, "infer");
  DsHolder trainHolder, testHolder;
  DataBinding bind, inferBind;
  if (!openSplits(m, entry, infer, opt, trainHolder, testHolder, bind, inferBind))
    return 1;
  const nnrt_dataset *train = trainHolder.D, *test = testHolder.D;
  if (!opt.Resume.empty())
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
  Staging staging;
  nnrt_tensor images = nnrt_dataset_images(train);
  int64_t perExample = images.shape.dims[1] * images.shape.dims[2];
  size_t stagingRows = size_t(std::min(plan.Batch, plan.End));
  if (!staging.Images.allocate(stagingRows * size_t(perExample), "a batch of images") ||
      !staging.Labels.allocate(stagingRows, "a batch of labels"))
    return 1;
  Progress run;
  run.Seed = seedInputValue(opt.Seed);
  int64_t &totalSteps = run.TotalSteps;
  if (!resumedStep(ctx.Ctx, opt.Resume, totalSteps))
    return 1;
  std::printf("%s: %lld epoch%s of %lld steps, batch %lld, lr %g (%s schedule), "
              "seed %lld\n",
              entry->name, opt.Epochs, opt.Epochs == 1 ? "" : "s",
              (long long)plan.StepsPerEpoch, (long long)plan.Batch,
              opt.Lr, nnrt_schedule_name(opt.Schedule), opt.Seed);
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
    EpochEnd end = trainEpoch(ctx.Ctx, entry, bind, train, opt, plan, epoch, firstBatch,
                              lossIndex, order, staging, run, allocs);
    if (end == EpochEnd::Failed)
      return 1;
    if (end == EpochEnd::NonFinite)
      return stopNonFinite(opt, plan, run, epoch, savedStep);
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
    if (infer) {
      if (!evaluate(ctx.Ctx, infer, inferBind, test, opt.Batch, opt.Limit, run.Seed, correct,
                    total))
        return 1;
      std::printf(", test accuracy %.4f (%lld/%lld)", total ? double(correct) / total : 0.0,
                  (long long)correct, (long long)total);
    }
    std::printf("\n");
    std::fflush(stdout);
    if (!opt.Save.empty() && !save())
      return error("%s", nnrt_context_last_error(ctx.Ctx));
  }
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
