//===- TrainStep.cpp - nnrt_train_step: one step of the model's training ---===//
//
// What an embedder's training loop calls once per batch: the model's train entry with
// its data inputs from the caller and its conventional inputs (`lr`, `seed`) from the
// arguments, returning the loss. Allocation-free: the inputs are gathered on the stack.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <cstring>

using namespace nnrt;

namespace {

/// The most inputs and outputs (up to the loss) a train entry may have here.
constexpr int32_t kMaxTensors = 64;

/// f32[] `lr` or i32[] `seed`: the inputs the driver and nnrt_train_step feed themselves.
bool isConventional(const nnrt_input &in) {
  return in.shape.rank == 0 && ((!std::strcmp(in.name, "lr") && in.dtype == NNRT_F32) ||
                                (!std::strcmp(in.name, "seed") && in.dtype == NNRT_I32));
}

} // namespace

extern "C" nnrt_status nnrt_train_step(nnrt_context *ctx, const nnrt_tensor *inputs,
                                       int32_t num_inputs, float lr, int32_t seed,
                                       float *loss) {
  if (!ctx)
    return NNRT_ERR_ARG;
  const nnrt_model *m = ctx->Model;
  const char *name = m->train.train_entry ? m->train.train_entry : "";
  const nnrt_entry *e = *name ? nnrt_find_entry(m, name) : nullptr;
  if (!e)
    return fail(ctx, NNRT_ERR_NOT_FOUND, "model '%s' has no train entry", m->name);
  int32_t lossIndex = 0;
  for (int32_t o = 0; o < e->num_outputs; ++o)
    if (m->train.loss_output && !std::strcmp(e->output_names[o], m->train.loss_output))
      lossIndex = o;
  if (e->num_inputs > kMaxTensors || lossIndex >= kMaxTensors)
    return fail(ctx, NNRT_ERR_ARG, "entry '%s' has more than %d inputs or outputs", name,
                kMaxTensors);
  nnrt_tensor all[kMaxTensors], outs[kMaxTensors];
  int32_t data = 0;
  for (int32_t i = 0; i < e->num_inputs; ++i) {
    const nnrt_input &in = m->inputs[e->inputs[i]];
    nnrt_tensor &t = all[i];
    if (isConventional(in)) {
      t = nnrt_tensor{};
      t.dtype = in.dtype;
      t.data = in.dtype == NNRT_F32 ? static_cast<void *>(&lr) : static_cast<void *>(&seed);
      continue;
    }
    if (data >= num_inputs || !inputs)
      return fail(ctx, NNRT_ERR_ARG, "entry '%s' takes more data inputs than the %d given",
                  name, num_inputs);
    t = inputs[data++];
  }
  if (data != num_inputs)
    return fail(ctx, NNRT_ERR_ARG, "entry '%s' takes %d data inputs, got %d", name, data,
                num_inputs);
  nnrt_status s = nnrt_run(ctx, name, all, e->num_inputs, outs, lossIndex + 1);
  if (s != NNRT_OK)
    return s;
  if (loss)
    *loss = outs[lossIndex].dtype == NNRT_F32 ? *static_cast<float *>(outs[lossIndex].data)
                                              : 0.0f;
  return NNRT_OK;
}
