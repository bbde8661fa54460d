//===- MLIRGenBuiltins.cpp - one lowering per builtin of Builtins.def -----===//
//
// Builtins decompose into the primitive nn ops. Arguments arrive bound by Sema in
// signature order (null: the default of Builtins.def applies).
//
//===----------------------------------------------------------------------------===//
#include "frontend/MLIRGenImpl.h"
#include "ir/Limits.h"
#include "ir/ShapeRules.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace nnc;

std::optional<double> nnc::literalNumber(const ast::Expr *e) {
  if (const auto *n = dyn_cast_or_null<ast::NumberExpr>(e))
    return n->getValue();
  if (const auto *u = dyn_cast_or_null<ast::UnaryExpr>(e))
    if (std::optional<double> v = literalNumber(&u->getOperand()))
      return -*v;
  return std::nullopt;
}

/// The value of an integer literal, possibly negated; nullopt for anything else.
static std::optional<int64_t> literalInteger(const ast::Expr *e) {
  if (const auto *n = dyn_cast_or_null<ast::NumberExpr>(e))
    return n->isInteger() ? std::optional<int64_t>(n->getIntValue()) : std::nullopt;
  if (const auto *u = dyn_cast_or_null<ast::UnaryExpr>(e))
    if (std::optional<int64_t> v = literalInteger(&u->getOperand()))
      return -*v; // literals are below 2^63, so this cannot overflow
  return std::nullopt;
}

namespace {

/// Reads literal arguments of a bound builtin call, falling back to the defaults of
/// Builtins.def.
class Args {
public:
  Args(const ast::CallExpr &call)
      : call(call), info(getBuiltinInfo(*call.getBuiltin())) {}

  const ast::Expr *expr(unsigned i) const {
    return i < call.getBoundArgs().size() ? call.getBoundArgs()[i] : nullptr;
  }
  bool present(unsigned i) const { return expr(i) != nullptr; }

  double number(unsigned i) const {
    if (const ast::Expr *e = expr(i))
      return literalNumber(e).value_or(0);
    double v = 0;
    llvm::to_float(info.params[i].defaultValue, v);
    return v;
  }
  /// An integer argument, exactly (Sema checked it is a literal within
  /// +-nn::kMaxElements); the default of Builtins.def when absent.
  int64_t integer(unsigned i) const {
    if (std::optional<int64_t> v = literalInteger(expr(i)))
      return *v;
    return (int64_t)number(i);
  }
  bool boolean(unsigned i) const {
    if (const auto *b = dyn_cast_or_null<ast::BoolExpr>(expr(i)))
      return b->getValue();
    return info.params[i].defaultValue == "true";
  }
  std::string string(unsigned i) const {
    if (const auto *s = dyn_cast_or_null<ast::StringExpr>(expr(i)))
      return s->getValue().str();
    return StringRef(info.params[i].defaultValue).trim('"').str();
  }
  /// A list argument, or an integer argument as a list of one (kind K).
  SmallVector<int64_t> list(unsigned i) const {
    SmallVector<int64_t> out;
    if (const auto *l = dyn_cast_or_null<ast::ListExpr>(expr(i)))
      for (const auto &e : l->getElements())
        out.push_back(literalInteger(e.get()).value_or(0));
    else if (present(i) || !info.params[i].defaultValue.empty())
      out.push_back(integer(i));
    return out;
  }

private:
  const ast::CallExpr &call;
  const BuiltinInfo &info;
};

} // namespace

/// Normalizes a possibly negative axis against `rank`; -1 when out of range.
static int64_t normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return axis >= 0 && axis < rank ? axis : -1;
}

/// Builds the registered op `opName` with the result type its own shape rule infers
/// (the rule reports errors at `loc`); null after an error.
static Value buildNamedOp(MLIRGenImpl &gen, llvm::SMLoc l, StringRef opName,
                          ValueRange operands, ArrayRef<NamedAttribute> attrs) {
  OpBuilder &b = gen.getBuilder();
  MLIRContext *ctx = b.getContext();
  std::optional<RegisteredOperationName> name = RegisteredOperationName::lookup(opName, ctx);
  auto *infer = name ? name->getInterface<InferTypeOpInterface>() : nullptr;
  if (!infer)
    return gen.error(l, "internal error: '" + opName + "' is not an nn op with a shape rule");
  Location loc = gen.loc(l);
  SmallVector<Type, 1> types;
  if (failed(infer->inferReturnTypes(ctx, loc, operands, b.getDictionaryAttr(attrs),
                                     /*properties=*/nullptr, /*regions=*/{}, types)))
    return nullptr;
  OperationState state(loc, *name);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(types);
  return gen.checkSize(l, b.create(state)->getResult(0));
}

