// RUN: nn-opt %s | nn-opt | FileCheck %s
// Tests that the ops attention models use (batched matmul, slice, slice_backward,
// concat, the masks, argmax, erf, softmax, and incremental decoding's dynamic_update_slice and
// offset mask) print and re-parse unchanged, with their attributes
// and symbolic dims.

// CHECK-LABEL: func.func @batched_matmuls
func.func @batched_matmuls(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %p: tensor<?x4x?x?xf32>,
                           %x: tensor<?x8x16xf32>, %w: tensor<16x32xf32>)
    -> (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>, tensor<?x8x32xf32>) {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x?xf32>
  %s = nn.matmul %q, %k {transpose_rhs = true} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x?xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %o = nn.matmul %p, %k : (tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<?x8x16xf32>, tensor<16x32xf32>) -> tensor<?x8x32xf32>
  %d = nn.matmul %x, %w : (tensor<?x8x16xf32>, tensor<16x32xf32>) -> tensor<?x8x32xf32>
  return %s, %o, %d : tensor<?x4x?x?xf32>, tensor<?x4x?x16xf32>, tensor<?x8x32xf32>
}

// CHECK-LABEL: func.func @slices
func.func @slices(%x: tensor<?x?x12xf32>, %g: tensor<?x?x4xf32>, %t: tensor<?x?xi32>)
    -> (tensor<?x?x4xf32>, tensor<?x1x12xf32>, tensor<?x?x12xf32>, tensor<?x?x16xf32>, tensor<?x?xi32>, tensor<?x?xi32>) {
  // CHECK: nn.slice %{{.*}} {axis = 2 : i64, end = 8 : i64, start = 4 : i64} : tensor<?x?x12xf32> -> tensor<?x?x4xf32>
  %0 = nn.slice %x {axis = 2, start = 4, end = 8} : tensor<?x?x12xf32> -> tensor<?x?x4xf32>
  // The last position of a dynamic axis: a static size.
  // CHECK: nn.slice %{{.*}} {axis = 1 : i64, start = -1 : i64} : tensor<?x?x12xf32> -> tensor<?x1x12xf32>
  %1 = nn.slice %x {axis = 1, start = -1} : tensor<?x?x12xf32> -> tensor<?x1x12xf32>
  // CHECK: nn.slice_backward %{{.*}}, %{{.*}} {axis = -1 : i64, end = 8 : i64, start = 4 : i64} : (tensor<?x?x4xf32>, tensor<?x?x12xf32>) -> tensor<?x?x12xf32>
  %2 = nn.slice_backward %g, %x {axis = -1, start = 4, end = 8} : (tensor<?x?x4xf32>, tensor<?x?x12xf32>) -> tensor<?x?x12xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<?x?x12xf32>, tensor<?x?x4xf32>) -> tensor<?x?x16xf32>
  %3 = nn.concat %x, %g {axis = 2} : (tensor<?x?x12xf32>, tensor<?x?x4xf32>) -> tensor<?x?x16xf32>
  // i32 tokens: a dynamic axis grows.
  // CHECK: nn.concat %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<?x?xi32>, tensor<?x?xi32>) -> tensor<?x?xi32>
  %4 = nn.concat %t, %t {axis = -1} : (tensor<?x?xi32>, tensor<?x?xi32>) -> tensor<?x?xi32>
  // CHECK: nn.slice %{{.*}} {axis = 1 : i64, end = -1 : i64, start = 0 : i64} : tensor<?x?xi32> -> tensor<?x?xi32>
  %5 = nn.slice %t {axis = 1, start = 0, end = -1} : tensor<?x?xi32> -> tensor<?x?xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<?x?x4xf32>, tensor<?x1x12xf32>, tensor<?x?x12xf32>, tensor<?x?x16xf32>, tensor<?x?xi32>, tensor<?x?xi32>
}

