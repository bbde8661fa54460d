// RUN: nn-opt %s | nn-opt | FileCheck %s
// Tests that the reduction, matmul, shape, one_hot, count and noise ops print
// and re-parse unchanged, with their attributes.

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x1x1xf32>) {
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: nn.reduce_mean %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = nn.reduce_mean %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // Empty axes reduce over every dim.
  // CHECK: nn.reduce_max %{{.*}} {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<f32>
  %2 = nn.reduce_max %x {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %3 = nn.reduce_sum %x {axes = array<i64>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x1x1xf32>
}

// CHECK-LABEL: func.func @reductions_multi_axis
func.func @reductions_multi_axis(%x: tensor<?x3x4xf32>) -> (tensor<3xf32>, tensor<?x1x1xf32>) {
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 0, 2>} : tensor<?x3x4xf32> -> tensor<3xf32>
  %0 = nn.reduce_sum %x {axes = array<i64: 0, 2>} : tensor<?x3x4xf32> -> tensor<3xf32>
  // CHECK: nn.reduce_max %{{.*}} {axes = array<i64: 2, 1>, keepdims = true} : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
  %1 = nn.reduce_max %x {axes = array<i64: 2, 1>, keepdims = true} : tensor<?x3x4xf32> -> tensor<?x1x1xf32>
  return %0, %1 : tensor<3xf32>, tensor<?x1x1xf32>
}

// CHECK-LABEL: func.func @matmuls
func.func @matmuls(%a: tensor<?x784xf32>, %w: tensor<784x128xf32>, %b: tensor<2x5x3x4xf32>,
                   %v: tensor<4x6xf32>, %t: tensor<3x5xf32>, %u: tensor<6x4xf32>)
    -> (tensor<?x128xf32>, tensor<2x5x3x6xf32>, tensor<5x6xf32>, tensor<2x5x3x6xf32>, tensor<5x4xf32>) {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
  %0 = nn.matmul %a, %w : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
  // Leading lhs dims are batch dims.
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<2x5x3x4xf32>, tensor<4x6xf32>) -> tensor<2x5x3x6xf32>
  %1 = nn.matmul %b, %v : (tensor<2x5x3x4xf32>, tensor<4x6xf32>) -> tensor<2x5x3x6xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_lhs = true} : (tensor<3x5xf32>, tensor<3x6xf32>) -> tensor<5x6xf32>
  %v2 = nn.constant dense<1.0> : tensor<3x6xf32>
  %2 = nn.matmul %t, %v2 {transpose_lhs = true} : (tensor<3x5xf32>, tensor<3x6xf32>) -> tensor<5x6xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<2x5x3x4xf32>, tensor<6x4xf32>) -> tensor<2x5x3x6xf32>
  %3 = nn.matmul %b, %u {transpose_rhs = true} : (tensor<2x5x3x4xf32>, tensor<6x4xf32>) -> tensor<2x5x3x6xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_lhs = true, transpose_rhs = true} : (tensor<3x5xf32>, tensor<4x3xf32>) -> tensor<5x4xf32>
  %r = nn.constant dense<2.0> : tensor<4x3xf32>
  %4 = nn.matmul %t, %r {transpose_lhs = true, transpose_rhs = true} : (tensor<3x5xf32>, tensor<4x3xf32>) -> tensor<5x4xf32>
  return %0, %1, %2, %3, %4 : tensor<?x128xf32>, tensor<2x5x3x6xf32>, tensor<5x6xf32>, tensor<2x5x3x6xf32>, tensor<5x4xf32>
}

// CHECK-LABEL: func.func @reshapes
func.func @reshapes(%x: tensor<2x3x4xf32>, %d: tensor<?x28x28xf32>, %l: tensor<6xi32>)
    -> (tensor<6x4xf32>, tensor<24xf32>, tensor<?x784xf32>, tensor<2x3xi32>, tensor<1x1xf32>) {
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: 6, 4>} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %0 = nn.reshape %x {shape = array<i64: 6, 4>} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: -1>} : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = nn.reshape %x {shape = array<i64: -1>} : tensor<2x3x4xf32> -> tensor<24xf32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: -1, 784>} : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %2 = nn.reshape %d {shape = array<i64: -1, 784>} : tensor<?x28x28xf32> -> tensor<?x784xf32>
  // Reshape also takes i32 tensors.
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: 2, -1>} : tensor<6xi32> -> tensor<2x3xi32>
  %3 = nn.reshape %l {shape = array<i64: 2, -1>} : tensor<6xi32> -> tensor<2x3xi32>
  %s = nn.constant dense<1.0> : tensor<f32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: 1, 1>} : tensor<f32> -> tensor<1x1xf32>
  %4 = nn.reshape %s {shape = array<i64: 1, 1>} : tensor<f32> -> tensor<1x1xf32>
  return %0, %1, %2, %3, %4 : tensor<6x4xf32>, tensor<24xf32>, tensor<?x784xf32>, tensor<2x3xi32>, tensor<1x1xf32>
}