/// A builtin that is one nn op (OP_BUILTIN in Builtins.def): operands are the tensor
/// arguments, attributes the other arguments by parameter name.
static Value buildOpBuiltin(MLIRGenImpl &gen, const ast::CallExpr &call,
                            const BuiltinInfo &info, const Args &args,
                            ArrayRef<Value> operands) {
  OpBuilder &b = gen.getBuilder();
  SmallVector<NamedAttribute> attrs;
  for (auto [i, p] : llvm::enumerate(info.params)) {
    if (p.kind == ArgKind::FloatTensor || p.kind == ArgKind::IntTensor)
      continue;
    if (!args.present(i) && p.defaultValue.empty())
      continue; // optional, absent: the op's default applies
    Attribute a;
    switch (p.kind) {
    case ArgKind::IntLiteral:
    case ArgKind::PosLiteral:
      a = b.getI64IntegerAttr(args.integer(i));
      break;
    case ArgKind::NumLiteral:
      a = b.getF32FloatAttr(args.number(i));
      break;
    case ArgKind::StrLiteral:
      a = b.getStringAttr(args.string(i));
      break;
    case ArgKind::BoolLiteral:
      a = b.getBoolAttr(args.boolean(i));
      break;
    case ArgKind::IntList:
    case ArgKind::IntOrList:
      a = b.getDenseI64ArrayAttr(args.list(i));
      break;
    case ArgKind::FloatTensor:
    case ArgKind::IntTensor:
      break;
    }
    attrs.push_back(b.getNamedAttr(p.name, a));
  }
  return buildNamedOp(gen, call.getLoc(), info.op, operands, attrs);
}

/// `activation = "NAME"` of a layer: "linear" (none), or an elementwise builtin of one
/// tensor that is one nn op (relu, sigmoid, tanh, ...).
static Value applyActivation(MLIRGenImpl &gen, const ast::CallExpr &call, const Args &args,
                             unsigned param, Value x) {
  if (!args.present(param) || !x)
    return x;
  std::string name = args.string(param);
  if (name == "linear")
    return x;
  const BuiltinInfo *act = lookupBuiltin(name);
  if (!act || act->category != BuiltinCategory::Elementwise || act->op.empty() ||
      act->params.size() != 1) {
    std::string valid = "linear";
    for (const BuiltinInfo &b : getAllBuiltins())
      if (b.category == BuiltinCategory::Elementwise && !b.op.empty() && b.params.size() == 1)
        valid += ", " + b.name.str();
    return gen.error(args.expr(param)->getLoc(),
                     "unknown activation '" + name + "' (valid: " + valid + ")");
  }
  return buildNamedOp(gen, call.getLoc(), act->op, x, {});
}

/// The two tensors of a loss have one shape (or the second is a scalar): a prediction
/// [B, 1] against a target [B] would broadcast into [B, B] and compute a wrong number.
static bool checkSameShape(MLIRGenImpl &gen, const ast::CallExpr &call, const Args &args,
                           Value a, Value b) {
  if (gen.rankOf(b) == 0 || nn::areCompatibleTypes(a.getType(), b.getType()))
    return true;
  gen.error(args.expr(1)->getLoc(), "the arguments of '" + call.getCallee() +
                                        "' must have the same shape, got " +
                                        gen.describe(a) + " and " + gen.describe(b));
  return false;
}

/// A reshape's dynamic result dim must be a number times a product of symbols (the
/// runtime sizes a dim as such a product: `reshape(x: f32[B, S, 10], [-1, 10])` has a dim
/// of B*S), so `reshape(x: f32[B, 10], [-1, 4])` (a dim of (B*10)/4) is an error here, in
/// the language's terms, rather than in code generation.
static Value checkReshape(MLIRGenImpl &gen, llvm::SMLoc l, StringRef name, Value x,
                          Value result) {
  if (!result)
    return result;
  int64_t staticIn = 1, staticOut = 1, dynamicOut = 0;
  for (int64_t d : gen.shapeOf(x))
    if (!ShapedType::isDynamic(d))
      staticIn *= d; // sizes are checked
  for (int64_t d : gen.shapeOf(result))
    ShapedType::isDynamic(d) ? ++dynamicOut : staticOut *= d;
  if (dynamicOut == 0 || (staticOut != 0 && staticIn % staticOut == 0))
    return result;
  std::string in = gen.describe(x);
  std::string dim;
  for (StringRef part : llvm::split(StringRef(in).drop_front(4).drop_back(1), ", "))
    if (!part.empty() && !llvm::isDigit(part.front()))
      dim += (dim.empty() ? "" : "*") + part.str();
  dim = "(" + dim + "*" + std::to_string(staticIn) + ")/" + std::to_string(staticOut);
  return gen.error(l, "'" + name + "' of " + in + " would make a dim of " + dim +
                          " elements, but a dim must be a number times a product of "
                          "symbols");
}

