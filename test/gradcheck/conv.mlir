// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradients of the convolution family (conv2d with valid, strided "same"
// and dilated windows; conv2d_transpose), of max and average pooling (non-overlapping,
// and overlapping "same" windows), of pad (growing and cropping) and of tile match float64
// central differences. Random inputs have no ties, so the max's derivative exists.

// CHECK: PASS conv_valid:
func.func @conv_valid(%x: tensor<2x5x6x3xf32>, %w: tensor<3x2x3x4xf32>) -> tensor<2x3x5x4xf32> {
  %0 = nn.conv2d %x, %w : (tensor<2x5x6x3xf32>, tensor<3x2x3x4xf32>) -> tensor<2x3x5x4xf32>
  return %0 : tensor<2x3x5x4xf32>
}
// CHECK: PASS conv_same_stride2:
func.func @conv_same_stride2(%x: tensor<1x7x6x2xf32>, %w: tensor<3x3x2x3xf32>) -> tensor<1x4x3x3xf32> {
  %0 = nn.conv2d %x, %w {stride = array<i64: 2>, padding = "same"} : (tensor<1x7x6x2xf32>, tensor<3x3x2x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}
// CHECK: PASS conv_dilated:
func.func @conv_dilated(%x: tensor<1x7x7x2xf32>, %w: tensor<2x3x2x2xf32>) -> tensor<1x5x3x2xf32> {
  %0 = nn.conv2d %x, %w {dilation = array<i64: 2, 2>} : (tensor<1x7x7x2xf32>, tensor<2x3x2x2xf32>) -> tensor<1x5x3x2xf32>
  return %0 : tensor<1x5x3x2xf32>
}
// CHECK: PASS conv_transpose:
func.func @conv_transpose(%x: tensor<2x3x3x2xf32>, %w: tensor<5x5x2x3xf32>) -> tensor<2x6x6x3xf32> {
  %0 = nn.conv2d_transpose %x, %w {output_shape = array<i64: 6, 6>, stride = array<i64: 2>, padding = "same"} : (tensor<2x3x3x2xf32>, tensor<5x5x2x3xf32>) -> tensor<2x6x6x3xf32>
  return %0 : tensor<2x6x6x3xf32>
}
// CHECK: PASS max_pool:
func.func @max_pool(%x: tensor<2x4x5x3xf32>) -> tensor<2x2x2x3xf32> {
  %0 = nn.max_pool2d %x {size = array<i64: 2>} : (tensor<2x4x5x3xf32>) -> tensor<2x2x2x3xf32>
  return %0 : tensor<2x2x2x3xf32>
}
// Windows that do not overlap have a gradient of their own (a gather, Pool.cpp): with
// "same" padding before and after the rows (7 -> 3 rows of 3) and after the columns.
// CHECK: PASS max_pool_same_3x3:
func.func @max_pool_same_3x3(%x: tensor<1x7x8x2xf32>) -> tensor<1x3x3x2xf32> {
  %0 = nn.max_pool2d %x {size = array<i64: 3>, padding = "same"} : (tensor<1x7x8x2xf32>) -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}
// CHECK: PASS max_pool_same_overlap:
func.func @max_pool_same_overlap(%x: tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32> {
  %0 = nn.max_pool2d %x {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}
// CHECK: PASS pad:
func.func @pad(%x: tensor<2x3x4xf32>) -> tensor<2x4x3xf32> {
  %0 = nn.pad %x {pads = array<i64: 0, 0, 1, 0, 0, -1>, value = 0.5 : f32} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// CHECK: PASS tile:
func.func @tile(%x: tensor<2x3xf32>) -> tensor<4x9xf32> {
  %0 = nn.tile %x {reps = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// CHECK: PASS avg_pool:
func.func @avg_pool(%x: tensor<2x4x5x3xf32>) -> tensor<2x2x2x3xf32> {
  %0 = nn.avg_pool2d %x {size = array<i64: 2>} : (tensor<2x4x5x3xf32>) -> tensor<2x2x2x3xf32>
  return %0 : tensor<2x2x2x3xf32>
}

// Overlapping windows, some cut by the padding (counted without it, as Keras).
// CHECK: PASS avg_pool_same_overlap:
func.func @avg_pool_same_overlap(%x: tensor<1x5x6x2xf32>) -> tensor<1x3x3x2xf32> {
  %0 = nn.avg_pool2d %x {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<1x5x6x2xf32>) -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// CHECK: {{^}}11 passed, 0 failed
