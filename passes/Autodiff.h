//===- Autodiff.h - reverse-mode automatic differentiation ------*- C++ -*-===//
#ifndef NN_PASSES_AUTODIFF_H
#define NN_PASSES_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace nn {

/// Builds, next to `loss` (a function returning one rank-0 f32 tensor), a function
/// `name` with the same arguments that returns the loss followed by the gradient of
/// the loss with respect to each argument in `wrt` (in that order). Gradients come
/// from each op's DifferentiableOpInterface; values that do not depend on a `wrt`
/// argument get no adjoint. Fails with a diagnostic on an op that has no gradient
/// rule on an active path.
/// Indices of the arguments of `func` bound (`nn.param`) to trainable variables of
/// `module`; with `only`, restricted to the variables it lists (`nn.wrt`).
llvm::SmallVector<unsigned> trainableArguments(mlir::ModuleOp module, mlir::func::FuncOp func,
                                               mlir::ArrayAttr only = {});

mlir::FailureOr<mlir::func::FuncOp> differentiate(mlir::func::FuncOp loss,
                                                  llvm::ArrayRef<unsigned> wrt,
                                                  llvm::StringRef name);

} // namespace nn

#endif // NN_PASSES_AUTODIFF_H
