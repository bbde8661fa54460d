//===- HalideLowering.cpp - nn.kernel -> Halide pipeline ------------------===//
//
// One Halide Func per nn op of the kernel body (elementwise Funcs are inlined by the
// default schedule), one ImageParam per kernel operand, one output Func per result.
// Index conventions: nn dims are row-major; Halide dim 0 is the innermost nn dim, so a
// tensor of rank r is called with its nn index reversed. Static dims are constants;
// dynamic dims take their extent from the input buffers at run time.
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include "ir/NNTraits.h"
#include "llvm/ADT/TypeSwitch.h"
#include <functional>

using namespace nn;
using namespace nn::codegen;
using Halide::Expr;
using Halide::Func;
using Halide::Var;

namespace {

using Index = std::vector<Expr>;

/// A value of the kernel body, addressed by nn index.
struct Tensor {
  std::function<Expr(const Index &)> load; ///< takes a Halide-ordered index
  std::vector<Expr> extents;                ///< nn order
  std::vector<int64_t> shape;               ///< nn order, -1 = dynamic
  int rank() const { return (int)shape.size(); }
  Expr at(const Index &nnIndex) const { return load(Index(nnIndex.rbegin(), nnIndex.rend())); }
};

[[noreturn]] void unsupported(mlir::Operation *op, const std::string &what) {
  std::string name = op->getName().getStringRef().str();
  throw Halide::InternalError("cannot lower '" + name + "' to Halide: " + what);
}

std::vector<int64_t> shapeOf(mlir::Type t) {
  auto ranked = mlir::dyn_cast<mlir::RankedTensorType>(t);
  if (!ranked)
    throw Halide::InternalError("kernel value of unranked type");
  std::vector<int64_t> shape;
  for (int64_t d : ranked.getShape())
    shape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
  return shape;
}

Halide::Type halideType(mlir::Type t) {
  mlir::Type e = mlir::cast<mlir::ShapedType>(t).getElementType();
  if (e.isF32())
    return Halide::Float(32);
  if (e.isInteger(32))
    return Halide::Int(32);
  throw Halide::InternalError("unsupported element type");
}

std::vector<Var> makeVars(size_t rank) {
  std::vector<Var> v;
  for (size_t i = 0; i < rank; ++i)
    v.emplace_back("d" + std::to_string(i));
  return v;
}

/// Constrains a buffer to the runtime's layout: min 0, dense row-major, static extents.
/// The buffers of a Tuple-valued output after the first take their min and extent
/// from the first (Halide's rule): `bounds` false constrains only their strides.
template <typename Buffer>
void constrainLayout(Buffer b, const std::vector<int64_t> &shape, bool bounds = true) {
  int rank = (int)shape.size();
  for (int i = 0; i < rank; ++i) {
    if (bounds)
      b.dim(i).set_min(0);
    if (bounds && shape[rank - 1 - i] >= 0)
      b.dim(i).set_extent((int)shape[rank - 1 - i]);
    if (i == 0)
      b.dim(i).set_stride(1);
    else
      b.dim(i).set_stride(b.dim(i - 1).stride() * b.dim(i - 1).extent());
  }
}

/// The formula of a unary elementwise op.
Expr unaryFormula(mlir::Operation *op, Expr x) {
  return llvm::TypeSwitch<mlir::Operation *, Expr>(op)
      .Case([&](NegOp) { return -x; })
      .Case([&](ExpOp) { return Halide::exp(x); })
      .Case([&](LogOp) { return Halide::log(x); })
      .Case([&](SqrtOp) { return Halide::sqrt(x); })
      .Case([&](AbsOp) { return Halide::abs(x); })
      .Case([&](TanhOp) { return Halide::tanh(x); })
      .Case([&](SigmoidOp) { return 1.0f / (1.0f + Halide::exp(-x)); })
      .Case([&](ReluOp) { return Halide::max(x, 0.0f); })
      .Case([&](StepOp) { return Halide::select(x > 0.0f, 1.0f, 0.0f); })
      .Case([&](StopGradientOp) { return x; })
      .Default([](mlir::Operation *op) -> Expr { unsupported(op, "no unary formula"); });
}

/// The formula of a binary elementwise op.
Expr binaryFormula(mlir::Operation *op, Expr a, Expr b) {
  return llvm::TypeSwitch<mlir::Operation *, Expr>(op)
      .Case([&](AddOp) { return a + b; })
      .Case([&](SubOp) { return a - b; })
      .Case([&](MulOp) { return a * b; })
      .Case([&](DivOp) { return a / b; })
      .Case([&](MaxOp) { return Halide::max(a, b); })
      .Case([&](MinOp) { return Halide::min(a, b); })
      .Case([&](PowOp) { return Halide::pow(a, b); })
      .Case([&](GreaterOp) { return Halide::select(a > b, 1.0f, 0.0f); })
      .Default([](mlir::Operation *op) -> Expr { unsupported(op, "no binary formula"); });
}

/// The index into `x` for result index `idx` under right-aligned broadcasting: a static
/// 1 dim of x is read at 0.
Index broadcastIndex(const Tensor &x, const Index &idx) {
  int r = x.rank(), R = (int)idx.size();
  Index out(r);
  for (int j = 0; j < r; ++j)
    out[j] = x.shape[j] == 1 ? Expr(0) : idx[j + R - r];
  return out;
}

/// Extents of a broadcast result: static dims from its type, a dynamic dim from the
/// operand whose aligned dim is dynamic.
std::vector<Expr> broadcastExtents(const std::vector<int64_t> &shape,
                                   std::initializer_list<const Tensor *> operands) {
  int R = (int)shape.size();
  std::vector<Expr> ext(R);
  for (int i = 0; i < R; ++i) {
    if (shape[i] >= 0) {
      ext[i] = (int)shape[i];
      continue;
    }
    for (const Tensor *t : operands) {
      int j = i - (R - t->rank());
      if (j >= 0 && t->shape[j] < 0) {
        ext[i] = t->extents[j];
        break;
      }
    }
    if (!ext[i].defined())
      throw Halide::InternalError("dynamic broadcast dim without a dynamic operand dim");
  }
  return ext;
}

class KernelLowerer {
public:
  LoweredKernel run(KernelOp kernel);
  LoweredKernel runCopy(int dtype, int rank);

private:
  void lower(mlir::Operation *op);
  void lowerConstant(ConstantOp op);
  void lowerElementwise(mlir::Operation *op);
  template <typename ReduceOp>
  void lowerReduce(ReduceOp op, char kind);
  void lowerMatmul(MatmulOp op);
  void lowerReshape(ReshapeOp op);
  void lowerTranspose(TransposeOp op);
  void lowerBroadcastTo(BroadcastToOp op);
  void lowerOneHot(OneHotOp op);
  void lowerCount(CountOp op);
  void lowerRandomUniform(RandomUniformOp op);
  void lowerYield(YieldOp op);

