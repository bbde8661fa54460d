//===- Evaluator.cpp - float64 reference evaluator of the nn dialect ------===//
//
// One case per op in `Evaluator::evalOp`, written from the op descriptions in
// NNOps.td. Result shapes are computed here from the operands, not read from the
// result types (those are only checked against), so the evaluator is a reference that
// is independent of the ops' type inference.
//
//===----------------------------------------------------------------------------===//
#include "Evaluator.h"
#include "ir/NNOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>
#include <cstring>

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

//===----------------------------------------------------------------------------===//
// Index math
//===----------------------------------------------------------------------------===//

Shape stridesOf(ArrayRef<int64_t> shape) {
  Shape strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Strides that read an array of `shape` at a multi-index of the broadcast shape `out`
/// (rank >= shape's rank): 0 along the dims `shape` lacks on the left or has as 1.
Shape broadcastStrides(ArrayRef<int64_t> shape, ArrayRef<int64_t> out) {
  Shape own = stridesOf(shape), strides(out.size(), 0);
  size_t lead = out.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1)
      strides[lead + i] = own[i];
  return strides;
}

int64_t dot(ArrayRef<int64_t> idx, ArrayRef<int64_t> strides) {
  int64_t offset = 0;
  for (auto [i, s] : llvm::zip_equal(idx, strides))
    offset += i * s;
  return offset;
}

