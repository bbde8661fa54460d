// RUN: nn-opt %s --nn-autodiff --split-input-file --verify-diagnostics
// Tests nn-autodiff's errors: a loss that is not a rank-0 f32, and an op on the active
// path with no gradient rule.

module {
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  // expected-error @+1 {{can only differentiate a function returning tensor<f32>}}
  func.func @vector(%w: tensor<3xf32> {nn.param = @w}) -> tensor<3xf32> attributes {nn.differentiate} {
    return %w : tensor<3xf32>
  }
}

// -----

module {
  nn.variable @w {init = "zeros"} : tensor<1x4x4x1xf32>
  func.func @no_rule(%w: tensor<1x4x4x1xf32> {nn.param = @w}, %g: tensor<1x2x2x1xf32>) -> tensor<f32> attributes {nn.differentiate} {
    // expected-error @+1 {{no gradient rule for 'nn.conv2d_filter_grad' on the path from the parameters to the loss}}
    %y = nn.conv2d_filter_grad %w, %g {kernel = array<i64: 3, 3>} : (tensor<1x4x4x1xf32>, tensor<1x2x2x1xf32>) -> tensor<3x3x1x1xf32>
    %s = nn.reduce_sum %y {axes = array<i64>} : tensor<3x3x1x1xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}