  /// Defines `v` as a new Func computing `body` at each nn index.
  void define(mlir::Value v, const std::string &base, std::vector<Expr> extents,
              const std::function<Expr(const Index &)> &body);
  const Tensor &get(mlir::Value v) const;
  std::string fresh(const std::string &base) { return base + "_" + std::to_string(next++); }
  static Tensor fromFunc(Func f, std::vector<Expr> extents, std::vector<int64_t> shape) {
    return Tensor{[f](const Index &i) mutable -> Expr { return f(i); }, std::move(extents),
                  std::move(shape)};
  }

  LoweredKernel result;
  llvm::DenseMap<mlir::Value, Tensor> values;
  int next = 0;
};

const Tensor &KernelLowerer::get(mlir::Value v) const {
  auto it = values.find(v);
  if (it == values.end())
    throw Halide::InternalError("kernel value used before its definition");
  return it->second;
}

void KernelLowerer::define(mlir::Value v, const std::string &base,
                           std::vector<Expr> extents,
                           const std::function<Expr(const Index &)> &body) {
  std::vector<int64_t> shape = shapeOf(v.getType());
  std::vector<Var> vars = makeVars(shape.size());
  Index nnIndex(vars.rbegin(), vars.rend());
  Func f(fresh(base));
  f(vars) = body(nnIndex);
  values[v] = fromFunc(f, std::move(extents), std::move(shape));
}

LoweredKernel KernelLowerer::run(KernelOp kernel) {
  mlir::Block &body = kernel.getBody().front();
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    std::vector<int64_t> shape = shapeOf(arg.getType());
    int rank = (int)shape.size();
    Halide::ImageParam p(halideType(arg.getType()), rank, "in" + std::to_string(i));
    constrainLayout(p, shape);
    std::vector<Expr> extents(rank);
    for (int d = 0; d < rank; ++d)
      extents[d] = shape[d] >= 0 ? Expr((int)shape[d]) : p.dim(rank - 1 - d).extent();
    values[arg] = Tensor{[p](const Index &i) mutable -> Expr { return p(i); },
                         std::move(extents), shape};
    result.args.push_back(p);
    result.inputs.push_back(p);
  }
  for (mlir::Operation &op : body)
    lower(&op);
  if (!result.products.empty())
    result.kind = KernelClass::Gemm;
  else if (!result.reductions.empty())
    result.kind = KernelClass::Reduction;
  return std::move(result);
}

