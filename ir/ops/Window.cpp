//===- Window.cpp - geometry of 2-D sliding windows -----------------------===//
#include "ir/ops/Window.h"
#include "ir/Limits.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace nn;
using compute::Expr;

std::optional<std::array<int64_t, 2>> nn::pairAttr(std::optional<Location> loc,
                                                   StringRef op, StringRef name,
                                                   DenseI64ArrayAttr attr,
                                                   std::array<int64_t, 2> fallback,
                                                   int64_t min) {
  if (!attr)
    return fallback;
  ArrayRef<int64_t> v = attr.asArrayRef();
  if (v.size() != 1 && v.size() != 2) {
    (void)emitOptionalError(loc, "'", op, "' ", name, " needs 1 or 2 values, got ",
                            v.size());
    return std::nullopt;
  }
  std::array<int64_t, 2> r{v.front(), v.back()};
  for (int64_t x : r)
    if (x < min) {
      (void)emitOptionalError(loc, "'", op, "' ", name, " must be at least ", min,
                              ", got ", x);
      return std::nullopt;
    }
  return r;
}

FailureOr<WindowAxis> nn::windowAxis(std::optional<Location> loc, StringRef op, int64_t in,
                                     int64_t size, int64_t stride, int64_t dilation,
                                     StringRef padding) {
  if (ShapedType::isDynamic(in))
    return emitOptionalError(loc, "'", op, "' needs static spatial dims");
  // Sizes at most kMaxElements keep the arithmetic below (products of two) in int64.
  for (auto [what, v] : {std::pair<StringRef, int64_t>{"size", size},
                         {"stride", stride},
                         {"dilation", dilation}})
    if (v < 1 || v > kMaxElements)
      return emitOptionalError(loc, "'", op, "' window ", what, " must be in [1, ",
                               kMaxElements, "], got ", v);
  if ((size - 1) * dilation + 1 > kMaxElements)
    return emitOptionalError(loc, "'", op, "' window of ", size, " with dilation ",
                             dilation, " spans more than ", kMaxElements, " elements");
  WindowAxis a;
  a.in = in;
  a.size = size;
  a.stride = stride;
  a.dilation = dilation;
  int64_t span = (size - 1) * dilation + 1;
  if (padding == "valid") {
    if (span > in)
      return emitOptionalError(loc, "'", op, "' window of ", span,
                               " does not fit in a dim of ", in, " with padding \"valid\"");
    a.out = (in - span) / stride + 1;
  } else if (padding == "same") {
    a.out = (in + stride - 1) / stride;
    int64_t total = std::max<int64_t>((a.out - 1) * stride + span - in, 0);
    a.padBefore = total / 2;
    a.padAfter = total - a.padBefore;
  } else {
    return emitOptionalError(loc, "'", op, "' padding must be \"same\" or \"valid\", got \"",
                             padding, "\"");
  }
  return a;
}

std::pair<Expr, Expr> nn::phaseTap(const WindowAxis &a, Expr i, Expr m) {
  Expr t = i + Expr::index(a.padBefore), s = Expr::index(a.stride);
  return {t / s - m, t % s + m * s};
}

std::pair<Expr, Expr> nn::outputPosition(const WindowAxis &a, Expr i, Expr k) {
  Expr t = i + Expr::index(a.padBefore) - k * Expr::index(a.dilation);
  if (a.stride == 1)
    return {t, Expr()};
  Expr s = Expr::index(a.stride);
  return {t / s, t % s == Expr::index(0)};
}
