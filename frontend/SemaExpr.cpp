//===- SemaExpr.cpp - Expressions and calls -------------------------------===//
//
// Name resolution, dtype rules, and checking calls against Builtins.def.
//
//===----------------------------------------------------------------------===//

#include "frontend/Sema.h"
#include "frontend/Lexer.h"
#include "ir/Limits.h"

#include "llvm/ADT/StringExtras.h"

using namespace nnc;
using namespace nnc::ast;
using llvm::SMLoc;
using llvm::StringRef;
using Value = Sema::Value;

/// Returns the value of an integer literal, optionally negated.
static std::optional<int64_t> getIntLiteral(const Expr *expr) {
  bool negate = false;
  if (const auto *unary = llvm::dyn_cast<UnaryExpr>(expr)) {
    negate = true;
    expr = &unary->getOperand();
  }
  const auto *number = llvm::dyn_cast<NumberExpr>(expr);
  if (!number || !number->isInteger())
    return std::nullopt;
  return negate ? -number->getIntValue() : number->getIntValue();
}

/// Returns the value of a number literal, optionally negated.
static std::optional<double> getNumLiteral(const Expr *expr) {
  bool negate = false;
  if (const auto *unary = llvm::dyn_cast<UnaryExpr>(expr)) {
    negate = true;
    expr = &unary->getOperand();
  }
  const auto *number = llvm::dyn_cast<NumberExpr>(expr);
  if (!number)
    return std::nullopt;
  return negate ? -number->getValue() : number->getValue();
}

/// Returns a number literal as written, with its minus sign.
static std::string getLiteralSpelling(const Expr *expr) {
  std::string sign;
  if (const auto *unary = llvm::dyn_cast<UnaryExpr>(expr)) {
    sign = "-";
    expr = &unary->getOperand();
  }
  return sign + llvm::cast<NumberExpr>(expr)->getSpelling().str();
}

static bool isIntList(const Expr *expr) {
  const auto *list = llvm::dyn_cast<ListExpr>(expr);
  if (!list)
    return false;
  for (const auto &element : list->getElements())
    if (!getIntLiteral(element.get()))
      return false;
  return true;
}

/// The first integer literal of `expr` (an integer or a list of them) whose value
/// is beyond +-kMaxElements: sizes, axes, strides and pads are all at most a
/// tensor's size, and shape rules multiply them.
static const Expr *findIntOutOfRange(const Expr *expr) {
  if (const auto *list = llvm::dyn_cast<ListExpr>(expr)) {
    for (const auto &element : list->getElements())
      if (const Expr *bad = findIntOutOfRange(element.get()))
        return bad;
    return nullptr;
  }
  std::optional<int64_t> value = getIntLiteral(expr);
  return value && (*value > nn::kMaxElements || *value < -nn::kMaxElements) ? expr
                                                                            : nullptr;
}

static StringRef describeValue(Value value) {
  switch (value) {
  case Value::String: return "a string literal";
  case Value::Bool: return "a boolean literal";
  case Value::List: return "a list literal";
  default: return "a tensor";
  }
}

/// The builtins with an i32 tensor parameter, for diagnostics.
static std::string getIntConsumers() {
  std::string names;
  for (const BuiltinInfo &info : getAllBuiltins())
    for (const BuiltinParam &param : info.params)
      if (param.kind == ArgKind::IntTensor)
        names += (names.empty() ? "'" : ", '") + info.name.str() + "'";
  return names;
}

