//===- MLIRGen.cpp - lower the checked AST to the nn dialect --------------===//
//
// Entry points are generated on demand: a let binding is lowered when an entry first
// uses it (so `infer` only computes what its outputs need), layer calls declare their
// parameters on first lowering, and each user function is emitted once per distinct
// argument-type signature as a private function, which the inliner later folds in.
//
//===----------------------------------------------------------------------------===//
#include "frontend/MLIRGen.h"
#include "frontend/MLIRGenImpl.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "ir/Limits.h"
#include "ir/ShapeRules.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include <set>
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace nnc;


MLIRGenImpl::MLIRGenImpl(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                         const ast::Module &module, const ast::ModelDecl &model)
    : context(context), sourceMgr(sourceMgr), astModule(module), model(model),
      builder(&context) {}

Location MLIRGenImpl::loc(llvm::SMLoc l) {
  unsigned buffer = sourceMgr.FindBufferContainingLoc(l);
  if (!buffer)
    return builder.getUnknownLoc();
  auto [line, col] = sourceMgr.getLineAndColumn(l, buffer);
  StringRef file = sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
  return FileLineColLoc::get(builder.getStringAttr(file), line, col);
}

Value MLIRGenImpl::error(llvm::SMLoc l, const llvm::Twine &message) {
  // Already in the language's terms: not rewritten by run()'s handler.
  ownError = true;
  emitError(loc(l)) << message;
  ownError = false;
  return nullptr;
}

Value MLIRGenImpl::checkSize(llvm::SMLoc l, Value v) {
  if (!v)
    return v;
  int64_t count = 1;
  for (int64_t d : shapeOf(v)) {
    if (ShapedType::isDynamic(d))
      continue;
    std::optional<int64_t> product = nn::checkedMul(count, d);
    if (!product || *product > nn::kMaxElements)
      return error(l, "the result " + describe(v) + " has more than " +
                          Twine(nn::kMaxElements) + " elements, the limit per tensor");
    count = *product;
  }
  return v;
}

/// The name of dynamic dim `i` of `v`: the symbol of the input it comes from, found
/// by following, through the ops that made `v`, an operand with a dynamic dim at the
/// same place (aligned at the right, then at the left). Empty when not found.
/// nullopt when the search ends elsewhere (a function argument); "?" for a dim that a
/// reshape made, a product of symbols and numbers.
static std::optional<StringRef>
findDimName(Value v, size_t i, const llvm::DenseMap<Value, SmallVector<StringRef>> &inputs) {
  for (unsigned steps = 0; v && steps < 10000; ++steps) {
    auto it = inputs.find(v);
    if (it != inputs.end())
      return i < it->second.size() ? it->second[i] : StringRef("?");
    Operation *op = v.getDefiningOp();
    if (op && isa<nn::ReshapeOp>(op))
      return StringRef("?");
    if (!op)
      return std::nullopt;
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    Value next;
    size_t nextDim = 0;
    for (bool fromRight : {true, false})
      for (Value operand : op->getOperands()) {
        auto t = dyn_cast<RankedTensorType>(operand.getType());
        if (next || !t)
          continue;
        int64_t j = fromRight ? t.getRank() - (rank - int64_t(i)) : int64_t(i);
        if (j >= 0 && j < t.getRank() && t.isDynamicDim(j)) {
          next = operand;
          nextDim = j;
        }
      }
    v = next;
    i = nextDim;
  }
  return std::nullopt;
}

llvm::SmallSetVector<StringRef, 4> MLIRGenImpl::modelSymbols() const {
  llvm::SmallSetVector<StringRef, 4> symbols;
  for (const auto &stmt : model.getBody())
    if (const auto *input = dyn_cast<ast::InputStmt>(stmt.get()))
      for (const ast::Dim &d : input->getType().dims)
        if (d.isSymbolic())
          symbols.insert(d.symbol);
  return symbols;
}

std::string MLIRGenImpl::describe(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  // The model's symbols: with just one, every dynamic dim that is not a product is it.
  llvm::SmallSetVector<StringRef, 4> symbols = modelSymbols();
  std::string out = t.getElementType().isInteger(32) ? "i32[" : "f32[";
  for (auto [i, d] : llvm::enumerate(t.getShape())) {
    if (i)
      out += ", ";
    if (!ShapedType::isDynamic(d)) {
      out += std::to_string(d);
      continue;
    }
    std::optional<StringRef> name = findDimName(v, i, inputDims);
    out += name          ? name->str()
           : symbols.size() == 1 ? symbols[0].str()
                                 : "?";
  }
  return out + "]";
}

