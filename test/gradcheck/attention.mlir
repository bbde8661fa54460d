// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradients of the ops attention models use match float64 central
// differences: batched matmul (batched rhs, every transpose combination, and a
// transposed batched lhs over a shared rhs), split_heads/merge_heads, slice (from the start, from the end,
// Python's negative positions), slice_backward, concat, erf, a causal and a padded
// masked softmax (nn.softmax and its composition; the masks are constants: the
// gradient flows only into the scores),
// and argmax (no gradient: x * argmax(x) has the derivative argmax(x)).

// CHECK: PASS bmm:
func.func @bmm(%a: tensor<2x2x3x4xf32>, %b: tensor<2x2x4x3xf32>) -> tensor<2x2x3x3xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x2x3x4xf32>, tensor<2x2x4x3xf32>) -> tensor<2x2x3x3xf32>
  return %0 : tensor<2x2x3x3xf32>
}

// Attention's scores q k^T.
// CHECK: PASS bmm_transpose_rhs:
func.func @bmm_transpose_rhs(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>) -> tensor<2x2x3x5xf32> {
  %0 = nn.matmul %q, %k {transpose_rhs = true} : (tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>) -> tensor<2x2x3x5xf32>
  return %0 : tensor<2x2x3x5xf32>
}

// CHECK: PASS bmm_transpose_lhs:
func.func @bmm_transpose_lhs(%a: tensor<3x4x2xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x2x5xf32> {
  %0 = nn.matmul %a, %b {transpose_lhs = true} : (tensor<3x4x2xf32>, tensor<3x4x5xf32>) -> tensor<3x2x5xf32>
  return %0 : tensor<3x2x5xf32>
}

// CHECK: PASS bmm_transpose_both:
func.func @bmm_transpose_both(%a: tensor<3x4x2xf32>, %b: tensor<3x5x4xf32>) -> tensor<3x2x5xf32> {
  %0 = nn.matmul %a, %b {transpose_lhs = true, transpose_rhs = true} : (tensor<3x4x2xf32>, tensor<3x5x4xf32>) -> tensor<3x2x5xf32>
  return %0 : tensor<3x2x5xf32>
}

// CHECK: PASS mm_transpose_lhs:
func.func @mm_transpose_lhs(%a: tensor<4x3xf32>, %b: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.matmul %a, %b {transpose_lhs = true} : (tensor<4x3xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// A transposed batched lhs over a shared rhs (the rhs gradient sums over the batch).
// CHECK: PASS mm_shared_transpose_lhs:
func.func @mm_shared_transpose_lhs(%a: tensor<2x4x3xf32>, %b: tensor<5x4xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.matmul %a, %b {transpose_lhs = true, transpose_rhs = true} : (tensor<2x4x3xf32>, tensor<5x4xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK: PASS slices:
func.func @slices(%x: tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x3xf32>, tensor<1x6xf32>) {
  %0 = nn.slice %x {axis = 1, start = 1, end = 3} : tensor<2x6xf32> -> tensor<2x2xf32>
  %1 = nn.slice %x {axis = -1, start = -4, end = -1} : tensor<2x6xf32> -> tensor<2x3xf32>
  %2 = nn.slice %x {axis = 0, start = 1} : tensor<2x6xf32> -> tensor<1x6xf32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<2x3xf32>, tensor<1x6xf32>
}

// CHECK: PASS slice_backward:
func.func @slice_backward(%g: tensor<2x3xf32>, %x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %0 = nn.slice_backward %g, %x {axis = 1, start = 2, end = 5} : (tensor<2x3xf32>, tensor<2x6xf32>) -> tensor<2x6xf32>
  %1 = nn.mul %0, %x : (tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<2x6xf32>
  return %1 : tensor<2x6xf32>
}

// CHECK: PASS concat:
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x2xf32>, %c: tensor<1x5xf32>) -> tensor<3x5xf32> {
  %0 = nn.concat %a, %b {axis = 1} : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<2x5xf32>
  %1 = nn.concat %0, %c {axis = 0} : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  %2 = nn.mul %1, %1 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %2 : tensor<3x5xf32>
}

// CHECK: PASS erf:
func.func @erf(%x: tensor<8xf32> {gradcheck.min = -2.5 : f64, gradcheck.max = 2.5 : f64}) -> tensor<8xf32> {
  %0 = nn.erf %x : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// softmax(s + causal_mask(s)) along the keys, as the frontend writes it: nn.softmax,
// whose own gradient y (g - sum(g y)) is checked here (nn-gradcheck expands it after
// differentiating, as nnc's pipeline does).
// CHECK: PASS causal_softmax:
func.func @causal_softmax(%s: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %m = nn.causal_mask %s : tensor<2x4x4xf32> -> tensor<1x4x4xf32>
  %x = nn.add %s, %m : (tensor<2x4x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4x4xf32>
  %p = nn.softmax %x {axis = 2} : tensor<2x4x4xf32> -> tensor<2x4x4xf32>
  return %p : tensor<2x4x4xf32>
}

// Softmax along a middle axis, written with a negative axis.
// CHECK: PASS softmax_middle_axis:
func.func @softmax_middle_axis(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %p = nn.softmax %x {axis = -2} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %p : tensor<2x3x4xf32>
}

// The composition nn-expand writes for it, differentiated op by op.
// CHECK: PASS causal_softmax_composition:
func.func @causal_softmax_composition(%s: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %m = nn.causal_mask %s : tensor<2x4x4xf32> -> tensor<1x4x4xf32>
  %x = nn.add %s, %m : (tensor<2x4x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4x4xf32>
  %mx = nn.reduce_max %x {axes = array<i64: 2>, keepdims = true} : tensor<2x4x4xf32> -> tensor<2x4x1xf32>
  %c = nn.stop_gradient %mx : (tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %d = nn.sub %x, %c : (tensor<2x4x4xf32>, tensor<2x4x1xf32>) -> tensor<2x4x4xf32>
  %e = nn.exp %d : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %sum = nn.reduce_sum %e {axes = array<i64: 2>, keepdims = true} : tensor<2x4x4xf32> -> tensor<2x4x1xf32>
  %p = nn.div %e, %sum : (tensor<2x4x4xf32>, tensor<2x4x1xf32>) -> tensor<2x4x4xf32>
  return %p : tensor<2x4x4xf32>
}

// A padding mask of tokens (pad 0) over scores [B, H, Sq, Sk].
// CHECK: PASS padded_scores:
func.func @padded_scores(%s: tensor<2x2x3x3xf32>, %t: tensor<2x3xi32> {gradcheck.min = 0.0 : f64, gradcheck.max = 2.0 : f64}) -> tensor<2x2x3x3xf32> {
  %m = nn.padding_mask %t : tensor<2x3xi32> -> tensor<2x1x1x3xf32>
  %x = nn.add %s, %m : (tensor<2x2x3x3xf32>, tensor<2x1x1x3xf32>) -> tensor<2x2x3x3xf32>
  %e = nn.exp %x : (tensor<2x2x3x3xf32>) -> tensor<2x2x3x3xf32>
  return %e : tensor<2x2x3x3xf32>
}

// CHECK: PASS argmax:
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %i = nn.argmax %x {axis = 1, keepdims = true} : tensor<3x4xf32> -> tensor<3x1xi32>
  %o = nn.one_hot %i {depth = 4 : i64} : tensor<3x1xi32> -> tensor<3x1x4xf32>
  %r = nn.reshape %o {shape = array<i64: 3, 4>} : tensor<3x1x4xf32> -> tensor<3x4xf32>
  %y = nn.mul %x, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// Multi-head split and merge (each the other's gradient), with a product in between.
// CHECK: PASS heads:
func.func @heads(%x: tensor<2x3x8xf32>, %y: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  %q = nn.split_heads %x {heads = 2} : tensor<2x3x8xf32> -> tensor<2x2x3x4xf32>
  %k = nn.split_heads %y {heads = 2} : tensor<2x3x8xf32> -> tensor<2x2x3x4xf32>
  %s = nn.matmul %q, %k {transpose_rhs = true} : (tensor<2x2x3x4xf32>, tensor<2x2x3x4xf32>) -> tensor<2x2x3x3xf32>
  %o = nn.matmul %s, %q : (tensor<2x2x3x3xf32>, tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  %m = nn.merge_heads %o : tensor<2x2x3x4xf32> -> tensor<2x3x8xf32>
  return %m : tensor<2x3x8xf32>
}

// CHECK: {{^}}16 passed, 0 failed
