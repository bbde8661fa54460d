//===- Conv.cpp - conv2d, conv2d_transpose, conv2d_filter_grad -------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"
#include "ir/ops/Window.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;

namespace {

/// The two spatial axes of a convolution.
struct Geometry {
  WindowAxis h, w;
};

/// The geometry for an input of spatial size [H, W] and a [KH, KW] filter, from the
/// op's stride, dilation and padding attributes.
FailureOr<Geometry> geometry(std::optional<Location> loc, StringRef op, int64_t inH,
                             int64_t inW, int64_t kh, int64_t kw, DenseI64ArrayAttr stride,
                             DenseI64ArrayAttr dilation, StringAttr padding) {
  if (ShapedType::isDynamic(kh) || ShapedType::isDynamic(kw))
    return emitOptionalError(loc, "'", op, "' needs a filter of static size");
  auto s = pairAttr(loc, op, "stride", stride, {1, 1});
  auto d = pairAttr(loc, op, "dilation", dilation, {1, 1});
  if (!s || !d)
    return failure();
  StringRef pad = padding ? padding.getValue() : "valid";
  FailureOr<WindowAxis> h = windowAxis(loc, op, inH, kh, (*s)[0], (*d)[0], pad);
  if (failed(h))
    return failure();
  FailureOr<WindowAxis> w = windowAxis(loc, op, inW, kw, (*s)[1], (*d)[1], pad);
  if (failed(w))
    return failure();
  return Geometry{*h, *w};
}

/// Checks that `t` is a ranked tensor of rank 4 (reporting `what` otherwise).
LogicalResult rank4(std::optional<Location> loc, StringRef op, StringRef what, Type t) {
  auto r = cast<RankedTensorType>(t);
  if (r.getRank() != 4)
    return emitOptionalError(loc, "'", op, "' needs a rank-4 ", what, ", got ",
                             shapeString(r.getShape()));
  return success();
}

/// Checks that two channel counts agree when both are static.
LogicalResult sameChannels(std::optional<Location> loc, StringRef op, int64_t a, int64_t b,
                           StringRef what) {
  if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
    return emitOptionalError(loc, "'", op, "' ", what, " differ: ", a, " and ", b);
  return success();
}

bool anyUnranked(ValueRange values) {
  return llvm::any_of(values.getTypes(), [](Type t) { return !isa<RankedTensorType>(t); });
}

/// The attributes a gradient op copies from its forward op.
SmallVector<NamedAttribute> windowAttrs(Operation *op) {
  SmallVector<NamedAttribute> attrs;
  for (StringRef name : {"stride", "dilation", "padding"})
    if (Attribute a = op->getAttr(name))
      attrs.push_back(NamedAttribute(StringAttr::get(op->getContext(), name), a));
  return attrs;
}

/// x read at the input position of output (oh, ow) and window (kh, kw); zero outside.
Expr windowLoad(unsigned operand, const Geometry &g, Expr n, Expr oh, Expr ow, Expr kh,
                Expr kw, Expr c) {
  SmallVector<Expr, 4> index{n, inputPosition(g.h, oh, kh), inputPosition(g.w, ow, kw), c};
  bool padded = g.h.padBefore || g.h.padAfter || g.w.padBefore || g.w.padAfter;
  return padded ? loadOr(operand, DType::F32, index, 0.0)
                : load(operand, DType::F32, index);
}

/// The taps of a padded axis whose input position `pos` lies inside the input: the
/// others read the zero padding (none when the axis is not padded). Given for the row
/// axis only: register tiles span columns (and channels), so a row is the finest unit
/// whose taps code generation can trim.
Expr rowTaps(const WindowAxis &a, Expr pos) {
  if (!a.padBefore && !a.padAfter)
    return Expr();
  return logicalAnd(pos >= Expr::index(0), pos < Expr::index(a.in));
}

} // namespace

static Value swapChannels(OpBuilder &b, Location loc, Value filter);


