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
#include "ir/Views.h"
#include "mlir/IR/Matchers.h"
#include <functional>
#include <map>
#include <set>

using namespace nn;
using namespace nn::codegen;
using Halide::Expr;
using Halide::Func;
using Halide::Var;

namespace {

/// tanh of a float32 as Eigen's 13/6-degree rational interpolant on [-9, 9] (a couple
/// of ulp; +-1 outside, where float32 tanh is +-1): arithmetic that vectorizes, where
/// Halide::tanh is a scalar libm call per element (an LSTM step's tanh kernels took 15
/// times as long as its sigmoid ones). NaN stays NaN (the clamp alone would make it +-1
/// and hide a diverged training run). test/codegen/tanh-accuracy.test measures it.
Halide::Expr fastTanh(const Halide::Expr &in) {
  if (in.type() != Halide::Float(32))
    return Halide::tanh(in);
  Halide::Expr x = Halide::clamp(in, -9.0f, 9.0f), x2 = x * x;
  Halide::Expr p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = x2 * p + -8.60467152213735e-11f;
  p = x2 * p + 5.12229709037114e-08f;
  p = x2 * p + 1.48572235717979e-05f;
  p = x2 * p + 6.37261928875436e-04f;
  p = x2 * p + 4.89352455891786e-03f;
  p = x * p;
  Halide::Expr q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = x2 * q + 2.26843463243900e-03f;
  q = x2 * q + 4.89352518554385e-03f;
  // Below 4e-4, tanh(x) = x within an ulp, and p would lose bits to denormals.
  return Halide::select(Halide::is_nan(in) || Halide::abs(in) < 4e-4f, in, p / q);
}

/// Halide's float32 erf (two polynomials and a reciprocal; within 8 ulp), which is NaN
/// at +-inf: beyond 4, float32's erf is +-1.
Halide::Expr halideErf(const Halide::Expr &x) {
  return Halide::select(Halide::abs(x) > 4.0f, Halide::select(x < 0.0f, -1.0f, 1.0f),
                        Halide::erf(x));
}

/// erf as PyTorch's vectorized CPU kernels compute it (Abramowitz and Stegun 7.1.26,
/// absolute error below 1.5e-7): sign(x) (1 - t r(t) exp(-x^2)), t = 1 / (1 + p |x|).
/// Its exp(-x^2) is the one erf's derivative (and GELU's) computes: in a kernel that
/// computes both, Halide's common-subexpression elimination makes them one exp.
Halide::Expr gaussianErf(const Halide::Expr &x) {
  Halide::Expr t = 1.0f / (Halide::abs(x) * 0.3275911f + 1.0f);
  Halide::Expr r = t * 1.061405429f + -1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t + -0.284496736f;
  r = r * t + 0.254829592f;
  Halide::Expr e = Halide::exp(-(x * x));
  Halide::Expr m = 1.0f - r * t * e;
  return Halide::select(x < 0.0f, -m, m);
}

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

/// An identity Func `name` over a matmul operand `t` ([batch..., X, Y], contracted
/// along its last two dims at `kpos`: 0 the first, 1 the second), with args (k, other,
/// batch...) when `kFirst`, else (other, k, batch...), in Halide order; `view` reads the
/// operand through it (its index is the operand's, Halide order). A dynamic `other` dim
/// is clamped into the operand when `clampOther`: tiles of a constant width shift
/// inwards past its start when it is narrower than a tile (the extra elements are never
/// stored).
Func wrapOperand(const Tensor &t, int kpos, bool kFirst, bool clampOther,
                 const std::string &name, Tensor &view) {
  int r = t.rank(), kArg = kFirst ? 0 : 1, otherArg = 1 - kArg;
  int kDim = r - 2 + kpos, otherDim = r - 1 - kpos; // nn order
  std::vector<Var> v = makeVars(r);
  Index at(r); // nn order
  at[kDim] = v[kArg];
  at[otherDim] = v[otherArg];
  if (clampOther && t.shape[otherDim] < 0)
    at[otherDim] = Halide::clamp(Expr(v[otherArg]), 0, t.extents[otherDim] - 1);
  for (int d = 0; d + 2 < r; ++d)
    at[d] = v[r - 1 - d];
  Func f(name);
  f(v) = t.at(at);
  // Halide order h of the operand: its k dim is h[1 - kpos], the other h[kpos].
  view = Tensor{[f, kpos, kArg, otherArg](const Index &h) mutable {
                  Index args(h);
                  args[kArg] = h[1 - kpos];
                  args[otherArg] = h[kpos];
                  return f(args);
                },
                t.extents, t.shape};
  return f;
}

/// Constrains a buffer to the runtime's layout: min 0, static extents, dense row-major
/// or the `strides` the kernel records for it (a strided view: ir/Views.h; outermost dim
/// first). The buffers of a Tuple-valued output after the first take their min and
/// extent from the first (Halide's rule): `bounds` false constrains only their strides.
///
/// Strides are constants: the product of the static dims inside. A stride outside a
/// dynamic dim is left free (the runtime passes dense strides anyway): writing it as
/// `dim(i-1).stride() * dim(i-1).extent()` would make the buffer's constraints refer to
/// the buffer itself, a reference cycle that Halide 14 never frees (halide/Halide#2784).
template <typename Buffer>
void constrainLayout(Buffer b, const std::vector<int64_t> &shape, bool bounds = true,
                     llvm::ArrayRef<int64_t> strides = {}) {
  int rank = (int)shape.size();
  int64_t stride = 1;
  for (int i = 0; i < rank; ++i) {
    int64_t extent = shape[rank - 1 - i];
    if (bounds)
      b.dim(i).set_min(0);
    if (bounds && extent >= 0)
      b.dim(i).set_extent((int)extent);
    if (!strides.empty())
      b.dim(i).set_stride((int)strides[rank - 1 - i]);
    else if (stride > 0)
      b.dim(i).set_stride((int)stride);
    stride = extent >= 0 && stride > 0 ? stride * extent : -1;
  }
}

struct Translator;

class KernelLowerer {
public:
  /// `prefix`: of every Func name it makes (a second lowering in the same pipeline).
  /// `keyOperand`: KernelSpec::keyOperand (-1 for a second lowering).
  explicit KernelLowerer(const TargetInfo *templates, std::string prefix = "",
                         int keyOperand = -1)
      : templates(templates), keyOperand(keyOperand), prefix(std::move(prefix)) {}
  /// `params`: the inputs to read (another lowering's of the same kernel), else new.
  LoweredKernel run(KernelOp kernel, const std::vector<Halide::ImageParam> *params = nullptr);
  LoweredKernel runCopy(int dtype, int rank);

private:
  void lower(mlir::Operation *op);
  void lowerConstant(mlir::Operation *op);
  void lowerComputation(mlir::Operation *op, const compute::Computation &c);
  /// Makes each operand of a contraction computed inside the kernel a Func of its
  /// own (a prologue, see passes/Fuse.cpp), which the schedule computes per row tile
  /// or once instead of inlining it into the product's inner loop.
  void materializePrologues(mlir::Operation *op, const compute::Computation &c);
  /// Makes each operand of a reduction that is also a kernel result a Func of its own,
  /// which becomes that result's output Func (lowerYield): the reduction then reads
  /// the output's buffer instead of recomputing the value, and what the value is
  /// computed from (an accumulator of the output's rows) is read by the output alone.
  /// In an attention kernel the weighted sum's lhs too (the probabilities, when the
  /// backward pass reads them).
  void shareResultOperands(mlir::Operation *op);
  /// `value`, the element at nn index `i` of `op`'s operand `v`, where `op` is a
  /// product whose lhs `v` is zero past its diagonal (`lhs_lower`), with `causalRows`:
  /// select(the vector of `i` starts at most at the diagonal, value, 0), the same
  /// values; Halide then computes what `value` reads only up to each row's diagonal
  /// vector (the softmax's exponentials and the scores, in the row tiles of
  /// ScheduleAttention). Else `value`.
  Expr causalZeros(mlir::Operation *op, mlir::Value v, Expr value, const Index &i) const;
  /// The first index of the target's vector that holds index `key` (causalRows'
  /// conditions hold a whole vector when they hold at its first lane).
  Expr vectorStart(Expr key) const;
  /// Whether rows along the last dim of `v` stop at their diagonal's vector: `causalRows`
  /// and keys in whole vectors (causalRowsInVectors).
  bool causalRowsOf(mlir::Value v) const {
    return causalRows && causalRowsInVectors(shapeOf(v.getType()).back(), *templates);
  }
  void lowerYield(YieldOp op);
  void lowerScatter(mlir::Value res, const compute::Computation &c, Translator &tr,
                    const std::vector<Expr> &extents, const std::vector<int64_t> &shape,
                    const std::vector<Var> &vars);

