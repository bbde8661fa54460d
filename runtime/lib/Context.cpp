//===- Context.cpp - nnrt_context lifetime, model validation, utilities ---===//
//
// Creates and destroys contexts (parameters are allocated once here), checks the
// compiler-emitted model tables so the executor can trust indices and sizes, and holds
// the small shared helpers: error formatting, checked shapes, aligned buffers. (File I/O
// is in Files.cpp.)
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sys/mman.h>

using namespace nnrt;

// The binary's Halide runtime (absent from libnnrt's own tests) holds the memoization
// cache of parameter-derived values (nnrt_step.key_arg).
extern "C" void halide_memoization_cache_set_size(int64_t size);
extern "C" void halide_memoization_cache_evict(void *user_context, uint64_t eviction_key);
#pragma weak halide_memoization_cache_set_size
#pragma weak halide_memoization_cache_evict

namespace {
/// Parameter generations are drawn from one counter, so that a key (paramKey) names
/// one context's parameter at one time in the whole process.
std::atomic<uint64_t> LastParamGeneration{0};
/// The memoization cache's limit, past which the least recently used entries are
/// dropped (a context drops its old generations' entries itself: beginRun). Halide's
/// default is 1 MB; W2's transformed filters take 295 KB each.
constexpr int64_t ParamCacheBytes = int64_t(16) << 20;
} // namespace

void nnrt::paramsWritten(nnrt_context *ctx) { ctx->ParamsWritten = true; }

void nnrt::beginRun(nnrt_context *ctx) {
  if (!ctx->ParamsWritten && !ctx->ParamsShared && ctx->ParamGeneration)
    return;
  // The values kept under the old generation's keys are never read again: kernels use
  // the generation as their entries' eviction key. (No run of this context is under
  // way, and no other context has keys of its generations.)
  if (ctx->ParamGeneration && halide_memoization_cache_evict)
    halide_memoization_cache_evict(nullptr, ctx->ParamGeneration);
  ctx->ParamGeneration = LastParamGeneration.fetch_add(1, std::memory_order_relaxed) + 1;
  ctx->ParamsWritten = false;
}

uint64_t nnrt::paramKey(const nnrt_context *ctx, int32_t param) {
  // params < 2^NNRT_PARAM_KEY_INDEX_BITS (validateModel)
  return ctx->ParamGeneration << NNRT_PARAM_KEY_INDEX_BITS | uint64_t(param);
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

AlignedBuffer::~AlignedBuffer() { std::free(Data); }

bool AlignedBuffer::reserve(size_t bytes) {
  if (bytes <= Size && Data)
    return true;
  size_t n = alignUp(bytes ? bytes : 1);
  // A buffer of 2 MB or more is made of whole transparent huge pages where the kernel
  // offers them: a GEMM reads a weight's column panel one row per 4 KB page (W2's
  // [3136, 1024] dense weight: 3136 pages per panel, 32 panels), a TLB miss per row.
  bool huge = n >= kHugePage;
  if (huge)
    n = (n + kHugePage - 1) / kHugePage * kHugePage;
  void *p = std::aligned_alloc(huge ? kHugePage : kAlign, n);
  if (!p)
    return false;
#ifdef MADV_HUGEPAGE
  if (huge)
    madvise(p, n, MADV_HUGEPAGE); // advice only: ignored where THP is off
#endif
  countAllocation();
  std::memset(p, 0, n);
  std::free(Data);
  Data = p;
  Size = n;
  return true;
}

std::string nnrt::vformat(const char *fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof(buf), fmt, ap);
  return buf;
}

std::string nnrt::format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

nnrt_status nnrt::fail(nnrt_context *ctx, nnrt_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ctx->LastError = vformat(fmt, ap);
  va_end(ap);
  return status;
}

nnrt_status nnrt::fail(nnrt_error *err, nnrt_status status, const char *fmt, ...) {
  if (!err)
    return status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  return status;
}