std::string MLIRGenImpl::rewriteMessage(StringRef message) {
  llvm::SmallSetVector<StringRef, 4> symbols = modelSymbols();
  std::string out;
  while (!message.empty()) {
    size_t op = message.find("'nn.");
    size_t q = message.find('?');
    size_t at = std::min(op, q);
    out += message.take_front(at).str();
    if (at == StringRef::npos)
      break;
    message = message.drop_front(at);
    if (at == op) {
      size_t close = message.find('\'', 1);
      StringRef name = message.slice(4, close);
      out += "'" + (spelling.empty() ? name.str() : spelling) + "'";
      message = close == StringRef::npos ? StringRef() : message.drop_front(close + 1);
    } else {
      bool inShape = StringRef(out).ends_with("[") || StringRef(out).ends_with(", ");
      out += inShape && symbols.size() == 1 ? symbols[0].str() : "?";
      message = message.drop_front(1);
    }
  }
  return out;
}

Value MLIRGenImpl::scalar(llvm::SMLoc l, double value) {
  auto type = RankedTensorType::get({}, builder.getF32Type());
  auto attr = DenseElementsAttr::get(type, builder.getF32FloatAttr(value).getValue());
  return builder.create<nn::ConstantOp>(loc(l), type, attr);
}

RankedTensorType MLIRGenImpl::convertType(const ast::TensorType &type) {
  SmallVector<int64_t> shape;
  for (const ast::Dim &d : type.dims)
    shape.push_back(d.isSymbolic() ? ShapedType::kDynamic : d.size);
  Type element = type.dtype == ast::DType::F32 ? Type(builder.getF32Type())
                                               : Type(builder.getI32Type());
  return RankedTensorType::get(shape, element);
}

//===----------------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------------===//

Value MLIRGenImpl::param(llvm::SMLoc l, StringRef name, RankedTensorType type,
                         StringRef init, ArrayRef<float> initArgs, bool trainable) {
  auto it = variables.find(name);
  if (it == variables.end()) {
    int64_t count = 1;
    for (int64_t d : type.getShape()) {
      std::optional<int64_t> product = nn::checkedMul(count, d);
      if (!product || *product > nn::kMaxElements)
        return error(l, "parameter '" + name + "' would have more than " +
                            Twine(nn::kMaxElements) + " elements, the limit per tensor");
      count = *product;
    }
    OpBuilder::InsertionGuard guard(builder);
    // Variables go after the inputs and earlier variables, before any function.
    Operation *firstFunc = nullptr;
    for (Operation &op : module.getBody()->getOperations())
      if (isa<func::FuncOp>(op)) {
        firstFunc = &op;
        break;
      }
    if (firstFunc)
      builder.setInsertionPoint(firstFunc);
    else
      builder.setInsertionPointToEnd(module.getBody());
    auto var = builder.create<nn::VariableOp>(loc(l), builder.getStringAttr(name),
                                              TypeAttr::get(type),
                                              builder.getStringAttr(init),
                                              builder.getF32ArrayAttr(initArgs),
                                              builder.getBoolAttr(trainable));
    it = variables.insert({name, var}).first;
  } else if (it->second.getType() != type) {
    return error(l, "parameter '" + name + "' is used with two shapes");
  }
  if (Value v = state->params.lookup(name))
    return v;
  Block &entry = state->func.getBody().front();
  Value arg = entry.addArgument(type, loc(l));
  state->argAttrs.push_back(builder.getDictionaryAttr(
      attr("nn.param", FlatSymbolRefAttr::get(&context, name))));
  state->params[name] = arg;
  return arg;
}

