// RUN: nn-opt %s --canonicalize --split-input-file | FileCheck %s
// Tests that the nn op folders remove identity arithmetic, double negation, no-op
// reshapes and transposes, and fold negated constants, but never change a result type.

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: nn.add
// CHECK: return %[[X]], %[[X]], %[[X]]
func.func @add_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %z = nn.constant dense<0.0> : tensor<4xf32>
  %s = nn.constant dense<0.0> : tensor<f32>
  %0 = nn.add %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.add %z, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // A rank-0 zero broadcasts to x's shape: the result is still x's type.
  %2 = nn.add %x, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @mul_one
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: nn.mul
// CHECK: return %[[X]], %[[X]]
func.func @mul_one(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = nn.constant dense<1.0> : tensor<f32>
  %0 = nn.mul %x, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %1 = nn.mul %one, %x : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @sub_zero_div_one
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NOT: nn.sub
// CHECK-NOT: nn.div
// CHECK: return %[[X]], %[[X]]
func.func @sub_zero_div_one(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %zero = nn.constant dense<0.0> : tensor<3xf32>
  %one = nn.constant dense<1.0> : tensor<1x3xf32>
  %0 = nn.sub %x, %zero : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = nn.div %x, %one : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// Subtraction and division are not commutative: 0 - x and 1 / x stay.
// CHECK-LABEL: func.func @zero_minus_x
// CHECK: %[[S:.*]] = nn.sub
// CHECK: %[[D:.*]] = nn.div
// CHECK: return %[[S]], %[[D]]
func.func @zero_minus_x(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = nn.constant dense<0.0> : tensor<f32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %0 = nn.sub %zero, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.div %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Adding a zero that broadcasts x to a larger shape is not the identity.
// CHECK-LABEL: func.func @add_zero_broadcasts
// CHECK: %[[Z:.*]] = nn.constant dense<0.000000e+00> : tensor<2x3xf32>
// CHECK: %[[R:.*]] = nn.add %{{.*}}, %[[Z]] : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[M:.*]] = nn.mul %{{.*}}, %{{.*}} : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[R]], %[[M]]
func.func @add_zero_broadcasts(%x: tensor<3xf32>, %y: tensor<1xf32>) -> (tensor<2x3xf32>, tensor<4xf32>) {
  %z = nn.constant dense<0.0> : tensor<2x3xf32>
  %one = nn.constant dense<1.0> : tensor<4xf32>
  %0 = nn.add %x, %z : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.mul %y, %one : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<4xf32>
}

// -----

// Only the identity element folds: x + 0.5, x * 0, x + [0, 1] stay.
// CHECK-LABEL: func.func @not_identity
// CHECK: nn.add
// CHECK: nn.mul
// CHECK: nn.add
// CHECK: return
func.func @not_identity(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %h = nn.constant dense<0.5> : tensor<f32>
  %z = nn.constant dense<0.0> : tensor<f32>
  %v = nn.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = nn.add %x, %h : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = nn.mul %x, %z : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %2 = nn.add %x, %v : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT: nn.neg
// CHECK: return %[[X]]
func.func @neg_neg(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.neg %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = nn.neg %0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// -----

// A single neg of a non-constant stays; neg of a splat constant folds to a constant.
// CHECK-LABEL: func.func @neg_constant
// CHECK-DAG: %[[C:.*]] = nn.constant dense<-2.500000e+00> : tensor<3xf32>
// CHECK-DAG: %[[N:.*]] = nn.neg %{{.*}} : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: return %[[C]], %[[N]]
func.func @neg_constant(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %c = nn.constant dense<2.5> : tensor<3xf32>
  %0 = nn.neg %c : (tensor<3xf32>) -> tensor<3xf32>
  %1 = nn.neg %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>
// CHECK-NOT: nn.reshape
// CHECK: return %[[X]]
func.func @reshape_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.reshape %x {shape = array<i64: 2, -1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A reshape of a dynamic tensor to the same type is kept (the fold is static-only).
// CHECK-LABEL: func.func @reshape_same_dynamic_type
// CHECK: %[[R:.*]] = nn.reshape %{{.*}} {shape = array<i64: -1, 4>} : tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK: return %[[R]]
func.func @reshape_same_dynamic_type(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.reshape %x {shape = array<i64: -1, 4>} : tensor<?x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// reshape(reshape(x)) reads x directly; the inner reshape dies.
// CHECK-LABEL: func.func @reshape_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] {shape = array<i64: 4, 6>} : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = nn.reshape %x {shape = array<i64: -1>} : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = nn.reshape %0 {shape = array<i64: 4, 6>} : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// reshape(reshape(x)) back to x's static type folds away entirely.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: nn.reshape
// CHECK: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.reshape %x {shape = array<i64: 6>} : tensor<2x3xf32> -> tensor<6xf32>
  %1 = nn.reshape %0 {shape = array<i64: 2, 3>} : tensor<6xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = nn.transpose %[[X]] {perm = array<i64: 1, 0, 2>}
// CHECK-NEXT: return %[[X]], %[[T]]
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3x2x4xf32>) {
  %0 = nn.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %1 = nn.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<3x2x4xf32>
}

// -----

// An identity transpose whose declared result is less precise keeps its type.
// CHECK-LABEL: func.func @transpose_identity_relaxed
// CHECK: %[[T:.*]] = nn.transpose %{{.*}} {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<?x3xf32>
// CHECK: return %[[T]]
func.func @transpose_identity_relaxed(%x: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A transpose of a transpose is one transpose by the composed permutation, and none
// when that is the identity (stacked recurrent layers: batch-first, then time-major).
// CHECK-LABEL: func.func @transpose_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.*]] = nn.transpose %[[X]] {perm = array<i64: 2, 1, 0>} : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
// CHECK-NOT: nn.transpose
// CHECK: return %[[X]], %[[T]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x3x2xf32>) {
  %0 = nn.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = nn.transpose %0 {perm = array<i64: 1, 0, 2>} : tensor<3x2x4xf32> -> tensor<2x3x4xf32>
  %2 = nn.transpose %0 {perm = array<i64: 2, 0, 1>} : tensor<3x2x4xf32> -> tensor<4x3x2xf32>
  return %1, %2 : tensor<2x3x4xf32>, tensor<4x3x2xf32>
}
