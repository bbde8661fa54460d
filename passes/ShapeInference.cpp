//===- ShapeInference.cpp - refine tensor types from type inference -------===//
#include "passes/Passes.h"
#include "ir/ShapeRules.h"

namespace nn {
#define GEN_PASS_DEF_NNSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

namespace {

/// The more precise of two compatible types: ranked beats unranked, and a static dim
/// beats a dynamic one. `current` when they are not compatible.
Type mostPrecise(Type current, Type inferred) {
  auto c = dyn_cast<TensorType>(current), i = dyn_cast<TensorType>(inferred);
  if (!c || !i || !nn::areCompatibleTypes(c, i))
    return inferred; // let the verifier report it
  if (!i.hasRank())
    return c;
  if (!c.hasRank())
    return i;
  SmallVector<int64_t> shape;
  for (auto [dc, di] : llvm::zip(c.getShape(), i.getShape()))
    shape.push_back(ShapedType::isDynamic(dc) ? di : dc);
  return RankedTensorType::get(shape, c.getElementType());
}

} // namespace

namespace nn {

LogicalResult refineTypes(Region &region) {
  WalkResult result = region.walk<WalkOrder::PreOrder>([](Operation *op) {
    auto infer = dyn_cast<InferTypeOpInterface>(op);
    if (!infer)
      return WalkResult::advance();
    SmallVector<Type> types;
    if (failed(infer.inferReturnTypes(op->getContext(), op->getLoc(), op->getOperands(),
                                      op->getRawDictionaryAttrs(),
                                      op->getPropertiesStorage(), op->getRegions(),
                                      types)))
      return WalkResult::interrupt();
    for (auto [value, type] : llvm::zip(op->getResults(), types)) {
      Type refined = mostPrecise(value.getType(), type);
      if (value.getType() != refined)
        value.setType(refined);
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

} // namespace nn

namespace {
struct ShapeInferencePass
    : public nn::impl::NNShapeInferenceBase<ShapeInferencePass> {
  /// Refines every function; a function whose result types change updates its call
  /// sites, whose callers are refined again (until nothing changes).
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (unsigned round = 0, changed = true; changed && round < 64; ++round) {
      changed = false;
      for (auto func : module.getOps<func::FuncOp>()) {
        if (func.isExternal())
          continue;
        if (failed(nn::refineTypes(func.getBody())))
          return signalPassFailure();
        // Function results follow the values they return.
        auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
        if (TypeRange(ret.getOperandTypes()) == func.getResultTypes())
          continue;
        func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                       ret.getOperandTypes()));
        changed = true;
        if (auto uses = SymbolTable::getSymbolUses(func, module))
          for (const SymbolTable::SymbolUse &use : *uses)
            if (auto call = dyn_cast<func::CallOp>(use.getUser()))
              for (auto [r, t] : llvm::zip(call.getResults(), ret.getOperandTypes()))
                r.setType(t);
      }
    }
  }
};
} // namespace
