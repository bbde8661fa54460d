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

// -----

// A dropout mask (the noise, its comparison, its scale: ops of the producer's kernel
// that nothing else there needs stored) is recomputed by the kernel that reads it,
// from the step and the seed (function arguments, which any kernel may take), the
// noise's shape that of the value it multiplies there: the first kernel stores the
// dropped-out activations alone.
// CHECK-LABEL: func.func @mask_chain(
// CHECK-SAME: %[[STEP:[a-z0-9]+]]: tensor<f32>, %[[SEED:[a-z0-9]+]]: tensor<i32>)
// CHECK: %[[K:.*]] = nn.kernel "mask_chain_k0"
// CHECK: nn.random_uniform
// CHECK: nn.yield %{{[0-9]+}} : tensor<4x8xf32>
// CHECK: nn.kernel "mask_chain_k1"(%[[K]], %{{.*}}, %[[STEP]], %[[SEED]])
// CHECK-NEXT: ^bb0
// CHECK: %[[P:.*]] = nn.matmul
// CHECK-NEXT: %[[U:.*]] = nn.random_uniform %[[P]],
// CHECK-NEXT: %[[G:.*]] = nn.greater %[[U]],
// CHECK-NEXT: %[[M:.*]] = nn.div %[[G]],
// CHECK-NEXT: nn.mul %[[P]], %[[M]]
func.func @mask_chain(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>, %w: tensor<8x8xf32>, %step: tensor<f32>, %seed: tensor<i32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %z = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %y = nn.relu %z : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %u = nn.random_uniform %y, %step, %seed : (tensor<4x8xf32>, tensor<f32>, tensor<i32>) -> tensor<4x8xf32>
  %rate = nn.constant dense<3.000000e-01> : tensor<f32>
  %keep = nn.constant dense<0.699999988> : tensor<f32>
  %k = nn.greater %u, %rate : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %m = nn.div %k, %keep : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %d = nn.mul %y, %m : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = nn.matmul %d, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %hm = nn.mul %h, %m : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %d, %hm : tensor<4x8xf32>, tensor<4x8xf32>
}
