//===- Evaluator.h - float64 reference evaluator of the nn dialect -*- C++ -*-===//
//
// Runs a function of nn ops on dense row-major arrays of doubles, whatever the
// declared element type (f32 and i32 alike), so gradients can be checked in float64.
// Static shapes only.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_TOOLS_GRADCHECK_EVALUATOR_H
#define NN_TOOLS_GRADCHECK_EVALUATOR_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace nn::gradcheck {

/// A dense row-major tensor of doubles; rank 0 holds one element.
struct NDArray {
  llvm::SmallVector<int64_t> shape;
  std::vector<double> data;

  static NDArray zeros(llvm::ArrayRef<int64_t> shape);
  int64_t size() const { return data.size(); }
};

/// The number of elements of `shape` (1 for rank 0).
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// The multi-index of row-major position `index` in `shape`.
llvm::SmallVector<int64_t> unravel(int64_t index, llvm::ArrayRef<int64_t> shape);

/// Results to hold fixed across evaluations: the first evaluation records the result of
/// every op `select` accepts, later ones reuse it instead of computing it.
struct Freeze {
  std::function<bool(mlir::Operation &)> select;
  llvm::DenseMap<mlir::Value, NDArray> values;
  /// The values of a loop body's ops differ per step: one Freeze per (nn.scan, step).
  std::map<std::pair<mlir::Operation *, int64_t>, std::unique_ptr<Freeze>> steps;
  Freeze *step(mlir::Operation *loop, int64_t t) {
    std::unique_ptr<Freeze> &f = steps[{loop, t}];
    if (!f) {
      f = std::make_unique<Freeze>();
      f->select = select;
    }
    return f.get();
  }
};

/// Evaluates the body of `func` on `args` (one per argument) and returns the values of
/// its `func.return`. Emits a diagnostic at the first op it cannot evaluate (unknown op,
/// dynamic shape, operand shapes that do not fit).
mlir::FailureOr<llvm::SmallVector<NDArray>> evaluate(mlir::func::FuncOp func,
                                                     llvm::ArrayRef<NDArray> args,
                                                     Freeze *freeze = nullptr);

} // namespace nn::gradcheck

#endif // NN_TOOLS_GRADCHECK_EVALUATOR_H
