//===- Conv.td - 2-D convolutions -------------------------------*- tablegen -*-===//
//
// Activations are NHWC; filters are [KH, KW, C_in, C_out] (HWIO) where C_in are the
// op's input channels and C_out its output channels, so the output channels are
// contiguous in both the filter and the result (schedules vectorize over them). Keras
// and TensorFlow store conv2d filters this way; Conv2DTranspose kernels, which they store
// as [KH, KW, C_out, C_in], are transposed in the graph. `stride` and `dilation` give 1 (both axes) or 2 values;
// `padding` is "valid" or "same" with Keras' rule (ops/Window.h). Spatial dims must
// be static; the batch may be dynamic. Shape rules, computations and gradients in
// ops/Conv.cpp.
//
//===----------------------------------------------------------------------------===//

class NN_ConvOp<string mnemonic, list<Trait> traits = []> :
    NN_ComputeOp<mnemonic, !listconcat(traits, [NN_Contraction])>;

def NN_Conv2DOp : NN_ConvOp<"conv2d", [NN_Differentiable]> {
  let summary = "2-D convolution (cross-correlation), NHWC";
  let description = [{
    `x: [N, H, W, C]` and `filter: [KH, KW, C, F]` give `[N, OH, OW, F]`:
    `y[n, i, j, f] = sum over kh, kw, c of x[n, i*sh + kh*dh - pt, j*sw + kw*dw - pl, c]
    * filter[kh, kw, c, f]`, with zeros outside x.
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$filter,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       OptionalAttr<DenseI64ArrayAttr>:$dilation,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
  let results = (outs NN_FloatTensor:$result);
}

def NN_Conv2DTransposeOp : NN_ConvOp<"conv2d_transpose", [NN_Differentiable]> {
  let summary = "transposed 2-D convolution (the input gradient of conv2d), NHWC";
  let description = [{
    `x: [N, OH, OW, F]` and `filter: [KH, KW, F, C]` give `[N, H, W, C]` with `[H, W]` =
    `output_shape`: the adjoint of `nn.conv2d` of an `[N, H, W, C]` input with the
    filter `transpose(filter)` of layout [KH, KW, C, F] and the same stride, dilation and
    padding, which must map `[H, W]` to `[OH, OW]`. Keras' Conv2DTranspose is this op
    with `[H, W] = [OH, OW] * stride` ("same") or `(OH - 1) * stride + (KH - 1) *
    dilation + 1` ("valid").
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$filter,
                       DenseI64ArrayAttr:$output_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       OptionalAttr<DenseI64ArrayAttr>:$dilation,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
  let results = (outs NN_FloatTensor:$result);
}

def NN_Conv2DFilterGradOp : NN_ConvOp<"conv2d_filter_grad"> {
  let summary = "the filter gradient of conv2d";
  let description = [{
    `x: [N, H, W, C]` (conv2d's input) and `dy: [N, OH, OW, F]` (its result's
    gradient) give `[KH, KW, C, F]` with `[KH, KW]` = `kernel`:
    `sum over n, i, j of x[n, i*sh + kh*dh - pt, j*sw + kw*dw - pl, c] * dy[n, i, j, f]`.
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_FloatTensor:$dy,
                       DenseI64ArrayAttr:$kernel,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       OptionalAttr<DenseI64ArrayAttr>:$dilation,
                       DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
  let results = (outs NN_FloatTensor:$result);
}
