//===- TrainStep.cpp - loss -> gradients -> optimizer update --------------===//
//
// Turns each function with an `nn.train` dictionary into a training-step entry.
// Optimizer formulas follow PyTorch's (torch.optim), so losses can be compared step
// for step with the reference scripts:
//   sgd:      v' = momentum v + g;   p' = p - lr v'          (v only when momentum != 0)
//   adam:     m' = b1 m + (1-b1) g;  v' = b2 v + (1-b2) g^2;  t' = t + 1
//             p' = p - lr (m' / (1 - b1^t')) / (sqrt(v' / (1 - b2^t')) + eps)
//   adamw:    adam applied to p (1 - lr wd); with decay_1d = 0, parameters of rank < 2
//             (biases, layer norms' scales and shifts) are not decayed (nanoGPT's rule)
//   rmsprop:  v' = rho v + (1-rho) g^2;  p' = p - lr g / (sqrt(v') + eps)
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "passes/Autodiff.h"
#include "passes/Passes.h"

namespace nn {
#define GEN_PASS_DEF_NNTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

namespace {

/// Builds one training step into the gradient function `step`.
class StepBuilder {
public:
  StepBuilder(ModuleOp module, func::FuncOp step, DictionaryAttr config)
      : module(module), step(step), config(config), b(step.getContext()),
        loc(step.getLoc()) {}

  LogicalResult run(ArrayRef<unsigned> wrt);

private:
  double num(StringRef key, double fallback) {
    if (auto f = config.getAs<FloatAttr>(key))
      return f.getValueAsDouble();
    return fallback;
  }
  Value s(double v) { return buildScalar(b, loc, v); }
  Value add(Value x, Value y) { return buildInferred<AddOp>(b, loc, {x, y}); }
  Value sub(Value x, Value y) { return buildInferred<SubOp>(b, loc, {x, y}); }
  Value mul(Value x, Value y) { return buildInferred<MulOp>(b, loc, {x, y}); }
  Value div(Value x, Value y) { return buildInferred<DivOp>(b, loc, {x, y}); }
  Value sqrt(Value x) { return buildInferred<SqrtOp>(b, loc, x); }
  Value pow(Value x, Value y) { return buildInferred<PowOp>(b, loc, {x, y}); }

  /// The argument bound to variable `name` (declared zero-initialized, not trainable,
  /// of `type`, when missing).
  Value stateArg(StringRef name, RankedTensorType type);
  /// The argument bound to the rank-0 f32 model input `lr`.
  FailureOr<Value> lrArg();
  void update(Value newValue, Value arg) { updates.push_back({newValue, arg}); }