std::string Sema::suggest(StringRef name, llvm::ArrayRef<StringRef> candidates) {
  StringRef best;
  unsigned bestDistance = (name.size() + 2) / 3 + 1;
  for (StringRef candidate : candidates) {
    unsigned distance = name.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best.empty())
    return "";
  return ("; did you mean '" + best + "'?").str();
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Value Sema::checkTensor(Expr &expr, Scope &scope) {
  Value value = checkExpr(expr, scope);
  if (value == Value::String || value == Value::Bool || value == Value::List) {
    diags.error(expr.getLoc(),
                "expected a tensor, found " + describeValue(value));
    return Value::Error;
  }
  return value;
}

Value Sema::checkExpr(Expr &expr, Scope &scope) {
  switch (expr.getKind()) {
  case Expr::Kind::Number:
    return Value::F32;
  case Expr::Kind::Bool:
    return Value::Bool;
  case Expr::Kind::String:
    return Value::String;
  case Expr::Kind::List:
    return Value::List;
  case Expr::Kind::Ident:
    return checkIdent(llvm::cast<IdentExpr>(expr), scope);
  case Expr::Kind::Unary:
    return checkArith(llvm::cast<UnaryExpr>(expr).getOperand(), scope, '-',
                      "operand", expr.getLoc());
  case Expr::Kind::Binary: {
    auto &binary = llvm::cast<BinaryExpr>(expr);
    Value lhs = checkArith(binary.getLHS(), scope, binary.getOp(),
                           "left operand", expr.getLoc());
    Value rhs = checkArith(binary.getRHS(), scope, binary.getOp(),
                           "right operand", expr.getLoc());
    return lhs == Value::Error || rhs == Value::Error ? Value::Error
                                                      : Value::F32;
  }
  case Expr::Kind::Call:
    return checkCall(llvm::cast<CallExpr>(expr), scope);
  }
  return Value::Error;
}

/// Arithmetic is defined on f32 tensors only.
Value Sema::checkArith(Expr &operand, Scope &scope, char op, StringRef which,
                       SMLoc opLoc) {
  Value value = checkTensor(operand, scope);
  if (value != Value::I32)
    return value;
  diags.error(operand.getLoc(), "the " + which + " of '" + llvm::Twine(op) +
                                    "' is an i32 tensor; integer tensors can "
                                    "only be passed to " + getIntConsumers());
  return Value::Error;
}

Value Sema::checkIdent(IdentExpr &ident, Scope &scope) {
  StringRef name = ident.getName();
  auto it = scope.names.find(name);
  if (it != scope.names.end()) {
    const Definition &def = it->second;
    ident.resolve(def.kind, def.stmt, def.argIndex);
    return def.value;
  }
  SMLoc loc = ident.getLoc();
  auto later = scope.laterNames.find(name);
  if (later != scope.laterNames.end()) {
    diags.error(loc, "'" + name + "' is used before its definition");
    diags.note(later->second, "'" + name + "' is defined here");
    return Value::Error;
  }
  if (Decl *decl = decls.lookup(name)) {
    diags.error(loc, "'" + name + "' is a " +
                         (llvm::isa<FnDecl>(decl) ? "function" : "model") +
                         ", not a value");
    return Value::Error;
  }
  if (lookupBuiltin(name)) {
    diags.error(loc, "'" + name + "' is a builtin function, not a value");
    return Value::Error;
  }
  std::vector<StringRef> candidates;
  for (auto &entry : scope.names)
    candidates.push_back(entry.getKey());
  diags.error(loc, "unknown name '" + name + "'" + suggest(name, candidates));
  return Value::Error;
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

Value Sema::checkCall(CallExpr &call, Scope &scope) {
  StringRef name = call.getCallee();
  if (const BuiltinInfo *info = lookupBuiltin(name)) {
    if (!checkBuiltinUse(call, *info, scope))
      return Value::Error;
    return info->hasIntResult() ? Value::I32 : Value::F32;
  }
  Decl *decl = decls.lookup(name);
  if (auto *fn = llvm::dyn_cast_or_null<FnDecl>(decl))
    return checkUserCall(call, *fn, scope);
  if (auto *model = llvm::dyn_cast_or_null<ModelDecl>(decl))
    return checkModelCall(call, *model, scope);
  std::vector<StringRef> candidates;
  for (const BuiltinInfo &info : getAllBuiltins())
    if (info.category != BuiltinCategory::Optimizer &&
        info.category != BuiltinCategory::Initializer)
      candidates.push_back(info.name);
  for (auto &entry : decls)
    candidates.push_back(entry.getKey());
  diags.error(call.getLoc(),
              "unknown function '" + name + "'" + suggest(name, candidates));
  return Value::Error;
}

Value Sema::checkUserCall(CallExpr &call, const FnDecl &fn, Scope &scope) {
  call.setFunction(&fn);
  bool ok = true;
  if (!call.getKwargs().empty())
    ok = diags.error(call.getKwargs().front().loc,
                     "function '" + fn.getName() +
                         "' takes no keyword arguments");
  size_t expected = fn.getArgs().size(), given = call.getArgs().size();
  if (given != expected) {
    diags.error(call.getLoc(), "function '" + fn.getName() + "' takes " +
                                   llvm::Twine(expected) + " argument" +
                                   (expected == 1 ? "" : "s") + ", but " +
                                   llvm::Twine(given) +
                                   (given == 1 ? " was" : " were") + " given");
    diags.note(fn.getLoc(), "function '" + fn.getName() + "' is defined here");
    ok = false;
  }
  std::vector<Value> values;
  std::vector<const Expr *> bound;
  for (const auto &arg : call.getArgs()) {
    values.push_back(checkTensor(*arg, scope));
    bound.push_back(arg.get());
    ok &= values.back() != Value::Error;
  }
  call.setBoundArgs(std::move(bound));
  if (!ok)
    return Value::Error;
  return instantiate(fn, values);
}

/// Checks an application of model `callee` inside a model: arguments bind to
/// its inputs, positionally in declaration order or by keyword (input names);
/// `name = "..."` names the instance. The result is the callee's only `infer`
/// output.
Value Sema::checkModelCall(CallExpr &call, ModelDecl &callee, Scope &scope) {
  call.setModel(&callee);
  StringRef name = callee.getName();
  if (scope.fn) {
    diags.error(call.getLoc(), "model '" + name +
                                   "' cannot be applied inside function '" +
                                   scope.fn->getName() +
                                   "'; apply it in the model body");
    return Value::Error;
  }
  if (modelsInProgress.count(&callee)) {
    diags.error(call.getLoc(), "recursive application of model '" + name + "'");
    diags.note(callee.getLoc(), "model '" + name + "' is defined here");
    return Value::Error;
  }
  checkModel(callee);
  std::vector<const InputStmt *> inputs;
  for (const auto &stmt : callee.getBody())
    if (const auto *input = llvm::dyn_cast<InputStmt>(stmt.get()))
      inputs.push_back(input);
  bool ok = true;
  std::vector<const Expr *> bound(inputs.size(), nullptr);
  auto bind = [&](size_t i, const Expr &arg, Value value) {
    if (value == Value::Error)
      return void(ok = false);
    Value expected =
        inputs[i]->getType().dtype == DType::I32 ? Value::I32 : Value::F32;
    if (value != expected)
      ok = diags.error(arg.getLoc(),
                       "input '" + inputs[i]->getName() + "' of model '" +
                           name + "' is " +
                           (expected == Value::I32 ? "i32" : "f32") +
                           ", but the argument is " +
                           (expected == Value::I32 ? "f32" : "i32"));
    bound[i] = &arg;
  };
  const auto &args = call.getArgs();
  for (size_t i = 0, e = args.size(); i != e; ++i) {
    Value value = checkTensor(*args[i], scope);
    if (i >= inputs.size()) {
      diags.error(args[i]->getLoc(),
                  "model '" + name + "' has " + llvm::Twine(inputs.size()) +
                      " input" + (inputs.size() == 1 ? "" : "s") + ", but " +
                      llvm::Twine(e) + " arguments were given");
      diags.note(callee.getLoc(), "model '" + name + "' is defined here");
      ok = false;
      break;
    }
    bind(i, *args[i], value);
  }
  for (const KeywordArg &kwarg : call.getKwargs()) {
    if (kwarg.name == "name") {
      if (!llvm::isa<StringExpr>(kwarg.value.get()))
        ok = diags.error(kwarg.value->getLoc(),
                         "the instance name must be a string literal");
      continue;
    }
    auto it = llvm::find_if(inputs, [&](const InputStmt *input) {
      return input->getName() == kwarg.name;
    });
    if (it == inputs.end()) {
      std::vector<StringRef> candidates{"name"};
      for (const InputStmt *input : inputs)
        candidates.push_back(input->getName());
      ok = diags.error(kwarg.loc, "model '" + name + "' has no input '" +
                                      kwarg.name + "'" +
                                      suggest(kwarg.name, candidates));
      continue;
    }
    size_t i = it - inputs.begin();
    Value value = checkTensor(*kwarg.value, scope);
    if (bound[i]) {
      ok = diags.error(kwarg.loc, "input '" + kwarg.name + "' of model '" +
                                      name + "' is given twice");
      continue;
    }
    bind(i, *kwarg.value, value);
  }
  unsigned outputs = 0;
  for (const auto &stmt : callee.getBody())
    if (auto *let = llvm::dyn_cast<LetStmt>(stmt.get()); let && let->isInfer())
      ++outputs;
  if (outputs != 1) {
    diags.error(call.getLoc(),
                "model '" + name + "' has " +
                    (outputs ? llvm::Twine(outputs) + " 'infer' outputs"
                             : llvm::Twine("no 'infer' output")) +
                    "; a model that is applied must have exactly one, its result");
    diags.note(callee.getLoc(), "model '" + name + "' is defined here");
    ok = false;
  }
  // Instances are named in evaluation order: arguments first.
  LayerInstance instance{"", BuiltinId{}, &call, &callee};
  nameInstance(call, ("model:" + name).str(), name, instance, scope);
  call.setBoundArgs(std::move(bound));
  auto output = modelOutputs.find(&callee);
  if (!ok || output == modelOutputs.end())
    return Value::Error;
  return output->second;
}

/// Checks a call of a builtin in an expression (not after `with` or in a
/// param initializer).
bool Sema::checkBuiltinUse(CallExpr &call, const BuiltinInfo &info,
                           Scope &scope) {
  StringRef name = info.name;
  call.setBuiltin(info.id);
  if (info.category == BuiltinCategory::Optimizer)
    return diags.error(call.getLoc(),
                       "optimizer '" + name +
                           "' can only be used after 'with' in a train "
                           "statement");
  if (info.category == BuiltinCategory::Initializer)
    return diags.error(call.getLoc(),
                       "initializer '" + name +
                           "' can only be used in a param declaration");
  if (!info.isImplemented())
    return diags.error(call.getLoc(), (info.isLayer() ? "layer '" : "'") +
                                          name + "' is not implemented yet");
  if ((info.isLayer() || info.category == BuiltinCategory::Noise) && scope.fn)
    return diags.error(call.getLoc(), getCategoryName(info.category) + " '" + name +
                                          "' cannot be called inside "
                                          "function '" + scope.fn->getName() +
                                          "'; call it in the model body");
  // Layers are named in evaluation order: arguments first.
  bool ok = bindArgs(call, info, scope);
  if (info.isLayer())
    nameInstance(call, info.name, info.name, LayerInstance{"", info.id, &call},
                 scope);
  return ok;
}

/// Checks an optimizer or initializer call.
bool Sema::checkNamedCall(CallExpr &call, BuiltinCategory category,
                          Scope &scope) {
  StringRef name = call.getCallee();
  const BuiltinInfo *info = lookupBuiltin(name);
  if (info && info->category == category) {
    call.setBuiltin(info->id);
    return bindArgs(call, *info, scope);
  }
  std::vector<StringRef> candidates;
  std::string list;
  for (const BuiltinInfo &other : getAllBuiltins()) {
    if (other.category != category)
      continue;
    candidates.push_back(other.name);
    list += (list.empty() ? "'" : ", '") + other.name.str() + "'";
  }
  StringRef what = getCategoryName(category);
  if (info)
    return diags.error(call.getLoc(), "'" + name + "' is not an " + what +
                                          "; expected one of " + list);
  return diags.error(call.getLoc(), "unknown " + what + " '" + name + "'" +
                                        suggest(name, candidates));
}

/// Binds positional and keyword arguments to the signature's parameters
/// (Python rules) and checks each argument against its kind.
bool Sema::bindArgs(CallExpr &call, const BuiltinInfo &info, Scope &scope) {
  const std::vector<BuiltinParam> &params = info.params;
  std::vector<Expr *> bound(params.size(), nullptr);
  std::vector<SMLoc> boundLoc(params.size());
  bool ok = true;
  unsigned numPositional = info.getNumPositional();
  const auto &args = call.getArgs();
  if (args.size() > numPositional)
    ok = diags.error(args[numPositional]->getLoc(),
                     "'" + info.name + "' takes " +
                         (numPositional == 0
                              ? llvm::Twine("no positional arguments")
                              : "at most " + llvm::Twine(numPositional) +
                                    " positional argument" +
                                    (numPositional == 1 ? "" : "s")) +
                         ", but " + llvm::Twine(args.size()) +
                         (args.size() == 1 ? " was" : " were") + " given");
  for (size_t i = 0, e = std::min<size_t>(args.size(), numPositional); i != e;
       ++i) {
    bound[i] = args[i].get();
    boundLoc[i] = args[i]->getLoc();
  }
  for (const KeywordArg &kwarg : call.getKwargs()) {
    std::optional<unsigned> index = info.lookupParam(kwarg.name);
    if (!index) {
      std::vector<StringRef> names;
      for (const BuiltinParam &param : params)
        names.push_back(param.name);
      ok = diags.error(kwarg.loc, "'" + info.name +
                                      "' has no argument named '" +
                                      kwarg.name + "'" +
                                      suggest(kwarg.name, names));
      continue;
    }
    if (bound[*index]) {
      ok = diags.error(kwarg.loc, "argument '" + kwarg.name + "' of '" +
                                      info.name + "' is given twice");
      diags.note(boundLoc[*index], "previous value of '" + kwarg.name +
                                       "' is here");
      continue;
    }
    bound[*index] = kwarg.value.get();
    boundLoc[*index] = kwarg.loc;
  }
  for (size_t i = 0, e = params.size(); i != e; ++i) {
    if (bound[i])
      ok &= checkArg(bound[i], params[i], info, scope);
    else if (params[i].required)
      ok = diags.error(call.getLoc(), "missing argument '" + params[i].name +
                                          "' in call to '" + info.name + "'");
  }
  if (ok && info.id == BuiltinId::Dropout) {
    double rate = *getNumLiteral(bound[1]);
    if (!(rate >= 0 && rate < 1))
      ok = diags.error(bound[1]->getLoc(),
                       "dropout rate must be in [0, 1), found '" +
                           getLiteralSpelling(bound[1]) + "'");
  }
  if (ok && info.category == BuiltinCategory::Noise)
    ok = checkNoiseArgs(info, bound);
  call.setBoundArgs(std::vector<const Expr *>(bound.begin(), bound.end()));
  return ok;
}

/// random_uniform, random_normal: shape entries positive or -1, low < high, stddev > 0.
bool Sema::checkNoiseArgs(const BuiltinInfo &info, const std::vector<Expr *> &bound) {
  bool ok = true;
  if (const auto *list = llvm::dyn_cast_or_null<ListExpr>(bound[1]))
    for (const auto &e : list->getElements())
      if (std::optional<int64_t> d = getIntLiteral(e.get()); d && *d <= 0 && *d != -1)
        ok = diags.error(e->getLoc(),
                         "shape entries of '" + info.name +
                             "' must be positive or -1 (the dim of 'like' there), "
                             "found '" + getLiteralSpelling(e.get()) + "'");
  auto spelling = [&](unsigned i) {
    return bound[i] ? getLiteralSpelling(bound[i]) : info.params[i].defaultValue;
  };
  auto number = [&](unsigned i) {
    double v = 0;
    llvm::to_float(spelling(i), v);
    return v;
  };
  if (info.id == BuiltinId::RandomUniform && !(number(2) < number(3)))
    ok = diags.error((bound[3] ? bound[3] : bound[2])->getLoc(),
                     "'random_uniform' needs low < high, found low = '" + spelling(2) +
                         "' and high = '" + spelling(3) + "'");
  if (info.id == BuiltinId::RandomNormal && !(number(3) > 0))
    ok = diags.error(bound[3]->getLoc(), "stddev of 'random_normal' must be positive, "
                                         "found '" + spelling(3) + "'");
  return ok;
}

bool Sema::checkArg(Expr *arg, const BuiltinParam &param,
                    const BuiltinInfo &info, Scope &scope) {
  std::string what = ("argument '" + param.name + "' of '" + info.name +
                      "' must be ").str();
  SMLoc loc = arg->getLoc();
  if (param.kind == ArgKind::IntLiteral || param.kind == ArgKind::PosLiteral ||
      param.kind == ArgKind::IntList || param.kind == ArgKind::IntOrList)
    if (const Expr *bad = findIntOutOfRange(arg))
      return diags.error(bad->getLoc(),
                         "integer '" + getLiteralSpelling(bad) + "' is out of range for " +
                             what.substr(0, what.size() - 9) +
                             " (the limit is " + llvm::Twine(nn::kMaxElements) + ")");
  switch (param.kind) {
  case ArgKind::FloatTensor:
  case ArgKind::IntTensor: {
    Value value = checkTensor(*arg, scope);
    bool wantInt = param.kind == ArgKind::IntTensor;
    if (value == Value::Error)
      return false;
    if (wantInt && value != Value::I32)
      return diags.error(loc, what + "an i32 tensor, but it is f32");
    if (!wantInt && value != Value::F32)
      return diags.error(loc, what + "an f32 tensor, but it is i32; integer "
                                     "tensors can only be passed to " +
                                     getIntConsumers());
    return true;
  }
  case ArgKind::IntLiteral:
    return getIntLiteral(arg) ? true
                              : diags.error(loc, what + "an integer literal");
  case ArgKind::PosLiteral: {
    std::optional<int64_t> value = getIntLiteral(arg);
    if (!value)
      return diags.error(loc, what + "a positive integer literal");
    if (*value <= 0)
      return diags.error(loc, what + "positive, found '" +
                                  llvm::Twine(*value) + "'");
    return true;
  }
  case ArgKind::NumLiteral: {
    std::optional<double> v = getNumLiteral(arg);
    if (!v)
      return diags.error(loc, what + "a number literal");
    const char *range = nullptr;
    switch (param.range) {
    case NumRange::Any:
      break;
    case NumRange::NonNegative:
      range = *v >= 0 ? nullptr : "0 or positive";
      break;
    case NumRange::Unit:
      range = *v >= 0 && *v < 1 ? nullptr : "in [0, 1)";
      break;
    case NumRange::Flag:
      range = *v == 0 || *v == 1 ? nullptr : "0 or 1";
      break;
    }
    return range ? diags.error(loc, what + range + ", found '" + getLiteralSpelling(arg) + "'")
                 : true;
  }
  case ArgKind::StrLiteral:
    return llvm::isa<StringExpr>(arg) ? true
                                      : diags.error(loc, what +
                                                             "a string literal");
  case ArgKind::BoolLiteral:
    return llvm::isa<BoolExpr>(arg) ? true
                                    : diags.error(loc, what +
                                                           "'true' or 'false'");
  case ArgKind::IntList:
    return isIntList(arg) ? true
                          : diags.error(loc, what + "a list of integer "
                                                    "literals such as [2, 3]");
  case ArgKind::IntOrList:
    return getIntLiteral(arg) || isIntList(arg)
               ? true
               : diags.error(loc, what + "an integer literal or a list of "
                                         "integer literals");
  }
  return false;
}

static bool isIdentifier(StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// Names a layer call or model application `<prefix><k>` (k counts the earlier
/// calls of that kind in the model, in evaluation order) or by its name=
/// argument, and records it as a parameter group of the model. A name= given
/// again by a call of the same kind applies the same instance: its parameters
/// are shared. Any other clash with a parameter or instance name is an error.
void Sema::nameInstance(CallExpr &call, StringRef kind, StringRef prefix,
                        LayerInstance instance, Scope &scope) {
  unsigned index = instanceCounts[kind]++;
  std::string name = (prefix + llvm::Twine(index)).str();
  SMLoc loc = call.getLoc();
  bool named = false;
  for (const KeywordArg &kwarg : call.getKwargs()) {
    if (kwarg.name != "name")
      continue;
    const auto *str = llvm::dyn_cast<StringExpr>(kwarg.value.get());
    if (!str)
      return; // bindArgs reports it.
    if (!isIdentifier(str->getValue())) {
      diags.error(str->getLoc(), "layer name \"" + str->getValue() +
                                     "\" must be an identifier (letters, "
                                     "digits and '_')");
      return;
    }
    if (str->getValue().size() > kMaxIdentifierLength) {
      diags.error(str->getLoc(), "layer name is too long (" +
                                     llvm::Twine(str->getValue().size()) +
                                     " characters; the limit is " +
                                     llvm::Twine(kMaxIdentifierLength) + ")");
      return;
    }
    name = str->getValue().str();
    loc = str->getLoc();
    named = true;
  }
  auto [it, inserted] = paramNames.try_emplace(name, loc);
  if (!inserted) {
    auto previous = instanceKinds.find(name);
    if (named && previous != instanceKinds.end() && previous->second == kind) {
      call.setLayerName(name); // the same instance, applied again
      return;
    }
    diags.error(loc, "duplicate parameter name '" + name + "'");
    diags.note(it->second, "previous definition of '" + name + "' is here");
    return;
  }
  if (named) // only a name given with name= can be given again
    instanceKinds[name] = kind.str();
  call.setLayerName(name);
  instance.name = name;
  scope.model->addLayer(std::move(instance));
}
