// Tests that a product with a dynamic row count and large weights runs its panels in
// parallel also for fewer rows than a register tile: W2's dense layer at one image, a
// GEMV over 3136 x 1024 weights (3.2M multiply-adds per row, parallel from 1 row),
// took 1.09 ms on one core and 0.63 with both (`./cnn bench --entry infer --batch 1`);
// below a tile's rows it reads the weights in place, 256 columns per row at a time.
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s
module attributes {nn.model = "mv"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x3136xf32>
  nn.variable @w {init = "glorot_uniform"} : tensor<3136x1024xf32>
  func.func @infer(%x: tensor<?x3136xf32> {nn.input = @x},
                   %w: tensor<3136x1024xf32> {nn.param = @w}) -> tensor<?x1024xf32> {
    %0 = nn.matmul %x, %w : (tensor<?x3136xf32>, tensor<3136x1024xf32>) -> tensor<?x1024xf32>
    return %0 : tensor<?x1024xf32>
  }
}

// CHECK-LABEL: // kernel mv_infer_k0
// A tile of 8 rows, the 32 panels in parallel (each copied in blocks of 128 terms of
// k), then serial; fewer rows: the weights read in place (no copy), 256 columns of a
// row at a time, the 4 column blocks in parallel, then the same serially (no work: 0
// rows).
// CHECK: func mv_infer_k0_par_for_out0_s0_d0_no_panel (
// CHECK: allocate rhs_0[float32 * 32 * 128]
// CHECK: func mv_infer_k0_par_for_out0_s0_d0_no_panel__1 (
// CHECK-NOT: allocate rhs
// CHECK: allocate matmul_{{[0-9]+}}[float32 * 256 * out0.extent.1]
// CHECK-NOT: allocate rhs
// CHECK: if ((8 <= out0.extent.1) && ((int64)1 <= int64(out0.extent.1))) {
// CHECK: halide_do_par_for({{.*}}, 0, 32,
// CHECK: } else if (8 <= out0.extent.1) {
// CHECK-NOT: halide_do_par_for
// CHECK: allocate rhs_0[float32 * 32 * 128]
// CHECK: } else if ((int64)1 <= int64(out0.extent.1)) {
// CHECK: halide_do_par_for({{.*}}, 0, 4,
// CHECK: } else {
// CHECK-NOT: halide_do_par_for
// CHECK-NOT: allocate rhs
// CHECK: allocate matmul_{{[0-9]+}}[float32 * 256 * out0.extent.1]{{$}}
