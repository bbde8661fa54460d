//===- Gather.cpp - gather (embedding lookup) and scatter_add -------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"
#include "ir/ShapeRules.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;


/// The index vars of the positions of an index tensor of rank `rank`, as reduction
/// variables in row-major loop order (rvar 0 is the innermost dim).
static SmallVector<Expr, 4> positionRVars(unsigned rank) {
  SmallVector<Expr, 4> at;
  for (unsigned i = 0; i < rank; ++i)
    at.push_back(rvar(rank - 1 - i));
  return at;
}

//===----------------------------------------------------------------------------===//
// GatherOp
//===----------------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor a, SmallVectorImpl<Type> &types) {
  auto f32 = Float32Type::get(ctx);
  auto table = dyn_cast<RankedTensorType>(a.getTable().getType());
  if (table && table.getRank() != 2)
    return emitOptionalError(loc, "'", getOperationName(),
                             "' needs a table of rank 2 [rows, width], got ",
                             shapeString(table.getShape()));
  if (table && table.getDimSize(0) == 0)
    return emitOptionalError(loc, "'", getOperationName(),
                             "' needs a table with at least one row, got ",
                             shapeString(table.getShape()));
  auto indices = dyn_cast<RankedTensorType>(a.getIndices().getType());
  if (!table || !indices) {
    types.push_back(UnrankedTensorType::get(f32));
    return success();
  }
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(table.getDimSize(1));
  types.push_back(RankedTensorType::get(shape, f32));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(GatherOp)

/// result[i..., d] = table[indices[i...], d], or 0 when the index is outside the table:
/// the row is clamped into the table and the select picks 0 outside it.
Computation GatherOp::getComputation() {
  auto table = cast<RankedTensorType>(getTable().getType());
  auto indices = cast<RankedTensorType>(getIndices().getType());
  unsigned r = indices.getRank();
  Computation c;
  c.extents = extentsOf(indices, 1);
  c.extents.push_back(extentOf(table, 0, 1));
  SmallVector<Expr, 4> at;
  for (unsigned i = 0; i < r; ++i)
    at.push_back(var(i));
  Expr row = cast(DType::Index, load(1, DType::I32, at));
  Expr rows = extentOf(table, 0, 0);
  c.body = select(inRange(row, rows), load(0, DType::F32, {clampIndex(row, rows), var(r)}),
                  0.0);
  return c;
}

LogicalResult GatherOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  auto table = dyn_cast<RankedTensorType>(getTable().getType());
  if (!table || table.isDynamicDim(0))
    return emitOpError("needs a table with a static number of rows to be differentiated");
  Value dtable = buildInferred<ScatterAddOp>(
      b, getLoc(), {grads[0], getIndices()},
      {b.getNamedAttr("rows", b.getI64IntegerAttr(table.getDimSize(0)))});
  if (!dtable)
    return failure();
  out.push_back(dtable);
  out.push_back(Value()); // indices are not differentiable
  return success();
}

//===----------------------------------------------------------------------------===//
// ScatterAddOp
//===----------------------------------------------------------------------------===//

LogicalResult ScatterAddOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                             Adaptor a, SmallVectorImpl<Type> &types) {
  auto f32 = Float32Type::get(ctx);
  int64_t rows = a.getRows();
  if (rows <= 0)
    return emitOptionalError(loc, "'", getOperationName(), "' rows must be positive, got ",
                             rows);
  auto values = dyn_cast<RankedTensorType>(a.getValues().getType());
  if (values && values.getRank() < 1)
    return emitOptionalError(loc, "'", getOperationName(),
                             "' needs values of rank >= 1 [..., width], got rank 0");
  auto indices = dyn_cast<RankedTensorType>(a.getIndices().getType());
  if (values && indices &&
      (indices.getRank() != values.getRank() - 1 ||
       failed(verifyCompatibleShape(indices.getShape(), values.getShape().drop_back()))))
    return emitOptionalError(loc, "'", getOperationName(), "' indices of shape ",
                             shapeString(indices.getShape()),
                             " do not match the leading dims of the values of shape ",
                             shapeString(values.getShape()));
  int64_t width = values ? values.getDimSize(values.getRank() - 1) : ShapedType::kDynamic;
  types.push_back(RankedTensorType::get({rows, width}, f32));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(ScatterAddOp)

/// result = 0; for each position p of the indices (row-major, serially) with
/// indices[p] in [0, rows): result[indices[p], d] += values[p, d] for every d.
Computation ScatterAddOp::getComputation() {
  auto values = cast<RankedTensorType>(getValues().getType());
  unsigned k = values.getRank() - 1;
  Computation c;
  c.reducer = Reducer::Sum;
  c.extents = {Expr::index(getRows()), extentOf(values, 0, k)};
  for (unsigned j = 0; j < k; ++j)
    c.reduction.push_back(extentOf(values, 0, k - 1 - j));
  if (k == 0)
    c.reduction.push_back(Expr::index(1)); // one position: a loop of one
  SmallVector<Expr, 4> at = positionRVars(k);
  c.scatter = {cast(DType::Index, load(1, DType::I32, at)), var(1)};
  at.push_back(var(1));
  c.body = load(0, DType::F32, at);
  return c;
}

LogicalResult ScatterAddOp::buildGradients(OpBuilder &b, ValueRange grads,
                                           SmallVectorImpl<Value> &out) {
  // d values[p, d] = g[indices[p], d] (0 where the index is outside: that position
  // added nothing).
  Value dvalues = buildInferred<GatherOp>(b, getLoc(), {grads[0], getIndices()});
  if (!dvalues)
    return failure();
  out.push_back(dvalues);
  out.push_back(Value());
  return success();
}
