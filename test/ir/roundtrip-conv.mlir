// RUN: nn-opt %s | nn-opt | FileCheck %s
// Tests that the convolution, pooling, pad and tile ops print and re-parse unchanged,
// with their attributes, and that their shape rules accept a dynamic batch.

// CHECK-LABEL: func.func @convolutions
func.func @convolutions(%x: tensor<?x7x6x3xf32>, %w: tensor<3x3x3x4xf32>, %g: tensor<?x4x3x4xf32>,
                        %wt: tensor<3x3x4x3xf32>)
    -> (tensor<?x5x4x4xf32>, tensor<?x4x3x4xf32>, tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>) {
  // CHECK: nn.conv2d %{{.*}}, %{{.*}} : (tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x5x4x4xf32>
  %0 = nn.conv2d %x, %w : (tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x5x4x4xf32>
  // CHECK: nn.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, padding = "same", stride = array<i64: 2>}
  %1 = nn.conv2d %x, %w {stride = array<i64: 2>, dilation = array<i64: 1, 1>, padding = "same"} : (tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x4x3x4xf32>
  // CHECK: nn.conv2d_transpose %{{.*}}, %{{.*}} {output_shape = array<i64: 7, 6>, padding = "same", stride = array<i64: 2>}
  %2 = nn.conv2d_transpose %g, %wt {output_shape = array<i64: 7, 6>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x3x4xf32>, tensor<3x3x4x3xf32>) -> tensor<?x7x6x3xf32>
  // CHECK: nn.conv2d_filter_grad %{{.*}}, %{{.*}} {kernel = array<i64: 3, 3>, padding = "same", stride = array<i64: 2>}
  %3 = nn.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>, tensor<?x4x3x4xf32>) -> tensor<3x3x3x4xf32>
  return %0, %1, %2, %3 : tensor<?x5x4x4xf32>, tensor<?x4x3x4xf32>, tensor<?x7x6x3xf32>, tensor<3x3x3x4xf32>
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<?x7x6x3xf32>, %gp: tensor<?x4x3x3xf32>)
    -> (tensor<?x3x3x3xf32>, tensor<?x4x3x3xi32>, tensor<?x7x6x3xf32>) {
  // CHECK: nn.max_pool2d %{{.*}} {size = array<i64: 2>} : (tensor<?x7x6x3xf32>) -> tensor<?x3x3x3xf32>
  %0 = nn.max_pool2d %x {size = array<i64: 2>} : (tensor<?x7x6x3xf32>) -> tensor<?x3x3x3xf32>
  // CHECK: nn.max_pool2d_argmax %{{.*}} {padding = "same", size = array<i64: 3>, stride = array<i64: 2>} : (tensor<?x7x6x3xf32>) -> tensor<?x4x3x3xi32>
  %1 = nn.max_pool2d_argmax %x {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>) -> tensor<?x4x3x3xi32>
  // CHECK: nn.max_pool2d_backward %{{.*}}, %{{.*}}, %{{.*}} {padding = "same", size = array<i64: 3>, stride = array<i64: 2>}
  %2 = nn.max_pool2d_backward %gp, %1, %x {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x3x3xf32>, tensor<?x4x3x3xi32>, tensor<?x7x6x3xf32>) -> tensor<?x7x6x3xf32>
  // CHECK: nn.avg_pool2d %{{.*}} {padding = "same", size = array<i64: 3, 3>, stride = array<i64: 2>} : (tensor<?x7x6x3xf32>) -> tensor<?x4x3x3xf32>
  %3 = nn.avg_pool2d %x {size = array<i64: 3, 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x7x6x3xf32>) -> tensor<?x4x3x3xf32>
  // CHECK: nn.avg_pool2d_backward %{{.*}}, %{{.*}} {padding = "same", size = array<i64: 3>, stride = array<i64: 2>} : (tensor<?x4x3x3xf32>, tensor<?x7x6x3xf32>) -> tensor<?x7x6x3xf32>
  %4 = nn.avg_pool2d_backward %gp, %x {size = array<i64: 3>, stride = array<i64: 2>, padding = "same"} : (tensor<?x4x3x3xf32>, tensor<?x7x6x3xf32>) -> tensor<?x7x6x3xf32>
  return %0, %1, %2 : tensor<?x3x3x3xf32>, tensor<?x4x3x3xi32>, tensor<?x7x6x3xf32>
}

// CHECK-LABEL: func.func @pad_tile
func.func @pad_tile(%x: tensor<?x4x5xf32>) -> (tensor<?x6x3xf32>, tensor<?x8x15xf32>) {
  // A negative number crops.
  // CHECK: nn.pad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 0, -2>, value = 1.000000e+00 : f32} : tensor<?x4x5xf32> -> tensor<?x6x3xf32>
  %0 = nn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, -2>, value = 1.0 : f32} : tensor<?x4x5xf32> -> tensor<?x6x3xf32>
  // CHECK: nn.tile %{{.*}} {reps = array<i64: 1, 2, 3>} : tensor<?x4x5xf32> -> tensor<?x8x15xf32>
  %1 = nn.tile %x {reps = array<i64: 1, 2, 3>} : tensor<?x4x5xf32> -> tensor<?x8x15xf32>
  return %0, %1 : tensor<?x6x3xf32>, tensor<?x8x15xf32>
}
