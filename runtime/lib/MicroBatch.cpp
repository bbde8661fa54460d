//===- MicroBatch.cpp - a training step run in micro-batches ---------------===//
//
// nnrt_run of a training step whose nnrt_iteration_step has micro_batch N (the
// `micro_batch N` clause), over a batch of more than N rows: its gradient entry S_grad
// on the slices [0, N), [N, 2N), ... of the rows (the last may be shorter), the loss
// and the gradients summed weighted by each slice's share of the rows (each slice's are
// means over its rows, so the sum is the whole batch's mean), then its update entry
// S_apply once with the sums. The slices are the iterations of one parallel loop, each
// thread running S_grad on a context of its own (a lane: this context, or one more with
// a copy of the parameters S_grad reads), so each kernel's own loops run serially in
// it: the threads meet once per step rather than at every parallel loop of every
// kernel, and a slice's activations fit its core's caches. The sums are taken in slice
// order, so the result does not depend on the threads; it is the fused step's up to the
// order of floating-point sums (docs/design.md, "Micro-batched training steps"). A batch
// of N rows or fewer, and any batch with GPU kernels, runs the fused step.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <sched.h>

using namespace nnrt;

namespace nnrt {

/// A context that runs slices, and its tensors for S_grad.
struct MicroBatchLane {
  nnrt_context *Ctx = nullptr; ///< the step's own context for lane 0
  bool Owned = false;
  std::atomic<bool> Busy{false};
  int32_t ShardRow = 0; ///< fed to NNRT_SHARD_ROW_INPUT: the slice's first row
  uint64_t Synced = 0;  ///< the step whose parameters it has (MicroBatchPlan::Step)
  std::vector<nnrt_tensor> In, Out;
  EntryState *Grad = nullptr; ///< S_grad's state in Ctx
  ~MicroBatchLane() {
    if (Owned)
      nnrt_context_destroy(Ctx);
  }
};

/// How a step entry's micro-batches run, from the model's tables.
struct MicroBatchPlan {
  int32_t Rows = 0; ///< N
  const nnrt_entry *Grad = nullptr, *Apply = nullptr;
  /// Per Grad input: the step input it reads, or -1 for NNRT_SHARD_ROW_INPUT.
  std::vector<int32_t> GradFromStep;
  /// Per Grad input: whether it is sliced (dim 0 a symbol: the batch's rows).
  std::vector<char> Sliced;
  /// The parameters Grad reads (a lane's copies), with their bytes.
  std::vector<std::pair<int32_t, size_t>> GradParams;
  /// Per Apply input: the Grad output it takes (a gradient), or -1 - the step input
  /// (`lr`).
  std::vector<int32_t> ApplyFrom;
  /// Per step output: the Apply output it is, or -1 for the loss.
  std::vector<int32_t> StepFromApply;
  int32_t GradLoss = -1;      ///< the loss output of Grad
  std::vector<size_t> Offset; ///< per Grad output: its place in a slice's; then Total
  size_t Total = 0;           ///< elements of a slice's outputs
  std::vector<float> Slices;  ///< per slice: its outputs (S_grad writes them there)
  std::vector<float> Sum;     ///< the sum of the slices', in slice order
  std::vector<std::unique_ptr<MicroBatchLane>> Lanes;
  uint64_t Step = 0; ///< runs of the step: a lane's parameters are current at this one
  std::vector<nnrt_tensor> ApplyIn, ApplyOut;
};

} // namespace nnrt

