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
  nn.variable @w {init = "zeros"} : tensor<4x2xf32>
  func.func @tlhs(%w: tensor<4x2xf32> {nn.param = @w}) -> tensor<f32> attributes {nn.differentiate} {
    // expected-error @+1 {{gradient with transpose_lhs is not supported}}
    %y = nn.matmul %w, %w {transpose_lhs = true} : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
    %s = nn.reduce_sum %y {axes = array<i64>} : tensor<2x2xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}
