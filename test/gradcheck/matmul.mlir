// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the matmul gradient matches float64 central differences: 2-D, with batch
// dims on lhs (the rhs gradient sums over the batch), and with transpose_rhs. (The
// gradient builds transpose_lhs matmuls, so the evaluator's transpose_lhs is
// exercised by every case; batched rhs and transpose_lhs cases are in attention.mlir.)

// CHECK: PASS mm_2d:
func.func @mm_2d(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK: PASS mm_batched:
func.func @mm_batched(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK: PASS mm_batched_rank4:
func.func @mm_batched_rank4(%a: tensor<2x2x3x4xf32>, %b: tensor<4x2xf32>) -> tensor<2x2x3x2xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x2x3x4xf32>, tensor<4x2xf32>) -> tensor<2x2x3x2xf32>
  return %0 : tensor<2x2x3x2xf32>
}

// CHECK: PASS mm_transpose_rhs:
func.func @mm_transpose_rhs(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) -> tensor<3x5xf32> {
  %0 = nn.matmul %a, %b {transpose_rhs = true} : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK: PASS mm_batched_transpose_rhs:
func.func @mm_batched_transpose_rhs(%a: tensor<2x3x4xf32>, %b: tensor<5x4xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.matmul %a, %b {transpose_rhs = true} : (tensor<2x3x4xf32>, tensor<5x4xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// A vector-like product and the same operand on both sides.
// CHECK: PASS mm_outer:
func.func @mm_outer(%a: tensor<3x1xf32>, %b: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.matmul %a, %b : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS mm_gram:
func.func @mm_gram(%a: tensor<3x4xf32>) -> tensor<3x3xf32> {
  %0 = nn.matmul %a, %a {transpose_rhs = true} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// CHECK: {{^}}7 passed, 0 failed