bool nnrt::mulElements(int64_t a, int64_t b, int64_t &out) {
  return !__builtin_mul_overflow(a, b, &out) && out <= NNRT_MAX_ELEMENTS;
}

/// The product of the non-zero dims of `shape` (the static ones when `staticOnly`), or -1
/// when a dim or that product exceeds NNRT_MAX_ELEMENTS. Bounding the non-zero dims bounds
/// every stride of a Halide buffer, even of a tensor with no elements.
static int64_t nonzeroProduct(const nnrt_shape &shape, bool staticOnly) {
  int64_t n = 1;
  for (int32_t i = 0; i < shape.rank; ++i) {
    int64_t d = shape.dims[i];
    if (d < 0 && staticOnly)
      continue;
    if (d < 0 || (d > 0 && !mulElements(n, d, n)))
      return -1;
  }
  return n;
}

std::string nnrt::tooLarge(int32_t dtype, const nnrt_shape &shape) {
  bool empty = false;
  for (int32_t i = 0; i < shape.rank && i < NNRT_MAX_RANK; ++i)
    empty |= shape.dims[i] == 0;
  return format("%s%s %s than %lld, the runtime's limit per tensor (NNRT_MAX_ELEMENTS)",
                dtypeName(dtype), shapeString(shape).c_str(),
                empty ? "has no elements, but the product of its other dims is larger"
                      : "has more elements",
                NNRT_MAX_ELEMENTS);
}

int64_t nnrt::numel(const nnrt_shape &shape) {
  if (shape.rank < 0 || shape.rank > NNRT_MAX_RANK || nonzeroProduct(shape, false) < 0)
    return -1;
  for (int32_t i = 0; i < shape.rank; ++i)
    if (shape.dims[i] == 0)
      return 0;
  return nonzeroProduct(shape, false);
}

const char *nnrt::dtypeName(int32_t dtype) {
  switch (dtype) {
  case NNRT_F32:
    return "f32";
  case NNRT_I32:
    return "i32";
  }
  return "?";
}

int64_t nnrt::dimValue(const nnrt_model &model, const int64_t *symbolValues, int64_t d,
                       int32_t *unbound) {
  if (d >= 0)
    return d;
  int64_t k = -(d + 1);
  if (k < model.num_symbols) {
    if (symbolValues[k] < 0 && unbound)
      *unbound = int32_t(k);
    return symbolValues[k] < 0 ? -1 : symbolValues[k];
  }
  const nnrt_dim_product &p = model.dim_products[k - model.num_symbols];
  int64_t value = p.factor;
  for (int32_t i = 0; i < p.num_symbols; ++i) {
    int64_t v = symbolValues[p.symbols[i]];
    if (v < 0) {
      if (unbound)
        *unbound = p.symbols[i];
      return -1;
    }
    if (__builtin_mul_overflow(value, v, &value) || value > NNRT_MAX_ELEMENTS)
      return -2;
  }
  return value;
}

/// The name of a symbolic dim: "B", or "B*S" / "35*B" for a product.
static std::string dimName(int64_t d, const nnrt_model *model) {
  int64_t k = -(d + 1);
  if (!model || k >= model->num_symbols + model->num_dim_products)
    return "?" + std::to_string(k);
  if (k < model->num_symbols)
    return model->symbols[k];
  const nnrt_dim_product &p = model->dim_products[k - model->num_symbols];
  std::string s = p.factor != 1 ? std::to_string(p.factor) : "";
  for (int32_t i = 0; i < p.num_symbols; ++i)
    s += (s.empty() ? "" : "*") + std::string(model->symbols[p.symbols[i]]);
  return s;
}

std::string nnrt::shapeString(const nnrt_shape &shape, const nnrt_model *model) {
  std::string s = "[";
  for (int32_t i = 0; i < shape.rank; ++i) {
    if (i)
      s += ", ";
    int64_t d = shape.dims[i];
    s += d >= 0 ? std::to_string(d) : dimName(d, model);
  }
  return s + "]";
}

