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

/// A dim that is a number times a product of model symbols: `factor * symbols[0] *
/// symbols[1] ...` (indices into the model's symbols, ascending, repeated for a power),
/// e.g. B*S for a [B, S, V] tensor flattened to [B*S, V]. nnrt_dim_product's source.
struct DimProduct {
  int64_t factor = 1;
  llvm::SmallVector<int32_t, 4> symbols;
  bool operator==(const DimProduct &o) const {
    return factor == o.factor && symbols == o.symbols;
  }
};

class SymbolicShapes {
public:
  /// Computes the symbolic dims of the arguments of `entry` and of the results of its
  /// top-level ops (kernels, reshapes) and loops' bodies. A dim that is a product of
  /// symbols (other than one symbol) is added to `products` unless already there. Fails
  /// with "unsupported symbolic dim expression" when a dim is another function of the
  /// symbols (B+1, (B*10)/4).
  static llvm::Expected<SymbolicShapes> analyze(mlir::func::FuncOp entry,
                                                const std::vector<std::string> &symbols,
                                                std::vector<DimProduct> &products);

  /// The dims of `v` (an analyzed value): >= 0 static, -(k+1) symbol k, and
  /// -(symbols.size() + p + 1) product p of `products`.
  llvm::ArrayRef<int64_t> dims(mlir::Value v) const;

private:
  llvm::DenseMap<mlir::Value, llvm::SmallVector<int64_t, 4>> dimsOf;
};

} // namespace nn::codegen

#endif // NN_CODEGEN_SYMBOLICSHAPES_H
