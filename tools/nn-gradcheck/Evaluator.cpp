//===- Evaluator.cpp - float64 reference evaluator of the nn dialect ------===//
//
// An interpreter of the computations ops state through ComputeOpInterface
// (ir/Compute.h), in float64: it knows no op, only the expression language. Result
// shapes come from the computation's extents evaluated on the operands' actual
// shapes, not from the result types (those are only checked against), so a shape
// rule and a computation that disagree are caught.
//
//===----------------------------------------------------------------------------===//
#include "Evaluator.h"
#include "ir/NNOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"
#include <cmath>

using namespace mlir;
using namespace nn;
using namespace nn::gradcheck;

using Shape = SmallVector<int64_t>;

NDArray NDArray::zeros(ArrayRef<int64_t> shape) {
  return NDArray{Shape(shape), std::vector<double>(numElements(shape), 0.0)};
}

int64_t nn::gradcheck::numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Shape nn::gradcheck::unravel(int64_t index, ArrayRef<int64_t> shape) {
  Shape idx(shape.size(), 0);
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    idx[d] = index % shape[d];
    index /= shape[d];
  }
  return idx;
}

namespace {

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + std::to_string(d);
  return s + "]";
}

/// Floor division and Euclidean modulo, as compute::Kind::Div and Mod define them on
/// integers (and Halide computes them).
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
int64_t euclidMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + (b < 0 ? -b : b) : r;
}

/// Evaluates compute::Exprs of one op at one point of its domain.
struct Interpreter {
  ArrayRef<const NDArray *> operands;
  SmallVector<int64_t, 4> vars, rvars;
  double acc = 0;
  std::string error; ///< set by the first failure

  double operator()(const compute::Expr &e) {
    using compute::Kind;
    const compute::Node &n = *e;
    auto arg = [&](unsigned i) { return (*this)(n.args[i]); };
    bool integer = n.type == compute::DType::Index || n.type == compute::DType::I32;
    switch (n.kind) {
    case Kind::IntConst:
      return double(n.ival);
    case Kind::FloatConst:
      return n.fval;
    case Kind::Var:
      return double(vars[n.ival]);
    case Kind::RVar:
      return double(rvars[n.ival]);
    case Kind::Extent:
      return double(operands[n.ival]->shape[n.dim]);
    case Kind::Acc:
      return acc;
    case Kind::Load: {
      const NDArray &a = *operands[n.ival];
      int64_t offset = 0;
      for (size_t d = 0; d < a.shape.size(); ++d) {
        int64_t i = int64_t(arg(d));
        if (i < 0 || i >= a.shape[d]) {
          if (n.fill)
            return arg(a.shape.size());
          if (error.empty())
            error = "reads operand #" + std::to_string(n.ival) + " of shape " +
                    shapeString(a.shape) + " at " + std::to_string(i) + " in dim " +
                    std::to_string(d);
          return 0;
        }
        offset = offset * a.shape[d] + i;
      }
      return a.data[offset];
    }
    case Kind::Add:
      return arg(0) + arg(1);
    case Kind::Sub:
      return arg(0) - arg(1);
    case Kind::Mul:
      return arg(0) * arg(1);
    case Kind::Div:
      return integer ? double(floorDiv(int64_t(arg(0)), int64_t(arg(1))))
                     : arg(0) / arg(1);
    case Kind::Mod:
      return double(euclidMod(int64_t(arg(0)), int64_t(arg(1))));
    case Kind::Min:
      return std::min(arg(0), arg(1));
    case Kind::Max:
      return std::max(arg(0), arg(1));
    case Kind::Neg:
      return -arg(0);
    case Kind::Exp:
      return std::exp(arg(0));
    case Kind::Log:
      return std::log(arg(0));
    case Kind::Sqrt:
      return std::sqrt(arg(0));
    case Kind::Abs:
      return std::fabs(arg(0));
    case Kind::Tanh:
      return std::tanh(arg(0));
    case Kind::Erf:
      return std::erf(arg(0));
    case Kind::Pow:
      return std::pow(arg(0), arg(1));
    case Kind::Cos:
      return std::cos(arg(0));
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
      return arg(0) != 0 && arg(1) != 0;
    case Kind::Or:
      return arg(0) != 0 || arg(1) != 0;
    case Kind::Not:
      return arg(0) == 0;
    case Kind::Select:
      return arg(0) != 0 ? arg(1) : arg(2);
    case Kind::Cast:
      return integer ? std::trunc(arg(0)) : arg(0); // float -> int truncates, as in C
    case Kind::Hash01: {
      auto u32 = [](double x) { return uint32_t(int64_t(x)); };
      uint32_t h = compute::hashUniformBits<uint32_t>(u32(arg(0)), u32(arg(1)), u32(arg(2)));
      return double(h >> 8) * 0x1.0p-24;
    }
    }
    error = "unknown expression";
    return 0;
  }
};

