//===- GradBuilder.h - arithmetic on IR values for gradient rules -*- C++ -*-===//
//
// Gradient rules build nn ops. `GValue` wraps an SSA value with its builder so that a
// rule reads like its formula: the sigmoid's is `g * (y * (1.0 - y))`. Each operator
// builds the op through its shape rule (nn::buildInferred); after a shape error the
// result is null, and nulls propagate.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_GRADBUILDER_H
#define NN_IR_GRADBUILDER_H

#include "mlir/IR/Builders.h"
#include <utility>

namespace nn::grad {

class GValue {
public:
  GValue() = default;
  GValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v)
      : b(&b), location(loc), v(v) {}

  mlir::Value value() const { return v; }
  operator mlir::Value() const { return v; }
  explicit operator bool() const { return bool(v); }
  mlir::OpBuilder &builder() const { return *b; }
  mlir::Location loc() const { return mlir::Location(location); }
  /// A value built by the same builder at the same location.
  GValue with(mlir::Value w) const { return GValue(*b, loc(), w); }
  /// A rank-0 f32 constant.
  GValue constant(double c) const;

private:
  mlir::OpBuilder *b = nullptr;
  mlir::LocationAttr location;
  mlir::Value v;
};

GValue operator+(GValue a, GValue b);
GValue operator-(GValue a, GValue b);
GValue operator*(GValue a, GValue b);
GValue operator/(GValue a, GValue b);
GValue operator+(GValue a, double b);
GValue operator-(GValue a, double b);
GValue operator*(GValue a, double b);
GValue operator/(GValue a, double b);
GValue operator+(double a, GValue b);
GValue operator-(double a, GValue b);
GValue operator*(double a, GValue b);
GValue operator/(double a, GValue b);
GValue operator-(GValue a);
GValue exp(GValue x);
GValue log(GValue x);
GValue sqrt(GValue x);
GValue tanh(GValue x);
GValue erf(GValue x);
GValue abs(GValue x);
/// 1 where x > 0, else 0 (nn.step).
GValue step(GValue x);
/// 1 where a > b, else 0 (nn.greater).
GValue greater(GValue a, GValue b);
GValue pow(GValue a, GValue b);

/// A gradient with respect to the two operands of a binary op, before broadcasting is
/// summed back.
using GPair = std::pair<GValue, GValue>;

/// Reshapes `x` to the shape of `like` (its dynamic dims taken from `like` when there
/// are several, else inferred from the element count).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value like);

/// Sums `grad` over the dims along which the operand `like` was broadcast, then
/// reshapes it to like's shape.
mlir::Value unbroadcast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value grad,
                        mlir::Value like);

/// Broadcasts the gradient of a reduction of `x` over `axes` back to x's shape.
mlir::Value unreduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value grad,
                     mlir::Value x, llvm::ArrayRef<int64_t> axes, bool keepdims);

/// Appends `grads` to `out`; fails when one of them is null (a shape error was
/// reported), so `return done(out, {...})` ends a rule.
llvm::LogicalResult done(llvm::SmallVectorImpl<mlir::Value> &out,
                         std::initializer_list<mlir::Value> grads);

/// The rule of an elementwise unary op: dx = rule(g, x, y).
llvm::LogicalResult unaryGradient(mlir::Operation *op, mlir::OpBuilder &b,
                                  mlir::ValueRange grads,
                                  llvm::SmallVectorImpl<mlir::Value> &out,
                                  GValue (*rule)(GValue g, GValue x, GValue y));

/// The rule of an elementwise binary op: (da, db) = rule(g, a, b, y), each summed back
/// over the dims its operand was broadcast along.
llvm::LogicalResult binaryGradient(mlir::Operation *op, mlir::OpBuilder &b,
                                   mlir::ValueRange grads,
                                   llvm::SmallVectorImpl<mlir::Value> &out,
                                   GPair (*rule)(GValue g, GValue a, GValue b, GValue y));

} // namespace nn::grad

#endif // NN_IR_GRADBUILDER_H
