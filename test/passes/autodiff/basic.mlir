// RUN: nn-opt %s --nn-autodiff --split-input-file | FileCheck %s
// Tests that nn-autodiff adds `<name>_grad` returning the loss and one gradient per
// trainable parameter argument, built from each op's own gradient rule.

module {
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  // CHECK-LABEL: func.func @loss_grad(
  // CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<3xf32> {nn.grad = @w})
  // The gradient of sum(exp(w)) is exp(w) (broadcast of the seed 1.0).
  // CHECK: %[[E:.*]] = nn.exp %arg0
  // CHECK: %[[S:.*]] = nn.reduce_sum %[[E]]
  // CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
  // CHECK: %[[R:.*]] = nn.reshape %[[ONE]] {shape = array<i64: 1>}
  // CHECK: %[[B:.*]] = nn.broadcast_to %[[R]], %[[E]]
  // CHECK: %[[G:.*]] = nn.mul %[[B]], %[[E]]
  // CHECK: return %[[S]], %[[G]]
  func.func @loss(%w: tensor<3xf32> {nn.param = @w}) -> tensor<f32> attributes {nn.differentiate} {
    %e = nn.exp %w : (tensor<3xf32>) -> tensor<3xf32>
    %s = nn.reduce_sum %e {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.variable @w {init = "zeros"} : tensor<2xf32>
  // Fan-out: w is used twice, its gradient is the sum of both contributions.
  // CHECK-LABEL: func.func @fanout_grad(
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // CHECK: return
  func.func @fanout(%w: tensor<2xf32> {nn.param = @w}) -> tensor<f32> attributes {nn.differentiate} {
    %m = nn.mul %w, %w : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %s = nn.reduce_sum %m {axes = array<i64>} : tensor<2xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.input @x {dims = ["B", ""]} : tensor<?x3xf32>
  nn.variable @b {init = "zeros"} : tensor<3xf32>
  // Broadcasting: b [3] is added to x [B, 3]; its gradient is summed over the batch
  // (reduce_sum over dim 0 with keepdims, then reshaped back to [3]).
  // CHECK-LABEL: func.func @bias_grad(
  // CHECK-SAME: tensor<3xf32> {nn.grad = @b}
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 0>, keepdims = true} : tensor<?x3xf32> -> tensor<1x3xf32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: 3>} : tensor<1x3xf32> -> tensor<3xf32>
  func.func @bias(%x: tensor<?x3xf32> {nn.input = @x}, %b: tensor<3xf32> {nn.param = @b}) -> tensor<f32> attributes {nn.differentiate} {
    %y = nn.add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %s = nn.reduce_mean %y {axes = array<i64>} : tensor<?x3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.input @labels {dims = ["B"]} : tensor<?xi32>
  nn.variable @w {init = "zeros"} : tensor<4xf32>
  nn.variable @frozen {init = "zeros", trainable = false} : tensor<4xf32>
  // Integer labels, a non-trainable variable and stop_gradient get no gradient: the
  // only gradient result is for @w, and nothing is computed for the stopped branch.
  // CHECK-LABEL: func.func @cut_grad(
  // CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<4xf32> {nn.grad = @w})
  // CHECK-NOT: nn.grad = @frozen
  func.func @cut(%l: tensor<?xi32> {nn.input = @labels}, %w: tensor<4xf32> {nn.param = @w},
                 %f: tensor<4xf32> {nn.param = @frozen}) -> tensor<f32> attributes {nn.differentiate} {
    %oh = nn.one_hot %l {depth = 4 : i64} : tensor<?xi32> -> tensor<?x4xf32>
    %sw = nn.stop_gradient %w : (tensor<4xf32>) -> tensor<4xf32>
    %a = nn.mul %oh, %w : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %b = nn.mul %a, %sw : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %c = nn.mul %b, %f : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %s = nn.reduce_mean %c {axes = array<i64>} : tensor<?x4xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.variable @w {init = "zeros"} : tensor<4x2xf32>
  nn.input @x {dims = ["B", ""]} : tensor<?x4xf32>
  // matmul: dW = x^T @ g (transpose_lhs); the mean over a dynamic batch divides by
  // nn.count, the run-time number of elements, not a compile-time guess.
  // CHECK-LABEL: func.func @dense_grad(
  // CHECK: nn.count %{{.*}} {axes = array<i64>} : tensor<?x2xf32> -> tensor<f32>
  // CHECK: nn.matmul %arg0, %{{.*}} {transpose_lhs = true} : (tensor<?x4xf32>, tensor<?x2xf32>) -> tensor<4x2xf32>
  func.func @dense(%x: tensor<?x4xf32> {nn.input = @x}, %w: tensor<4x2xf32> {nn.param = @w}) -> tensor<f32> attributes {nn.differentiate} {
    %y = nn.matmul %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
    %s = nn.reduce_mean %y {axes = array<i64>} : tensor<?x2xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}
