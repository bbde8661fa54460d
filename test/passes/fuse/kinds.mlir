// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests that nn-fuse forms one kernel per fusion kind: elementwise chains, a matmul
// with its elementwise epilogue, a reduction with its elementwise producers and
// epilogue, and independent elementwise groups merged into one multi-result kernel.

// Tests that an elementwise chain, values with several users included, is one kernel.
// CHECK-LABEL: func.func @chain(
// CHECK: %[[K:.*]] = nn.kernel "chain_k0"(%{{.*}}) {nn.fusion = {inputs = ["function argument"], kind = "elementwise"}} : (tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[E:.*]] = nn.exp %[[A]]
// CHECK-NEXT: %[[N:.*]] = nn.neg %[[E]]
// CHECK-NEXT: %[[S:.*]] = nn.add %[[E]], %[[N]]
// CHECK-NEXT: nn.yield %[[S]]
// CHECK: return %[[K]]
// CHECK-NOT: nn.kernel
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.neg %0 : (tensor<4xf32>) -> tensor<4xf32>
  %2 = nn.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Tests that a matmul takes its bias, activation and dropout-like epilogue, and that
// intermediate values used later leave the kernel as extra results of the product's
// shape.
// CHECK-LABEL: func.func @dense(
// CHECK: %[[K:.*]]:2 = nn.kernel "dense_k0"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {nn.fusion = {{{.*}}kind = "matmul"}} : (tensor<?x8xf32>, tensor<8x4xf32>, tensor<4xf32>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.add
// CHECK-NEXT: %[[R:.*]] = nn.relu
// CHECK-NEXT: %[[M:.*]] = nn.mul %[[R]]
// CHECK-NEXT: nn.yield %[[R]], %[[M]]
// CHECK: return %[[K]]#0, %[[K]]#1
func.func @dense(%x: tensor<?x8xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>, %mask: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = nn.matmul %x, %w : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %1 = nn.add %0, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %2 = nn.relu %1 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %3 = nn.mul %2, %mask : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %2, %3 : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Tests that a reduction takes its elementwise producers and epilogue: the whole
// softmax (max, shift, exp, sum, divide) is one kernel.
// CHECK-LABEL: func.func @softmax(
// CHECK: %[[K:.*]] = nn.kernel "softmax_k0"(%{{.*}}) {nn.fusion = {inputs = ["function argument"], kind = "reduction"}}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.reduce_max
// CHECK-NEXT: nn.sub
// CHECK-NEXT: nn.exp
// CHECK-NEXT: nn.reduce_sum
// CHECK-NEXT: nn.div
// CHECK-NEXT: nn.yield
// CHECK: return %[[K]]
// CHECK-NOT: nn.kernel
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<?x10xf32> -> tensor<?x1xf32>
  %1 = nn.sub %x, %0 : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %2 = nn.exp %1 : (tensor<?x10xf32>) -> tensor<?x10xf32>
  %3 = nn.reduce_sum %2 {axes = array<i64: 1>, keepdims = true} : tensor<?x10xf32> -> tensor<?x1xf32>
  %4 = nn.div %2, %3 : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  return %4 : tensor<?x10xf32>
}

// -----

