// Tests the schedule of a rank-1 elementwise kernel of dynamic extent (a copy of a
// loop's initial state, a per-example loss): vectors of 16 (AVX-512), in tasks of
// 1024 vectors (16384 elements) run in parallel from 32768 elements. A task's loop of
// vectors is bounded by the extent, and only the last vector is predicated. (Split
// into tasks of 16384 elements first and then vectorized with a guard, a task ran all
// 1024 vectors whatever the extent, predicated: AVX-512's masked loads and stores past
// the buffer's end made a copy of 128 floats take 90-200 us; docs/design.md, "Rank-1
// kernels".)
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s

module attributes {nn.model = "ew1"} {
  nn.input @x {dims = ["B"]} : tensor<?xf32>
  func.func @infer(%x: tensor<?xf32> {nn.input = @x}) -> tensor<?xf32> {
    %0 = nn.exp %x : (tensor<?xf32>) -> tensor<?xf32>
    return %0 : tensor<?xf32>
  }
}

// CHECK-LABEL: // kernel ew1_infer_k0
// CHECK-NOT: for (out0.s0.d0.i
// CHECK: halide_do_par_for((void *)::ew1_infer_k0_par_for_out0_s0_d0_vo_o
// The serial variant (below 32768 elements): whole tasks, then the last one's vectors.
// CHECK: for (out0.s0.d0.vo.o, 0,
// CHECK-NEXT: let
// CHECK-NEXT: for (out0.s0.d0.vo.i, 0, 1024) {
// CHECK: let out0.s0.d0.vo.i.new_max{{.*}} = ((out0.extent.0 + -1)/16) - ((out0.extent.0/16384)*1024)
// CHECK-NEXT: let [[N:t[0-9]+]] = max(min(out0.s0.d0.vo.i.new_max{{.*}}, 1023), -1)
// CHECK: for (out0.s0.d0.vo.i, 0, [[N]] + 1) {
// CHECK-NEXT: if ((((out0.s0.d0.vo.i + {{t[0-9]+}})*16) + 16) <= out0.extent.0) {
// CHECK-NOT: for (out0.s0.d0.i
