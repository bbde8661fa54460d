// RUN: nn-gradcheck --evaluate %s | FileCheck %s
// Tests the float64 reference evaluator against values worked out by hand from the op
// descriptions in NNOps.td: a gradient check cannot see an op the evaluator gets
// wrong consistently (e.g. a transpose read with the inverse permutation both ways).

// CHECK-LABEL: unary #0 [2]: -1 2
// CHECK-NEXT: unary #1 [2]: 1 2.71828
// CHECK-NEXT: unary #2 [2]: 0 1
// CHECK-NEXT: unary #3 [2]: 2 1.5
// CHECK-NEXT: unary #4 [2]: 3 2
// CHECK-NEXT: unary #5 [2]: 0 0.462117
// CHECK-NEXT: unary #6 [2]: 0.5 0.880797
// CHECK-NEXT: unary #7 [3]: 0 0 2
// CHECK-NEXT: unary #8 [3]: 0 0 1
// CHECK-NEXT: unary #9 [3]: -1 0 2
func.func @unary() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                       tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %a = nn.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %b = nn.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %c = nn.constant dense<[1.0, 2.71828182845]> : tensor<2xf32>
  %d = nn.constant dense<[4.0, 2.25]> : tensor<2xf32>
  %e = nn.constant dense<[-3.0, 2.0]> : tensor<2xf32>
  %f = nn.constant dense<[0.0, 0.5]> : tensor<2xf32>
  %g = nn.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %h = nn.constant dense<[-1.0, 0.0, 2.0]> : tensor<3xf32>
  %0 = nn.neg %a : (tensor<2xf32>) -> tensor<2xf32>
  %1 = nn.exp %b : (tensor<2xf32>) -> tensor<2xf32>
  %2 = nn.log %c : (tensor<2xf32>) -> tensor<2xf32>
  %3 = nn.sqrt %d : (tensor<2xf32>) -> tensor<2xf32>
  %4 = nn.abs %e : (tensor<2xf32>) -> tensor<2xf32>
  %5 = nn.tanh %f : (tensor<2xf32>) -> tensor<2xf32>
  %6 = nn.sigmoid %g : (tensor<2xf32>) -> tensor<2xf32>
  %7 = nn.relu %h : (tensor<3xf32>) -> tensor<3xf32>
  %8 = nn.step %h : (tensor<3xf32>) -> tensor<3xf32>
  %9 = nn.stop_gradient %h : (tensor<3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
      tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// [2, 1] against [3] broadcasts to [2, 3]; a rank-0 operand to anything. greater is
// strict (1 > 1 is 0).
// CHECK-LABEL: binary #0 [2, 3]: 11 21 31 12 22 32
// CHECK-NEXT: binary #1 [2, 3]: -9 -19 -29 -8 -18 -28
// CHECK-NEXT: binary #2 [2, 3]: 10 20 30 20 40 60
// CHECK-NEXT: binary #3 [2, 3]: 10 20 30 5 10 15
// CHECK-NEXT: binary #4 [2, 3]: 1 1 3 2 2 3
// CHECK-NEXT: binary #5 [2, 3]: 0 1 1 0 1 2
// CHECK-NEXT: binary #6 [2, 3]: 1 1 1 1 2 4
// CHECK-NEXT: binary #7 [2, 3]: 1 0 0 1 1 0
// CHECK-NEXT: binary #8 [2, 1]: 0.5 1
func.func @binary() -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
                        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x1xf32>) {
  %a = nn.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b = nn.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %c = nn.constant dense<[0.0, 1.0, 3.0]> : tensor<3xf32>
  %p = nn.constant dense<[0.0, 1.0, 2.0]> : tensor<3xf32>
  %half = nn.constant dense<0.5> : tensor<f32>
  %0 = nn.add %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = nn.sub %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = nn.mul %b, %a : (tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %3 = nn.div %b, %a : (tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %4 = nn.max %a, %c : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = nn.min %a, %c : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %6 = nn.pow %a, %p : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %7 = nn.greater %a, %c : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %8 = nn.mul %a, %half : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
      tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x1xf32>
}

// x = [[1, 5, 3], [4, 2, 6]]; y[i, j, k] = 6i + 2j + k of shape [2, 3, 2].
// CHECK-LABEL: reductions #0 [1, 3]: 5 7 9
// CHECK-NEXT: reductions #1 [2]: 9 12
// CHECK-NEXT: reductions #2 []: 3.5
// CHECK-NEXT: reductions #3 [2, 1]: 5 6
// CHECK-NEXT: reductions #4 []: 6
// CHECK-NEXT: reductions #5 [3]: 14 22 30
// CHECK-NEXT: reductions #6 [1, 3, 1]: 3.5 5.5 7.5
func.func @reductions() -> (tensor<1x3xf32>, tensor<2xf32>, tensor<f32>, tensor<2x1xf32>,
                            tensor<f32>, tensor<3xf32>, tensor<1x3x1xf32>) {
  %x = nn.constant dense<[[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]> : tensor<2x3xf32>
  %y = nn.constant dense<[[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]]> : tensor<2x3x2xf32>
  %0 = nn.reduce_sum %x {axes = array<i64: 0>, keepdims = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  %1 = nn.reduce_sum %x {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  %2 = nn.reduce_mean %x {axes = array<i64>} : tensor<2x3xf32> -> tensor<f32>
  %3 = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
  %4 = nn.reduce_max %x {axes = array<i64>} : tensor<2x3xf32> -> tensor<f32>
  %5 = nn.reduce_sum %y {axes = array<i64: 2, 0>} : tensor<2x3x2xf32> -> tensor<3xf32>
  %6 = nn.reduce_mean %y {axes = array<i64: 0, 2>, keepdims = true} : tensor<2x3x2xf32> -> tensor<1x3x1xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<1x3xf32>, tensor<2xf32>, tensor<f32>, tensor<2x1xf32>,
      tensor<f32>, tensor<3xf32>, tensor<1x3x1xf32>
}

// A @ B = [[4, 5], [10, 11]] for A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, 1]],
// whichever operands are stored transposed; batches [A, 2A] give [A @ B, 2 A @ B].
// CHECK-LABEL: matmuls #0 [2, 2]: 4 5 10 11
// CHECK-NEXT: matmuls #1 [2, 2]: 4 5 10 11
// CHECK-NEXT: matmuls #2 [2, 2]: 4 5 10 11
// CHECK-NEXT: matmuls #3 [2, 2]: 4 5 10 11
// CHECK-NEXT: matmuls #4 [2, 2, 2]: 4 5 10 11 8 10 20 22
// CHECK-NEXT: matmuls #5 [2, 2, 2]: 4 5 10 11 8 10 20 22
func.func @matmuls() -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>,
                         tensor<2x2x2xf32>, tensor<2x2x2xf32>) {
  %a = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %at = nn.constant dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]> : tensor<3x2xf32>
  %b = nn.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %bt = nn.constant dense<[[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %ab = nn.constant dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]]]> : tensor<2x2x3xf32>
  %abt = nn.constant dense<[[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]], [[2.0, 8.0], [4.0, 10.0], [6.0, 12.0]]]> : tensor<2x3x2xf32>
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %1 = nn.matmul %at, %b {transpose_lhs = true} : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %2 = nn.matmul %a, %bt {transpose_rhs = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %3 = nn.matmul %at, %bt {transpose_lhs = true, transpose_rhs = true} : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %4 = nn.matmul %ab, %b : (tensor<2x2x3xf32>, tensor<3x2xf32>) -> tensor<2x2x2xf32>
  %5 = nn.matmul %abt, %b {transpose_lhs = true} : (tensor<2x3x2xf32>, tensor<3x2xf32>) -> tensor<2x2x2xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>,
      tensor<2x2x2xf32>, tensor<2x2x2xf32>
}

// Result dim i is operand dim perm[i]: r[a, b, c] = y[b, c, a] = 6b + 2c + a.
// CHECK-LABEL: shapes #0 [3, 2]: 1 5 3 4 2 6
// CHECK-NEXT: shapes #1 [3, 2]: 1 4 5 2 3 6
// CHECK-NEXT: shapes #2 [2, 2, 3]: 0 2 4 6 8 10 1 3 5 7 9 11
// CHECK-NEXT: shapes #3 [2, 3]: 10 20 30 10 20 30
// CHECK-NEXT: shapes #4 [2, 3]: 1 1 1 2 2 2
// CHECK-NEXT: shapes #5 [2, 3]: 0.5 0.5 0.5 0.5 0.5 0.5
func.func @shapes() -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x2x3xf32>, tensor<2x3xf32>,
                        tensor<2x3xf32>, tensor<2x3xf32>) {
  %x = nn.constant dense<[[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]> : tensor<2x3xf32>
  %y = nn.constant dense<[[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]]> : tensor<2x3x2xf32>
  %b = nn.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %c = nn.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %s = nn.constant dense<0.5> : tensor<f32>
  %like = nn.constant dense<0> : tensor<2x3xi32>
  %0 = nn.reshape %x {shape = array<i64: -1, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = nn.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = nn.transpose %y {perm = array<i64: 2, 0, 1>} : tensor<2x3x2xf32> -> tensor<2x2x3xf32>
  %3 = nn.broadcast_to %b, %like : (tensor<3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  %4 = nn.broadcast_to %c, %x : (tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = nn.broadcast_to %s, %3 : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<2x2x3xf32>, tensor<2x3xf32>,
      tensor<2x3xf32>, tensor<2x3xf32>
}

// Labels outside [0, depth) give all-zero rows; count multiplies the extents of `axes`
// (all dims when empty); constants may be splat or dense, f32 or i32.
// CHECK-LABEL: others #0 [4, 3]: 1 0 0 0 0 1 0 0 0 0 0 0
// CHECK-NEXT: others #1 [2, 2, 2]: 1 0 0 1 0 0 1 0
// CHECK-NEXT: others #2 []: 8
// CHECK-NEXT: others #3 []: 24
// CHECK-NEXT: others #4 [3]: 1 -2 3
// CHECK-NEXT: others #5 [2]: -1 2
func.func @others() -> (tensor<4x3xf32>, tensor<2x2x2xf32>, tensor<f32>, tensor<f32>, tensor<3xi32>,
                        tensor<2xf32>) {
  %l = nn.constant dense<[0, 2, 5, -1]> : tensor<4xi32>
  %m = nn.constant dense<[[0, 1], [2, 0]]> : tensor<2x2xi32>
  %z = nn.constant dense<1.0> : tensor<2x3x4xf32>
  %i = nn.constant dense<[1, -2, 3]> : tensor<3xi32>
  %0 = nn.one_hot %l {depth = 3 : i64} : tensor<4xi32> -> tensor<4x3xf32>
  %1 = nn.one_hot %m {depth = 2 : i64} : tensor<2x2xi32> -> tensor<2x2x2xf32>
  %2 = nn.count %z {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = nn.count %z {axes = array<i64>} : tensor<2x3x4xf32> -> tensor<f32>
  %a = nn.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %k = nn.kernel "k"(%a) : (tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%x: tensor<2xf32>):
    %n = nn.neg %x : (tensor<2xf32>) -> tensor<2xf32>
    nn.yield %n : tensor<2xf32>
  }
  return %0, %1, %2, %3, %i, %k : tensor<4x3xf32>, tensor<2x2x2xf32>, tensor<f32>, tensor<f32>,
      tensor<3xi32>, tensor<2xf32>
}

// random_uniform: the same seed gives the same values, all in [0, 1), and another
// seed other values (checked over 256 elements: max < 1, min > 0, some differ).
// CHECK-LABEL: random #0 []: 0
// CHECK-NEXT: random #1 []: 1
// CHECK-NEXT: random #2 []: 1
// CHECK-NEXT: random #3 []: 1
func.func @random() -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %like = nn.constant dense<0.0> : tensor<16x16xf32>
  %s1 = nn.constant dense<1.0> : tensor<f32>
  %s2 = nn.constant dense<2.0> : tensor<f32>
  %zero = nn.constant dense<0.0> : tensor<f32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %r1 = nn.random_uniform %like, %s1 : (tensor<16x16xf32>, tensor<f32>) -> tensor<16x16xf32>
  %r1b = nn.random_uniform %like, %s1 : (tensor<16x16xf32>, tensor<f32>) -> tensor<16x16xf32>
  %r2 = nn.random_uniform %like, %s2 : (tensor<16x16xf32>, tensor<f32>) -> tensor<16x16xf32>
  %d = nn.sub %r1, %r1b : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  %da = nn.abs %d : (tensor<16x16xf32>) -> tensor<16x16xf32>
  %0 = nn.reduce_max %da {axes = array<i64>} : tensor<16x16xf32> -> tensor<f32>
  %mx = nn.reduce_max %r1 {axes = array<i64>} : tensor<16x16xf32> -> tensor<f32>
  %1 = nn.greater %one, %mx : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %nr = nn.neg %r1 : (tensor<16x16xf32>) -> tensor<16x16xf32>
  %nmx = nn.reduce_max %nr {axes = array<i64>} : tensor<16x16xf32> -> tensor<f32>
  %2 = nn.greater %zero, %nmx : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %e = nn.sub %r1, %r2 : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  %ea = nn.abs %e : (tensor<16x16xf32>) -> tensor<16x16xf32>
  %emx = nn.reduce_max %ea {axes = array<i64>} : tensor<16x16xf32> -> tensor<f32>
  %3 = nn.greater %emx, %zero : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// random_uniform's stream: stream 0 gives the values of no stream, stream 1 others.
// CHECK-LABEL: random_stream #0 []: 0
// CHECK-NEXT: random_stream #1 []: 1
func.func @random_stream() -> (tensor<f32>, tensor<f32>) {
  %like = nn.constant dense<0.0> : tensor<16x16xf32>
  %s = nn.constant dense<3.0> : tensor<f32>
  %z = nn.constant dense<0> : tensor<i32>
  %o = nn.constant dense<1> : tensor<i32>
  %zero = nn.constant dense<0.0> : tensor<f32>
  %r = nn.random_uniform %like, %s : (tensor<16x16xf32>, tensor<f32>) -> tensor<16x16xf32>
  %r0 = nn.random_uniform %like, %s, %z : (tensor<16x16xf32>, tensor<f32>, tensor<i32>) -> tensor<16x16xf32>
  %r1 = nn.random_uniform %like, %s, %o : (tensor<16x16xf32>, tensor<f32>, tensor<i32>) -> tensor<16x16xf32>
  %d0 = nn.sub %r, %r0 : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  %a0 = nn.abs %d0 : (tensor<16x16xf32>) -> tensor<16x16xf32>
  %0 = nn.reduce_max %a0 {axes = array<i64>} : tensor<16x16xf32> -> tensor<f32>
  %d1 = nn.sub %r, %r1 : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  %a1 = nn.abs %d1 : (tensor<16x16xf32>) -> tensor<16x16xf32>
  %m1 = nn.reduce_max %a1 {axes = array<i64>} : tensor<16x16xf32> -> tensor<f32>
  %1 = nn.greater %m1, %zero : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0, %1 : tensor<f32>, tensor<f32>
}

// random_normal by hand: with seed 5 and stream 0, U(0..3) (Compute.h's hash) are
// 0.438269 0.0172874 0.500978 0.868685; elements 0 and 1 are sqrt(-2 log(1 - U(0)))
// times cos and sin of 2 pi U(1), element 2 (odd count: its pair reaches past the end)
// sqrt(-2 log(1 - U(2))) cos(2 pi U(3)).
// CHECK-LABEL: random_normal #0 [4]: 0.438269 0.0172874 0.500978 0.868685
// CHECK-NEXT: random_normal #1 [3]: 1.06767 0.116428 0.800002
func.func @random_normal() -> (tensor<4xf32>, tensor<3xf32>) {
  %like = nn.constant dense<0.0> : tensor<3xf32>
  %s = nn.constant dense<5.0> : tensor<f32>
  %u = nn.random_uniform %like, %s {shape = array<i64: 4>} : (tensor<3xf32>, tensor<f32>) -> tensor<4xf32>
  %n = nn.random_normal %like, %s : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %u, %n : tensor<4xf32>, tensor<3xf32>
}

// gather and scatter_add by hand, with a repeated index (2) and indices outside the
// table (-1, 3): gather gives rows 2, zeros, 0, zeros, 2; scatter_add of the rows
// [k, 10 k] (k = 1..5) adds 3 into row 0, nothing into row 1, 1 + 5 into row 2, and
// drops the positions whose index is outside.
// CHECK-LABEL: gather #0 [5, 2]: 5 6 0 0 1 2 0 0 5 6
// CHECK-NEXT: gather #1 [3, 2]: 3 30 0 0 6 60
func.func @gather() -> (tensor<5x2xf32>, tensor<3x2xf32>) {
  %t = nn.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %i = nn.constant dense<[2, -1, 0, 3, 2]> : tensor<5xi32>
  %v = nn.constant dense<[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]]> : tensor<5x2xf32>
  %0 = nn.gather %t, %i : (tensor<3x2xf32>, tensor<5xi32>) -> tensor<5x2xf32>
  %1 = nn.scatter_add %v, %i {rows = 3} : (tensor<5x2xf32>, tensor<5xi32>) -> tensor<3x2xf32>
  return %0, %1 : tensor<5x2xf32>, tensor<3x2xf32>
}

// random_uniform's row (after the stream): rows [0, 2) and [2, 4) of a [4, 3] tensor's
// noise, drawn as two [2, 3] tensors with rows 0 and 2, are the whole tensor's (their
// sums match exactly: 2^-24 steps sum exactly in float64); the second half drawn from
// row 0 is not.
// CHECK-LABEL: random_row #0 []: 0
// CHECK-NEXT: random_row #1 []: 1
func.func @random_row() -> (tensor<f32>, tensor<f32>) {
  %whole = nn.constant dense<0.0> : tensor<4x3xf32>
  %half = nn.constant dense<0.0> : tensor<2x3xf32>
  %s = nn.constant dense<7.0> : tensor<f32>
  %z = nn.constant dense<0> : tensor<i32>
  %two = nn.constant dense<2> : tensor<i32>
  %zero = nn.constant dense<0.0> : tensor<f32>
  %r = nn.random_uniform %whole, %s, %z : (tensor<4x3xf32>, tensor<f32>, tensor<i32>) -> tensor<4x3xf32>
  %a = nn.random_uniform %half, %s, %z, %z : (tensor<2x3xf32>, tensor<f32>, tensor<i32>, tensor<i32>) -> tensor<2x3xf32>
  %b = nn.random_uniform %half, %s, %z, %two : (tensor<2x3xf32>, tensor<f32>, tensor<i32>, tensor<i32>) -> tensor<2x3xf32>
  %rs = nn.reduce_sum %r {axes = array<i64>} : tensor<4x3xf32> -> tensor<f32>
  %as = nn.reduce_sum %a {axes = array<i64>} : tensor<2x3xf32> -> tensor<f32>
  %bs = nn.reduce_sum %b {axes = array<i64>} : tensor<2x3xf32> -> tensor<f32>
  %ab = nn.add %as, %bs : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %d = nn.sub %rs, %ab : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %0 = nn.abs %d : (tensor<f32>) -> tensor<f32>
  %aa = nn.add %as, %as : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %e = nn.sub %rs, %aa : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %ea = nn.abs %e : (tensor<f32>) -> tensor<f32>
  %1 = nn.greater %ea, %zero : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0, %1 : tensor<f32>, tensor<f32>
}

// Incremental decoding's ops (passes/Decode.cpp): a [1, 2] row written at run-time
// position 1 of a [3, 2] cache, at 2 with a [2, 2] block (its second row falls outside
// and is dropped), at -1 (nothing written); the causal mask of one query at position 1
// over 4 keys (keys 2 and 3 masked), and with rank-0 offset 0 for two queries.
// CHECK-LABEL: decoding #0 [3, 2]: 0 0 7 8 0 0
// CHECK-NEXT: decoding #1 [3, 2]: 0 0 0 0 7 8
// CHECK-NEXT: decoding #2 [3, 2]: 0 0 0 0 0 0
// CHECK-NEXT: decoding #3 [1, 4]: 0 0 -5 -5
// CHECK-NEXT: decoding #4 [2, 3]: 0 -1e+09 -1e+09 0 0 -1e+09
func.func @decoding() -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<1x4xf32>,
                          tensor<2x3xf32>) {
  %cache = nn.constant dense<0.0> : tensor<3x2xf32>
  %row = nn.constant dense<[[7.0, 8.0]]> : tensor<1x2xf32>
  %block = nn.constant dense<[[7.0, 8.0], [9.0, 10.0]]> : tensor<2x2xf32>
  %one = nn.constant dense<[1]> : tensor<1xi32>
  %two = nn.constant dense<2> : tensor<i32>
  %minus = nn.constant dense<[-1]> : tensor<1xi32>
  %zero = nn.constant dense<0> : tensor<i32>
  %scores = nn.constant dense<0.0> : tensor<1x4xf32>
  %square = nn.constant dense<0.0> : tensor<2x3xf32>
  %0 = nn.dynamic_update_slice %cache, %row, %one {axis = 0} : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<1xi32>) -> tensor<3x2xf32>
  %1 = nn.dynamic_update_slice %cache, %block, %two {axis = -2} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<i32>) -> tensor<3x2xf32>
  %2 = nn.dynamic_update_slice %cache, %row, %minus {axis = 0} : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<1xi32>) -> tensor<3x2xf32>
  %3 = nn.causal_mask %scores at %one {value = -5.0 : f32} : tensor<1x4xf32>, tensor<1xi32> -> tensor<1x4xf32>
  %4 = nn.causal_mask %square at %zero : tensor<2x3xf32>, tensor<i32> -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<1x4xf32>, tensor<2x3xf32>
}