namespace {

const nnrt_iteration_step *iterationStep(const nnrt_model &m, const char *entry) {
  for (int32_t i = 0; i < m.train.num_iteration_steps; ++i)
    if (m.train.iteration_steps[i].entry &&
        !std::strcmp(m.train.iteration_steps[i].entry, entry))
      return &m.train.iteration_steps[i];
  return nullptr;
}

int32_t outputNamed(const nnrt_entry &e, const char *name) {
  for (int32_t o = 0; o < e.num_outputs; ++o)
    if (e.output_names[o] && !std::strcmp(e.output_names[o], name))
      return o;
  return -1;
}

int32_t inputAt(const nnrt_entry &e, int32_t modelInput) {
  for (int32_t i = 0; i < e.num_inputs; ++i)
    if (e.inputs[i] == modelInput)
      return i;
  return -1;
}

/// Builds the plan of step `s` (entry `e`) into `p`, or says why it cannot run in
/// micro-batches.
std::string buildPlan(const nnrt_model &m, const nnrt_iteration_step &s, const nnrt_entry &e,
                      MicroBatchPlan &p) {
  std::string grad = std::string(s.entry) + NNRT_GRAD_ENTRY_SUFFIX;
  std::string apply = std::string(s.entry) + NNRT_APPLY_ENTRY_SUFFIX;
  p.Rows = s.micro_batch;
  p.Grad = nnrt_find_entry(&m, grad.c_str());
  p.Apply = nnrt_find_entry(&m, apply.c_str());
  if (!p.Grad || !p.Apply)
    return format("step '%s' has micro_batch %d but no entries '%s' and '%s'", s.entry,
                  s.micro_batch, grad.c_str(), apply.c_str());
  for (int32_t i = 0; i < p.Grad->num_inputs; ++i) {
    const nnrt_input &in = m.inputs[p.Grad->inputs[i]];
    int32_t from = inputAt(e, p.Grad->inputs[i]);
    if (from < 0 && std::strcmp(in.name, NNRT_SHARD_ROW_INPUT) != 0)
      return format("entry '%s' reads input '%s', which step '%s' does not", grad.c_str(),
                    in.name, s.entry);
    p.GradFromStep.push_back(from);
    p.Sliced.push_back(from >= 0 && in.shape.rank >= 1 && in.shape.dims[0] < 0);
  }
  // The rows are dim 0 of the inputs that have a symbol there, one symbol, which no
  // input has elsewhere: a slice of the rows is then a slice of each of them.
  int32_t rowDim = 0;
  for (int32_t i = 0; i < p.Grad->num_inputs && rowDim == 0; ++i)
    if (p.Sliced[size_t(i)])
      rowDim = m.inputs[p.Grad->inputs[i]].shape.dims[0];
  for (int32_t i = 0; i < p.Grad->num_inputs; ++i) {
    const nnrt_input &in = m.inputs[p.Grad->inputs[i]];
    for (int32_t d = 0; d < in.shape.rank && d < NNRT_MAX_RANK; ++d)
      if (in.shape.dims[d] < 0 && (d == 0) != (in.shape.dims[d] == rowDim))
        return format("step '%s' has micro_batch %d, but input '%s' of '%s' does not have "
                      "the batch's rows as its first dim alone",
                      s.entry, s.micro_batch, in.name, grad.c_str());
  }
  if (rowDim == 0)
    return format("step '%s' has micro_batch %d, but no input of '%s' has the batch's rows "
                  "(a symbolic first dim)", s.entry, s.micro_batch, grad.c_str());
  for (int32_t k = 0; k < p.Grad->num_slots; ++k) {
    const nnrt_slot &slot = p.Grad->slots[k];
    if (slot.kind == NNRT_SLOT_PARAM && slot.index >= 0 && slot.index < m.num_params)
      p.GradParams.push_back(
          {slot.index, size_t(numel(m.params[slot.index].shape)) * 4}); // static shapes
  }
  size_t total = 0;
  for (int32_t o = 0; o < p.Grad->num_outputs; ++o) {
    const nnrt_shape &shape = p.Grad->slots[p.Grad->output_slots[o]].shape;
    int64_t n = numel(shape); // -1 with a symbol: not a parameter's gradient
    if (n < 0 || p.Grad->slots[p.Grad->output_slots[o]].dtype != NNRT_F32)
      return format("output '%s' of '%s' is not an f32 tensor of a static shape",
                    p.Grad->output_names[o], grad.c_str());
    p.Offset.push_back(total);
    total += size_t(n);
  }
  p.Offset.push_back(total); // the end of the last
  p.Total = total;
  p.GradLoss = s.loss_output ? outputNamed(*p.Grad, s.loss_output) : -1;
  if (p.GradLoss < 0)
    return format("entry '%s' has no loss output", grad.c_str());
  for (int32_t i = 0; i < p.Apply->num_inputs; ++i) {
    const nnrt_input &in = m.inputs[p.Apply->inputs[i]];
    int32_t g = outputNamed(*p.Grad, in.name), from = inputAt(e, p.Apply->inputs[i]);
    if (g < 0 && from < 0)
      return format("entry '%s' reads input '%s', which neither '%s' nor '%s' gives",
                    apply.c_str(), in.name, grad.c_str(), s.entry);
    p.ApplyFrom.push_back(g >= 0 ? g : -1 - from);
  }
  for (int32_t o = 0; o < e.num_outputs; ++o) {
    bool loss = !std::strcmp(e.output_names[o], s.loss_output);
    int32_t a = loss ? -1 : outputNamed(*p.Apply, e.output_names[o]);
    if (!loss && a < 0)
      return format("output '%s' of step '%s' is not an output of '%s'", e.output_names[o],
                    s.entry, apply.c_str());
    p.StepFromApply.push_back(a);
  }
  p.ApplyIn.resize(size_t(p.Apply->num_inputs));
  p.ApplyOut.resize(size_t(p.Apply->num_outputs));
  return "";
}

} // namespace