//===----------------------------------------------------------------------===//
// Model validation
//===----------------------------------------------------------------------===//

/// Why `s` is not a valid declared shape ("" when it is): rank in range, symbols (and
/// products of symbols, when `numDims` counts them) known, and the static dims within
/// NNRT_MAX_ELEMENTS. `numDims`: how many symbolic dims may be named (0: none).
static std::string shapeProblem(int32_t dtype, const nnrt_shape &s, int32_t numDims) {
  if (s.rank < 0 || s.rank > NNRT_MAX_RANK)
    return format("rank %d is outside [0, %d]", s.rank, NNRT_MAX_RANK);
  for (int32_t i = 0; i < s.rank; ++i) {
    int64_t d = s.dims[i];
    if (d < 0 && numDims == 0)
      return format("dim %d is symbolic (%lld), which is not allowed here", i, (long long)d);
    if (d < 0 && -(d + 1) >= numDims)
      return format("dim %d names symbolic dim %lld, the model has %d", i,
                    (long long)-(d + 1), numDims);
  }
  return nonzeroProduct(s, true) >= 0 ? "" : tooLarge(dtype, s);
}

static bool validDtype(int32_t d) { return d == NNRT_F32 || d == NNRT_I32; }

/// Checks the memory plan: two TEMP slots of one buffer are never live at the same step.
/// A slot lives from the first to the last step that passes it or an alias of it (both
/// inclusive; a slot an update reads lives to the end). Indices are already checked.
static std::string validatePlan(const nnrt_entry &e) {
  const char *n = e.name;
  int32_t ns = e.num_slots;
  std::vector<int32_t> root(ns), first(ns, -1), last(ns, -1);
  for (int32_t s = 0; s < ns; ++s) {
    int32_t r = s;
    for (int32_t hops = 0;
         (e.slots[r].kind == NNRT_SLOT_ALIAS || e.slots[r].kind == NNRT_SLOT_VIEW) &&
         hops <= ns;
         ++hops)
      r = e.slots[r].index;
    if (e.slots[r].kind == NNRT_SLOT_ALIAS || e.slots[r].kind == NNRT_SLOT_VIEW)
      return format("entry '%s': slot %d is in an alias cycle", n, s);
    root[s] = r;
  }
  auto touch = [&](int32_t slot, int32_t step) {
    int32_t r = root[slot];
    if (first[r] < 0)
      first[r] = step;
    last[r] = std::max(last[r], step);
  };
  // A loop's arguments live across its iterations: from the loop step to its last.
  for (int32_t i = 0; i < e.num_steps; ++i)
    for (int32_t a = 0; a < e.steps[i].num_args; ++a) {
      touch(e.steps[i].args[a], i);
      if (!e.steps[i].fn)
        touch(e.steps[i].args[a], i + e.steps[i].loop_steps);
    }
  for (int32_t u = 0; u < e.num_updates; ++u)
    touch(e.updates[2 * u + 1], e.num_steps);
  std::vector<int32_t> temps;
  for (int32_t s = 0; s < ns; ++s)
    if (e.slots[s].kind == NNRT_SLOT_TEMP && first[s] >= 0)
      temps.push_back(s);
  std::sort(temps.begin(), temps.end(), [&](int32_t a, int32_t b) {
    return e.slots[a].index != e.slots[b].index ? e.slots[a].index < e.slots[b].index
                                                : first[a] < first[b];
  });
  // Within one buffer (sorted by first step), each slot must start after every earlier
  // slot of the buffer has ended; `owner` is the earlier slot that lives longest.
  for (size_t i = 1, owner = 0; i < temps.size(); ++i) {
    int32_t a = temps[owner], b = temps[i];
    if (e.slots[a].index != e.slots[b].index) {
      owner = i;
      continue;
    }
    if (first[b] <= last[a])
      return format("entry '%s': slots %d and %d share buffer %d but are both live at "
                    "step %d", n, a, b, e.slots[a].index, first[b]);
    if (last[b] > last[a])
      owner = i;
  }
  return "";
}