/// `i32[B]` for logits described as `f32[B, 10]`.
static std::string describeLabels(StringRef logits) {
  StringRef dims = logits.drop_front(4).drop_back(1); // "B, 10"
  size_t comma = dims.rfind(", ");
  return "i32[" + (comma == StringRef::npos ? "" : dims.take_front(comma).str()) + "]";
}

/// `rnn`, `gru` and `lstm` on x [B, S, D] (batch first): PyTorch's formulas, gate order
/// (i, f, g, o; r, z, n) and parameters `weight_ih` [G*H, D], `weight_hh` [G*H, H],
/// `bias_ih`, `bias_hh` [G*H], initialised U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does, so
/// weights move between the two. The loop (nn.scan over time-major [S, B, D]) carries h
/// (and c), starting from zeros, and computes one step from the step's input and the
/// recurrent product. Returns the last h [B, H], or every h [B, S, H] with `sequences`.
/// `initial` (and `initialC`, an LSTM's cell) [B, H] replace the zero state when given.
static Value recurrentLayer(MLIRGenImpl &gen, llvm::SMLoc l, const ast::CallExpr &call,
                            BuiltinId kind, Value x, int64_t units, bool sequences,
                            Value initial, Value initialC) {
  ArrayRef<int64_t> shape = gen.shapeOf(x);
  if (shape.size() != 3 || ShapedType::isDynamic(shape[2]))
    return gen.error(l, "'" + call.getCallee() +
                            "' needs an input [B, S, D] with a static D, got " +
                            gen.describe(x));
  OpBuilder &b = gen.getBuilder();
  unsigned gates = kind == BuiltinId::Lstm ? 4 : kind == BuiltinId::Gru ? 3 : 1;
  int64_t h = units, g = gates * units;
  std::optional<int64_t> size = nn::checkedMul(g, std::max(h, shape[2]));
  if (!size || *size > nn::kMaxElements)
    return gen.error(l, "'" + call.getCallee() + "' with " + Twine(units) +
                            " units would have a weight of more than " +
                            Twine(nn::kMaxElements) + " elements, the limit per tensor");
  std::string name = gen.scopedName(call.getLayerName());
  auto f32 = b.getF32Type();
  float bound = float(1.0 / std::sqrt(double(h)));
  auto weight = [&](StringRef suffix, ArrayRef<int64_t> dims) {
    return gen.param(l, name + "." + suffix.str(), RankedTensorType::get(dims, f32),
                     "uniform", {-bound, bound});
  };
  Value wih = weight("weight_ih", {g, shape[2]}), whh = weight("weight_hh", {g, h});
  Value bih = weight("bias_ih", {g}), bhh = weight("bias_hh", {g});
  if (!wih || !whh || !bih || !bhh)
    return nullptr;
  auto attr = [&](StringRef n, Attribute a) { return gen.attr(n, a); };
  auto perm = attr("perm", b.getDenseI64ArrayAttr({1, 0, 2}));
  auto transposeRhs = attr("transpose_rhs", b.getBoolAttr(true));
  Value xs = gen.create<nn::TransposeOp>(l, x, {perm});
  Value zero = gen.create<nn::FillOp>(l, x, {attr("shape", b.getDenseI64ArrayAttr({-1, h}))});
  if (!xs || !zero)
    return nullptr;
  // Gate k's rows of a [G*H, ...] parameter, cut once, before the loop: a step is then
  // one product per gate and no crop of a product inside the loop.
  auto rows = [&](Value v, int64_t k) {
    SmallVector<int64_t> pads{-k * h, -(g - (k + 1) * h)};
    if (gen.rankOf(v) == 2)
      pads.append({0, 0});
    return gen.create<nn::PadOp>(l, v, {attr("pads", b.getDenseI64ArrayAttr(pads))});
  };
  // A given initial state must be [B, H] for this input.
  for (Value v : {initial, initialC})
    if (v && !nn::areCompatibleTypes(v.getType(), zero.getType()))
      return gen.error(l, "the initial state of '" + call.getCallee() + "' must be [batch, " +
                              Twine(units) + "] with the batch of its input " +
                              gen.describe(x) + ", got " + gen.describe(v));
  // The input projection is hoisted out of the loop: gate k's input part of every step,
  // xs W_ih[k]^T + b[k], is one [S, B, D] x [D, H] product before the loop (and its
  // weight gradient one [D, S*B] x [S*B, H] product after the reverse loop), a sequence
  // of the loop. b[k] = b_ih[k] + b_hh[k], except a GRU's n gate, whose b_hh stays
  // inside the step (r multiplies the hidden half). The invariants are W_hh's rows per
  // gate (and that b_hh).
  SmallVector<Value> carried{initial ? initial : zero}, inputs, invariants;
  for (int64_t k = 0; k < gates; ++k) {
    bool apart = kind == BuiltinId::Gru && k == 2;
    Value bias = apart ? rows(bih, k)
                       : gen.create<nn::AddOp>(l, {rows(bih, k), rows(bhh, k)});
    inputs.push_back(gen.create<nn::AddOp>(
        l, {gen.create<nn::MatmulOp>(l, {xs, rows(wih, k)}, {transposeRhs}), bias}));
    invariants.push_back(rows(whh, k));
  }
  if (kind == BuiltinId::Gru)
    invariants.push_back(rows(bhh, 2));
  if (kind == BuiltinId::Lstm)
    carried.push_back(initialC ? initialC : zero);
  if (llvm::any_of(inputs, [](Value v) { return !v; }) ||
      llvm::any_of(invariants, [](Value v) { return !v; }))
    return nullptr;

  auto body = [&](OpBuilder &, ValueRange args, SmallVectorImpl<Value> &yields) {
    // args: h (and c for an LSTM: carried[1]), the step's input part of each gate, the
    // invariants.
    unsigned nc = carried.size();
    Value hp = args[0];
    ValueRange xk = args.slice(nc, gates), inv = args.drop_front(nc + gates);
    auto product = [&](Value v, Value w) {
      return gen.create<nn::MatmulOp>(l, {v, w}, {transposeRhs});
    };
    // Gate k's pre-activation: (x W_ih[k]^T + b[k]) + h W_hh[k]^T.
    auto pre = [&](int64_t k) {
      return gen.create<nn::AddOp>(l, {xk[k], product(hp, inv[k])});
    };
    Value hn;
    if (kind == BuiltinId::Rnn) {
      hn = gen.create<nn::TanhOp>(l, pre(0));
    } else if (kind == BuiltinId::Lstm) {
      Value i = gen.create<nn::SigmoidOp>(l, pre(0));
      Value f = gen.create<nn::SigmoidOp>(l, pre(1));
      Value n = gen.create<nn::TanhOp>(l, pre(2));
      Value o = gen.create<nn::SigmoidOp>(l, pre(3));
      Value c = gen.create<nn::AddOp>(l, {gen.create<nn::MulOp>(l, {f, args[1]}),
                                          gen.create<nn::MulOp>(l, {i, n})});
      hn = gen.create<nn::MulOp>(l, {o, gen.create<nn::TanhOp>(l, c)});
      yields.push_back(hn);
      yields.push_back(c);
      yields.push_back(hn);
      return success(bool(hn));
    } else {
      Value rg = gen.create<nn::SigmoidOp>(l, pre(0));
      Value z = gen.create<nn::SigmoidOp>(l, pre(1));
      Value hidden = gen.create<nn::AddOp>(l, {product(hp, inv[2]), inv[3]});
      Value n = gen.create<nn::TanhOp>(
          l, gen.create<nn::AddOp>(l, {xk[2], gen.create<nn::MulOp>(l, {rg, hidden})}));
      // (1 - z) n + z h = n + z (h - n)
      hn = gen.create<nn::AddOp>(
          l, {n, gen.create<nn::MulOp>(l, {z, gen.create<nn::SubOp>(l, {hp, n})})});
    }
    yields.push_back(hn);
    yields.push_back(hn);
    return success(bool(hn));
  };
  nn::ScanOp scan = nn::buildScan(b, gen.loc(l), carried, inputs, invariants,
                                  /*reverse=*/false, body);
  if (!scan)
    return nullptr;
  if (!sequences)
    return scan.getFinals()[0];
  return gen.create<nn::TransposeOp>(l, scan.getStacked()[0], {perm});
}