std::string nnrt::microBatchProblem(const nnrt_model *m, const nnrt_iteration_step &s) {
  if (s.micro_batch < 0)
    return format("step '%s' has a negative micro_batch (%d)", s.entry, s.micro_batch);
  if (s.micro_batch == 0)
    return "";
  MicroBatchPlan p;
  return buildPlan(*m, s, *nnrt_find_entry(m, s.entry), p);
}

namespace {

/// Adds a lane to `p`: the first is `ctx`, the others contexts of their own; false when
/// one cannot be made.
bool addLane(nnrt_context *ctx, MicroBatchPlan &p) {
  auto lane = std::make_unique<MicroBatchLane>();
  if (p.Lanes.empty()) {
    lane->Ctx = ctx;
  } else {
    if (nnrt_context_create(ctx->Model, &lane->Ctx, nullptr) != NNRT_OK)
      return false;
    lane->Owned = true;
  }
  lane->In.resize(size_t(p.Grad->num_inputs));
  lane->Out.resize(size_t(p.Grad->num_outputs));
  for (EntryState &st : lane->Ctx->Entries)
    if (st.Entry == p.Grad)
      lane->Grad = &st;
  if (!lane->Grad)
    return false;
  p.Lanes.push_back(std::move(lane));
  return true;
}

/// Slices whose outputs are kept at once: a step of more runs them in rounds of this
/// many (its sums are the same), so a large batch in small slices does not hold every
/// slice's gradients (W7: 117 K floats a slice).
constexpr int64_t kRoundSlices = 16;

/// One round of a step's slices, from slice `First` on: the loop's closure.
struct SliceLoop {
  SliceLoop(nnrt_context *ctx, MicroBatchPlan *p, const nnrt_tensor *inputs, int64_t rows,
            int64_t first)
      : Ctx(ctx), P(p), Inputs(inputs), Rows(rows), First(first) {}
  nnrt_context *Ctx;
  MicroBatchPlan *P;
  const nnrt_tensor *Inputs;
  int64_t Rows, First;
  std::mutex Lock; // the first failure, in slice order
  int Failed = INT32_MAX;
  nnrt_status Status = NNRT_OK;
  std::string Message;
};

/// Slice `First + k`: S_grad on a free lane, its outputs into P.Slices' k-th part.
int runSlice(void *, int k, uint8_t *closure) {
  SliceLoop &loop = *reinterpret_cast<SliceLoop *>(closure);
  MicroBatchPlan &p = *loop.P;
  // A free lane: there is one per thread, unless a context could not be made.
  MicroBatchLane *l = nullptr;
  while (!l) {
    for (auto &candidate : p.Lanes)
      if (!candidate->Busy.exchange(true)) {
        l = candidate.get();
        break;
      }
    if (!l)
      sched_yield();
  }
  if (l->Ctx != loop.Ctx && l->Synced != p.Step) {
    // Another context: the parameters as this step found them, copied on the lane's
    // thread.
    for (auto [param, bytes] : p.GradParams)
      std::memcpy(l->Ctx->Params[size_t(param)].data(),
                  loop.Ctx->Params[size_t(param)].data(), bytes);
    paramsWritten(l->Ctx);
    l->Ctx->Profiling = loop.Ctx->Profiling;
    l->Synced = p.Step;
  }
  int64_t lo = (loop.First + k) * p.Rows, count = std::min<int64_t>(p.Rows, loop.Rows - lo);
  l->ShardRow = int32_t(lo);
  for (int32_t i = 0; i < p.Grad->num_inputs; ++i) {
    nnrt_tensor &t = l->In[size_t(i)];
    int32_t from = p.GradFromStep[size_t(i)];
    if (from < 0) {
      t = nnrt_tensor{};
      t.dtype = NNRT_I32;
      t.data = &l->ShardRow;
      continue;
    }
    t = loop.Inputs[from];
    if (!p.Sliced[size_t(i)])
      continue;
    t.shape.dims[0] = 1;
    int64_t rowElems = numel(t.shape); // f32 and i32: 4 bytes an element; checked
    t.shape.dims[0] = count;
    t.data = static_cast<char *>(t.data) + lo * rowElems * 4;
  }
  // The slice's outputs straight into its part of the sums' buffer, for this run only
  // (S_grad of this context may be run on its own too).
  float *slice = p.Slices.data() + size_t(k) * p.Total;
  l->Grad->OutputTo.resize(size_t(p.Grad->num_outputs));
  for (int32_t o = 0; o < p.Grad->num_outputs; ++o)
    l->Grad->OutputTo[size_t(o)] = slice + p.Offset[size_t(o)];
  nnrt_status s = nnrt_run(l->Ctx, p.Grad->name, l->In.data(), p.Grad->num_inputs,
                           l->Out.data(), p.Grad->num_outputs);
  l->Grad->OutputTo.clear();
  if (s != NNRT_OK) {
    std::lock_guard<std::mutex> guard(loop.Lock);
    if (k < loop.Failed) {
      loop.Failed = k;
      loop.Status = s;
      loop.Message = nnrt_context_last_error(l->Ctx);
    }
  } else {
    // An output whose slot is not an OUTPUT of its own (a view of another slot) was
    // written elsewhere: copied.
    for (int32_t o = 0; o < p.Grad->num_outputs; ++o) {
      float *dst = slice + p.Offset[size_t(o)];
      if (l->Out[size_t(o)].data != dst)
        std::memcpy(dst, l->Out[size_t(o)].data,
                    (p.Offset[size_t(o) + 1] - p.Offset[size_t(o)]) * sizeof(float));
    }
  }
  l->Busy.store(false);
  return 0;
}

/// Elements of the sums per iteration of their loop.
constexpr size_t kSumChunk = 16 * 1024;

/// A round's slices [First, First + Slices) of a step of `Rows` rows, to add.
struct SumLoop {
  MicroBatchPlan *P;
  int64_t First, Slices, Rows;
};

/// P.Sum[j] for the j of chunk `c`: the round's slices' values weighted by their shares
/// of the rows, added in slice order (to the earlier rounds').
int sumChunk(void *, int c, uint8_t *closure) {
  SumLoop &loop = *reinterpret_cast<SumLoop *>(closure);
  MicroBatchPlan &p = *loop.P;
  size_t begin = size_t(c) * kSumChunk, end = std::min(p.Total, begin + kSumChunk);
  float *__restrict sum = p.Sum.data();
  const float *__restrict slices = p.Slices.data();
  for (int64_t k = 0; k < loop.Slices; ++k) {
    int64_t count = std::min<int64_t>(p.Rows, loop.Rows - (loop.First + k) * p.Rows);
    float share = float(count) / float(loop.Rows);
    const float *__restrict slice = slices + size_t(k) * p.Total;
    if (loop.First + k == 0)
      for (size_t j = begin; j < end; ++j)
        sum[j] = share * slice[j];
    else
      for (size_t j = begin; j < end; ++j)
        sum[j] += share * slice[j];
  }
  return 0;
}

} // namespace

