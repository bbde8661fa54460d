// RUN: nn-opt %s --nn-graph --split-input-file | FileCheck %s
// Tests that --nn-graph inlines every call of a private helper, deletes the helper
// (symbol DCE), refines types, folds identities and merges duplicate ops (CSE).

// Both calls compute softplus(x) = log(1 + exp(x)) on the same argument: after
// inlining, CSE leaves one copy, and the `* 1.0` in the caller folds away.
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[X:.*]]: tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK-NOT: call
// CHECK: %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[E:.*]] = nn.exp %[[X]] : (tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT: %[[A:.*]] = nn.add %[[E]], %[[ONE]] : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
// CHECK-NEXT: %[[L:.*]] = nn.log %[[A]] : (tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT: %[[S:.*]] = nn.add %[[L]], %[[L]] : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT: return %[[S]] : tensor<?x10xf32>
// CHECK-NOT: func.func private @softplus
// CHECK-NOT: func.func
func.func private @softplus(%x: tensor<?x10xf32>) -> tensor<*xf32> {
  %one = nn.constant dense<1.0> : tensor<f32>
  %0 = nn.exp %x : (tensor<?x10xf32>) -> tensor<*xf32>
  %1 = nn.add %0, %one : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %2 = nn.log %1 : (tensor<*xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

func.func @model(%x: tensor<?x10xf32>) -> tensor<*xf32> {
  %one = nn.constant dense<1.0> : tensor<f32>
  %0 = func.call @softplus(%x) : (tensor<?x10xf32>) -> tensor<*xf32>
  %1 = func.call @softplus(%x) : (tensor<?x10xf32>) -> tensor<*xf32>
  %2 = nn.mul %1, %one : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %3 = nn.add %0, %2 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return %3 : tensor<*xf32>
}

// -----

// Calls with different arguments are inlined but not merged; a public function that is
// called stays, an unused private one goes.
// CHECK-LABEL: func.func @helper_public(
// CHECK: nn.tanh
// CHECK-LABEL: func.func @two_args(
// CHECK-SAME: %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: call
// CHECK-DAG: %[[TA:.*]] = nn.tanh %[[A]] : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-DAG: %[[TB:.*]] = nn.tanh %[[B]] : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[S:.*]] = nn.sub %[[TA]], %[[TB]]
// CHECK: return %[[S]]
// CHECK-NOT: @unused
func.func @helper_public(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func private @unused(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @two_args(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @helper_public(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = func.call @helper_public(%b) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = nn.sub %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Nested private helpers are all inlined and removed.
// CHECK-LABEL: func.func @nested(
// CHECK-NOT: call
// CHECK: %[[R:.*]] = nn.relu %{{.*}} : (tensor<2x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: %[[N:.*]] = nn.neg %[[R]] : (tensor<2x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: return %[[N]] : tensor<2x2xf32>
// CHECK-NOT: func.func private
func.func private @inner(%x: tensor<2x2xf32>) -> tensor<*xf32> {
  %0 = nn.relu %x : (tensor<2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
func.func private @outer(%x: tensor<2x2xf32>) -> tensor<*xf32> {
  %0 = func.call @inner(%x) : (tensor<2x2xf32>) -> tensor<*xf32>
  %1 = nn.neg %0 : (tensor<*xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
func.func @nested(%x: tensor<2x2xf32>) -> tensor<*xf32> {
  %0 = func.call @outer(%x) : (tensor<2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
