//===- Slice.cpp - slice, slice_backward, concat --------------------------===//
//
// Positions along the sliced axis follow Python: negative ones count from the end. On
// a static axis they are resolved here (and must lie inside it); on a dynamic axis the
// computation resolves and clamps them against the run-time extent.
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;

/// `axis` in [0, rank) for a possibly negative attribute; -1 when out of range.
static int64_t normalizedAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return axis >= 0 && axis < rank ? axis : -1;
}

namespace {
/// A slice [start, end) of an axis of `n` elements (ShapedType::kDynamic when dynamic).
struct SliceRange {
  int64_t start;
  std::optional<int64_t> end;

  /// From the attributes (I64Attr's accessors return the bits as uint64_t).
  SliceRange(uint64_t start, std::optional<uint64_t> end)
      : start(int64_t(start)), end(end ? std::optional<int64_t>(int64_t(*end)) : std::nullopt) {}

  /// The result's size, or kDynamic; fails with a message for an invalid static range.
  FailureOr<int64_t> size(int64_t n, std::optional<Location> loc, StringRef op) const {
    if (!ShapedType::isDynamic(n)) {
      int64_t s = start < 0 ? start + n : start;
      int64_t e = end ? (*end < 0 ? *end + n : *end) : n;
      if (s < 0 || e > n || s >= e) {
        (void)emitOptionalError(loc, "'", op, "' range [", start, ", ",
                                end ? std::to_string(*end) : std::string(""),
                                ") is empty or outside an axis of ", n, " elements");
        return failure();
      }
      return e - s;
    }
    // A dynamic axis: the size is fixed when both ends count from the same side.
    std::optional<int64_t> size;
    if (start >= 0 && end && *end >= 0)
      size = *end - start;
    else if (start < 0 && !end)
      size = -start;
    else if (start < 0 && end && *end < 0)
      size = *end - start;
    if (size && *size <= 0) {
      (void)emitOptionalError(loc, "'", op, "' range [", start, ", ", *end, ") is empty");
      return failure();
    }
    return size ? *size : ShapedType::kDynamic;
  }

  /// The first position, resolved against the extent `n` and clamped into [0, n].
  Expr first(Expr n) const {
    Expr s = start < 0 ? n + Expr::index(start) : Expr::index(start);
    return max(min(s, n), Expr::index(0));
  }
  /// The extent of the slice: a constant when static, else end - start clamped.
  Expr extent(Expr n, int64_t size) const {
    if (!ShapedType::isDynamic(size))
      return Expr::index(size);
    Expr e = end ? (*end < 0 ? n + Expr::index(*end) : Expr::index(*end)) : n;
    e = max(min(e, n), Expr::index(0));
    return max(e - first(n), Expr::index(0));
  }
};
} // namespace

/// The shape rule of a slice of `x` (also slice_backward's check of its `like`).
static LogicalResult inferSlice(StringRef op, std::optional<Location> loc, Type xType,
                                int64_t axisAttr, SliceRange range, Type elementType,
                                SmallVectorImpl<Type> &types) {
  auto x = cast<TensorType>(xType);
  if (!x.hasRank()) {
    types.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  int64_t axis = normalizedAxis(axisAttr, x.getRank());
  if (axis < 0)
    return emitOptionalError(loc, "'", op, "' axis ", axisAttr, " is out of range for rank ",
                             x.getRank());
  FailureOr<int64_t> size = range.size(x.getDimSize(axis), loc, op);
  if (failed(size))
    return failure();
  SmallVector<int64_t> shape(x.getShape());
  shape[axis] = *size;
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

//===----------------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<mlir::Type> &types) {
  auto x = cast<TensorType>(adaptor.getX().getType());
  return inferSlice(getOperationName(), loc, x, adaptor.getAxis(),
                    {adaptor.getStart(), adaptor.getEnd()}, x.getElementType(), types);
}
NN_COMPATIBLE_RETURN_TYPES(SliceOp)

/// result[..., i, ...] = x[..., first + i, ...] (0 past the end of a dynamic axis).
Computation SliceOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto y = cast<RankedTensorType>(getResult().getType());
  int64_t axis = normalizedAxis(getAxis(), x.getRank());
  SliceRange range{getStart(), getEnd()};
  Expr n = extentOf(x, 0, axis);
  Computation c;
  c.type = elementType(x);
  c.extents = extentsOf(x, 0);
  c.extents[axis] = range.extent(n, y.getDimSize(axis));
  SmallVector<Expr, 4> at;
  for (int64_t i = 0; i < x.getRank(); ++i)
    at.push_back(var(i));
  at[axis] = var(axis) + range.first(n);
  Expr zero = c.type == DType::F32 ? Expr(0.0) : Expr::i32(0);
  c.body = x.isDynamicDim(axis) ? loadOr(0, c.type, at, zero) : load(0, c.type, at);
  return c;
}