//===----------------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor a, SmallVectorImpl<Type> &types) {
  StringRef op = getOperationName();
  if (anyUnranked(a.getOperands())) {
    types.push_back(UnrankedTensorType::get(Float32Type::get(a.getX().getContext())));
    return success();
  }
  if (failed(rank4(loc, op, "input [N, H, W, C]", a.getX().getType())) ||
      failed(rank4(loc, op, "filter [KH, KW, C, F]", a.getFilter().getType())))
    return failure();
  auto x = cast<RankedTensorType>(a.getX().getType());
  auto f = cast<RankedTensorType>(a.getFilter().getType());
  if (failed(sameChannels(loc, op, x.getDimSize(3), f.getDimSize(2),
                          "input channels and filter input channels")))
    return failure();
  FailureOr<Geometry> g = geometry(loc, op, x.getDimSize(1), x.getDimSize(2),
                                   f.getDimSize(0), f.getDimSize(1), a.getStrideAttr(),
                                   a.getDilationAttr(), a.getPaddingAttr());
  if (failed(g))
    return failure();
  types.push_back(RankedTensorType::get(
      {x.getDimSize(0), g->h.out, g->w.out, f.getDimSize(3)}, x.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(Conv2DOp)

/// y[n, i, j, f] = sum over (kh, kw, c) of x[n, i*sh + kh*dh - pt, ...] * filter[kh, kw,
/// c, f]; the reduction runs c innermost (contiguous in both operands), then kw, kh.
Computation Conv2DOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto f = cast<RankedTensorType>(getFilter().getType());
  Geometry g = *geometry(std::nullopt, "", x.getDimSize(1), x.getDimSize(2),
                         f.getDimSize(0), f.getDimSize(1), getStrideAttr(),
                         getDilationAttr(), getPaddingAttr());
  Computation c;
  c.contraction = true;
  c.reducer = Reducer::Sum;
  c.extents = {extentOf(x, 0, 0), Expr::index(g.h.out), Expr::index(g.w.out),
               extentOf(f, 1, 3)};
  c.reduction = {extentOf(f, 1, 2), Expr::index(g.w.size), Expr::index(g.h.size)};
  Expr kh = rvar(2), kw = rvar(1), ci = rvar(0);
  c.body = windowLoad(0, g, var(0), var(1), var(2), kh, kw, ci) *
           load(1, DType::F32, {kh, kw, ci, var(3)});
  c.nonzero = rowTaps(g.h, inputPosition(g.h, var(1), kh));
  return c;
}

LogicalResult Conv2DOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  auto x = cast<RankedTensorType>(getX().getType());
  auto f = cast<RankedTensorType>(getFilter().getType());
  SmallVector<NamedAttribute> dxAttrs = windowAttrs(*this), dwAttrs = windowAttrs(*this);
  dxAttrs.push_back(b.getNamedAttr(
      "output_shape", b.getDenseI64ArrayAttr({x.getDimSize(1), x.getDimSize(2)})));
  dwAttrs.push_back(b.getNamedAttr(
      "kernel", b.getDenseI64ArrayAttr({f.getDimSize(0), f.getDimSize(1)})));
  Value dx = buildInferred<Conv2DTransposeOp>(
      b, getLoc(), {grads[0], swapChannels(b, getLoc(), getFilter())}, dxAttrs);
  Value dw = buildInferred<Conv2DFilterGradOp>(b, getLoc(), {getX(), grads[0]}, dwAttrs);
  return grad::done(out, {dx, dw});
}

//===----------------------------------------------------------------------------===//
// Conv2DTransposeOp
//===----------------------------------------------------------------------------===//

