// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests that nn-fuse makes one "attention" kernel of batched scores, a softmax along
// their last axis and the weighted sum (mergeAttention), with the probabilities as a
// second result when something else reads them, and leaves other chains of
// contraction, reduction and contraction as they were.

// Tests a causal attention: scale, mask, max, exp, sum, division and both products in
// one kernel with one result.
// CHECK-LABEL: func.func @causal(
// CHECK: %[[K:.*]] = nn.kernel "causal_k0"(%{{.*}}, %{{.*}}, %{{.*}}) {nn.fusion = {{{.*}}kind = "attention"}} : (tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x4xf32> {
// CHECK: nn.matmul
// CHECK: nn.mul
// CHECK: nn.causal_mask
// CHECK: nn.reduce_max
// CHECK: nn.exp
// CHECK: nn.reduce_sum
// CHECK: %[[P:.*]] = nn.div
// CHECK: %[[O:.*]] = nn.matmul %[[P]]
// CHECK: nn.yield %[[O]]
// CHECK: return %[[K]]
// CHECK-NOT: nn.kernel
func.func @causal(%q: tensor<?x2x8x4xf32>, %k: tensor<?x2x8x4xf32>, %v: tensor<?x2x8x4xf32>) -> tensor<?x2x8x4xf32> {
  %c = nn.constant dense<5.000000e-01> : tensor<f32>
  %0 = nn.matmul %q, %k {transpose_rhs = true} : (tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x8xf32>
  %1 = nn.mul %0, %c : (tensor<?x2x8x8xf32>, tensor<f32>) -> tensor<?x2x8x8xf32>
  %2 = nn.causal_mask %1 : tensor<?x2x8x8xf32> -> tensor<1x1x8x8xf32>
  %3 = nn.add %1, %2 : (tensor<?x2x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<?x2x8x8xf32>
  %4 = nn.reduce_max %3 {axes = array<i64: 3>, keepdims = true} : tensor<?x2x8x8xf32> -> tensor<?x2x8x1xf32>
  %5 = nn.stop_gradient %4 : (tensor<?x2x8x1xf32>) -> tensor<?x2x8x1xf32>
  %6 = nn.sub %3, %5 : (tensor<?x2x8x8xf32>, tensor<?x2x8x1xf32>) -> tensor<?x2x8x8xf32>
  %7 = nn.exp %6 : (tensor<?x2x8x8xf32>) -> tensor<?x2x8x8xf32>
  %8 = nn.reduce_sum %7 {axes = array<i64: 3>, keepdims = true} : tensor<?x2x8x8xf32> -> tensor<?x2x8x1xf32>
  %9 = nn.div %7, %8 : (tensor<?x2x8x8xf32>, tensor<?x2x8x1xf32>) -> tensor<?x2x8x8xf32>
  %10 = nn.matmul %9, %v : (tensor<?x2x8x8xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x4xf32>
  return %10 : tensor<?x2x8x4xf32>
}

// -----

// Tests that probabilities read outside the kernel (a training step's backward pass)
// are a second result of the same kernel.
// CHECK-LABEL: func.func @probs_read(
// CHECK: %[[K:.*]]:2 = nn.kernel "probs_read_k0"({{.*}}kind = "attention"}} : (tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x8x4xf32>) -> (tensor<?x8x8xf32>, tensor<?x8x4xf32>) {
// CHECK: nn.yield
// CHECK: return %[[K]]#1, %[[K]]#0
// CHECK-NOT: nn.kernel
func.func @probs_read(%q: tensor<?x8x4xf32>, %k: tensor<?x8x4xf32>, %v: tensor<?x8x4xf32>) -> (tensor<?x8x4xf32>, tensor<?x8x8xf32>) {
  %0 = nn.matmul %q, %k {transpose_rhs = true} : (tensor<?x8x4xf32>, tensor<?x8x4xf32>) -> tensor<?x8x8xf32>
  %1 = nn.reduce_max %0 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %2 = nn.sub %0, %1 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %3 = nn.exp %2 : (tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %4 = nn.reduce_sum %3 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %5 = nn.div %3, %4 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %6 = nn.matmul %5, %v : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  return %6, %5 : tensor<?x8x4xf32>, tensor<?x8x8xf32>
}

// -----

// Tests that a softmax over another axis than the scores' last is not row-local: three
// kernels, as before.
// CHECK-LABEL: func.func @other_axis(
// CHECK: kind = "matmul"
// CHECK: kind = "reduction"
// CHECK: kind = "matmul"
// CHECK-NOT: attention
func.func @other_axis(%q: tensor<?x8x4xf32>, %k: tensor<?x8x4xf32>, %v: tensor<?x8x4xf32>) -> tensor<?x8x4xf32> {
  %0 = nn.matmul %q, %k {transpose_rhs = true} : (tensor<?x8x4xf32>, tensor<?x8x4xf32>) -> tensor<?x8x8xf32>
  %1 = nn.reduce_max %0 {axes = array<i64: 1>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x1x8xf32>
  %2 = nn.sub %0, %1 : (tensor<?x8x8xf32>, tensor<?x1x8xf32>) -> tensor<?x8x8xf32>
  %3 = nn.exp %2 : (tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %4 = nn.reduce_sum %3 {axes = array<i64: 1>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x1x8xf32>
  %5 = nn.div %3, %4 : (tensor<?x8x8xf32>, tensor<?x1x8xf32>) -> tensor<?x8x8xf32>
  %6 = nn.matmul %5, %v : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  return %6 : tensor<?x8x4xf32>
}

// -----

// Tests that scores of a symbolic length (not kept per batch element) and a product
// with a weight (a layer: proj -> layer norm -> fc is row-local too) are left alone.
// CHECK-LABEL: func.func @symbolic_keys(
// CHECK-NOT: attention
// CHECK-LABEL: func.func @weights(
// CHECK-NOT: attention
func.func @symbolic_keys(%q: tensor<?x8x4xf32>, %k: tensor<?x?x4xf32>, %v: tensor<?x?x4xf32>) -> tensor<?x8x4xf32> {
  %0 = nn.matmul %q, %k {transpose_rhs = true} : (tensor<?x8x4xf32>, tensor<?x?x4xf32>) -> tensor<?x8x?xf32>
  %1 = nn.reduce_max %0 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x?xf32> -> tensor<?x8x1xf32>
  %2 = nn.sub %0, %1 : (tensor<?x8x?xf32>, tensor<?x8x1xf32>) -> tensor<?x8x?xf32>
  %3 = nn.matmul %2, %v : (tensor<?x8x?xf32>, tensor<?x?x4xf32>) -> tensor<?x8x4xf32>
  return %3 : tensor<?x8x4xf32>
}
func.func @weights(%x: tensor<?x8x4xf32>, %w: tensor<4x4xf32>, %w2: tensor<4x6xf32>) -> tensor<?x8x6xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x8x4xf32>, tensor<4x4xf32>) -> tensor<?x8x4xf32>
  %1 = nn.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x4xf32> -> tensor<?x8x1xf32>
  %2 = nn.sub %0, %1 : (tensor<?x8x4xf32>, tensor<?x8x1xf32>) -> tensor<?x8x4xf32>
  %3 = nn.matmul %2, %w2 : (tensor<?x8x4xf32>, tensor<4x6xf32>) -> tensor<?x8x6xf32>
  return %3 : tensor<?x8x6xf32>
}

// -----

// Tests the softmax's gradient: dS = y (g - sum(g y)) of the product g = dO vᵀ fuses
// with dQ = dS k (dS a second result: dK = dSᵀ q reads it transposed, in a kernel of
// its own), the probabilities y an operand.
// CHECK-LABEL: func.func @softmax_grad(
// CHECK: %[[K:.*]]:2 = nn.kernel "softmax_grad_k0"({{.*}}kind = "attention"}} : (tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> (tensor<?x8x8xf32>, tensor<?x8x4xf32>) {
// CHECK: nn.kernel "softmax_grad_k1"(%[[K]]#0, %{{.*}}) {nn.fusion = {{{.*}}kind = "matmul"}}
// CHECK-NOT: nn.kernel
func.func @softmax_grad(%do: tensor<?x8x4xf32>, %v: tensor<?x8x4xf32>, %y: tensor<?x8x8xf32>, %k: tensor<?x8x4xf32>, %q: tensor<?x8x4xf32>) -> (tensor<?x8x4xf32>, tensor<?x8x4xf32>) {
  %g = nn.matmul %do, %v {transpose_rhs = true} : (tensor<?x8x4xf32>, tensor<?x8x4xf32>) -> tensor<?x8x8xf32>
  %gy = nn.mul %g, %y : (tensor<?x8x8xf32>, tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %s = nn.reduce_sum %gy {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %d = nn.sub %g, %s : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %ds = nn.mul %y, %d : (tensor<?x8x8xf32>, tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %dq = nn.matmul %ds, %k : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  %dk = nn.matmul %ds, %q {transpose_lhs = true} : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  return %dq, %dk : tensor<?x8x4xf32>, tensor<?x8x4xf32>
}
