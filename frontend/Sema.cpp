//===- Sema.cpp - Declarations and statements -----------------------------===//
//
// Top-level declarations, call-graph recursion, model and function bodies.
// Expressions and calls are in SemaExpr.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontend/Sema.h"
#include "frontend/Parser.h"
#include "ir/Limits.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>

using namespace nnc;
using namespace nnc::ast;
using llvm::SMLoc;
using llvm::StringRef;

std::unique_ptr<Module> nnc::parseAndCheck(llvm::SourceMgr &sourceMgr,
                                           unsigned bufferId,
                                           llvm::raw_ostream &diagOut,
                                           StringRef modelName) {
  DiagnosticEngine diags(sourceMgr, diagOut);
  const llvm::MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(bufferId);
  Parser parser(buffer->getBuffer(), diags);
  std::unique_ptr<Module> module = parser.parseModule();
  if (diags.hadError())
    return nullptr;
  if (!module->getLastModel()) {
    diags.error(SMLoc::getFromPointer(buffer->getBufferStart()),
                "no model in file");
    return nullptr;
  }
  // An unknown model name is the driver's error, after the whole file is checked.
  const ModelDecl *only = modelName.empty() ? nullptr : module->lookupModel(modelName);
  Sema sema(diags);
  if (!sema.check(*module, only))
    return nullptr;
  return module;
}

bool Sema::check(Module &module, const ModelDecl *only) {
  unsigned errorsBefore = diags.getNumErrors();
  this->module = &module;
  collectDecls(module);
  findRecursion();
  for (const auto &decl : module.getDecls())
    if (auto *model = llvm::dyn_cast<ModelDecl>(decl.get()))
      if (!only || model == only)
        checkModel(*model);
  // Functions no model calls are still checked, with f32 arguments, unless one
  // model was selected: then only what it uses matters.
  if (only)
    return diags.getNumErrors() == errorsBefore;
  for (const auto &decl : module.getDecls())
    if (auto *fn = llvm::dyn_cast<FnDecl>(decl.get()))
      if (!checkedFns.count(fn) && decls.lookup(fn->getName()) == fn)
        instantiate(*fn, std::vector<Value>(fn->getArgs().size(), Value::F32));
  return diags.getNumErrors() == errorsBefore;
}

//===----------------------------------------------------------------------===//
// Declarations and recursion
//===----------------------------------------------------------------------===//

void Sema::collectDecls(Module &module) {
  for (const auto &declPtr : module.getDecls()) {
    Decl *decl = declPtr.get();
    auto *fn = llvm::dyn_cast<FnDecl>(decl);
    if (fn && lookupBuiltin(fn->getName())) {
      diags.error(fn->getLoc(), "function '" + fn->getName() +
                                    "' has the name of a builtin");
      continue;
    }
    auto [it, inserted] = decls.try_emplace(decl->getName(), decl);
    if (!inserted) {
      diags.error(decl->getLoc(), "redefinition of '" + decl->getName() + "'");
      diags.note(it->second->getLoc(),
                 "previous definition of '" + decl->getName() + "' is here");
    }
  }
}

void Sema::collectCalls(const Expr &expr,
                        std::vector<const CallExpr *> &calls) {
  switch (expr.getKind()) {
  case Expr::Kind::Unary:
    collectCalls(llvm::cast<UnaryExpr>(expr).getOperand(), calls);
    return;
  case Expr::Kind::Binary:
    collectCalls(llvm::cast<BinaryExpr>(expr).getLHS(), calls);
    collectCalls(llvm::cast<BinaryExpr>(expr).getRHS(), calls);
    return;
  case Expr::Kind::List:
    for (const auto &element : llvm::cast<ListExpr>(expr).getElements())
      collectCalls(*element, calls);
    return;
  case Expr::Kind::Call: {
    const auto &call = llvm::cast<CallExpr>(expr);
    calls.push_back(&call);
    for (const auto &arg : call.getArgs())
      collectCalls(*arg, calls);
    for (const KeywordArg &kwarg : call.getKwargs())
      collectCalls(*kwarg.value, calls);
    return;
  }
  default:
    return;
  }
}

