//===- NNGradients.cpp - the adjoint of every differentiable nn op --------===//
//
// DifferentiableOpInterface::buildGradients for each op. Binary ops broadcast, so
// their gradients are summed back to the operand's shape (`unbroadcast`).
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"

using namespace mlir;
using namespace nn;

Value nn::buildScalar(OpBuilder &b, Location loc, double value) {
  auto type = RankedTensorType::get({}, b.getF32Type());
  return b.create<ConstantOp>(
      loc, type, DenseElementsAttr::get(type, b.getF32FloatAttr(value).getValue()));
}

namespace {

/// Small expression builder for gradient formulas.
struct G {
  OpBuilder &b;
  Location loc;

  Value add(Value x, Value y) { return buildInferred<AddOp>(b, loc, {x, y}); }
  Value sub(Value x, Value y) { return buildInferred<SubOp>(b, loc, {x, y}); }
  Value mul(Value x, Value y) { return buildInferred<MulOp>(b, loc, {x, y}); }
  Value div(Value x, Value y) { return buildInferred<DivOp>(b, loc, {x, y}); }
  Value neg(Value x) { return buildInferred<NegOp>(b, loc, x); }
  Value step(Value x) { return buildInferred<StepOp>(b, loc, x); }
  Value greater(Value x, Value y) { return buildInferred<GreaterOp>(b, loc, {x, y}); }
  Value scalar(double v) { return buildScalar(b, loc, v); }
  NamedAttribute attr(StringRef name, Attribute a) { return b.getNamedAttr(name, a); }

  /// Reshapes `x` to `type`'s shape (at most one dynamic dim, written -1).
  Value reshapeTo(Value x, Type type) {
    auto t = cast<RankedTensorType>(type);
    if (x.getType() == type)
      return x;
    SmallVector<int64_t> shape;
    for (int64_t d : t.getShape())
      shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    return buildInferred<ReshapeOp>(b, loc, x,
                                    {attr("shape", b.getDenseI64ArrayAttr(shape))});
  }

  /// Sums `grad` over the dims along which `type` was broadcast, then reshapes.
  Value unbroadcast(Value grad, Type type) {
    auto gt = cast<RankedTensorType>(grad.getType());
    auto tt = cast<RankedTensorType>(type);
    int64_t lead = gt.getRank() - tt.getRank();
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < gt.getRank(); ++i)
      if (i < lead || (tt.getDimSize(i - lead) == 1 && gt.getDimSize(i) != 1))
        axes.push_back(i);
    if (!axes.empty())
      grad = buildInferred<ReduceSumOp>(b, loc, grad,
                                        {attr("axes", b.getDenseI64ArrayAttr(axes)),
                                         attr("keepdims", b.getBoolAttr(true))});
    return reshapeTo(grad, type);
  }

  /// Broadcasts the gradient of a reduction of `x` back to x's shape.
  Value unreduce(Value grad, Value x, ArrayRef<int64_t> axes, bool keepdims) {
    auto xt = cast<RankedTensorType>(x.getType());
    if (!keepdims) {
      SmallVector<int64_t> shape;
      for (int64_t i = 0; i < xt.getRank(); ++i) {
        bool reduced = axes.empty() || llvm::is_contained(axes, i);
        shape.push_back(reduced ? 1 : (xt.isDynamicDim(i) ? -1 : xt.getDimSize(i)));
      }
      grad = buildInferred<ReshapeOp>(b, loc, grad,
                                      {attr("shape", b.getDenseI64ArrayAttr(shape))});
    }
    return buildInferred<BroadcastToOp>(b, loc, {grad, x});
  }
};

LogicalResult done(SmallVectorImpl<Value> &out, std::initializer_list<Value> grads) {
  out.append(grads.begin(), grads.end());
  return success(llvm::all_of(grads, [](Value v) { return v; }));
}

} // namespace

#define GRADIENT(Op)                                                                   \
  LogicalResult Op::buildGradients(OpBuilder &b, ValueRange grads,                     \
                                   SmallVectorImpl<Value> &out)

GRADIENT(NegOp) { return done(out, {G{b, getLoc()}.neg(grads[0])}); }
GRADIENT(ExpOp) { return done(out, {G{b, getLoc()}.mul(grads[0], getResult())}); }
GRADIENT(LogOp) { return done(out, {G{b, getLoc()}.div(grads[0], getX())}); }
GRADIENT(SqrtOp) {
  G g{b, getLoc()};
  return done(out, {g.div(g.mul(grads[0], g.scalar(0.5)), getResult())});
}
GRADIENT(AbsOp) {
  G g{b, getLoc()};
  Value sign = g.sub(g.step(getX()), g.step(g.neg(getX())));
  return done(out, {g.mul(grads[0], sign)});
}
GRADIENT(TanhOp) {
  G g{b, getLoc()};
  Value y = getResult();
  return done(out, {g.mul(grads[0], g.sub(g.scalar(1.0), g.mul(y, y)))});
}
GRADIENT(SigmoidOp) {
  G g{b, getLoc()};
  Value y = getResult();
  return done(out, {g.mul(grads[0], g.mul(y, g.sub(g.scalar(1.0), y)))});
}
GRADIENT(ReluOp) {
  G g{b, getLoc()};
  return done(out, {g.mul(grads[0], g.step(getX()))});
}
GRADIENT(StopGradientOp) {
  out.push_back(nullptr);
  return success();
}

