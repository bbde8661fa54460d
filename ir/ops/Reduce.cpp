//===- Reduce.cpp - reduce_sum, reduce_mean, reduce_max, argmax, softmax ----===//
//
// The shape rule is ShapeRules.cpp's inferReduceType (from ops/Reduce.td).
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ShapeRules.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;
using namespace nn::grad;

/// acc[kept dims] reduces x over the reduced dims; the reduction variables run over
/// the reduced dims, innermost nn dim first (rvar 0 is the innermost loop).
/// `skipAbove` (the ops' `skip_above`, along the last axis alone): the terms past the
/// row's index + s may be skipped (the computation's `nonzero`).
static Computation reduction(Operation *op, ArrayRef<int64_t> axes, bool keepdims,
                             Reducer reducer, bool mean,
                             std::optional<int64_t> skipAbove = std::nullopt) {
  auto x = cast<RankedTensorType>(op->getOperand(0).getType());
  int64_t r = x.getRank();
  SmallVector<bool> reduced(r, axes.empty());
  for (int64_t a : axes)
    reduced[a] = true;
  Computation c;
  SmallVector<int, 4> rvarOf(r, -1);
  Expr count = 1.0;
  for (int64_t i = r - 1; i >= 0; --i)
    if (reduced[i]) {
      rvarOf[i] = c.reduction.size();
      c.reduction.push_back(extentOf(x, 0, i));
      count = count * cast(DType::F32, extentOf(x, 0, i));
    }
  SmallVector<Expr, 4> index;
  unsigned pos = 0;
  for (int64_t i = 0; i < r; ++i) {
    if (reduced[i]) {
      index.push_back(rvar(rvarOf[i]));
      if (keepdims) {
        c.extents.push_back(Expr::index(1));
        ++pos;
      }
    } else {
      index.push_back(var(pos++));
      c.extents.push_back(extentOf(x, 0, i));
    }
  }
  c.body = load(0, DType::F32, index);
  if (c.reduction.empty()) // a rank-0 operand: the reduction is the identity
    return c;
  c.reducer = reducer;
  if (mean)
    c.post = acc() * (1.0 / count);
  // The row is the last kept dim: var r - 2 with or without keepdims.
  if (skipAbove && r >= 2 && axes.size() == 1 && axes[0] == r - 1)
    c.nonzero = rvar(0) <= var(r - 2) + Expr::index(*skipAbove);
  return c;
}

Computation ReduceSumOp::getComputation() {
  return reduction(*this, getAxes(), getKeepdims(), Reducer::Sum, /*mean=*/false,
                   getSkipAbove());
}
Computation ReduceMeanOp::getComputation() {
  return reduction(*this, getAxes(), getKeepdims(), Reducer::Sum, /*mean=*/true,
                   getSkipAbove());
}
Computation ReduceMaxOp::getComputation() {
  return reduction(*this, getAxes(), getKeepdims(), Reducer::Max, /*mean=*/false,
                   getSkipAbove());
}

LogicalResult ReduceSumOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  return done(out, {unreduce(b, getLoc(), grads[0], getX(), getAxes(), getKeepdims())});
}

LogicalResult ReduceMeanOp::buildGradients(OpBuilder &b, ValueRange grads,
                                           SmallVectorImpl<Value> &out) {
  // Divide by the run-time count: the batch may be dynamic.
  Value count = buildInferred<CountOp>(b, getLoc(), getX(),
                                       {b.getNamedAttr("axes", getAxesAttr())});
  GValue g(b, getLoc(), unreduce(b, getLoc(), grads[0], getX(), getAxes(), getKeepdims()));
  return done(out, {g / g.with(count)});
}

LogicalResult ReduceMaxOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  // The gradient goes to every element equal to the maximum.
  GValue m(b, getLoc(), unreduce(b, getLoc(), getResult(), getX(), getAxes(), getKeepdims()));
  GValue isMax = 1.0 - greater(m, m.with(getX()));
  GValue g = m.with(unreduce(b, getLoc(), grads[0], getX(), getAxes(), getKeepdims()));
  return done(out, {g * isMax});
}

