// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradients of reduce_sum, reduce_mean and reduce_max match float64
// central differences over one axis, several axes (in any order) and all axes (empty
// `axes`), with and without keepdims. Random inputs have no ties for reduce_max.

// CHECK: PASS sum_axis1:
func.func @sum_axis1(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK: PASS sum_axis1_keep:
func.func @sum_axis1_keep(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// CHECK: PASS sum_axes02:
func.func @sum_axes02(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK: PASS sum_axes20_keep:
func.func @sum_axes20_keep(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 2, 0>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// CHECK: PASS sum_all:
func.func @sum_all(%x: tensor<2x3x4xf32>) -> tensor<f32> {
  %0 = nn.reduce_sum %x {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS sum_all_keep:
func.func @sum_all_keep(%x: tensor<2x3x4xf32>) -> tensor<1x1x1xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// CHECK: PASS sum_last:
func.func @sum_last(%x: tensor<2x3x4xf32>) -> tensor<2x3xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS mean_axis1:
func.func @mean_axis1(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK: PASS mean_axis1_keep:
func.func @mean_axis1_keep(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// CHECK: PASS mean_axes02:
func.func @mean_axes02(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK: PASS mean_axes20_keep:
func.func @mean_axes20_keep(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 2, 0>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// CHECK: PASS mean_all:
func.func @mean_all(%x: tensor<2x3x4xf32>) -> tensor<f32> {
  %0 = nn.reduce_mean %x {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS mean_all_keep:
func.func @mean_all_keep(%x: tensor<2x3x4xf32>) -> tensor<1x1x1xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// CHECK: PASS mean_last:
func.func @mean_last(%x: tensor<2x3x4xf32>) -> tensor<2x3xf32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK: PASS max_axis1:
func.func @max_axis1(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK: PASS max_axis1_keep:
func.func @max_axis1_keep(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// CHECK: PASS max_axes02:
func.func @max_axes02(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK: PASS max_axes20_keep:
func.func @max_axes20_keep(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 2, 0>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// CHECK: PASS max_all:
func.func @max_all(%x: tensor<2x3x4xf32>) -> tensor<f32> {
  %0 = nn.reduce_max %x {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: PASS max_all_keep:
func.func @max_all_keep(%x: tensor<2x3x4xf32>) -> tensor<1x1x1xf32> {
  %0 = nn.reduce_max %x {axes = array<i64>, keepdims = true} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// CHECK: PASS max_last:
func.func @max_last(%x: tensor<2x3x4xf32>) -> tensor<2x3xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A reduction over a size-1 dim, and of a rank-1 tensor to rank 0.
// CHECK: PASS max_size1:
func.func @max_size1(%x: tensor<3x1xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 1>} : tensor<3x1xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK: PASS mean_rank1:
func.func @mean_rank1(%x: tensor<5xf32>) -> tensor<f32> {
  %0 = nn.reduce_mean %x {axes = array<i64: 0>} : tensor<5xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK: {{^}}23 passed, 0 failed