/// The user functions `fn` calls, in source order.
std::vector<const FnDecl *> Sema::getCallees(const FnDecl &fn,
                                            std::vector<const CallExpr *> &sites) {
  std::vector<const CallExpr *> calls;
  for (const auto &stmt : fn.getBody()) {
    if (const auto *let = llvm::dyn_cast<LetStmt>(stmt.get()))
      collectCalls(let->getValue(), calls);
    else if (const auto *ret = llvm::dyn_cast<ReturnStmt>(stmt.get()))
      collectCalls(ret->getValue(), calls);
  }
  std::vector<const FnDecl *> callees;
  sites.clear();
  for (const CallExpr *call : calls) {
    auto *callee = llvm::dyn_cast_or_null<FnDecl>(decls.lookup(call->getCallee()));
    if (!callee || lookupBuiltin(call->getCallee()))
      continue;
    callees.push_back(callee);
    sites.push_back(call);
  }
  return callees;
}

/// Depth-first search over the call graph with an explicit stack (a chain of
/// 100,000 functions must not overflow the native one); a call to a function
/// on the stack closes a cycle, whose members are all marked recursive.
void Sema::findRecursion() {
  struct Frame {
    const FnDecl *fn;
    std::vector<const FnDecl *> callees;
    std::vector<const CallExpr *> sites;
    size_t next = 0;
  };
  std::vector<Frame> stack;
  llvm::DenseMap<const FnDecl *, size_t> onStack; // function -> its frame
  llvm::DenseSet<const FnDecl *> visited;
  auto push = [&](const FnDecl *fn) {
    visited.insert(fn);
    onStack[fn] = stack.size();
    Frame frame{fn, {}, {}, 0};
    frame.callees = getCallees(*fn, frame.sites);
    stack.push_back(std::move(frame));
  };
  for (const auto &declPtr : module->getDecls()) {
    auto *root = llvm::dyn_cast<FnDecl>(declPtr.get());
    if (!root || decls.lookup(root->getName()) != root || visited.count(root))
      continue;
    push(root);
    while (!stack.empty()) {
      Frame &top = stack.back();
      if (top.next == top.callees.size()) {
        onStack.erase(top.fn);
        stack.pop_back();
        continue;
      }
      const FnDecl *callee = top.callees[top.next];
      const CallExpr *call = top.sites[top.next++];
      auto it = onStack.find(callee);
      if (it != onStack.end()) {
        diags.error(call->getLoc(), "recursive call to function '" +
                                        callee->getName() +
                                        "'; recursion is not supported");
        diags.note(callee->getLoc(),
                   "function '" + callee->getName() + "' is defined here");
        for (size_t i = it->second, e = stack.size(); i != e; ++i)
          recursive.insert(stack[i].fn);
        continue;
      }
      if (!visited.count(callee))
        push(callee);
    }
  }
}

//===----------------------------------------------------------------------===//
// Bodies
//===----------------------------------------------------------------------===//

static StringRef getStmtKeyword(const Stmt &stmt) {
  switch (stmt.getKind()) {
  case Stmt::Kind::Input: return "input";
  case Stmt::Kind::Param: return "param";
  case Stmt::Kind::Train: return "train";
  case Stmt::Kind::Let:
    return llvm::cast<LetStmt>(stmt).isInfer() ? "infer" : "let";
  case Stmt::Kind::Return: return "return";
  case Stmt::Kind::Loop: return "loop";
  case Stmt::Kind::Emit: return "emit";
  }
  return "";
}

bool Sema::define(Scope &scope, const Stmt &stmt, RefKind kind, Value value) {
  auto [it, inserted] = scope.names.try_emplace(
      stmt.getName(), Definition{kind, &stmt, 0, stmt.getNameLoc(), value});
  if (inserted)
    return true;
  diags.error(stmt.getNameLoc(), "redefinition of '" + stmt.getName() + "'");
  diags.note(it->second.loc,
             "previous definition of '" + stmt.getName() + "' is here");
  return false;
}

