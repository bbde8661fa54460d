//===- SelftestModel.cpp - hand-written models for nnrt-selftest ----------===//
//
// Each kernel checks the halide_buffer_t layout the executor promises (dim 0 innermost,
// min 0, dense strides, float32/int32 type) and fails loudly otherwise.
//
//===----------------------------------------------------------------------===//
#include "SelftestModel.h"

#include <HalideRuntime.h>

#include <cstdint>
#include <initializer_list>

// The tables below spell out the fields a test model uses; the fields later ABI
// versions added (a slot's strides, a step's loop, result and key fields) are zero, as
// aggregate initialization leaves them, which is what the runtime reads as "none".
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

extern "C" void halide_error(void *user_context, const char *msg);

namespace {

bool isDense(const halide_buffer_t *b, uint8_t code) {
  if (!b || !b->host || b->type.bits != 32 || b->type.lanes != 1 || b->type.code != code)
    return false;
  int64_t stride = 1;
  for (int i = 0; i < b->dimensions; ++i) {
    if (b->dim[i].min != 0 || b->dim[i].stride != stride)
      return false;
    stride *= b->dim[i].extent;
  }
  return true;
}

int64_t count(const halide_buffer_t *b) {
  int64_t n = 1;
  for (int i = 0; i < b->dimensions; ++i)
    n *= b->dim[i].extent;
  return n;
}

int layoutError(const char *kernel) {
  halide_error(nullptr, kernel);
  return -2;
}

/// out = a + b (same element count).
int kAdd(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  for (int i = 0; i < 3; ++i)
    if (!isDense(b[i], halide_type_float))
      return layoutError("add: bad buffer layout\n");
  int64_t n = count(b[2]);
  if (count(b[0]) != n || count(b[1]) != n)
    return layoutError("add: element counts differ\n");
  auto *x = reinterpret_cast<float *>(b[0]->host), *y = reinterpret_cast<float *>(b[1]->host),
       *o = reinterpret_cast<float *>(b[2]->host);
  for (int64_t i = 0; i < n; ++i)
    o[i] = x[i] + y[i];
  return 0;
}

/// out[i] = a[i] + b[i % count(b)]: a rank-3 [B, 2, 2] plus a [2, 2] param.
int kAddBcast(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  for (int i = 0; i < 3; ++i)
    if (!isDense(b[i], halide_type_float))
      return layoutError("add_bcast: bad buffer layout\n");
  if (b[0]->dimensions != 3 || b[0]->dim[0].extent != 2 || b[0]->dim[1].extent != 2)
    return layoutError("add_bcast: expected a [B, 2, 2] operand\n");
  int64_t n = count(b[2]), m = count(b[1]);
  auto *x = reinterpret_cast<float *>(b[0]->host), *y = reinterpret_cast<float *>(b[1]->host),
       *o = reinterpret_cast<float *>(b[2]->host);
  for (int64_t i = 0; i < n; ++i)
    o[i] = x[i] + y[i % m];
  return 0;
}

/// out[] = sum(a): out is rank 0.
int kSum(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  if (!isDense(b[0], halide_type_float) || !isDense(b[1], halide_type_float) ||
      b[1]->dimensions != 0)
    return layoutError("sum: bad buffer layout\n");
  float s = 0;
  auto *x = reinterpret_cast<float *>(b[0]->host);
  for (int64_t i = 0, n = count(b[0]); i < n; ++i)
    s += x[i];
  *reinterpret_cast<float *>(b[1]->host) = s;
  return 0;
}

/// out[] = in[] + 1 (i32 scalars).
int kIncrement(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  if (!isDense(b[0], halide_type_int) || !isDense(b[1], halide_type_int))
    return layoutError("increment: bad buffer layout\n");
  *reinterpret_cast<int32_t *>(b[1]->host) = *reinterpret_cast<int32_t *>(b[0]->host) + 1;
  return 0;
}

int kCopyI32(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  if (!isDense(b[0], halide_type_int) || !isDense(b[1], halide_type_int))
    return layoutError("copy: bad buffer layout\n");
  *reinterpret_cast<int32_t *>(b[1]->host) = *reinterpret_cast<int32_t *>(b[0]->host);
  return 0;
}

/// out = a - b (same element count).
int kSub(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  for (int i = 0; i < 3; ++i)
    if (!isDense(b[i], halide_type_float))
      return layoutError("sub: bad buffer layout\n");
  int64_t n = count(b[2]);
  if (count(b[0]) != n || count(b[1]) != n)
    return layoutError("sub: element counts differ\n");
  auto *x = reinterpret_cast<float *>(b[0]->host), *y = reinterpret_cast<float *>(b[1]->host),
       *o = reinterpret_cast<float *>(b[2]->host);
  for (int64_t i = 0; i < n; ++i)
    o[i] = x[i] - y[i];
  return 0;
}

/// Reports an error the way a Halide pipeline does: through halide_error, then nonzero.
int kFail(void **args) {
  halide_error(nullptr, "Input buffer x is accessed at 4, which is beyond the max (3) in "
                        "dimension 0\n");
  return -1;
}

/// logits[B, 10] = image[B, 784] . w[784, 10] + bias[10]
int kDense(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  for (int i = 0; i < 4; ++i)
    if (!isDense(b[i], halide_type_float))
      return layoutError("dense: bad buffer layout\n");
  int64_t k = b[0]->dim[0].extent, rows = b[0]->dimensions == 2 ? b[0]->dim[1].extent : 1;
  int64_t c = b[1]->dim[0].extent;
  if (b[1]->dim[1].extent != k || b[3]->dim[0].extent != c || b[3]->dim[1].extent != rows)
    return layoutError("dense: shapes do not agree\n");
  auto *x = reinterpret_cast<float *>(b[0]->host), *w = reinterpret_cast<float *>(b[1]->host),
       *bias = reinterpret_cast<float *>(b[2]->host), *o = reinterpret_cast<float *>(b[3]->host);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) {
      float s = bias[j];
      for (int64_t i = 0; i < k; ++i)
        s += x[r * k + i] * w[i * c + j];
      o[r * c + j] = s;
    }
  return 0;
}

