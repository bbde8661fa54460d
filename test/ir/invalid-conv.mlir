// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that the convolution, pooling, pad and tile ops reject operands and attributes
// their shape rules cannot accept.

// Tests that conv2d needs rank-4 operands.
func.func @conv_rank(%x: tensor<7x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'nn.conv2d' needs a rank-4 input [N, H, W, C], got [7, 6, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that the input's channels must be the filter's input channels.
func.func @conv_channels(%x: tensor<1x7x6x2xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'nn.conv2d' input channels and filter input channels differ: 2 and 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<1x7x6x2xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that a window larger than the input is rejected with "valid" padding.
func.func @conv_too_small(%x: tensor<1x2x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'nn.conv2d' window of 3 does not fit in a dim of 2 with padding "valid"}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<1x2x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that padding is "same" or "valid".
func.func @conv_padding(%x: tensor<1x7x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'nn.conv2d' padding must be "same" or "valid", got "full"}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {padding = "full"} : (tensor<1x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that strides are positive and have 1 or 2 values.
func.func @conv_stride(%x: tensor<1x7x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'nn.conv2d' stride must be at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {stride = array<i64: 0>} : (tensor<1x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_stride_count(%x: tensor<1x7x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'nn.conv2d' dilation needs 1 or 2 values, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w {dilation = array<i64: 1, 1, 1>} : (tensor<1x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that spatial dims must be static.
func.func @conv_dynamic_spatial(%x: tensor<1x?x6x3xf32>, %w: tensor<3x3x3x4xf32>) {
  // expected-error @+2 {{'nn.conv2d' needs static spatial dims}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w : (tensor<1x?x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that conv2d_transpose's output_shape must map back to its input's spatial size.
func.func @transpose_shape(%g: tensor<1x4x3x4xf32>, %w: tensor<3x3x4x3xf32>) {
  // expected-error @+2 {{'nn.conv2d_transpose' output_shape [9, 6] maps to 5x3, not to the input's 4x3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d_transpose %g, %w {output_shape = array<i64: 9, 6>, stride = array<i64: 2>, padding = "same"} : (tensor<1x4x3x4xf32>, tensor<3x3x4x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that conv2d_filter_grad's gradient must have conv2d's result size.
func.func @filter_grad_shape(%x: tensor<1x7x6x3xf32>, %g: tensor<1x5x5x4xf32>) {
  // expected-error @+2 {{'nn.conv2d_filter_grad' input [1, 7, 6, 3] gives a 5x4 result, not the gradient's 5x5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv2d_filter_grad %x, %g {kernel = array<i64: 3>} : (tensor<1x7x6x3xf32>, tensor<1x5x5x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that max_pool2d's window must fit.
func.func @pool_window(%x: tensor<1x2x2x3xf32>) {
  // expected-error @+2 {{'nn.max_pool2d' window of 3 does not fit in a dim of 2 with padding "valid"}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool2d %x {size = array<i64: 3>} : (tensor<1x2x2x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// Tests that max_pool2d_backward's gradient must have the pooled shape.
func.func @pool_backward_shape(%g: tensor<1x2x2x3xf32>, %am: tensor<1x3x3x3xi32>, %x: tensor<1x7x6x3xf32>) {
  // expected-error @+2 {{'nn.max_pool2d_backward' operand of shape [1, 2, 2, 3] is not the pooled shape [1, 3, 3, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool2d_backward %g, %am, %x {size = array<i64: 2>} : (tensor<1x2x2x3xf32>, tensor<1x3x3x3xi32>, tensor<1x7x6x3xf32>) -> tensor<1x7x6x3xf32>
  return
}

// -----

// Tests that avg_pool2d_backward's gradient must have the pooled shape.
func.func @avg_backward_shape(%g: tensor<1x2x2x3xf32>, %x: tensor<1x7x6x3xf32>) {
  // expected-error @+2 {{'nn.avg_pool2d_backward' gradient of shape [1, 2, 2, 3] is not the pooled shape [1, 3, 3, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.avg_pool2d_backward %g, %x {size = array<i64: 2>} : (tensor<1x2x2x3xf32>, tensor<1x7x6x3xf32>) -> tensor<1x7x6x3xf32>
  return
}

// -----

// Tests that pad takes two numbers per dim and cannot crop more than a dim holds.
func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.pad' needs 2 numbers per dim (4 for [2, 3]), got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %x {pads = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_crop(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.pad' crops more than dim 1 of [2, 3] holds}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad %x {pads = array<i64: 0, 0, -2, -2>} : tensor<2x3xf32> -> tensor<?x?xf32>
  return
}

// -----

// Tests that tile cannot repeat a dynamic dim.
func.func @tile_dynamic(%x: tensor<?x3xf32>) {
  // expected-error @+2 {{'nn.tile' cannot repeat a dynamic dim}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.tile %x {reps = array<i64: 2, 1>} : tensor<?x3xf32> -> tensor<?x3xf32>
  return
}
