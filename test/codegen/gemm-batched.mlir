// Tests the schedules of batched products (codegen/Schedules.cpp, scheduleGemm) on a
// fixed target (AVX2: 6 x 16 register tiles), with symbolic B and S:
//   q k^T, a batched transposed rhs: packed, one parallel loop over (batch, panel)
//     (the batch dims fused with the panels), each task packing one batch's panel
//     (32 rows of k, batch extents 1) with its columns clamped into the operand (S
//     may be narrower than a tile), a column per operand row read 8 terms at a time
//     and stored across the panel's k rows;
//   p v, a batched contiguous rhs: read in place, one parallel loop over the batch
//     dims (fused), a batch entry's row tiles in order in its task (the last tile
//     shifts over rows the one before computed: in one task the result does not
//     depend on which task wrote last), no packing copy;
//   x w, [B, S, 64] times a shared [64, 96]: read in place, one task per batch entry;
//   x vᵀ, the same with a shared transposed [96, 64]: copied once per call, before the
//     parallel loop (gemmPlan's small rhs shared by batch dims), then as x w.
// RUN: nnc %s --emit=halide --target=x86-64-avx2 | FileCheck %s
module attributes {nn.model = "bgemm"} {
  nn.input @q {dims = ["B", "", "S", ""]} : tensor<?x4x?x32xf32>
  nn.input @k {dims = ["B", "", "S", ""]} : tensor<?x4x?x32xf32>
  nn.input @p {dims = ["B", "", "S", "S"]} : tensor<?x4x?x?xf32>
  nn.input @x {dims = ["B", "S", ""]} : tensor<?x?x64xf32>
  nn.variable @w {init = "glorot_uniform"} : tensor<64x96xf32>
  nn.variable @v {init = "glorot_uniform"} : tensor<96x64xf32>
  func.func @infer(%q: tensor<?x4x?x32xf32> {nn.input = @q}, %k: tensor<?x4x?x32xf32> {nn.input = @k},
                   %p: tensor<?x4x?x?xf32> {nn.input = @p}, %x: tensor<?x?x64xf32> {nn.input = @x},
                   %w: tensor<64x96xf32> {nn.param = @w}, %v: tensor<96x64xf32> {nn.param = @v})
      -> (tensor<?x4x?x?xf32> {nn.output = "s"}, tensor<?x4x?x32xf32> {nn.output = "o"},
          tensor<?x?x96xf32> {nn.output = "y"}, tensor<?x?x96xf32> {nn.output = "z"}) {
    %s = nn.matmul %q, %k {transpose_rhs = true} : (tensor<?x4x?x32xf32>, tensor<?x4x?x32xf32>) -> tensor<?x4x?x?xf32>
    %o = nn.matmul %p, %k : (tensor<?x4x?x?xf32>, tensor<?x4x?x32xf32>) -> tensor<?x4x?x32xf32>
    %y = nn.matmul %x, %w : (tensor<?x?x64xf32>, tensor<64x96xf32>) -> tensor<?x?x96xf32>
    %z = nn.matmul %x, %v {transpose_rhs = true} : (tensor<?x?x64xf32>, tensor<96x64xf32>) -> tensor<?x?x96xf32>
    return %s, %o, %y, %z : tensor<?x4x?x?xf32>, tensor<?x4x?x32xf32>, tensor<?x?x96xf32>, tensor<?x?x96xf32>
  }
}

// CHECK-LABEL: // kernel bgemm_infer_k0
// CHECK: func bgemm_infer_k0_par_for_out0_s0_d0_no_pb2_panel (
// CHECK: allocate rhs_0[float32 * {{.*}} * 32 * 1 * 1]
// CHECK: produce rhs_0 {
// CHECK: for (rhs_0.s0.d1.ko, 0, 4) {
// CHECK: for (rhs_0.s0.d0.rebased, 0, {{.*}}) {
// CHECK-NEXT: rhs_0[ramp({{.*}}, rhs_0.d0.extent_realized, 8)] = in1[ramp({{.*}}max(min(in1.extent.1 + -1, {{.*}}), 0){{.*}}, 1, 8)]
// CHECK: allocate matmul_{{[0-9$]+}}[float32 * {{.*}} * 6 * 1 * 1]

// CHECK-LABEL: // kernel bgemm_infer_k1
// CHECK-NOT: allocate rhs
// CHECK: func bgemm_infer_k1_par_for_out0{{.*}}_s0_d2_bat (
// CHECK-NOT: allocate rhs
// CHECK: allocate matmul_{{[0-9$]+}}[float32 * 16 * 6 * 1 * 1]

// CHECK-LABEL: // kernel bgemm_infer_k2
// CHECK-NOT: allocate rhs
// CHECK: func bgemm_infer_k2_par_for_out0{{.*}}_s0_d2 (
// CHECK-NOT: allocate rhs
// CHECK: allocate matmul_{{[0-9$]+}}[float32 * 16 * 6 * 1]

// CHECK-LABEL: // kernel bgemm_infer_k3
// CHECK-NOT: allocate rhs
// CHECK: func bgemm_infer_k3_par_for_out0{{.*}}_s0_d2 (
// CHECK-NOT: allocate rhs
// CHECK: allocate matmul_{{[0-9$]+}}[float32 * 16 * 6 * 1]
// CHECK: allocate rhs_0{{[$0-9]*}}[float32 * 96 * 64]
// CHECK: produce rhs_0{{[$0-9]*}} {
// CHECK: for (rhs_0{{[$0-9]*}}.s0.d1.ko, 0, 8) {
// CHECK: halide_do_par_for((void *)::bgemm_infer_k3_par_for_out0{{.*}}_s0_d2,