Value MLIRGenImpl::inputArg(const ast::InputStmt &input) {
  if (Value v = state->inputs.lookup(&input))
    return v;
  Block &entry = state->func.getBody().front();
  Value arg = entry.addArgument(convertType(input.getType()), loc(input.getNameLoc()));
  SmallVector<StringRef> &dims = inputDims[arg];
  for (const ast::Dim &d : input.getType().dims)
    dims.push_back(d.isSymbolic() ? StringRef(d.symbol) : StringRef());
  state->argAttrs.push_back(builder.getDictionaryAttr(
      attr("nn.input", FlatSymbolRefAttr::get(&context, input.getName()))));
  state->inputs[&input] = arg;
  return arg;
}

Value MLIRGenImpl::runSeedArg(llvm::SMLoc l) {
  if (state->runSeed)
    return state->runSeed;
  auto type = RankedTensorType::get({}, builder.getI32Type());
  for (const auto &stmt : model.getBody())
    if (const auto *input = dyn_cast<ast::InputStmt>(stmt.get());
        input && input->getName() == "seed") {
      if (convertType(input->getType()) != type)
        return error(input->getNameLoc(), "the input 'seed' is the run's seed in entries "
                                          "with dropout or noise and must be i32[]");
      return state->runSeed = inputArg(*input);
    }
  if (!module.lookupSymbol("seed")) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(module.getBody());
    for (Operation &op : module.getBody()->getOperations())
      if (isa<nn::InputOp>(op))
        builder.setInsertionPointAfter(&op);
    builder.create<nn::InputOp>(loc(l), "seed", type, builder.getStrArrayAttr({}));
  }
  Block &entry = state->func.getBody().front();
  state->runSeed = entry.addArgument(type, loc(l));
  state->argAttrs.push_back(builder.getDictionaryAttr(
      attr("nn.input", FlatSymbolRefAttr::get(&context, "seed"))));
  return state->runSeed;
}

bool MLIRGenImpl::genDeclarations() {
  builder.setInsertionPointToEnd(module.getBody());
  for (const auto &stmt : model.getBody()) {
    if (const auto *input = dyn_cast<ast::InputStmt>(stmt.get())) {
      SmallVector<StringRef> dims;
      for (const ast::Dim &d : input->getType().dims)
        dims.push_back(d.isSymbolic() ? StringRef(d.symbol) : StringRef());
      builder.create<nn::InputOp>(loc(input->getNameLoc()), input->getName(),
                                  convertType(input->getType()),
                                  builder.getStrArrayAttr(dims));
    }
  }
  return true;
}

/// Records the defaults of the (first) train statement for the runtime: dataset,
/// batch size, epochs, seed, learning rate, its schedule and warm-up; and the steps of an
/// iteration (every train statement in order, with its learning rate).
void MLIRGenImpl::recordTrainConfig() {
  for (const auto &stmt : model.getBody()) {
    const auto *train = dyn_cast<ast::TrainStmt>(stmt.get());
    if (!train)
      continue;
    SmallVector<NamedAttribute> fields;
    fields.push_back(attr("data", builder.getStringAttr(train->data.value)));
    // The data clause's options, in file order, as [key, value] string pairs (integers
    // by their spelling): the runtime parses and checks them again.
    if (!train->dataOptions.empty()) {
      SmallVector<Attribute> options;
      for (const ast::DataOption &o : train->dataOptions)
        options.push_back(builder.getStrArrayAttr({o.key, o.value}));
      fields.push_back(attr("data_options", builder.getArrayAttr(options)));
    }
    fields.push_back(attr("batch", builder.getI64IntegerAttr(
                                       train->batch.value.value_or(32))));
    fields.push_back(attr("epochs", builder.getI64IntegerAttr(
                                        train->epochs.value.value_or(1))));
    fields.push_back(
        attr("seed", builder.getI64IntegerAttr(train->seed.value.value_or(0))));
    DictionaryAttr optimizer = optimizerConfig(*train);
    fields.push_back(attr("optimizer", optimizer.get("optimizer")));
    fields.push_back(attr("lr", optimizer.get("lr")));
    StringRef schedule = train->schedule.value;
    fields.push_back(
        attr("schedule", builder.getStringAttr(schedule.empty() ? "constant" : schedule)));
    fields.push_back(
        attr("warmup", builder.getI64IntegerAttr(train->warmup.value.value_or(0))));
    fields.push_back(attr("entry", builder.getStringAttr(train->getName())));
    fields.push_back(attr("loss", builder.getStringAttr("loss")));
    // Every step, in file order: one iteration of the driver's `train`.
    SmallVector<Attribute> steps;
    for (const auto &other : model.getBody())
      if (const auto *step = dyn_cast<ast::TrainStmt>(other.get())) {
        SmallVector<NamedAttribute> stepFields{
            attr("entry", builder.getStringAttr(step->getName())),
            attr("loss", builder.getStringAttr("loss")),
            attr("lr", optimizerConfig(*step).get("lr"))};
        if (step->microBatch.value)
          stepFields.push_back(
              attr("micro_batch", builder.getI64IntegerAttr(*step->microBatch.value)));
        steps.push_back(builder.getDictionaryAttr(stepFields));
      }
    fields.push_back(attr("steps", builder.getArrayAttr(steps)));
    module->setAttr("nn.train", builder.getDictionaryAttr(fields));
    return;
  }
}