  /// Defines `v` as a new Func computing `body` at each nn index; returns the Func.
  Func define(mlir::Value v, const std::string &base, std::vector<Expr> extents,
              const std::function<Expr(const Index &)> &body);
  const Tensor &get(mlir::Value v) const;
  std::string fresh(const std::string &base) {
    return prefix + base + "_" + std::to_string(next++);
  }
  static Tensor fromFunc(Func f, std::vector<Expr> extents, std::vector<int64_t> shape) {
    return Tensor{[f](const Index &i) mutable -> Expr { return f(i); }, std::move(extents),
                  std::move(shape)};
  }

  LoweredKernel result;
  llvm::DenseMap<mlir::Value, Tensor> values;
  const TargetInfo *templates; ///< see lowerKernel
  int keyOperand;
  /// With a keyOperand: the key of its parameter, the argument after the operands.
  Halide::Param<uint64_t> paramKey{"param_key"};
  /// An attention kernel (KernelClass::Attention): the weighted sum reads the
  /// probabilities from their output's buffer when they are a result.
  bool attention = false;
  /// An attention kernel on the CPU that computes exponentials of its scores (causal
  /// attention's forward): its rows stop at the vector of their diagonal where the
  /// ops say the rest is zero or masked (`skip_above`, `lhs_lower`). Not the
  /// softmax's gradient: a few multiplications per score, it measured no faster so
  /// (its row tiles then copy the scores out of registers and store the sum's
  /// operand, ScheduleAttention).
  bool causalRows = false;
  KernelOp kernel; ///< the kernel being lowered (null for a copy)
  /// The kernel computes exp(-(z * z)) (Translator::gaussianExp).
  bool gaussianExp = false;
  /// Kernel results that are also read by a reduction (or an attention kernel's
  /// weighted sum): their output Funcs.
  llvm::DenseMap<mlir::Value, Func> sharedResults;
  std::string prefix;
  int next = 0;
};

const Tensor &KernelLowerer::get(mlir::Value v) const {
  auto it = values.find(v);
  if (it == values.end())
    throw Halide::InternalError("kernel value used before its definition");
  return it->second;
}

Func KernelLowerer::define(mlir::Value v, const std::string &base,
                           std::vector<Expr> extents,
                           const std::function<Expr(const Index &)> &body) {
  std::vector<int64_t> shape = shapeOf(v.getType());
  std::vector<Var> vars = makeVars(shape.size());
  Index nnIndex(vars.rbegin(), vars.rend());
  Func f(fresh(base));
  f(vars) = body(nnIndex);
  values[v] = fromFunc(f, std::move(extents), std::move(shape));
  return f;
}

LoweredKernel KernelLowerer::run(KernelOp kernel,
                                 const std::vector<Halide::ImageParam> *params) {
  attention = kernel.isAttention();
  this->kernel = kernel;
  mlir::Block &body = kernel.getBody().front();
  causalRows = attention && templates && !body.getOps<ExpOp>().empty();
  gaussianExp = llvm::any_of(body.getOps<ExpOp>(), [](ExpOp e) {
    auto neg = e.getX().getDefiningOp<NegOp>();
    auto sq = neg ? neg.getX().getDefiningOp<MulOp>() : MulOp();
    return sq && sq.getLhs() == sq.getRhs();
  });
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    std::vector<int64_t> shape = shapeOf(arg.getType());
    int rank = (int)shape.size();
    Halide::ImageParam p;
    if (params) {
      p = (*params)[i];
    } else {
      p = Halide::ImageParam(halideType(arg.getType()), rank, "in" + std::to_string(i));
      constrainLayout(p, shape, true, recordedStrides(kernel, i));
    }
    std::vector<Expr> extents(rank);
    for (int d = 0; d < rank; ++d)
      extents[d] = shape[d] >= 0 ? Expr((int)shape[d]) : p.dim(rank - 1 - d).extent();
    values[arg] = Tensor{[p](const Index &i) mutable -> Expr { return p(i); },
                         std::move(extents), shape};
    result.args.push_back(p);
    result.inputs.push_back(p);
  }
  if (keyOperand >= 0)
    result.args.push_back(paramKey);
  for (mlir::Operation &op : body)
    lower(&op);
  if (attention)
    result.kind = KernelClass::Attention;
  else if (!result.products.empty())
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
  if (auto yield = mlir::dyn_cast<YieldOp>(op))
    return lowerYield(yield);
  if (op->hasTrait<mlir::OpTrait::ConstantLike>())
    return lowerConstant(op);
  auto compute = mlir::dyn_cast<ComputeOpInterface>(op);
  if (!compute)
    unsupported(op, "it states no computation (ComputeOpInterface)");
  lowerComputation(op, compute.getComputation());
}