void Sema::checkModel(ModelDecl &model) {
  if (!checkedModels.insert(&model).second)
    return;
  modelsInProgress.insert(&model);
  // A model is checked once, on its own: when an application in another model
  // checks it first, that model's per-model state is set aside meanwhile.
  auto savedCounts = std::move(instanceCounts);
  auto savedParams = std::move(paramNames);
  auto savedKinds = std::move(instanceKinds);
  auto savedTrains = std::move(trainNames);
  instanceCounts.clear();
  paramNames.clear();
  instanceKinds.clear();
  trainNames.clear();
  Scope scope;
  scope.model = &model;
  for (const auto &stmt : model.getBody())
    addLaterNames(*stmt, scope);
  for (const auto &stmt : model.getBody())
    checkModelStmt(*stmt, scope);
  checkModelEnd(model);
  const LetStmt *output = nullptr;
  unsigned outputs = 0;
  for (const auto &stmt : model.getBody())
    if (auto *let = llvm::dyn_cast<LetStmt>(stmt.get()); let && let->isInfer()) {
      output = let;
      ++outputs;
    }
  if (outputs == 1)
    if (auto it = scope.names.find(output->getName()); it != scope.names.end())
      modelOutputs[&model] = it->second.value;
  boundModelSize(model);
  instanceCounts = std::move(savedCounts);
  paramNames = std::move(savedParams);
  instanceKinds = std::move(savedKinds);
  trainNames = std::move(savedTrains);
  modelsInProgress.erase(&model);
}

void Sema::checkModelStmt(Stmt &stmt, Scope &scope) {
  switch (stmt.getKind()) {
  case Stmt::Kind::Input: {
    const TensorType &type = llvm::cast<InputStmt>(stmt).getType();
    checkTypeSize(type, "input", stmt.getName());
    define(scope, stmt, RefKind::Input,
           type.dtype == DType::I32 ? Value::I32 : Value::F32);
    return;
  }
  case Stmt::Kind::Param:
    checkParam(llvm::cast<ParamStmt>(stmt), scope);
    define(scope, stmt, RefKind::Param, Value::F32);
    return;
  case Stmt::Kind::Let: {
    Value value = checkTensor(llvm::cast<LetStmt>(stmt).getValue(), scope);
    define(scope, stmt, RefKind::Let, value);
    return;
  }
  case Stmt::Kind::Train:
    checkTrain(llvm::cast<TrainStmt>(stmt), scope);
    return;
  case Stmt::Kind::Return:
    diags.error(stmt.getLoc(), "'return' is only allowed inside a function");
    return;
  case Stmt::Kind::Loop:
    checkLoop(llvm::cast<LoopStmt>(stmt), scope);
    return;
  case Stmt::Kind::Emit:
    diags.error(stmt.getLoc(), "'emit' is only allowed inside a loop's body");
    return;
  }
}

void Sema::addLaterNames(const Stmt &stmt, Scope &scope) {
  if (const auto *loop = llvm::dyn_cast<LoopStmt>(&stmt)) {
    for (const auto &c : loop->getCarried())
      scope.laterNames.try_emplace(c->getName(), c->getNameLoc());
    for (const auto &inner : loop->getBody())
      if (llvm::isa<EmitStmt>(inner.get()))
        scope.laterNames.try_emplace(inner->getName(), inner->getNameLoc());
    return;
  }
  if (!stmt.getName().empty() && !llvm::isa<TrainStmt, EmitStmt>(&stmt))
    scope.laterNames.try_emplace(stmt.getName(), stmt.getNameLoc());
}

static const char *describeValue(Sema::Value v) {
  return v == Sema::Value::I32 ? "i32" : "f32";
}

