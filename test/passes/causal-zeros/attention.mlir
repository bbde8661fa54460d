// RUN: nn-opt %s --split-input-file --nn-causal-zeros | FileCheck %s
// Tests nn-causal-zeros (passes/CausalZeros.cpp): the products whose lhs is causal
// attention's probabilities, or a gradient that is a multiple of them, get
// `lhs_lower = Sk - Sq`, and so do the row sums of such values and the row maximum of
// the masked scores (`skip_above`); scores masked otherwise, or probabilities that
// might not be zero above the diagonal, leave every product and sum as it was.

// The probabilities (softmax of scores plus a causal mask, as nn-expand writes it) and
// dS = p * (g - sum(g p)): `p v`, `pᵀ dO`, `dS k` and `dSᵀ q` are marked; `q kᵀ` and
// `dO vᵀ` (no such operand) are not.
// The row maximum of the masked scores, the exponentials' row sum and the gradient's
// sum(g p) get `skip_above = 0`.
// CHECK-LABEL: func.func @causal(
// CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_rhs = true}
// CHECK: nn.reduce_max %{{.*}} {axes = array<i64: 3>, keepdims = true, skip_above = 0 : i64}
// CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 3>, keepdims = true, skip_above = 0 : i64}
// CHECK: nn.matmul %[[P:.*]], %{{.*}} {lhs_lower = 0 : i64}
// CHECK: nn.matmul %[[P]], %{{.*}} {lhs_lower = 0 : i64, transpose_lhs = true}
// CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_rhs = true}
// CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 3>, keepdims = true, skip_above = 0 : i64}
// CHECK: nn.matmul %[[DS:.*]], %{{.*}} {lhs_lower = 0 : i64}
// CHECK: nn.matmul %[[DS]], %{{.*}} {lhs_lower = 0 : i64, transpose_lhs = true}
func.func @causal(%q: tensor<?x2x8x4xf32>, %k: tensor<?x2x8x4xf32>, %v: tensor<?x2x8x4xf32>, %do: tensor<?x2x8x4xf32>)
    -> (tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>) {
  %c = nn.constant dense<5.000000e-01> : tensor<f32>
  %0 = nn.matmul %q, %k {transpose_rhs = true} : (tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x8xf32>
  %1 = nn.mul %0, %c : (tensor<?x2x8x8xf32>, tensor<f32>) -> tensor<?x2x8x8xf32>
  %2 = nn.causal_mask %1 : tensor<?x2x8x8xf32> -> tensor<1x1x8x8xf32>
  %3 = nn.add %1, %2 : (tensor<?x2x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<?x2x8x8xf32>
  %4 = nn.reduce_max %3 {axes = array<i64: 3>, keepdims = true} : tensor<?x2x8x8xf32> -> tensor<?x2x8x1xf32>
  %5 = nn.stop_gradient %4 : (tensor<?x2x8x1xf32>) -> tensor<?x2x8x1xf32>
  %6 = nn.sub %3, %5 : (tensor<?x2x8x8xf32>, tensor<?x2x8x1xf32>) -> tensor<?x2x8x8xf32>
  %7 = nn.exp %6 : (tensor<?x2x8x8xf32>) -> tensor<?x2x8x8xf32>
  %8 = nn.reduce_sum %7 {axes = array<i64: 3>, keepdims = true} : tensor<?x2x8x8xf32> -> tensor<?x2x8x1xf32>
  %p = nn.div %7, %8 : (tensor<?x2x8x8xf32>, tensor<?x2x8x1xf32>) -> tensor<?x2x8x8xf32>
  %o = nn.matmul %p, %v : (tensor<?x2x8x8xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x4xf32>
  %dv = nn.matmul %p, %do {transpose_lhs = true} : (tensor<?x2x8x8xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x4xf32>
  %g = nn.matmul %do, %v {transpose_rhs = true} : (tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x8xf32>
  %gp = nn.mul %g, %p : (tensor<?x2x8x8xf32>, tensor<?x2x8x8xf32>) -> tensor<?x2x8x8xf32>
  %dot = nn.reduce_sum %gp {axes = array<i64: 3>, keepdims = true} : tensor<?x2x8x8xf32> -> tensor<?x2x8x1xf32>
  %gd = nn.sub %g, %dot : (tensor<?x2x8x8xf32>, tensor<?x2x8x1xf32>) -> tensor<?x2x8x8xf32>
  %ds0 = nn.mul %p, %gd : (tensor<?x2x8x8xf32>, tensor<?x2x8x8xf32>) -> tensor<?x2x8x8xf32>
  %ds = nn.mul %ds0, %c : (tensor<?x2x8x8xf32>, tensor<f32>) -> tensor<?x2x8x8xf32>
  %dq = nn.matmul %ds, %k : (tensor<?x2x8x8xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x4xf32>
  %dk = nn.matmul %ds, %q {transpose_lhs = true} : (tensor<?x2x8x8xf32>, tensor<?x2x8x4xf32>) -> tensor<?x2x8x4xf32>
  return %o, %dv, %dq, %dk : tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>, tensor<?x2x8x4xf32>
}

// -----

// Fewer queries than keys (4 after a cache of 4): the diagonal is shifted by Sk - Sq.
// CHECK-LABEL: func.func @shifted(
// CHECK: nn.reduce_max %{{.*}} {axes = array<i64: 2>, keepdims = true, skip_above = 4 : i64}
// CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 2>, keepdims = true, skip_above = 4 : i64}
// CHECK: nn.matmul %{{.*}}, %{{.*}} {lhs_lower = 4 : i64}
func.func @shifted(%s: tensor<?x4x8xf32>, %v: tensor<?x8x4xf32>) -> tensor<?x4x4xf32> {
  %2 = nn.causal_mask %s : tensor<?x4x8xf32> -> tensor<1x4x8xf32>
  %3 = nn.add %2, %s : (tensor<1x4x8xf32>, tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  %4 = nn.reduce_max %3 {axes = array<i64: 2>, keepdims = true} : tensor<?x4x8xf32> -> tensor<?x4x1xf32>
  %6 = nn.sub %3, %4 : (tensor<?x4x8xf32>, tensor<?x4x1xf32>) -> tensor<?x4x8xf32>
  %7 = nn.exp %6 : (tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
  %8 = nn.reduce_sum %7 {axes = array<i64: 2>, keepdims = true} : tensor<?x4x8xf32> -> tensor<?x4x1xf32>
  %p = nn.div %7, %8 : (tensor<?x4x8xf32>, tensor<?x4x1xf32>) -> tensor<?x4x8xf32>
  %o = nn.matmul %p, %v : (tensor<?x4x8xf32>, tensor<?x8x4xf32>) -> tensor<?x4x4xf32>
  return %o : tensor<?x4x4xf32>
}

// -----

// Not marked: more queries than keys (the first rows are masked everywhere and
// uniform), a mask read at a run-time offset (a decoding step), a dynamic length, a
// mask too small for exp to reach 0, a shift by something else than the row maximum,
// masked scores plus a tensor that is not a mask (it could undo the mask), and
// exponentials divided by something else than their row sum (it could be zero).
// Only the last maximum, of scores plus the causal mask alone, gets `skip_above`.
// CHECK-LABEL: func.func @unmarked(
// CHECK-NOT: lhs_lower
// CHECK-NOT: skip_above
// CHECK: %[[X6:.*]] = nn.reduce_max %[[A5:.*]] {axes = array<i64: 2>, keepdims = true, skip_above = 0 : i64}
// CHECK-NEXT: nn.sub %[[A5]], %[[X6]]
// CHECK-NEXT: nn.exp
// CHECK-NEXT: nn.div
// CHECK-NOT: lhs_lower
// CHECK-NOT: skip_above
func.func @unmarked(%s: tensor<?x8x4xf32>, %t: tensor<?x8x8xf32>, %u: tensor<?x?x?xf32>, %v: tensor<?x4x4xf32>,
                    %w: tensor<?x8x4xf32>, %at: tensor<i32>)
    -> (tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x?x4xf32>, tensor<?x8x4xf32>, tensor<?x8x4xf32>,
        tensor<?x8x4xf32>, tensor<?x8x4xf32>) {
  %m0 = nn.causal_mask %s : tensor<?x8x4xf32> -> tensor<1x8x4xf32>
  %a0 = nn.add %s, %m0 : (tensor<?x8x4xf32>, tensor<1x8x4xf32>) -> tensor<?x8x4xf32>
  %x0 = nn.reduce_max %a0 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x4xf32> -> tensor<?x8x1xf32>
  %d0 = nn.sub %a0, %x0 : (tensor<?x8x4xf32>, tensor<?x8x1xf32>) -> tensor<?x8x4xf32>
  %e0 = nn.exp %d0 : (tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  %o0 = nn.matmul %e0, %v : (tensor<?x8x4xf32>, tensor<?x4x4xf32>) -> tensor<?x8x4xf32>
  %m1 = nn.causal_mask %t at %at : tensor<?x8x8xf32>, tensor<i32> -> tensor<1x8x8xf32>
  %a1 = nn.add %t, %m1 : (tensor<?x8x8xf32>, tensor<1x8x8xf32>) -> tensor<?x8x8xf32>
  %x1 = nn.reduce_max %a1 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %d1 = nn.sub %a1, %x1 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %e1 = nn.exp %d1 : (tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %o1 = nn.matmul %e1, %w : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  %m2 = nn.causal_mask %u : tensor<?x?x?xf32> -> tensor<1x?x?xf32>
  %a2 = nn.add %u, %m2 : (tensor<?x?x?xf32>, tensor<1x?x?xf32>) -> tensor<?x?x?xf32>
  %x2 = nn.reduce_max %a2 {axes = array<i64: 2>, keepdims = true} : tensor<?x?x?xf32> -> tensor<?x?x1xf32>
  %d2 = nn.sub %a2, %x2 : (tensor<?x?x?xf32>, tensor<?x?x1xf32>) -> tensor<?x?x?xf32>
  %e2 = nn.exp %d2 : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %o2 = nn.matmul %e2, %w : (tensor<?x?x?xf32>, tensor<?x8x4xf32>) -> tensor<?x?x4xf32>
  %m3 = nn.causal_mask %t {value = -1.0e+01 : f32} : tensor<?x8x8xf32> -> tensor<1x8x8xf32>
  %a3 = nn.add %t, %m3 : (tensor<?x8x8xf32>, tensor<1x8x8xf32>) -> tensor<?x8x8xf32>
  %x3 = nn.reduce_max %a3 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %d3 = nn.sub %a3, %x3 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %e3 = nn.exp %d3 : (tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %o3 = nn.matmul %e3, %w : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  %m4 = nn.causal_mask %t : tensor<?x8x8xf32> -> tensor<1x8x8xf32>
  %a4 = nn.add %t, %m4 : (tensor<?x8x8xf32>, tensor<1x8x8xf32>) -> tensor<?x8x8xf32>
  %x4 = nn.reduce_sum %a4 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %d4 = nn.sub %a4, %x4 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %e4 = nn.exp %d4 : (tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %o4 = nn.matmul %e4, %w : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  %m5 = nn.causal_mask %t : tensor<?x8x8xf32> -> tensor<1x8x8xf32>
  %a5 = nn.add %t, %m5 : (tensor<?x8x8xf32>, tensor<1x8x8xf32>) -> tensor<?x8x8xf32>
  %b5 = nn.add %a5, %t : (tensor<?x8x8xf32>, tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %x5 = nn.reduce_max %b5 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %d5 = nn.sub %b5, %x5 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %e5 = nn.exp %d5 : (tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %o5 = nn.matmul %e5, %w : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  %x6 = nn.reduce_max %a5 {axes = array<i64: 2>, keepdims = true} : tensor<?x8x8xf32> -> tensor<?x8x1xf32>
  %d6 = nn.sub %a5, %x6 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %e6 = nn.exp %d6 : (tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %p6 = nn.div %e6, %x6 : (tensor<?x8x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8x8xf32>
  %o6 = nn.matmul %p6, %w : (tensor<?x8x8xf32>, tensor<?x8x4xf32>) -> tensor<?x8x4xf32>
  return %o0, %o1, %o2, %o3, %o4, %o5, %o6 : tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x?x4xf32>, tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x8x4xf32>
}