void KernelLowerer::lowerConstant(mlir::Operation *op) {
  mlir::Attribute attr;
  mlir::matchPattern(op->getResult(0), mlir::m_Constant(&attr));
  auto dense = mlir::dyn_cast_or_null<mlir::DenseElementsAttr>(attr);
  if (!dense)
    unsupported(op, "only dense constants are supported");
  std::vector<int64_t> shape = shapeOf(op->getResult(0).getType());
  std::vector<Expr> extents;
  for (int64_t d : shape)
    extents.push_back((int)d);
  bool isFloat = dense.getElementType().isF32();
  if (dense.isSplat()) {
    Expr value = isFloat ? Expr(dense.getSplatValue<llvm::APFloat>().convertToFloat())
                         : Expr((int32_t)dense.getSplatValue<llvm::APInt>().getSExtValue());
    values[op->getResult(0)] =
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
  values[op->getResult(0)] = Tensor{
      [buf](const Index &i) mutable -> Expr { return buf(i); }, extents, shape};
}

/// Translates compute::Exprs to Halide Exprs for one op.
struct Translator {
  std::vector<const Tensor *> operands;
  Index vars;              ///< result index vars, nn order
  Halide::RDom rdom;       ///< the reduction variables, if any
  std::optional<Expr> acc; ///< the accumulator at `vars` (in `post`)
  /// Operands read with a fill value outside their extents, as Funcs over the whole
  /// plane (one per operand): inlined by default, staged by schedules that want the
  /// bounds checks out of their inner loops (convolutions over padded inputs).
  std::map<unsigned, Func> padded;
  /// The operands of a convolution read without a fill value and not per image (the
  /// filter), read through identity Funcs (`filters`): inlined by default, copied per
  /// task by the convolution schedule into a buffer of the task's output channels.
  std::set<unsigned> filterOperands;
  std::map<unsigned, Func> filters;
  std::function<std::string(const std::string &)> fresh;
  /// The kernel computes exp(-(z * z)) for some z (erf's and GELU's derivatives).
  bool gaussianExp = false;

  /// Operand `k` through the identity Func filters[k].
  Func filterOperand(unsigned k) {
    auto it = filters.find(k);
    if (it != filters.end())
      return it->second;
    const Tensor &t = *operands[k];
    std::vector<Var> v = makeVars(t.rank());
    Func f(fresh("filter"));
    f(v) = t.at(Index(v.rbegin(), v.rend()));
    filters.emplace(k, f);
    return f;
  }

  /// Operand `k` with `fill` outside: select(inside, element at the clamped index, fill),
  /// the clamp keeping bounds inference within the operand.
  Func paddedOperand(unsigned k, Expr fill) {
    auto it = padded.find(k);
    if (it != padded.end())
      return it->second;
    const Tensor &t = *operands[k];
    std::vector<Var> v = makeVars(t.rank());
    Index index(v.rbegin(), v.rend()), clamped;
    Expr inside = Halide::Internal::const_true();
    for (int d = 0; d < t.rank(); ++d) {
      inside = inside && index[d] >= 0 && index[d] < t.extents[d];
      clamped.push_back(Halide::clamp(index[d], 0, t.extents[d] - 1));
    }
    Func f(fresh("padded"));
    f(v) = Halide::select(inside, t.at(clamped), fill);
    padded.emplace(k, f);
    return f;
  }

  Halide::Type type(compute::DType t) const {
    switch (t) {
    case compute::DType::F32:
      return Halide::Float(32);
    case compute::DType::Bool:
      return Halide::Bool();
    case compute::DType::Index:
    case compute::DType::I32:
      return Halide::Int(32);
    }
    return Halide::Float(32);
  }

  Expr operator()(const compute::Expr &e) {
    using compute::Kind;
    const compute::Node &n = *e;
    // The operands in order, first to last: C++ leaves the order of `f(arg(0), arg(1))`
    // unspecified, and translating an operand may create Funcs (padded inputs,
    // filters), whose names are numbered in creation order; gcc- and clang-built nncs
    // then named them differently. (A load translates its indices itself, in order.)
    std::vector<Expr> ready;
    if (n.kind != Kind::Load)
      for (const compute::Expr &a : n.args)
        ready.push_back((*this)(a));
    auto arg = [&](unsigned i) {
      return i < ready.size() ? ready[i] : (*this)(n.args[i]);
    };
    switch (n.kind) {
    case Kind::IntConst:
      return Expr((int32_t)n.ival);
    case Kind::FloatConst:
      return Expr((float)n.fval);
    case Kind::Var:
      return vars[n.ival];
    case Kind::RVar:
      return rdom[n.ival];
    case Kind::Extent:
      return operands[n.ival]->extents[n.dim];
    case Kind::Acc:
      return *acc;
    case Kind::Load: {
      const Tensor &t = *operands[n.ival];
      Index index;
      for (int d = 0; d < t.rank(); ++d)
        index.push_back(arg(d));
      if (!n.fill && filterOperands.count(n.ival))
        return filterOperand(n.ival)(Index(index.rbegin(), index.rend()));
      if (!n.fill)
        return t.at(index);
      return paddedOperand(n.ival, arg(t.rank()))(Index(index.rbegin(), index.rend()));
    }
    case Kind::Add:
      return arg(0) + arg(1);
    case Kind::Sub:
      return arg(0) - arg(1);
    case Kind::Mul:
      return arg(0) * arg(1);
    case Kind::Div:
      return arg(0) / arg(1); // floors for integers, as compute::Kind::Div says
    case Kind::Mod:
      return arg(0) % arg(1); // Euclidean for integers
    case Kind::Min:
      return Halide::min(arg(0), arg(1));
    case Kind::Max:
      return Halide::max(arg(0), arg(1));
    case Kind::Neg:
      return -arg(0);
    case Kind::Exp:
      return Halide::exp(arg(0));
    case Kind::Log:
      return Halide::log(arg(0));
    case Kind::Sqrt:
      return Halide::sqrt(arg(0));
    case Kind::Abs:
      return Halide::abs(arg(0));
    case Kind::Tanh:
      return fastTanh(arg(0));
    case Kind::Erf:
      // Halide's erf (a polynomial and a division, no exp) unless the kernel computes
      // an exp(-z^2) that the other form shares.
      return gaussianExp ? gaussianErf(arg(0)) : halideErf(arg(0));
    case Kind::Pow:
      return Halide::pow(arg(0), arg(1));
    case Kind::Cos:
      return Halide::cos(arg(0));
    case Kind::Lt:
      return arg(0) < arg(1);
    case Kind::Le:
      return arg(0) <= arg(1);
    case Kind::Gt:
      return arg(0) > arg(1);
    case Kind::Ge:
      return arg(0) >= arg(1);
    case Kind::Eq:
      return arg(0) == arg(1);
    case Kind::Ne:
      return arg(0) != arg(1);
    case Kind::And:
      return arg(0) && arg(1);
    case Kind::Or:
      return arg(0) || arg(1);
    case Kind::Not:
      return !arg(0);
    case Kind::Select:
      return Halide::select(arg(0), arg(1), arg(2));
    case Kind::Cast:
      return Halide::cast(type(n.type), arg(0));
    case Kind::Hash01: {
      auto u32 = [](Expr x) { return Halide::cast<uint32_t>(x); };
      Expr h = compute::hashUniformBits<Expr>(u32(arg(0)), u32(arg(1)), u32(arg(2)));
      return Halide::cast<float>(h >> 8) * (1.0f / 16777216.0f);
    }
    }
    throw Halide::InternalError("unknown compute expression");
  }
};

/// Whether every load of operand `operand` in `body` reads its outermost dim at the
/// result's outermost index variable.
bool loadsAtOuterVar(const compute::Expr &body, unsigned operand) {
  bool all = true;
  std::function<void(const compute::Expr &)> walk = [&](const compute::Expr &e) {
    if (e.kind() == compute::Kind::Load && e->ival == operand)
      all &= !e->args.empty() && e->args.front().kind() == compute::Kind::Var &&
             e->args.front()->ival == 0;
    for (const compute::Expr &a : e->args)
      walk(a);
  };
  walk(body);
  return all;
}

/// The reduction var that every load of every operand has as its outermost index, or
/// -1 (conv2d_filter_grad: the batch n).
int outerRVar(const compute::Expr &body) {
  int found = -1;
  bool all = true;
  std::function<void(const compute::Expr &)> walk = [&](const compute::Expr &e) {
    if (e.kind() == compute::Kind::Load) {
      bool r = !e->args.empty() && e->args.front().kind() == compute::Kind::RVar &&
               (found < 0 || e->args.front()->ival == found);
      all &= r;
      if (r)
        found = e->args.front()->ival;
    }
    for (const compute::Expr &a : e->args)
      walk(a);
  };
  walk(body);
  return all ? found : -1;
}

void KernelLowerer::materializePrologues(mlir::Operation *op,
                                         const compute::Computation &c) {
  for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
    mlir::Operation *def = operand.getDefiningOp();
    if (!def || def->hasTrait<mlir::OpTrait::ConstantLike>())
      continue;
    Tensor t = get(operand);
    std::vector<Var> vars = makeVars(t.shape.size());
    Func f(fresh("prologue"));
    Index at(vars.rbegin(), vars.rend());
    f(vars) = causalZeros(op, operand, t.at(at), at);
    values[operand] = fromFunc(f, t.extents, t.shape);
    llvm::SmallVector<int, 4> contractedDims = compute::reducedDims(c.body, i);
    int64_t contracted = contractedDims.empty() ? -1 : t.shape[contractedDims.front()];
    result.prologues.push_back(
        PrologueInfo{FuncInfo{f, t.shape, {}, false, {}}, (int)i, contracted,
                     result.products.size()});
  }
}