void Sema::checkLoop(LoopStmt &loop, Scope &scope) {
  // The body sees the enclosing names, the carried values and its own lets; a let
  // of a carried name is its next value, and later uses in the step see that.
  Scope body = scope;
  std::vector<Value> carriedValues;
  llvm::StringMap<unsigned> carriedIndex;
  for (auto [i, c] : llvm::enumerate(loop.getCarried())) {
    Value v = checkTensor(c->getValue(), scope);
    carriedValues.push_back(v);
    if (auto it = carriedIndex.find(c->getName()); it != carriedIndex.end()) {
      diags.error(c->getNameLoc(), "duplicate carried value '" + c->getName() + "'");
      diags.note(loop.getCarried()[it->second]->getNameLoc(),
                 "previous carried value '" + c->getName() + "' is here");
      continue;
    }
    if (auto it = scope.names.find(c->getName()); it != scope.names.end()) {
      diags.error(c->getNameLoc(), "redefinition of '" + c->getName() + "'");
      diags.note(it->second.loc, "previous definition of '" + c->getName() + "' is here");
      continue;
    }
    carriedIndex[c->getName()] = i;
    body.names[c->getName()] =
        Definition{RefKind::Carried, &loop, unsigned(i), c->getNameLoc(), v};
  }
  for (const auto &stmt : loop.getBody())
    if (!carriedIndex.count(stmt->getName()))
      addLaterNames(*stmt, body);
  loop.updates.assign(loop.getCarried().size(), nullptr);
  loop.emits.clear();
  std::vector<Value> emitValues;
  for (const auto &stmtPtr : loop.getBody()) {
    Stmt &stmt = *stmtPtr;
    if (auto *emit = llvm::dyn_cast<EmitStmt>(&stmt)) {
      emitValues.push_back(checkTensor(emit->getValue(), body));
      loop.emits.push_back(emit);
      continue;
    }
    if (auto *inner = llvm::dyn_cast<LoopStmt>(&stmt)) {
      checkLoop(*inner, body);
      continue;
    }
    auto *let = llvm::dyn_cast<LetStmt>(&stmt);
    if (!let || let->isInfer()) {
      diags.error(stmt.getLoc(), "'" + getStmtKeyword(stmt) +
                                     "' is not allowed inside a loop's body");
      continue;
    }
    Value v = checkTensor(let->getValue(), body);
    auto it = carriedIndex.find(let->getName());
    if (it == carriedIndex.end()) {
      define(body, stmt, RefKind::Let, v);
      continue;
    }
    unsigned i = it->second;
    const LetStmt &header = *loop.getCarried()[i];
    if (const LetStmt *first = loop.updates[i]) {
      diags.error(let->getNameLoc(), "carried value '" + let->getName() +
                                         "' is given its next value twice in one step");
      diags.note(first->getNameLoc(), "its next value is first given here");
      continue;
    }
    if (v != Value::Error && carriedValues[i] != Value::Error && v != carriedValues[i]) {
      diags.error(let->getNameLoc(),
                  "the next value of carried value '" + let->getName() + "' is " +
                      describeValue(v) + ", but it enters the loop as " +
                      describeValue(carriedValues[i]));
      diags.note(header.getNameLoc(), "'" + let->getName() + "' enters the loop here");
    }
    loop.updates[i] = let;
    body.names[let->getName()] =
        Definition{RefKind::Let, let, 0, let->getNameLoc(), v};
  }
  // After the loop: the final carried values and the stacked emits.
  for (auto [i, c] : llvm::enumerate(loop.getCarried()))
    if (carriedIndex.lookup(c->getName()) == i && carriedIndex.count(c->getName()))
      scope.names.try_emplace(c->getName(),
                              Definition{RefKind::LoopResult, &loop, unsigned(i),
                                         c->getNameLoc(), carriedValues[i]});
  unsigned k = loop.getCarried().size();
  for (auto [j, emit] : llvm::enumerate(loop.emits)) {
    auto [it, inserted] = scope.names.try_emplace(
        emit->getName(), Definition{RefKind::LoopResult, &loop, unsigned(k + j),
                                    emit->getNameLoc(), emitValues[j]});
    if (!inserted) {
      diags.error(emit->getNameLoc(), "redefinition of '" + emit->getName() + "'");
      diags.note(it->second.loc,
                 "previous definition of '" + emit->getName() + "' is here");
    }
  }
}

