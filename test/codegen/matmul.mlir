// Tests the GEMM schedule: 32x8 output tiles (two AVX-512 vectors by eight rows) whose
// accumulator has a constant size (registers), the k loop inside a tile, row tiles in
// parallel when a call has enough work, a one-row variant for batches smaller than a tile, and the bias + relu
// epilogue fused into the tile.
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s

module attributes {nn.model = "mm"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x784xf32>
  nn.variable @w {init = "glorot_uniform"} : tensor<784x128xf32>
  nn.variable @b {init = "zeros"} : tensor<128xf32>
  func.func @infer(%x: tensor<?x784xf32> {nn.input = @x},
                   %w: tensor<784x128xf32> {nn.param = @w},
                   %b: tensor<128xf32> {nn.param = @b}) -> tensor<?x128xf32> {
    %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
    %1 = nn.add %0, %b : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %2 = nn.relu %1 : (tensor<?x128xf32>) -> tensor<?x128xf32>
    return %2 : tensor<?x128xf32>
  }
}

// CHECK-LABEL: // kernel mm_infer_k0
// CHECK: func mm_infer_k0_par_for_out0_s0_d1_mo
// CHECK: for (out0.s0.d0.no, 0, 4) {
// CHECK-NEXT: allocate matmul_{{[0-9]+}}[float32 * 32 * 8]
// CHECK: for (matmul_{{[0-9]+}}.s1.k_{{[0-9]+}}$x, 0, 784) {
// CHECK-NEXT: matmul_[[N:[0-9]+]][ramp(0, 1, 16)] = matmul_[[N]][ramp(0, 1, 16)] + (in1[ramp({{.*}}, 1, 16){{.*}}]*x16(in0[
// CHECK: out0[ramp({{.*}}, 1, 16){{.*}}] = max(matmul_[[N]][ramp(0, 1, 16)] + in2[ramp({{.*}}, 1, 16){{.*}}], x16(0.000000f))
// Row tiles in parallel from 11 rows on (2^20 multiply-adds, 784 x 128 per row), serially
// from 8, and the variant for fewer than 8 rows: a 32x1 accumulator.
// CHECK: if ((8 <= out0.extent.1) && ((int64)11 <= int64(out0.extent.1))) {
// CHECK: halide_do_par_for
// CHECK: } else if (8 <= out0.extent.1) {
// CHECK-NOT: halide_do_par_for
// CHECK: allocate matmul_{{[0-9]+}}[float32 * 32 * 8]
// CHECK: } else {
// CHECK-NOT: halide_do_par_for
// CHECK: allocate matmul_{{[0-9]+}}[float32 * 32]{{$}}
