//===- ReverseSweep.cpp - the reverse sweep of reverse-mode autodiff ------===//
#include "ir/ReverseSweep.h"
#include "ir/Builders.h"

using namespace mlir;
using namespace nn;

bool nn::isDifferentiable(Value v) {
  auto t = dyn_cast<TensorType>(v.getType());
  return t && t.getElementType().isF32();
}

llvm::DenseSet<Value> nn::activeValues(ArrayRef<Operation *> ops, ArrayRef<Value> seeds) {
  llvm::DenseSet<Value> active(seeds.begin(), seeds.end());
  for (Operation *op : ops)
    if (!op->hasTrait<OpTrait::NNZeroGradient>() &&
        llvm::any_of(op->getOperands(), [&](Value v) { return active.contains(v); }))
      for (Value r : op->getResults())
        if (isDifferentiable(r))
          active.insert(r);
  return active;
}

Value nn::zerosLike(OpBuilder &b, Location loc, Value like) {
  auto t = cast<RankedTensorType>(like.getType());
  if (!t.hasStaticShape())
    return buildInferred<BroadcastToOp>(b, loc, {buildScalar(b, loc, 0.0), like});
  t = RankedTensorType::get(t.getShape(), b.getF32Type());
  return b.create<ConstantOp>(loc, t,
                              DenseElementsAttr::get(t, b.getF32FloatAttr(0).getValue()));
}

LogicalResult nn::accumulate(OpBuilder &b, Location loc, DenseMap<Value, Value> &adjoint,
                             Value v, Value grad) {
  Value &acc = adjoint[v];
  acc = acc ? buildInferred<AddOp>(b, loc, {acc, grad}) : grad;
  return success(bool(acc));
}

LogicalResult nn::reverseSweep(OpBuilder &b, ArrayRef<Operation *> ops,
                               const llvm::DenseSet<Value> &active,
                               DenseMap<Value, Value> &adjoint) {
  for (Operation *op : llvm::reverse(ops)) {
    if (!llvm::any_of(op->getResults(),
                      [&](Value r) { return active.contains(r) && adjoint.lookup(r); }))
      continue;
    auto diff = dyn_cast<DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitError("no gradient rule for '")
             << op->getName() << "' on the path from the parameters to the loss";
    SmallVector<Value> resultGrads;
    for (Value r : op->getResults()) {
      Value g = adjoint.lookup(r);
      resultGrads.push_back(g ? g : zerosLike(b, op->getLoc(), r));
    }
    // Read the operands first: a rule may replace the op's uses (nn.scan does).
    SmallVector<Value> operands(op->getOperands());
    SmallVector<Value> operandGrads;
    if (failed(diff.buildGradients(b, resultGrads, operandGrads)))
      return failure();
    for (auto [operand, g] : llvm::zip(operands, operandGrads))
      if (g && active.contains(operand) &&
          failed(accumulate(b, op->getLoc(), adjoint, operand, g)))
        return failure();
  }
  return success();
}