/// Checks one entry's tables: every index in range, and a sound memory plan.
static std::string validateEntry(const nnrt_model *m, const nnrt_entry &e) {
  const char *n = e.name ? e.name : "?";
  if (!e.name || e.num_slots < 0 || (e.num_slots && !e.slots) || e.num_buffers < 0)
    return format("entry '%s': bad slot table", n);
  if (e.num_inputs < 0 || (e.num_inputs && !e.inputs) || e.num_outputs < 0 ||
      (e.num_outputs && (!e.output_names || !e.output_slots)) || e.num_steps < 0 ||
      (e.num_steps && !e.steps) || e.num_updates < 0 || (e.num_updates && !e.updates))
    return format("entry '%s': bad table sizes", n);
  for (int32_t i = 0; i < e.num_inputs; ++i) {
    if (e.inputs[i] < 0 || e.inputs[i] >= m->num_inputs)
      return format("entry '%s': input %d out of range", n, i);
    for (int32_t j = 0; j < i; ++j)
      if (e.inputs[j] == e.inputs[i])
        return format("entry '%s': input %d appears twice", n, e.inputs[i]);
  }
  for (int32_t s = 0; s < e.num_slots; ++s) {
    const nnrt_slot &sl = e.slots[s];
    if (!validDtype(sl.dtype))
      return format("entry '%s': slot %d has a bad dtype", n, s);
    if (std::string why = shapeProblem(sl.dtype, sl.shape,
                                       m->num_symbols + m->num_dim_products);
        !why.empty())
      return format("entry '%s': slot %d: %s", n, s, why.c_str());
    bool ok = true;
    switch (sl.kind) {
    case NNRT_SLOT_INPUT: {
      ok = false;
      for (int32_t i = 0; i < e.num_inputs; ++i)
        ok |= e.inputs[i] == sl.index;
      break;
    }
    case NNRT_SLOT_PARAM:
      ok = sl.index >= 0 && sl.index < m->num_params;
      break;
    case NNRT_SLOT_TEMP:
      ok = sl.index >= 0 && sl.index < e.num_buffers;
      break;
    case NNRT_SLOT_OUTPUT:
      ok = sl.index >= 0 && sl.index < e.num_outputs;
      break;
    case NNRT_SLOT_ALIAS:
      // Strides (positive, one per dim) or none.
      ok = sl.index >= 0 && sl.index < e.num_slots && sl.index != s;
      if (sl.shape.rank > 0 && sl.strides[0] != 0)
        for (int32_t d = 0; ok && d < sl.shape.rank; ++d)
          ok = sl.strides[d] > 0 && sl.strides[d] <= NNRT_MAX_ELEMENTS;
      break;
    case NNRT_SLOT_VIEW: {
      // Slice t of an earlier slot along its dim 0: the same dtype, the rest of its dims.
      ok = sl.index >= 0 && sl.index < s;
      if (!ok)
        break;
      const nnrt_slot &whole = e.slots[sl.index];
      ok = whole.dtype == sl.dtype && whole.shape.rank == sl.shape.rank + 1;
      for (int32_t d = 0; ok && d < sl.shape.rank; ++d)
        ok = whole.shape.dims[d + 1] == sl.shape.dims[d];
      break;
    }
    default:
      ok = false;
    }
    if (!ok)
      return format("entry '%s': slot %d has a bad kind or index", n, s);
  }
  for (int32_t o = 0; o < e.num_outputs; ++o)
    if (!e.output_names || !e.output_names[o] || e.output_slots[o] < 0 ||
        e.output_slots[o] >= e.num_slots)
      return format("entry '%s': output %d out of range", n, o);
  std::vector<int32_t> loopEnds; // the last step of each enclosing loop
  for (int32_t st = 0; st < e.num_steps; ++st) {
    const nnrt_step &step = e.steps[st];
    while (!loopEnds.empty() && loopEnds.back() < st)
      loopEnds.pop_back();
    if (step.num_args < 0 || (step.num_args && !step.args))
      return format("entry '%s': step %d is malformed", n, st);
    for (int32_t a = 0; a < step.num_args; ++a)
      if (step.args[a] < 0 || step.args[a] >= e.num_slots)
        return format("entry '%s': step %d argument %d out of range", n, st, a);
    if (step.fn) {
      if (step.loop_steps != 0 || step.num_results < 0 || step.num_results > step.num_args)
        return format("entry '%s': step %d is malformed", n, st);
      // A key names a PARAM operand (nnrt_step.key_arg).
      if (step.key_arg < 0 || step.key_arg > step.num_args - step.num_results ||
          (step.key_arg && e.slots[step.args[step.key_arg - 1]].kind != NNRT_SLOT_PARAM))
        return format("entry '%s': step %d has a bad parameter key", n, st);
      continue;
    }
    if (step.num_results != 0 || step.key_arg != 0)
      return format("entry '%s': loop at step %d is malformed", n, st);
    // A loop: its body lies within the steps and within any enclosing loop's body.
    int32_t last = st + step.loop_steps;
    if (step.loop_steps < 0 || last >= e.num_steps ||
        (!loopEnds.empty() && last > loopEnds.back()) || step.loop_length < 0 ||
        step.loop_length >= e.num_slots || e.slots[step.loop_length].shape.rank < 1 ||
        (step.loop_reverse != 0 && step.loop_reverse != 1))
      return format("entry '%s': loop at step %d is malformed", n, st);
    loopEnds.push_back(last);
  }
  for (int32_t s = 0; s < e.num_slots; ++s) {
    // An alias of a view comes after it (the runtime places both in slot order).
    if (e.slots[s].kind != NNRT_SLOT_ALIAS)
      continue;
    int32_t r = e.slots[s].index;
    for (int32_t hops = 0; e.slots[r].kind == NNRT_SLOT_ALIAS && hops <= e.num_slots; ++hops)
      r = e.slots[r].index;
    if (e.slots[r].kind == NNRT_SLOT_VIEW && r > s)
      return format("entry '%s': alias slot %d precedes its view %d", n, s, r);
  }
  for (int32_t u = 0; u < e.num_updates; ++u) {
    int32_t p = e.updates[2 * u], s = e.updates[2 * u + 1];
    if (p < 0 || p >= m->num_params || s < 0 || s >= e.num_slots)
      return format("entry '%s': update %d out of range", n, u);
  }
  return validatePlan(e);
}