  ModuleOp module;
  func::FuncOp step;
  DictionaryAttr config;
  OpBuilder b;
  Location loc;
  SmallVector<std::pair<Value, Value>> updates; // new value, argument it replaces
};

Value StepBuilder::stateArg(StringRef name, RankedTensorType type) {
  auto ref = FlatSymbolRefAttr::get(b.getContext(), name);
  for (unsigned i = 0; i < step.getNumArguments(); ++i)
    if (step.getArgAttr(i, "nn.param") == ref)
      return step.getArgument(i);
  if (!module.lookupSymbol(name)) {
    OpBuilder mb(step);
    mb.create<VariableOp>(loc, mb.getStringAttr(name), TypeAttr::get(type),
                          mb.getStringAttr("zeros"), mb.getF32ArrayAttr({}),
                          mb.getBoolAttr(false));
  }
  unsigned index = step.getNumArguments();
  (void)step.insertArgument(index, type,
                            b.getDictionaryAttr(b.getNamedAttr("nn.param", ref)), loc);
  return step.getArgument(index);
}

FailureOr<Value> StepBuilder::lrArg() {
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  auto input = module.lookupSymbol<InputOp>("lr");
  if (input && input.getType() != scalarType)
    return input.emitError("the input 'lr' is the learning rate of training steps and "
                           "must be f32[]");
  if (!input) {
    OpBuilder mb(module.getBody(), module.getBody()->begin());
    for (Operation &op : *module.getBody())
      if (isa<InputOp>(op))
        mb.setInsertionPointAfter(&op);
    mb.create<InputOp>(loc, mb.getStringAttr("lr"), TypeAttr::get(scalarType),
                       mb.getStrArrayAttr({}));
  }
  auto ref = FlatSymbolRefAttr::get(b.getContext(), "lr");
  for (unsigned i = 0; i < step.getNumArguments(); ++i)
    if (step.getArgAttr(i, "nn.input") == ref)
      return step.getArgument(i);
  unsigned index = step.getNumArguments();
  (void)step.insertArgument(index, scalarType,
                            b.getDictionaryAttr(b.getNamedAttr("nn.input", ref)), loc);
  return step.getArgument(index);
}

LogicalResult StepBuilder::run(ArrayRef<unsigned> wrt) {
  auto ret = cast<func::ReturnOp>(step.getBody().front().getTerminator());
  b.setInsertionPoint(ret);
  StringRef optimizer = config.getAs<StringAttr>("optimizer").getValue();
  std::string name = config.getAs<StringAttr>("name").getValue().str();

  FailureOr<Value> lr = lrArg();
  if (failed(lr))
    return failure();
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  Value t = stateArg(name + ".step", scalarType);
  Value t1 = add(t, s(1.0));
  update(t1, t);

  double b1 = num("beta1", 0.9), b2 = num("beta2", 0.999), eps = num("eps", 1e-7);
  double momentum = num("momentum", 0), rho = num("rho", 0.9), wd = num("weight_decay", 0);
  bool decay1d = num("decay_1d", 1) != 0;
  Value bc1, bc2;
  if (optimizer == "adam" || optimizer == "adamw") {
    bc1 = sub(s(1.0), pow(s(b1), t1));
    bc2 = sub(s(1.0), pow(s(b2), t1));
  }

  for (auto [k, argIndex] : llvm::enumerate(wrt)) {
    Value p = step.getArgument(argIndex);
    Value g = ret.getOperand(k + 1);
    auto type = cast<RankedTensorType>(p.getType());
    std::string pname =
        step.getArgAttrOfType<FlatSymbolRefAttr>(argIndex, "nn.param").getValue().str();
    Value newP;
    if (optimizer == "sgd") {
      Value dir = g;
      if (momentum != 0) {
        Value v = stateArg(pname + ".momentum", type);
        dir = add(mul(s(momentum), v), g);
        update(dir, v);
      }
      newP = sub(p, mul(*lr, dir));
    } else if (optimizer == "adam" || optimizer == "adamw") {
      bool decays = optimizer == "adamw" && (type.getRank() >= 2 || decay1d);
      Value base = decays ? mul(p, sub(s(1.0), mul(*lr, s(wd)))) : p;
      Value m = stateArg(pname + ".m", type), v = stateArg(pname + ".v", type);
      Value m1 = add(mul(s(b1), m), mul(s(1 - b1), g));
      Value v1 = add(mul(s(b2), v), mul(s(1 - b2), mul(g, g)));
      Value denom = add(sqrt(div(v1, bc2)), s(eps));
      newP = sub(base, mul(*lr, div(div(m1, bc1), denom)));
      update(m1, m);
      update(v1, v);
    } else if (optimizer == "rmsprop") {
      Value v = stateArg(pname + ".rms", type);
      Value v1 = add(mul(s(rho), v), mul(s(1 - rho), mul(g, g)));
      newP = sub(p, mul(*lr, div(g, add(sqrt(v1), s(eps)))));
      update(v1, v);
    } else {
      return step.emitError("unknown optimizer '") << optimizer << "'";
    }
    if (!newP)
      return failure();
    update(newP, p);
  }

  // Results: the loss, then every updated value tagged with the variable it replaces.
  SmallVector<Value> results{ret.getOperand(0)};
  SmallVector<DictionaryAttr> attrs{
      b.getDictionaryAttr(b.getNamedAttr("nn.output", b.getStringAttr("loss")))};
  for (auto [value, arg] : updates) {
    unsigned index = cast<BlockArgument>(arg).getArgNumber();
    results.push_back(value);
    attrs.push_back(b.getDictionaryAttr(
        b.getNamedAttr("nn.update", step.getArgAttr(index, "nn.param"))));
  }
  b.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();
  step.setType(FunctionType::get(step.getContext(), step.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  step.setAllResultAttrs(attrs);
  return success();
}

struct TrainStepPass : public nn::impl::NNTrainStepBase<TrainStepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> losses;
    for (auto f : module.getOps<func::FuncOp>())
      if (f->hasAttr("nn.train"))
        losses.push_back(f);
    for (func::FuncOp loss : losses) {
      auto config = loss->getAttrOfType<DictionaryAttr>("nn.train");
      SmallVector<unsigned> wrt =
          trainableArguments(module, loss, loss->getAttrOfType<ArrayAttr>("nn.wrt"));
      auto name = config.getAs<StringAttr>("name");
      if (!name || !config.getAs<StringAttr>("optimizer")) {
        loss.emitError("nn.train needs 'name' and 'optimizer'");
        return signalPassFailure();
      }
      FailureOr<func::FuncOp> step = differentiate(loss, wrt, name.getValue());
      if (failed(step) || failed(StepBuilder(module, *step, config).run(wrt)))
        return signalPassFailure();
      loss.erase();
    }
  }
};

} // namespace
