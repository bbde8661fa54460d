//===- Views.cpp - values that share another value's buffer ---------------===//
#include "ir/Views.h"
#include "ir/NNOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace nn;

namespace {

/// Dense row-major strides of `shape` (its dims after the first are static).
SmallVector<int64_t> denseStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int i = (int)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// The strides of split_heads's result [..., H, S, D] over a buffer of [..., S, H*D]
/// with strides `merged`.
SmallVector<int64_t> headsStrides(ArrayRef<int64_t> merged, int64_t depth) {
  size_t r = merged.size();
  SmallVector<int64_t> s(merged.drop_back(2));
  s.append({depth * merged[r - 1], merged[r - 2], merged[r - 1]});
  return s;
}

/// `strides`, or empty when they are `type`'s dense ones.
SmallVector<int64_t> unlessDense(SmallVector<int64_t> strides, Type type) {
  if (strides == denseStrides(cast<ShapedType>(type).getShape()))
    return {};
  return strides;
}

} // namespace

bool nn::isBufferView(Operation *op) {
  return isa<ReshapeOp>(op) || (isa<SplitHeadsOp, MergeHeadsOp>(op) && op->hasAttr(kViewAttr));
}

SmallVector<int64_t> nn::bufferStrides(Value v) {
  if (auto split = v.getDefiningOp<SplitHeadsOp>(); split && split->hasAttr(kViewAttr)) {
    auto x = cast<ShapedType>(split.getX().getType());
    SmallVector<int64_t> in = bufferStrides(split.getX());
    if (in.empty())
      in = denseStrides(x.getShape());
    return unlessDense(headsStrides(in, x.getShape().back() / split.getHeads()), v.getType());
  }
  for (Operation *user : v.getUsers())
    if (auto merge = dyn_cast<MergeHeadsOp>(user); merge && merge->hasAttr(kViewAttr)) {
      auto shape = cast<ShapedType>(v.getType()).getShape();
      SmallVector<int64_t> merged =
          denseStrides(cast<ShapedType>(merge.getType()).getShape());
      return unlessDense(headsStrides(merged, shape.back()), v.getType());
    }
  return {};
}

void nn::recordStrides(KernelOp kernel) {
  Builder b(kernel.getContext());
  SmallVector<Attribute> all;
  bool strided = false;
  auto add = [&](Value v) {
    SmallVector<int64_t> s = bufferStrides(v);
    strided |= !s.empty();
    all.push_back(b.getDenseI64ArrayAttr(s));
  };
  for (Value v : kernel.getInputs())
    add(v);
  for (Value v : kernel.getResults())
    add(v);
  if (strided)
    kernel->setAttr(kStridesAttr, b.getArrayAttr(all));
  else
    kernel->removeAttr(kStridesAttr);
}

SmallVector<int64_t> nn::recordedStrides(KernelOp kernel, unsigned i) {
  auto all = kernel->getAttrOfType<ArrayAttr>(kStridesAttr);
  if (!all || i >= all.size())
    return {};
  auto s = dyn_cast<DenseI64ArrayAttr>(all[i]);
  return s ? SmallVector<int64_t>(s.asArrayRef()) : SmallVector<int64_t>();
}
