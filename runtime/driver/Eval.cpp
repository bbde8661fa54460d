//===- Eval.cpp - `eval`: test accuracy of the infer entry ----------------===//
//
// Feeds the dataset's test split through `infer` in batches (the last one partial when
// the batch dim is symbolic, zero-padded when it is static) and compares the argmax of
// the first output's last axis with the labels.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>

using namespace nnrt::driver;

/// Counts rows of `out` (only the first `valid`) whose argmax equals the label. A row is an
/// example, or a position of one when the targets are sequences (next tokens: `out` is
/// [B, S, V] and `rowsRun`, `valid` count positions).
static bool countCorrect(const nnrt_entry *entry, const nnrt_tensor &out, int64_t rowsRun,
                         int64_t valid, const int32_t *labels, int64_t &correct,
                         double *nll) {
  if (out.dtype == NNRT_I32 && out.shape.rank == 1) { // already class indices
    if (out.shape.dims[0] != rowsRun) {
      error("output '%s' has %lld rows for a batch of %lld", entry->output_names[0],
            (long long)out.shape.dims[0], (long long)rowsRun);
      return false;
    }
    auto *p = static_cast<const int32_t *>(out.data);
    for (int64_t i = 0; i < valid; ++i)
      correct += p[i] == labels[i];
    return true;
  }
  if (out.dtype != NNRT_F32 || out.shape.rank < 1) {
    error("output '%s' must be f32 scores with a class axis", entry->output_names[0]);
    return false;
  }
  int64_t classes = out.shape.dims[out.shape.rank - 1];
  int64_t rows = classes ? nnrt_shape_numel(&out.shape) / classes : 0;
  if (rows != rowsRun || classes < 1) {
    error("output '%s' has %lld rows of %lld classes for a batch of %lld",
          entry->output_names[0], (long long)rows, (long long)classes, (long long)rowsRun);
    return false;
  }
  auto *p = static_cast<const float *>(out.data);
  for (int64_t i = 0; i < valid; ++i) {
    const float *row = p + i * classes;
    correct += int64_t(std::max_element(row, row + classes) - row) == labels[i];
    if (!nll || std::isnan(*nll))
      continue;
    // The negative log-likelihood of the label, while the rows are probabilities.
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c)
      sum += row[c];
    bool inRange = labels[i] >= 0 && labels[i] < classes;
    if (std::fabs(sum - 1.0) > 1e-3 || !inRange)
      *nll = std::nan("");
    else
      *nll -= std::log(std::max(double(row[labels[i]]), 1e-30));
  }
  return true;
}

bool nnrt::driver::evaluate(nnrt_context *ctx, const nnrt_entry *entry, const DataBinding &bind,
                            const nnrt_dataset *ds, int64_t batch, int64_t limit,
                            int32_t seed, int64_t &correct, int64_t &total, double *nll) {
  const nnrt_model *m = nnrt_context_model(ctx);
  nnrt_tensor images = nnrt_dataset_images(ds), labels = nnrt_dataset_labels(ds);
  int64_t perExample = bind.ExampleElems, perTarget = bind.TargetElems;
  int64_t n = std::min<int64_t>(limit, nnrt_dataset_size(ds));
  if (bind.StaticBatch >= 0)
    batch = bind.StaticBatch;
  // Staging for a zero-padded last batch when the batch dim is static (4-byte elements:
  // f32 images or i32 token ids).
  HeapArray<float> padImages;
  HeapArray<int32_t> padLabels;
  std::vector<nnrt_tensor> inputs(entry->num_inputs);
  correct = 0;
  total = 0;
  if (nll)
    *nll = 0;
  for (int64_t start = 0; start < n; start += batch) {
    int64_t valid = std::min(batch, n - start);
    int64_t rows = bind.StaticBatch >= 0 ? bind.StaticBatch : valid;
    void *img = static_cast<char *>(images.data) + start * perExample * 4;
    int32_t *lab = static_cast<int32_t *>(labels.data) + start * perTarget;
    if (rows != valid) {
      if (!padImages.allocate(size_t(rows * perExample), "the padded last batch") ||
          !padLabels.allocate(size_t(rows * perTarget), "the padded last batch"))
        return false;
      std::memcpy(padImages.data(), img, size_t(valid * perExample) * 4);
      std::memcpy(padLabels.data(), lab, size_t(valid * perTarget) * 4);
      img = padImages.data();
      lab = padLabels.data();
    }
    for (int32_t i = 0; i < entry->num_inputs; ++i) {
      nnrt_tensor &t = inputs[i];
      if (entry->inputs[i] == bind.ImageInput) {
        t.dtype = m->inputs[bind.ImageInput].dtype;
        t.shape = bind.ExampleShape;
        t.shape.dims[0] = rows;
        t.data = img;
      } else if (entry->inputs[i] == bind.SeedInput) {
        t = nnrt_tensor{};
        t.dtype = NNRT_I32; // rank 0
        t.data = &seed;
      } else {
        t.dtype = NNRT_I32;
        t.shape = bind.TargetShape;
        t.shape.dims[0] = rows;
        t.data = lab;
      }
    }
    nnrt_tensor out;
    if (nnrt_run(ctx, entry->name, inputs.data(), entry->num_inputs, &out, 1) != NNRT_OK) {
      error("%s", nnrt_context_last_error(ctx));
      return false;
    }
    if (!countCorrect(entry, out, rows * perTarget, valid * perTarget, lab, correct, nll))
      return false;
    total += valid * perTarget;
  }
  return true;
}

