// RUN: nn-opt %s --nn-graph | FileCheck %s
// Tests that --nn-graph inlines a private callee whose body carries unranked types,
// removes it, and then refines the inlined ops and the caller's result type.

// CHECK-NOT: func.func private @dense
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[X:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<784x10xf32>, %[[B:.*]]: tensor<10xf32>) -> tensor<?xf32>
// CHECK-NOT: call
// CHECK: %[[M:.*]] = nn.matmul %[[X]], %[[W]] : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<?x10xf32>
// CHECK: %[[A:.*]] = nn.add %[[M]], %[[B]] : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
// CHECK: %[[R:.*]] = nn.relu %[[A]] : (tensor<?x10xf32>) -> tensor<?x10xf32>
// CHECK: %[[S:.*]] = nn.reduce_sum %[[R]] {axes = array<i64: 1>} : tensor<?x10xf32> -> tensor<?xf32>
// CHECK: return %[[S]] : tensor<?xf32>
// CHECK-NOT: func.func
func.func private @dense(%x: tensor<?x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>) -> tensor<*xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<*xf32>
  %1 = nn.add %0, %b : (tensor<*xf32>, tensor<10xf32>) -> tensor<*xf32>
  %2 = nn.relu %1 : (tensor<*xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

func.func @model(%x: tensor<?x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>) -> tensor<*xf32> {
  %0 = func.call @dense(%x, %w, %b) : (tensor<?x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<*xf32>
  %1 = nn.reduce_sum %0 {axes = array<i64: 1>} : tensor<*xf32> -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
