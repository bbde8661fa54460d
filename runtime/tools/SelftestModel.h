//===- SelftestModel.h - hand-written models for nnrt-selftest ------------===//
//
// Three model descriptors written by hand, as nnc would emit them, with kernels that are
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
///   chain(x) -> total ; three temporaries in two planned buffers
///   sub(y, x) -> diff = x - y ; inputs listed in another order than declared
///   square(label) ; a temporary i32[B, B]
extern const nnrt_model SelftestModel;

/// "tiny": image f32[B, 28, 28] -> infer: logits f32[B, 10] = flatten(image) . w + bias;
/// train(image, label, lr) -> loss: one SGD step of softmax cross-entropy (updates w, bias).
extern const nnrt_model TinyModel;

/// "five": the tiny model's infer entry scoring 5 classes (logits f32[B, 5]), no train
/// entry; its data is fashion_mnist, whose labels go up to 9.
extern const nnrt_model FiveModel;

#endif // NNRT_TOOLS_SELFTESTMODEL_H
