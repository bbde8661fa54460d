// Tests matmul prologues end to end: an lhs prologue with a small static contracted dim
// is computed per row tile on the stack, an rhs prologue once (compute_root), and a
// transposed lhs whose contracted dim is the dynamic batch per row tile on the heap;
// the results are those of the unfused formulas.
// RUN: nnc %s -o %t
// RUN: %t run --input x=%S/Inputs/x2x3.npy --print | FileCheck %s
// RUN: nnc %s --emit=halide | FileCheck %s --check-prefix=STMT

// x = [[1, 2, 3], [4, 5, -6]], a = relu(x - 1) = [[0, 1, 2], [3, 4, 0]], w = ones:
// y = a @ (w * 2) = [[6, 6], [14, 14]]; z = a^T @ x.
// CHECK: y: 6 6 14 14
// CHECK-NEXT: z: 12 15 -18 17 22 -21 2 4 6

// w * 2 is computed once, before the tiles; the lhs rows of y's row tile live on the
// stack; z's rows of a^T (a dynamic size) on the heap (z has one row tile).
// STMT-LABEL: // kernel pro_infer_k0
// STMT: allocate prologue_{{[0-9$]+}}[float32 * 6]
// STMT: allocate prologue_{{[0-9$]+}}[float32 * {{[0-9]+}}] in Stack
// STMT-LABEL: // kernel pro_infer_k1
// STMT: produce out0
// STMT-NEXT: allocate prologue_{{[0-9$]+}}[float32 * 3 * in0.extent.1]{{$}}
// STMT-NEXT: produce prologue

module attributes {nn.model = "pro"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x3xf32>
  nn.variable @w {init = "ones"} : tensor<3x2xf32>
  func.func @infer(%x: tensor<?x3xf32> {nn.input = @x}, %w: tensor<3x2xf32> {nn.param = @w})
      -> (tensor<?x2xf32> {nn.output = "y"}, tensor<3x3xf32> {nn.output = "z"}) {
    %one = nn.constant dense<1.0> : tensor<f32>
    %two = nn.constant dense<2.0> : tensor<f32>
    %s = nn.sub %x, %one : (tensor<?x3xf32>, tensor<f32>) -> tensor<?x3xf32>
    %a = nn.relu %s : (tensor<?x3xf32>) -> tensor<?x3xf32>
    %w2 = nn.mul %w, %two : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
    %y = nn.matmul %a, %w2 : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
    %z = nn.matmul %a, %x {transpose_lhs = true} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<3x3xf32>
    return %y, %z : tensor<?x2xf32>, tensor<3x3xf32>
  }
}