constexpr int64_t B = -1; // symbol 0

const char *const Symbols[] = {"B"};

const nnrt_input Inputs[] = {
    {"x", NNRT_F32, {2, {B, 4}}},
    {"y", NNRT_F32, {2, {B, 4}}},
    {"label", NNRT_I32, {1, {B}}},
};

const nnrt_param Params[] = {
    {"b", NNRT_F32, {2, {2, 2}}, NNRT_INIT_CONSTANT, 0.5f, 0, 1},
    {"w", NNRT_F32, {2, {3, 5}}, NNRT_INIT_GLOROT_UNIFORM, 0, 0, 1},
    {"h", NNRT_F32, {2, {6, 4}}, NNRT_INIT_HE_UNIFORM, 0, 0, 1},
    {"n", NNRT_F32, {1, {1000}}, NNRT_INIT_NORMAL, 1.0f, 2.0f, 1},
    {"u", NNRT_F32, {1, {1000}}, NNRT_INIT_UNIFORM, -3.0f, -1.0f, 1},
    {"steps", NNRT_I32, {0, {}}, NNRT_INIT_ZEROS, 0, 0, 0},
    {"ones", NNRT_F32, {1, {3}}, NNRT_INIT_ONES, 0, 0, 1},
};

// add(x, y)
const nnrt_slot AddSlots[] = {
    {NNRT_SLOT_INPUT, 0, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_INPUT, 1, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_TEMP, 0, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_ALIAS, 2, NNRT_F32, {3, {B, 2, 2}}},
    {NNRT_SLOT_PARAM, 0, NNRT_F32, {2, {2, 2}}},
    {NNRT_SLOT_OUTPUT, 0, NNRT_F32, {3, {B, 2, 2}}},
    {NNRT_SLOT_OUTPUT, 1, NNRT_F32, {0, {}}},
};
const int32_t AddInputs[] = {0, 1};
const char *const AddOutputNames[] = {"sum", "total"};
const int32_t AddOutputSlots[] = {5, 6};
const int32_t AddArgs0[] = {0, 1, 2}, AddArgs1[] = {3, 4, 5}, AddArgs2[] = {5, 6};
const nnrt_step AddSteps[] = {
    {"add", kAdd, 3, AddArgs0},
    {"add_bcast", kAddBcast, 3, AddArgs1},
    {"sum", kSum, 2, AddArgs2},
};

