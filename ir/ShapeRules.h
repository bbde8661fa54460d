//===- ShapeRules.h - shared shape arithmetic of the nn ops -----*- C++ -*-===//
//
// The broadcasting rule and type compatibility used by the ops' type inference. Other
// layers (autodiff, codegen) use these instead of re-deriving the rules.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_SHAPERULES_H
#define NN_IR_SHAPERULES_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace nn {

/// The NumPy broadcast of two shapes (right-aligned; equal dims, or one of them is 1;
/// a dynamic dim paired with a static n > 1 gives n). std::nullopt if incompatible.
std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                           llvm::ArrayRef<int64_t> b);

/// True when declared type `b` may stand for inferred type `a`: same element type and
/// compatible shapes (a dynamic dim or an unranked tensor matches any size).
bool areCompatibleTypes(mlir::Type a, mlir::Type b);
bool areCompatibleTypeLists(mlir::TypeRange a, mlir::TypeRange b);

} // namespace nn

#endif // NN_IR_SHAPERULES_H
