//===- Attention.cpp - masks, split_heads, merge_heads --------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;

//===----------------------------------------------------------------------------===//
// CausalMaskOp
//===----------------------------------------------------------------------------===//

LogicalResult CausalMaskOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<mlir::Type> &types) {
  auto f32 = Float32Type::get(ctx);
  auto t = cast<TensorType>(adaptor.getLike().getType());
  if (!t.hasRank()) {
    types.push_back(UnrankedTensorType::get(f32));
    return success();
  }
  if (t.getRank() < 2)
    return emitOptionalError(loc, "'nn.causal_mask' needs scores of rank >= 2 [..., Sq, "
                                  "Sk], got ",
                             shapeString(t.getShape()));
  if (Value offset = adaptor.getOffset()) {
    auto o = cast<TensorType>(offset.getType());
    if (o.hasRank() && (o.getRank() > 1 || (o.getRank() == 1 && o.getDimSize(0) != 1)))
      return emitOptionalError(loc, "'nn.causal_mask' needs one offset (rank 0, or [1]), got ",
                               shapeString(o.getShape()));
  }
  SmallVector<int64_t> shape(t.getRank() - 2, 1);
  llvm::append_range(shape, t.getShape().take_back(2));
  types.push_back(RankedTensorType::get(shape, f32));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(CausalMaskOp)

/// mask[0..., i, j] = value if j > i + (Sk - Sq) (or i + offset) else 0.
Computation CausalMaskOp::getComputation() {
  auto t = cast<RankedTensorType>(getLike().getType());
  unsigned r = t.getRank();
  Expr sq = extentOf(t, 0, r - 2), sk = extentOf(t, 0, r - 1);
  Computation c;
  for (unsigned i = 0; i + 2 < r; ++i)
    c.extents.push_back(Expr::index(1));
  c.extents.push_back(sq);
  c.extents.push_back(sk);
  Expr shift = sk - sq;
  if (Value offset = getOffset()) {
    SmallVector<Expr> at;
    if (cast<RankedTensorType>(offset.getType()).getRank() == 1)
      at.push_back(Expr::index(0));
    shift = cast(DType::Index, load(1, DType::I32, at));
  }
  c.body = select(var(r - 1) > var(r - 2) + shift,
                  Expr(double(getValue().convertToFloat())), 0.0);
  return c;
}

//===----------------------------------------------------------------------------===//
// PaddingMaskOp
//===----------------------------------------------------------------------------===//

LogicalResult PaddingMaskOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<mlir::Type> &types) {
  auto f32 = Float32Type::get(ctx);
  int64_t rank = adaptor.getRank();
  if (rank < 2)
    return emitOptionalError(loc, "'nn.padding_mask' rank must be >= 2, got ", rank);
  auto t = cast<TensorType>(adaptor.getTokens().getType());
  if (!t.hasRank()) {
    types.push_back(UnrankedTensorType::get(f32));
    return success();
  }
  if (t.getRank() != 2)
    return emitOptionalError(loc, "'nn.padding_mask' needs tokens of rank 2 [B, S], got ",
                             shapeString(t.getShape()));
  SmallVector<int64_t> shape(rank, 1);
  shape.front() = t.getDimSize(0);
  shape.back() = t.getDimSize(1);
  types.push_back(RankedTensorType::get(shape, f32));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(PaddingMaskOp)

/// mask[b, 0..., s] = value if tokens[b, s] == pad else 0.
Computation PaddingMaskOp::getComputation() {
  auto t = cast<RankedTensorType>(getTokens().getType());
  unsigned r = getRank();
  Computation c;
  c.extents.push_back(extentOf(t, 0, 0));
  for (unsigned i = 1; i + 1 < r; ++i)
    c.extents.push_back(Expr::index(1));
  c.extents.push_back(extentOf(t, 0, 1));
  Expr token = load(0, DType::I32, {var(0), var(r - 1)});
  c.body = select(token == Expr::i32(getPad()), Expr(double(getValue().convertToFloat())),
                  0.0);
  return c;
}

//===----------------------------------------------------------------------------===//
// SplitHeadsOp, MergeHeadsOp
//===----------------------------------------------------------------------------===//

LogicalResult SplitHeadsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  int64_t heads = adaptor.getHeads();
  if (heads <= 0)
    return emitOptionalError(loc, "'nn.split_heads' heads must be positive, got ", heads);
  if (!t.hasRank()) {
    types.push_back(t);
    return success();
  }
  int64_t r = t.getRank();
  if (r < 2 || t.isDynamicDim(r - 1) || t.getDimSize(r - 1) % heads != 0)
    return emitOptionalError(loc, "'nn.split_heads' needs [..., S, F] with a static F that ",
                             heads, " heads divide, got ", languageType(t));
  SmallVector<int64_t> shape(t.getShape().drop_back(2));
  shape.append({heads, t.getDimSize(r - 2), t.getDimSize(r - 1) / heads});
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(SplitHeadsOp)

/// result[b..., h, s, d] = x[b..., s, h*D + d].
Computation SplitHeadsOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  unsigned r = x.getRank();
  int64_t d = x.getDimSize(r - 1) / getHeads();
  Computation c;
  c.extents = extentsOf(x, 0);
  c.extents.pop_back();
  c.extents.pop_back();
  c.extents.append({Expr::index(getHeads()), extentOf(x, 0, r - 2), Expr::index(d)});
  SmallVector<Expr, 4> at;
  for (unsigned i = 0; i + 2 < r; ++i)
    at.push_back(var(i));
  at.push_back(var(r - 1));                               // s
  at.push_back(var(r - 2) * Expr::index(d) + var(r)); // h*D + d
  c.body = load(0, DType::F32, at);
  return c;
}