// step()
const nnrt_slot StepSlots[] = {
    {NNRT_SLOT_PARAM, 5, NNRT_I32, {0, {}}},
    {NNRT_SLOT_TEMP, 0, NNRT_I32, {0, {}}},
    {NNRT_SLOT_OUTPUT, 0, NNRT_I32, {0, {}}},
};
const char *const StepOutputNames[] = {"steps"};
const int32_t StepOutputSlots[] = {2};
const int32_t StepArgs0[] = {0, 1}, StepArgs1[] = {1, 2};
const nnrt_step StepSteps[] = {
    {"increment", kIncrement, 2, StepArgs0},
    {"copy", kCopyI32, 2, StepArgs1},
};
const int32_t StepUpdates[] = {5, 1};

// fail(x)
const nnrt_slot FailSlots[] = {
    {NNRT_SLOT_INPUT, 0, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_TEMP, 0, NNRT_F32, {2, {B, 4}}},
};
const int32_t FailInputs[] = {0};
const int32_t FailArgs0[] = {0, 1};
const nnrt_step FailSteps[] = {{"bounds_check", kFail, 2, FailArgs0}};

// unbound()
const nnrt_slot UnboundSlots[] = {{NNRT_SLOT_TEMP, 0, NNRT_F32, {1, {B}}}};

// chain(x): t0 = x + x, t1 = t0 + t0, t2 = t1 + t1, total = sum(t2). A planned arena:
// t0 and t2 share buffer 0 (t0 is dead after step 1), t1 has buffer 1 (it is read and
// written next to both).
const nnrt_slot ChainSlots[] = {
    {NNRT_SLOT_INPUT, 0, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_TEMP, 0, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_TEMP, 1, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_TEMP, 0, NNRT_F32, {3, {B, 2, 2}}},
    {NNRT_SLOT_OUTPUT, 0, NNRT_F32, {0, {}}},
};
const int32_t ChainInputs[] = {0};
const char *const ChainOutputNames[] = {"total"};
const int32_t ChainOutputSlots[] = {4};
const int32_t ChainArgs0[] = {0, 0, 1}, ChainArgs1[] = {1, 1, 2}, ChainArgs2[] = {2, 2, 3},
              ChainArgs3[] = {3, 4};
const nnrt_step ChainSteps[] = {
    {"add", kAdd, 3, ChainArgs0},
    {"add", kAdd, 3, ChainArgs1},
    {"add", kAdd, 3, ChainArgs2},
    {"sum", kSum, 2, ChainArgs3},
};

// sub(y, x) -> diff = x - y: the entry lists its inputs in another order than the model
// declares them (x before y), as a compiled entry may.
const nnrt_slot SubSlots[] = {
    {NNRT_SLOT_INPUT, 1, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_INPUT, 0, NNRT_F32, {2, {B, 4}}},
    {NNRT_SLOT_OUTPUT, 0, NNRT_F32, {2, {B, 4}}},
};
const int32_t SubInputs[] = {1, 0};
const char *const SubOutputNames[] = {"diff"};
const int32_t SubOutputSlots[] = {2};
const int32_t SubArgs0[] = {1, 0, 2};
const nnrt_step SubSteps[] = {{"sub", kSub, 3, SubArgs0}};

// square(label): a temporary of [B, B] elements, which outgrows NNRT_MAX_ELEMENTS at a
// batch whose input is small (sizing fails before any kernel runs).
const nnrt_slot SquareSlots[] = {
    {NNRT_SLOT_INPUT, 2, NNRT_I32, {1, {B}}},
    {NNRT_SLOT_TEMP, 0, NNRT_I32, {2, {B, B}}},
};
const int32_t SquareInputs[] = {2};

// The memory figures are at B = 1 (the model has no train batch).
const nnrt_entry Entries[] = {
    {"add", 7, AddSlots, 2, AddInputs, 2, AddOutputNames, AddOutputSlots, 3, AddSteps, 0,
     nullptr, 1, 1, 64, 64},
    {"step", 3, StepSlots, 0, nullptr, 1, StepOutputNames, StepOutputSlots, 2, StepSteps, 1,
     StepUpdates, 1, 1, 64, 64},
    {"fail", 2, FailSlots, 1, FailInputs, 0, nullptr, nullptr, 1, FailSteps, 0, nullptr, 1, 1,
     64, 64},
    {"unbound", 1, UnboundSlots, 0, nullptr, 0, nullptr, nullptr, 0, nullptr, 0, nullptr, 1, 1,
     64, 64},
    {"chain", 5, ChainSlots, 1, ChainInputs, 1, ChainOutputNames, ChainOutputSlots, 4,
     ChainSteps, 0, nullptr, 2, 1, 128, 192},
    {"sub", 3, SubSlots, 2, SubInputs, 1, SubOutputNames, SubOutputSlots, 1, SubSteps, 0,
     nullptr, 0, 1, 0, 0},
    {"square", 2, SquareSlots, 1, SquareInputs, 0, nullptr, nullptr, 0, nullptr, 0, nullptr, 1,
     1, 64, 64},
};

