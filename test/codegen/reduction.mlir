// Tests reduction schedules: row reductions that keep the batch dim are computed per
// output row inside the parallel loop (softmax, max and sum in one kernel), a full
// reduction is computed once
// (compute_root) before its consumer, and reduce_mean scales by the element count; a
// sum over all but the innermost dim reads its operand once, in memory order; a row
// sum over a static multiple of the vector width runs in vectors across the row.
// RUN: nnc %s --emit=halide --target=x86-64-avx512 | FileCheck %s

module attributes {nn.model = "red"} {
  nn.input @x {dims = ["B", ""]} : tensor<?x1000xf32>
  nn.input @y {dims = ["B", "", "", ""]} : tensor<?x6x5x64xf32>
  nn.input @z {dims = ["B", ""]} : tensor<?x64xf32>
  func.func @infer(%x: tensor<?x1000xf32> {nn.input = @x}, %y: tensor<?x6x5x64xf32> {nn.input = @y},
                   %z: tensor<?x64xf32> {nn.input = @z})
      -> (tensor<?x1000xf32> {nn.output = "probs"}, tensor<f32> {nn.output = "mean"},
          tensor<64xf32> {nn.output = "channels"}, tensor<?xf32> {nn.output = "rows"}) {
    %m = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<?x1000xf32> -> tensor<?x1xf32>
    %0 = nn.sub %x, %m : (tensor<?x1000xf32>, tensor<?x1xf32>) -> tensor<?x1000xf32>
    %1 = nn.exp %0 : (tensor<?x1000xf32>) -> tensor<?x1000xf32>
    %s = nn.reduce_sum %1 {axes = array<i64: 1>, keepdims = true} : tensor<?x1000xf32> -> tensor<?x1xf32>
    %2 = nn.div %1, %s : (tensor<?x1000xf32>, tensor<?x1xf32>) -> tensor<?x1000xf32>
    %mean = nn.reduce_mean %x {axes = array<i64>} : tensor<?x1000xf32> -> tensor<f32>
    %c = nn.reduce_sum %y {axes = array<i64: 0, 1, 2>} : tensor<?x6x5x64xf32> -> tensor<64xf32>
    %r = nn.reduce_sum %z {axes = array<i64: 1>} : tensor<?x64xf32> -> tensor<?xf32>
    return %2, %mean, %c, %r : tensor<?x1000xf32>, tensor<f32>, tensor<64xf32>, tensor<?xf32>
  }
}

// The whole softmax is one kernel: per output row, the row maximum, then the row sum
// (reading the maximum), then the normalized row, all inside the parallel loop.
// CHECK-LABEL: // kernel red_infer_k0
// CHECK: func red_infer_k0_par_for_out0_s0_d1_ro
// CHECK: for (out0.s0.d1.ri, 0, 16) {
// CHECK: produce reduce_max_[[M:[0-9]+]] {
// CHECK: produce reduce_sum_[[S:[0-9]+]] {
// CHECK: consume reduce_max_[[M]] {
// CHECK: for (reduce_sum_[[S]].s1.r_{{[0-9]+}}$x, 0, 1000) {
// CHECK: consume reduce_sum_[[S]] {
// CHECK: out0[ramp({{.*}}, 1, 16){{.*}}] = (float32x16)exp_f32(in0[ramp({{.*}}, 1, 16){{.*}}] - x16(reduce_max_[[M]][0]))/x16(reduce_sum_[[S]][0])

// The mean over everything: computed once, scaled by 1 / (B * 1000).
// CHECK-LABEL: // kernel red_infer_k1
// CHECK-NOT: par_for
// CHECK: produce reduce_sum_{{[0-9$]+}} {
// CHECK: for (reduce_sum_{{[0-9$]+}}.s1.r_{{[0-9]+}}$y, 0, in0.extent.1) {
// CHECK: for (reduce_sum_{{[0-9$]+}}.s1.r_{{[0-9]+}}$x, 0, 1000) {
// CHECK: produce out0
// CHECK-NEXT: consume reduce_sum
// CHECK-NEXT: out0{{[$0-9]*}}[0] = reduce_sum_{{[0-9$]+}}[0]*(1.000000f/(float32(in0.extent.1)*1000.000000f))

// A sum over every dim but the innermost (a bias gradient): the vectors of the row
// inside the reduction loops, unrolled, so the operand is read once in memory order.
// CHECK-LABEL: // kernel red_infer_k2
// CHECK: produce reduce_sum_{{[0-9$]+}} {
// CHECK: for (reduce_sum_{{[0-9$]+}}.s1.r_0$z, 0, in0.extent.3) {
// CHECK: for (reduce_sum_{{[0-9$]+}}.s1.r_0$y, 0, 6) {
// CHECK: for (reduce_sum_{{[0-9$]+}}.s1.r_0$x, 0, 5) {
// CHECK-NEXT: reduce_sum_[[C:[0-9$]+]][ramp(0, 1, 16)] = reduce_sum_[[C]][ramp(0, 1, 16)] + in0[ramp(
// CHECK-NEXT: reduce_sum_[[C]][ramp(16, 1, 16)] =
// CHECK-NEXT: reduce_sum_[[C]][ramp(32, 1, 16)] =
// CHECK-NEXT: reduce_sum_[[C]][ramp(48, 1, 16)] =
// CHECK-NEXT: }

// A row sum over 64 adjacent elements (4 vectors): 16 partial sums per row, lane u
// adding terms u, u + 16, u + 32, u + 48 as whole vectors, then one vector reduction of
// the partials (the serial loop ran one term per add's latency).
// CHECK-LABEL: // kernel red_infer_k3
// CHECK: for (reduce_sum_[[R:[0-9$]+]].s1.d0, 0, out0{{[$0-9]*}}.extent.0) {
// CHECK-NEXT: allocate reduce_sum_[[R]]_intm[float32 * 16]
// CHECK: reduce_sum_[[R]]_intm[ramp(0, 1, 16)] = x16(0.000000f)
// CHECK: for (reduce_sum_[[R]]_intm.s1.r_{{[0-9]+}}$x.ro, 0, 4) {
// CHECK-NEXT: reduce_sum_[[R]]_intm[ramp(0, 1, 16)] = reduce_sum_[[R]]_intm[ramp(0, 1, 16)] + in0[ramp(
// CHECK: reduce_sum_[[R]][reduce_sum_[[R]].s1.d0] = (float32)vector_reduce(Add, (float32x16)reduce_sum_[[R]]_intm[ramp(0, 1, 16)]) + reduce_sum_[[R]][reduce_sum_[[R]].s1.d0]
