//===- ReverseSweep.h - the reverse sweep of reverse-mode autodiff -*- C++ -*-===//
//
// The core of reverse mode, over any straight-line list of nn ops: which values are
// active, and the sweep that asks each active op for its operands' adjoints
// (DifferentiableOpInterface) in reverse order. The autodiff pass runs it over a
// function body; nn.scan's gradient runs it over a clone of its body inside the
// reverse loop (backpropagation through time), which is why it lives with the IR.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_REVERSESWEEP_H
#define NN_IR_REVERSESWEEP_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace nn {

/// True for f32 tensors, the only values with adjoints.
bool isDifferentiable(mlir::Value v);

/// Values computed by `ops` (in order) that depend on one of `seeds` through ops with a
/// nonzero derivative (ops with NNZeroGradient end an active path), seeds included.
llvm::DenseSet<mlir::Value> activeValues(llvm::ArrayRef<mlir::Operation *> ops,
                                         llvm::ArrayRef<mlir::Value> seeds);

/// A zero f32 tensor of `like`'s shape: a splat constant when the shape is static,
/// else a rank-0 zero broadcast to `like`.
mlir::Value zerosLike(mlir::OpBuilder &b, mlir::Location loc, mlir::Value like);

/// Adds `grad` into `adjoint[v]` (nn.add when it already has one). Fails when the add
/// does not fit (reported).
llvm::LogicalResult accumulate(mlir::OpBuilder &b, mlir::Location loc,
                               llvm::DenseMap<mlir::Value, mlir::Value> &adjoint,
                               mlir::Value v, mlir::Value grad);

/// Visits `ops` in reverse at `b`'s insertion point: each active op with an adjoint on
/// one of its results gets its operands' adjoints from its gradient rule, accumulated
/// into `adjoint` (which holds the seeds' adjoints on entry). Fails with a diagnostic
/// at an active op without a gradient rule.
llvm::LogicalResult reverseSweep(mlir::OpBuilder &b, llvm::ArrayRef<mlir::Operation *> ops,
                                 const llvm::DenseSet<mlir::Value> &active,
                                 llvm::DenseMap<mlir::Value, mlir::Value> &adjoint);

} // namespace nn

#endif // NN_IR_REVERSESWEEP_H