/// The static dims of a declared type multiply to at most nn::kMaxElements (the
/// runtime's limit per tensor; symbolic dims are checked when they are bound).
void Sema::checkTypeSize(const TensorType &type, StringRef what, StringRef name) {
  int64_t count = 1;
  for (const Dim &dim : type.dims) {
    if (dim.isSymbolic())
      continue;
    std::optional<int64_t> product = nn::checkedMul(count, dim.size);
    if (!product || *product > nn::kMaxElements) {
      diags.error(type.loc, what + " '" + name + "' has more than " +
                                llvm::Twine(nn::kMaxElements) +
                                " elements, the limit per tensor");
      return;
    }
    count = *product;
  }
}

void Sema::checkParam(ParamStmt &param, Scope &scope) {
  const TensorType &type = param.getType();
  checkTypeSize(type, "param", param.getName());
  if (type.dtype != DType::F32)
    diags.error(type.loc, "param '" + param.getName() +
                              "' must have element type f32, found '" +
                              getDTypeName(type.dtype) + "'");
  for (const Dim &dim : type.dims)
    if (dim.isSymbolic())
      diags.error(dim.loc, "param '" + param.getName() +
                               "' must have a static shape, found symbolic "
                               "dimension '" + dim.symbol + "'");
  auto [it, inserted] =
      paramNames.try_emplace(param.getName(), param.getNameLoc());
  if (!inserted) {
    diags.error(param.getNameLoc(),
                "duplicate parameter name '" + param.getName() + "'");
    diags.note(it->second, "previous definition of '" + param.getName() +
                               "' is here");
  }
  checkNamedCall(param.getInit(), BuiltinCategory::Initializer, scope);
}

void Sema::checkTrain(TrainStmt &train, Scope &scope) {
  auto [it, inserted] =
      trainNames.try_emplace(train.getName(), train.getNameLoc());
  if (!inserted) {
    diags.error(train.getNameLoc(),
                "duplicate train step '" + train.getName() + "'");
    diags.note(it->second,
               "previous train step '" + train.getName() + "' is here");
  }
  if (checkTensor(train.getLoss(), scope) == Value::I32)
    diags.error(train.getLoss().getLoc(),
                "the minimized expression must be an f32 tensor, but it is i32");
  checkNamedCall(train.getOptimizer(), BuiltinCategory::Optimizer, scope);
}

void Sema::checkModelEnd(ModelDecl &model) {
  bool hasEntry = false;
  for (const auto &stmt : model.getBody()) {
    if (auto *let = llvm::dyn_cast<LetStmt>(stmt.get()))
      hasEntry |= let->isInfer();
    auto *train = llvm::dyn_cast<TrainStmt>(stmt.get());
    if (!train)
      continue;
    hasEntry = true;
    checkDataOptions(*train, model);
    std::vector<StringRef> candidates;
    for (auto &entry : paramNames)
      candidates.push_back(entry.getKey());
    for (const auto &[name, loc] : train->over)
      if (!paramNames.count(name))
        diags.error(loc, "'" + name + "' in 'over' is not a parameter or "
                             "layer of model '" + model.getName() + "'" +
                             suggest(name, candidates));
  }
  if (!hasEntry)
    diags.error(model.getLoc(), "model '" + model.getName() +
                                    "' has no 'infer' or 'train' statement");
}

