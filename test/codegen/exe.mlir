// Tests a linked executable end to end: the model tables (symbols, slot shapes, output
// names), a GEMM kernel with its epilogue, a full reduction, an output that is an entry
// argument (a copy kernel) and one that is a reshape of a kernel result (an alias,
// copied as well), run by libnnrt on a .npy input with ones/zeros parameters.
// RUN: nnc %s -o %t
// RUN: %t info | FileCheck %s --check-prefix=INFO
// RUN: %t run --input x=%S/Inputs/x2x3.npy --print | FileCheck %s

// INFO: model: exe
// INFO: inputs:
// INFO-NEXT: x: f32[B, 3]
// INFO: params:
// INFO-NEXT: w: f32[3, 2]
// INFO-NEXT: b: f32[2]
// INFO: infer(x) -> (y: f32[B, 2], loss: f32[], x_copy: f32[B, 3], y_flat: f32[B, 2, 1]), 4 kernels

// x = [[1, 2, 3], [4, 5, -6]], w = ones, b = zeros: y = relu(x @ w + b).
// CHECK: y: 6 6 3 3
// CHECK-NEXT: loss: 4.5
// CHECK-NEXT: x_copy: 1 2 3 4 5 -6
// CHECK-NEXT: y_flat: 6 6 3 3

module attributes {nn.model = "exe"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x3xf32>
  nn.variable @w {init = "ones"} : tensor<3x2xf32>
  nn.variable @b {init = "zeros"} : tensor<2xf32>
  func.func @infer(%x: tensor<?x3xf32> {nn.input = @x}, %w: tensor<3x2xf32> {nn.param = @w},
                   %b: tensor<2xf32> {nn.param = @b})
      -> (tensor<?x2xf32> {nn.output = "y"}, tensor<f32> {nn.output = "loss"},
          tensor<?x3xf32> {nn.output = "x_copy"}, tensor<?x2x1xf32> {nn.output = "y_flat"}) {
    %0 = nn.matmul %x, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
    %1 = nn.add %0, %b : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %y = nn.relu %1 : (tensor<?x2xf32>) -> tensor<?x2xf32>
    %loss = nn.reduce_mean %y {axes = array<i64>} : tensor<?x2xf32> -> tensor<f32>
    %flat = nn.reshape %y {shape = array<i64: -1, 2, 1>} : tensor<?x2xf32> -> tensor<?x2x1xf32>
    return %y, %loss, %x, %flat : tensor<?x2xf32>, tensor<f32>, tensor<?x3xf32>, tensor<?x2x1xf32>
  }
}
