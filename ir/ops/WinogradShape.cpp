//===- WinogradShape.cpp - which convolutions Winograd's algorithm computes -===//
//
// See WinogradShape.h.
//
//===----------------------------------------------------------------------------===//
#include "ir/ops/WinogradShape.h"
#include "ir/NNOps.h"
#include "ir/ops/Window.h"
#include <cmath>

using namespace nn;

std::optional<WinogradShape> nn::winogradShape(mlir::Operation *op) {
  mlir::Value x, filter, result;
  mlir::DenseI64ArrayAttr strideAttr, dilationAttr;
  llvm::StringRef padding;
  bool transposed = false, filterGrad = false;
  if (auto grad = mlir::dyn_cast<Conv2DFilterGradOp>(op)) {
    x = grad.getX(), filter = grad.getDy(), result = grad.getResult();
    strideAttr = grad.getStrideAttr(), dilationAttr = grad.getDilationAttr();
    padding = grad.getPadding();
    filterGrad = true;
  } else if (auto conv = mlir::dyn_cast<Conv2DOp>(op)) {
    x = conv.getX(), filter = conv.getFilter(), result = conv.getResult();
    strideAttr = conv.getStrideAttr(), dilationAttr = conv.getDilationAttr();
    padding = conv.getPadding();
  } else if (auto convT = mlir::dyn_cast<Conv2DTransposeOp>(op)) {
    x = convT.getX(), filter = convT.getFilter(), result = convT.getResult();
    strideAttr = convT.getStrideAttr(), dilationAttr = convT.getDilationAttr();
    padding = convT.getPadding();
    transposed = true;
  } else {
    return std::nullopt;
  }
  auto xt = mlir::cast<mlir::RankedTensorType>(x.getType());
  auto ft = mlir::cast<mlir::RankedTensorType>(filter.getType());
  auto yt = mlir::cast<mlir::RankedTensorType>(result.getType());
  WinogradShape s;
  s.h = xt.getDimSize(1), s.w = xt.getDimSize(2), s.c = xt.getDimSize(3);
  s.flipped = transposed, s.filterGrad = filterGrad;
  if (filterGrad) { // `filter` is dy [N, OH, OW, F]; the result [r, r, C, F]
    s.r = (int)yt.getDimSize(0);
    s.f = ft.getDimSize(3), s.outH = ft.getDimSize(1), s.outW = ft.getDimSize(2);
    if (yt.getDimSize(1) != s.r)
      return std::nullopt;
  } else {
    s.r = (int)ft.getDimSize(0);
    s.f = yt.getDimSize(3), s.outH = yt.getDimSize(1), s.outW = yt.getDimSize(2);
    if (ft.getDimSize(1) != s.r)
      return std::nullopt;
  }
  // 3x3: F(4x4, 3x3), 36 products per 16 outputs (cnn32's 13x13 conv2: 576 per image
  // and channel pair against 784 with 2x2 tiles, its 15x15 input gradient 576 against
  // 1024); 5x5: F(2x2, 5x5) (4x4 tiles would need 8x8 transforms of larger points).
  s.m = s.r == 3 ? 4 : 2;
  // Enough channels for the GEMMs of the points, and enough tiles per image to pay for
  // the transforms: 64 output positions, or whole tiles over 64 positions of which at
  // least half are outputs (the rest computes padding). At 64 images, 6x6 and 7x7
  // outputs of a 3x3 filter over 64 channels took 0.72 -> 0.54 and 0.95 -> 0.52 ms,
  // 7x7 of a 5x5 over 128 (W3's first generator layer) 10.1 -> 6.8; 5x5 of a 3x3 (its
  // one 8x8 tile 39% outputs) 0.47 -> 0.49, so it stays direct; at one image, cnn32's
  // 4x4-output conv3 took 0.054 against 0.009 ms direct.
  int64_t coveredH = (s.outH + s.m - 1) / s.m * s.m, coveredW = (s.outW + s.m - 1) / s.m * s.m;
  if ((s.r != 3 && s.r != 5) || s.c < 16 || s.f < 16 ||
      s.f % 8 || mlir::ShapedType::isDynamic(s.h) || mlir::ShapedType::isDynamic(s.w) ||
      (s.outH * s.outW < 64 &&
       (coveredH * coveredW < 64 || 2 * s.outH * s.outW < coveredH * coveredW)))
    return std::nullopt;
  auto stride = pairAttr(std::nullopt, "", "", strideAttr, {1, 1});
  auto dilation = pairAttr(std::nullopt, "", "", dilationAttr, {1, 1});
  if (!stride || !dilation || (*stride)[0] != 1 || (*stride)[1] != 1 || (*dilation)[0] != 1 ||
      (*dilation)[1] != 1)
    return std::nullopt;
  // The window of the forward conv2d (for a transposed one: of the conv2d whose input
  // gradient it is, from its output_shape to x's spatial size).
  int64_t inH = transposed ? s.outH : s.h, inW = transposed ? s.outW : s.w;
  mlir::FailureOr<WindowAxis> h = windowAxis(std::nullopt, "", inH, s.r, 1, 1, padding);
  mlir::FailureOr<WindowAxis> w = windowAxis(std::nullopt, "", inW, s.r, 1, 1, padding);
  if (mlir::failed(h) || mlir::failed(w))
    return std::nullopt;
  // A transposed convolution at stride 1 is a correlation with the filter flipped,
  // its input padded by r - 1 - padBefore.
  s.padTop = transposed ? s.r - 1 - h->padBefore : h->padBefore;
  s.padLeft = transposed ? s.r - 1 - w->padBefore : w->padBefore;
  // Direct below a batch where the filter's transform (per channel pair, G g Gt: about
  // a^2 (r + a) operations for a = m + r - 1 points) outweighs the multiply-adds that
  // Winograd saves per image; the factor is fitted to the crossovers measured on the
  // Xeon (`./cnn32 bench` and `./cnn bench --entry infer` at batches 1-32, auto against
  // --conv=direct): 5.4 images for cnn32's conv2 (ratio 0.34), 1.4 for cnn's (0.13).
  if (!filterGrad) {
    int64_t a = s.m + s.r - 1, tiles = (coveredH / s.m) * (coveredW / s.m);
    double transform = double(a * a * (s.r + a));
    double saved = double(s.outH * s.outW * s.r * s.r - tiles * a * a);
    s.directBelow = saved > 0 ? int64_t(std::ceil(12 * transform / saved)) : 0;
  }
  return s;
}

std::optional<unsigned> nn::winogradFilterArgument(mlir::Operation *op) {
  std::optional<WinogradShape> ws = winogradShape(op);
  auto arg = ws && !ws->filterGrad ? mlir::dyn_cast<mlir::BlockArgument>(op->getOperand(1))
                                   : mlir::BlockArgument();
  if (!arg || arg.getOwner() != op->getBlock())
    return std::nullopt;
  return arg.getArgNumber();
}
