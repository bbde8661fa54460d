//===- ModelInputs.h - model inputs that passes add to entries --*- C++ -*-===//
//
// Passes that build entries of their own (nn-train-step's data-parallel entries,
// nn-decode's incremental decoding) give them inputs the frontend did not declare:
// `nn.input` symbols in the module and entry arguments bound to them.
//
//===----------------------------------------------------------------------===//
#ifndef NN_PASSES_MODELINPUTS_H
#define NN_PASSES_MODELINPUTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace nn {

/// Declares the model input `name` of `type` after the other inputs, unless the module
/// has that symbol already. Every dynamic dim of `type` is the symbol `symbol` (a
/// batch); static dims have none.
void declareInput(mlir::ModuleOp module, llvm::StringRef name, mlir::RankedTensorType type,
                  mlir::Location loc, llvm::StringRef symbol = "");

/// Appends to `f` an argument bound to the model input `name` (`{nn.input = @name}`).
mlir::Value appendInputArg(mlir::func::FuncOp f, llvm::StringRef name, mlir::Type type,
                           mlir::Location loc);

} // namespace nn

#endif // NN_PASSES_MODELINPUTS_H
