//===- NNOps.cpp - constants, model declarations and kernels ---------------===//
//
// The compute ops live in families under ops/ (each .td with its .cpp). This file
// holds the ops that are not computations: constants, the model's inputs and
// variables, and nn.kernel; and it instantiates the generated op classes.
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace nn;

Value nn::buildScalar(OpBuilder &b, Location loc, double value) {
  auto type = RankedTensorType::get({}, b.getF32Type());
  return b.create<ConstantOp>(
      loc, type, DenseElementsAttr::get(type, b.getF32FloatAttr(value).getValue()));
}

//===----------------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(cast<TypedAttr>(adaptor.getValue()).getType());
  return success();
}

bool ConstantOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return areCompatibleTypeLists(l, r);
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------------===//
// Model declarations
//===----------------------------------------------------------------------------===//

LogicalResult InputOp::verify() {
  auto t = dyn_cast<RankedTensorType>(getType());
  if (!t)
    return emitOpError("input type must be ranked, got ") << getType();
  if ((int64_t)getDims().size() != t.getRank())
    return emitOpError("has ") << getDims().size() << " dim names for rank "
                               << t.getRank();
  for (auto [i, name] : llvm::enumerate(getDims().getAsValueRange<StringAttr>())) {
    bool dynamic = t.isDynamicDim(i);
    if (dynamic == name.empty())
      return emitOpError("dim ") << i << (dynamic ? " is dynamic but has no symbol name"
                                                  : " is static but has a symbol name");
  }
  return success();
}

LogicalResult VariableOp::verify() {
  auto t = dyn_cast<RankedTensorType>(getType());
  if (!t || !t.hasStaticShape())
    return emitOpError("variable type must have a static shape, got ") << getType();
  static const char *const inits[] = {"zeros",  "ones",    "glorot_uniform", "he_uniform",
                                      "normal", "uniform", "constant"};
  if (!llvm::is_contained(inits, getInit()))
    return emitOpError("unknown initializer '") << getInit() << "'";
  return success();
}

//===----------------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------------===//

StringRef KernelOp::getFusionKind() {
  if (auto dict = (*this)->getAttrOfType<DictionaryAttr>("nn.fusion"))
    if (auto kind = dict.getAs<StringAttr>("kind"))
      return kind.getValue();
  return "unknown";
}

LogicalResult KernelOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("has ") << body.getNumArguments() << " block arguments for "
                               << getInputs().size() << " inputs";
  for (auto [arg, input] : llvm::zip(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("block argument type ")
             << arg.getType() << " differs from input type " << input.getType();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (!areCompatibleTypeLists(yield.getValues().getTypes(), getResultTypes()))
    return emitOpError("yields ") << yield.getValues().getTypes()
                                  << " but declares results " << getResultTypes();
  return success();
}

#include "ir/NNInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "ir/NNOps.cpp.inc"
