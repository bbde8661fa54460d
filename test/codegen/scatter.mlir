// Tests the scatter-add schedule (W4's embedding gradient: 10000 rows of 32 floats,
// 64 x 100 positions): the table is zeroed once (compute_root, in parallel rows), then
// the positions run serially in row-major order, each adding one vectorized row at its
// (clamped) index when that index is inside the table; a wide row (600 floats) is split
// into parallel slices of 256, each walking every position. The gather fuses with its
// consumer and reads the clamped row, giving zeros outside the table.
// RUN: nnc %s --emit=halide --target=x86-64-avx2 | FileCheck %s

module attributes {nn.model = "sc"} {
  nn.input @t {dims = ["", ""]} : tensor<10000x32xf32>
  nn.input @ids {dims = ["B", ""]} : tensor<?x100xi32>
  nn.input @g {dims = ["B", "", ""]} : tensor<?x100x32xf32>
  nn.input @gw {dims = ["B", "", ""]} : tensor<?x100x600xf32>
  func.func @infer(%t: tensor<10000x32xf32> {nn.input = @t}, %ids: tensor<?x100xi32> {nn.input = @ids},
                   %g: tensor<?x100x32xf32> {nn.input = @g}, %gw: tensor<?x100x600xf32> {nn.input = @gw})
      -> (tensor<?x100x32xf32> {nn.output = "y"}, tensor<10000x32xf32> {nn.output = "dt"},
          tensor<50x600xf32> {nn.output = "dw"}) {
    %0 = nn.gather %t, %ids : (tensor<10000x32xf32>, tensor<?x100xi32>) -> tensor<?x100x32xf32>
    %1 = nn.tanh %0 : (tensor<?x100x32xf32>) -> tensor<?x100x32xf32>
    %2 = nn.scatter_add %g, %ids {rows = 10000} : (tensor<?x100x32xf32>, tensor<?x100xi32>) -> tensor<10000x32xf32>
    %3 = nn.scatter_add %gw, %ids {rows = 50} : (tensor<?x100x600xf32>, tensor<?x100xi32>) -> tensor<50x600xf32>
    return %1, %2, %3 : tensor<?x100x32xf32>, tensor<10000x32xf32>, tensor<50x600xf32>
  }
}

// The gather and its consumer: one dense vector load of the clamped row per 8 floats.
// CHECK-LABEL: // kernel sc_infer_k0
// CHECK: let [[ID:t[0-9]+]] = in1[
// CHECK-NEXT: let [[ROW:t[0-9]+]] = select((0 <= [[ID]]) && ([[ID]] < 10000), in0[ramp(((max(min([[ID]], 9999), 0)*4) + {{.*}})*8, 1, 8) aligned(8, 0)], x8(0.000000f))
// CHECK: out0[{{.*}}] = select({{.*}}[[ROW]]{{.*}})

// The scatter: zeroed in 20 parallel tasks of rows, then serial over the positions
// (the batch, then the 100 of a row), each adding the row of 32 as 4 vectors of 8 at
// its clamped index when the index is inside the table.
// CHECK-LABEL: // kernel sc_infer_k1
// CHECK: produce scatter_add_[[S:[0-9]+]] {
// CHECK: halide_do_par_for((void *)::sc_infer_k1_par_for_scatter_add_[[S]]_s0_d1_ro, 0, 20,
// CHECK: for (scatter_add_[[S]].s1.r_{{[0-9]+}}$y, 0, in0.extent.2) {
// CHECK-NOT: par_for
// CHECK: for (scatter_add_[[S]].s1.r_{{[0-9]+}}$x, 0, 100) {
// CHECK-NEXT: if (let [[I:t[0-9]+]] = in1[{{.*}}] in ((0 <= [[I]]) && ([[I]] < 10000))) {
// CHECK-NOT: par_for
// CHECK: for (scatter_add_[[S]].s1.d0.d0, 0, 4) {
// CHECK-NOT: par_for
// CHECK: scatter_add_[[S]][ramp([[A:t[0-9]+]]*8, 1, 8) aligned(8, 0)] = scatter_add_[[S]][ramp([[A]]*8, 1, 8) aligned(8, 0)] + in0[ramp({{.*}}, 1, 8) aligned(8, 0)]
// CHECK-NOT: par_for
// CHECK: produce out0

// The wide scatter: 3 parallel slices (256, 256, and a tail of 88 floats: 11 vectors),
// each walking every position.
// CHECK-LABEL: // kernel sc_infer_k2
// CHECK: func sc_infer_k2_par_for_scatter_add_[[W:[0-9_]+]]_s1_d0_so
// CHECK: for (scatter_add_{{[0-9$]+}}.s1.r_{{[0-9]+}}$y, 0, in0.extent.2) {
// CHECK: for (scatter_add_{{[0-9$]+}}.s1.r_{{[0-9]+}}$x, 0, 100) {
// CHECK: for (scatter_add_{{[0-9$]+}}.s1.d0.si.si, 0, 32) {
// CHECK: for (scatter_add_{{[0-9$]+}}.s1.d0.si.si, 0, 11) {
// CHECK: halide_do_par_for((void *)::sc_infer_k2_par_for_scatter_add_[[W]]_s1_d0_so, 0, 3,
