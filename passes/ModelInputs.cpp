//===- ModelInputs.cpp - model inputs that passes add to entries ----------===//
#include "passes/ModelInputs.h"
#include "ir/NNOps.h"

using namespace mlir;

void nn::declareInput(ModuleOp module, StringRef name, RankedTensorType type, Location loc,
                      StringRef symbol) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder mb(module.getBody(), module.getBody()->begin());
  for (Operation &op : *module.getBody())
    if (isa<InputOp>(op))
      mb.setInsertionPointAfter(&op);
  SmallVector<StringRef> dims;
  for (int64_t d : type.getShape())
    dims.push_back(ShapedType::isDynamic(d) ? symbol : StringRef(""));
  mb.create<InputOp>(loc, mb.getStringAttr(name), TypeAttr::get(type),
                     mb.getStrArrayAttr(dims));
}

Value nn::appendInputArg(func::FuncOp f, StringRef name, Type type, Location loc) {
  Builder b(f.getContext());
  unsigned index = f.getNumArguments();
  (void)f.insertArgument(
      index, type,
      b.getDictionaryAttr(
          b.getNamedAttr("nn.input", FlatSymbolRefAttr::get(f.getContext(), name))),
      loc);
  return f.getArgument(index);
}
