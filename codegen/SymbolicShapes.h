//===- SymbolicShapes.h - dynamic dims as model symbols ---------*- C++ -*-===//
//
// Expresses every dynamic dim of an entry's values as a model symbol (the `dims` names
// of nn.input ops, e.g. "B"), reusing the ops' own shape rules: see SymbolicShapes.cpp.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_CODEGEN_SYMBOLICSHAPES_H
#define NN_CODEGEN_SYMBOLICSHAPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace nn::codegen {

/// The symbols of a model: `dims` names of its nn.input ops, deduplicated, in order of
/// appearance. Symbol k is written -(k+1) in nnrt_shape dims.
std::vector<std::string> collectSymbols(mlir::ModuleOp module);

class SymbolicShapes {
public:
  /// Computes the symbolic dims of the arguments of `entry` and of the results of its
  /// top-level ops (kernels, reshapes). Fails with "unsupported symbolic dim expression"
  /// when a dim is a function of symbols other than a symbol itself (e.g. B*S).
  static llvm::Expected<SymbolicShapes> analyze(mlir::func::FuncOp entry,
                                                const std::vector<std::string> &symbols);

  /// The dims of `v` (an analyzed value): >= 0 static, -(k+1) symbol k.
  llvm::ArrayRef<int64_t> dims(mlir::Value v) const;

private:
  llvm::DenseMap<mlir::Value, llvm::SmallVector<int64_t, 4>> dimsOf;
};

} // namespace nn::codegen

#endif // NN_CODEGEN_SYMBOLICSHAPES_H
