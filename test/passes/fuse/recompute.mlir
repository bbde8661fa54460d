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

// -----

// A layer norm's backward after the product g = dY Wᵀ: the row kernel needs g γ rstd
// and g γ xc, and a column sum needs g (the bias gradient), so g is stored anyway.
// The row kernel computes the two products from g (its one new full-size read, beside
// rstd, a row statistic) and the product's kernel stores g and one more result, not
// four: g x̂ = g (xc rstd) for the scale's column sum would need g and x, two new
// reads there, so it stays in the product's kernel. xc = x - mean is computed where
// it is read, from x (a product's result, stored anyway) and the row mean, which the
// forward kernel stores instead of xc. The row kernel computes g γ and xc once, for
// both products that read them. (The forward comes before the product: the two row
// kernels cannot merge.)
// CHECK-LABEL: func.func @layer_norm_grad(
// CHECK: %[[X:.*]] = nn.kernel "layer_norm_grad_k0"
// CHECK: %[[LN:.*]]:3 = nn.kernel "layer_norm_grad_k1"(%[[X]], %{{.*}})
// CHECK: nn.yield %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x8xf32>
// CHECK: %[[K:.*]]:2 = nn.kernel "layer_norm_grad_k3"(%{{.*}}, %{{.*}}, %[[X]], %[[LN]]#0, %[[LN]]#1)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[G:.*]] = nn.matmul
// CHECK-NEXT: %[[XC:.*]] = nn.sub
// CHECK-NEXT: %[[XN:.*]] = nn.mul %[[XC]],
// CHECK-NEXT: %[[GX:.*]] = nn.mul %[[G]], %[[XN]]
// CHECK-NEXT: nn.yield %[[G]], %[[GX]] :
// CHECK: nn.kernel "layer_norm_grad_k4"(%[[K]]#0, %{{.*}}, %[[X]], %[[LN]]#0, %[[LN]]#1)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: %[[GG:.*]] = nn.mul
// CHECK-NEXT: %[[XC2:.*]] = nn.sub
// CHECK-NEXT: nn.mul %[[GG]], %[[XC2]]
// CHECK-NEXT: nn.reduce_sum
// CHECK-NEXT: nn.mul %[[XC2]],
// CHECK-NEXT: nn.mul %[[GG]],
// CHECK: nn.yield %{{.*}} : tensor<4x8xf32>
// CHECK: nn.kernel "layer_norm_grad_k5"(%[[K]]#0)
// CHECK: nn.kernel "layer_norm_grad_k6"(%[[K]]#1)
func.func @layer_norm_grad(%in: tensor<4x8xf32>, %wx: tensor<8x8xf32>, %gamma: tensor<8xf32>, %w1: tensor<8x16xf32>, %w: tensor<8x16xf32>) -> (tensor<4x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) {
  %one = nn.constant dense<1.000000e+00> : tensor<f32>
  %x = nn.matmul %in, %wx : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %mu = nn.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  %xc = nn.sub %x, %mu : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq = nn.mul %xc, %xc : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %var = nn.reduce_mean %sq {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  %sd = nn.sqrt %var : (tensor<4x1xf32>) -> tensor<4x1xf32>
  %rstd = nn.div %one, %sd : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %xhat = nn.mul %xc, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %h = nn.mul %xhat, %gamma : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %dy = nn.matmul %h, %w1 : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %g = nn.matmul %dy, %w {transpose_rhs = true} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  %gg = nn.mul %g, %gamma : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %xn = nn.mul %xc, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %gx = nn.mul %g, %xn : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %a = nn.mul %gg, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %b = nn.mul %gg, %xc : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %sb = nn.reduce_sum %b {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  %t = nn.mul %xc, %sb : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %dx = nn.sub %a, %t : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %dbeta = nn.reduce_sum %g {axes = array<i64: 0>, keepdims = true} : tensor<4x8xf32> -> tensor<1x8xf32>
  %dgamma = nn.reduce_sum %gx {axes = array<i64: 0>, keepdims = true} : tensor<4x8xf32> -> tensor<1x8xf32>
  return %dx, %dbeta, %dgamma : tensor<4x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>
}
