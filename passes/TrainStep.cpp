//===- TrainStep.cpp - loss -> gradients -> optimizer update --------------===//
//
// Turns each function with an `nn.train` dictionary into a training-step entry.
// Optimizer formulas follow PyTorch's (torch.optim), so losses can be compared step
// for step with the reference scripts:
//   sgd:      v' = momentum v + g;   p' = p - lr v'          (v only when momentum != 0)
//   adam:     m' = b1 m + (1-b1) g;  v' = b2 v + (1-b2) g^2;  t' = t + 1
//             p' = p - (lr / (1 - b1^t')) m' / (sqrt(v') / sqrt(1 - b2^t') + eps)
//             (the two scalars once per step, the second as a reciprocal: a multiply)
//   adamw:    adam applied to p (1 - lr wd); with decay_1d = 0, parameters of rank < 2
//             (biases, layer norms' scales and shifts) are not decayed (nanoGPT's rule)
//   rmsprop:  v' = rho v + (1-rho) g^2;  p' = p - lr g / (sqrt(v') + eps)
//
// With the `data-parallel` option each step NAME also gets two entries, which
// data-parallel training runs with an all-reduce of the gradients between them
// (docs/design.md, "Data-parallel training"):
//   NAME_grad:   the loss and the gradients (outputs `grad.<param>`), no update; its
//                noise ops draw rows [shard_row, shard_row + B) of the global batch's
//   NAME_apply:  the optimizer update from the inputs `grad.<param>` and `lr`
// The fused entry NAME is built as without the option. A step with `micro_batch N`
// (nn.train's micro_batch) gets the same two entries, which the runtime runs over
// slices of N rows and sums between (docs/design.md, "Micro-batched training steps").
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "passes/Autodiff.h"
#include "passes/ModelInputs.h"
#include "passes/Passes.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "nn-train-step"

namespace nn {
#define GEN_PASS_DEF_NNTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

namespace {

// Names of the data-parallel entries and inputs; the runtime's mirrors are in
// nnrt/model.h (NNRT_GRAD_ENTRY_SUFFIX ...): the compiler includes no runtime header.
constexpr StringLiteral kGradEntrySuffix = "_grad";
constexpr StringLiteral kApplyEntrySuffix = "_apply";
constexpr StringLiteral kGradInputPrefix = "grad.";
constexpr StringLiteral kShardRowInput = "shard_row";

/// Builds one training step into the gradient function `step`.
class StepBuilder {
public:
  StepBuilder(ModuleOp module, func::FuncOp step, DictionaryAttr config)
      : module(module), step(step), config(config), b(step.getContext()),
        loc(step.getLoc()) {}