// Tests that a loss (log-softmax, cross-entropy with one_hot, mean over the batch)
// is one kernel with a rank-0 result, though its reductions have different domains.
// CHECK-LABEL: func.func @loss(
// CHECK: %[[K:.*]] = nn.kernel "loss_k0"(%{{.*}}, %{{.*}}) {nn.fusion = {{{.*}}kind = "reduction"}} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
// CHECK: nn.one_hot
// CHECK: nn.reduce_sum
// CHECK: nn.reduce_mean
// CHECK: nn.neg
// CHECK-NEXT: nn.yield
// CHECK-NOT: nn.kernel
func.func @loss(%logits: tensor<?x10xf32>, %label: tensor<?xi32>) -> tensor<f32> {
  %0 = nn.reduce_max %logits {axes = array<i64: 1>, keepdims = true} : tensor<?x10xf32> -> tensor<?x1xf32>
  %1 = nn.sub %logits, %0 : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %2 = nn.exp %1 : (tensor<?x10xf32>) -> tensor<?x10xf32>
  %3 = nn.reduce_sum %2 {axes = array<i64: 1>, keepdims = true} : tensor<?x10xf32> -> tensor<?x1xf32>
  %4 = nn.log %3 : (tensor<?x1xf32>) -> tensor<?x1xf32>
  %5 = nn.sub %1, %4 : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
  %6 = nn.one_hot %label {depth = 10 : i64} : tensor<?xi32> -> tensor<?x10xf32>
  %7 = nn.mul %6, %5 : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  %8 = nn.reduce_sum %7 {axes = array<i64: 1>} : tensor<?x10xf32> -> tensor<?xf32>
  %9 = nn.reduce_mean %8 {axes = array<i64>} : tensor<?xf32> -> tensor<f32>
  %10 = nn.neg %9 : (tensor<f32>) -> tensor<f32>
  return %10 : tensor<f32>
}

// -----

// Tests that independent elementwise updates of two parameters of different shapes
// (SGD with momentum) merge into one kernel, with a shared rank-0 learning rate; the
// results are ordered by type, so results of one shape are adjacent.
// CHECK-LABEL: func.func @updates(
// CHECK: %[[K:.*]]:4 = nn.kernel "updates_k0"({{.*}}) {nn.fusion = {{{.*}}kind = "elementwise"}} : ({{.*}}) -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NOT: nn.kernel
// CHECK: return %[[K]]#0, %[[K]]#2, %[[K]]#1, %[[K]]#3
func.func @updates(%w: tensor<8x4xf32>, %gw: tensor<8x4xf32>, %mw: tensor<8x4xf32>,
                   %b: tensor<4xf32>, %gb: tensor<4xf32>, %mb: tensor<4xf32>, %lr: tensor<f32>)
    -> (tensor<8x4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<4xf32>) {
  %c = nn.constant dense<0.9> : tensor<f32>
  %0 = nn.mul %mw, %c : (tensor<8x4xf32>, tensor<f32>) -> tensor<8x4xf32>
  %1 = nn.add %0, %gw : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %2 = nn.mul %lr, %1 : (tensor<f32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %3 = nn.sub %w, %2 : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %4 = nn.mul %mb, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %5 = nn.add %4, %gb : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %6 = nn.mul %lr, %5 : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %7 = nn.sub %b, %6 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1, %5, %3, %7 : tensor<8x4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<4xf32>
}

// -----

// Tests that the optimizer update of a weight is the epilogue of the matmul computing
// its gradient: one kernel yields the new moment and the new weight.
// CHECK-LABEL: func.func @grad_update(
// CHECK: %[[K:.*]]:2 = nn.kernel "grad_update_k0"({{.*}}) {nn.fusion = {{{.*}}kind = "matmul"}} : ({{.*}}) -> (tensor<8x4xf32>, tensor<8x4xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.constant
// CHECK-NEXT: nn.matmul {{.*}}transpose_lhs = true
// CHECK-NOT: nn.kernel
// CHECK: return %[[K]]#0, %[[K]]#1
func.func @grad_update(%x: tensor<?x8xf32>, %dy: tensor<?x4xf32>, %w: tensor<8x4xf32>, %m: tensor<8x4xf32>, %lr: tensor<f32>)
    -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %c = nn.constant dense<0.9> : tensor<f32>
  %g = nn.matmul %x, %dy {transpose_lhs = true} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<8x4xf32>
  %0 = nn.mul %m, %c : (tensor<8x4xf32>, tensor<f32>) -> tensor<8x4xf32>
  %1 = nn.add %0, %g : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %2 = nn.mul %lr, %1 : (tensor<f32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %3 = nn.sub %w, %2 : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return %1, %3 : tensor<8x4xf32>, tensor<8x4xf32>
}