GRADIENT(AddOp) {
  G g{b, getLoc()};
  return done(out, {g.unbroadcast(grads[0], getLhs().getType()),
                    g.unbroadcast(grads[0], getRhs().getType())});
}
GRADIENT(SubOp) {
  G g{b, getLoc()};
  return done(out, {g.unbroadcast(grads[0], getLhs().getType()),
                    g.unbroadcast(g.neg(grads[0]), getRhs().getType())});
}
GRADIENT(MulOp) {
  G g{b, getLoc()};
  return done(out, {g.unbroadcast(g.mul(grads[0], getRhs()), getLhs().getType()),
                    g.unbroadcast(g.mul(grads[0], getLhs()), getRhs().getType())});
}
GRADIENT(DivOp) {
  G g{b, getLoc()};
  Value dl = g.div(grads[0], getRhs());
  Value dr = g.neg(g.div(g.mul(dl, getLhs()), getRhs()));
  return done(out, {g.unbroadcast(dl, getLhs().getType()),
                    g.unbroadcast(dr, getRhs().getType())});
}
/// max and min: the gradient goes to lhs where `toLhs` is 1, else to rhs.
static LogicalResult selectGradients(G g, Value grad, Value lhs, Value rhs, Value toLhs,
                                     SmallVectorImpl<Value> &out) {
  Value toRhs = g.sub(g.scalar(1.0), toLhs);
  return done(out, {g.unbroadcast(g.mul(grad, toLhs), lhs.getType()),
                    g.unbroadcast(g.mul(grad, toRhs), rhs.getType())});
}
GRADIENT(MaxOp) { // ties send the gradient to rhs
  G g{b, getLoc()};
  return selectGradients(g, grads[0], getLhs(), getRhs(), g.greater(getLhs(), getRhs()), out);
}
GRADIENT(MinOp) {
  G g{b, getLoc()};
  return selectGradients(g, grads[0], getLhs(), getRhs(), g.greater(getRhs(), getLhs()), out);
}
GRADIENT(PowOp) {
  // d/dl l^r = r l^(r-1); d/dr l^r = l^r log(l) (defined for l > 0).
  G g{b, getLoc()};
  Value lm1 = buildInferred<PowOp>(b, getLoc(), {getLhs(), g.sub(getRhs(), g.scalar(1.0))});
  Value dl = g.mul(grads[0], g.mul(getRhs(), lm1));
  Value dr = g.mul(grads[0], g.mul(getResult(), buildInferred<LogOp>(b, getLoc(), getLhs())));
  return done(out, {g.unbroadcast(dl, getLhs().getType()),
                    g.unbroadcast(dr, getRhs().getType())});
}

GRADIENT(ReduceSumOp) {
  G g{b, getLoc()};
  return done(out, {g.unreduce(grads[0], getX(), getAxes(), getKeepdims())});
}
GRADIENT(ReduceMeanOp) {
  G g{b, getLoc()};
  Value count = buildInferred<CountOp>(b, getLoc(), getX(),
                                       {g.attr("axes", getAxesAttr())});
  return done(out, {g.div(g.unreduce(grads[0], getX(), getAxes(), getKeepdims()), count)});
}
GRADIENT(ReduceMaxOp) {
  // The gradient goes to every element equal to the maximum.
  G g{b, getLoc()};
  Value m = g.unreduce(getResult(), getX(), getAxes(), getKeepdims());
  Value isMax = g.sub(g.scalar(1.0), g.greater(m, getX()));
  return done(out, {g.mul(g.unreduce(grads[0], getX(), getAxes(), getKeepdims()), isMax)});
}

GRADIENT(MatmulOp) {
  // Forward: y = op(A) @ op(B). dA = g @ op(B)^T; dB = op(A)^T @ g, summed over the
  // batch dims of A.
  G g{b, getLoc()};
  if (getTransposeLhs())
    return emitOpError("gradient with transpose_lhs is not supported");
  Value grad = grads[0];
  Value a = getLhs(), bm = getRhs();
  bool tb = getTransposeRhs();
  Value da = buildInferred<MatmulOp>(b, getLoc(), {grad, bm},
                                     {g.attr("transpose_rhs", b.getBoolAttr(!tb))});
  // Flatten batch dims: A [..., M, K] -> [-1, K]; g [..., M, N] -> [-1, N].
  auto at = cast<RankedTensorType>(a.getType());
  auto gt = cast<RankedTensorType>(grad.getType());
  Value a2 = a, g2 = grad;
  if (at.getRank() > 2) {
    a2 = g.reshapeTo(a, RankedTensorType::get({ShapedType::kDynamic, at.getShape().back()},
                                              at.getElementType()));
    g2 = g.reshapeTo(grad, RankedTensorType::get({ShapedType::kDynamic, gt.getShape().back()},
                                                 gt.getElementType()));
  }
  Value db = tb ? buildInferred<MatmulOp>(b, getLoc(), {g2, a2},
                                          {g.attr("transpose_lhs", b.getBoolAttr(true))})
                : buildInferred<MatmulOp>(b, getLoc(), {a2, g2},
                                          {g.attr("transpose_lhs", b.getBoolAttr(true))});
  return done(out, {da, db});
}

GRADIENT(ReshapeOp) {
  return done(out, {G{b, getLoc()}.reshapeTo(grads[0], getX().getType())});
}
GRADIENT(TransposeOp) {
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return done(out, {buildInferred<TransposeOp>(
                       b, getLoc(), grads[0],
                       {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(inverse))})});
}
GRADIENT(BroadcastToOp) {
  out.push_back(G{b, getLoc()}.unbroadcast(grads[0], getX().getType()));
  out.push_back(nullptr); // `like` only contributes its shape
  return success(out[out.size() - 2] != nullptr);
}
