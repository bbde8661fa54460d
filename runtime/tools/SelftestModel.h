//===- SelftestModel.h - hand-written models for nnrt-selftest ------------===//
//
// Two model descriptors written by hand, as nnc would emit them, with kernels that are
// plain C functions on halide_buffer_t, so the executor is tested without the compiler.
//
//===----------------------------------------------------------------------===//
#ifndef NNRT_TOOLS_SELFTESTMODEL_H
#define NNRT_TOOLS_SELFTESTMODEL_H

#include "nnrt/model.h"

/// "selftest": inputs x, y: f32[B, 4], label: i32[B]; seven params of every init kind.
/// Entries:
///   add(x, y) -> sum: f32[B, 2, 2] = reshape(x + y) + b, total: f32[] = sum(sum)
///   step() -> steps: i32[] ; increments the state param `steps` (an update)
///   fail(x) ; its kernel reports a Halide error and returns -1
///   unbound() ; a slot uses symbol B, which no input binds
extern const nnrt_model SelftestModel;

/// "tiny": image f32[B, 28, 28] -> infer: logits f32[B, 10] = flatten(image) . w + bias;
/// train(image, label, lr) -> loss: one SGD step of softmax cross-entropy (updates w, bias).
extern const nnrt_model TinyModel;

#endif // NNRT_TOOLS_SELFTESTMODEL_H
