//===- Attention.cpp - causal_mask, padding_mask --------------------------===//
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
  SmallVector<int64_t> shape(t.getRank() - 2, 1);
  llvm::append_range(shape, t.getShape().take_back(2));
  types.push_back(RankedTensorType::get(shape, f32));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(CausalMaskOp)

/// mask[0..., i, j] = value if j > i + (Sk - Sq) else 0.
Computation CausalMaskOp::getComputation() {
  auto t = cast<RankedTensorType>(getLike().getType());
  unsigned r = t.getRank();
  Expr sq = extentOf(t, 0, r - 2), sk = extentOf(t, 0, r - 1);
  Computation c;
  for (unsigned i = 0; i + 2 < r; ++i)
    c.extents.push_back(Expr::index(1));
  c.extents.push_back(sq);
  c.extents.push_back(sk);
  c.body = select(var(r - 1) > var(r - 2) + (sk - sq),
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
