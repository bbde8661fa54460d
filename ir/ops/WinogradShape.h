//===- WinogradShape.h - which convolutions Winograd's algorithm computes -*- C++ -*-===//
//
// The geometry of a convolution (conv2d, its input gradient conv2d_transpose, its
// filter gradient) that nnc's CPU templates compute by Winograd's minimal filtering
// (codegen/Winograd.cpp). A property of the op and its shapes, so that the fusion
// pass and the lowering agree on it: fusion keeps a max pool out of a Winograd
// convolution's kernel (passes/Fuse.cpp), whose schedule tiles the product's output.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_IR_OPS_WINOGRADSHAPE_H
#define NN_IR_OPS_WINOGRADSHAPE_H

#include "mlir/IR/Operation.h"
#include <cstdint>
#include <optional>

namespace nn {

/// A convolution that codegen/Winograd.cpp computes as F(m x m, r x r): conv2d,
/// (`flipped`) conv2d_transpose or (`filterGrad`) conv2d_filter_grad, stride 1,
/// dilation 1, an r x r filter (r = 3 or 5), static spatial dims. As a correlation: x
/// [.., h, w, c] padded by padTop/padLeft before, giving [.., outH, outW, f] (a filter
/// gradient: from x and dy [.., outH, outW, f]).
struct WinogradShape {
  int r = 3;
  int m = 2;               ///< output tiles of m x m: 2, or 4 for some 3x3 (F(4x4, 3x3))
  bool flipped = false;    ///< conv2d_transpose: the filter read flipped, [KH, KW, f, c]
  bool filterGrad = false; ///< conv2d_filter_grad: [r, r, c, f] from x and dy [.., outH, outW, f]
  int64_t h = 0, w = 0, c = 0, f = 0, outH = 0, outW = 0, padTop = 0, padLeft = 0;
  /// A forward (or transposed) convolution: batches of fewer images are computed
  /// directly (the filter's transform, once per call, costs more than Winograd saves
  /// on so few images); 0 for a filter gradient, whose batch is summed.
  int64_t directBelow = 0;
};

/// The shape of `op` when it is a convolution that Winograd's algorithm computes (see
/// WinogradShape; also 16 channels in and out at least, out a multiple of 8, and 64
/// output positions per image at least, or whole tiles over 64 positions of which at
/// least half are outputs); std::nullopt otherwise.
std::optional<WinogradShape> winogradShape(mlir::Operation *op);

/// When `op` is such a convolution (not a filter gradient) whose filter is an argument
/// of the block holding `op` (a kernel's operand): that argument's number.
std::optional<unsigned> winogradFilterArgument(mlir::Operation *op);

} // namespace nn

#endif // NN_IR_OPS_WINOGRADSHAPE_H