//===----------------------------------------------------------------------------===//
// Entries
//===----------------------------------------------------------------------------===//

func::FuncOp MLIRGenImpl::startEntry(llvm::SMLoc l, StringRef name, FuncState &fs) {
  builder.setInsertionPointToEnd(module.getBody());
  auto func = builder.create<func::FuncOp>(loc(l), name, builder.getFunctionType({}, {}));
  fs.func = func;
  state = &fs;
  opCounter.count = 0;
  builder.setInsertionPointToStart(func.addEntryBlock());
  return func;
}

void MLIRGenImpl::finishEntry(FuncState &fs, ArrayRef<Value> results,
                              ArrayRef<StringRef> names) {
  func::FuncOp func = fs.func;
  builder.setInsertionPointToEnd(&func.getBody().front());
  builder.create<func::ReturnOp>(func.getLoc(), results);
  func.setType(builder.getFunctionType(func.getBody().getArgumentTypes(),
                                       ValueRange(results).getTypes()));
  func.setAllArgAttrs(fs.argAttrs);
  SmallVector<DictionaryAttr> resultAttrs;
  for (StringRef n : names)
    resultAttrs.push_back(
        builder.getDictionaryAttr(attr("nn.output", builder.getStringAttr(n))));
  func.setAllResultAttrs(resultAttrs);
  state = nullptr;
}

bool MLIRGenImpl::genInferEntry() {
  SmallVector<const ast::LetStmt *> outputs;
  for (const auto &stmt : model.getBody())
    if (const auto *let = dyn_cast<ast::LetStmt>(stmt.get()); let && let->isInfer())
      outputs.push_back(let);
  if (outputs.empty())
    return true;

  mode = Mode::Infer;
  noiseSites = 0;
  FuncState fs;
  startEntry(outputs.front()->getLoc(), "infer", fs);
  SmallVector<Value> results;
  SmallVector<StringRef> names;
  bool ok = true;
  for (const ast::LetStmt *out : outputs) {
    // Every output is generated, so that an error in one does not hide the others.
    Value v = genLet(*out);
    ok &= bool(v);
    results.push_back(v);
    names.push_back(out->getName());
  }
  if (!ok) {
    state = nullptr;
    return false;
  }
  finishEntry(fs, results, names);
  return checkInlinedSize(fs.func);
}

/// The optimizer call of a train statement as a dictionary of numbers (defaults from
/// Builtins.def filled in), plus its name.
DictionaryAttr MLIRGenImpl::optimizerConfig(const ast::TrainStmt &train) {
  const ast::CallExpr &opt = train.getOptimizer();
  const BuiltinInfo &info = getBuiltinInfo(*opt.getBuiltin());
  SmallVector<NamedAttribute> fields;
  fields.push_back(attr("name", builder.getStringAttr(train.getName())));
  fields.push_back(attr("optimizer", builder.getStringAttr(opt.getCallee())));
  for (auto [i, p] : llvm::enumerate(info.params)) {
    const ast::Expr *e =
        i < opt.getBoundArgs().size() ? opt.getBoundArgs()[i] : nullptr;
    double v = 0;
    if (std::optional<double> literal = literalNumber(e))
      v = *literal;
    else if (!llvm::to_float(p.defaultValue, v))
      continue;
    fields.push_back(attr(p.name, builder.getF32FloatAttr(v)));
  }
  return builder.getDictionaryAttr(fields);
}