/// One SGD step of softmax cross-entropy for the linear classifier:
/// args: x[B, 784], label[B], lr[], w[784, 10], bias[10] -> w'[784, 10], bias'[10], loss[].
int kSgdStep(void **args) {
  auto **b = reinterpret_cast<halide_buffer_t **>(args);
  if (!isDense(b[1], halide_type_int))
    return layoutError("sgd: bad label layout\n");
  for (int i : {0, 2, 3, 4, 5, 6, 7})
    if (!isDense(b[i], halide_type_float))
      return layoutError("sgd: bad buffer layout\n");
  int64_t rows = b[0]->dim[1].extent, k = 784, c = 10;
  auto *x = reinterpret_cast<float *>(b[0]->host);
  auto *label = reinterpret_cast<int32_t *>(b[1]->host);
  float lr = *reinterpret_cast<float *>(b[2]->host);
  auto *w = reinterpret_cast<float *>(b[3]->host), *bias = reinterpret_cast<float *>(b[4]->host);
  auto *w2 = reinterpret_cast<float *>(b[5]->host), *b2 = reinterpret_cast<float *>(b[6]->host);
  for (int64_t i = 0; i < k * c; ++i)
    w2[i] = w[i];
  for (int64_t j = 0; j < c; ++j)
    b2[j] = bias[j];
  double loss = 0;
  float scale = rows ? lr / float(rows) : 0.0f;
  for (int64_t r = 0; r < rows; ++r) {
    float logits[10], mx = -1e30f, sum = 0;
    for (int64_t j = 0; j < c; ++j) {
      float s = bias[j];
      for (int64_t i = 0; i < k; ++i)
        s += x[r * k + i] * w[i * c + j];
      logits[j] = s;
      mx = s > mx ? s : mx;
    }
    for (int64_t j = 0; j < c; ++j)
      sum += (logits[j] = __builtin_expf(logits[j] - mx));
    if (label[r] < 0 || label[r] >= 10)
      return layoutError("sgd: label out of range\n");
    loss -= __builtin_log(logits[label[r]] / sum);
    for (int64_t j = 0; j < c; ++j) {
      float g = logits[j] / sum - (j == label[r] ? 1.0f : 0.0f);
      b2[j] -= scale * g;
      for (int64_t i = 0; i < k; ++i)
        w2[i * c + j] -= scale * g * x[r * k + i];
    }
  }
  *reinterpret_cast<float *>(b[7]->host) = rows ? float(loss / double(rows)) : 0.0f;
  return 0;
}

