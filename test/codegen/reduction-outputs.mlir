// Tests a reduction kernel with two results, one read by a reduction of the other: the
// full sum reads the first result's buffer (the lowering makes that result's Func the
// output Func), so the row maximum that the first result needs is read by it alone and
// is computed per output row inside its parallel loop. Before, the kernel's second
// output made every accumulator compute_root: the maxima were a buffer of their own,
// and the sum recomputed exp(x - max) from it.
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s

module attributes {nn.model = "ro"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x1000xf32>
  func.func @infer(%x: tensor<?x1000xf32> {nn.input = @x})
      -> (tensor<?x1000xf32> {nn.output = "e"}, tensor<f32> {nn.output = "total"}) {
    %m = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<?x1000xf32> -> tensor<?x1xf32>
    %0 = nn.sub %x, %m : (tensor<?x1000xf32>, tensor<?x1xf32>) -> tensor<?x1000xf32>
    %1 = nn.exp %0 : (tensor<?x1000xf32>) -> tensor<?x1000xf32>
    %s = nn.reduce_sum %1 {axes = array<i64>} : tensor<?x1000xf32> -> tensor<f32>
    return %1, %s : tensor<?x1000xf32>, tensor<f32>
  }
}

// CHECK-LABEL: // kernel ro_infer_k0
// CHECK: func ro_infer_k0_par_for_[[E:result_[0-9]+]]_s0_d1_ro
// CHECK: for ([[E]].s0.d1.ri, 0, 16) {
// CHECK-NEXT: allocate reduce_max_{{[0-9]+}}[float32 * 1]
// CHECK: external_plus_metadata func ro_infer_k0 (in0, [[E]], out1)
// CHECK-NOT: allocate reduce_max_{{[0-9]+}}[float32 * 1 * in0.extent
// CHECK: produce reduce_sum_[[S:[0-9]+]] {
// CHECK: for (reduce_sum_[[S]].s1.r_{{[0-9]+}}$x, 0, 1000) {
// CHECK-NEXT: reduce_sum_[[S]][0] = reduce_sum_[[S]][0] + [[E]][
