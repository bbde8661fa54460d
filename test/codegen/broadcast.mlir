// Tests right-aligned broadcasting: an operand dim that is a static 1 is read at index 0
// (a scalar load broadcast to the vector), a lower-rank operand is indexed by the
// result's innermost dims, and non-splat constants are embedded buffers.
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s

module attributes {nn.model = "bc"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x64xf32>
  nn.input @s {dims = ["B", ""]} : tensor<?x1xf32>
  func.func @infer(%x: tensor<?x64xf32> {nn.input = @x}, %s: tensor<?x1xf32> {nn.input = @s})
      -> tensor<?x64xf32> {
    %0 = nn.sub %x, %s : (tensor<?x64xf32>, tensor<?x1xf32>) -> tensor<?x64xf32>
    %c = nn.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    %1 = nn.reshape %0 {shape = array<i64: -1, 32, 2>} : tensor<?x64xf32> -> tensor<?x32x2xf32>
    %2 = nn.mul %1, %c : (tensor<?x32x2xf32>, tensor<1x2xf32>) -> tensor<?x32x2xf32>
    %3 = nn.reshape %2 {shape = array<i64: -1, 64>} : tensor<?x32x2xf32> -> tensor<?x64xf32>
    return %3 : tensor<?x64xf32>
  }
}

// CHECK-LABEL: // kernel bc_infer_k0
// in1 is [B, 1]: dim 0 (Halide) is read at 0, so one scalar per row.
// CHECK: out0[ramp({{.*}}, 1, 16){{.*}}] = in0[ramp({{.*}}, 1, 16){{.*}}] - x16(in1[
// CHECK-LABEL: // kernel bc_infer_k1
// The [1, 2] constant is a buffer indexed only by the innermost dim.
// CHECK: = in0[{{.*}}]*const_{{[0-9]+}}[out0{{[$0-9]*}}.s0.d0]
