//===- Compute.h - what an nn op computes, as data --------------*- C++ -*-===//
//
// Every compute op of the nn dialect states what it computes through
// ComputeOpInterface::getComputation(): a small, typed expression tree for one element
// of its result, in the style of Halide's pure definitions and update definitions (or
// linalg.generic's body and indexing maps):
//
//   result[var(0), ..., var(r-1)] = body                        (no reduction)
//   acc[vars] = init; for rvar(0..n-1): acc = reduce(acc, body)  (with a reduction)
//   result[vars] = post(acc)                                      (post is optional)
//   result = 0; for rvar(0..n-1), vars: result[scatter] += body   (a scatter-add)
//
// Index expressions are built from the result's index variables `var(i)`, reduction
// variables `rvar(j)`, constants and the run-time extents of the operands, with + - *
// floor-division, modulo, min and max; scalar expressions load operand elements at such
// indices (optionally with a fill value outside the operand) and combine them with the
// primitive functions below. An index may also be computed from loaded data (a gather:
// `cast(DType::Index, load(k, DType::I32, ...))`); it must then be clamped into the
// operand (`clampIndex`), so that every read stays inside it and Halide's bounds
// inference can bound it, and the op selects what an index outside gives (the embedding
// gives a zero row). There are two interpreters of this language: the Halide
// lowering (codegen/HalideLowering.cpp) and the float64 reference evaluator of
// nn-gradcheck. An op is therefore described once, and both backends follow.
//
// Scalars have operator overloads and free functions (found by argument-dependent
// lookup), so an op's formula reads like arithmetic: `1.0 / (1.0 + exp(-x))`.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_COMPUTE_H
#define NN_IR_COMPUTE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <memory>
#include <optional>

namespace mlir {
class Type;
class Value;
class Operation;
} // namespace mlir

namespace nn::compute {

/// The type of an expression: an index (integer arithmetic on positions and extents;
/// 32-bit in generated code), or an element type.
enum class DType : uint8_t { Index, F32, I32, Bool };

enum class Kind : uint8_t {
  // Leaves.
  IntConst,   ///< `ival`, of type Index or I32
  FloatConst, ///< `fval`, F32
  Var,        ///< result index variable `ival` (nn dim order)
  RVar,       ///< reduction variable `ival`
  Extent,     ///< run-time extent of operand `ival`, dim `dim`
  Load,       ///< operand `ival` at `args` (one index per dim); with `fill`, `args.back()`
              ///< is the value outside the operand's extents
  Acc,        ///< the accumulator (only in `post`)
  // Arithmetic on indices and elements.
  Add, Sub, Mul,
  Div, ///< F32: division; Index/I32: floor division
  Mod, ///< Index/I32: Euclidean modulo (the result has the divisor's sign)
  Min, Max, Neg,
  // F32 functions.
  Exp, Log, Sqrt, Abs, Tanh, Erf, Pow, Cos,
  // Comparisons (Bool), logic and selection.
  Lt, Le, Gt, Ge, Eq, Ne, And, Or, Not,
  Select, ///< args: condition, then, else
  Cast,   ///< to the node's type (F32 <-> I32/Index; Bool -> F32 gives 0 or 1)
  /// Counter-based uniform noise in [0, 1): args are the linear element index (Index),
  /// the seed (F32, a counter) and the stream (I32); see hashUniform below.
  Hash01,
};

struct Node;

/// A handle to an immutable expression node.
class Expr {
public:
  Expr() = default;
  /// An F32 constant (so formulas can write `1.0 - y`).
  Expr(double value);
  /// An Index constant.
  static Expr index(int64_t value);
  static Expr i32(int64_t value);
  static Expr make(Kind kind, DType type, llvm::ArrayRef<Expr> args, int64_t ival = 0,
                   double fval = 0, unsigned dim = 0, bool fill = false);