bool MLIRGenImpl::genTrainEntry(const ast::TrainStmt &train) {
  mode = Mode::Train;
  noiseSites = 0;
  trainName = train.getName().str();
  FuncState fs;
  func::FuncOp func = startEntry(train.getLoc(), trainName + "_loss", fs);
  Value loss = genExpr(train.getLoss());
  if (!loss) {
    state = nullptr;
    return false;
  }
  if (loss.getType() != RankedTensorType::get({}, builder.getF32Type())) {
    error(train.getLoss().getLoc(),
          "the minimized expression must be a scalar f32[], got " + describe(loss));
    state = nullptr;
    return false;
  }
  finishEntry(fs, loss, {"loss"});
  if (!checkInlinedSize(func))
    return false;
  DictionaryAttr config = optimizerConfig(train);
  if (train.microBatch.value) {
    // nn-train-step then also builds the gradient and update entries the runtime runs
    // the micro-batches with.
    NamedAttrList fields(config);
    fields.set("micro_batch", builder.getI64IntegerAttr(*train.microBatch.value));
    config = fields.getDictionary(builder.getContext());
  }
  func->setAttr("nn.train", config);
  if (!train.over.empty()) {
    // `over NAME, ...`: parameters, or every parameter of a layer instance.
    SmallVector<Attribute> wrt;
    for (const auto &[name, l] : train.over)
      for (auto &entry : variables)
        if (entry.getKey() == name || entry.getKey().starts_with(name + "."))
          wrt.push_back(FlatSymbolRefAttr::get(&context, entry.getKey()));
    func->setAttr("nn.wrt", builder.getArrayAttr(wrt));
  }
  return true;
}

std::pair<Value, Value> MLIRGenImpl::noiseSite(llvm::SMLoc l) {
  // Each site offsets the counter by 2^20 steps, keeping it an exact float for 16
  // sites of an entry; the run's seed is the stream. Inference has no step: counter 0.
  Value offset = scalar(l, double(1 << 20) * noiseSites++);
  Value counter = offset;
  if (mode == Mode::Train) {
    auto scalarType = RankedTensorType::get({}, builder.getF32Type());
    Value step =
        param(l, trainName + ".step", scalarType, "zeros", {}, /*trainable=*/false);
    counter = create<nn::AddOp>(l, {step, offset});
  }
  return {counter, runSeedArg(l)};
}

Value MLIRGenImpl::dropout(llvm::SMLoc l, Value x, double rate) {
  if (mode == Mode::Infer || rate == 0)
    return x;
  auto [seed, stream] = noiseSite(l);
  if (!seed || !stream)
    return nullptr;
  Value u = create<nn::RandomUniformOp>(l, {x, seed, stream});
  Value keep = create<nn::GreaterOp>(l, {u, scalar(l, rate)});
  Value mask = create<nn::DivOp>(l, {keep, scalar(l, 1.0 - rate)});
  return create<nn::MulOp>(l, {x, mask});
}

//===----------------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------------===//

Value MLIRGenImpl::genLet(const ast::LetStmt &let) {
  if (Value v = state->values.lookup(&let))
    return v;
  if (state->failedLets.count(&let))
    return nullptr;
  Value v = atLevelOf(&let, [&] { return genExpr(let.getValue()); });
  if (v)
    state->values[&let] = v;
  else
    state->failedLets.insert(&let);
  return v;
}

Value MLIRGenImpl::genIdent(const ast::IdentExpr &ident) {
  switch (ident.getRefKind()) {
  case ast::RefKind::Input: {
    const auto *input = cast<ast::InputStmt>(ident.getDecl());
    if (!application)
      return inputArg(*input);
    if (Value v = application->inputs.lookup(input))
      return v;
    const ast::CallExpr &call = *application->call;
    return error(call.getLoc(), "this application of model '" + call.getCallee() +
                                    "' does not give its input '" + input->getName() +
                                    "', which its output reads");
  }
  case ast::RefKind::Param: {
    const auto *p = cast<ast::ParamStmt>(ident.getDecl());
    const ast::CallExpr &init = p->getInit();
    SmallVector<float> args;
    for (const ast::Expr *a : init.getBoundArgs())
      if (std::optional<double> v = literalNumber(a))
        args.push_back(*v);
    return param(ident.getLoc(), scopedName(p->getName()), convertType(p->getType()),
                 init.getCallee(), args);
  }
  case ast::RefKind::Let:
    return genLet(*cast<ast::LetStmt>(ident.getDecl()));
  case ast::RefKind::FnArg:
    return state->fnArgs[ident.getArgIndex()];
  case ast::RefKind::Carried:
    return genCarried(ident);
  case ast::RefKind::LoopResult:
    return genLoopResult(*cast<ast::LoopStmt>(ident.getDecl()), ident.getArgIndex());
  case ast::RefKind::Unresolved:
    break;
  }
  return error(ident.getLoc(), "internal error: unresolved name '" + ident.getName() +
                                   "'");
}

