//===- Autodiff.cpp - reverse-mode automatic differentiation --------------===//
//
// 1. Activity: the values that depend on a differentiated argument.
//    Ops with the NNZeroGradient trait (comparisons, noise, shape queries) end it.
// 2. Reverse sweep over the body: for each active op whose result has an adjoint,
//    the op's own buildGradients gives its operands' adjoints; fan-out accumulates
//    with nn.add. Integer values and stop_gradient cut the flow.
// Both steps are ir/ReverseSweep.h, shared with nn.scan's gradient (through time).
// The pass form differentiates every function marked `nn.differentiate`, with respect
// to its trainable parameter arguments, into `<name>_grad`.
//
//===----------------------------------------------------------------------------===//
#include "passes/Autodiff.h"
#include "ir/Builders.h"
#include "ir/ReverseSweep.h"
#include "passes/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace nn {
#define GEN_PASS_DEF_NNAUTODIFF
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

SmallVector<unsigned> nn::trainableArguments(ModuleOp module, func::FuncOp func,
                                            ArrayAttr only) {
  SmallVector<unsigned> args;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto ref = func.getArgAttrOfType<FlatSymbolRefAttr>(i, "nn.param");
    auto var = ref ? module.lookupSymbol<VariableOp>(ref) : VariableOp();
    if (var && var.getTrainable() &&
        (!only || llvm::is_contained(only.getValue(), Attribute(ref))))
      args.push_back(i);
  }
  return args;
}

FailureOr<func::FuncOp> nn::differentiate(func::FuncOp loss, ArrayRef<unsigned> wrt,
                                          StringRef name) {
  if (loss.getNumResults() != 1 ||
      cast<TensorType>(loss.getResultTypes()[0]) !=
          RankedTensorType::get({}, Float32Type::get(loss.getContext())))
    return loss.emitError("can only differentiate a function returning tensor<f32>");

  OpBuilder b(loss);
  b.setInsertionPointAfter(loss);
  auto grad = cast<func::FuncOp>(b.clone(*loss));
  grad.setSymName(name);
  Block &body = grad.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Value lossValue = ret.getOperand(0);

  SmallVector<Value> seeds;
  for (unsigned i : wrt)
    seeds.push_back(body.getArgument(i));
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);
  llvm::DenseSet<Value> active = activeValues(forward, seeds);

  DenseMap<Value, Value> adjoint;
  b.setInsertionPoint(ret);
  adjoint[lossValue] = buildScalar(b, loss.getLoc(), 1.0);
  if (failed(reverseSweep(b, forward, active, adjoint)))
    return failure();

  // The return, not lossValue: a gradient rule may have replaced the loss's producer.
  SmallVector<Value> results{ret.getOperand(0)};
  for (unsigned i : wrt) {
    Value arg = body.getArgument(i);
    Value g = adjoint.lookup(arg);
    results.push_back(g ? g : zerosLike(b, loss.getLoc(), arg));
  }
  b.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();
  grad.setType(FunctionType::get(grad.getContext(), grad.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  SmallVector<DictionaryAttr> resultAttrs{
      b.getDictionaryAttr(b.getNamedAttr("nn.output", b.getStringAttr("loss")))};
  for (unsigned i : wrt) {
    Attribute param = grad.getArgAttr(i, "nn.param");
    resultAttrs.push_back(b.getDictionaryAttr(
        param ? b.getNamedAttr("nn.grad", param)
              : b.getNamedAttr("nn.grad", b.getI64IntegerAttr(i))));
  }
  grad.setAllResultAttrs(resultAttrs);
  grad->removeAttr("nn.differentiate");
  grad->removeAttr("nn.train");
  return grad;
}

namespace {
struct AutodiffPass : public nn::impl::NNAutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> todo;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr("nn.differentiate"))
        todo.push_back(f);
    for (func::FuncOp f : todo) {
      SmallVector<unsigned> wrt = trainableArguments(module, f);
      if (failed(differentiate(f, wrt, (f.getSymName() + "_grad").str())))
        return signalPassFailure();
    }
  }
};
} // namespace