  explicit operator bool() const { return node != nullptr; }
  const Node &operator*() const { return *node; }
  const Node *operator->() const { return node.get(); }
  Kind kind() const;
  DType type() const;

private:
  std::shared_ptr<const Node> node;
};

struct Node {
  Kind kind;
  DType type;
  int64_t ival = 0; ///< constant, variable number or operand number
  double fval = 0;  ///< FloatConst
  unsigned dim = 0; ///< Extent: the dim
  bool fill = false;
  llvm::SmallVector<Expr, 4> args;
};

//===----------------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------------===//

/// Result index variable `i` (nn order: 0 is the outermost dim).
Expr var(unsigned i);
/// Reduction variable `j`, ranging over [0, Computation::reduction[j]).
Expr rvar(unsigned j);
/// The run-time extent of dim `dim` of operand `operand`.
Expr extent(unsigned operand, unsigned dim);
/// An extent of an operand of `type`: the constant when static, else `extent(...)`.
Expr extentOf(mlir::Type type, unsigned operand, unsigned dim);
/// Element `index` of operand `operand`, whose element type is `type`.
Expr load(unsigned operand, DType type, llvm::ArrayRef<Expr> index);
/// Like load, but `fill` where an index is outside the operand's extents.
Expr loadOr(unsigned operand, DType type, llvm::ArrayRef<Expr> index, Expr fill);
/// The accumulator, in a Computation's `post`.
Expr acc();

//===----------------------------------------------------------------------------===//
// Operators and functions (same type on both sides; doubles convert to F32 constants)
//===----------------------------------------------------------------------------===//

Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator*(Expr a, Expr b);
Expr operator/(Expr a, Expr b);
Expr operator%(Expr a, Expr b);
Expr operator-(Expr a);
Expr operator<(Expr a, Expr b);
Expr operator<=(Expr a, Expr b);
Expr operator>(Expr a, Expr b);
Expr operator>=(Expr a, Expr b);
Expr operator==(Expr a, Expr b);
Expr operator!=(Expr a, Expr b);
Expr logicalAnd(Expr a, Expr b);
Expr logicalOr(Expr a, Expr b);
Expr logicalNot(Expr a);
Expr min(Expr a, Expr b);
Expr max(Expr a, Expr b);
Expr exp(Expr x);
Expr log(Expr x);
Expr sqrt(Expr x);
Expr abs(Expr x);
Expr tanh(Expr x);
Expr erf(Expr x);
Expr pow(Expr x, Expr y);
Expr cos(Expr x);
Expr select(Expr condition, Expr then, Expr otherwise);
Expr cast(DType type, Expr x);
/// 1 where x > 0, else 0 (F32).
Expr step(Expr x);
/// 1 where a > b, else 0 (F32).
Expr greater(Expr a, Expr b);
Expr hash01(Expr linearIndex, Expr seed, Expr stream);

//===----------------------------------------------------------------------------===//
// Computations
//===----------------------------------------------------------------------------===//

/// How a reduction combines its terms. ArgMax keeps the first maximum (in loop order,
/// strictly greater replaces) and yields its `position` (I32; -1 when every term is
/// -infinity).
enum class Reducer : uint8_t { None, Sum, Max, ArgMax };

/// What one result of an op computes.
struct Computation {
  DType type = DType::F32;                ///< element type of the result
  llvm::SmallVector<Expr, 4> extents;   ///< result dims (Index), nn order
  llvm::SmallVector<Expr, 4> reduction; ///< extent of each reduction variable (Index)
  Reducer reducer = Reducer::None;
  Expr body;                            ///< the element, or the reduced term
  Expr post;                            ///< optional: the result from `acc()`
  Expr position;                        ///< ArgMax: the position of a term (Index)
  /// A reduction whose term is a product of two operand elements read many times
  /// (matmul, convolutions): code generation tiles it as a GEMM-like kernel.
  bool contraction = false;
  /// A scatter-add (Reducer::Sum, no `post`): where each term adds, one index per
  /// result dim, nn order. Entry i is `var(i)` for a dim the scatter is pure in (each
  /// term adds at every position of it, the body reading it as var(i)), or an Index
  /// expression of reduction variables and loaded data (the scattered dims). The result
  /// starts at 0; for every point of the reduction variables, in loop order (rvar 0
  /// innermost), and of the pure dims, the term adds at its store index, or nowhere
  /// when that index is outside the result. The terms run serially in that fixed order,
  /// so the sums are deterministic; only the pure dims may run in parallel or in
  /// vectors. Empty: an ordinary reduction (the term adds at `vars`).
  llvm::SmallVector<Expr, 4> scatter;
  bool isScatter() const { return !scatter.empty(); }
  /// Interleaved phases (a hint for code generation; the result is the same without):
  /// per result dim, nn order, a stride s > 1 says that the positions s q + p of one
  /// phase p read the same operand elements for the same reduction point apart from a
  /// shift in q (a strided transposed convolution: the filter taps of a column depend
  /// on its column mod s). Code generation may then compute the result over (q, p) so
  /// that a register tile of consecutive q shares its loads. Empty: no phases.
  llvm::SmallVector<int64_t, 4> phases;
  /// Optional (a hint, like `phases`): a Bool over vars and rvars outside which the term
  /// does not change the result (is zero in a sum; is below the row's maximum in a
  /// max), so code generation may skip those terms (a phase with fewer filter taps
  /// than another in a strided transposed convolution; causal attention's zeros).
  Expr nonzero;

