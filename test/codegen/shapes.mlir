// Tests the index arithmetic of shape ops: transpose permutes indices, one_hot compares
// the label with the class index, broadcast_to reads a static 1 dim at 0, and a
// transposed matmul operand contracts over its first dim (here the dynamic batch).
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s

module attributes {nn.model = "sh"} {
  nn.input @x {dims = ["B", "", ""]} : tensor<?x4x6xf32>
  nn.input @lab {dims = ["B"]} : tensor<?xi32>
  nn.input @g {dims = ["B", ""]} : tensor<?x10xf32>
  func.func @infer(%x: tensor<?x4x6xf32> {nn.input = @x}, %lab: tensor<?xi32> {nn.input = @lab},
                   %g: tensor<?x10xf32> {nn.input = @g})
      -> (tensor<6x?x4xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x4x6xf32>) {
    %t = nn.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<?x4x6xf32> -> tensor<6x?x4xf32>
    %oh = nn.one_hot %lab {depth = 10} : tensor<?xi32> -> tensor<?x10xf32>
    %dw = nn.matmul %oh, %g {transpose_lhs = true} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<10x10xf32>
    %y = nn.matmul %g, %dw {transpose_rhs = true} : (tensor<?x10xf32>, tensor<10x10xf32>) -> tensor<?x10xf32>
    %r = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<?x4x6xf32> -> tensor<?x1x6xf32>
    %b = nn.broadcast_to %r, %x : (tensor<?x1x6xf32>, tensor<?x4x6xf32>) -> tensor<?x4x6xf32>
    return %t, %oh, %y, %b : tensor<6x?x4xf32>, tensor<?x10xf32>, tensor<?x10xf32>, tensor<?x4x6xf32>
  }
}

// Transpose and one_hot are independent elementwise kernels: fusion makes them one
// kernel with two outputs.
// Result [6, B, 4] from x [B, 4, 6]: out(d0=j, d1=b, d2=i) = x(d0=i, d1=j, d2=b).
// CHECK-LABEL: // kernel sh_infer_k0
// Consecutive d0 (j) reads x with the stride of its d1 (6 floats).
// CHECK: out0[ramp({{.*}}, 1, 4){{.*}}] = in0[ramp({{.*}}, 6, 4)]
// The 8 classes of a vector are label - c == 0 for c = 0..7.
// CHECK: out1[{{.*}}] = select(ramp(in1[{{.*}}], -1, 8) == x8(0), x8(1.000000f), x8(0.000000f))
// The transposed matmul recomputes one_hot from the labels (a prologue, computed once
// per call: its contracted dim is the batch) and contracts over the labels' only dim.
// CHECK-LABEL: // kernel sh_infer_k1
// CHECK: produce prologue
// CHECK: for (matmul_{{[0-9$]+}}.s1.k_{{[0-9]+}}$x, 0, in0.extent.0) {
// CHECK-LABEL: // kernel sh_infer_k2
// CHECK-LABEL: // kernel sh_infer_k3
// CHECK: produce reduce_sum
// CHECK: = reduce_sum_{{[0-9$]+}}[