/// Calls `fn(position, multiIndex)` for every element of `shape`, row-major.
template <typename Fn>
void forEachIndex(ArrayRef<int64_t> shape, Fn fn) {
  Shape idx(shape.size(), 0);
  int64_t n = numElements(shape);
  for (int64_t pos = 0; pos < n; ++pos) {
    fn(pos, ArrayRef<int64_t>(idx));
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

/// NumPy broadcasting: shapes align at the right; each pair is equal or one is 1.
std::optional<Shape> broadcastShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + std::to_string(d);
  return s + "]";
}

/// Every element of `x` through `fn`.
template <typename Fn>
NDArray map(const NDArray &x, Fn fn) {
  NDArray r{x.shape, std::vector<double>(x.size())};
  for (int64_t i = 0; i < x.size(); ++i)
    r.data[i] = fn(x.data[i]);
  return r;
}

/// A deterministic value in [0, 1) from an element index, a seed and a stream
/// (splitmix64).
double hashUniform(uint64_t index, double seed, double stream) {
  uint64_t bits;
  std::memcpy(&bits, &seed, sizeof bits);
  uint64_t z = index * 0x9E3779B97F4A7C15ull + bits + 0x632BE59BD9B4E019ull +
               uint64_t(int64_t(stream)) * 0xD6E8FEB86659FD93ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

//===----------------------------------------------------------------------------===//
// The evaluator
//===----------------------------------------------------------------------------===//

enum class ReduceKind { Sum, Mean, Max };

class Evaluator {
public:
  explicit Evaluator(Freeze *freeze) : freeze(freeze) {}

  /// Evaluates `block` with its arguments bound to `args`; returns the terminator's
  /// operands (a func.return or nn.yield).
  FailureOr<SmallVector<NDArray>> run(Block &block, ArrayRef<NDArray> args);

private:
  LogicalResult evalOp(Operation &op);
  FailureOr<NDArray> evalCompute(Operation &op);
  LogicalResult checkResultType(Operation &op, Value result, const NDArray &value);

  FailureOr<NDArray> constant(ConstantOp op);
  template <typename Fn>
  FailureOr<NDArray> binary(Operation &op, Fn fn);
  FailureOr<NDArray> reduce(Operation &op, ArrayRef<int64_t> axes, bool keepdims,
                            ReduceKind kind);
  FailureOr<NDArray> matmul(MatmulOp op);
  FailureOr<NDArray> reshape(ReshapeOp op);
  FailureOr<NDArray> transpose(TransposeOp op);
  FailureOr<NDArray> broadcastTo(BroadcastToOp op);
  FailureOr<NDArray> oneHot(OneHotOp op);
  FailureOr<NDArray> count(CountOp op);
  FailureOr<NDArray> randomUniform(RandomUniformOp op);

  const NDArray &in(Operation &op, unsigned i) { return env.find(op.getOperand(i))->second; }
  FailureOr<NDArray> error(Operation &op, const Twine &message) {
    op.emitOpError(message);
    return failure();
  }

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

FailureOr<NDArray> Evaluator::evalCompute(Operation &op) {
  auto unary = [&](double (*fn)(double)) -> FailureOr<NDArray> { return map(in(op, 0), fn); };
  return llvm::TypeSwitch<Operation *, FailureOr<NDArray>>(&op)
      .Case([&](ConstantOp c) { return constant(c); })
      // Elementwise unary.
      .Case([&](NegOp) { return unary([](double x) { return -x; }); })
      .Case([&](ExpOp) { return unary([](double x) { return std::exp(x); }); })
      .Case([&](LogOp) { return unary([](double x) { return std::log(x); }); })
      .Case([&](SqrtOp) { return unary([](double x) { return std::sqrt(x); }); })
      .Case([&](AbsOp) { return unary([](double x) { return std::fabs(x); }); })
      .Case([&](TanhOp) { return unary([](double x) { return std::tanh(x); }); })
      .Case([&](SigmoidOp) { return unary([](double x) { return 1 / (1 + std::exp(-x)); }); })
      .Case([&](ReluOp) { return unary([](double x) { return x > 0 ? x : 0.0; }); })
      .Case([&](StepOp) { return unary([](double x) { return x > 0 ? 1.0 : 0.0; }); })
      .Case([&](StopGradientOp) { return unary([](double x) { return x; }); })
      // Elementwise binary with broadcasting.
      .Case([&](AddOp) { return binary(op, [](double a, double b) { return a + b; }); })
      .Case([&](SubOp) { return binary(op, [](double a, double b) { return a - b; }); })
      .Case([&](MulOp) { return binary(op, [](double a, double b) { return a * b; }); })
      .Case([&](DivOp) { return binary(op, [](double a, double b) { return a / b; }); })
      .Case([&](MaxOp) { return binary(op, [](double a, double b) { return a > b ? a : b; }); })
      .Case([&](MinOp) { return binary(op, [](double a, double b) { return a < b ? a : b; }); })
      .Case([&](PowOp) { return binary(op, [](double a, double b) { return std::pow(a, b); }); })
      .Case([&](GreaterOp) {
        return binary(op, [](double a, double b) { return a > b ? 1.0 : 0.0; });
      })
      // Reductions.
      .Case([&](ReduceSumOp r) {
        return reduce(op, r.getAxes(), r.getKeepdims(), ReduceKind::Sum);
      })
      .Case([&](ReduceMeanOp r) {
        return reduce(op, r.getAxes(), r.getKeepdims(), ReduceKind::Mean);
      })
      .Case([&](ReduceMaxOp r) {
        return reduce(op, r.getAxes(), r.getKeepdims(), ReduceKind::Max);
      })
      // Linear algebra, shapes, and the zero-gradient producers.
      .Case([&](MatmulOp m) { return matmul(m); })
      .Case([&](ReshapeOp r) { return reshape(r); })
      .Case([&](TransposeOp t) { return transpose(t); })
      .Case([&](BroadcastToOp b) { return broadcastTo(b); })
      .Case([&](OneHotOp o) { return oneHot(o); })
      .Case([&](CountOp c) { return count(c); })
      .Case([&](RandomUniformOp r) { return randomUniform(r); })
      .Default([&](Operation *) { return error(op, "cannot be evaluated by nn-gradcheck"); });
}

//===----------------------------------------------------------------------------===//
// Op cases
//===----------------------------------------------------------------------------===//

FailureOr<NDArray> Evaluator::constant(ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  auto type = dense ? dyn_cast<RankedTensorType>(dense.getType()) : RankedTensorType();
  if (!type || !type.hasStaticShape())
    return error(*op, "needs a dense value of static shape");
  NDArray r = NDArray::zeros(type.getShape());
  Type element = type.getElementType();
  if (element.isF32()) {
    for (auto [i, v] : llvm::enumerate(dense.getValues<float>()))
      r.data[i] = v;
  } else if (element.isInteger(32)) {
    for (auto [i, v] : llvm::enumerate(dense.getValues<int32_t>()))
      r.data[i] = v;
  } else {
    return error(*op, "has an element type other than f32 or i32");
  }
  return r;
}

template <typename Fn>
FailureOr<NDArray> Evaluator::binary(Operation &op, Fn fn) {
  const NDArray &a = in(op, 0), &b = in(op, 1);
  std::optional<Shape> shape = broadcastShape(a.shape, b.shape);
  if (!shape)
    return error(op, "cannot broadcast " + shapeString(a.shape) + " with " +
                         shapeString(b.shape));
  Shape sa = broadcastStrides(a.shape, *shape), sb = broadcastStrides(b.shape, *shape);
  NDArray r = NDArray::zeros(*shape);
  forEachIndex(*shape, [&](int64_t pos, ArrayRef<int64_t> idx) {
    r.data[pos] = fn(a.data[dot(idx, sa)], b.data[dot(idx, sb)]);
  });
  return r;
}

FailureOr<NDArray> Evaluator::reduce(Operation &op, ArrayRef<int64_t> axes, bool keepdims,
                                     ReduceKind kind) {
  const NDArray &x = in(op, 0);
  int64_t rank = x.shape.size();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    if (a < 0 || a >= rank || reduced[a])
      return error(op, "has an invalid or repeated axis " + Twine(a));
    reduced[a] = true;
  }
  // Accumulate into the keepdims shape; dropping its 1s does not move elements.
  Shape kept(x.shape), dropped;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced[d])
      kept[d] = 1;
    else
      dropped.push_back(x.shape[d]);
  }
  double init = kind == ReduceKind::Max ? -INFINITY : 0.0;
  NDArray r{keepdims ? kept : dropped, std::vector<double>(numElements(kept), init)};
  Shape strides = broadcastStrides(kept, x.shape);
  forEachIndex(x.shape, [&](int64_t pos, ArrayRef<int64_t> idx) {
    double &acc = r.data[dot(idx, strides)];
    acc = kind == ReduceKind::Max ? std::max(acc, x.data[pos]) : acc + x.data[pos];
  });
  if (kind == ReduceKind::Mean) {
    double n = double(x.size()) / double(r.size());
    for (double &v : r.data)
      v /= n;
  }
  return r;
}

