//===- Misc.cpp - one_hot, count, random_uniform --------------------------===//
#include "ir/NNOps.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;

#define NN_COMPATIBLE_RETURN_TYPES(Op)                                                 \
  bool Op::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                         \
    return areCompatibleTypeLists(l, r);                                               \
  }

//===----------------------------------------------------------------------------===//
// OneHotOp
//===----------------------------------------------------------------------------===//

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getLabels().getType());
  int64_t depth = adaptor.getDepth();
  if (depth <= 0)
    return emitOptionalError(loc, "'nn.one_hot' depth must be positive, got ", depth);
  auto f32 = Float32Type::get(ctx);
  if (!t.hasRank()) {
    types.push_back(UnrankedTensorType::get(f32));
    return success();
  }
  SmallVector<int64_t> shape(t.getShape());
  shape.push_back(depth);
  types.push_back(RankedTensorType::get(shape, f32));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(OneHotOp)

Computation OneHotOp::getComputation() {
  auto labels = cast<RankedTensorType>(getLabels().getType());
  unsigned r = labels.getRank();
  Computation c;
  c.extents = extentsOf(labels, 0);
  c.extents.push_back(Expr::index(getDepth()));
  SmallVector<Expr, 4> li;
  for (unsigned i = 0; i < r; ++i)
    li.push_back(var(i));
  c.body = select(load(0, DType::I32, li) == cast(DType::I32, var(r)), 1.0, 0.0);
  return c;
}

//===----------------------------------------------------------------------------===//
// CountOp
//===----------------------------------------------------------------------------===//

LogicalResult CountOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<mlir::Type> &types) {
  auto t = cast<TensorType>(adaptor.getX().getType());
  if (t.hasRank())
    for (int64_t a : adaptor.getAxes())
      if (a < 0 || a >= t.getRank())
        return emitOptionalError(loc, "'nn.count' axis ", a,
                                 " is out of range for a tensor of rank ", t.getRank());
  types.push_back(RankedTensorType::get({}, Float32Type::get(ctx)));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(CountOp)

Computation CountOp::getComputation() {
  auto x = cast<RankedTensorType>(getX().getType());
  Expr count = 1.0;
  for (int64_t i = 0; i < x.getRank(); ++i)
    if (getAxes().empty() || llvm::is_contained(getAxes(), i))
      count = count * cast(DType::F32, extentOf(x, 0, i));
  Computation c;
  c.body = count;
  return c;
}

//===----------------------------------------------------------------------------===//
// RandomUniformOp
//===----------------------------------------------------------------------------===//

LogicalResult RandomUniformOp::inferReturnTypes(MLIRContext *ctx,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<mlir::Type> &types) {
  auto seed = cast<TensorType>(adaptor.getSeed().getType());
  if (seed.hasRank() && seed.getRank() != 0)
    return emitOptionalError(loc, "'nn.random_uniform' seed must be a rank-0 tensor");
  if (Value stream = adaptor.getStream())
    if (auto t = cast<TensorType>(stream.getType()); t.hasRank() && t.getRank() != 0)
      return emitOptionalError(loc, "'nn.random_uniform' stream must be a rank-0 tensor");
  auto like = cast<TensorType>(adaptor.getLike().getType());
  types.push_back(like.hasRank() ? mlir::Type(RankedTensorType::get(like.getShape(),
                                                                    Float32Type::get(ctx)))
                                 : UnrankedTensorType::get(Float32Type::get(ctx)));
  return success();
}
NN_COMPATIBLE_RETURN_TYPES(RandomUniformOp)

/// A hash of the element's row-major linear index, the seed and the stream.
Computation RandomUniformOp::getComputation() {
  auto like = cast<RankedTensorType>(getLike().getType());
  Computation c;
  c.extents = extentsOf(like, 0);
  SmallVector<Expr, 4> index;
  for (unsigned i = 0; i < like.getRank(); ++i)
    index.push_back(var(i));
  Expr stream = getStream() ? load(2, DType::I32, {}) : Expr::i32(0);
  c.body = hash01(linearIndex(index, c.extents), load(1, DType::F32, {}), stream);
  return c;
}
