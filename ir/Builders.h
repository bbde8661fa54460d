//===- Builders.h - build nn ops through their type inference ---*- C++ -*-===//
#ifndef NN_IR_BUILDERS_H
#define NN_IR_BUILDERS_H

#include <optional>

#include "ir/NNOps.h"
#include "mlir/IR/Builders.h"

namespace nn {

/// Creates `OpTy` with the result type its shape rule infers. Returns null (after the
/// rule emitted an error at `loc`) when the operands do not fit, or when an operand is
/// null, so chains of builds stop at the first error.
template <typename OpTy>
mlir::Value buildInferred(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::ValueRange operands,
                          llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
  if (llvm::any_of(operands, [](mlir::Value v) { return !v; }))
    return nullptr;
  llvm::SmallVector<mlir::Type, 1> types;
  if (mlir::failed(OpTy::inferReturnTypes(b.getContext(), loc, operands,
                                          b.getDictionaryAttr(attrs),
                                          /*properties=*/nullptr, /*regions=*/{},
                                          types)))
    return nullptr;
  return b.create<OpTy>(loc, types, operands, attrs)->getResult(0);
}

/// Builds the body of an nn.scan: given the block arguments (carried values, the step's
/// slices of the sequences, invariants), appends what the step yields (the next carried
/// values, then one value per stacked output). Fails after reporting an error.
using ScanBodyBuilder = llvm::function_ref<llvm::LogicalResult(
    mlir::OpBuilder &, mlir::ValueRange, llvm::SmallVectorImpl<mlir::Value> &)>;

/// Creates an nn.scan whose result types follow from the operands and the body `body`
/// builds, running `length` steps when given (a loop without sequences needs it).
/// Returns null after an error was reported.
ScanOp buildScan(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange carried,
                 mlir::ValueRange sequences, mlir::ValueRange invariants, bool reverse,
                 ScanBodyBuilder body, std::optional<int64_t> length = std::nullopt);

/// A rank-0 f32 constant.
mlir::Value buildScalar(mlir::OpBuilder &b, mlir::Location loc, double value);

} // namespace nn

#endif // NN_IR_BUILDERS_H
