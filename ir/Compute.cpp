//===- Compute.cpp - the expression language of op computations -----------===//
#include "ir/Compute.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include <cassert>
#include <cmath>
#include <limits>

using namespace nn::compute;

Expr::Expr(double value) : Expr(make(Kind::FloatConst, DType::F32, {}, 0, value)) {}

Expr Expr::index(int64_t value) { return make(Kind::IntConst, DType::Index, {}, value); }
Expr Expr::i32(int64_t value) { return make(Kind::IntConst, DType::I32, {}, value); }

Expr Expr::make(Kind kind, DType type, llvm::ArrayRef<Expr> args, int64_t ival,
                double fval, unsigned dim, bool fill) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->type = type;
  n->ival = ival;
  n->fval = fval;
  n->dim = dim;
  n->fill = fill;
  n->args.assign(args.begin(), args.end());
  Expr e;
  e.node = std::move(n);
  return e;
}

Kind Expr::kind() const { return node->kind; }
DType Expr::type() const { return node->type; }

//===----------------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------------===//

Expr nn::compute::var(unsigned i) { return Expr::make(Kind::Var, DType::Index, {}, i); }
Expr nn::compute::rvar(unsigned j) { return Expr::make(Kind::RVar, DType::Index, {}, j); }
Expr nn::compute::extent(unsigned operand, unsigned dim) {
  return Expr::make(Kind::Extent, DType::Index, {}, operand, 0, dim);
}
Expr nn::compute::extentOf(mlir::Type type, unsigned operand, unsigned dim) {
  int64_t d = mlir::cast<mlir::RankedTensorType>(type).getDimSize(dim);
  return mlir::ShapedType::isDynamic(d) ? extent(operand, dim) : Expr::index(d);
}
Expr nn::compute::load(unsigned operand, DType type, llvm::ArrayRef<Expr> index) {
  return Expr::make(Kind::Load, type, index, operand);
}
Expr nn::compute::loadOr(unsigned operand, DType type, llvm::ArrayRef<Expr> index,
                         Expr fill) {
  llvm::SmallVector<Expr, 5> args(index.begin(), index.end());
  args.push_back(fill);
  return Expr::make(Kind::Load, type, args, operand, 0, 0, /*fill=*/true);
}
Expr nn::compute::acc() { return Expr::make(Kind::Acc, DType::F32, {}); }

//===----------------------------------------------------------------------------===//
// Operators
//===----------------------------------------------------------------------------===//

namespace {

/// An F32 constant meeting an Index or I32 expression takes the other side's type (so
/// `var(0) * 2` is index arithmetic); otherwise both sides must agree.
void unify(Expr &a, Expr &b) {
  auto retype = [](Expr &c, DType t) {
    if (c.kind() == Kind::FloatConst && t != DType::F32 && t != DType::Bool) {
      assert(c->fval == std::floor(c->fval) && "a non-integral constant in an index");
      c = Expr::make(Kind::IntConst, t, {}, int64_t(c->fval));
    }
  };
  retype(a, b.type());
  retype(b, a.type());
  assert(a.type() == b.type() && "operands of different types");
}

Expr binary(Kind kind, Expr a, Expr b) {
  unify(a, b);
  return Expr::make(kind, a.type(), {a, b});
}

Expr compare(Kind kind, Expr a, Expr b) {
  unify(a, b);
  return Expr::make(kind, DType::Bool, {a, b});
}

Expr unaryF32(Kind kind, Expr x) {
  assert(x.type() == DType::F32 && "a float function of a non-float");
  return Expr::make(kind, DType::F32, {x});
}

} // namespace

Expr nn::compute::operator+(Expr a, Expr b) { return binary(Kind::Add, a, b); }
Expr nn::compute::operator-(Expr a, Expr b) { return binary(Kind::Sub, a, b); }
Expr nn::compute::operator*(Expr a, Expr b) { return binary(Kind::Mul, a, b); }
Expr nn::compute::operator/(Expr a, Expr b) { return binary(Kind::Div, a, b); }
Expr nn::compute::operator%(Expr a, Expr b) { return binary(Kind::Mod, a, b); }
Expr nn::compute::operator-(Expr a) { return Expr::make(Kind::Neg, a.type(), {a}); }
Expr nn::compute::operator<(Expr a, Expr b) { return compare(Kind::Lt, a, b); }
Expr nn::compute::operator<=(Expr a, Expr b) { return compare(Kind::Le, a, b); }
Expr nn::compute::operator>(Expr a, Expr b) { return compare(Kind::Gt, a, b); }
Expr nn::compute::operator>=(Expr a, Expr b) { return compare(Kind::Ge, a, b); }
Expr nn::compute::operator==(Expr a, Expr b) { return compare(Kind::Eq, a, b); }
Expr nn::compute::operator!=(Expr a, Expr b) { return compare(Kind::Ne, a, b); }
Expr nn::compute::logicalAnd(Expr a, Expr b) {
  return Expr::make(Kind::And, DType::Bool, {a, b});
}
Expr nn::compute::logicalOr(Expr a, Expr b) {
  return Expr::make(Kind::Or, DType::Bool, {a, b});
}
Expr nn::compute::logicalNot(Expr a) { return Expr::make(Kind::Not, DType::Bool, {a}); }
Expr nn::compute::min(Expr a, Expr b) { return binary(Kind::Min, a, b); }
Expr nn::compute::max(Expr a, Expr b) { return binary(Kind::Max, a, b); }
Expr nn::compute::exp(Expr x) { return unaryF32(Kind::Exp, x); }
Expr nn::compute::log(Expr x) { return unaryF32(Kind::Log, x); }
Expr nn::compute::sqrt(Expr x) { return unaryF32(Kind::Sqrt, x); }
Expr nn::compute::abs(Expr x) { return unaryF32(Kind::Abs, x); }
Expr nn::compute::tanh(Expr x) { return unaryF32(Kind::Tanh, x); }
Expr nn::compute::erf(Expr x) { return unaryF32(Kind::Erf, x); }
Expr nn::compute::pow(Expr x, Expr y) { return binary(Kind::Pow, x, y); }
Expr nn::compute::cos(Expr x) { return unaryF32(Kind::Cos, x); }
Expr nn::compute::select(Expr condition, Expr then, Expr otherwise) {
  unify(then, otherwise);
  return Expr::make(Kind::Select, then.type(), {condition, then, otherwise});
}
Expr nn::compute::cast(DType type, Expr x) {
  if (x.type() == type)
    return x;
  return Expr::make(Kind::Cast, type, {x});
}
Expr nn::compute::step(Expr x) { return select(x > 0.0, 1.0, 0.0); }
Expr nn::compute::greater(Expr a, Expr b) { return select(a > b, 1.0, 0.0); }
Expr nn::compute::hash01(Expr linearIndex, Expr seed, Expr stream) {
  return Expr::make(Kind::Hash01, DType::F32, {linearIndex, seed, stream});
}