/// Calls `fn()` for every point of `extents` (row-major, last index fastest), with
/// the point in `index`.
template <typename Fn>
void forEachPoint(ArrayRef<int64_t> extents, SmallVectorImpl<int64_t> &index, Fn fn) {
  index.assign(extents.size(), 0);
  if (llvm::is_contained(extents, 0))
    return;
  while (true) {
    fn();
    int64_t d = int64_t(extents.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < extents[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

FailureOr<NDArray> evaluateComputation(Operation &op, const compute::Computation &c,
                                       ArrayRef<const NDArray *> operands) {
  Interpreter in{operands, {}, {}, 0, {}};
  Shape shape, reduction;
  for (const compute::Expr &e : c.extents)
    shape.push_back(int64_t(in(e)));
  for (const compute::Expr &e : c.reduction)
    reduction.push_back(int64_t(in(e)));
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return op.emitOpError("evaluates to the negative shape ") << shapeString(shape),
           failure();
  // Reduction variables in loop order: rvar 0 is the innermost loop.
  Shape loops(reduction.rbegin(), reduction.rend());
  NDArray r = NDArray::zeros(shape);
  if (c.isScatter()) {
    // A scatter-add: per point of the reduction (in loop order) and of the pure dims,
    // the term adds at its store index; a store index outside the result drops it.
    Shape pure(shape);
    SmallVector<bool, 4> isPure;
    for (auto [d, e] : llvm::enumerate(c.scatter)) {
      isPure.push_back(e.kind() == compute::Kind::Var && e->ival == int64_t(d));
      if (!isPure.back())
        pure[d] = 1;
    }
    SmallVector<int64_t, 4> loopIndex;
    forEachPoint(loops, loopIndex, [&] {
      in.rvars.assign(loopIndex.rbegin(), loopIndex.rend());
      forEachPoint(pure, in.vars, [&] {
        int64_t offset = 0;
        for (size_t d = 0; d < shape.size(); ++d) {
          int64_t i = isPure[d] ? in.vars[d] : int64_t(in(c.scatter[d]));
          if (i < 0 || i >= shape[d])
            return;
          offset = offset * shape[d] + i;
        }
        r.data[offset] += in(c.body);
      });
    });
    if (!in.error.empty())
      return op.emitOpError(in.error), failure();
    return r;
  }
  int64_t pos = 0;
  SmallVector<int64_t, 4> loopIndex;
  forEachPoint(shape, in.vars, [&] {
    double value;
    if (c.reducer == compute::Reducer::None) {
      value = in(c.body);
    } else {
      double acc = c.init(), position = -1;
      forEachPoint(loops, loopIndex, [&] {
        in.rvars.assign(loopIndex.rbegin(), loopIndex.rend());
        double term = in(c.body);
        switch (c.reducer) {
        case compute::Reducer::Sum:
          acc += term;
          break;
        case compute::Reducer::Max:
          acc = std::max(acc, term);
          break;
        case compute::Reducer::ArgMax:
          if (term > acc) { // the first maximum in loop order
            acc = term;
            position = in(c.position);
          }
          break;
        case compute::Reducer::None:
          break;
        }
      });
      in.acc = acc;
      value = c.reducer == compute::Reducer::ArgMax ? position
              : c.post                              ? in(c.post)
                                                    : acc;
    }
    r.data[pos++] = value;
  });
  if (!in.error.empty())
    return op.emitOpError(in.error), failure();
  return r;
}

//===----------------------------------------------------------------------------===//
// The evaluator
//===----------------------------------------------------------------------------===//

class Evaluator {
public:
  explicit Evaluator(Freeze *freeze) : freeze(freeze) {}

  /// Evaluates `block` with its arguments bound to `args`; returns the terminator's
  /// operands (a func.return or nn.yield).
  FailureOr<SmallVector<NDArray>> run(Block &block, ArrayRef<NDArray> args);

private:
  LogicalResult evalOp(Operation &op);
  LogicalResult evalScan(ScanOp scan);
  FailureOr<NDArray> evalCompute(Operation &op);
  FailureOr<NDArray> constant(Operation &op);
  LogicalResult checkResultType(Operation &op, Value result, const NDArray &value);

  llvm::DenseMap<Value, NDArray> env;
  Freeze *freeze;
};

FailureOr<SmallVector<NDArray>> Evaluator::run(Block &block, ArrayRef<NDArray> args) {
  if (block.getNumArguments() != args.size())
    return failure();
  for (auto [arg, value] : llvm::zip_equal(block.getArguments(), args)) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getShape() != ArrayRef(value.shape))
      return block.getParentOp()->emitOpError("argument #")
             << arg.getArgNumber() << " of type " << arg.getType()
             << " is given shape " << shapeString(value.shape);
    env[arg] = value;
  }
  for (Operation &op : block.without_terminator())
    if (failed(evalOp(op)))
      return failure();
  SmallVector<NDArray> results;
  for (Value v : block.getTerminator()->getOperands())
    results.push_back(env.find(v)->second);
  return results;
}

LogicalResult Evaluator::checkResultType(Operation &op, Value result,
                                         const NDArray &value) {
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type || !type.hasStaticShape() || type.getShape() == ArrayRef(value.shape))
    return success();
  return op.emitOpError("evaluates to shape ")
         << shapeString(value.shape) << " but its type is " << type;
}

LogicalResult Evaluator::evalOp(Operation &op) {
  for (Value v : op.getOperands())
    if (!env.count(v))
      return op.emitOpError("uses a value the evaluator has not computed");
  if (auto kernel = dyn_cast<KernelOp>(op)) {
    SmallVector<NDArray> inputs;
    for (Value v : kernel.getInputs())
      inputs.push_back(env.find(v)->second);
    FailureOr<SmallVector<NDArray>> results =
        Evaluator(freeze).run(kernel.getBody().front(), inputs);
    if (failed(results))
      return failure();
    for (auto [r, value] : llvm::zip_equal(kernel.getResults(), *results))
      env[r] = value;
    return success();
  }
  if (auto scan = dyn_cast<ScanOp>(op))
    return evalScan(scan);
  if (op.getNumResults() != 1)
    return op.emitOpError("cannot be evaluated by nn-gradcheck");
  Value result = op.getResult(0);
  bool frozen = freeze && freeze->select(op);
  if (frozen && freeze->values.count(result)) {
    env[result] = freeze->values.find(result)->second;
    return success();
  }
  FailureOr<NDArray> value = evalCompute(op);
  if (failed(value) || failed(checkResultType(op, result, *value)))
    return failure();
  if (frozen)
    freeze->values[result] = *value;
  env[result] = std::move(*value);
  return success();
}

/// Runs the body once per step: the carried values flow from step to step, sequences
/// are sliced along their leading dim, outputs stacked along a new one.
LogicalResult Evaluator::evalScan(ScanOp scan) {
  int64_t steps = 0;
  if (std::optional<uint64_t> length = scan.getLength()) {
    steps = int64_t(*length);
  } else {
    const NDArray &first = env.find(scan.getSequences()[0])->second;
    steps = first.shape.empty() ? 0 : first.shape[0];
  }
  SmallVector<NDArray> carried;
  for (Value v : scan.getCarried())
    carried.push_back(env.find(v)->second);
  SmallVector<NDArray> stacked(scan.getStacked().size());
  for (int64_t i = 0; i < steps; ++i) {
    int64_t t = scan.getReverse() ? steps - 1 - i : i;
    SmallVector<NDArray> args(carried);
    for (Value v : scan.getSequences()) {
      const NDArray &seq = env.find(v)->second;
      if (seq.shape.empty() || seq.shape[0] != steps)
        return scan.emitOpError("sequences have different lengths");
      NDArray slice = NDArray::zeros(ArrayRef(seq.shape).drop_front());
      std::copy_n(seq.data.begin() + t * slice.size(), slice.size(), slice.data.begin());
      args.push_back(std::move(slice));
    }
    for (Value v : scan.getInvariants())
      args.push_back(env.find(v)->second);
    FailureOr<SmallVector<NDArray>> results =
        Evaluator(freeze ? freeze->step(scan, t) : nullptr).run(scan.getBodyBlock(), args);
    if (failed(results))
      return failure();
    unsigned k = carried.size();
    for (unsigned j = 0; j < k; ++j)
      carried[j] = (*results)[j];
    for (auto [j, out] : llvm::enumerate(stacked)) {
      const NDArray &y = (*results)[k + j];
      if (i == 0) {
        SmallVector<int64_t> shape{steps};
        llvm::append_range(shape, y.shape);
        out = NDArray::zeros(shape);
      }
      std::copy_n(y.data.begin(), y.size(), out.data.begin() + t * y.size());
    }
  }
  for (auto [r, value] : llvm::zip_equal(scan.getFinals(), carried))
    env[r] = value;
  for (auto [r, value] : llvm::zip_equal(scan.getStacked(), stacked)) {
    if (steps == 0) {
      auto type = cast<RankedTensorType>(r.getType());
      value = NDArray::zeros(type.getShape());
    }
    env[r] = value;
  }
  return success();
}

FailureOr<NDArray> Evaluator::evalCompute(Operation &op) {
  if (op.hasTrait<OpTrait::ConstantLike>())
    return constant(op);
  auto compute = dyn_cast<ComputeOpInterface>(op);
  if (!compute)
    return op.emitOpError("cannot be evaluated by nn-gradcheck"), failure();
  SmallVector<const NDArray *> operands;
  for (Value v : op.getOperands())
    operands.push_back(&env.find(v)->second);
  return evaluateComputation(op, compute.getComputation(), operands);
}

FailureOr<NDArray> Evaluator::constant(Operation &op) {
  Attribute attr;
  matchPattern(op.getResult(0), m_Constant(&attr));
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  auto type = dense ? dyn_cast<RankedTensorType>(dense.getType()) : RankedTensorType();
  if (!type || !type.hasStaticShape())
    return op.emitOpError("needs a dense value of static shape"), failure();
  NDArray r = NDArray::zeros(type.getShape());
  Type element = type.getElementType();
  if (element.isF32()) {
    for (auto [i, v] : llvm::enumerate(dense.getValues<float>()))
      r.data[i] = v;
  } else if (element.isInteger(32)) {
    for (auto [i, v] : llvm::enumerate(dense.getValues<int32_t>()))
      r.data[i] = v;
  } else {
    return op.emitOpError("has an element type other than f32 or i32"), failure();
  }
  return r;
}

} // namespace

FailureOr<SmallVector<NDArray>> nn::gradcheck::evaluate(func::FuncOp func,
                                                        ArrayRef<NDArray> args,
                                                        Freeze *freeze) {
  if (func.isExternal() || func.getNumArguments() != args.size())
    return func.emitOpError("cannot be evaluated: no body or wrong argument count");
  return Evaluator(freeze).run(func.getBody().front(), args);
}
