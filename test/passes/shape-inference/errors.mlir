// RUN: nn-opt %s --nn-shape-inference --split-input-file --verify-diagnostics
// Tests that nn-shape-inference fails with the op's diagnostic when refined operand
// types turn out to be incompatible (the input verified only because of unranked types).

func.func @broadcast_after_refinement(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<*xf32> {
  %0 = nn.exp %x : (tensor<4xf32>) -> tensor<*xf32>
  // expected-error @+1 {{operands of 'nn.add' have incompatible shapes f32[4] and f32[3]}}
  %1 = nn.add %0, %y : (tensor<*xf32>, tensor<3xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

func.func @matmul_after_refinement(%x: tensor<2x3xf32>, %w: tensor<4x5xf32>) -> tensor<*xf32> {
  %0 = nn.relu %x : (tensor<2x3xf32>) -> tensor<*xf32>
  // expected-error @+1 {{'nn.matmul' contraction dims differ: f32[2, 3] @ f32[4, 5] (3 vs 4)}}
  %1 = nn.matmul %0, %w : (tensor<*xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

func.func @reduce_axis_after_refinement(%x: tensor<4xf32>) -> tensor<*xf32> {
  %0 = nn.tanh %x : (tensor<4xf32>) -> tensor<*xf32>
  // expected-error @+1 {{'nn.reduce_sum' axis 1 is out of range for a tensor of rank 1}}
  %1 = nn.reduce_sum %0 {axes = array<i64: 1>} : tensor<*xf32> -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

func.func @reshape_after_refinement(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %0 = nn.neg %x : (tensor<2x3xf32>) -> tensor<*xf32>
  // expected-error @+1 {{'nn.reshape' cannot reshape 6 elements into [4, -1]}}
  %1 = nn.reshape %0 {shape = array<i64: 4, -1>} : tensor<*xf32> -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
