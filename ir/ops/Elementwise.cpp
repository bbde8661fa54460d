//===- Elementwise.cpp - folders of elementwise ops ------------------------===//
//
// Formulas, gradients and shape rules of elementwise ops come from
// ops/Elementwise.td; what is here is per-op C++ that does not fit a formula.
//
//===----------------------------------------------------------------------------===//
#include "ir/NNOps.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace nn;

namespace {

/// True when `attr` is a constant whose every element equals `value`.
bool isSplatOf(Attribute attr, float value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat() || !dense.getElementType().isF32())
    return false;
  return dense.getSplatValue<APFloat>().convertToFloat() == value;
}

/// Folds `op(x, constant)` to `x` when the constant is the identity element and the
/// result has exactly x's type (no broadcasting happened).
OpFoldResult foldIdentity(Value x, Type resultType, Attribute other, float identity) {
  if (x.getType() == resultType && isSplatOf(other, identity))
    return x;
  return {};
}

} // namespace

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getX().getDefiningOp<NegOp>())
    if (inner.getX().getType() == getType())
      return inner.getX();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getX()))
    if (dense.isSplat() && dense.getElementType().isF32())
      return DenseElementsAttr::get(
          cast<ShapedType>(dense.getType()),
          APFloat(-dense.getSplatValue<APFloat>().convertToFloat()));
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor a) {
  if (auto r = foldIdentity(getLhs(), getType(), a.getRhs(), 0.0f))
    return r;
  return foldIdentity(getRhs(), getType(), a.getLhs(), 0.0f);
}
OpFoldResult SubOp::fold(FoldAdaptor a) {
  return foldIdentity(getLhs(), getType(), a.getRhs(), 0.0f);
}
OpFoldResult MulOp::fold(FoldAdaptor a) {
  if (auto r = foldIdentity(getLhs(), getType(), a.getRhs(), 1.0f))
    return r;
  return foldIdentity(getRhs(), getType(), a.getLhs(), 1.0f);
}
OpFoldResult DivOp::fold(FoldAdaptor a) {
  return foldIdentity(getLhs(), getType(), a.getRhs(), 1.0f);
}

LogicalResult StopGradientOp::buildGradients(OpBuilder &, ValueRange,
                                             SmallVectorImpl<Value> &out) {
  out.push_back(nullptr);
  return success();
}

LogicalResult LeakyReluOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor, SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getX().getType());
  return success();
}

bool LeakyReluOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleTypeLists(l, r);
}

compute::Computation LeakyReluOp::getComputation() {
  double alpha = getAlpha().convertToDouble();
  return compute::elementwise(getOperation(), [alpha](ArrayRef<compute::Expr> in) {
    return compute::select(in[0] > 0.0, in[0], in[0] * alpha);
  });
}

LogicalResult LeakyReluOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  double alpha = getAlpha().convertToDouble();
  grad::GValue g(b, getLoc(), grads[0]);
  // step(y) + alpha (1 - step(y)): 1 or alpha exactly. The result's sign is x's when
  // alpha >= 0 (the next layer reads the result: nothing more is stored).
  grad::GValue s = grad::step(g.with(alpha >= 0 ? getResult() : getX()));
  return grad::done(out, {g * (s + alpha * (1.0 - s))});
}