FailureOr<NDArray> Evaluator::matmul(MatmulOp op) {
  const NDArray &a = in(*op, 0), &b = in(*op, 1);
  int64_t ra = a.shape.size();
  if (ra < 2 || b.shape.size() != 2)
    return error(*op, "needs lhs of rank >= 2 and rhs of rank 2");
  // op(A)[m, k] = A[m, k], or A[k, m] when transposed; likewise op(B)[k, n].
  bool ta = op.getTransposeLhs(), tb = op.getTransposeRhs();
  int64_t rows = a.shape[ra - 2], cols = a.shape[ra - 1];
  int64_t m = ta ? cols : rows, k = ta ? rows : cols;
  int64_t kb = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1];
  if (k != kb)
    return error(*op, "contraction dims differ: " + Twine(k) + " vs " + Twine(kb));
  Shape shape(a.shape.begin(), a.shape.end() - 2);
  int64_t batch = numElements(shape);
  shape.append({m, n});
  NDArray r = NDArray::zeros(shape);
  auto lhs = [&](int64_t p, int64_t i, int64_t j) {
    return a.data[p * rows * cols + (ta ? j * cols + i : i * cols + j)];
  };
  auto rhs = [&](int64_t i, int64_t j) {
    return b.data[tb ? j * b.shape[1] + i : i * b.shape[1] + j];
  };
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t q = 0; q < k; ++q)
          acc += lhs(p, i, q) * rhs(q, j);
        r.data[(p * m + i) * n + j] = acc;
      }
  return r;
}

