//===- CausalZeros.cpp - products whose lhs is zero above a causal diagonal ===//
//
// Causal attention's probabilities are exactly zero above the diagonal: the scores get
// the causal mask's -1e9 there, the softmax subtracts the row's maximum (an unmasked
// score, since every row keeps a key) and exp of about -1e9 is 0 in float32. Their
// gradient `y (g - sum(g y))` is zero there too. The products that contract over such
// an operand (`p v`, `pᵀ dO`, `dS k`, `dSᵀ q`) then have terms that are exactly zero:
// this pass states it on the matmul (`lhs_lower = s`: the stored lhs is zero where its
// column exceeds its row + s), and code generation may skip those terms.
//
// A forward walk over each function (after nn-expand and nn-decode: the softmax is its
// composition, and the decoding entry's masks have an offset, which this pass leaves
// alone) tags values:
//   masked   x + causal_mask (no offset, value <= -1e6, static Sq <= Sk; shift Sk - Sq),
//            or masked + another additive mask (causal or padding: values <= 0);
//   shifted  masked - max(masked) along the last axis (a stop_gradient of it);
//   zero     exp(shifted); zero / sum(zero) along the last axis (the softmax's division:
//            the sum is at least 1); zero * x and x * zero for a finite x (the
//            softmax's gradient, y (g - sum(g y)), and its scale); -zero;
//            stop_gradient(zero);
// each with the same last two dims as the tagged operand (no broadcasting across them).
// A matmul whose lhs is zero gets `lhs_lower`; a sum of zero, and a maximum of masked,
// along the last axis alone get `skip_above` (the terms past the row + s: zeros, and
// masked scores below the row's kept ones). Nothing else changes.
//
//===----------------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "llvm/ADT/DenseMap.h"

namespace nn {
#define GEN_PASS_DEF_NNCAUSALZEROS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

namespace {

/// A mask value that makes exp(value + score - max) exactly 0 in float32 for any
/// scores within +-1e5 of each other.
constexpr double MaskedBelow = -1.0e6;

enum class Tag { Masked, Shifted, Zero };

struct Tagged {
  Tag tag;
  int64_t shift; ///< Sk - Sq of the masked scores
};

/// The last two dims of `v`'s type, when ranked and static.
std::optional<std::pair<int64_t, int64_t>> lastTwo(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() < 2)
    return std::nullopt;
  int64_t q = t.getDimSize(t.getRank() - 2), k = t.getDimSize(t.getRank() - 1);
  if (ShapedType::isDynamic(q) || ShapedType::isDynamic(k))
    return std::nullopt;
  return std::make_pair(q, k);
}

/// Whether `v` and `result` index their last two dims alike.
bool sameLastTwo(Value v, Value result) {
  auto a = lastTwo(v), b = lastTwo(result);
  return a && b && *a == *b;
}

/// The shift Sk - Sq of a causal mask this pass understands.
std::optional<int64_t> causalShift(Value v) {
  auto mask = v.getDefiningOp<CausalMaskOp>();
  if (!mask || mask.getOffset() || mask.getValue().convertToDouble() > MaskedBelow)
    return std::nullopt;
  auto dims = lastTwo(mask.getResult());
  if (!dims || dims->first > dims->second)
    return std::nullopt;
  return dims->second - dims->first;
}

/// Whether `v` is an additive mask: values <= 0.
bool isAdditiveMask(Value v) {
  if (auto causal = v.getDefiningOp<CausalMaskOp>())
    return causal.getValue().convertToDouble() <= 0;
  if (auto padding = v.getDefiningOp<PaddingMaskOp>())
    return padding.getValue().convertToDouble() <= 0;
  return false;
}

/// Whether reduction `r` reduces along its operand's last axis alone.
template <typename Op> bool alongLastAxis(Op r) {
  auto t = cast<RankedTensorType>(r.getX().getType());
  return r.getAxes().size() == 1 && r.getAxes()[0] == t.getRank() - 1;
}

/// `v` is reduction `Op` of x along x's last axis, with keepdims, maybe under
/// stop_gradient.
template <typename Op> bool isRowReductionOf(Value v, Value x) {
  if (auto sg = v.getDefiningOp<StopGradientOp>())
    v = sg.getX();
  auto r = v.getDefiningOp<Op>();
  return r && r.getX() == x && r.getKeepdims() && alongLastAxis(r);
}

struct CausalZerosPass : nn::impl::NNCausalZerosBase<CausalZerosPass> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp f) {
      llvm::DenseMap<Value, Tagged> tags;
      auto tagOf = [&](Value v, Tag t) -> std::optional<int64_t> {
        auto it = tags.find(v);
        if (it == tags.end() || it->second.tag != t)
          return std::nullopt;
        return it->second.shift;
      };
      f.walk([&](Operation *op) {
        if (op->getNumResults() != 1)
          return;
        Value r = op->getResult(0);
        auto tag = [&](Value from, Tag t, int64_t shift) {
          if (sameLastTwo(from, r))
            tags[r] = {t, shift};
        };
        if (auto add = dyn_cast<AddOp>(op)) {
          for (auto [x, other] : {std::pair(add.getLhs(), add.getRhs()),
                                  std::pair(add.getRhs(), add.getLhs())}) {
            if (auto s = causalShift(other))
              return tag(other, Tag::Masked, *s);
            if (auto s = tagOf(x, Tag::Masked); s && isAdditiveMask(other))
              return tag(x, Tag::Masked, *s);
          }
        } else if (auto sub = dyn_cast<SubOp>(op)) {
          if (auto s = tagOf(sub.getLhs(), Tag::Masked);
              s && isRowReductionOf<ReduceMaxOp>(sub.getRhs(), sub.getLhs()))
            tag(sub.getLhs(), Tag::Shifted, *s);
        } else if (auto exp = dyn_cast<ExpOp>(op)) {
          if (auto s = tagOf(exp.getX(), Tag::Shifted))
            tag(exp.getX(), Tag::Zero, *s);
        } else if (auto mul = dyn_cast<MulOp>(op)) {
          for (Value x : {mul.getLhs(), mul.getRhs()})
            if (auto s = tagOf(x, Tag::Zero))
              return tag(x, Tag::Zero, *s);
        } else if (auto div = dyn_cast<DivOp>(op)) {
          if (auto s = tagOf(div.getLhs(), Tag::Zero);
              s && isRowReductionOf<ReduceSumOp>(div.getRhs(), div.getLhs()))
            tag(div.getLhs(), Tag::Zero, *s);
        } else if (isa<NegOp, StopGradientOp>(op)) {
          if (auto s = tagOf(op->getOperand(0), Tag::Zero))
            tag(op->getOperand(0), Tag::Zero, *s);
        } else if (auto mm = dyn_cast<MatmulOp>(op)) {
          if (auto s = tagOf(mm.getLhs(), Tag::Zero))
            mm.setLhsLower(*s);
        } else if (auto sum = dyn_cast<ReduceSumOp>(op)) {
          if (auto s = tagOf(sum.getX(), Tag::Zero); s && alongLastAxis(sum))
            sum.setSkipAbove(*s);
        } else if (auto max = dyn_cast<ReduceMaxOp>(op)) {
          if (auto s = tagOf(max.getX(), Tag::Masked); s && alongLastAxis(max))
            max.setSkipAbove(*s);
        }
      });
    });
  }
};

} // namespace
