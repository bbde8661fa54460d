// RUN: nn-opt %s --nn-shape-inference --split-input-file | FileCheck %s
// Tests that nn-shape-inference refines unranked and dynamic result types from ranked
// operands through chains of ops, and updates the function result types.

// CHECK-LABEL: func.func @unary_binary(
// CHECK-SAME: -> tensor<8x4xf32>
// CHECK: nn.exp %{{.*}} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<8x1xf32>) -> tensor<8x4xf32>
// CHECK: nn.relu %{{.*}} : (tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK: return %{{.*}} : tensor<8x4xf32>
func.func @unary_binary(%x: tensor<4xf32>, %y: tensor<8x1xf32>) -> tensor<*xf32> {
  %0 = nn.exp %x : (tensor<4xf32>) -> tensor<*xf32>
  %1 = nn.add %0, %y : (tensor<*xf32>, tensor<8x1xf32>) -> tensor<*xf32>
  %2 = nn.relu %1 : (tensor<*xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

// -----

// A `?` paired with a static n > 1 becomes n.
// CHECK-LABEL: func.func @broadcast_dynamic(
// CHECK-SAME: -> tensor<?x5xf32>
// CHECK: nn.mul %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<?xf32>) -> tensor<?x?xf32>
// CHECK: nn.sub %{{.*}}, %{{.*}} : (tensor<?x?xf32>, tensor<5xf32>) -> tensor<?x5xf32>
func.func @broadcast_dynamic(%x: tensor<?x1xf32>, %y: tensor<?xf32>, %z: tensor<5xf32>) -> tensor<*xf32> {
  %0 = nn.mul %x, %y : (tensor<?x1xf32>, tensor<?xf32>) -> tensor<*xf32>
  %1 = nn.sub %0, %z : (tensor<*xf32>, tensor<5xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @reductions(
// CHECK-SAME: -> (tensor<?x1xf32>, tensor<3xf32>, tensor<f32>)
// CHECK: nn.sigmoid %{{.*}} : (tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK: nn.reduce_max %{{.*}} {axes = array<i64: 1>, keepdims = true} : tensor<?x3xf32> -> tensor<?x1xf32>
// CHECK: nn.reduce_mean %{{.*}} {axes = array<i64: 0>} : tensor<?x3xf32> -> tensor<3xf32>
// CHECK: nn.reduce_sum %{{.*}} {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
func.func @reductions(%x: tensor<?x3xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %s = nn.sigmoid %x : (tensor<?x3xf32>) -> tensor<*xf32>
  %0 = nn.reduce_max %s {axes = array<i64: 1>, keepdims = true} : tensor<*xf32> -> tensor<*xf32>
  %1 = nn.reduce_mean %s {axes = array<i64: 0>} : tensor<*xf32> -> tensor<*xf32>
  %2 = nn.reduce_sum %1 {axes = array<i64>} : tensor<*xf32> -> tensor<*xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_transpose(
// CHECK-SAME: -> (tensor<10x?xf32>, tensor<10x784xf32>)
// CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<?x10xf32>
// CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_lhs = true} : (tensor<?x10xf32>, tensor<?x784xf32>) -> tensor<10x784xf32>
// CHECK: nn.transpose %{{.*}} {perm = array<i64: 1, 0>} : tensor<?x10xf32> -> tensor<10x?xf32>
func.func @matmul_transpose(%x: tensor<?x784xf32>, %w: tensor<784x10xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<*xf32>
  %g = nn.matmul %0, %x {transpose_lhs = true} : (tensor<*xf32>, tensor<?x784xf32>) -> tensor<*xf32>
  %1 = nn.transpose %0 {perm = array<i64: 1, 0>} : tensor<*xf32> -> tensor<*xf32>
  return %1, %g : tensor<*xf32>, tensor<*xf32>
}

// -----

// A -1 reshape entry is computed from a static operand and stays `?` for a dynamic one.
// CHECK-LABEL: func.func @reshapes(
// CHECK-SAME: -> (tensor<3x8xf32>, tensor<?x784xf32>)
// CHECK: nn.abs %{{.*}} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: nn.reshape %{{.*}} {shape = array<i64: 3, -1>} : tensor<2x3x4xf32> -> tensor<3x8xf32>
// CHECK: nn.reshape %{{.*}} {shape = array<i64: -1, 784>} : tensor<?x28x28xf32> -> tensor<?x784xf32>
func.func @reshapes(%x: tensor<2x3x4xf32>, %img: tensor<?x28x28xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %a = nn.abs %x : (tensor<2x3x4xf32>) -> tensor<*xf32>
  %0 = nn.reshape %a {shape = array<i64: 3, -1>} : tensor<*xf32> -> tensor<*xf32>
  %1 = nn.reshape %img {shape = array<i64: -1, 784>} : tensor<?x28x28xf32> -> tensor<*xf32>
  return %0, %1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @labels(
// CHECK-SAME: -> (tensor<?x10xf32>, tensor<f32>, tensor<?x10xf32>, tensor<?x10xf32>)
// CHECK: nn.one_hot %{{.*}} {depth = 10 : i64} : tensor<?xi32> -> tensor<?x10xf32>
// CHECK: nn.count %{{.*}} {axes = array<i64: 0>} : tensor<?x10xf32> -> tensor<f32>
// CHECK: nn.random_uniform %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
// CHECK: nn.broadcast_to %{{.*}}, %{{.*}} : (tensor<f32>, tensor<?x10xf32>) -> tensor<?x10xf32>
func.func @labels(%l: tensor<?xi32>, %seed: tensor<f32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) {
  %0 = nn.one_hot %l {depth = 10} : tensor<?xi32> -> tensor<*xf32>
  %1 = nn.count %0 {axes = array<i64: 0>} : tensor<*xf32> -> tensor<*xf32>
  %2 = nn.random_uniform %0, %seed : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %3 = nn.broadcast_to %1, %0 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return %0, %1, %2, %3 : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// Unranked operands stay unranked; external functions are left alone.
// CHECK-LABEL: func.func private @external(tensor<*xf32>) -> tensor<*xf32>
// CHECK-LABEL: func.func @generic(
// CHECK-SAME: -> tensor<*xf32>
// CHECK: nn.exp %{{.*}} : (tensor<*xf32>) -> tensor<*xf32>
func.func private @external(tensor<*xf32>) -> tensor<*xf32>
func.func @generic(%x: tensor<*xf32>) -> tensor<*xf32> {
  %0 = nn.exp %x : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Ops inside nn.kernel bodies are refined too.
// CHECK-LABEL: func.func @in_kernel(
// CHECK: nn.kernel "k"
// CHECK: nn.neg %{{.*}} : (tensor<4xf32>) -> tensor<4xf32>
func.func @in_kernel(%x: tensor<4xf32>) -> tensor<*xf32> {
  %k = nn.kernel "k"(%x) : (tensor<4xf32>) -> tensor<*xf32> {
  ^bb0(%a: tensor<4xf32>):
    %0 = nn.neg %a : (tensor<4xf32>) -> tensor<*xf32>
    nn.yield %0 : tensor<*xf32>
  }
  return %k : tensor<*xf32>
}