Value MLIRGenImpl::genBinary(const ast::BinaryExpr &expr) {
  Value lhs = genExpr(expr.getLHS());
  Value rhs = genExpr(expr.getRHS());
  if (!lhs || !rhs)
    return nullptr;
  if (expr.getOp() != '@' && !nn::broadcastShapes(shapeOf(lhs), shapeOf(rhs)))
    return error(expr.getLoc(), "operands of '" + Twine(expr.getOp()) +
                                    "' have incompatible shapes " + describe(lhs) +
                                    " and " + describe(rhs) +
                                    " (dims must be equal or 1 when aligned at the right)");
  SpellingScope scope(*this, std::string(1, expr.getOp()));
  switch (expr.getOp()) {
  case '+':
    return create<nn::AddOp>(expr.getLoc(), {lhs, rhs});
  case '-':
    return create<nn::SubOp>(expr.getLoc(), {lhs, rhs});
  case '*':
    return create<nn::MulOp>(expr.getLoc(), {lhs, rhs});
  case '/':
    return create<nn::DivOp>(expr.getLoc(), {lhs, rhs});
  case '@':
    return create<nn::MatmulOp>(expr.getLoc(), {lhs, rhs});
  }
  return error(expr.getLoc(), "internal error: unknown operator");
}

Value MLIRGenImpl::genExpr(const ast::Expr &expr) {
  // Lets, user calls and nested expressions all recurse through here.
  if (genDepth >= kMaxGenDepth) {
    if (!depthReported)
      error(expr.getLoc(), "definitions and calls nested too deeply here (the limit is " +
                               Twine(kMaxGenDepth) + " levels)");
    depthReported = true;
    return nullptr;
  }
  ++genDepth;
  Value v = genExprImpl(expr);
  --genDepth;
  return v;
}

Value MLIRGenImpl::genExprImpl(const ast::Expr &expr) {
  switch (expr.getKind()) {
  case ast::Expr::Kind::Number:
    return scalar(expr.getLoc(), cast<ast::NumberExpr>(expr).getValue());
  case ast::Expr::Kind::Ident:
    return genIdent(cast<ast::IdentExpr>(expr));
  case ast::Expr::Kind::Unary: {
    const auto &u = cast<ast::UnaryExpr>(expr);
    if (const auto *n = dyn_cast<ast::NumberExpr>(&u.getOperand()))
      return scalar(expr.getLoc(), -n->getValue());
    Value operand = genExpr(u.getOperand());
    SpellingScope scope(*this, "-");
    return create<nn::NegOp>(expr.getLoc(), {operand});
  }
  case ast::Expr::Kind::Binary:
    return genBinary(cast<ast::BinaryExpr>(expr));
  case ast::Expr::Kind::Call: {
    const auto &call = cast<ast::CallExpr>(expr);
    if (call.getFunction())
      return genUserCall(call);
    if (call.getModel())
      return genModelCall(call);
    return genBuiltin(call);
  }
  case ast::Expr::Kind::Bool:
  case ast::Expr::Kind::String:
  case ast::Expr::Kind::List:
    break;
  }
  return error(expr.getLoc(), "this expression is not a tensor");
}