// CHECK-LABEL: func.func @masks
func.func @masks(%s: tensor<?x4x?x?xf32>, %t: tensor<?x?xi32>)
    -> (tensor<1x1x?x?xf32>, tensor<1x1x?x?xf32>, tensor<?x1x1x?xf32>, tensor<?x1x?xf32>) {
  // CHECK: nn.causal_mask %{{.*}} : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %0 = nn.causal_mask %s : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  // CHECK: nn.causal_mask %{{.*}} {value = -1.000000e+04 : f32} : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  %1 = nn.causal_mask %s {value = -1.0e4 : f32} : tensor<?x4x?x?xf32> -> tensor<1x1x?x?xf32>
  // CHECK: nn.padding_mask %{{.*}} : tensor<?x?xi32> -> tensor<?x1x1x?xf32>
  %2 = nn.padding_mask %t : tensor<?x?xi32> -> tensor<?x1x1x?xf32>
  // CHECK: nn.padding_mask %{{.*}} {pad = 3 : i64, rank = 3 : i64} : tensor<?x?xi32> -> tensor<?x1x?xf32>
  %3 = nn.padding_mask %t {pad = 3, rank = 3} : tensor<?x?xi32> -> tensor<?x1x?xf32>
  return %0, %1, %2, %3 : tensor<1x1x?x?xf32>, tensor<1x1x?x?xf32>, tensor<?x1x1x?xf32>, tensor<?x1x?xf32>
}

// CHECK-LABEL: func.func @argmax_erf
func.func @argmax_erf(%x: tensor<?x5x7xf32>) -> (tensor<?x5xi32>, tensor<?x1x7xi32>, tensor<?x5x7xf32>) {
  // CHECK: nn.argmax %{{.*}} {axis = -1 : i64} : tensor<?x5x7xf32> -> tensor<?x5xi32>
  %0 = nn.argmax %x {axis = -1} : tensor<?x5x7xf32> -> tensor<?x5xi32>
  // CHECK: nn.argmax %{{.*}} {axis = 1 : i64, keepdims = true} : tensor<?x5x7xf32> -> tensor<?x1x7xi32>
  %1 = nn.argmax %x {axis = 1, keepdims = true} : tensor<?x5x7xf32> -> tensor<?x1x7xi32>
  // CHECK: nn.erf %{{.*}} : (tensor<?x5x7xf32>) -> tensor<?x5x7xf32>
  %2 = nn.erf %x : (tensor<?x5x7xf32>) -> tensor<?x5x7xf32>
  return %0, %1, %2 : tensor<?x5xi32>, tensor<?x1x7xi32>, tensor<?x5x7xf32>
}

// CHECK-LABEL: func.func @heads
func.func @heads(%x: tensor<?x?x64xf32>) -> (tensor<?x4x?x16xf32>, tensor<?x?x64xf32>) {
  // CHECK: nn.split_heads %{{.*}} {heads = 4 : i64} : tensor<?x?x64xf32> -> tensor<?x4x?x16xf32>
  %0 = nn.split_heads %x {heads = 4} : tensor<?x?x64xf32> -> tensor<?x4x?x16xf32>
  // CHECK: nn.merge_heads %{{.*}} : tensor<?x4x?x16xf32> -> tensor<?x?x64xf32>
  %1 = nn.merge_heads %0 : tensor<?x4x?x16xf32> -> tensor<?x?x64xf32>
  return %0, %1 : tensor<?x4x?x16xf32>, tensor<?x?x64xf32>
}

// CHECK-LABEL: func.func @decoding
func.func @decoding(%cache: tensor<?x4x64x16xf32>, %k: tensor<?x4x1x16xf32>, %t: tensor<1xi32>,
                    %s: tensor<?x4x1x64xf32>) -> (tensor<?x4x64x16xf32>, tensor<1x1x1x64xf32>) {
  // CHECK: nn.dynamic_update_slice %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<?x4x64x16xf32>, tensor<?x4x1x16xf32>, tensor<1xi32>) -> tensor<?x4x64x16xf32>
  %0 = nn.dynamic_update_slice %cache, %k, %t {axis = 2} : (tensor<?x4x64x16xf32>, tensor<?x4x1x16xf32>, tensor<1xi32>) -> tensor<?x4x64x16xf32>
  // CHECK: nn.causal_mask %{{.*}} at %{{.*}} : tensor<?x4x1x64xf32>, tensor<1xi32> -> tensor<1x1x1x64xf32>
  %1 = nn.causal_mask %s at %t : tensor<?x4x1x64xf32>, tensor<1xi32> -> tensor<1x1x1x64xf32>
  return %0, %1 : tensor<?x4x64x16xf32>, tensor<1x1x1x64xf32>
}

// CHECK-LABEL: func.func @softmax
func.func @softmax(%s: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // CHECK: nn.softmax %{{.*}} {axis = 3 : i64} : tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>
  %0 = nn.softmax %s {axis = 3} : tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}
