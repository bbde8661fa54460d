//===- Pool.td - 2-D pooling ------------------------------------*- tablegen -*-===//
//
// NHWC; `size` is the window (1 value for both axes, or 2), `stride` defaults to the
// window, `padding` is "valid" or "same" (Keras' rule, ops/Window.h). Spatial dims
// must be static. Shape rules, computations and gradients in ops/Pool.cpp.
//
//===----------------------------------------------------------------------------===//

class NN_PoolOp<string mnemonic, list<Trait> traits = []> : NN_ComputeOp<mnemonic, traits> {
  let results = (outs NN_AnyTensor:$result);
}

def NN_MaxPool2DOp : NN_PoolOp<"max_pool2d", [NN_Differentiable, NN_Reduction]> {
  let summary = "2-D max pooling, NHWC";
  let description = [{
    `[N, H, W, C]` gives `[N, OH, OW, C]`, the maximum of each window (padding is
    -infinity). The gradient goes to the first maximum of each window in row-major
    order, as PyTorch's does.
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$size,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
}

def NN_MaxPool2DArgmaxOp : NN_PoolOp<"max_pool2d_argmax",
                                     [NN_ZeroGradient, NN_Reduction]> {
  let summary = "where max_pool2d takes each maximum";
  let description = [{
    `[N, H, W, C]` gives i32 `[N, OH, OW, C]`: the position `kh * KW + kw` in its window
    of the first maximum in row-major order (-1 for a window of padding only).
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$size,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
}

def NN_MaxPool2DBackwardOp : NN_PoolOp<"max_pool2d_backward"> {
  let summary = "the input gradient of max_pool2d";
  let description = [{
    `dy: [N, OH, OW, C]` (the pooled result's gradient), `argmax` (from
    `nn.max_pool2d_argmax`) and `like: [N, H, W, C]` (the pooled input, for its shape)
    give `[N, H, W, C]`: each window's gradient added at its maximum.
  }];
  let arguments = (ins NN_FloatTensor:$dy, NN_IntTensor:$argmax, NN_FloatTensor:$like,
                       DenseI64ArrayAttr:$size,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
}

def NN_AvgPool2DOp : NN_PoolOp<"avg_pool2d", [NN_Differentiable, NN_Reduction]> {
  let summary = "2-D average pooling, NHWC";
  let description = [{
    `[N, H, W, C]` gives `[N, OH, OW, C]`, the mean of each window over its elements
    inside the input (padding is not counted, as in Keras and TensorFlow).
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$size,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
}

def NN_AvgPool2DBackwardOp : NN_PoolOp<"avg_pool2d_backward"> {
  let summary = "the input gradient of avg_pool2d";
  let description = [{
    `dy: [N, OH, OW, C]` (the pooled result's gradient) and `like: [N, H, W, C]` (the
    pooled input, for its shape) give `[N, H, W, C]`: each window's gradient divided
    by its element count, added to every element of the window.
  }];
  let arguments = (ins NN_FloatTensor:$dy, NN_FloatTensor:$like, DenseI64ArrayAttr:$size,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
}