LogicalResult SplitHeadsOp::buildGradients(OpBuilder &b, ValueRange grads,
                                           SmallVectorImpl<Value> &out) {
  return grad::done(out, {buildInferred<MergeHeadsOp>(b, getLoc(), grads[0])});
}

LogicalResult MergeHeadsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  if (!t.hasRank()) {
    types.push_back(t);
    return success();
  }
  int64_t r = t.getRank();
  if (r < 3 || t.isDynamicDim(r - 3) || t.isDynamicDim(r - 1))
    return emitOptionalError(loc, "'nn.merge_heads' needs [..., H, S, D] with static H and "
                                  "D, got ",
                             languageType(t));
  SmallVector<int64_t> shape(t.getShape().drop_back(3));
  shape.append({t.getDimSize(r - 2), t.getDimSize(r - 3) * t.getDimSize(r - 1)});
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(MergeHeadsOp)

/// result[b..., s, c] = x[b..., c / D, s, c % D].
Computation MergeHeadsOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  unsigned r = x.getRank();
  Expr d = Expr::index(x.getDimSize(r - 1));
  Computation c;
  c.extents = extentsOf(x, 0);
  c.extents.pop_back();
  c.extents.pop_back();
  c.extents.pop_back();
  c.extents.append({extentOf(x, 0, r - 2),
                    Expr::index(x.getDimSize(r - 3) * x.getDimSize(r - 1))});
  SmallVector<Expr, 4> at;
  for (unsigned i = 0; i + 3 < r; ++i)
    at.push_back(var(i));
  // Result vars: batch dims 0..r-4, s = r-3, c = r-2.
  at.append({var(r - 2) / d, var(r - 3), var(r - 2) % d});
  c.body = load(0, DType::F32, at);
  return c;
}

LogicalResult MergeHeadsOp::buildGradients(OpBuilder &b, ValueRange grads,
                                           SmallVectorImpl<Value> &out) {
  auto x = cast<RankedTensorType>(getX().getType());
  int64_t heads = x.getDimSize(x.getRank() - 3);
  return grad::done(out, {buildInferred<SplitHeadsOp>(
                             b, getLoc(), grads[0],
                             {b.getNamedAttr("heads", b.getI64IntegerAttr(heads))})});
}
