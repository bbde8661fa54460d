// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests when a max pool joins its convolution's kernel (passes/Fuse.cpp,
// poolsConvolution): a direct convolution (not one Winograd's algorithm computes),
// whose result (or its epilogue's) nothing but the pool reads, over unpadded windows.

// Tests that the pool joins a direct convolution and its epilogue: one kernel, one
// result (the pooled tensor).
// CHECK-LABEL: func.func @pooled(
// CHECK: nn.kernel "pooled_k0"(%{{.*}}, %{{.*}}, %{{.*}}) {nn.fusion = {inputs = ["function argument", "function argument", "function argument"], kind = "conv2d"}} : (tensor<2x9x10x3xf32>, tensor<3x3x3x8xf32>, tensor<8xf32>) -> tensor<2x3x4x8xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.conv2d
// CHECK-NEXT: nn.add
// CHECK-NEXT: nn.relu
// CHECK-NEXT: nn.max_pool2d
// CHECK-NOT: nn.kernel
func.func @pooled(%x: tensor<2x9x10x3xf32>, %w: tensor<3x3x3x8xf32>, %b: tensor<8xf32>) -> tensor<2x3x4x8xf32> {
  %c = nn.conv2d %x, %w : (tensor<2x9x10x3xf32>, tensor<3x3x3x8xf32>) -> tensor<2x7x8x8xf32>
  %a = nn.add %c, %b : (tensor<2x7x8x8xf32>, tensor<8xf32>) -> tensor<2x7x8x8xf32>
  %r = nn.relu %a : (tensor<2x7x8x8xf32>) -> tensor<2x7x8x8xf32>
  %p = nn.max_pool2d %r {size = array<i64: 2>} : (tensor<2x7x8x8xf32>) -> tensor<2x3x4x8xf32>
  return %p : tensor<2x3x4x8xf32>
}

// -----

// Tests that the pool stays apart when another op reads the convolution's result (a
// training step's backward reads the ReLU's result).
// CHECK-LABEL: func.func @read_elsewhere(
// CHECK: %[[C:.*]] = nn.kernel "read_elsewhere_k0"
// CHECK: nn.kernel "read_elsewhere_k1"(%[[C]]) {nn.fusion = {inputs = ["a max pool joins only a direct convolution (not Winograd's) whose result nothing else reads, over unpadded windows"], kind = "reduction"}}
func.func @read_elsewhere(%x: tensor<2x9x10x3xf32>, %w: tensor<3x3x3x8xf32>) -> (tensor<2x3x4x8xf32>, tensor<2x7x8x8xf32>) {
  %c = nn.conv2d %x, %w : (tensor<2x9x10x3xf32>, tensor<3x3x3x8xf32>) -> tensor<2x7x8x8xf32>
  %r = nn.relu %c : (tensor<2x7x8x8xf32>) -> tensor<2x7x8x8xf32>
  %p = nn.max_pool2d %r {size = array<i64: 2>} : (tensor<2x7x8x8xf32>) -> tensor<2x3x4x8xf32>
  return %p, %r : tensor<2x3x4x8xf32>, tensor<2x7x8x8xf32>
}

// -----

// Tests that the pool stays apart from a convolution that Winograd's algorithm
// computes (3x3, stride 1, 16 channels in and out, 64 output positions or more).
// CHECK-LABEL: func.func @winograd(
// CHECK: %[[C:.*]] = nn.kernel "winograd_k0"
// CHECK: nn.kernel "winograd_k1"(%[[C]]) {nn.fusion = {inputs = ["a max pool joins only a direct convolution (not Winograd's) whose result nothing else reads, over unpadded windows"], kind = "reduction"}}
func.func @winograd(%x: tensor<2x10x10x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<2x5x5x16xf32> {
  %c = nn.conv2d %x, %w {padding = "same"} : (tensor<2x10x10x16xf32>, tensor<3x3x16x16xf32>) -> tensor<2x10x10x16xf32>
  %p = nn.max_pool2d %c {size = array<i64: 2>} : (tensor<2x10x10x16xf32>) -> tensor<2x5x5x16xf32>
  return %p : tensor<2x5x5x16xf32>
}

// -----

// Tests that a pool over padded windows stays apart (its windows would read the
// convolution's result outside its extent).
// CHECK-LABEL: func.func @padded_pool(
// CHECK: %[[C:.*]] = nn.kernel "padded_pool_k0"
// CHECK: nn.kernel "padded_pool_k1"(%[[C]]) {nn.fusion = {inputs = ["a max pool joins only a direct convolution (not Winograd's) whose result nothing else reads, over unpadded windows"], kind = "reduction"}}
func.func @padded_pool(%x: tensor<2x9x10x3xf32>, %w: tensor<3x3x3x8xf32>) -> tensor<2x4x4x8xf32> {
  %c = nn.conv2d %x, %w : (tensor<2x9x10x3xf32>, tensor<3x3x3x8xf32>) -> tensor<2x7x8x8xf32>
  %p = nn.max_pool2d %c {size = array<i64: 2>, padding = "same"} : (tensor<2x7x8x8xf32>) -> tensor<2x4x4x8xf32>
  return %p : tensor<2x4x4x8xf32>
}