LoweredKernel KernelLowerer::runCopy(int dtype, int rank) {
  Halide::ImageParam p(dtype == 0 ? Halide::Float(32) : Halide::Int(32), rank, "in0");
  std::vector<int64_t> shape(rank, -1);
  constrainLayout(p, shape);
  std::vector<Var> vars = makeVars(rank);
  Func out("out0");
  out(vars) = p(vars);
  constrainLayout(out.output_buffer(), shape);
  result.args.push_back(p);
  result.inputs.push_back(p);
  result.outputs.push_back(FuncInfo{out, shape, {}, false, {}});
  return std::move(result);
}

void KernelLowerer::lower(mlir::Operation *op) {
  if (op->hasTrait<mlir::OpTrait::NNElementwise>())
    return lowerElementwise(op);
  llvm::TypeSwitch<mlir::Operation *>(op)
      .Case([&](ConstantOp c) { lowerConstant(c); })
      .Case([&](ReduceSumOp r) { lowerReduce(r, '+'); })
      .Case([&](ReduceMeanOp r) { lowerReduce(r, 'm'); })
      .Case([&](ReduceMaxOp r) { lowerReduce(r, 'x'); })
      .Case([&](MatmulOp m) { lowerMatmul(m); })
      .Case([&](ReshapeOp r) { lowerReshape(r); })
      .Case([&](TransposeOp t) { lowerTranspose(t); })
      .Case([&](BroadcastToOp b) { lowerBroadcastTo(b); })
      .Case([&](OneHotOp o) { lowerOneHot(o); })
      .Case([&](CountOp c) { lowerCount(c); })
      .Case([&](RandomUniformOp r) { lowerRandomUniform(r); })
      .Case([&](YieldOp y) { lowerYield(y); })
      .Default([](mlir::Operation *op) { unsupported(op, "no lowering pattern"); });
}

void KernelLowerer::lowerConstant(ConstantOp op) {
  auto dense = mlir::dyn_cast<mlir::DenseElementsAttr>(op.getValue());
  if (!dense)
    unsupported(op, "only dense constants are supported");
  std::vector<int64_t> shape = shapeOf(op.getType());
  std::vector<Expr> extents;
  for (int64_t d : shape)
    extents.push_back((int)d);
  bool isFloat = dense.getElementType().isF32();
  if (dense.isSplat()) {
    Expr value = isFloat ? Expr(dense.getSplatValue<llvm::APFloat>().convertToFloat())
                         : Expr((int32_t)dense.getSplatValue<llvm::APInt>().getSExtValue());
    values[op.getResult()] =
        Tensor{[value](const Index &) { return value; }, extents, shape};
    return;
  }
  // A non-splat constant becomes a buffer embedded in the pipeline.
  std::vector<int> sizes(shape.rbegin(), shape.rend());
  Halide::Buffer<> buf(isFloat ? Halide::Float(32) : Halide::Int(32), sizes,
                       fresh("const"));
  if (isFloat) {
    float *data = (float *)buf.data();
    for (auto [i, v] : llvm::enumerate(dense.getValues<llvm::APFloat>()))
      data[i] = v.convertToFloat();
  } else {
    int32_t *data = (int32_t *)buf.data();
    for (auto [i, v] : llvm::enumerate(dense.getValues<llvm::APInt>()))
      data[i] = (int32_t)v.getSExtValue();
  }
  values[op.getResult()] = Tensor{
      [buf](const Index &i) mutable -> Expr { return buf(i); }, extents, shape};
}

