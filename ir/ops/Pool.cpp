//===- Pool.cpp - max_pool2d and its gradient -----------------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"
#include "ir/ops/Window.h"
#include "mlir/IR/TypeUtilities.h"
#include <cmath>

using namespace mlir;
using namespace nn;
using namespace nn::compute;

namespace {

struct Geometry {
  WindowAxis h, w;
  bool padded() const { return h.padBefore || h.padAfter || w.padBefore || w.padAfter; }
};

/// The geometry of a pooling op's window over an input of type `x`.
FailureOr<Geometry> geometry(std::optional<Location> loc, StringRef op, Type x,
                             DenseI64ArrayAttr size, DenseI64ArrayAttr stride,
                             StringAttr padding) {
  auto t = cast<RankedTensorType>(x);
  if (t.getRank() != 4)
    return emitOptionalError(loc, "'", op, "' needs a rank-4 input [N, H, W, C], got ",
                             shapeString(t.getShape()));
  auto k = pairAttr(loc, op, "size", size, {1, 1});
  if (!k)
    return failure();
  auto s = pairAttr(loc, op, "stride", stride, *k);
  if (!s)
    return failure();
  StringRef pad = padding ? padding.getValue() : "valid";
  FailureOr<WindowAxis> h = windowAxis(loc, op, t.getDimSize(1), (*k)[0], (*s)[0], 1, pad);
  if (failed(h))
    return failure();
  FailureOr<WindowAxis> w = windowAxis(loc, op, t.getDimSize(2), (*k)[1], (*s)[1], 1, pad);
  if (failed(w))
    return failure();
  return Geometry{*h, *w};
}

/// The pooled shape [N, OH, OW, C] of `x`.
RankedTensorType pooledType(Type x, const Geometry &g, Type element) {
  auto t = cast<RankedTensorType>(x);
  return RankedTensorType::get({t.getDimSize(0), g.h.out, g.w.out, t.getDimSize(3)},
                               element);
}

/// The window's element at (kh, kw) of output (oh, ow); `fill` in the padding.
Expr windowElement(const Geometry &g, Expr kh, Expr kw, Expr fill) {
  SmallVector<Expr, 4> index{var(0), inputPosition(g.h, var(1), kh),
                             inputPosition(g.w, var(2), kw), var(3)};
  return g.padded() ? loadOr(0, DType::F32, index, fill) : load(0, DType::F32, index);
}

/// The window reduction over (kh, kw), kw innermost (row-major order).
Computation windowReduction(Type x, const Geometry &g, Reducer reducer) {
  Computation c;
  c.reducer = reducer;
  c.extents = {extentOf(x, 0, 0), Expr::index(g.h.out), Expr::index(g.w.out),
               extentOf(x, 0, 3)};
  c.reduction = {Expr::index(g.w.size), Expr::index(g.h.size)};
  return c;
}

SmallVector<NamedAttribute> windowAttrs(Operation *op) {
  SmallVector<NamedAttribute> attrs;
  for (StringRef name : {"size", "stride", "padding"})
    if (Attribute a = op->getAttr(name))
      attrs.push_back(NamedAttribute(StringAttr::get(op->getContext(), name), a));
  return attrs;
}

} // namespace


/// The shape rule of a pooling op of input `x` with a result of `element` type.
#define NN_POOL_INFER(Op, element)                                                     \
  LogicalResult Op::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,   \
                                     Adaptor a, SmallVectorImpl<Type> &types) {        \
    Type x = a.getX().getType();                                                       \
    if (!isa<RankedTensorType>(x)) {                                                   \
      types.push_back(UnrankedTensorType::get(element));                               \
      return success();                                                                \
    }                                                                                  \
    FailureOr<Geometry> g = geometry(loc, getOperationName(), x, a.getSizeAttr(),      \
                                     a.getStrideAttr(), a.getPaddingAttr());           \
    if (failed(g))                                                                     \
      return failure();                                                                \
    types.push_back(pooledType(x, *g, element));                                       \
    return success();                                                                  \
  }                                                                                    \
  NN_COMPATIBLE_RETURN_TYPES(Op)

//===----------------------------------------------------------------------------===//
// MaxPool2DOp, MaxPool2DArgmaxOp
//===----------------------------------------------------------------------------===//