static std::string validateModel(const nnrt_model *m) {
  if (m->abi_version != NNRT_MODEL_ABI_VERSION)
    return format("model ABI version %d, runtime expects %d", m->abi_version,
                  NNRT_MODEL_ABI_VERSION);
  if (m->num_symbols < 0 || m->num_inputs < 0 || m->num_params < 0 || m->num_entries < 0)
    return "negative table size in model";
  if (m->num_params >= 1 << NNRT_PARAM_KEY_INDEX_BITS) // (paramKey)
    return format("model has %d parameters, more than 2^%d - 1", m->num_params,
                  NNRT_PARAM_KEY_INDEX_BITS);
  if ((m->num_symbols && !m->symbols) || (m->num_inputs && !m->inputs) ||
      (m->num_params && !m->params) || (m->num_entries && !m->entries))
    return "NULL table in model";
  for (int32_t i = 0; i < m->num_symbols; ++i)
    if (!m->symbols[i])
      return format("model symbol %d has no name", i);
  if (m->num_dim_products < 0 || (m->num_dim_products && !m->dim_products))
    return "bad table of dim products in model";
  for (int32_t i = 0; i < m->num_dim_products; ++i) {
    const nnrt_dim_product &p = m->dim_products[i];
    bool ok = p.factor >= 1 && p.num_symbols >= 1 && p.num_symbols <= NNRT_MAX_RANK;
    for (int32_t j = 0; ok && j < p.num_symbols; ++j)
      ok = p.symbols[j] >= 0 && p.symbols[j] < m->num_symbols;
    if (!ok)
      return format("model dim product %d is malformed", i);
  }
  for (int32_t i = 0; i < m->num_inputs; ++i) {
    const nnrt_input &in = m->inputs[i];
    if (!in.name || !validDtype(in.dtype))
      return format("model input %d is malformed", i);
    if (std::string why = shapeProblem(in.dtype, in.shape, m->num_symbols);
        !why.empty())
      return format("input '%s': %s", in.name, why.c_str());
  }
  for (int32_t i = 0; i < m->num_params; ++i) {
    const nnrt_param &p = m->params[i];
    if (!p.name || !validDtype(p.dtype))
      return format("model param %d is malformed", i);
    if (std::string why = shapeProblem(p.dtype, p.shape, 0); !why.empty())
      return format("param '%s': %s", p.name, why.c_str());
  }
  for (int32_t i = 0; i < m->num_entries; ++i) {
    std::string e = validateEntry(m, m->entries[i]);
    if (!e.empty())
      return e;
  }
  const nnrt_train_config &t = m->train;
  if (t.num_iteration_steps < 0 || (t.num_iteration_steps && !t.iteration_steps))
    return "malformed iteration steps in model";
  for (int32_t i = 0; i < t.num_iteration_steps; ++i) {
    const nnrt_iteration_step &s = t.iteration_steps[i];
    const nnrt_entry *e = s.entry ? nnrt_find_entry(m, s.entry) : nullptr;
    bool hasLoss = false;
    for (int32_t o = 0; e && s.loss_output && o < e->num_outputs; ++o)
      hasLoss |= e->output_names[o] && !std::strcmp(e->output_names[o], s.loss_output);
    if (!hasLoss)
      return format("iteration step %d names no entry with its loss output", i);
    if (std::string why = microBatchProblem(m, s); !why.empty())
      return why;
  }
  if (t.num_data_options < 0 || (t.num_data_options && !t.data_options))
    return "malformed data options in model";
  if (t.warmup_steps < 0)
    return format("negative warm-up (%d steps) in model", t.warmup_steps);
  for (int32_t i = 0; i < t.num_data_options; ++i)
    if (!t.data_options[i].key || !t.data_options[i].value)
      return format("data option %d is malformed", i);
  return "";
}

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

