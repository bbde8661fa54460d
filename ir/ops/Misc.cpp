//===- Misc.cpp - one_hot, count, fill, random_uniform, random_normal -----===//
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;


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
// RandomUniformOp, RandomNormalOp
//===----------------------------------------------------------------------------===//

/// The shape rule of the noise ops (NN_RandomOp in Misc.td) and nn.fill (no seed or
/// stream): rank-0 seed and stream; `like`'s shape, or `shape` with its -1 entries
/// taken from `like`.
static LogicalResult inferRandomType(MLIRContext *ctx, std::optional<Location> loc,
                                     StringRef name, Value like, Value seed,
                                     ValueRange streamAndRow,
                                     std::optional<ArrayRef<int64_t>> shape,
                                     SmallVectorImpl<mlir::Type> &types) {
  if (seed)
    if (auto t = cast<TensorType>(seed.getType()); t.hasRank() && t.getRank() != 0)
      return emitOptionalError(loc, "'", name, "' seed must be a rank-0 tensor");
  if (streamAndRow.size() > 2)
    return emitOptionalError(loc, "'", name, "' takes at most a stream and a row after "
                             "the seed, got ", streamAndRow.size(), " operands");
  for (auto [i, v] : llvm::enumerate(streamAndRow))
    if (auto t = cast<TensorType>(v.getType()); t.hasRank() && t.getRank() != 0)
      return emitOptionalError(loc, "'", name, "' ", i == 0 ? "stream" : "row",
                               " must be a rank-0 tensor");
  auto likeType = cast<TensorType>(like.getType());
  auto f32 = Float32Type::get(ctx);
  if (!shape) {
    types.push_back(likeType.hasRank()
                        ? mlir::Type(RankedTensorType::get(likeType.getShape(), f32))
                        : UnrankedTensorType::get(f32));
    return success();
  }
  SmallVector<int64_t> dims;
  for (auto [i, d] : llvm::enumerate(*shape)) {
    if (d == -1 && likeType.hasRank() && int64_t(i) >= likeType.getRank())
      return emitOptionalError(loc, "'", name, "' shape entry ", i,
                               " is -1 but 'like' has rank ", likeType.getRank());
    if (d == 0 || d < -1)
      return emitOptionalError(loc, "'", name,
                               "' shape entries must be positive or -1, got ", d);
    dims.push_back(d != -1 ? d
                   : likeType.hasRank() ? likeType.getDimSize(i)
                                        : ShapedType::kDynamic);
  }
  types.push_back(RankedTensorType::get(dims, f32));
  return success();
}

/// Both noise ops' inferReturnTypes, which is inferRandomType.
#define NN_RANDOM_SHAPE_RULE(Op)                                                       \
  LogicalResult Op::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,     \
                                     Adaptor adaptor,                                  \
                                     SmallVectorImpl<mlir::Type> &types) {             \
    return inferRandomType(ctx, loc, getOperationName(), adaptor.getLike(),            \
                           adaptor.getSeed(), adaptor.getStreamAndRow(),               \
                           adaptor.getShape(),                                         \
                           types);                                                     \
  }                                                                                    \
  NN_COMPATIBLE_RETURN_TYPES(Op)

/// The result extents of a noise op (the shape rule's, with `like`'s run-time dims).
static SmallVector<Expr, 4> randomExtents(Value like,
                                          std::optional<ArrayRef<int64_t>> shape) {
  auto likeType = cast<RankedTensorType>(like.getType());
  if (!shape)
    return extentsOf(likeType, 0);
  SmallVector<Expr, 4> extents;
  for (auto [i, d] : llvm::enumerate(*shape))
    extents.push_back(d == -1 ? extentOf(likeType, 0, i) : Expr::index(d));
  return extents;
}

/// The uniform in [0, 1) at `linear` of the op's seed and stream (operands 1 and 2).
static Expr uniformAt(Expr linear, bool hasStream) {
  Expr stream = hasStream ? load(2, DType::I32, {}) : Expr::i32(0);
  return hash01(linear, load(1, DType::F32, {}), stream);
}

/// The row-major linear index of the result element in a space of `extents`, its dim 0
/// offset by the `row` operand (operand 3) when the op has one.
static Expr resultLinearIndex(const SmallVector<Expr, 4> &extents, bool hasRow) {
  SmallVector<Expr, 4> index;
  for (unsigned i = 0; i < extents.size(); ++i)
    index.push_back(var(i));
  if (hasRow && !index.empty())
    index[0] = index[0] + cast(DType::Index, load(3, DType::I32, {}));
  return linearIndex(index, extents);
}

NN_RANDOM_SHAPE_RULE(RandomUniformOp)

LogicalResult FillOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<mlir::Type> &types) {
  return inferRandomType(ctx, loc, getOperationName(), adaptor.getLike(), Value(),
                         ValueRange(), adaptor.getShape(), types);
}
NN_COMPATIBLE_RETURN_TYPES(FillOp)

Computation FillOp::getComputation() {
  Computation c;
  c.extents = randomExtents(getLike(), getShape());
  c.body = Expr(getValue().convertToDouble());
  return c;
}

Computation RandomUniformOp::getComputation() {
  Computation c;
  c.extents = randomExtents(getLike(), getShape());
  c.body = uniformAt(resultLinearIndex(c.extents, getStreamAndRow().size() > 1),
                     !getStreamAndRow().empty());
  return c;
}

NN_RANDOM_SHAPE_RULE(RandomNormalOp)

/// Box-Muller: elements 2k and 2k+1 take r cos(theta) and r sin(theta) = r cos(theta -
/// pi/2) of one pair of uniforms, U(2k) for the radius and U(2k+1) for the angle. The
/// indices stay below 2^31 (a tensor has at most 2^31 - 1 elements).
Computation RandomNormalOp::getComputation() {
  Computation c;
  c.extents = randomExtents(getLike(), getShape());
  bool hasStream = !getStreamAndRow().empty();
  Expr linear = resultLinearIndex(c.extents, getStreamAndRow().size() > 1);
  Expr odd = linear % Expr::index(2);
  Expr first = linear - odd;
  Expr u1 = uniformAt(first, hasStream);
  Expr u2 = uniformAt(first + Expr::index(1), hasStream);
  Expr radius = sqrt(-2.0 * log(1.0 - u1));
  Expr angle = 6.283185307179586 * u2 - 1.5707963267948966 * cast(DType::F32, odd);
  c.body = radius * cos(angle);
  return c;
}
