// RUN: nn-opt %s --nn-autodiff --canonicalize --cse | FileCheck %s
// Tests the structure of backpropagation through time: the gradient of an nn.scan is
// the forward loop once (extended to stack the state each step starts from) and one
// reverse loop that recomputes a step from its saved state and accumulates the weight
// gradient as carried state; nothing is unrolled, and canonicalization drops what the
// loss does not need (the gradients of the inputs and of the initial state).

// CHECK-LABEL: func.func @loss_grad(
// The forward loop, stacking the outputs and the states the steps start from.
// CHECK: %[[F:.*]], %[[S:.*]]:2 = nn.scan carried(%arg1 : tensor<2x3xf32>) sequences(%arg0 : tensor<5x2x3xf32>) invariants(%arg2 : tensor<3x3xf32>) -> finals(tensor<2x3xf32>) stacked(tensor<5x2x3xf32>, tensor<5x2x3xf32>) {
// CHECK: ^bb0(%[[H:.*]]: tensor<2x3xf32>, %{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x3xf32>):
// CHECK: nn.yield %[[HN:.*]], %[[HN]], %[[H]] :
// CHECK-NOT: nn.scan carried
// The reverse loop: carried (dh, dW), per step (x, saved h, dy), invariant W.
// CHECK: %[[R:.*]]:2 = nn.scan reverse carried(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x3xf32>) sequences(%arg0, %[[S]]#1, %{{.*}} : tensor<5x2x3xf32>, tensor<5x2x3xf32>, tensor<5x2x3xf32>) invariants(%arg2 : tensor<3x3xf32>) -> finals(tensor<2x3xf32>, tensor<3x3xf32>) {
// CHECK: nn.tanh
// CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_rhs = true}
// CHECK: %[[DW:.*]] = nn.matmul %{{.*}}, %{{.*}} {transpose_lhs = true}
// CHECK: %[[ACC:.*]] = nn.add %{{.*}}, %[[DW]]
// CHECK: nn.yield %{{.*}}, %[[ACC]] :
// CHECK: return %{{.*}}, %[[R]]#1 : tensor<f32>, tensor<3x3xf32>
module {
  nn.variable @w {init = "zeros"} : tensor<3x3xf32>
  func.func @loss(%xs: tensor<5x2x3xf32> {nn.input = @xs}, %h0: tensor<2x3xf32> {nn.input = @h0}, %w: tensor<3x3xf32> {nn.param = @w}) -> tensor<f32> attributes {nn.differentiate} {
    %h, %hs = nn.scan carried(%h0 : tensor<2x3xf32>) sequences(%xs : tensor<5x2x3xf32>)
                      invariants(%w : tensor<3x3xf32>) -> finals(tensor<2x3xf32>) stacked(tensor<5x2x3xf32>) {
    ^bb0(%hp: tensor<2x3xf32>, %x: tensor<2x3xf32>, %wh: tensor<3x3xf32>):
      %r = nn.matmul %hp, %wh : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
      %s = nn.add %x, %r : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
      %hn = nn.tanh %s : (tensor<2x3xf32>) -> tensor<2x3xf32>
      nn.yield %hn, %hn : tensor<2x3xf32>, tensor<2x3xf32>
    }
    %l = nn.reduce_sum %hs {axes = array<i64>} : tensor<5x2x3xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}
