//===- Passes.h - nn graph passes -------------------------------*- C++ -*-===//
#ifndef NN_PASSES_PASSES_H
#define NN_PASSES_PASSES_H

#include "ir/NNOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace nn {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Re-infers the result type of every op in `region` (in order), replacing it when the
/// inferred type differs; returns failure with the op's diagnostic on a shape error.
/// The shape-inference pass and codegen's symbolic-dim analysis share it.
mlir::LogicalResult refineTypes(mlir::Region &region);

/// Replaces every composite op under `root` (CompositeOpInterface) by its composition;
/// fails after an error was reported. The pass nn-expand and nn-gradcheck share it.
mlir::LogicalResult expandComposites(mlir::Operation *root);

/// Unit attribute nn-fuse puts on the ops of a matmul operand's prologue (ops cloned
/// into the matmul's kernel, see passes/Fuse.cpp); the fusion report marks them.
inline constexpr llvm::StringLiteral kPrologueAttr = "nn.prologue";

/// Unit attribute nn-fuse puts on a scalar computed from function arguments and
/// constants alone: every kernel that reads it computes it (passes/Fuse.cpp,
/// markArgumentScalars); the fusion report marks them.
inline constexpr llvm::StringLiteral kArgumentScalarAttr = "nn.argument_scalar";

} // namespace nn

#endif // NN_PASSES_PASSES_H