nnrt_status nnrt::runMicroBatches(nnrt_context *ctx, EntryState &st, const nnrt_tensor *inputs,
                                  nnrt_tensor *outputs, int32_t num_outputs, bool &ran) {
  ran = false;
  const nnrt_model &m = *ctx->Model;
  const nnrt_entry &e = *st.Entry;
  if (!st.MicroBatch) {
    // Rows 0: the entry always runs whole. The model was validated
    // (microBatchProblem), so a step's plan builds.
    st.MicroBatch = std::make_shared<MicroBatchPlan>();
    const nnrt_iteration_step *s = iterationStep(m, e.name);
    if (s && s->micro_batch > 0 && !buildPlan(m, *s, e, *st.MicroBatch).empty())
      st.MicroBatch->Rows = 0;
  }
  MicroBatchPlan &p = *st.MicroBatch;
  // GPU kernels: the whole batch (the slices are for a CPU's caches and threads).
  if (p.Rows <= 0 || gpuKernels())
    return NNRT_OK;
  // The batch's rows: dim 0 of the sliced inputs, which must agree (else the fused
  // step reports the mismatch).
  int64_t rows = -1;
  for (int32_t i = 0; i < p.Grad->num_inputs; ++i) {
    if (!p.Sliced[size_t(i)])
      continue;
    const nnrt_tensor &t = inputs[p.GradFromStep[size_t(i)]];
    if (t.shape.rank < 1 || numel(t.shape) < 0 || (rows >= 0 && t.shape.dims[0] != rows))
      return NNRT_OK;
    rows = t.shape.dims[0];
  }
  if (rows <= p.Rows)
    return NNRT_OK;
  ran = true;
  // rows <= NNRT_MAX_ELEMENTS (numel above): a slice's first row fits shard_row's int32.
  int64_t slices = (rows + p.Rows - 1) / p.Rows;
  // A lane per thread.
  size_t lanes = size_t(std::min<int64_t>(workerThreads(), slices));
  while (p.Lanes.size() < lanes && addLane(ctx, p)) {
  }
  if (p.Lanes.empty()) // a lane of this context cannot fail
    addLane(ctx, p);
  ++p.Step;
  p.Sum.resize(p.Total); // once: the sizes are the parameters'
  p.Slices.resize(size_t(std::min(slices, kRoundSlices)) * p.Total);
  for (int64_t first = 0; first < slices; first += kRoundSlices) {
    int64_t round = std::min(kRoundSlices, slices - first);
    SliceLoop loop(ctx, &p, inputs, rows, first);
    halide_do_par_for(nullptr, runSlice, 0, int(round), reinterpret_cast<uint8_t *>(&loop));
    if (loop.Failed != INT32_MAX)
      return fail(ctx, loop.Status, "%s", loop.Message.c_str());
    // The sums in slice order, whichever thread ran each; in chunks on the threads.
    SumLoop sums{&p, first, round, rows};
    halide_do_par_for(nullptr, sumChunk, 0, int((p.Total + kSumChunk - 1) / kSumChunk),
                      reinterpret_cast<uint8_t *>(&sums));
  }
  for (int32_t i = 0; i < p.Apply->num_inputs; ++i) {
    nnrt_tensor &t = p.ApplyIn[size_t(i)];
    int32_t from = p.ApplyFrom[size_t(i)];
    if (from < 0) {
      t = inputs[-1 - from];
      continue;
    }
    t = nnrt_tensor{};
    t.dtype = NNRT_F32;
    t.shape = m.inputs[p.Apply->inputs[i]].shape; // a parameter's: static
    t.data = p.Sum.data() + p.Offset[size_t(from)];
  }
  nnrt_status s;
  if ((s = nnrt_run(ctx, p.Apply->name, p.ApplyIn.data(), p.Apply->num_inputs,
                    p.ApplyOut.data(), p.Apply->num_outputs)) != NNRT_OK)
    return s;
  for (int32_t o = 0; o < num_outputs; ++o) {
    int32_t a = p.StepFromApply[size_t(o)];
    if (a >= 0) {
      outputs[o] = p.ApplyOut[size_t(a)];
      continue;
    }
    outputs[o] = nnrt_tensor{};
    outputs[o].dtype = NNRT_F32;
    outputs[o].data = p.Sum.data() + p.Offset[size_t(p.GradLoss)];
  }
  ctx->LastError.clear();
  return NNRT_OK;
}