void KernelLowerer::lowerElementwise(mlir::Operation *op) {
  mlir::Value res = op->getResult(0);
  std::string base = op->getName().stripDialect().str();
  std::vector<int64_t> shape = shapeOf(res.getType());
  if (op->getNumOperands() == 1) {
    const Tensor &x = get(op->getOperand(0));
    define(res, base, x.extents, [&](const Index &i) { return unaryFormula(op, x.at(i)); });
    return;
  }
  const Tensor &a = get(op->getOperand(0)), &b = get(op->getOperand(1));
  define(res, base, broadcastExtents(shape, {&a, &b}), [&](const Index &i) {
    return binaryFormula(op, a.at(broadcastIndex(a, i)), b.at(broadcastIndex(b, i)));
  });
}

/// kind: '+' sum, 'm' mean, 'x' max.
template <typename ReduceOp>
void KernelLowerer::lowerReduce(ReduceOp op, char kind) {
  const Tensor &x = get(op.getX());
  int r = x.rank();
  std::vector<bool> reduced(r, op.getAxes().empty());
  for (int64_t a : op.getAxes())
    reduced[a] = true;
  // The reduction domain runs over the reduced dims, innermost nn dim fastest.
  std::vector<Halide::Range> ranges;
  std::vector<int> rdimOf(r, -1);
  std::vector<int> reducedDims;
  Expr count = 1.0f;
  for (int i = r - 1; i >= 0; --i)
    if (reduced[i]) {
      rdimOf[i] = (int)ranges.size();
      ranges.emplace_back(0, x.extents[i]);
      count = count * Halide::cast<float>(x.extents[i]);
      reducedDims.insert(reducedDims.begin(), i);
    }
  mlir::Value res = op.getResult();
  bool keep = op.getKeepdims();
  std::vector<Expr> extents;
  for (int i = 0; i < r; ++i)
    if (!reduced[i])
      extents.push_back(x.extents[i]);
    else if (keep)
      extents.push_back(1);
  if (ranges.empty()) { // a rank-0 operand: the reduction is the identity
    define(res, "reduce", extents, [&](const Index &i) { return x.at(i); });
    return;
  }
  Halide::RDom rd(ranges, fresh("r"));
  std::vector<int64_t> shape = shapeOf(res.getType());
  std::vector<Var> vars = makeVars(shape.size());
  Index out(vars.rbegin(), vars.rend());
  Index in(r);
  for (int i = 0, pos = 0; i < r; ++i) {
    if (reduced[i]) {
      in[i] = rd[rdimOf[i]];
      pos += keep;
    } else {
      in[i] = out[pos++];
    }
  }
  Func acc(fresh(kind == 'x' ? "reduce_max" : "reduce_sum"));
  acc(vars) = kind == 'x' ? Halide::Float(32).min() : Expr(0.0f);
  if (kind == 'x')
    acc(vars) = Halide::max(acc(vars), x.at(in));
  else
    acc(vars) += x.at(in);
  result.reductions.push_back(FuncInfo{acc, shape, reducedDims, keep, rd});
  if (kind != 'm') {
    values[res] = fromFunc(acc, extents, shape);
    return;
  }
  Expr scale = 1.0f / count;
  define(res, "reduce_mean", extents, [&](const Index &i) {
    return acc(Index(i.rbegin(), i.rend())) * scale;
  });
}