// tiny: a linear classifier on 28x28 images.
const nnrt_input TinyInputs[] = {
    {"image", NNRT_F32, {3, {B, 28, 28}}},
    {"label", NNRT_I32, {1, {B}}},
    {"lr", NNRT_F32, {0, {}}},
};
const nnrt_param TinyParams[] = {
    {"w", NNRT_F32, {2, {784, 10}}, NNRT_INIT_GLOROT_UNIFORM, 0, 0, 1},
    {"bias", NNRT_F32, {1, {10}}, NNRT_INIT_ZEROS, 0, 0, 1},
};
const nnrt_slot InferSlots[] = {
    {NNRT_SLOT_INPUT, 0, NNRT_F32, {3, {B, 28, 28}}},
    {NNRT_SLOT_ALIAS, 0, NNRT_F32, {2, {B, 784}}},
    {NNRT_SLOT_PARAM, 0, NNRT_F32, {2, {784, 10}}},
    {NNRT_SLOT_PARAM, 1, NNRT_F32, {1, {10}}},
    {NNRT_SLOT_OUTPUT, 0, NNRT_F32, {2, {B, 10}}},
};
const int32_t InferInputs[] = {0};
const char *const InferOutputNames[] = {"logits"};
const int32_t InferOutputSlots[] = {4};
const int32_t InferArgs0[] = {1, 2, 3, 4};
const nnrt_step InferSteps[] = {{"dense", kDense, 4, InferArgs0}};
const nnrt_slot TrainSlots[] = {
    {NNRT_SLOT_INPUT, 0, NNRT_F32, {3, {B, 28, 28}}},
    {NNRT_SLOT_ALIAS, 0, NNRT_F32, {2, {B, 784}}},
    {NNRT_SLOT_INPUT, 1, NNRT_I32, {1, {B}}},
    {NNRT_SLOT_INPUT, 2, NNRT_F32, {0, {}}},
    {NNRT_SLOT_PARAM, 0, NNRT_F32, {2, {784, 10}}},
    {NNRT_SLOT_PARAM, 1, NNRT_F32, {1, {10}}},
    {NNRT_SLOT_TEMP, 0, NNRT_F32, {2, {784, 10}}},
    {NNRT_SLOT_TEMP, 1, NNRT_F32, {1, {10}}},
    {NNRT_SLOT_OUTPUT, 0, NNRT_F32, {0, {}}},
};
const int32_t TrainInputs[] = {0, 1, 2};
const char *const TrainOutputNames[] = {"loss"};
const int32_t TrainOutputSlots[] = {8};
const int32_t TrainArgs0[] = {1, 2, 3, 4, 5, 6, 7, 8};
const nnrt_step TrainSteps[] = {{"sgd_step", kSgdStep, 8, TrainArgs0}};
const int32_t TrainUpdates[] = {0, 6, 1, 7};
const nnrt_entry TinyEntries[] = {
    {"infer", 5, InferSlots, 1, InferInputs, 1, InferOutputNames, InferOutputSlots, 1,
     InferSteps, 0, nullptr, 0, 500, 0, 0},
    {"train", 9, TrainSlots, 3, TrainInputs, 1, TrainOutputNames, TrainOutputSlots, 1,
     TrainSteps, 2, TrainUpdates, 2, 500, 31424, 31424},
};

// five: the tiny classifier's infer entry with 5 classes instead of 10.
const nnrt_param FiveParams[] = {
    {"w", NNRT_F32, {2, {784, 5}}, NNRT_INIT_GLOROT_UNIFORM, 0, 0, 1},
    {"bias", NNRT_F32, {1, {5}}, NNRT_INIT_ZEROS, 0, 0, 1},
};
const nnrt_slot FiveSlots[] = {
    {NNRT_SLOT_INPUT, 0, NNRT_F32, {3, {B, 28, 28}}},
    {NNRT_SLOT_ALIAS, 0, NNRT_F32, {2, {B, 784}}},
    {NNRT_SLOT_PARAM, 0, NNRT_F32, {2, {784, 5}}},
    {NNRT_SLOT_PARAM, 1, NNRT_F32, {1, {5}}},
    {NNRT_SLOT_OUTPUT, 0, NNRT_F32, {2, {B, 5}}},
};
const nnrt_entry FiveEntries[] = {
    {"infer", 5, FiveSlots, 1, InferInputs, 1, InferOutputNames, InferOutputSlots, 1,
     InferSteps, 0, nullptr, 0, 1, 0, 0},
};

} // namespace

const nnrt_model SelftestModel = {
    NNRT_MODEL_ABI_VERSION, "selftest", "runtime/tools/SelftestModel.cpp", 1, Symbols,
    3, Inputs, 7, Params, 7, Entries,
    {"", 0, 0, 7, 0.0f, NNRT_SCHEDULE_CONSTANT, "", "", 0, NULL, 0, NULL, 0},
};

const nnrt_model FiveModel = {
    NNRT_MODEL_ABI_VERSION, "five", "runtime/tools/SelftestModel.cpp", 1, Symbols,
    3, TinyInputs, 2, FiveParams, 1, FiveEntries,
    {"fashion_mnist", 0, 1, 42, 0.1f, NNRT_SCHEDULE_CONSTANT, "", "", 0, NULL, 0, NULL, 0},
};

const nnrt_model TinyModel = {
    NNRT_MODEL_ABI_VERSION, "tiny", "runtime/tools/SelftestModel.cpp", 1, Symbols,
    3, TinyInputs, 2, TinyParams, 2, TinyEntries,
    {"fashion_mnist", 500, 1, 42, 0.1f, NNRT_SCHEDULE_CONSTANT, "train", "loss", 0, NULL, 0, NULL,
     0},
};
