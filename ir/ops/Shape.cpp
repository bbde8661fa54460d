//===- Shape.cpp - reshape, transpose, broadcast_to -----------------------===//
#include "ir/Builders.h"
#include "ir/Limits.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;


//===----------------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  auto like = adaptor.getLike() ? dyn_cast<RankedTensorType>(adaptor.getLike().getType())
                                : RankedTensorType();
  ArrayRef<int64_t> target = adaptor.getShape();
  if (adaptor.getLike() && (!like || like.getRank() != (int64_t)target.size()))
    return emitOptionalError(loc, "'nn.reshape' shape ", shapeString(target),
                             " needs a `like` operand of rank ", target.size());
  // `known`: the product of the static target dims (limited, as declared sizes are);
  // `fromLike`: of the dims `like` gives (no limit: under SymbolicShapes' sentinel
  // sizes they are large), for the element-count check.
  int64_t inferred = -1, known = 1;
  std::optional<int64_t> fromLike = 1;
  SmallVector<int64_t> shape(target);
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1 && like) {
      shape[i] = like.getDimSize(i);
      fromLike = ShapedType::isDynamic(shape[i]) || !fromLike
                     ? std::nullopt
                     : checkedMul(*fromLike, shape[i]);
      continue;
    }
    if (d == -1) {
      if (inferred != -1)
        return emitOptionalError(loc, "'nn.reshape' shape ", shapeString(target),
                                 " has more than one -1");
      inferred = i;
      continue;
    } else if (d < 0) {
      return emitOptionalError(loc, "'nn.reshape' shape ", shapeString(target),
                               " has a negative dim other than -1");
    }
    std::optional<int64_t> product = checkedMul(known, d);
    if (!product || *product > kMaxElements)
      return emitOptionalError(loc, "'nn.reshape' shape ", shapeString(target),
                               " has more than ", kMaxElements,
                               " elements, the limit per tensor");
    known = *product;
  }
  if (t.hasStaticShape()) {
    int64_t count = t.getNumElements();
    if (inferred >= 0) {
      if (known == 0 || count % known != 0)
        return emitOptionalError(loc, "'nn.reshape' cannot reshape ", count,
                                 " elements into ", shapeString(target));
      shape[inferred] = count / known;
    } else if (fromLike && checkedMul(known, *fromLike) != count) {
      return emitOptionalError(loc, "'nn.reshape' cannot reshape ", count,
                               " elements into ", shapeString(shape));
    }
  } else if (inferred >= 0) {
    shape[inferred] = ShapedType::kDynamic;
  }
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(ReshapeOp)

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  auto type = cast<TensorType>(getType());
  if (getX().getType() == type && type.hasStaticShape())
    return getX();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getX()))
    if (type.hasStaticShape())
      return dense.reshape(cast<ShapedType>(type));
  // reshape(reshape(y)) == reshape(y): the data is never moved.
  if (auto inner = getX().getDefiningOp<ReshapeOp>()) {
    getXMutable().assign(inner.getX());
    return getResult();
  }
  return {};
}

/// The element at the same row-major position: a dynamic result dim is `like`'s dim at
/// its position, or else the operand's element count divided by the static result dims.
Computation ReshapeOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto result = cast<RankedTensorType>(getType());
  SmallVector<Expr, 4> in = extentsOf(x, 0);
  SmallVector<Expr, 4> likeExtents;
  if (getLike())
    likeExtents = extentsOf(getLike().getType(), 1);
  Expr total = Expr::index(1), known = Expr::index(1);
  for (const Expr &e : in)
    total = total * e;
  for (int64_t d : result.getShape())
    if (!ShapedType::isDynamic(d))
      known = known * Expr::index(d);
  Computation c;
  c.type = elementType(result);
  SmallVector<Expr, 4> index;
  for (auto [i, d] : llvm::enumerate(result.getShape())) {
    c.extents.push_back(!ShapedType::isDynamic(d) ? Expr::index(d)
                        : getLike()              ? likeExtents[i]
                                                 : total / known);
    index.push_back(var(i));
  }
  Expr linear = linearIndex(index, c.extents);
  SmallVector<Expr, 4> xi(x.getRank());
  for (int d = x.getRank() - 1; d >= 0; --d) {
    xi[d] = linear % in[d];
    linear = linear / in[d];
  }
  c.body = load(0, c.type, xi);
  return c;
}

