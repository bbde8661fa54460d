// Tests the GEMM tiling and packing decisions per target, whatever machine runs the
// suite (see codegen/Schedules.cpp, gemmPlan):
//   register tile: accumulators (rows x vectors) + one k step's rhs vectors + one
//     broadcast fit the register file: 6 rows x 2 vectors on SSE (8 floats) and AVX2
//     (16 floats), both with 16 registers; on AVX-512 (32 registers) 12 rows x 2 zmm
//     (32 floats) for a static row count, 8 rows for a dynamic one (a batch);
//   narrow outputs (10 columns) take one vector (AVX-512: a 10-lane one);
//   packing: a static product with >= 64 rows packs the rhs into panels (k x tile
//     columns, once per panel, in parallel over panels, row tiles inside); a transposed
//     rhs is always packed (a transposing copy instead of gathers); W1's first layer
//     (dynamic rows, 400 KB rhs) is not (the copy would dominate a small batch);
//   row blocks: a packed product with too few panels for 8 parallel tasks also splits
//     its rows into blocks (AVX-512: 4 panels x 2 blocks of 396 rows).
// RUN: nnc %s --emit=halide --target=x86-64 | FileCheck %s --check-prefixes=CHECK,SSE
// RUN: nnc %s --emit=halide --target=x86-64-avx2 | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s --check-prefixes=CHECK,AVX512
// The host target gets one of these schedules (its module line names its features).
// RUN: nnc %s --emit=halide --target=host | FileCheck %s --check-prefix=HOST
module attributes {nn.model = "gemm"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x784xf32>
  nn.input @h {dims = ["B", ""]} : tensor<?x128xf32>
  nn.input @dy {dims = ["B", ""]} : tensor<?x10xf32>
  nn.input @dh {dims = ["B", ""]} : tensor<?x128xf32>
  nn.input @a {dims = ["", ""]} : tensor<1024x1024xf32>
  nn.input @b {dims = ["", ""]} : tensor<1024x1024xf32>
  nn.variable @w0 {init = "glorot_uniform"} : tensor<784x128xf32>
  nn.variable @b0 {init = "zeros"} : tensor<128xf32>
  nn.variable @w1 {init = "glorot_uniform"} : tensor<128x10xf32>
  func.func @infer(%x: tensor<?x784xf32> {nn.input = @x}, %h: tensor<?x128xf32> {nn.input = @h},
                   %dy: tensor<?x10xf32> {nn.input = @dy}, %dh: tensor<?x128xf32> {nn.input = @dh},
                   %a: tensor<1024x1024xf32> {nn.input = @a}, %b: tensor<1024x1024xf32> {nn.input = @b},
                   %w0: tensor<784x128xf32> {nn.param = @w0}, %b0: tensor<128xf32> {nn.param = @b0},
                   %w1: tensor<128x10xf32> {nn.param = @w1})
      -> (tensor<?x128xf32> {nn.output = "y0"}, tensor<?x10xf32> {nn.output = "y1"},
          tensor<?x128xf32> {nn.output = "y2"}, tensor<784x128xf32> {nn.output = "y3"},
          tensor<1024x1024xf32> {nn.output = "y4"}) {
    %0 = nn.matmul %x, %w0 : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
    %1 = nn.add %0, %b0 : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %y0 = nn.relu %1 : (tensor<?x128xf32>) -> tensor<?x128xf32>
    %y1 = nn.matmul %h, %w1 : (tensor<?x128xf32>, tensor<128x10xf32>) -> tensor<?x10xf32>
    %y2 = nn.matmul %dy, %w1 {transpose_rhs = true} : (tensor<?x10xf32>, tensor<128x10xf32>) -> tensor<?x128xf32>
    %y3 = nn.matmul %x, %dh {transpose_lhs = true} : (tensor<?x784xf32>, tensor<?x128xf32>) -> tensor<784x128xf32>
    %y4 = nn.matmul %a, %b : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
    return %y0, %y1, %y2, %y3, %y4 : tensor<?x128xf32>, tensor<?x10xf32>, tensor<?x128xf32>, tensor<784x128xf32>, tensor<1024x1024xf32>
  }
}

// W1's first layer: dynamic rows, unpacked; row tiles in parallel, the bias + relu
// epilogue in the tile, a one-row variant for batches smaller than a tile.
// CHECK-LABEL: // kernel gemm_infer_k0
// CHECK-NOT: allocate rhs
// CHECK: func gemm_infer_k0_par_for_out0_s0_d1_mo (
// SSE: allocate matmul_{{[0-9$]+}}[float32 * 8 * 6]
// AVX2: allocate matmul_{{[0-9$]+}}[float32 * 16 * 6]
// AVX512: allocate matmul_{{[0-9$]+}}[float32 * 32 * 8]
// SSE: out0[ramp({{.*}}, 1, 4){{.*}}] = max(matmul_{{[0-9$]+}}[ramp(0, 1, 4)] + in2[
// AVX2: out0[ramp({{.*}}, 1, 8){{.*}}] = max(matmul_{{[0-9$]+}}[ramp(0, 1, 8)] + in2[
// AVX512: out0[ramp({{.*}}, 1, 16){{.*}}] = max(matmul_{{[0-9$]+}}[ramp(0, 1, 16)] + in2[
// In parallel from 11 rows on (2^20 multiply-adds: 784 x 128 per row), serially below.
// SSE: if ((6 <= out0.extent.1) && ((int64)11 <= int64(out0.extent.1))) {
// AVX2: if ((6 <= out0.extent.1) && ((int64)11 <= int64(out0.extent.1))) {
// AVX512: if ((8 <= out0.extent.1) && ((int64)11 <= int64(out0.extent.1))) {
// CHECK: halide_do_par_for
// SSE-NEXT: assert
// SSE-NEXT: } else if (6 <= out0.extent.1) {
// AVX2-NEXT: assert
// AVX2-NEXT: } else if (6 <= out0.extent.1) {
// AVX512-NEXT: assert
// AVX512-NEXT: } else if (8 <= out0.extent.1) {
// CHECK-NOT: halide_do_par_for
// SSE: allocate matmul_{{[0-9$]+}}[float32 * 8]{{$}}
// AVX2: allocate matmul_{{[0-9$]+}}[float32 * 16]{{$}}
// AVX512: allocate matmul_{{[0-9$]+}}[float32 * 32]{{$}}
// CHECK-NOT: halide_do_par_for

