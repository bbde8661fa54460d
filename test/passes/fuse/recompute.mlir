// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests that a pointwise op whose consumer kernel reads its operands anyway is computed
// there instead of being a second result of its producer's kernel, when its readers
// read each element once: a row sum does (softmax's gradient y (g - sum(g y)) after
// the product g = dO vᵀ), a matmul does not (it reads each element once per tile).

// CHECK-LABEL: func.func @softmax_grad(
// CHECK: %[[G:.*]] = nn.kernel "softmax_grad_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.yield %{{.*}} : tensor<2x4x4xf32>
// CHECK: nn.kernel "softmax_grad_k1"(%[[G]], %{{.*}})
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.mul
// CHECK-NEXT: nn.reduce_sum
// CHECK-NEXT: nn.sub
// CHECK-NEXT: nn.mul
// CHECK-NEXT: nn.yield
func.func @softmax_grad(%do: tensor<2x4x3xf32>, %v: tensor<2x4x3xf32>, %y: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %g = nn.matmul %do, %v {transpose_rhs = true} : (tensor<2x4x3xf32>, tensor<2x4x3xf32>) -> tensor<2x4x4xf32>
  %gy = nn.mul %g, %y : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = nn.reduce_sum %gy {axes = array<i64: 2>, keepdims = true} : tensor<2x4x4xf32> -> tensor<2x4x1xf32>
  %d = nn.sub %g, %s : (tensor<2x4x4xf32>, tensor<2x4x1xf32>) -> tensor<2x4x4xf32>
  %dx = nn.mul %y, %d : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %dx : tensor<2x4x4xf32>
}

// -----

// The product's epilogue is the lhs of another product whose kernel reads its
// operands too (g, and y in its epilogue): it stays in the first kernel.
// CHECK-LABEL: func.func @into_matmul(
// CHECK: %[[K:.*]]:2 = nn.kernel "into_matmul_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.mul
// CHECK-NEXT: nn.yield
// CHECK: nn.kernel "into_matmul_k1"(%[[K]]#1, %[[K]]#0, %{{.*}})
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.add
// CHECK-NEXT: nn.yield
func.func @into_matmul(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %g = nn.matmul %a, %b : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %gy = nn.mul %g, %y : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %p = nn.matmul %gy, %g : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %q = nn.add %p, %y : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %q, %g : tensor<4x4xf32>, tensor<4x4xf32>
}