LogicalResult ReshapeOp::buildGradients(OpBuilder &b, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  out.push_back(grad::reshapeTo(b, getLoc(), grads[0], getX()));
  if (getLike())
    out.push_back(nullptr); // `like` only contributes its shape
  return success(out[out.size() - 1 - bool(getLike())] != nullptr);
}

//===----------------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (!t.hasRank()) {
    types.push_back(t);
    return success();
  }
  if ((int64_t)perm.size() != t.getRank())
    return emitOptionalError(loc, "'nn.transpose' permutation ", shapeString(perm),
                             " does not match rank ", t.getRank());
  SmallVector<bool> used(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= t.getRank() || used[p])
      return emitOptionalError(loc, "'nn.transpose' ", shapeString(perm),
                               " is not a permutation");
    used[p] = true;
    shape.push_back(t.getDimSize(p));
  }
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(TransposeOp)

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  // transpose(transpose(y, p), q) == transpose(y, p[q[i]]): stacked recurrent layers
  // go back to batch-first and at once to time-major again.
  if (auto inner = getX().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> p = inner.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t q : getPerm())
      composed.push_back(p[q]);
    getXMutable().assign(inner.getX());
    setPerm(composed);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())) &&
        getX().getType() == getType())
      return getX();
    return getResult();
  }
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if ((int64_t)i != p)
      return {};
  return getX().getType() == getType() ? getX() : Value();
}

/// result[i...] = x[j...] with j[perm[d]] = i[d].
Computation TransposeOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  ArrayRef<int64_t> perm = getPerm();
  Computation c;
  SmallVector<Expr, 4> xi(perm.size());
  for (auto [d, p] : llvm::enumerate(perm)) {
    c.extents.push_back(extentOf(x, 0, p));
    xi[p] = var(d);
  }
  c.body = load(0, DType::F32, xi);
  return c;
}

LogicalResult TransposeOp::buildGradients(OpBuilder &b, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return grad::done(out, {buildInferred<TransposeOp>(
                             b, getLoc(), grads[0],
                             {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(inverse))})});
}