LogicalResult SliceOp::buildGradients(OpBuilder &b, ValueRange grads,
                                      SmallVectorImpl<Value> &out) {
  return grad::done(out, {buildInferred<SliceBackwardOp>(b, getLoc(), {grads[0], getX()},
                                                         (*this)->getAttrs())});
}

//===----------------------------------------------------------------------------===//
// SliceBackwardOp
//===----------------------------------------------------------------------------===//

LogicalResult SliceBackwardOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<mlir::Type> &types) {
  auto like = cast<TensorType>(adaptor.getLike().getType());
  auto grad = cast<TensorType>(adaptor.getGrad().getType());
  SmallVector<Type, 1> sliced;
  if (failed(inferSlice(getOperationName(), loc, like, adaptor.getAxis(),
                        {adaptor.getStart(), adaptor.getEnd()}, grad.getElementType(),
                        sliced)))
    return failure();
  if (!areCompatibleTypes(sliced[0], grad))
    return emitOptionalError(loc, "'", getOperationName(), "' gradient ",
                             languageType(grad), " is not the slice's shape ",
                             languageType(sliced[0]));
  types.push_back(like.hasRank() ? cast<Type>(RankedTensorType::get(like.getShape(),
                                                                    grad.getElementType()))
                                 : cast<Type>(UnrankedTensorType::get(grad.getElementType())));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(SliceBackwardOp)

/// result[..., i, ...] = grad[..., i - first, ...], 0 outside the slice.
Computation SliceBackwardOp::getComputation() {
  auto like = cast<RankedTensorType>(getLike().getType());
  int64_t axis = normalizedAxis(getAxis(), like.getRank());
  SliceRange range{getStart(), getEnd()};
  Computation c;
  c.extents = extentsOf(like, 1);
  SmallVector<Expr, 4> at;
  for (int64_t i = 0; i < like.getRank(); ++i)
    at.push_back(var(i));
  at[axis] = var(axis) - range.first(extentOf(like, 1, axis));
  c.body = loadOr(0, DType::F32, at, 0.0);
  return c;
}

LogicalResult SliceBackwardOp::buildGradients(OpBuilder &b, ValueRange grads,
                                              SmallVectorImpl<Value> &out) {
  Value dg = buildInferred<SliceOp>(b, getLoc(), grads[0], (*this)->getAttrs());
  if (!dg)
    return failure();
  out.push_back(dg);
  out.push_back(Value()); // only like's shape is read
  return success();
}

//===----------------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<mlir::Type> &types) {
  auto a = cast<TensorType>(adaptor.getLhs().getType());
  auto b = cast<TensorType>(adaptor.getRhs().getType());
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "'nn.concat' operands have different element types: ",
                             languageType(a), " and ", languageType(b));
  if (!a.hasRank() || !b.hasRank()) {
    types.push_back(UnrankedTensorType::get(a.getElementType()));
    return success();
  }
  int64_t axis = normalizedAxis(adaptor.getAxis(), a.getRank());
  if (axis < 0)
    return emitOptionalError(loc, "'nn.concat' axis ", adaptor.getAxis(),
                             " is out of range for rank ", a.getRank());
  if (a.getRank() != b.getRank())
    return emitOptionalError(loc, "'nn.concat' operands differ in rank: ", languageType(a),
                             " and ", languageType(b));
  SmallVector<int64_t> shape(a.getShape());
  for (int64_t i = 0; i < a.getRank(); ++i) {
    int64_t da = a.getDimSize(i), db = b.getDimSize(i);
    if (i == axis) {
      shape[i] = ShapedType::isDynamic(da) || ShapedType::isDynamic(db) ? ShapedType::kDynamic
                                                                        : da + db;
      continue;
    }
    if (!ShapedType::isDynamic(da) && !ShapedType::isDynamic(db) && da != db)
      return emitOptionalError(loc, "'nn.concat' operands ", languageType(a), " and ",
                               languageType(b), " differ in dim ", i, " (", da, " vs ", db,
                               ")");
    if (ShapedType::isDynamic(da))
      shape[i] = db;
  }
  types.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(ConcatOp)

/// result[..., i, ...] = i < na ? lhs[..., i, ...] : rhs[..., i - na, ...], both reads
/// clamped into their operands.
Computation ConcatOp::getComputation() {
  auto a = cast<RankedTensorType>(getLhs().getType());
  auto b = cast<RankedTensorType>(getRhs().getType());
  int64_t axis = normalizedAxis(getAxis(), a.getRank());
  Expr na = extentOf(a, 0, axis), nb = extentOf(b, 1, axis);
  Computation c;
  c.type = elementType(a);
  for (int64_t i = 0; i < a.getRank(); ++i)
    c.extents.push_back(i == axis ? na + nb
                        : a.isDynamicDim(i) && !b.isDynamicDim(i) ? extentOf(b, 1, i)
                                                                  : extentOf(a, 0, i));
  SmallVector<Expr, 4> ai, bi;
  for (int64_t i = 0; i < a.getRank(); ++i) {
    ai.push_back(var(i));
    bi.push_back(var(i));
  }
  ai[axis] = clampIndex(var(axis), na);
  bi[axis] = clampIndex(var(axis) - na, nb);
  c.body = select(var(axis) < na, load(0, c.type, ai), load(1, c.type, bi));
  return c;
}

