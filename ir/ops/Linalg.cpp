//===- Linalg.cpp - matmul ------------------------------------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"

using namespace mlir;
using namespace nn;
using namespace nn::compute;

static bool flag(BoolAttr attr) { return attr && attr.getValue(); }

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<mlir::Type> &types) {
  auto l = cast<TensorType>(adaptor.getLhs().getType());
  auto r = cast<TensorType>(adaptor.getRhs().getType());
  if (!l.hasRank() || !r.hasRank()) {
    types.push_back(UnrankedTensorType::get(l.getElementType()));
    return success();
  }
  if (l.getRank() < 2)
    return emitOptionalError(loc, "'nn.matmul' needs a left operand of rank >= 2, got ",
                             shapeString(l.getShape()));
  if (r.getRank() != 2)
    return emitOptionalError(loc, "'nn.matmul' needs a right operand of rank 2, got ",
                             shapeString(r.getShape()));
  int64_t lr = l.getRank();
  int64_t m = l.getDimSize(lr - 2), kl = l.getDimSize(lr - 1);
  if (flag(adaptor.getTransposeLhsAttr()))
    std::swap(m, kl);
  int64_t kr = r.getDimSize(0), n = r.getDimSize(1);
  if (flag(adaptor.getTransposeRhsAttr()))
    std::swap(kr, n);
  if (!ShapedType::isDynamic(kl) && !ShapedType::isDynamic(kr) && kl != kr)
    return emitOptionalError(loc, "'nn.matmul' contraction dims differ: ", languageType(l),
                             " @ ", languageType(r),
                             " (", kl, " vs ", kr, ")");
  SmallVector<int64_t> shape(l.getShape().drop_back(2));
  shape.push_back(m);
  shape.push_back(n);
  types.push_back(RankedTensorType::get(shape, l.getElementType()));
  return success();
}

NN_COMPATIBLE_RETURN_TYPES(MatmulOp)

/// result[batch..., m, n] = sum over k of op(lhs)[batch..., m, k] * op(rhs)[k, n].
Computation MatmulOp::getComputation() {
  auto a = cast<RankedTensorType>(getLhs().getType());
  auto b = cast<RankedTensorType>(getRhs().getType());
  unsigned r = a.getRank();
  bool tl = getTransposeLhs(), tr = getTransposeRhs();
  unsigned kA = tl ? r - 2 : r - 1, mA = tl ? r - 1 : r - 2;
  unsigned kB = tr ? 1 : 0, nB = tr ? 0 : 1;
  Computation c;
  c.contraction = true;
  c.reducer = Reducer::Sum;
  for (unsigned i = 0; i + 2 < r; ++i)
    c.extents.push_back(extentOf(a, 0, i));
  c.extents.push_back(extentOf(a, 0, mA));
  c.extents.push_back(extentOf(b, 1, nB));
  // The contracted size: lhs's, unless only rhs's is static.
  bool fromRhs = a.isDynamicDim(kA) && !b.isDynamicDim(kB);
  c.reduction.push_back(fromRhs ? extentOf(b, 1, kB) : extentOf(a, 0, kA));
  SmallVector<Expr, 4> ai;
  for (unsigned i = 0; i + 2 < r; ++i)
    ai.push_back(var(i));
  ai.resize(r);
  ai[mA] = var(r - 2);
  ai[kA] = rvar(0);
  SmallVector<Expr, 2> bi(2);
  bi[kB] = rvar(0);
  bi[nB] = var(r - 1);
  c.body = load(0, DType::F32, ai) * load(1, DType::F32, bi);
  return c;
}

LogicalResult MatmulOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  // Forward: y = op(A) @ op(B). dA = g @ op(B)^T; dB = op(A)^T @ g, summed over the
  // batch dims of A.
  if (getTransposeLhs())
    return emitOpError("gradient with transpose_lhs is not supported");
  Location loc = getLoc();
  auto attr = [&](StringRef name, bool v) { return b.getNamedAttr(name, b.getBoolAttr(v)); };
  Value grad = grads[0];
  Value a = getLhs(), bm = getRhs();
  bool tb = getTransposeRhs();
  Value da = buildInferred<MatmulOp>(b, loc, {grad, bm}, {attr("transpose_rhs", !tb)});
  // Flatten batch dims: A [..., M, K] -> [-1, K]; g [..., M, N] -> [-1, N].
  auto at = cast<RankedTensorType>(a.getType());
  auto gt = cast<RankedTensorType>(grad.getType());
  Value a2 = a, g2 = grad;
  if (at.getRank() > 2) {
    auto rows = [&](Value v, int64_t cols) {
      return buildInferred<ReshapeOp>(b, loc, v,
                                      {b.getNamedAttr("shape", b.getDenseI64ArrayAttr(
                                                                   {-1, cols}))});
    };
    a2 = rows(a, at.getShape().back());
    g2 = rows(grad, gt.getShape().back());
  }
  Value db = tb ? buildInferred<MatmulOp>(b, loc, {g2, a2}, {attr("transpose_lhs", true)})
                : buildInferred<MatmulOp>(b, loc, {a2, g2}, {attr("transpose_lhs", true)});
  return grad::done(out, {da, db});
}
