//===- GradBuilder.cpp - arithmetic on IR values for gradient rules -------===//
#include "ir/GradBuilder.h"
#include "ir/Builders.h"

using namespace mlir;
using namespace nn;
using namespace nn::grad;

namespace {
template <typename OpTy>
GValue build(GValue a, GValue b) {
  if (!a || !b)
    return GValue();
  return a.with(buildInferred<OpTy>(a.builder(), a.loc(), {a.value(), b.value()}));
}
template <typename OpTy>
GValue build(GValue x) {
  if (!x)
    return GValue();
  return x.with(buildInferred<OpTy>(x.builder(), x.loc(), x.value()));
}
} // namespace

GValue GValue::constant(double c) const { return with(buildScalar(*b, loc(), c)); }

GValue nn::grad::operator+(GValue a, GValue b) { return build<AddOp>(a, b); }
GValue nn::grad::operator-(GValue a, GValue b) { return build<SubOp>(a, b); }
GValue nn::grad::operator*(GValue a, GValue b) { return build<MulOp>(a, b); }
GValue nn::grad::operator/(GValue a, GValue b) { return build<DivOp>(a, b); }
GValue nn::grad::operator+(GValue a, double b) { return a + a.constant(b); }
GValue nn::grad::operator-(GValue a, double b) { return a - a.constant(b); }
GValue nn::grad::operator*(GValue a, double b) { return a * a.constant(b); }
GValue nn::grad::operator/(GValue a, double b) { return a / a.constant(b); }
GValue nn::grad::operator+(double a, GValue b) { return b.constant(a) + b; }
GValue nn::grad::operator-(double a, GValue b) { return b.constant(a) - b; }
GValue nn::grad::operator*(double a, GValue b) { return b.constant(a) * b; }
GValue nn::grad::operator/(double a, GValue b) { return b.constant(a) / b; }
GValue nn::grad::operator-(GValue a) { return build<NegOp>(a); }
GValue nn::grad::exp(GValue x) { return build<ExpOp>(x); }
GValue nn::grad::log(GValue x) { return build<LogOp>(x); }
GValue nn::grad::sqrt(GValue x) { return build<SqrtOp>(x); }
GValue nn::grad::tanh(GValue x) { return build<TanhOp>(x); }
GValue nn::grad::erf(GValue x) { return build<ErfOp>(x); }
GValue nn::grad::abs(GValue x) { return build<AbsOp>(x); }
GValue nn::grad::step(GValue x) { return build<StepOp>(x); }
GValue nn::grad::greater(GValue a, GValue b) { return build<GreaterOp>(a, b); }
GValue nn::grad::pow(GValue a, GValue b) { return build<PowOp>(a, b); }

/// A reshape of `x` to `shape` (-1: dynamic); when more than one dim is dynamic they
/// take `like`'s dims at the same positions (`like` has the result's rank).
static Value reshapeWith(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> shape,
                         Value like) {
  if (llvm::count(shape, -1) <= 1)
    return buildInferred<ReshapeOp>(
        b, loc, x, {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
  return buildInferred<ReshapeOp>(
      b, loc, {x, like}, {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape))});
}

Value nn::grad::reshapeTo(OpBuilder &b, Location loc, Value x, Value like) {
  auto t = cast<RankedTensorType>(like.getType());
  if (!x || x.getType() == t)
    return x;
  SmallVector<int64_t> shape;
  for (int64_t d : t.getShape())
    shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return reshapeWith(b, loc, x, shape, like);
}

Value nn::grad::unbroadcast(OpBuilder &b, Location loc, Value grad, Value like) {
  if (!grad)
    return grad;
  auto gt = cast<RankedTensorType>(grad.getType());
  auto tt = cast<RankedTensorType>(like.getType());
  int64_t lead = gt.getRank() - tt.getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < gt.getRank(); ++i)
    if (i < lead || (tt.getDimSize(i - lead) == 1 && gt.getDimSize(i) != 1))
      axes.push_back(i);
  if (!axes.empty())
    grad = buildInferred<ReduceSumOp>(b, loc, grad,
                                      {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                                       b.getNamedAttr("keepdims", b.getBoolAttr(true))});
  return reshapeTo(b, loc, grad, like);
}

Value nn::grad::unreduce(OpBuilder &b, Location loc, Value grad, Value x,
                         ArrayRef<int64_t> axes, bool keepdims) {
  auto xt = cast<RankedTensorType>(x.getType());
  if (!keepdims) {
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < xt.getRank(); ++i) {
      bool reduced = axes.empty() || llvm::is_contained(axes, i);
      shape.push_back(reduced ? 1 : (xt.isDynamicDim(i) ? -1 : xt.getDimSize(i)));
    }
    grad = reshapeWith(b, loc, grad, shape, x);
  }
  return buildInferred<BroadcastToOp>(b, loc, {grad, x});
}

LogicalResult nn::grad::done(SmallVectorImpl<Value> &out,
                             std::initializer_list<Value> grads) {
  out.append(grads.begin(), grads.end());
  return success(llvm::all_of(grads, [](Value v) { return bool(v); }));
}

LogicalResult nn::grad::unaryGradient(Operation *op, OpBuilder &b, ValueRange grads,
                                      SmallVectorImpl<Value> &out,
                                      GValue (*rule)(GValue, GValue, GValue)) {
  Location loc = op->getLoc();
  GValue g(b, loc, grads[0]);
  return done(out, {rule(g, g.with(op->getOperand(0)), g.with(op->getResult(0)))});
}

LogicalResult nn::grad::binaryGradient(Operation *op, OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out,
                                       GPair (*rule)(GValue, GValue, GValue, GValue)) {
  Location loc = op->getLoc();
  GValue g(b, loc, grads[0]);
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  auto [dl, dr] = rule(g, g.with(lhs), g.with(rhs), g.with(op->getResult(0)));
  return done(out, {unbroadcast(b, loc, dl, lhs),
                    unbroadcast(b, loc, dr, rhs)});
}
