// RUN: nn-opt %s --nn-autodiff | FileCheck %s --check-prefix=DIFF
// RUN: nn-opt %s --nn-autodiff --nn-expand | FileCheck %s
// RUN: nn-opt %s --nn-expand | nn-gradcheck --evaluate - | FileCheck %s --check-prefix=EVAL
// Tests that nn.softmax is differentiated by its own rule, y (g - sum(g y)) along its
// axis, which reads the probabilities y and not the exponentials or their sum, and that
// nn-expand then writes it out as reduce_max, stop_gradient, sub, exp, reduce_sum, the
// sum's reciprocal (one div per row) and a mul, which the evaluator computes (softmax of
// [0, ln 2, ln 5] is [1/8, 2/8, 5/8]).

module {
  nn.variable @w {init = "zeros"} : tensor<2x3xf32>
  // DIFF-LABEL: func.func @loss_grad(
  // DIFF: %[[Y:.*]] = nn.softmax %arg0 {axis = 1 : i64}
  // DIFF: %[[G:.*]] = nn.div %{{.*}}, %[[Y]]
  // DIFF: %[[GY:.*]] = nn.mul %[[G]], %[[Y]]
  // DIFF: %[[DOT:.*]] = nn.reduce_sum %[[GY]] {axes = array<i64: 1>, keepdims = true}
  // DIFF: %[[D:.*]] = nn.sub %[[G]], %[[DOT]]
  // DIFF: %[[DX:.*]] = nn.mul %[[Y]], %[[D]]
  // DIFF: return %{{.*}}, %[[DX]]

  // CHECK-LABEL: func.func @loss_grad(
  // CHECK-NOT: nn.softmax
  // CHECK: %[[M:.*]] = nn.reduce_max %arg0 {axes = array<i64: 1>, keepdims = true}
  // CHECK: %[[C:.*]] = nn.stop_gradient %[[M]]
  // CHECK: %[[S:.*]] = nn.sub %arg0, %[[C]]
  // CHECK: %[[E:.*]] = nn.exp %[[S]]
  // CHECK: %[[SUM:.*]] = nn.reduce_sum %[[E]] {axes = array<i64: 1>, keepdims = true}
  // CHECK: %[[R:.*]] = nn.div %{{.*}}, %[[SUM]] : (tensor<f32>, tensor<2x1xf32>)
  // CHECK: %[[Y:.*]] = nn.mul %[[E]], %[[R]]
  // CHECK: nn.mul %{{.*}}, %[[Y]]
  // CHECK-NOT: nn.softmax
  func.func @loss(%w: tensor<2x3xf32> {nn.param = @w}) -> tensor<f32> attributes {nn.differentiate} {
    %p = nn.softmax %w {axis = 1} : tensor<2x3xf32> -> tensor<2x3xf32>
    %l = nn.log %p : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %s = nn.reduce_sum %l {axes = array<i64>} : tensor<2x3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }

  // EVAL: probs #0 [3]: 0.125 0.25 0.625
  func.func @probs() -> tensor<3xf32> {
    %x = nn.constant dense<[0.0, 0.693147180559945, 1.6094379124341003]> : tensor<3xf32>
    %p = nn.softmax %x {axis = -1} : tensor<3xf32> -> tensor<3xf32>
    return %p : tensor<3xf32>
  }
}