/// Emits (once per argument types and mode) a private function for the user function
/// and calls it.
Value MLIRGenImpl::genUserCall(const ast::CallExpr &call) {
  const ast::FnDecl &fn = *call.getFunction();
  SmallVector<Value> args;
  std::vector<const void *> key; // argument types, then the mode
  for (const ast::Expr *arg : call.getBoundArgs()) {
    Value v = genExpr(*arg);
    if (!v)
      return nullptr;
    args.push_back(v);
    key.push_back(v.getType().getAsOpaquePointer());
  }
  key.push_back(mode == Mode::Train ? "train" : "infer");

  func::FuncOp callee = specializations[{&fn, key}];
  std::vector<const void *> argKey;
  for (Value v : args)
    argKey.push_back(v.getAsOpaquePointer());
  if (callee)
    if (Value v = state->calls[{callee.getOperation(), argKey}])
      return v;
  if (!callee) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(state->func);
    unsigned n = specializationCount[fn.getName()]++;
    std::string name = n ? (fn.getName() + "_" + Twine(n)).str() : fn.getName().str();
    callee = builder.create<func::FuncOp>(
        loc(fn.getLoc()), name,
        builder.getFunctionType(ValueRange(args).getTypes(), {}));
    callee.setPrivate();
    FuncState fs;
    fs.func = callee;
    Block *body = callee.addEntryBlock();
    fs.fnArgs.assign(body->getArguments().begin(), body->getArguments().end());
    FuncState *outer = state;
    state = &fs;
    builder.setInsertionPointToStart(body);
    Value result;
    for (const auto &stmt : fn.getBody()) {
      if (const auto *let = dyn_cast<ast::LetStmt>(stmt.get())) {
        if (!genLet(*let)) {
          state = outer;
          return nullptr;
        }
      } else if (const auto *ret = dyn_cast<ast::ReturnStmt>(stmt.get())) {
        result = genExpr(ret->getValue());
      }
    }
    state = outer;
    if (!result)
      return nullptr;
    builder.create<func::ReturnOp>(callee.getLoc(), result);
    callee.setType(builder.getFunctionType(ValueRange(args).getTypes(),
                                           result.getType()));
    specializations[{&fn, key}] = callee;
    inlinedOps[callee] = countInlinedOps(callee);
  }
  uint64_t size = inlinedOps.lookup(callee);
  if (size > kMaxInlinedOps)
    return error(call.getLoc(), "this call of '" + fn.getName() + "' amounts to " +
                                    Twine(size) + " operations once inlined (the limit "
                                    "is " + Twine(kMaxInlinedOps) + " per entry)");
  Value v = builder.create<func::CallOp>(loc(call.getLoc()), callee, args).getResult(0);
  state->calls[{callee.getOperation(), argKey}] = v;
  return v;
}

/// `f32[B, 100]`: a declared type as the language writes it.
static std::string spellType(const ast::TensorType &type) {
  std::string out = type.dtype == ast::DType::I32 ? "i32[" : "f32[";
  for (auto [i, d] : llvm::enumerate(type.dims))
    out += (i ? ", " : "") + (d.isSymbolic() ? d.symbol : std::to_string(d.size));
  return out + "]";
}

Value MLIRGenImpl::genModelCall(const ast::CallExpr &call) {
  const ast::ModelDecl &callee = *call.getModel();
  SmallVector<const ast::InputStmt *> inputs;
  const ast::LetStmt *output = nullptr;
  for (const auto &stmt : callee.getBody()) {
    if (const auto *input = dyn_cast<ast::InputStmt>(stmt.get()))
      inputs.push_back(input);
    if (const auto *let = dyn_cast<ast::LetStmt>(stmt.get()); let && let->isInfer())
      output = let;
  }
  Application app;
  app.call = &call;
  bool ok = true;
  for (auto [i, arg] : llvm::enumerate(call.getBoundArgs())) {
    if (!arg)
      continue;
    Value v = genExpr(*arg);
    if (!v) {
      ok = false;
      continue;
    }
    // The argument has the input's declared shape: a symbolic dim takes any size,
    // a number must match (the callee's parameters are shaped from it).
    const ast::TensorType &type = inputs[i]->getType();
    ArrayRef<int64_t> shape = shapeOf(v);
    bool match = shape.size() == type.dims.size();
    for (size_t d = 0; match && d != shape.size(); ++d)
      match = type.dims[d].isSymbolic() || shape[d] == type.dims[d].size;
    if (!match) {
      error(arg->getLoc(), "input '" + inputs[i]->getName() + "' of model '" +
                               callee.getName() + "' is " + spellType(type) +
                               ", but the argument is " + describe(v));
      ok = false;
      continue;
    }
    app.inputs[inputs[i]] = v;
  }
  if (!ok || !output)
    return nullptr;
  if (opCounter.count > kMaxInlinedOps)
    return error(call.getLoc(), "this application of model '" + callee.getName() +
                                    "' makes the entry more than " +
                                    Twine(kMaxInlinedOps) +
                                    " operations (the limit per entry)");
  // The callee's lets are generated afresh for each application (its inputs differ),
  // in a frame of their own; the caller's memo is restored after.
  std::string savedPrefix = prefix;
  prefix += call.getLayerName().str() + ".";
  Application *savedApp = std::exchange(application, &app);
  auto savedValues = std::move(state->values);
  auto savedFailed = std::move(state->failedLets);
  auto savedLoops = std::move(state->loops);
  auto savedFailedLoops = std::move(state->failedLoops);
  state->values.clear();
  state->failedLets.clear();
  state->loops.clear();
  state->failedLoops.clear();
  unsigned savedBase = std::exchange(baseLevel, loopFrames.size());
  Value result = genLet(*output);
  baseLevel = savedBase;
  state->values = std::move(savedValues);
  state->failedLets = std::move(savedFailed);
  state->loops = std::move(savedLoops);
  state->failedLoops = std::move(savedFailedLoops);
  application = savedApp;
  prefix = std::move(savedPrefix);
  return result;
}