/// A scatter-add (compute::Computation::scatter): acc = 0, then one update over the
/// RDom of the terms, `acc(store) += term` where the term's store index is inside the
/// result (an RDom predicate; the RDom runs serially in its order, so the sums are
/// deterministic). The scattered coordinates are clamped into the result, which bounds
/// them for Halide's bounds inference; the predicate makes the clamp inactive.
void KernelLowerer::lowerScatter(mlir::Value res, const compute::Computation &c,
                                 Translator &tr, const std::vector<Expr> &extents,
                                 const std::vector<int64_t> &shape,
                                 const std::vector<Var> &vars) {
  if (c.reducer != compute::Reducer::Sum || c.post || c.scatter.size() != shape.size())
    unsupported(res.getDefiningOp(), "a scatter must be a sum without epilogue, with one "
                                     "store index per result dim");
  Func acc(fresh("scatter_add"));
  acc(vars) = Halide::cast(tr.type(c.type), 0);
  Index store; // nn order
  std::vector<int> scattered;
  Expr inside = Halide::Internal::const_true();
  for (auto [d, e] : llvm::enumerate(c.scatter)) {
    if (e.kind() == compute::Kind::Var && e->ival == int64_t(d)) {
      store.push_back(tr.vars[d]);
      continue;
    }
    scattered.push_back((int)d);
    Expr at = tr(e);
    inside = inside && at >= 0 && at < extents[d];
    store.push_back(Halide::clamp(at, 0, extents[d] - 1));
  }
  tr.rdom.where(inside);
  acc(Index(store.rbegin(), store.rend())) += tr(c.body);
  result.scatters.push_back(FuncInfo{acc, shape, scattered, false, tr.rdom});
  values[res] = fromFunc(acc, extents, shape);
}