  /// Appends the update of the parameters `wrt` (argument indices) to `step`, whose
  /// return holds the loss and then their gradients, or (`hasLoss` false, an update
  /// entry) only their gradients.
  LogicalResult run(ArrayRef<unsigned> wrt, bool hasLoss = true);

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

LogicalResult StepBuilder::run(ArrayRef<unsigned> wrt, bool hasLoss) {
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
  // Adam's bias corrections as the two scalars PyTorch computes once per step (lr /
  // (1 - b1^t) and sqrt(1 - b2^t), here its reciprocal), so that each element takes one
  // square root and one division: dividing every element by them cost three divisions
  // and a square root, which share one divider (W2's dense weight, 3.2M elements:
  // docs/design.md, "Adam's divisions").
  Value stepSize, invSqrtBc2;
  if (optimizer == "adam" || optimizer == "adamw") {
    stepSize = div(*lr, sub(s(1.0), pow(s(b1), t1)));
    invSqrtBc2 = div(s(1.0), sqrt(sub(s(1.0), pow(s(b2), t1))));
  }

  for (auto [k, argIndex] : llvm::enumerate(wrt)) {
    Value p = step.getArgument(argIndex);
    Value g = ret.getOperand(k + (hasLoss ? 1 : 0));
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
      Value denom = add(mul(sqrt(v1), invSqrtBc2), s(eps));
      newP = sub(base, mul(stepSize, div(m1, denom)));
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
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> attrs;
  if (hasLoss) {
    results.push_back(ret.getOperand(0));
    attrs.push_back(
        b.getDictionaryAttr(b.getNamedAttr("nn.output", b.getStringAttr("loss"))));
  }
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

/// The parameter name bound to argument `i` of `f`.
static StringRef paramName(func::FuncOp f, unsigned i) {
  return f.getArgAttrOfType<FlatSymbolRefAttr>(i, "nn.param").getValue();
}

/// NAME_grad: a copy of the differentiated `step` (loss, then the gradients of `wrt`)
/// whose gradient outputs are named `grad.<param>` and whose noise ops, when their dim 0
/// is the run-time batch, draw the rows of the global batch from the input `shard_row`
/// on (so a rank's dropout masks are those its examples get in a one-process run).
static void buildGradientEntry(ModuleOp module, func::FuncOp step, ArrayRef<unsigned> wrt) {
  OpBuilder b(step);
  b.setInsertionPointAfter(step);
  auto grad = cast<func::FuncOp>(b.clone(*step));
  grad.setSymName((step.getSymName() + kGradEntrySuffix).str());
  grad.setResultAttr(0, "nn.output", b.getStringAttr("loss"));
  for (auto [k, argIndex] : llvm::enumerate(wrt))
    grad.setResultAttr(k + 1, "nn.output",
                       b.getStringAttr(kGradInputPrefix + paramName(grad, argIndex)));
  SmallVector<Operation *> noise;
  grad.walk([&](Operation *op) {
    if (!isa<RandomUniformOp, RandomNormalOp>(op))
      return;
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    // Only a stream (the run's seed) and no row yet; dim 0 the batch.
    if (type && type.getRank() >= 1 && type.isDynamicDim(0) && op->getNumOperands() == 3)
      noise.push_back(op);
    else
      LLVM_DEBUG(llvm::dbgs() << "nn-train-step: " << grad.getSymName() << ": noise at "
                              << op->getLoc() << " keeps its rows (no run-time dim 0 or "
                              << "no stream): every rank draws the same\n");
  });
  if (noise.empty())
    return;
  auto i32 = RankedTensorType::get({}, b.getI32Type());
  declareInput(module, kShardRowInput, i32, step.getLoc());
  Value row = appendInputArg(grad, kShardRowInput, i32, step.getLoc());
  for (Operation *op : noise)
    op->insertOperands(op->getNumOperands(), row);
}

/// `micro_batch N`: the runtime slices every input of the step whose first dim is a
/// symbol along that dim (runtime/lib/MicroBatch.cpp), so it must be one symbol, the
/// batch's rows, which no input of the step has at another place.
static LogicalResult checkMicroBatch(ModuleOp module, func::FuncOp step, int64_t rows) {
  SmallVector<std::pair<StringRef, ArrayAttr>> inputs; // name, dims' symbols
  for (unsigned i = 0; i < step.getNumArguments(); ++i)
    if (auto ref = step.getArgAttrOfType<FlatSymbolRefAttr>(i, "nn.input"))
      if (auto in = module.lookupSymbol<InputOp>(ref.getAttr()))
        inputs.push_back({in.getSymName(), in.getDims()});
  StringRef batch, first;
  for (auto [name, dims] : inputs)
    if (!dims.empty() && !cast<StringAttr>(dims[0]).getValue().empty()) {
      batch = cast<StringAttr>(dims[0]).getValue();
      first = name;
      break;
    }
  std::string clause = "'micro_batch " + std::to_string(rows) + "'";
  if (batch.empty())
    return step.emitError(clause) << " slices the rows of the batch, but no input of the "
                                     "step has a symbolic first dim";
  for (auto [name, dims] : inputs)
    for (auto [d, dim] : llvm::enumerate(dims.getAsValueRange<StringAttr>()))
      if (!dim.empty() && (d == 0) != (dim == batch))
        return step.emitError(clause)
               << " slices the rows of the batch, the first dim '" << batch << "' of input '"
               << first << "', but input '" << name << "' has '" << dim << "' at dim " << d;
  return success();
}

/// NAME_apply: the optimizer update of `step`'s parameters `wrt` from the inputs
/// `grad.<param>` (and `lr`), built by the same StepBuilder as the fused step.
static LogicalResult buildApplyEntry(ModuleOp module, func::FuncOp step,
                                     ArrayRef<unsigned> wrt, DictionaryAttr config) {
  OpBuilder b(step);
  b.setInsertionPointAfter(step);
  Location loc = step.getLoc();
  auto apply = b.create<func::FuncOp>(loc, (step.getSymName() + kApplyEntrySuffix).str(),
                                      b.getFunctionType({}, {}));
  Block *body = apply.addEntryBlock();
  SmallVector<unsigned> params;
  for (unsigned argIndex : wrt) {
    unsigned index = apply.getNumArguments();
    (void)apply.insertArgument(index, step.getArgument(argIndex).getType(),
                               step.getArgAttrDict(argIndex), loc);
    params.push_back(index);
  }
  SmallVector<Value> grads;
  for (unsigned argIndex : wrt) {
    std::string name = (kGradInputPrefix + paramName(step, argIndex)).str();
    auto type = cast<RankedTensorType>(step.getArgument(argIndex).getType());
    declareInput(module, name, type, loc);
    grads.push_back(appendInputArg(apply, name, type, loc));
  }
  OpBuilder::atBlockEnd(body).create<func::ReturnOp>(loc, grads);
  return StepBuilder(module, apply, config).run(params, /*hasLoss=*/false);
}

struct TrainStepPass : public nn::impl::NNTrainStepBase<TrainStepPass> {
  using NNTrainStepBase::NNTrainStepBase;

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
      if (failed(step))
        return signalPassFailure();
      // A step with `micro_batch` runs as its gradient and update entries (the runtime
      // sums the micro-batches' gradients between them) when its batch is larger.
      auto micro = config.getAs<IntegerAttr>("micro_batch");
      if (micro && failed(checkMicroBatch(module, *step, micro.getInt())))
        return signalPassFailure();
      bool split = dataParallel || micro;
      if (split)
        buildGradientEntry(module, *step, wrt);
      if (failed(StepBuilder(module, *step, config).run(wrt)) ||
          (split && failed(buildApplyEntry(module, *step, wrt, config))))
        return signalPassFailure();
      loss.erase();
    }
  }
};

} // namespace