uint64_t MLIRGenImpl::countInlinedOps(func::FuncOp func) {
  uint64_t count = 0;
  for (Operation &op : func.getBody().front()) {
    uint64_t n = 1;
    if (auto call = dyn_cast<func::CallOp>(op))
      if (Operation *callee = module.lookupSymbol(call.getCalleeAttr()))
        n = inlinedOps.lookup(callee);
    count = std::min(count + n, uint64_t(1) << 62); // saturates
  }
  return count;
}

bool MLIRGenImpl::checkInlinedSize(func::FuncOp func) {
  uint64_t size = countInlinedOps(func);
  if (size <= kMaxInlinedOps)
    return true;
  emitError(func.getLoc()) << "entry '" << func.getName() << "' amounts to " << size
                           << " operations once function calls are inlined (the limit "
                              "is "
                           << kMaxInlinedOps << ")";
  return false;
}

//===----------------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------------===//

OwningOpRef<ModuleOp> MLIRGenImpl::run() {
  module = ModuleOp::create(loc(model.getLoc()));
  builder.setListener(&opCounter);
  OwningOpRef<ModuleOp> owned(module);
  StringRef file = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                       ->getBufferIdentifier();
  module->setAttr("nn.model", builder.getStringAttr(model.getName()));
  module->setAttr("nn.source", builder.getStringAttr(file));
  // Errors are reported once (a let shared by entries is generated in each), in the
  // language's terms: the op a shape rule names is the construct the user wrote.
  std::set<std::pair<const void *, std::string>> reported;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) -> LogicalResult {
    if (diag.getSeverity() != DiagnosticSeverity::Error)
      return failure();
    std::string message = ownError ? diag.str() : rewriteMessage(diag.str());
    if (!reported.emplace(diag.getLocation().getAsOpaquePointer(), message).second)
      return success(); // dropped
    Diagnostic rewritten(diag.getLocation(), DiagnosticSeverity::Error);
    rewritten << message;
    for (Diagnostic &note : diag.getNotes())
      rewritten.attachNote(note.getLocation()) << note.str();
    diag = std::move(rewritten);
    return failure(); // on to the driver's handler
  });
  for (const auto &decl : astModule.getDecls())
    if (const auto *m = dyn_cast<ast::ModelDecl>(decl.get()))
      collectLoopOwners(m->getBody(), nullptr);
  bool ok = genDeclarations() && genInferEntry();
  for (const auto &stmt : model.getBody())
    if (const auto *train = dyn_cast<ast::TrainStmt>(stmt.get()))
      ok &= genTrainEntry(*train);
  if (!ok)
    return nullptr;
  recordTrainConfig();
  if (failed(verify(module)))
    return nullptr;
  return owned;
}

OwningOpRef<ModuleOp> nnc::mlirGen(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                                   const ast::Module &module,
                                   const ast::ModelDecl &model) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
  return MLIRGenImpl(context, sourceMgr, module, model).run();
}