NN_POOL_INFER(MaxPool2DOp, Float32Type::get(ctx))
NN_POOL_INFER(MaxPool2DArgmaxOp, IntegerType::get(ctx, 32))

Computation MaxPool2DOp::getComputation() {
  Geometry g = *geometry(std::nullopt, "", getX().getType(), getSizeAttr(), getStrideAttr(),
                         getPaddingAttr());
  Computation c = windowReduction(getX().getType(), g, Reducer::Max);
  c.body = windowElement(g, rvar(1), rvar(0), -INFINITY);
  return c;
}

LogicalResult MaxPool2DOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  Value argmax = buildInferred<MaxPool2DArgmaxOp>(b, getLoc(), getX(), windowAttrs(*this));
  return grad::done(out, {buildInferred<MaxPool2DBackwardOp>(
                             b, getLoc(), {grads[0], argmax, getX()}, windowAttrs(*this))});
}

Computation MaxPool2DArgmaxOp::getComputation() {
  Geometry g = *geometry(std::nullopt, "", getX().getType(), getSizeAttr(), getStrideAttr(),
                         getPaddingAttr());
  Computation c = windowReduction(getX().getType(), g, Reducer::ArgMax);
  c.type = DType::I32;
  c.body = windowElement(g, rvar(1), rvar(0), -INFINITY);
  c.position = rvar(1) * Expr::index(g.w.size) + rvar(0);
  return c;
}

//===----------------------------------------------------------------------------===//
// MaxPool2DBackwardOp
//===----------------------------------------------------------------------------===//

LogicalResult MaxPool2DBackwardOp::inferReturnTypes(MLIRContext *,
                                                    std::optional<Location> loc, Adaptor a,
                                                    SmallVectorImpl<Type> &types) {
  Type like = a.getLike().getType();
  if (!isa<RankedTensorType>(like)) {
    types.push_back(like);
    return success();
  }
  FailureOr<Geometry> g = geometry(loc, getOperationName(), like, a.getSizeAttr(),
                                   a.getStrideAttr(), a.getPaddingAttr());
  if (failed(g))
    return failure();
  Type pooled = pooledType(like, *g, Float32Type::get(like.getContext()));
  for (Value v : {a.getDy(), a.getArgmax()})
    if (auto t = dyn_cast<RankedTensorType>(v.getType());
        t && failed(verifyCompatibleShape(t.getShape(),
                                          cast<RankedTensorType>(pooled).getShape())))
      return emitOptionalError(loc, "'", getOperationName(), "' operand of shape ",
                               shapeString(t.getShape()), " is not the pooled shape ",
                               shapeString(cast<RankedTensorType>(pooled).getShape()));
  types.push_back(like);
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(MaxPool2DBackwardOp)

/// dx[n, h, w, c] = sum over the windows (i, j) that read (h, w) at (kh, kw) of
/// dy[n, i, j, c] where argmax[n, i, j, c] is that position.
Computation MaxPool2DBackwardOp::getComputation() {
  Geometry g = *geometry(std::nullopt, "", getLike().getType(), getSizeAttr(),
                         getStrideAttr(), getPaddingAttr());
  Computation c;
  c.extents = extentsOf(getLike().getType(), 2);
  // Windows that do not overlap (stride = size, W2's pools): (h, w) lies in at most
  // one window, at (i, kh) = divmod(h + padBefore, stride): a gather, with no loop over
  // the window's positions testing which of them exist (that loop, a sum, made W2's
  // first pool gradient kernel 0.84 ms for 7 MB).
  if (g.h.stride == g.h.size && g.w.stride == g.w.size) {
    Expr ph = var(1) + Expr::index(g.h.padBefore), pw = var(2) + Expr::index(g.w.padBefore);
    Expr sh = Expr::index(g.h.stride), sw = Expr::index(g.w.stride);
    SmallVector<Expr, 4> at{var(0), ph / sh, pw / sw, var(3)};
    Expr hit = loadOr(1, DType::I32, at, Expr::i32(-1)) ==
               cast(DType::I32, (ph % sh) * Expr::index(g.w.size) + pw % sw);
    c.body = select(hit, loadOr(0, DType::F32, at, 0.0), 0.0);
    return c;
  }
  c.reducer = Reducer::Sum;
  c.reduction = {Expr::index(g.w.size), Expr::index(g.h.size)};
  Expr kh = rvar(1), kw = rvar(0);
  auto [i, exactI] = outputPosition(g.h, var(1), kh);
  auto [j, exactJ] = outputPosition(g.w, var(2), kw);
  SmallVector<Expr, 4> at{var(0), i, j, var(3)};
  Expr hit = loadOr(1, DType::I32, at, Expr::i32(-1)) ==
             cast(DType::I32, kh * Expr::index(g.w.size) + kw);
  for (Expr exact : {exactI, exactJ})
    if (exact)
      hit = logicalAnd(hit, exact);
  c.body = select(hit, loadOr(0, DType::F32, at, 0.0), 0.0);
  return c;
}

//===----------------------------------------------------------------------------===//
// AvgPool2DOp, AvgPool2DBackwardOp
//===----------------------------------------------------------------------------===//

NN_POOL_INFER(AvgPool2DOp, Float32Type::get(ctx))

/// The number of input elements in the window of output position `o` along `a`.
static Expr windowCount(const WindowAxis &a, Expr o) {
  Expr start = o * Expr::index(a.stride) - Expr::index(a.padBefore);
  return min(start + Expr::index(a.size), Expr::index(a.in)) - max(start, Expr::index(0));
}

Computation AvgPool2DOp::getComputation() {
  Geometry g = *geometry(std::nullopt, "", getX().getType(), getSizeAttr(), getStrideAttr(),
                         getPaddingAttr());
  Computation c = windowReduction(getX().getType(), g, Reducer::Sum);
  c.body = windowElement(g, rvar(1), rvar(0), 0.0);
  c.post = acc() / cast(DType::F32, windowCount(g.h, var(1)) * windowCount(g.w, var(2)));
  return c;
}

LogicalResult AvgPool2DOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  return grad::done(out, {buildInferred<AvgPool2DBackwardOp>(b, getLoc(), {grads[0], getX()},
                                                              windowAttrs(*this))});
}

