//===- Expand.cpp - composite ops into their compositions ------------------===//
//
// A composite op (CompositeOpInterface: softmax) is one op while automatic
// differentiation runs, so its own gradient rule applies; this pass, run after the
// training steps are built, replaces each by the composition it states, so fusion, code
// generation and the float64 evaluator see only ops with a computation.
//
//===----------------------------------------------------------------------------===//
#include "passes/Passes.h"

namespace nn {
#define GEN_PASS_DEF_NNEXPAND
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

LogicalResult nn::expandComposites(Operation *root) {
  SmallVector<CompositeOpInterface> composites;
  root->walk([&](CompositeOpInterface op) { composites.push_back(op); });
  for (CompositeOpInterface op : composites) {
    OpBuilder b(op);
    Value v = op.expand(b);
    if (!v)
      return failure();
    op->getResult(0).replaceAllUsesWith(v);
    op->erase();
  }
  return success();
}

namespace {
struct ExpandPass : nn::impl::NNExpandBase<ExpandPass> {
  void runOnOperation() override {
    if (failed(expandComposites(getOperation())))
      signalPassFailure();
  }
};
} // namespace