Value MLIRGenImpl::genBuiltin(const ast::CallExpr &call) {
  Args args(call);
  llvm::SMLoc l = call.getLoc();
  // Tensor arguments first, so errors inside them come out in source order.
  SmallVector<Value, 2> t;
  const BuiltinInfo &info = getBuiltinInfo(*call.getBuiltin());
  for (auto [i, p] : llvm::enumerate(info.params))
    if (p.kind == ArgKind::FloatTensor || p.kind == ArgKind::IntTensor) {
      t.push_back(args.present(i) ? genExpr(*args.expr(i)) : Value());
      if (args.present(i) && !t.back())
        return nullptr; // an absent optional tensor stays null

    }
  SpellingScope scope(*this, call.getCallee().str());
  if (!info.op.empty()) {
    Value v = buildOpBuiltin(*this, call, info, args, t);
    if (*call.getBuiltin() == BuiltinId::Reshape)
      return checkReshape(*this, l, call.getCallee(), t[0], v);
    return v;
  }

  auto axisAttr = [&](ArrayRef<int64_t> axes) {
    return attr("axes", builder.getDenseI64ArrayAttr(axes));
  };
  auto keep = attr("keepdims", builder.getBoolAttr(true));
  // `axisArg` of `x` in [0, rank); -1 after an error.
  auto checkedAxis = [&](Value x, int64_t axisArg) -> int64_t {
    int64_t axis = normalizeAxis(axisArg, rankOf(x));
    if (axis < 0)
      error(l, "axis " + Twine(axisArg) + " is out of range for rank " + Twine(rankOf(x)));
    return axis;
  };
  // log_softmax along `axis`: s - log(sum(exp(s))) for s = x - max (a constant for
  // autodiff: the shift cancels). Null after an error.
  auto logSoftmax = [&](Value x, int64_t axisArg) -> Value {
    int64_t axis = checkedAxis(x, axisArg);
    if (axis < 0)
      return nullptr;
    Value m = create<nn::ReduceMaxOp>(l, x, {axisAttr({axis}), keep});
    Value s = create<nn::SubOp>(l, {x, create<nn::StopGradientOp>(l, m)});
    Value sum = create<nn::ReduceSumOp>(l, create<nn::ExpOp>(l, s), {axisAttr({axis}), keep});
    return create<nn::SubOp>(l, {s, create<nn::LogOp>(l, sum)});
  };
  auto reduce = [&](auto opTag) -> Value {
    using OpTy = decltype(opTag);
    SmallVector<int64_t> axes;
    if (args.present(1)) {
      int64_t axis = checkedAxis(t[0], args.integer(1));
      if (axis < 0)
        return nullptr;
      axes.push_back(axis);
    }
    return create<OpTy>(l, t[0],
                        {axisAttr(axes), attr("keepdims",
                                              builder.getBoolAttr(args.boolean(2)))});
  };

  switch (*call.getBuiltin()) {
  case BuiltinId::Gelu: {
    Value x = t[0];
    std::string approximate = args.string(1);
    if (approximate == "none")
      return create<nn::GeluOp>(l, x); // 0.5 x (1 + erf(x / sqrt(2))), PyTorch's default
    Value half = create<nn::MulOp>(l, {scalar(l, 0.5), x});
    if (approximate != "tanh")
      return error(args.expr(1)->getLoc(),
                   "approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the tanh form used by GPT-2.
    Value x3 = create<nn::MulOp>(l, {create<nn::MulOp>(l, {x, x}), x});
    Value inner = create<nn::AddOp>(l, {x, create<nn::MulOp>(l, {scalar(l, 0.044715), x3})});
    Value th = create<nn::TanhOp>(l, create<nn::MulOp>(l, {scalar(l, 0.7978845608028654), inner}));
    return create<nn::MulOp>(l, {half, create<nn::AddOp>(l, {scalar(l, 1.0), th})});
  }
  case BuiltinId::LeakyRelu:
    return create<nn::LeakyReluOp>(
        l, t[0], {attr("alpha", builder.getF32FloatAttr(args.number(1)))});
  case BuiltinId::Softmax: {
    // An additive mask (causal_mask, padding_mask) is added before the shift; it
    // broadcasts against x.
    Value x = t[0];
    if (t[1])
      x = create<nn::AddOp>(l, {x, t[1]});
    if (!x)
      return nullptr;
    // One op (nn.softmax) until its gradient is built: the gradient reads only the
    // result; nn-expand then writes out its composition (passes/Expand.cpp).
    int64_t axis = checkedAxis(x, args.integer(1));
    if (axis < 0)
      return nullptr;
    return create<nn::SoftmaxOp>(l, x, {attr("axis", builder.getI64IntegerAttr(axis))});
  }
  case BuiltinId::LogSoftmax:
    return logSoftmax(t[0], args.integer(1));
  case BuiltinId::Sum:
    return reduce(nn::ReduceSumOp());
  case BuiltinId::Mean:
    return reduce(nn::ReduceMeanOp());
  case BuiltinId::ReduceMax:
    return reduce(nn::ReduceMaxOp());
  case BuiltinId::Flatten: {
    ArrayRef<int64_t> shape = shapeOf(t[0]);
    if (shape.empty())
      return error(l, "'flatten' needs a tensor of rank >= 1");
    int64_t inner = 1;
    for (int64_t d : shape.drop_front()) {
      if (ShapedType::isDynamic(d))
        return error(l, "'flatten' needs static dims after the first, got " +
                            describe(t[0]));
      std::optional<int64_t> product = nn::checkedMul(inner, d);
      if (!product || *product > nn::kMaxElements)
        return error(l, "'flatten' of " + describe(t[0]) + " would have a dim of more "
                        "than " + Twine(nn::kMaxElements) + " elements, the limit per tensor");
      inner = *product;
    }
    return checkReshape(
        *this, l, call.getCallee(), t[0],
        create<nn::ReshapeOp>(l, t[0],
                              {attr("shape", builder.getDenseI64ArrayAttr({-1, inner}))}));
  }
  case BuiltinId::Dropout:
    return dropout(l, t[0], args.number(1));
  case BuiltinId::RandomUniform:
  case BuiltinId::RandomNormal: {
    // low + (high - low) u, or mean + stddev z; `shape`'s -1 entries take like's dims.
    bool normal = *call.getBuiltin() == BuiltinId::RandomNormal;
    auto [seed, stream] = noiseSite(l);
    if (!seed || !stream)
      return nullptr;
    SmallVector<NamedAttribute, 1> attrs;
    if (args.present(1))
      attrs.push_back(attr("shape", builder.getDenseI64ArrayAttr(args.list(1))));
    Value r = normal ? create<nn::RandomNormalOp>(l, {t[0], seed, stream}, attrs)
                     : create<nn::RandomUniformOp>(l, {t[0], seed, stream}, attrs);
    double shift = args.number(2);
    double scale = normal ? args.number(3) : args.number(3) - shift;
    if (r && scale != 1)
      r = create<nn::MulOp>(l, {r, scalar(l, scale)});
    if (r && shift != 0)
      r = create<nn::AddOp>(l, {r, scalar(l, shift)});
    return r;
  }
  case BuiltinId::Dense: {
    ArrayRef<int64_t> shape = shapeOf(t[0]);
    if (shape.size() < 2 || ShapedType::isDynamic(shape.back()))
      return error(l, "'dense' needs an input of rank >= 2 with a static last dim, got " +
                          Twine(shape.size() < 2 ? "rank " + Twine(shape.size()).str()
                                                 : std::string("a dynamic last dim")));
    int64_t units = args.integer(1);
    std::string name = scopedName(call.getLayerName());
    auto f32 = builder.getF32Type();
    Value w = param(l, name + ".weight",
                    RankedTensorType::get({shape.back(), units}, f32), "glorot_uniform");
    Value b = param(l, name + ".bias", RankedTensorType::get({units}, f32),
                    "zeros");
    return create<nn::AddOp>(l, {create<nn::MatmulOp>(l, {t[0], w}), b});
  }
  case BuiltinId::LayerNorm: {
    // PyTorch's LayerNorm over the last dim: (x - mean) / sqrt(var + eps) * weight +
    // bias, the variance biased (divided by D); weight ones and bias zeros [D]. The
    // division as PyTorch's kernel makes it: a reciprocal per row, a multiply per element.
    ArrayRef<int64_t> shape = shapeOf(t[0]);
    if (shape.empty() || ShapedType::isDynamic(shape.back()))
      return error(l, "'layer_norm' needs an input of rank >= 1 with a static last dim, "
                      "got " + describe(t[0]));
    int64_t axis = (int64_t)shape.size() - 1;
    std::string name = scopedName(call.getLayerName());
    auto type = RankedTensorType::get({shape.back()}, builder.getF32Type());
    Value w = param(l, name + ".weight", type, "ones");
    Value b = param(l, name + ".bias", type, "zeros");
    if (!w || !b)
      return nullptr;
    Value mean = create<nn::ReduceMeanOp>(l, t[0], {axisAttr({axis}), keep});
    Value d = create<nn::SubOp>(l, {t[0], mean});
    Value var = create<nn::ReduceMeanOp>(l, create<nn::MulOp>(l, {d, d}),
                                         {axisAttr({axis}), keep});
    Value den = create<nn::SqrtOp>(l, create<nn::AddOp>(l, {var, scalar(l, args.number(1))}));
    Value y = create<nn::MulOp>(l, {d, create<nn::DivOp>(l, {scalar(l, 1.0), den})});
    return create<nn::AddOp>(l, {create<nn::MulOp>(l, {y, w}), b});
  }
  case BuiltinId::Embedding: {
    // Rows of weight [vocab, dim] at the ids; weights U(-0.05, 0.05), Keras' default.
    std::string name = scopedName(call.getLayerName());
    auto type = RankedTensorType::get({args.integer(1), args.integer(2)},
                                      builder.getF32Type());
    Value w = param(l, name + ".weight", type, "uniform", {-0.05f, 0.05f});
    if (!w)
      return nullptr;
    return create<nn::GatherOp>(l, {w, t[0]});
  }
  case BuiltinId::Conv2D:
  case BuiltinId::Conv2DTranspose: {
    // x [N, H, W, C]; weight [KH, KW, C, filters] (conv2d) or [KH, KW, filters, C]
    // (conv2d_transpose, Keras' layout for both); bias [filters].
    bool transpose = *call.getBuiltin() == BuiltinId::Conv2DTranspose;
    ArrayRef<int64_t> shape = shapeOf(t[0]);
    if (shape.size() != 4 || ShapedType::isDynamic(shape[3]))
      return error(l, "'" + call.getCallee() +
                          "' needs an input [N, H, W, C] with a static C, got rank " +
                          Twine(shape.size()));
    SmallVector<int64_t> k = args.list(2), stride = args.list(3);
    if (k.size() == 1)
      k.push_back(k.front());
    if (stride.size() == 1)
      stride.push_back(stride.front());
    if (k.size() != 2 || stride.size() != 2)
      return error(l, "'" + call.getCallee() + "' kernel and stride take 1 or 2 numbers");
    int64_t filters = args.integer(1), channels = shape[3];
    std::string padding = args.string(4);
    if (padding != "same" && padding != "valid")
      return error(args.present(4) ? args.expr(4)->getLoc() : l,
                   "padding must be \"same\" or \"valid\", got \"" + padding + "\"");
    std::string name = scopedName(call.getLayerName());
    auto f32 = builder.getF32Type();
    auto wType = RankedTensorType::get(
        {k[0], k[1], transpose ? filters : channels, transpose ? channels : filters}, f32);
    Value w = param(l, name + ".weight", wType, "glorot_uniform");
    Value b = param(l, name + ".bias", RankedTensorType::get({filters}, f32), "zeros");
    SmallVector<NamedAttribute> attrs{attr("stride", builder.getDenseI64ArrayAttr(stride)),
                                      attr("padding", builder.getStringAttr(padding))};
    Value y;
    if (transpose) {
      // Keras' output size: H * stride ("same"), (H - 1) * stride + KH ("valid").
      SmallVector<int64_t> out;
      for (int axis = 0; axis < 2; ++axis) {
        int64_t in = shape[1 + axis];
        if (ShapedType::isDynamic(in))
          return error(l, "'conv2d_transpose' needs static spatial dims");
        std::optional<int64_t> size =
            padding == "same" ? nn::checkedMul(in, stride[axis])
                              : nn::checkedMul(in - 1, stride[axis]);
        if (size && padding != "same")
          size = nn::checkedAdd(*size, k[axis]);
        if (!size || *size > nn::kMaxElements)
          return error(l, "'conv2d_transpose' output would have a dim of more than " +
                              Twine(nn::kMaxElements) + " elements, the limit per tensor");
        out.push_back(*size);
      }
      attrs.push_back(attr("output_shape", builder.getDenseI64ArrayAttr(out)));
      // The op's filter is [KH, KW, C_in, C_out]: swap Keras' channel dims.
      Value v = create<nn::TransposeOp>(
          l, w, {attr("perm", builder.getDenseI64ArrayAttr({0, 1, 3, 2}))});
      y = create<nn::Conv2DTransposeOp>(l, {t[0], v}, attrs);
    } else {
      SmallVector<int64_t> dilation = args.list(5);
      if (dilation.size() == 1)
        dilation.push_back(dilation.front());
      attrs.push_back(attr("dilation", builder.getDenseI64ArrayAttr(dilation)));
      y = create<nn::Conv2DOp>(l, {t[0], w}, attrs);
    }
    if (y)
      y = create<nn::AddOp>(l, {y, b});
    unsigned activation = *info.lookupParam("activation");
    return applyActivation(*this, call, args, activation, y);
  }
  case BuiltinId::Rnn:
  case BuiltinId::Gru:
  case BuiltinId::Lstm:
    return recurrentLayer(*this, l, call, *call.getBuiltin(), t[0], args.integer(1),
                          args.boolean(2), t[1], t.size() > 2 ? t[2] : Value());
  case BuiltinId::CrossEntropy: {
    // Sparse categorical cross-entropy from logits, mean over the batch.
    int64_t depth = shapeOf(t[0]).empty() ? -1 : shapeOf(t[0]).back();
    if (depth <= 0)
      return error(l, "'cross_entropy' needs logits with a static last dim, got " +
                          describe(t[0]));
    // One label per row of logits, exactly: labels [B, 1] against logits [B, 10]
    // would broadcast into a [B, B] loss and compute a wrong number.
    if (!nn::areCompatibleTypes(
            RankedTensorType::get(shapeOf(t[0]).drop_back(), builder.getI32Type()),
            t[1].getType()))
      return error(args.expr(1)->getLoc(),
                   "labels of 'cross_entropy' must have the shape of the logits without "
                   "their last dim: logits are " + describe(t[0]) + ", so labels must be " +
                   describeLabels(describe(t[0])) + ", got " + describe(t[1]));
    Value ls = logSoftmax(t[0], -1);
    Value onehot = create<nn::OneHotOp>(l, t[1], {attr("depth", builder.getI64IntegerAttr(depth))});
    // Each row's term with keepdims ([B, 1]): the mean is over every element either
    // way, and the gradient of a kept dim is a broadcast, where [B] needs a reshape to
    // [B, 1] first, a buffer alias that keeps the backward out of the forward's kernel.
    Value picked = create<nn::ReduceSumOp>(
        l, create<nn::MulOp>(l, {onehot, ls}),
        {axisAttr({rankOf(t[0]) - 1}), attr("keepdims", builder.getBoolAttr(true))});
    return create<nn::NegOp>(l, create<nn::ReduceMeanOp>(l, picked, {axisAttr({})}));
  }
  case BuiltinId::Mse: {
    if (!checkSameShape(*this, call, args, t[0], t[1]))
      return nullptr;
    Value d = create<nn::SubOp>(l, {t[0], t[1]});
    return create<nn::ReduceMeanOp>(l, create<nn::MulOp>(l, {d, d}), {axisAttr({})});
  }
  case BuiltinId::BinaryCrossEntropy: {
    // -(t log p + (1 - t) log(1 - p)), p clamped to [1e-7, 1 - 1e-7] as Keras does.
    if (!checkSameShape(*this, call, args, t[0], t[1]))
      return nullptr;
    Value p = create<nn::MinOp>(l, {create<nn::MaxOp>(l, {t[0], scalar(l, 1e-7)}),
                                    scalar(l, 1 - 1e-7)});
    Value one = scalar(l, 1.0);
    Value a = create<nn::MulOp>(l, {t[1], create<nn::LogOp>(l, p)});
    Value b = create<nn::MulOp>(l, {create<nn::SubOp>(l, {one, t[1]}),
                                    create<nn::LogOp>(l, create<nn::SubOp>(l, {one, p}))});
    return create<nn::NegOp>(
        l, create<nn::ReduceMeanOp>(l, create<nn::AddOp>(l, {a, b}), {axisAttr({})}));
  }
  case BuiltinId::TokensLike: {
    // i32 [B] of the id, B from dim 0 of `like`: the argmax of rows [0, ..., 0, 1] of
    // id + 1 elements (a fill of ones [B, 1] padded with id zeros before), so it is
    // made of ops that have kernels already.
    int64_t id = args.integer(1);
    if (id < 0 || id >= (int64_t(1) << 20))
      return error(call.getBoundArgs()[1]->getLoc(),
                   "the token id of 'tokens_like' must be in [0, 2^20), got " + Twine(id));
    if (rankOf(t[0]) == 0)
      return error(call.getBoundArgs()[0]->getLoc(),
                   "'tokens_like' takes its batch from dim 0 of a tensor, but the "
                   "argument is a scalar");
    Value ones = create<nn::FillOp>(l, t[0], {attr("shape", builder.getDenseI64ArrayAttr({-1, 1})),
                                              attr("value", builder.getF32FloatAttr(1))});
    Value row = create<nn::PadOp>(l, ones, {attr("pads", builder.getDenseI64ArrayAttr({0, 0, id, 0}))});
    return create<nn::ArgmaxOp>(l, row, {attr("axis", builder.getI64IntegerAttr(-1))});
  }
  default:
    break;
  }
  return error(l, "'" + call.getCallee() + "' cannot be used in an expression here");
}