LogicalResult AvgPool2DBackwardOp::inferReturnTypes(MLIRContext *,
                                                    std::optional<Location> loc, Adaptor a,
                                                    SmallVectorImpl<Type> &types) {
  Type like = a.getLike().getType();
  if (!isa<RankedTensorType>(like)) {
    types.push_back(like);
    return success();
  }
  FailureOr<Geometry> g = geometry(loc, getOperationName(), like, a.getSizeAttr(),
                                   a.getStrideAttr(), a.getPaddingAttr());
  if (failed(g))
    return failure();
  auto pooled = pooledType(like, *g, Float32Type::get(like.getContext()));
  if (auto t = dyn_cast<RankedTensorType>(a.getDy().getType());
      t && failed(verifyCompatibleShape(t.getShape(), pooled.getShape())))
    return emitOptionalError(loc, "'", getOperationName(), "' gradient of shape ",
                             shapeString(t.getShape()), " is not the pooled shape ",
                             shapeString(pooled.getShape()));
  types.push_back(like);
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(AvgPool2DBackwardOp)

/// dx[n, h, w, c] = sum over the windows (i, j) that hold (h, w) of dy[n, i, j, c]
/// divided by the window's count.
Computation AvgPool2DBackwardOp::getComputation() {
  Geometry g = *geometry(std::nullopt, "", getLike().getType(), getSizeAttr(),
                         getStrideAttr(), getPaddingAttr());
  Computation c;
  c.reducer = Reducer::Sum;
  c.extents = extentsOf(getLike().getType(), 1);
  c.reduction = {Expr::index(g.w.size), Expr::index(g.h.size)};
  auto [i, exactI] = outputPosition(g.h, var(1), rvar(1));
  auto [j, exactJ] = outputPosition(g.w, var(2), rvar(0));
  // Outside the pooled result the gradient is 0 (and the count, clamped to 1, unused).
  Expr count = max(windowCount(g.h, i) * windowCount(g.w, j), Expr::index(1));
  c.body = loadOr(0, DType::F32, {var(0), i, j, var(3)}, 0.0) / cast(DType::F32, count);
  for (Expr exact : {exactI, exactJ})
    if (exact)
      c.body = select(exact, c.body, 0.0);
  return c;
}