//===----------------------------------------------------------------------------===//
// BroadcastToOp
//===----------------------------------------------------------------------------===//

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<mlir::Type> &types) {
  auto x = cast<TensorType>(adaptor.getX().getType());
  auto like = cast<TensorType>(adaptor.getLike().getType());
  if (!like.hasRank()) {
    types.push_back(UnrankedTensorType::get(x.getElementType()));
    return success();
  }
  if (x.hasRank()) {
    auto shape = broadcastShapes(x.getShape(), like.getShape());
    if (!shape || shape->size() != (size_t)like.getRank() ||
        failed(verifyCompatibleShape(*shape, like.getShape())))
      return emitOptionalError(loc, "'nn.broadcast_to' cannot broadcast ",
                               shapeString(x.getShape()), " to ",
                               shapeString(like.getShape()));
  }
  types.push_back(RankedTensorType::get(like.getShape(), x.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(BroadcastToOp)

Computation BroadcastToOp::getComputation() {
  auto like = cast<RankedTensorType>(getLike().getType());
  Computation c;
  c.extents = extentsOf(like, 1);
  c.body = load(0, DType::F32, broadcastIndex(getX().getType(), like.getRank()));
  return c;
}

LogicalResult BroadcastToOp::buildGradients(OpBuilder &b, ValueRange grads,
                                            SmallVectorImpl<Value> &out) {
  out.push_back(grad::unbroadcast(b, getLoc(), grads[0], getX()));
  out.push_back(nullptr); // `like` only contributes its shape
  return success(out[out.size() - 2] != nullptr);
}

//===----------------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  if (!t.hasRank()) {
    types.push_back(t);
    return success();
  }
  ArrayRef<int64_t> pads = adaptor.getPads();
  if ((int64_t)pads.size() != 2 * t.getRank())
    return emitOptionalError(loc, "'nn.pad' needs 2 numbers per dim (", 2 * t.getRank(),
                             " for ", shapeString(t.getShape()), "), got ", pads.size());
  SmallVector<int64_t> shape;
  for (auto [i, d] : llvm::enumerate(t.getShape())) {
    int64_t grow = pads[2 * i] + pads[2 * i + 1];
    if (ShapedType::isDynamic(d)) {
      if (grow != 0 || pads[2 * i] != 0)
        return emitOptionalError(loc, "'nn.pad' cannot pad the dynamic dim ", i);
      shape.push_back(d);
    } else if (d + grow < 0 || -pads[2 * i] > d || -pads[2 * i + 1] > d) {
      return emitOptionalError(loc, "'nn.pad' crops more than dim ", i, " of ",
                               shapeString(t.getShape()), " holds");
    } else {
      shape.push_back(d + grow);
    }
  }
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(PadOp)

Computation PadOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  ArrayRef<int64_t> pads = getPads();
  Computation c;
  SmallVector<Expr, 4> index;
  bool grows = false;
  for (int64_t i = 0; i < x.getRank(); ++i) {
    int64_t before = pads[2 * i], after = pads[2 * i + 1];
    grows |= before > 0 || after > 0;
    c.extents.push_back(x.isDynamicDim(i) ? extent(0, i)
                                          : Expr::index(x.getDimSize(i) + before + after));
    index.push_back(var(i) - Expr::index(before));
  }
  c.body = grows ? loadOr(0, DType::F32, index, Expr(double(getValue().convertToFloat())))
                 : load(0, DType::F32, index);
  return c;
}

LogicalResult PadOp::buildGradients(OpBuilder &b, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  SmallVector<int64_t> crop;
  for (int64_t p : getPads())
    crop.push_back(-p);
  return grad::done(out, {buildInferred<PadOp>(
                             b, getLoc(), grads[0],
                             {b.getNamedAttr("pads", b.getDenseI64ArrayAttr(crop))})});
}

//===----------------------------------------------------------------------------===//
// TileOp
//===----------------------------------------------------------------------------===//

LogicalResult TileOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  if (!t.hasRank()) {
    types.push_back(t);
    return success();
  }
  ArrayRef<int64_t> reps = adaptor.getReps();
  if ((int64_t)reps.size() != t.getRank())
    return emitOptionalError(loc, "'nn.tile' needs one number per dim (", t.getRank(),
                             " for ", shapeString(t.getShape()), "), got ", reps.size());
  SmallVector<int64_t> shape;
  for (auto [d, r] : llvm::zip(t.getShape(), reps)) {
    if (r < 1)
      return emitOptionalError(loc, "'nn.tile' repeats must be positive, got ", r);
    if (ShapedType::isDynamic(d) && r != 1)
      return emitOptionalError(loc, "'nn.tile' cannot repeat a dynamic dim");
    shape.push_back(ShapedType::isDynamic(d) ? d : d * r);
  }
  types.push_back(RankedTensorType::get(shape, t.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(TileOp)

Computation TileOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  Computation c;
  SmallVector<Expr, 4> index;
  for (auto [i, r] : llvm::enumerate(getReps())) {
    Expr d = extentOf(x, 0, i);
    c.extents.push_back(r == 1 ? d : Expr::index(x.getDimSize(i) * r));
    index.push_back(r == 1 ? var(i) : var(i) % d);
  }
  c.body = load(0, DType::F32, index);
  return c;
}

/// The copies are summed: g reshaped to [r0, d0, r1, d1, ...] and reduced over the r's.
LogicalResult TileOp::buildGradients(OpBuilder &b, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  auto x = cast<RankedTensorType>(getX().getType());
  SmallVector<int64_t> split, axes;
  for (auto [i, r] : llvm::enumerate(getReps())) {
    if (r != 1) {
      axes.push_back(split.size());
      split.push_back(r);
    }
    split.push_back(x.isDynamicDim(i) ? -1 : x.getDimSize(i));
  }
  Value g = buildInferred<ReshapeOp>(b, getLoc(), grads[0],
                                     {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(split))});
  if (!axes.empty())
    g = buildInferred<ReduceSumOp>(b, getLoc(), g,
                                   {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes)),
                                    b.getNamedAttr("keepdims", b.getBoolAttr(false))});
  return grad::done(out, {g});
}
