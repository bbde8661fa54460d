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
  if (r.getRank() != 2 && r.getRank() != l.getRank())
    return emitOptionalError(loc, "'nn.matmul' needs a right operand of rank 2 or of the "
                                  "left operand's rank (", l.getRank(), "), got ",
                             shapeString(r.getShape()));
  int64_t lr = l.getRank(), rr = r.getRank();
  int64_t m = l.getDimSize(lr - 2), kl = l.getDimSize(lr - 1);
  if (flag(adaptor.getTransposeLhsAttr()))
    std::swap(m, kl);
  int64_t kr = r.getDimSize(rr - 2), n = r.getDimSize(rr - 1);
  if (flag(adaptor.getTransposeRhsAttr()))
    std::swap(kr, n);
  if (!ShapedType::isDynamic(kl) && !ShapedType::isDynamic(kr) && kl != kr)
    return emitOptionalError(loc, "'nn.matmul' contraction dims differ: ", languageType(l),
                             " @ ", languageType(r),
                             " (", kl, " vs ", kr, ")");
  SmallVector<int64_t> shape(l.getShape().drop_back(2));
  if (rr > 2) {
    // A batched rhs: its batch dims pair with lhs's one to one.
    for (int64_t i = 0; i + 2 < lr; ++i) {
      int64_t a = l.getDimSize(i), b = r.getDimSize(i);
      if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
        return emitOptionalError(loc, "'nn.matmul' batch dims differ: ", languageType(l),
                                 " @ ", languageType(r), " (dim ", i, ": ", a, " vs ", b,
                                 ")");
      if (ShapedType::isDynamic(a))
        shape[i] = b;
    }
  }
  shape.push_back(m);
  shape.push_back(n);
  types.push_back(RankedTensorType::get(shape, l.getElementType()));
  return success();
}

NN_COMPATIBLE_RETURN_TYPES(MatmulOp)

/// result[batch..., m, n] = sum over k of op(lhs)[batch..., m, k] * op(rhs)[batch..., k, n]
/// (rhs without the batch dims when it has rank 2).
Computation MatmulOp::getComputation() {
  auto a = cast<RankedTensorType>(getLhs().getType());
  auto b = cast<RankedTensorType>(getRhs().getType());
  unsigned r = a.getRank(), rb = b.getRank();
  bool tl = getTransposeLhs(), tr = getTransposeRhs();
  unsigned kA = tl ? r - 2 : r - 1, mA = tl ? r - 1 : r - 2;
  unsigned kB = tr ? rb - 1 : rb - 2, nB = tr ? rb - 2 : rb - 1;
  Computation c;
  c.contraction = true;
  c.reducer = Reducer::Sum;
  // A batch extent: lhs's, unless only a batched rhs's is static.
  for (unsigned i = 0; i + 2 < r; ++i)
    c.extents.push_back(rb == r && a.isDynamicDim(i) && !b.isDynamicDim(i)
                            ? extentOf(b, 1, i)
                            : extentOf(a, 0, i));
  c.extents.push_back(extentOf(a, 0, mA));
  c.extents.push_back(extentOf(b, 1, nB));
  // The contracted size: lhs's, unless only rhs's is static.
  bool fromRhs = a.isDynamicDim(kA) && !b.isDynamicDim(kB);
  c.reduction.push_back(fromRhs ? extentOf(b, 1, kB) : extentOf(a, 0, kA));
  SmallVector<Expr, 4> ai, bi;
  for (unsigned i = 0; i + 2 < r; ++i) {
    ai.push_back(var(i));
    if (rb == r)
      bi.push_back(var(i));
  }
  ai.resize(r);
  ai[mA] = var(r - 2);
  ai[kA] = rvar(0);
  bi.resize(rb);
  bi[kB] = rvar(0);
  bi[nB] = var(r - 1);
  c.body = load(0, DType::F32, ai) * load(1, DType::F32, bi);
  // A lhs zero above its diagonal + s: a term is nonzero where the lhs column (k, or m
  // when transposed) is at most the row plus s.
  if (std::optional<int64_t> s = getLhsLower()) {
    Expr shift = Expr::index(*s);
    c.nonzero = tl ? var(r - 2) <= rvar(0) + shift : rvar(0) <= var(r - 2) + shift;
  }
  return c;
}

/// `x` with its last two dims swapped.
static Value swapLastTwo(OpBuilder &b, Location loc, Value x) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return buildInferred<TransposeOp>(b, loc, x,
                                    {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
}

LogicalResult MatmulOp::buildGradients(OpBuilder &b, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  // Forward: y = op(A) @ op(B) (per batch). With mm(x, y, tx, ty) = op(x) @ op(y):
  //   dA = g op(B)^T = mm(g, B, false, !tB)   or, with tA, op(B) g^T = mm(B, g, tB, true);
  //   dB = op(A)^T g = mm(A, g, !tA, false)   or, with tB, g^T op(A) = mm(g, A, true, tA).
  // A shared (rank-2) B under a batched A gets its gradient summed over the batch: A and
  // g are flattened to rows first ([-1, K], [-1, N]).
  Location loc = getLoc();
  auto mm = [&](Value x, Value y, bool tx, bool ty) -> Value {
    if (!x || !y)
      return nullptr;
    SmallVector<NamedAttribute, 2> attrs;
    if (tx)
      attrs.push_back(b.getNamedAttr("transpose_lhs", b.getBoolAttr(true)));
    if (ty)
      attrs.push_back(b.getNamedAttr("transpose_rhs", b.getBoolAttr(true)));
    return buildInferred<MatmulOp>(b, loc, {x, y}, attrs);
  };
  Value g = grads[0];
  Value a = getLhs(), bm = getRhs();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(bm.getType());
  if (bt.getRank() == at.getRank()) {
    Value da = ta ? mm(bm, g, tb, true) : mm(g, bm, false, !tb);
    Value db = tb ? mm(g, a, true, ta) : mm(a, g, !ta, false);
    return grad::done(out, {da, db});
  }
  // A shared rhs. A transposed batched A is transposed once here, so that its rows can
  // be flattened: A [..., M, K] and g [..., M, N] become rows [-1, K] and [-1, N] (a
  // product of symbols when the batch is symbolic), and dB is one product of them.
  Value a1 = ta ? swapLastTwo(b, loc, a) : a;
  if (!a1)
    return failure();
  Value da = mm(g, bm, false, !tb);
  if (da && ta)
    da = swapLastTwo(b, loc, da);
  auto rows = [&](Value v) -> Value {
    if (!v)
      return v;
    int64_t cols = cast<RankedTensorType>(v.getType()).getShape().back();
    return buildInferred<ReshapeOp>(
        b, loc, v, {b.getNamedAttr("shape", b.getDenseI64ArrayAttr({-1, cols}))});
  };
  Value a2 = rows(a1), g2 = rows(g);
  Value db = tb ? mm(g2, a2, true, false) : mm(a2, g2, true, false);
  return grad::done(out, {da, db});
}