void Sema::boundModelSize(const ModelDecl &model) {
  uint64_t size = 0;
  bool reported = false;
  // The expressions of the body, those of loops included.
  std::vector<const Expr *> exprs;
  std::function<void(const StmtList &)> collect = [&](const StmtList &stmts) {
    for (const auto &stmt : stmts) {
      if (const auto *let = llvm::dyn_cast<LetStmt>(stmt.get()))
        exprs.push_back(&let->getValue());
      else if (const auto *train = llvm::dyn_cast<TrainStmt>(stmt.get()))
        exprs.push_back(&train->getLoss());
      else if (const auto *emit = llvm::dyn_cast<EmitStmt>(stmt.get()))
        exprs.push_back(&emit->getValue());
      else if (const auto *loop = llvm::dyn_cast<LoopStmt>(stmt.get())) {
        for (const auto &c : loop->getCarried())
          exprs.push_back(&c->getValue());
        collect(loop->getBody());
      }
    }
  };
  collect(model.getBody());
  for (const Expr *e : exprs) {
    std::vector<const CallExpr *> calls;
    collectCalls(*e, calls);
    size += 1 + calls.size();
    for (const CallExpr *call : calls) {
      const ModelDecl *callee = call->getModel();
      if (!callee)
        continue;
      size = std::min(size + modelSizes.lookup(callee), uint64_t(1) << 62); // saturates
      if (size > kMaxModelOps && !reported) {
        diags.error(call->getLoc(), "this application of model '" + callee->getName() +
                                        "' makes the entry more than " +
                                        llvm::Twine(kMaxModelOps) +
                                        " operations (the limit per entry)");
        reported = true;
      }
    }
  }
  modelSizes[&model] = size;
}

Sema::Value Sema::instantiate(const FnDecl &fn, llvm::ArrayRef<Value> args) {
  if (recursive.count(&fn))
    return Value::Error;
  auto key = std::make_pair(&fn, std::vector<Value>(args));
  auto found = instances.find(key);
  if (found != instances.end())
    return found->second;
  checkedFns.insert(&fn);
  if (instantiationDepth >= 64) {
    diags.error(fn.getLoc(), "calls of function '" + fn.getName() +
                                 "' nested too deeply (the limit is 64)");
    return Value::Error;
  }
  Scope scope;
  scope.fn = &fn;
  for (unsigned i = 0, e = fn.getArgs().size(); i != e; ++i) {
    const FnArg &arg = fn.getArgs()[i];
    auto [it, inserted] = scope.names.try_emplace(
        arg.name, Definition{RefKind::FnArg, nullptr, i, arg.loc, args[i]});
    if (!inserted) {
      diags.error(arg.loc, "duplicate parameter '" + arg.name +
                               "' of function '" + fn.getName() + "'");
      diags.note(it->second.loc, "previous parameter '" + arg.name +
                                     "' is here");
    }
  }
  for (const auto &stmt : fn.getBody())
    if (llvm::isa<LetStmt>(stmt.get()))
      scope.laterNames.try_emplace(stmt->getName(), stmt->getNameLoc());
  Value result = Value::Error;
  ++instantiationDepth;
  checkFnBody(fn, scope, result);
  --instantiationDepth;
  instances[key] = result;
  return result;
}


void Sema::checkFnBody(const FnDecl &fn, Scope &scope, Value &result) {
  const StmtList &body = fn.getBody();
  for (size_t i = 0, e = body.size(); i != e; ++i) {
    Stmt &stmt = *body[i];
    if (auto *ret = llvm::dyn_cast<ReturnStmt>(&stmt)) {
      if (i + 1 != e)
        diags.error(stmt.getLoc(), "'return' must be the last statement of "
                                   "function '" + fn.getName() + "'");
      result = checkTensor(ret->getValue(), scope);
      continue;
    }
    auto *let = llvm::dyn_cast<LetStmt>(&stmt);
    if (!let || let->isInfer()) {
      diags.error(stmt.getLoc(), "'" + getStmtKeyword(stmt) +
                                     "' is not allowed inside function '" +
                                     fn.getName() + "'");
      continue;
    }
    define(scope, stmt, RefKind::Let, checkTensor(let->getValue(), scope));
  }
  if (body.empty() || !llvm::isa<ReturnStmt>(body.back().get())) {
    diags.error(fn.getEndLoc(), "function '" + fn.getName() +
                                    "' must end with a 'return' statement");
    result = Value::Error;
  }
}