void KernelLowerer::lowerMatmul(MatmulOp op) {
  // An operand computed inside the kernel (a prologue, see passes/Fuse.cpp) becomes a
  // Func of its own, which the schedule computes per row tile (lhs) or once (rhs)
  // instead of inlining it into the product's inner loop.
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    mlir::Operation *def = operand.getDefiningOp();
    if (!def || def->hasTrait<mlir::OpTrait::ConstantLike>())
      continue;
    Tensor t = get(operand);
    std::vector<Var> vars = makeVars(t.shape.size());
    Func f(fresh("prologue"));
    f(vars) = t.at(Index(vars.rbegin(), vars.rend()));
    values[operand] = fromFunc(f, t.extents, t.shape);
    int r = t.rank();
    int64_t contracted = i == 0 ? t.shape[op.getTransposeLhs() ? r - 2 : r - 1]
                                : t.shape[op.getTransposeRhs() ? 1 : 0];
    result.prologues.push_back(
        PrologueInfo{FuncInfo{f, t.shape, {}, false, {}}, (int)i, contracted});
  }
  const Tensor &a = get(op.getLhs()), &b = get(op.getRhs());
  int r = a.rank();
  bool tl = op.getTransposeLhs(), tr = op.getTransposeRhs();
  int kA = tl ? r - 2 : r - 1, mA = tl ? r - 1 : r - 2;
  int kB = tr ? 1 : 0, nB = tr ? 0 : 1;
  Expr k = a.shape[kA] >= 0 || b.shape[kB] < 0 ? a.extents[kA] : b.extents[kB];
  Halide::RDom rk(0, k, fresh("k"));
  std::vector<int64_t> shape = shapeOf(op.getType());
  std::vector<Expr> extents(a.extents.begin(), a.extents.begin() + (r - 2));
  extents.push_back(a.extents[mA]);
  extents.push_back(b.extents[nB]);
  std::vector<Var> vars = makeVars(r);
  Index out(vars.rbegin(), vars.rend()); // [batch..., m, n]
  Index ai(out.begin(), out.begin() + (r - 2));
  ai.resize(r);
  ai[mA] = out[r - 2];
  ai[kA] = rk;
  Index bi(2);
  bi[kB] = rk;
  bi[nB] = out[r - 1];
  Func prod(fresh("matmul"));
  prod(vars) = 0.0f;
  prod(vars) += a.at(ai) * b.at(bi);
  result.products.push_back(FuncInfo{prod, shape, {}, false, rk});
  values[op.getResult()] = fromFunc(prod, extents, shape);
}

void KernelLowerer::lowerReshape(ReshapeOp op) {
  // Kernel formation keeps reshapes outside kernels (they are buffer aliases); inside a
  // kernel they re-index through the row-major linear index.
  const Tensor &x = get(op.getX());
  std::vector<int64_t> shape = shapeOf(op.getType());
  Expr total = 1, known = 1;
  for (const Expr &e : x.extents)
    total = total * e;
  for (int64_t d : shape)
    if (d >= 0)
      known = known * (int)d;
  std::vector<Expr> extents;
  for (int64_t d : shape)
    extents.push_back(d >= 0 ? Expr((int)d) : total / known);
  define(op.getResult(), "reshape", extents, [&](const Index &i) {
    Expr linear = 0;
    for (size_t d = 0; d < i.size(); ++d)
      linear = linear * extents[d] + i[d];
    Index in(x.rank());
    for (int d = x.rank() - 1; d >= 0; --d) {
      in[d] = linear % x.extents[d];
      linear = linear / x.extents[d];
    }
    return x.at(in);
  });
}

void KernelLowerer::lowerTranspose(TransposeOp op) {
  const Tensor &x = get(op.getX());
  llvm::ArrayRef<int64_t> perm = op.getPerm();
  std::vector<Expr> extents;
  for (int64_t p : perm)
    extents.push_back(x.extents[p]);
  define(op.getResult(), "transpose", extents, [&](const Index &i) {
    Index in(x.rank());
    for (size_t d = 0; d < perm.size(); ++d)
      in[perm[d]] = i[d];
    return x.at(in);
  });
}

void KernelLowerer::lowerBroadcastTo(BroadcastToOp op) {
  const Tensor &x = get(op.getX()), &like = get(op.getLike());
  define(op.getResult(), "broadcast_to", like.extents,
         [&](const Index &i) { return x.at(broadcastIndex(x, i)); });
}

void KernelLowerer::lowerOneHot(OneHotOp op) {
  const Tensor &labels = get(op.getLabels());
  std::vector<Expr> extents = labels.extents;
  extents.push_back((int)op.getDepth());
  define(op.getResult(), "one_hot", extents, [&](const Index &i) {
    Index li(i.begin(), i.end() - 1);
    return Halide::select(labels.at(li) == i.back(), 1.0f, 0.0f);
  });
}