LogicalResult ConcatOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  // The two parts of g along the axis: [0, na) and [na, end), or counted from the end
  // when only nb is static.
  auto at = cast<RankedTensorType>(getLhs().getType());
  auto bt = cast<RankedTensorType>(getRhs().getType());
  int64_t axis = normalizedAxis(getAxis(), at.getRank());
  int64_t na = at.getDimSize(axis), nb = bt.getDimSize(axis);
  if (ShapedType::isDynamic(na) && ShapedType::isDynamic(nb))
    return emitOpError("gradient needs the size of one operand along the axis to be static");
  auto slice = [&](int64_t start, std::optional<int64_t> end) -> Value {
    SmallVector<NamedAttribute, 3> attrs{b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                                         b.getNamedAttr("start", b.getI64IntegerAttr(start))};
    if (end)
      attrs.push_back(b.getNamedAttr("end", b.getI64IntegerAttr(*end)));
    return buildInferred<SliceOp>(b, getLoc(), grads[0], attrs);
  };
  bool fromStart = !ShapedType::isDynamic(na);
  Value da = fromStart ? slice(0, na) : slice(0, -nb);
  Value db = fromStart ? slice(na, std::nullopt) : slice(-nb, std::nullopt);
  return grad::done(out, {da, db});
}

//===----------------------------------------------------------------------------===//
// DynamicUpdateSliceOp
//===----------------------------------------------------------------------------===//

LogicalResult DynamicUpdateSliceOp::inferReturnTypes(MLIRContext *,
                                                     std::optional<Location> loc,
                                                     Adaptor adaptor,
                                                     SmallVectorImpl<mlir::Type> &types) {
  StringRef op = getOperationName();
  auto dest = cast<TensorType>(adaptor.getDest().getType());
  auto update = cast<TensorType>(adaptor.getUpdate().getType());
  auto index = cast<TensorType>(adaptor.getIndex().getType());
  types.push_back(dest);
  if (!dest.hasRank() || !update.hasRank() || !index.hasRank())
    return success();
  if (index.getRank() > 1 || (index.getRank() == 1 && index.getDimSize(0) != 1))
    return emitOptionalError(loc, "'", op, "' needs one index (rank 0, or [1]), got ",
                             shapeString(index.getShape()));
  if (update.getRank() != dest.getRank())
    return emitOptionalError(loc, "'", op, "' needs an update of the rank of ",
                             shapeString(dest.getShape()), ", got ",
                             shapeString(update.getShape()));
  int64_t axis = normalizedAxis(adaptor.getAxis(), dest.getRank());
  if (axis < 0)
    return emitOptionalError(loc, "'", op, "' axis ", adaptor.getAxis(),
                             " is out of range for rank ", dest.getRank());
  for (int64_t i = 0; i < dest.getRank(); ++i) {
    int64_t d = dest.getDimSize(i), u = update.getDimSize(i);
    if (i != axis && !ShapedType::isDynamic(d) && !ShapedType::isDynamic(u) && d != u)
      return emitOptionalError(loc, "'", op, "' update ", shapeString(update.getShape()),
                               " does not fit ", shapeString(dest.getShape()),
                               " outside axis ", axis);
  }
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(DynamicUpdateSliceOp)

/// result[..., j, ...] = update[..., j - i, ...] for j in [i, i + U), else dest.
Computation DynamicUpdateSliceOp::getComputation() {
  auto dest = cast<RankedTensorType>(getDest().getType());
  auto update = cast<RankedTensorType>(getUpdate().getType());
  auto index = cast<RankedTensorType>(getIndex().getType());
  int64_t axis = normalizedAxis(getAxis(), dest.getRank());
  SmallVector<Expr> at0;
  if (index.getRank() == 1)
    at0.push_back(Expr::index(0));
  Expr first = cast(DType::Index, load(2, DType::I32, at0));
  Expr u = extentOf(update, 1, axis);
  SmallVector<Expr, 4> at, inUpdate;
  for (int64_t i = 0; i < dest.getRank(); ++i)
    at.push_back(var(i));
  inUpdate = at;
  Expr offset = var(axis) - first;
  inUpdate[axis] = clampIndex(offset, u);
  Computation c;
  c.extents = extentsOf(dest, 0);
  c.body = select(inRange(offset, u), load(1, DType::F32, inUpdate), load(0, DType::F32, at));
  return c;
}