// A 10-column output: one vector wide, shifted tiles cover it on SSE and AVX2.
// CHECK-LABEL: // kernel gemm_infer_k1
// SSE: allocate matmul_{{[0-9$]+}}[float32 * 8 * 6]
// AVX2: allocate matmul_{{[0-9$]+}}[float32 * 8 * 8]
// AVX512: allocate matmul_{{[0-9$]+}}[float32 * 10 * 8]

// A transposed rhs: packed (transposed) per panel, even with a dynamic row count.
// CHECK-LABEL: // kernel gemm_infer_k2
// CHECK: func gemm_infer_k2_par_for_out0{{.*}}_s0_d0_no_panel (
// SSE: allocate rhs_{{[0-9$]+}}[float32 * 8 * 10]
// AVX2: allocate rhs_{{[0-9$]+}}[float32 * 16 * 10]
// AVX512: allocate rhs_{{[0-9$]+}}[float32 * 32 * 10]
// CHECK: for (out0{{[0-9$]+}}.s0.d1.mo,
// SSE: allocate matmul_{{[0-9$]+}}[float32 * 8 * 6]
// AVX2: allocate matmul_{{[0-9$]+}}[float32 * 16 * 6]
// AVX512: allocate matmul_{{[0-9$]+}}[float32 * 32 * 8]

// x^T @ dh (W1's weight gradient): 784 static rows, the batch contracted; packed.
// CHECK-LABEL: // kernel gemm_infer_k3
// SSE: allocate rhs_{{[0-9$]+}}[float32 * 8 * in0.extent.1]
// AVX2: allocate rhs_{{[0-9$]+}}[float32 * 16 * in0.extent.1]
// AVX512: allocate rhs_{{[0-9$]+}}[float32 * 32 * in0.extent.1]
// SSE: for (out0{{[0-9$]+}}.s0.d1.mo, 0, 130) {
// AVX2: for (out0{{[0-9$]+}}.s0.d1.mo, 0, 130) {
// AVX512: for (out0{{[0-9$]+}}.s0.d1.mr.mo, 0, 33) {
// SSE: allocate matmul_{{[0-9$]+}}[float32 * 8 * 6]
// AVX2: allocate matmul_{{[0-9$]+}}[float32 * 16 * 6]
// AVX512: allocate matmul_{{[0-9$]+}}[float32 * 32 * 12]
// SSE: halide_do_par_for({{.*}}_panel, 0, 16,
// AVX2: halide_do_par_for({{.*}}_panel, 0, 8,
// AVX512: halide_do_par_for({{.*}}_panel, 0, 8,

// A 1024^3 SGEMM: packed panels of 1024 x tile columns, row tiles inside, panels in
// parallel.
// CHECK-LABEL: // kernel gemm_infer_k4
// SSE: allocate rhs_{{[0-9$]+}}[float32 * 8 * 1024]
// AVX2: allocate rhs_{{[0-9$]+}}[float32 * 16 * 1024]
// AVX512: allocate rhs_{{[0-9$]+}}[float32 * 32 * 1024]
// SSE: for (out0{{[0-9$]+}}.s0.d1.mo, 0, 170) {
// AVX2: for (out0{{[0-9$]+}}.s0.d1.mo, 0, 170) {
// AVX512: for (out0{{[0-9$]+}}.s0.d1.mo, 0, 85) {
// SSE: allocate matmul_{{[0-9$]+}}[float32 * 8 * 6]
// AVX2: allocate matmul_{{[0-9$]+}}[float32 * 16 * 6]
// AVX512: allocate matmul_{{[0-9$]+}}[float32 * 32 * 12]
// SSE: halide_do_par_for({{.*}}_panel, 0, 128,
// AVX2: halide_do_par_for({{.*}}_panel, 0, 64,
// AVX512: halide_do_par_for({{.*}}_panel, 0, 32,

// HOST: module name=gemm_infer_k0, target=x86-64-linux-{{.*}}avx2
// HOST: allocate matmul_{{[0-9$]+}}[float32 * {{(16 \* 6|32 \* 8)}}]
// HOST-LABEL: // kernel gemm_infer_k4
// HOST: allocate rhs_{{[0-9$]+}}[float32 * {{(16|32)}} * 1024]
