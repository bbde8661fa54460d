// Tests that an elementwise kernel is vectorized by the target's f32 vector width
// (16 for AVX-512, 8 for AVX2) and parallel over rows when large, and that a splat
// constant becomes an immediate.
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s --check-prefix=AVX512
// RUN: nnc %s --emit=halide --target=x86-64-avx2 | FileCheck %s --check-prefix=AVX2

module attributes {nn.model = "ew"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x256xf32>
  func.func @infer(%x: tensor<?x256xf32> {nn.input = @x}) -> tensor<?x256xf32> {
    %c = nn.constant dense<3.0> : tensor<f32>
    %0 = nn.mul %x, %c : (tensor<?x256xf32>, tensor<f32>) -> tensor<?x256xf32>
    %1 = nn.relu %0 : (tensor<?x256xf32>) -> tensor<?x256xf32>
    return %1 : tensor<?x256xf32>
  }
}

// AVX512-LABEL: // kernel ew_infer_k0
// AVX512: target=x86-64-linux-{{.*}}avx512
// AVX512: func ew_infer_k0_par_for_out0_s0_d1_ro
// AVX512: out0[ramp({{.*}}, 1, 16){{.*}}] = max(in0[ramp({{.*}}, 1, 16){{.*}}], x16(0.000000f))*x16(3.000000f)
// AVX512: halide_do_par_for

// AVX2-LABEL: // kernel ew_infer_k0
// AVX2-NOT: avx512
// AVX2: out0[ramp({{.*}}, 1, 8){{.*}}] = max(in0[ramp({{.*}}, 1, 8){{.*}}], x8(0.000000f))*x8(3.000000f)
