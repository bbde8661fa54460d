//===- ShapeInference.cpp - refine tensor types from type inference -------===//
#include "passes/Passes.h"
#include "ir/ShapeRules.h"

namespace nn {
#define GEN_PASS_DEF_NNSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;

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
    for (auto [value, type] : llvm::zip(op->getResults(), types))
      if (value.getType() != type)
        value.setType(type);
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

} // namespace nn

namespace {
struct ShapeInferencePass
    : public nn::impl::NNShapeInferenceBase<ShapeInferencePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (failed(nn::refineTypes(func.getBody())))
        return signalPassFailure();
      // Function results follow the values they return.
      auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
      func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                     ret.getOperandTypes()));
    }
  }
};
} // namespace