void KernelLowerer::lowerCount(CountOp op) {
  const Tensor &x = get(op.getX());
  Expr count = 1.0f;
  for (int i = 0; i < x.rank(); ++i)
    if (op.getAxes().empty() || llvm::is_contained(op.getAxes(), i))
      count = count * Halide::cast<float>(x.extents[i]);
  define(op.getResult(), "count", {}, [&](const Index &) { return count; });
}

/// Counter-based noise: a 32-bit integer hash (lowbias32 finalizer) of the element's
/// row-major linear index and the seed, scaled to [0, 1). Identical on every target.
void KernelLowerer::lowerRandomUniform(RandomUniformOp op) {
  const Tensor &like = get(op.getLike());
  const Tensor &seed = get(op.getSeed());
  Expr s = Halide::cast<uint32_t>(seed.at({}));
  // The stream (the run's seed) enters with its own odd multiplier; 0 adds nothing.
  Expr stream = Expr(uint32_t(0));
  if (op.getStream())
    stream = Halide::cast<uint32_t>(get(op.getStream()).at({}));
  define(op.getResult(), "random", like.extents, [&](const Index &i) {
    Expr linear = 0;
    for (size_t d = 0; d < i.size(); ++d)
      linear = linear * like.extents[d] + i[d];
    Expr h = Halide::cast<uint32_t>(linear) * Expr(uint32_t(0x9E3779B1u)) +
             s * Expr(uint32_t(0x85EBCA77u)) + stream * Expr(uint32_t(0xC2B2AE3Du));
    h = h ^ (h >> 16);
    h = h * Expr(uint32_t(0x7FEB352Du));
    h = h ^ (h >> 15);
    h = h * Expr(uint32_t(0x846CA68Bu));
    h = h ^ (h >> 16);
    return Halide::cast<float>(h >> 8) * (1.0f / 16777216.0f);
  });
}

/// Whether two kernel results are computed over the same domain: same static shape,
/// and each dynamic extent the same expression (or, in a GEMM kernel, the fusion
/// pass's guarantee: its results are the product's epilogue).
bool sameDomain(const Tensor &a, const Tensor &b, bool gemm) {
  if (a.shape != b.shape)
    return false;
  for (int d = 0; d < a.rank(); ++d)
    if (a.shape[d] < 0 && !gemm && !Halide::Internal::equal(a.extents[d], b.extents[d]))
      return false;
  return true;
}

void KernelLowerer::lowerYield(YieldOp op) {
  // Every result is an output Func, so accumulators (matmul, reductions) are never
  // outputs and schedules treat all kernels alike: the outputs are the epilogue.
  // Consecutive results over one domain share one Tuple-valued Func (one loop nest,
  // one buffer per element): a matmul's epilogue with several results stays in the
  // tiles of the product. The buffers keep the order of the results.
  auto values = op.getValues();
  bool gemm = !result.products.empty();
  for (size_t first = 0, n = 0; first < values.size(); ++n) {
    size_t last = first + 1;
    while (last < values.size() &&
           sameDomain(get(values[first]), get(values[last]), gemm))
      ++last;
    std::vector<int64_t> shape = shapeOf(values[first].getType());
    std::vector<Var> vars = makeVars(shape.size());
    Index at(vars.rbegin(), vars.rend());
    std::vector<Expr> elems;
    for (size_t i = first; i < last; ++i)
      elems.push_back(get(values[i]).at(at));
    Func out("out" + std::to_string(n));
    if (elems.size() == 1)
      out(vars) = elems.front();
    else
      out(vars) = Halide::Tuple(elems);
    for (auto [i, buffer] : llvm::enumerate(out.output_buffers()))
      constrainLayout(buffer, shape, /*bounds=*/i == 0);
    result.outputs.push_back(FuncInfo{out, shape, {}, false, {}});
    first = last;
  }
}

} // namespace

Halide::Pipeline LoweredKernel::pipeline() const {
  std::vector<Func> funcs;
  for (const FuncInfo &o : outputs)
    funcs.push_back(o.func);
  return Halide::Pipeline(funcs);
}

LoweredKernel nn::codegen::lowerKernel(const KernelSpec &k) {
  KernelLowerer lowerer;
  if (!k.op)
    return lowerer.runCopy(k.copyDtype, k.copyRank);
  return lowerer.run(k.op);
}