extern "C" {

const char *nnrt_status_string(nnrt_status status) {
  switch (status) {
  case NNRT_OK:
    return "ok";
  case NNRT_ERR_IO:
    return "io error";
  case NNRT_ERR_FORMAT:
    return "format error";
  case NNRT_ERR_SHAPE:
    return "shape error";
  case NNRT_ERR_KERNEL:
    return "kernel error";
  case NNRT_ERR_ARG:
    return "invalid argument";
  case NNRT_ERR_OOM:
    return "out of memory";
  case NNRT_ERR_NOT_FOUND:
    return "not found";
  case NNRT_ERR_DEVICE:
    return "device error";
  }
  return "unknown status";
}

int64_t nnrt_shape_numel(const nnrt_shape *shape) { return shape ? numel(*shape) : -1; }

int nnrt_shape_text(const nnrt_model *model, const nnrt_shape *shape, char *buf,
                    size_t size) {
  std::string text = shape ? shapeString(*shape, model) : "";
  if (buf && size)
    std::snprintf(buf, size, "%s", text.c_str());
  return int(text.size());
}

nnrt_status nnrt_model_validate(const nnrt_model *model, nnrt_error *err) {
  if (!model)
    return fail(err, NNRT_ERR_ARG, "model is NULL");
  std::string bad = validateModel(model);
  return bad.empty() ? NNRT_OK : fail(err, NNRT_ERR_FORMAT, "%s", bad.c_str());
}


void nnrt_free(void *ptr) { std::free(ptr); }

nnrt_status nnrt_context_create(const nnrt_model *model, nnrt_context **out, nnrt_error *err) {
  if (!out)
    return fail(err, NNRT_ERR_ARG, "out is NULL");
  *out = nullptr;
  if (!model)
    return fail(err, NNRT_ERR_ARG, "model is NULL");
  std::string bad = validateModel(model);
  if (!bad.empty())
    return fail(err, NNRT_ERR_FORMAT, "%s", bad.c_str());
  std::string device;
  if (!nnrt::deviceUsable(device))
    return fail(err, NNRT_ERR_DEVICE, "%s", device.c_str());
  auto *ctx = new (std::nothrow) nnrt_context;
  if (!ctx)
    return fail(err, NNRT_ERR_OOM, "cannot allocate a context");
  ctx->Model = model;
  ctx->Params.resize(model->num_params);
  for (int32_t i = 0; i < model->num_params; ++i) {
    size_t bytes = size_t(numel(model->params[i].shape)) * 4; // validated: no overflow
    if (!ctx->Params[i].reserve(bytes)) {
      delete ctx;
      return fail(err, NNRT_ERR_OOM, "cannot allocate %zu bytes for parameter '%s'", bytes,
                  model->params[i].name);
    }
  }
  ctx->Entries.resize(model->num_entries);
  for (int32_t i = 0; i < model->num_entries; ++i)
    ctx->Entries[i].Entry = &model->entries[i];
  ctx->Symbols.assign(model->num_symbols, -1);
  if (halide_memoization_cache_set_size)
    halide_memoization_cache_set_size(ParamCacheBytes);
  *out = ctx;
  return NNRT_OK;
}

void nnrt_context_destroy(nnrt_context *ctx) {
  if (ctx && ctx->ParamGeneration && halide_memoization_cache_evict)
    halide_memoization_cache_evict(nullptr, ctx->ParamGeneration); // (see beginRun)
  delete ctx;
}

const char *nnrt_context_last_error(const nnrt_context *ctx) {
  return ctx ? ctx->LastError.c_str() : "context is NULL";
}

const nnrt_model *nnrt_context_model(const nnrt_context *ctx) { return ctx->Model; }

nnrt_status nnrt_param_view(nnrt_context *ctx, int32_t index, nnrt_tensor *out) {
  if (!out || index < 0 || index >= ctx->Model->num_params)
    return fail(ctx, NNRT_ERR_ARG, "parameter index %d out of range", index);
  const nnrt_param &p = ctx->Model->params[index];
  // The caller may read or write the data: the host copy is made current, and is
  // uploaded again before the next run (GPU kernels); values kernels derive from
  // parameters are derived again at every run from now on (beginRun).
  if (nnrt_status s = paramsToHost(ctx, /*hostWrites=*/true); s != NNRT_OK)
    return s;
  ctx->ParamsShared = true;
  out->dtype = p.dtype;
  out->shape = p.shape;
  out->data = ctx->Params[index].data();
  return NNRT_OK;
}

size_t nnrt_context_arena_bytes(const nnrt_context *ctx) { return ctx->Arena.size(); }

const nnrt_entry *nnrt_find_entry(const nnrt_model *model, const char *name) {
  if (!model || !name)
    return nullptr;
  for (int32_t i = 0; i < model->num_entries; ++i)
    if (std::strcmp(model->entries[i].name, name) == 0)
      return &model->entries[i];
  return nullptr;
}

} // extern "C"