FailureOr<NDArray> Evaluator::reshape(ReshapeOp op) {
  const NDArray &x = in(*op, 0);
  Shape shape(op.getShape());
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == -1 && inferred == -1)
      inferred = i;
    else if (d < 0)
      return error(*op, "has an invalid shape " + shapeString(shape));
    else
      known *= d;
  }
  if (inferred >= 0 && known > 0)
    shape[inferred] = x.size() / known;
  if (numElements(shape) != x.size())
    return error(*op, "cannot reshape " + shapeString(x.shape) + " into " +
                          shapeString(op.getShape()));
  return NDArray{shape, x.data}; // row-major: the data does not move
}

FailureOr<NDArray> Evaluator::transpose(TransposeOp op) {
  const NDArray &x = in(*op, 0);
  ArrayRef<int64_t> perm = op.getPerm();
  size_t rank = x.shape.size();
  if (perm.size() != rank)
    return error(*op, "has a permutation of the wrong length");
  // Result dim i is operand dim perm[i]: it steps with that dim's stride.
  Shape xs = stridesOf(x.shape), shape(rank), strides(rank);
  SmallVector<bool> seen(rank, false);
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (p < 0 || p >= int64_t(rank) || seen[p])
      return error(*op, "has an invalid permutation");
    seen[p] = true;
    shape[i] = x.shape[p];
    strides[i] = xs[p];
  }
  NDArray r = NDArray::zeros(shape);
  forEachIndex(shape, [&](int64_t pos, ArrayRef<int64_t> idx) {
    r.data[pos] = x.data[dot(idx, strides)];
  });
  return r;
}

FailureOr<NDArray> Evaluator::broadcastTo(BroadcastToOp op) {
  const NDArray &x = in(*op, 0), &like = in(*op, 1);
  std::optional<Shape> shape = broadcastShape(x.shape, like.shape);
  if (!shape || *shape != like.shape)
    return error(*op, "cannot broadcast " + shapeString(x.shape) + " to " +
                          shapeString(like.shape));
  Shape strides = broadcastStrides(x.shape, like.shape);
  NDArray r = NDArray::zeros(like.shape);
  forEachIndex(like.shape, [&](int64_t pos, ArrayRef<int64_t> idx) {
    r.data[pos] = x.data[dot(idx, strides)];
  });
  return r;
}

FailureOr<NDArray> Evaluator::oneHot(OneHotOp op) {
  const NDArray &labels = in(*op, 0);
  int64_t depth = op.getDepth();
  Shape shape(labels.shape);
  shape.push_back(depth);
  NDArray r = NDArray::zeros(shape);
  for (int64_t i = 0; i < labels.size(); ++i) {
    double label = labels.data[i];
    if (label >= 0 && label < double(depth))
      r.data[i * depth + int64_t(label)] = 1.0;
  }
  return r;
}

FailureOr<NDArray> Evaluator::count(CountOp op) {
  const NDArray &x = in(*op, 0);
  double n = 1;
  for (auto [d, size] : llvm::enumerate(x.shape))
    if (op.getAxes().empty() || llvm::is_contained(op.getAxes(), int64_t(d)))
      n *= double(size);
  return NDArray{{}, {n}};
}

FailureOr<NDArray> Evaluator::randomUniform(RandomUniformOp op) {
  const NDArray &like = in(*op, 0), &seed = in(*op, 1);
  if (seed.size() != 1)
    return error(*op, "needs a rank-0 seed");
  double stream = 0;
  if (op.getStream()) {
    const NDArray &s = in(*op, 2);
    if (s.size() != 1)
      return error(*op, "needs a rank-0 stream");
    stream = s.data[0];
  }
  NDArray r = NDArray::zeros(like.shape);
  for (int64_t i = 0; i < r.size(); ++i)
    r.data[i] = hashUniform(i, seed.data[0], stream);
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