//===----------------------------------------------------------------------------===//
// ArgmaxOp
//===----------------------------------------------------------------------------===//

/// `axis` in [0, rank) for a possibly negative attribute; -1 when out of range.
static int64_t normalizedAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return axis >= 0 && axis < rank ? axis : -1;
}

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  auto i32 = IntegerType::get(ctx, 32);
  if (!t.hasRank()) {
    types.push_back(UnrankedTensorType::get(i32));
    return success();
  }
  int64_t axis = normalizedAxis(adaptor.getAxis(), t.getRank());
  if (axis < 0)
    return emitOptionalError(loc, "'nn.argmax' axis ", adaptor.getAxis(),
                             " is out of range for rank ", t.getRank());
  bool keep = adaptor.getKeepdimsAttr() && adaptor.getKeepdimsAttr().getValue();
  SmallVector<mlir::Type, 1> reduced;
  if (failed(inferReduceType(getOperationName(), loc, t, {axis}, keep, reduced)))
    return failure();
  types.push_back(cast<TensorType>(reduced[0]).clone(i32));
  return success();
}

bool ArgmaxOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleTypeLists(l, r);
}

/// The first maximum along the axis: an ArgMax reduction whose position is the axis
/// index itself.
Computation ArgmaxOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  int64_t axis = normalizedAxis(getAxis(), x.getRank());
  Computation c = reduction(*this, {axis}, getKeepdims(), Reducer::ArgMax, /*mean=*/false);
  c.type = DType::I32;
  c.position = rvar(0);
  return c;
}

//===----------------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------------===//

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  if (t.hasRank() && normalizedAxis(adaptor.getAxis(), t.getRank()) < 0)
    return emitOptionalError(loc, "'nn.softmax' axis ", adaptor.getAxis(),
                             " is out of range for rank ", t.getRank());
  types.push_back(t);
  return success();
}

bool SoftmaxOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleTypeLists(l, r);
}

/// The attributes of a reduction along the softmax's axis that keeps it as size 1.
static SmallVector<NamedAttribute, 2> alongAxis(SoftmaxOp op, OpBuilder &b) {
  int64_t axis = normalizedAxis(op.getAxis(), cast<RankedTensorType>(op.getType()).getRank());
  return {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({axis})),
          b.getNamedAttr("keepdims", b.getBoolAttr(true))};
}

/// dx = y (g - sum(g y)) along the axis: the result is all it reads.
LogicalResult SoftmaxOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  GValue y(b, getLoc(), getResult());
  GValue g = y.with(grads[0]);
  GValue dot = y.with(buildInferred<ReduceSumOp>(b, getLoc(), Value(g * y), alongAxis(*this, b)));
  return done(out, {y * (g - dot)});
}

/// e = exp(x - max), e (1 / sum(e)): one division per row, a multiply per element, as
/// PyTorch's CPU kernel computes it (docs/design.md, "Divisions per row"); the max
/// shift is a constant for autodiff (it cancels).
Value SoftmaxOp::expand(OpBuilder &b) {
  Location loc = getLoc();
  SmallVector<NamedAttribute, 2> attrs = alongAxis(*this, b);
  Value m = buildInferred<ReduceMaxOp>(b, loc, getX(), attrs);
  Value s = buildInferred<SubOp>(b, loc, {getX(), buildInferred<StopGradientOp>(b, loc, m)});
  Value e = buildInferred<ExpOp>(b, loc, s);
  Value sum = buildInferred<ReduceSumOp>(b, loc, e, attrs);
  Value one = buildScalar(b, loc, 1.0);
  return buildInferred<MulOp>(b, loc, {e, buildInferred<DivOp>(b, loc, {one, sum})});
}