/// Whether `v` is computed from the kernel's inputs by at most `budget` pointwise ops
/// (no accumulator), so that a reduction reading it may as well compute it again.
static bool cheapPointwise(mlir::Value v, int &budget) {
  mlir::Operation *def = v.getDefiningOp();
  if (!def || def->hasTrait<mlir::OpTrait::ConstantLike>())
    return true;
  auto compute = mlir::dyn_cast<ComputeOpInterface>(def);
  if (!compute || --budget < 0)
    return false;
  compute::Computation c = compute.getComputation();
  if (c.contraction || c.reducer != compute::Reducer::None || c.isScatter())
    return false;
  return llvm::all_of(def->getOperands(),
                      [&](mlir::Value o) { return cheapPointwise(o, budget); });
}

void KernelLowerer::shareResultOperands(mlir::Operation *op) {
  for (mlir::Value v : op->getOperands()) {
    if (sharedResults.count(v) || mlir::isa<mlir::BlockArgument>(v))
      continue;
    mlir::Operation *yield = v.getParentBlock()->getTerminator();
    if (llvm::count(yield->getOperands(), v) != 1)
      continue; // not a result, or returned twice (one output Func each)
    int budget = 3;
    if (cheapPointwise(v, budget))
      continue; // computed again by the reduction: the two can share a loop
    Tensor t = get(v);
    sharedResults[v] = define(v, "result", t.extents, [&](const Index &i) {
      return causalZeros(op, v, t.at(i), i);
    });
  }
}