// A reshape with `like` takes its -1 dims from `like` at the same positions: [B*S, V]
// back to [B, S, V], which the element count alone cannot split.
// CHECK-LABEL: func.func @reshape_like
func.func @reshape_like(%x: tensor<?x10xf32>, %l: tensor<?x?x10xf32>) -> tensor<?x?x10xf32> {
  // CHECK: nn.reshape %{{.*}} like %{{.*}} : tensor<?x?x10xf32> {shape = array<i64: -1, -1, 10>} : tensor<?x10xf32> -> tensor<?x?x10xf32>
  %0 = nn.reshape %x like %l : tensor<?x?x10xf32> {shape = array<i64: -1, -1, 10>} : tensor<?x10xf32> -> tensor<?x?x10xf32>
  return %0 : tensor<?x?x10xf32>
}

// CHECK-LABEL: func.func @transpose_broadcast
func.func @transpose_broadcast(%x: tensor<2x3x4xf32>, %b: tensor<4xf32>, %like: tensor<?x3x4xf32>)
    -> (tensor<4x2x3xf32>, tensor<?x3x4xf32>) {
  // CHECK: nn.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: nn.broadcast_to %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %1 = nn.broadcast_to %b, %like : (tensor<4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  return %0, %1 : tensor<4x2x3xf32>, tensor<?x3x4xf32>
}

// CHECK-LABEL: func.func @labels_and_noise
func.func @labels_and_noise(%l: tensor<?xi32>, %x: tensor<?x10xf32>, %seed: tensor<f32>)
    -> (tensor<?x10xf32>, tensor<f32>, tensor<f32>, tensor<?x10xf32>) {
  // CHECK: nn.one_hot %{{.*}} {depth = 10 : i64} : tensor<?xi32> -> tensor<?x10xf32>
  %0 = nn.one_hot %l {depth = 10} : tensor<?xi32> -> tensor<?x10xf32>
  // CHECK: nn.count %{{.*}} {axes = array<i64: 0>} : tensor<?x10xf32> -> tensor<f32>
  %1 = nn.count %x {axes = array<i64: 0>} : tensor<?x10xf32> -> tensor<f32>
  // CHECK: nn.count %{{.*}} {axes = array<i64>} : tensor<?xi32> -> tensor<f32>
  %2 = nn.count %l {axes = array<i64>} : tensor<?xi32> -> tensor<f32>
  // CHECK: nn.random_uniform %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  %3 = nn.random_uniform %x, %seed : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  return %0, %1, %2, %3 : tensor<?x10xf32>, tensor<f32>, tensor<f32>, tensor<?x10xf32>
}

// The optional stream operand (the run's seed).
// CHECK-LABEL: func.func @noise_stream
// CHECK: nn.random_uniform %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<f32>, tensor<i32>) -> tensor<?x10xf32>
func.func @noise_stream(%x: tensor<?x10xf32>, %seed: tensor<f32>, %stream: tensor<i32>) -> tensor<?x10xf32> {
  %0 = nn.random_uniform %x, %seed, %stream : (tensor<?x10xf32>, tensor<f32>, tensor<i32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// The noise ops with a `shape` attribute (-1: the dim of `like`).
// CHECK-LABEL: func.func @noise_shape
// CHECK: nn.random_uniform %{{.*}}, %{{.*}}, %{{.*}} {shape = array<i64: -1, 100>} : (tensor<?x28x28x1xf32>, tensor<f32>, tensor<i32>) -> tensor<?x100xf32>
// CHECK: nn.random_normal %{{.*}}, %{{.*}}, %{{.*}} {shape = array<i64: -1, 100>} : (tensor<?x28x28x1xf32>, tensor<f32>, tensor<i32>) -> tensor<?x100xf32>
// CHECK: nn.random_normal %{{.*}}, %{{.*}} : (tensor<?x28x28x1xf32>, tensor<f32>) -> tensor<?x28x28x1xf32>
func.func @noise_shape(%x: tensor<?x28x28x1xf32>, %seed: tensor<f32>, %stream: tensor<i32>) -> (tensor<?x100xf32>, tensor<?x100xf32>, tensor<?x28x28x1xf32>) {
  %0 = nn.random_uniform %x, %seed, %stream {shape = array<i64: -1, 100>} : (tensor<?x28x28x1xf32>, tensor<f32>, tensor<i32>) -> tensor<?x100xf32>
  %1 = nn.random_normal %x, %seed, %stream {shape = array<i64: -1, 100>} : (tensor<?x28x28x1xf32>, tensor<f32>, tensor<i32>) -> tensor<?x100xf32>
  %2 = nn.random_normal %x, %seed : (tensor<?x28x28x1xf32>, tensor<f32>) -> tensor<?x28x28x1xf32>
  return %0, %1, %2 : tensor<?x100xf32>, tensor<?x100xf32>, tensor<?x28x28x1xf32>
}