double Computation::init() const {
  return reducer == Reducer::Sum ? 0.0 : -std::numeric_limits<double>::infinity();
}

//===----------------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------------===//

DType nn::compute::elementType(mlir::Type tensorType) {
  mlir::Type e = mlir::cast<mlir::ShapedType>(tensorType).getElementType();
  return e.isF32() ? DType::F32 : DType::I32;
}

llvm::SmallVector<Expr, 4> nn::compute::broadcastIndex(mlir::Type type,
                                                       unsigned resultRank) {
  auto t = mlir::cast<mlir::RankedTensorType>(type);
  unsigned r = t.getRank();
  llvm::SmallVector<Expr, 4> index;
  for (unsigned j = 0; j < r; ++j)
    index.push_back(t.getDimSize(j) == 1 ? Expr::index(0) : var(j + resultRank - r));
  return index;
}

llvm::SmallVector<Expr, 4>
nn::compute::broadcastExtents(llvm::ArrayRef<mlir::Type> operandTypes,
                              unsigned resultRank) {
  llvm::SmallVector<Expr, 4> extents(resultRank, Expr::index(1));
  for (unsigned i = 0; i < resultRank; ++i)
    for (auto [k, type] : llvm::enumerate(operandTypes)) {
      auto t = mlir::cast<mlir::RankedTensorType>(type);
      int j = int(i) - int(resultRank - t.getRank());
      if (j < 0 || t.getDimSize(j) == 1)
        continue;
      extents[i] = extentOf(t, k, j);
      break;
    }
  return extents;
}

llvm::SmallVector<Expr, 4> nn::compute::extentsOf(mlir::Type type, unsigned operand) {
  llvm::SmallVector<Expr, 4> extents;
  auto t = mlir::cast<mlir::RankedTensorType>(type);
  for (unsigned d = 0; d < t.getRank(); ++d)
    extents.push_back(extentOf(t, operand, d));
  return extents;
}

Expr nn::compute::clampIndex(Expr index, Expr extent) {
  return max(min(index, extent - Expr::index(1)), Expr::index(0));
}

Expr nn::compute::inRange(Expr index, Expr extent) {
  return logicalAnd(index >= Expr::index(0), index < extent);
}

Expr nn::compute::linearIndex(llvm::ArrayRef<Expr> index, llvm::ArrayRef<Expr> extents) {
  Expr linear = Expr::index(0);
  for (auto [i, e] : llvm::zip(index, extents))
    linear = linear * e + i;
  return linear;
}

llvm::SmallVector<int, 4> nn::compute::reducedDims(const Expr &body, unsigned operand) {
  if (body.kind() == Kind::Load && body->ival == operand) {
    llvm::SmallVector<int, 4> dims;
    for (auto [d, index] : llvm::enumerate(body->args))
      if (index.kind() == Kind::RVar)
        dims.push_back(d);
    return dims;
  }
  for (const Expr &a : body->args)
    if (llvm::SmallVector<int, 4> dims = reducedDims(a, operand); !dims.empty())
      return dims;
  return {};
}

Computation nn::compute::elementwise(
    mlir::Operation *op, llvm::function_ref<Expr(llvm::ArrayRef<Expr>)> formula) {
  auto result = mlir::cast<mlir::RankedTensorType>(op->getResult(0).getType());
  unsigned rank = result.getRank();
  llvm::SmallVector<mlir::Type, 2> types(op->getOperandTypes());
  llvm::SmallVector<Expr, 2> loads;
  for (auto [k, type] : llvm::enumerate(types))
    loads.push_back(load(k, elementType(type), broadcastIndex(type, rank)));
  Computation c;
  c.type = elementType(result);
  c.extents = broadcastExtents(types, rank);
  c.body = formula(loads);
  return c;
}
