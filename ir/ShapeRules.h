//===- ShapeRules.h - shared shape arithmetic of the nn ops -----*- C++ -*-===//
//
// The broadcasting rule, type compatibility and the shape rules that several ops
// share (binary elementwise ops, reductions). Other layers (autodiff, codegen) use
// these instead of re-deriving the rules.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_SHAPERULES_H
#define NN_IR_SHAPERULES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace nn {

/// The NumPy broadcast of two shapes (right-aligned; equal dims, or one of them is 1;
/// a dynamic dim paired with a static n > 1 gives n). std::nullopt if incompatible.
std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                           llvm::ArrayRef<int64_t> b);

/// True when declared type `b` may stand for inferred type `a`: same element type and
/// compatible shapes (a dynamic dim or an unranked tensor matches any size).
bool areCompatibleTypes(mlir::Type a, mlir::Type b);
bool areCompatibleTypeLists(mlir::TypeRange a, mlir::TypeRange b);

/// Dims as a string for messages: [?, 784].
std::string shapeString(llvm::ArrayRef<int64_t> shape);

/// A tensor type as the .nn language writes it, for messages: f32[?, 784] (MLIRGen
/// names the `?` by its symbol).
std::string languageType(mlir::Type type);

/// The shape rule of binary elementwise ops: the broadcast of `lhs` and `rhs`.
llvm::LogicalResult inferBroadcastType(llvm::StringRef opName,
                                       std::optional<mlir::Location> loc,
                                       mlir::Type lhs, mlir::Type rhs,
                                       llvm::SmallVectorImpl<mlir::Type> &types);

/// The shape rule of reductions over `axes` (all dims when empty).
llvm::LogicalResult inferReduceType(llvm::StringRef opName,
                                    std::optional<mlir::Location> loc, mlir::Type input,
                                    llvm::ArrayRef<int64_t> axes, bool keepdims,
                                    llvm::SmallVectorImpl<mlir::Type> &types);

} // namespace nn

#endif // NN_IR_SHAPERULES_H
