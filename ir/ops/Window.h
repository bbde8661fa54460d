//===- Window.h - geometry of 2-D sliding windows (conv, pooling) -*- C++ -*-===//
//
// Shared by ops/Conv.cpp and ops/Pool.cpp. Layout: activations NHWC; filters
// [KH, KW, C_in, C_out] (HWIO, as Keras and TensorFlow store them).
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_OPS_WINDOW_H
#define NN_IR_OPS_WINDOW_H

#include "ir/Compute.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include <optional>

namespace nn {

/// One spatial axis of a window op: the input extent, the window (kernel) size,
/// stride, dilation, padding before/after and the output extent.
struct WindowAxis {
  int64_t in = 0, size = 1, stride = 1, dilation = 1, padBefore = 0, padAfter = 0,
          out = 0;
};

/// Two values from an optional array attribute of 1 (both axes) or 2 elements, else
/// `fallback`; std::nullopt (after an error at `loc`) for another length or a value
/// below `min`.
std::optional<std::array<int64_t, 2>> pairAttr(std::optional<mlir::Location> loc,
                                               llvm::StringRef op, llvm::StringRef name,
                                               mlir::DenseI64ArrayAttr attr,
                                               std::array<int64_t, 2> fallback,
                                               int64_t min = 1);

/// The output extent and padding of one axis, as Keras and TensorFlow define them:
/// "valid": no padding, out = floor((in - (size-1) dilation - 1) / stride) + 1;
/// "same": out = ceil(in / stride), padding total = max((out-1) stride + (size-1)
/// dilation + 1 - in, 0), the odd one at the end. Fails (after an error at `loc`) for
/// an unknown padding, a dynamic input or a window larger than the input.
mlir::FailureOr<WindowAxis> windowAxis(std::optional<mlir::Location> loc,
                                       llvm::StringRef op, int64_t in, int64_t size,
                                       int64_t stride, int64_t dilation,
                                       llvm::StringRef padding);

/// The position along an axis of the input read by output position `o` and window
/// position `k`: o * stride + k * dilation - padBefore.
inline compute::Expr inputPosition(const WindowAxis &a, compute::Expr o, compute::Expr k) {
  return o * compute::Expr::index(a.stride) + k * compute::Expr::index(a.dilation) -
         compute::Expr::index(a.padBefore);
}

/// For an input position `i` and window position `k`, the output position whose
/// window reads `i` at `k` ((i + padBefore - k dilation) / stride), and whether it
/// exists exactly (divisible by the stride; the range is checked by the load).
std::pair<compute::Expr, compute::Expr> outputPosition(const WindowAxis &a,
                                                       compute::Expr i, compute::Expr k);

/// The taps of a transposed window split by phase (dilation 1): of the window positions
/// k, only those with k = (i + padBefore) mod stride (the phase of input position `i`)
/// plus a multiple of the stride read an existing output position, so the m-th of them
/// is k = (i + padBefore) mod stride + m stride, reading output position
/// (i + padBefore) / stride - m. Returns {output position, k}. A reduction over
/// m < phaseTaps(a) visits every such k, and k >= size (a short phase) must read a
/// zero filter; against the whole window this does 1/stride of the work, with no
/// divisibility test.
std::pair<compute::Expr, compute::Expr> phaseTap(const WindowAxis &a, compute::Expr i,
                                                 compute::Expr m);
inline int64_t phaseTaps(const WindowAxis &a) { return (a.size + a.stride - 1) / a.stride; }

} // namespace nn

#endif // NN_IR_OPS_WINDOW_H