LogicalResult Conv2DTransposeOp::inferReturnTypes(MLIRContext *,
                                                  std::optional<Location> loc, Adaptor a,
                                                  SmallVectorImpl<Type> &types) {
  StringRef op = getOperationName();
  if (anyUnranked(a.getOperands())) {
    types.push_back(UnrankedTensorType::get(Float32Type::get(a.getX().getContext())));
    return success();
  }
  if (failed(rank4(loc, op, "input [N, OH, OW, F]", a.getX().getType())) ||
      failed(rank4(loc, op, "filter [KH, KW, F, C]", a.getFilter().getType())))
    return failure();
  auto x = cast<RankedTensorType>(a.getX().getType());
  auto f = cast<RankedTensorType>(a.getFilter().getType());
  if (failed(sameChannels(loc, op, x.getDimSize(3), f.getDimSize(2),
                          "input channels and filter input channels")))
    return failure();
  auto shape = pairAttr(loc, op, "output_shape", a.getOutputShapeAttr(), {1, 1});
  if (!shape)
    return failure();
  FailureOr<Geometry> g =
      geometry(loc, op, (*shape)[0], (*shape)[1], f.getDimSize(0), f.getDimSize(1),
               a.getStrideAttr(), a.getDilationAttr(), a.getPaddingAttr());
  if (failed(g))
    return failure();
  for (auto [axis, out] : llvm::enumerate(std::array<int64_t, 2>{g->h.out, g->w.out})) {
    int64_t given = x.getDimSize(1 + axis);
    if (!ShapedType::isDynamic(given) && given != out)
      return emitOptionalError(loc, "'", op, "' output_shape ", shapeString(*shape),
                               " maps to ", g->h.out, "x", g->w.out, ", not to the input's ",
                               x.getDimSize(1), "x", x.getDimSize(2));
  }
  types.push_back(RankedTensorType::get(
      {x.getDimSize(0), (*shape)[0], (*shape)[1], f.getDimSize(3)}, x.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(Conv2DTransposeOp)

/// y[n, h, w, c] = sum over (kh, kw, f) of x[n, i, j, f] * filter[kh, kw, f, c] where
/// (i, j) is the output position of conv2d whose window reads (h, w) at (kh, kw); the
/// reduction runs f innermost, then kw, kh.
Computation Conv2DTransposeOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto f = cast<RankedTensorType>(getFilter().getType());
  ArrayRef<int64_t> shape = getOutputShape();
  Geometry g = *geometry(std::nullopt, "", shape.front(), shape.back(), f.getDimSize(0),
                         f.getDimSize(1), getStrideAttr(), getDilationAttr(),
                         getPaddingAttr());
  Computation c;
  c.contraction = true;
  c.reducer = Reducer::Sum;
  c.extents = {extentOf(x, 0, 0), Expr::index(g.h.in), Expr::index(g.w.in),
               extentOf(f, 1, 3)};
  // A strided axis (dilation 1) visits only the taps of its position's phase
  // (phaseTap): ceil(K / s) of K, no divisibility test; a short phase reads a zero
  // filter. Other axes visit every tap and test that the position exists.
  auto phased = [](const WindowAxis &a) { return a.stride > 1 && a.dilation == 1; };
  bool ph = phased(g.h), pw = phased(g.w);
  c.reduction = {extentOf(f, 1, 2), Expr::index(pw ? phaseTaps(g.w) : g.w.size),
                 Expr::index(ph ? phaseTaps(g.h) : g.h.size)};
  Expr fi = rvar(0);
  Expr nonzero;
  auto axis = [&](const WindowAxis &a, bool phase, Expr pos, Expr r) {
    if (phase) {
      auto [o, k] = phaseTap(a, pos, r);
      Expr tap = k < Expr::index(a.size);
      nonzero = nonzero ? logicalAnd(nonzero, tap) : tap;
      return std::array<Expr, 3>{o, k, Expr()};
    }
    auto [o, exact] = outputPosition(a, pos, r);
    return std::array<Expr, 3>{o, r, exact};
  };
  auto [i, kh, exactI] = axis(g.h, ph, var(1), rvar(2));
  auto [j, kw, exactJ] = axis(g.w, pw, var(2), rvar(1));
  // Stride 1: the result's border rows read fewer rows of x than the filter has (the
  // rest is zero padding: conv2d's input gradient is a "full" convolution).
  if (g.h.stride == 1 && g.h.size > 1) {
    Expr taps = logicalAnd(i >= Expr::index(0), i < Expr::index(g.h.out));
    nonzero = nonzero ? logicalAnd(nonzero, taps) : taps;
  }
  Expr in = loadOr(0, DType::F32, {var(0), i, j, fi}, 0.0);
  Expr exact = exactI && exactJ ? logicalAnd(exactI, exactJ) : exactI ? exactI : exactJ;
  if (exact)
    in = select(exact, in, 0.0);
  Expr filter = ph || pw ? loadOr(1, DType::F32, {kh, kw, fi, var(3)}, 0.0)
                         : load(1, DType::F32, {kh, kw, fi, var(3)});
  c.body = in * filter;
  // The taps of a phased column depend on its position mod the stride: register tiles
  // run along the columns (rows are one per tile, so a tile's row has one phase).
  if (pw)
    c.phases = {1, 1, g.w.stride, 1};
  // A short phase's taps beyond the filter read zero: they need not be visited.
  c.nonzero = nonzero;
  return c;
}

/// Swaps the two channel dims of a filter: [KH, KW, A, B] -> [KH, KW, B, A].
static Value swapChannels(OpBuilder &b, Location loc, Value filter) {
  return buildInferred<TransposeOp>(
      b, loc, filter, {b.getNamedAttr("perm", b.getDenseI64ArrayAttr({0, 1, 3, 2}))});
}

LogicalResult Conv2DTransposeOp::buildGradients(OpBuilder &b, ValueRange grads,
                                                SmallVectorImpl<Value> &out) {
  // This op is conv2d's input gradient with the filter transpose(filter): its own
  // gradients are conv2d (for x) and the filter gradient with the roles of input and
  // result swapped.
  auto f = cast<RankedTensorType>(getFilter().getType());
  SmallVector<NamedAttribute> dwAttrs = windowAttrs(*this);
  dwAttrs.push_back(b.getNamedAttr(
      "kernel", b.getDenseI64ArrayAttr({f.getDimSize(0), f.getDimSize(1)})));
  Value forward = swapChannels(b, getLoc(), getFilter());
  Value dx = buildInferred<Conv2DOp>(b, getLoc(), {grads[0], forward}, windowAttrs(*this));
  Value dw = buildInferred<Conv2DFilterGradOp>(b, getLoc(), {grads[0], getX()}, dwAttrs);
  return grad::done(out, {dx, dw ? swapChannels(b, getLoc(), dw) : dw});
}

//===----------------------------------------------------------------------------===//
// Conv2DFilterGradOp
//===----------------------------------------------------------------------------===//

LogicalResult Conv2DFilterGradOp::inferReturnTypes(MLIRContext *,
                                                   std::optional<Location> loc, Adaptor a,
                                                   SmallVectorImpl<Type> &types) {
  StringRef op = getOperationName();
  if (anyUnranked(a.getOperands())) {
    types.push_back(UnrankedTensorType::get(Float32Type::get(a.getX().getContext())));
    return success();
  }
  if (failed(rank4(loc, op, "input [N, H, W, C]", a.getX().getType())) ||
      failed(rank4(loc, op, "gradient [N, OH, OW, F]", a.getDy().getType())))
    return failure();
  auto x = cast<RankedTensorType>(a.getX().getType());
  auto dy = cast<RankedTensorType>(a.getDy().getType());
  auto kernel = pairAttr(loc, op, "kernel", a.getKernelAttr(), {1, 1});
  if (!kernel)
    return failure();
  FailureOr<Geometry> g =
      geometry(loc, op, x.getDimSize(1), x.getDimSize(2), (*kernel)[0], (*kernel)[1],
               a.getStrideAttr(), a.getDilationAttr(), a.getPaddingAttr());
  if (failed(g))
    return failure();
  for (auto [axis, out] : llvm::enumerate(std::array<int64_t, 2>{g->h.out, g->w.out})) {
    int64_t given = dy.getDimSize(1 + axis);
    if (!ShapedType::isDynamic(given) && given != out)
      return emitOptionalError(loc, "'", op, "' input ", shapeString(x.getShape()),
                               " gives a ", g->h.out, "x", g->w.out,
                               " result, not the gradient's ", dy.getDimSize(1), "x",
                               dy.getDimSize(2));
  }
  types.push_back(RankedTensorType::get(
      {(*kernel)[0], (*kernel)[1], x.getDimSize(3), dy.getDimSize(3)}, x.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(Conv2DFilterGradOp)

/// dw[kh, kw, c, f] = sum over (n, i, j) of x[n, i*sh + kh*dh - pt, ...] * dy[n, i, j,
/// f]; the reduction runs j innermost, then i, n.
Computation Conv2DFilterGradOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto dy = cast<RankedTensorType>(getDy().getType());
  ArrayRef<int64_t> kernel = getKernel();
  Geometry g = *geometry(std::nullopt, "", x.getDimSize(1), x.getDimSize(2),
                         kernel.front(), kernel.back(), getStrideAttr(), getDilationAttr(),
                         getPaddingAttr());
  Computation c;
  c.contraction = true;
  c.reducer = Reducer::Sum;
  c.extents = {Expr::index(g.h.size), Expr::index(g.w.size), extentOf(x, 0, 3),
               extentOf(dy, 1, 3)};
  c.reduction = {Expr::index(g.w.out), Expr::index(g.h.out), extentOf(dy, 1, 0)};
  Expr n = rvar(2), i = rvar(1), j = rvar(0);
  c.body = windowLoad(0, g, n, i, j, var(0), var(1), var(2)) *
           load(1, DType::F32, {n, i, j, var(3)});
  return c;
}