  /// The initial value of the accumulator: 0 for sums, -infinity for maxima (and the
  /// value of an ArgMax).
  double init() const;
};

//===----------------------------------------------------------------------------===//
// Helpers for ops' descriptions
//===----------------------------------------------------------------------------===//

/// The element type of a tensor type.
DType elementType(mlir::Type tensorType);

/// The index into an operand of `type` (operand `operand`) for the result index vars
/// of a result of rank `resultRank` under right-aligned broadcasting: static 1 dims
/// are read at 0.
llvm::SmallVector<Expr, 4> broadcastIndex(mlir::Type type, unsigned resultRank);

/// The extents of the broadcast of `operandTypes` (operands 0, 1, ...): per dim, the
/// extent of the first operand whose aligned dim is not a static 1.
llvm::SmallVector<Expr, 4> broadcastExtents(llvm::ArrayRef<mlir::Type> operandTypes,
                                            unsigned resultRank);

/// An operand's extents, in order.
llvm::SmallVector<Expr, 4> extentsOf(mlir::Type type, unsigned operand);

/// An index computed from data, clamped into [0, extent): a read at it stays inside the
/// operand, and Halide can bound it. The op decides what an index outside gives.
Expr clampIndex(Expr index, Expr extent);
/// Whether `index` lies in [0, extent) (Bool).
Expr inRange(Expr index, Expr extent);

/// The row-major linear position of `index` in a space of `extents`.
Expr linearIndex(llvm::ArrayRef<Expr> index, llvm::ArrayRef<Expr> extents);

/// The dims of operand `operand` indexed by a reduction variable, in order, in the
/// first load of it in `body` that has any (a matmul's contracted dim, a reduction's
/// reduced dims); none when no load of it has one.
llvm::SmallVector<int, 4> reducedDims(const Expr &body, unsigned operand);

/// The elementwise computation `formula(loads)` of a (broadcasting) op: operand k is
/// loaded at its broadcast index.
Computation elementwise(mlir::Operation *op,
                        llvm::function_ref<Expr(llvm::ArrayRef<Expr> operands)> formula);

/// The counter-based noise of Kind::Hash01, for any unsigned 32-bit arithmetic type
/// (uint32_t in the evaluator, Halide's UInt(32) Exprs in code generation): a
/// lowbias32-style mix of the linear index, the seed and the stream, scaled to [0, 1)
/// by the caller as `(h >> 8) * 2^-24`.
template <typename U>
U hashUniformBits(U linear, U seed, U stream) {
  U h = linear * U(0x9E3779B1u) + seed * U(0x85EBCA77u) + stream * U(0xC2B2AE3Du);
  h = h ^ (h >> 16);
  h = h * U(0x7FEB352Du);
  h = h ^ (h >> 15);
  h = h * U(0x846CA68Bu);
  h = h ^ (h >> 16);
  return h;
}

} // namespace nn::compute

#endif // NN_IR_COMPUTE_H