Expr KernelLowerer::causalZeros(mlir::Operation *op, mlir::Value v, Expr value,
                                const Index &i) const {
  auto mm = mlir::dyn_cast<MatmulOp>(op);
  std::optional<int64_t> s = mm ? mm.getLhsLower() : std::nullopt;
  if (!s || v != mm.getLhs() || i.size() < 2 || !causalRowsOf(v))
    return value;
  size_t r = i.size();
  return Halide::select(vectorStart(i[r - 1]) <= i[r - 2] + Expr(int(*s)), value, 0.0f);
}

Expr KernelLowerer::vectorStart(Expr key) const {
  Expr w = templates->vectorWidth;
  return (key / w) * w;
}

void KernelLowerer::lowerComputation(mlir::Operation *op, const compute::Computation &c) {
  if (c.reducer != compute::Reducer::None && templates && (attention || !c.contraction))
    shareResultOperands(op);
  if (c.contraction)
    materializePrologues(op, c);
  mlir::Value res = op->getResult(0);
  std::string base = op->getName().stripDialect().str();
  Translator tr;
  tr.fresh = [this](const std::string &base) { return fresh(base); };
  tr.gaussianExp = gaussianExp;
  for (mlir::Value v : op->getOperands())
    tr.operands.push_back(&get(v));
  // A convolution that Winograd's algorithm computes with fewer multiplications (for
  // nnc's CPU schedules only: Winograd.cpp schedules it). Its input (and a filter
  // gradient's dy) is read as a padded operand, zero outside.
  if (std::optional<WinogradShape> ws =
          templates && templates->winograd ? winogradShape(op) : std::nullopt) {
    const Tensor &x = get(op->getOperand(0)), &w = get(op->getOperand(1));
    auto funcs = std::make_shared<WinogradFuncs>();
    WinogradLoad filter = [&w, &ws](Expr f, Expr c, Expr kw, Expr kh) {
      int last = ws->r - 1; // conv2d_transpose's filter: [KH, KW, x's channels, out]
      return ws->flipped ? w.at({last - kh, last - kw, c, f}) : w.at({kh, kw, c, f});
    };
    if (ws->filterGrad) {
      Func dy = tr.paddedOperand(1, 0.0f);
      filter = [dy](Expr f, Expr i, Expr j, Expr b) mutable { return dy(f, i, j, b); };
    }
    // A filter that is a parameter at every call (KernelSpec::keyOperand): its
    // transform is kept across calls under the parameter's key.
    Expr filterKey;
    if (std::optional<unsigned> filter = winogradFilterArgument(op);
        filter && (int)*filter == keyOperand)
      filterKey = paramKey;
    Func conv = lowerWinograd(*ws, tr.paddedOperand(0, 0.0f), filter, x.extents[0], *funcs,
                              filterKey);
    std::vector<int64_t> shape = shapeOf(res.getType());
    std::vector<Expr> extents =
        ws->filterGrad
            ? std::vector<Expr>{ws->r, ws->r, int(ws->c), int(ws->f)}
            : std::vector<Expr>{x.extents[0], int(ws->outH), int(ws->outW), int(ws->f)};
    // (With the filter's transform kept, Winograd's is the faster at every batch.)
    if (!ws->filterGrad && !filterKey.defined() && ws->directBelow > 1 && shape[0] < 0)
      result.smallBatch = x.extents[0] < Expr(int(ws->directBelow));
    values[res] = fromFunc(conv, extents, shape);
    result.products.push_back(
        FuncInfo{conv, shape, {}, false, ws->filterGrad ? funcs->rt : funcs->rc});
    result.products.back().winograd = funcs;
    return;
  }
  // A matmul-like contraction (an rhs [batch..., K, N] or [batch..., N, K] contracted
  // along one of its last two dims, one reduction variable) reads its rhs through an
  // identity Func rhs(n, k, batch...), which the GEMM schedules may pack into panels,
  // and an lhs of the same rank through lhs(k, m, batch...), which they may stage
  // (named after the rhs, with no number of its own: the Funcs after it keep theirs).
  Func rhs, lhs;
  Tensor rhsView, lhsView;
  if (c.contraction && tr.operands.size() == 2 && c.reduction.size() == 1) {
    const Tensor &a = *tr.operands[0], &b = *tr.operands[1];
    int r = b.rank();
    llvm::SmallVector<int, 4> kdims = compute::reducedDims(c.body, 1);
    if (r >= 2 && kdims.size() == 1 && kdims.front() >= r - 2) {
      rhs = wrapOperand(b, kdims.front() - (r - 2), /*kFirst=*/false, /*clampOther=*/true,
                        fresh("rhs"), rhsView);
      tr.operands[1] = &rhsView;
      llvm::SmallVector<int, 4> adims = compute::reducedDims(c.body, 0);
      if (a.rank() == r && adims.size() == 1 && adims.front() >= r - 2) {
        lhs = wrapOperand(a, adims.front() - (r - 2), /*kFirst=*/true, /*clampOther=*/false,
                          rhs.name() + "_lhs", lhsView);
        tr.operands[0] = &lhsView;
      }
    }
  }
  // A convolution (several reduction dims) that is not summed over the batch.
  if (c.contraction && c.reduction.size() > 1 && outerRVar(c.body) < 0)
    for (unsigned k = 0; k < tr.operands.size(); ++k)
      if (!loadsAtOuterVar(c.body, k))
        tr.filterOperands.insert(k);
  std::vector<Expr> extents;
  for (const compute::Expr &e : c.extents)
    extents.push_back(tr(e));
  if (c.reducer == compute::Reducer::None) {
    define(res, base, extents, [&](const Index &i) {
      tr.vars = i;
      return tr(c.body);
    });
    return;
  }
  std::vector<Halide::Range> ranges;
  for (const compute::Expr &e : c.reduction)
    ranges.emplace_back(0, tr(e));
  tr.rdom = Halide::RDom(ranges, fresh(c.contraction ? "k" : "r"));
  std::vector<int64_t> shape = shapeOf(res.getType());
  std::vector<Var> vars = makeVars(shape.size());
  tr.vars = Index(vars.rbegin(), vars.rend());
  if (c.isScatter())
    return lowerScatter(res, c, tr, extents, shape, vars);
  // A phased dim of stride s is two args of the accumulator, (q, p) in Halide order:
  // the position is q s + p, and the result reads it at (position / s, position % s).
  int rank = (int)shape.size();
  std::vector<int> phases(rank, 1); // Halide order
  for (auto [d, s] : llvm::enumerate(c.phases))
    phases[rank - 1 - d] = int(s);
  std::vector<Var> accVars;
  for (int h = 0; h < rank; ++h) {
    if (phases[h] == 1) {
      accVars.push_back(vars[h]);
      continue;
    }
    Var q("q" + std::to_string(h)), p("p" + std::to_string(h));
    accVars.push_back(q);
    accVars.push_back(p);
    tr.vars[rank - 1 - h] = q * phases[h] + p;
  }
  auto accIndex = [phases](const Index &at) { // Halide order
    Index i;
    for (auto [h, s] : llvm::enumerate(phases)) {
      if (s == 1) {
        i.push_back(at[h]);
        continue;
      }
      i.push_back(at[h] / s);
      i.push_back(at[h] % s);
    }
    return i;
  };
  // Terms known to be zero are skipped (a guarded, trimmed k loop), except in an
  // attention kernel, whose products are register tiles of a row tile: there the
  // guards cost more than the terms (W7's attention kernels measured 4-9% slower).
  // There the weighted sum (the kernel's second product; nnc's CPU schedules) skips
  // the terms that are zero for every row of its tile: the predicate at the tile's last
  // row, the same for all of its rows, is the tile's k loop bound, with no guard. (A
  // lhs zero above its diagonal has the lhs column at most the row + s: true at the
  // tile's last row wherever it is true at a row of the tile. The terms between are
  // zeros the sum adds as before.)
  if (c.nonzero && !c.contraction) {
    // A row reduction that may skip terms (`skip_above`: causal attention's zeros and
    // masked scores), with `causalRows`: it skips the vectors of the row that start
    // past its diagonal (the predicate at each vector's first term), so Halide bounds
    // the row's vector loop and, through it, the region of the scores and
    // exponentials that the row tile computes (ScheduleAttention). The vectors it
    // keeps hold the terms they held, in the same order: the same result. Elsewhere
    // every term is read (a guard per term would cost more than it saves).
    if (causalRowsOf(op->getOperand(0)))
      tr.rdom.where(Halide::Internal::substitute(tr.rdom.x.name(),
                                                 vectorStart(tr.rdom.x), tr(c.nonzero)));
  } else if (c.nonzero && !(attention && c.contraction)) {
    tr.rdom.where(tr(c.nonzero));
  } else if (c.nonzero && templates && result.products.size() == 1 && rank >= 2 &&
             shape[rank - 2] > 0 && shape[rank - 1] > 0) {
    int rows = attentionRows(shape[rank - 2], shape[rank - 1], *templates);
    Index at = tr.vars;
    tr.vars[rank - 2] = (at[rank - 2] / rows) * rows + (rows - 1);
    tr.rdom.where(tr(c.nonzero));
    tr.vars = at;
  }
  std::string name = c.contraction                           ? base
                     : c.reducer == compute::Reducer::ArgMax ? "argmax"
                     : c.reducer == compute::Reducer::Max    ? "reduce_max"
                                                             : "reduce_sum";
  Func acc(fresh(name));
  Expr term = tr(c.body);
  if (c.reducer == compute::Reducer::ArgMax) {
    // (maximum, its position); a strictly greater term replaces: the first maximum.
    acc(accVars) = Halide::Tuple(Halide::cast<float>(Expr(c.init())), Expr(-1));
    Expr better = term > acc(accVars)[0];
    acc(accVars) = Halide::Tuple(Halide::select(better, term, acc(accVars)[0]),
                              Halide::select(better, Halide::cast<int>(tr(c.position)),
                                             acc(accVars)[1]));
  } else {
    acc(accVars) = Halide::cast(tr.type(c.type), Expr(c.init()));
    if (c.reducer == compute::Reducer::Max)
      acc(accVars) = Halide::max(acc(accVars), term);
    else
      acc(accVars) += term;
  }
  if (c.contraction) {
    result.products.push_back(FuncInfo{acc, shape, {}, false, tr.rdom, rhs});
    result.products.back().lhs = lhs;
    result.products.back().batchRVar = outerRVar(c.body);
    result.products.back().phases.assign(c.phases.begin(), c.phases.end());
    for (auto &[k, f] : tr.padded) {
      result.products.back().padded.push_back(f);
      result.products.back().paddedPerImage.push_back(loadsAtOuterVar(c.body, k));
    }
    for (auto &[k, f] : tr.filters)
      result.products.back().filters.push_back(f);
  } else {
    bool keep = shape.size() == shapeOf(op->getOperand(0).getType()).size();
    llvm::SmallVector<int, 4> reduced = compute::reducedDims(c.body, 0);
    result.reductions.push_back(
        FuncInfo{acc, shape, {reduced.begin(), reduced.end()}, keep, tr.rdom});
  }
  if (c.reducer == compute::Reducer::ArgMax) {
    define(res, base, extents,
           [&](const Index &i) { return acc(accIndex(Index(i.rbegin(), i.rend())))[1]; });
    return;
  }
  if (!c.post) {
    values[res] = Tensor{[acc, accIndex](const Index &i) mutable -> Expr {
                           return acc(accIndex(i));
                         },
                         extents, shape};
    return;
  }
  define(res, base, extents, [&](const Index &i) {
    tr.acc = acc(accIndex(Index(i.rbegin(), i.rend())));
    tr.vars = i;
    return tr(c.post);
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
  // A result that a reduction reads is an output of its own, the Func the reduction
  // reads (shareResultOperands).
  auto values = op.getValues();
  bool gemm = !result.products.empty();
  auto shared = [&](mlir::Value v) { return (!gemm || attention) && sharedResults.count(v); };
  for (size_t first = 0, n = 0; first < values.size(); ++n) {
    size_t last = first + 1;
    while (last < values.size() && !shared(values[first]) && !shared(values[last]) &&
           sameDomain(get(values[first]), get(values[last]), gemm))
      ++last;
    std::vector<int64_t> shape = shapeOf(values[first].getType());
    std::vector<Var> vars = makeVars(shape.size());
    Index at(vars.rbegin(), vars.rend());
    Func out;
    if (shared(values[first])) {
      out = sharedResults.lookup(values[first]); // defined by shareResultOperands
    } else {
      std::vector<Expr> elems;
      for (size_t i = first; i < last; ++i)
        elems.push_back(get(values[i]).at(at));
      out = Func("out" + std::to_string(n));
      if (elems.size() == 1)
        out(vars) = elems.front();
      else
        out(vars) = Halide::Tuple(elems);
    }
    unsigned inputs = kernel.getInputs().size();
    for (auto [i, buffer] : llvm::enumerate(out.output_buffers()))
      constrainLayout(buffer, shape, /*bounds=*/i == 0,
                      recordedStrides(kernel, inputs + first + i));
    result.outputs.push_back(FuncInfo{out, shape, {}, false, {}});
    first = last;
  }
}

/// Lowers `k` again with direct convolutions, over `w`'s inputs, and makes `w`'s
/// output select(w.smallBatch, that lowering's value, Winograd's): the specialization
/// on the condition computes only one of them (scheduleWinograd). Left as it is for a
/// kernel of several outputs (each would call the direct product that the main
/// output's tiles compute) or a tuple.
void addDirectLowering(const KernelSpec &k, const TargetInfo &templates, LoweredKernel &w) {
  auto single = [](const LoweredKernel &l) {
    return l.outputs.size() == 1 && l.outputs.front().func.outputs() == 1 &&
           !l.outputs.front().func.has_update_definition();
  };
  TargetInfo directTarget = templates;
  directTarget.winograd = false;
  std::shared_ptr<LoweredKernel> d;
  if (single(w))
    d = std::make_shared<LoweredKernel>(
        KernelLowerer(&directTarget, "direct_").run(k.op, &w.inputs));
  if (!d || !single(*d)) {
    w.smallBatch = Expr();
    return;
  }
  Halide::Internal::Function wf = w.outputs.front().func.function();
  std::vector<Expr> args;
  for (const std::string &a : wf.args())
    args.push_back(Halide::Var(a));
  Expr &value = wf.definition().values().front();
  value = Halide::select(w.smallBatch, valueAt(d->outputs.front().func.function(), args), value);
  w.direct = std::move(d);
}

} // namespace

Halide::Pipeline LoweredKernel::pipeline() const {
  std::vector<Func> funcs;
  for (const FuncInfo &o : outputs)
    funcs.push_back(o.func);
  return Halide::Pipeline(funcs);
}

Halide::Expr nn::codegen::valueAt(const Halide::Internal::Function &f,
                                  const std::vector<Halide::Expr> &args) {
  Expr value = f.definition().values().front();
  for (size_t i = 0; i < args.size(); ++i)
    value = Halide::Internal::substitute(f.args()[i], args[i], value);
  return value;
}

bool nn::codegen::definitionCalls(const Halide::Internal::Function &f,
                                  Halide::Internal::Call::CallType type) {
  struct Finder : Halide::Internal::IRVisitor {
    Halide::Internal::Call::CallType type;
    bool found = false;
    using IRVisitor::visit;
    void visit(const Halide::Internal::Call *op) override {
      found |= op->call_type == type;
      IRVisitor::visit(op);
    }
  } finder;
  finder.type = type;
  for (const Halide::Expr &e : f.values())
    e.accept(&finder);
  return finder.found;
}

LoweredKernel nn::codegen::lowerKernel(const KernelSpec &k, const TargetInfo *templates) {
  KernelLowerer lowerer(templates, "", k.keyOperand);
  if (!k.op)
    return lowerer.runCopy(k.copyDtype, k.copyRank);
  LoweredKernel lowered = lowerer.run(k.op);
  lowered.inPlace = k.inPlace;
  if (lowered.smallBatch.defined())
    addDirectLowering(k, *templates, lowered);
  return lowered;
}