int nnrt::driver::runEval(const nnrt_model *m, const char *prog, int argc, char **argv) {
  std::vector<FlagSpec> specs = {
      {"weights", true, "safetensors file with the parameters (default: seeded init)"},
      {"data", true, "dataset directory (default " NNRT_FASHION_MNIST_DIR ", for fortunes "
                     "and fortunes_lm " NNRT_FORTUNES_DIR ")"},
      {"batch", true, "examples per call (default: the model's train batch, else 256)"},
      {"limit", true, "evaluate only the first N test examples"},
      {"length", true, "tokens per sequence of a text dataset (default: the checkpoint's, "
                       "else the data clause's)"},
      {"seed", true, "seed for parameter init when no --weights is given, and the value of "
                     "an i32[] input named seed"},
      {"help", false, "print this help"}};
  Flags flags;
  if (int status = flags.parse(prog, "eval",
                               "[--weights F.safetensors] [--data DIR] [--batch N] [--limit N]",
                               specs, argc, argv);
      status >= 0)
    return status;
  const nnrt_entry *infer = nnrt_find_entry(m, "infer");
  if (!infer)
    return error("this model has no infer entry");
  if (infer->num_outputs < 1)
    return error("entry 'infer' has no outputs");
  long long batch, limit, seed, length;
  if (!flags.getInt("batch", m->train.batch > 0 ? m->train.batch : 256, 1, 1 << 24, batch) ||
      !flags.getInt("limit", 1ll << 40, 1, 1ll << 40, limit) ||
      !flags.getInt("seed", m->train.seed, 0, 1ll << 62, seed) ||
      !flags.getInt("length", 0, 1, NNRT_TEXT_MAX_LENGTH, length))
    return 1;
  // The weights first: a text model's checkpoint holds the vocabulary (and length) that
  // the test split is read with.
  ContextHolder ctx;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, flags.get("weights"), seed))
    return 1;
  TextOverrides text;
  text.Vocabulary = nnrt_context_metadata(ctx.Ctx, "text.vocabulary");
  const char *savedLength = nnrt_context_metadata(ctx.Ctx, "text.length");
  text.Length = length ? length : savedLength ? std::atoll(savedLength) : 0;
  nnrt_dataset *ds = nullptr;
  if (!openDataset(m, flags.get("data"), "t10k", &ds, text))
    return 1;
  struct DsHolder {
    nnrt_dataset *D;
    ~DsHolder() { nnrt_dataset_destroy(D); }
  } dsHolder{ds};
  DataBinding bind;
  if (!bindDataset(m, infer, ds, bind) || !checkDatasetLabels(m, ds))
    return 1;
  if (nnrt_dataset_size(ds) == 0)
    return error("the test split has no examples");
  int64_t correct, total;
  double nll;
  if (!evaluate(ctx.Ctx, infer, bind, ds, batch, limit, seedInputValue(seed), correct,
                total, &nll))
    return 1;
  std::printf("accuracy: %.4f (%lld/%lld)", total ? double(correct) / double(total) : 0.0,
              (long long)correct, (long long)total);
  // A language model (a target per token) whose output is probabilities: perplexity,
  // exp of the mean negative log-likelihood of the targets.
  if (bind.TargetElems > 1 && total && !std::isnan(nll))
    std::printf(", perplexity %.2f", std::exp(nll / double(total)));
  std::printf("\n");
  return 0;
}
