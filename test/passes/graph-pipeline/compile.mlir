// RUN: nn-opt %s --nn-compile | FileCheck %s
// Tests that --nn-compile runs the graph pipeline and then forms kernels: the inlined,
// refined dense layer becomes one kernel and the helper is gone.

// CHECK-LABEL: func.func @model(
// CHECK-SAME: -> tensor<?x10xf32>
// CHECK-NOT: call
// CHECK: %[[K:.*]] = nn.kernel "model_k0"(%{{.*}}, %{{.*}}, %{{.*}}) {{.*}}: (tensor<?x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<?x10xf32> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul {{.*}} -> tensor<?x10xf32>
// CHECK-NEXT: nn.add {{.*}} -> tensor<?x10xf32>
// CHECK-NEXT: nn.sigmoid {{.*}} -> tensor<?x10xf32>
// CHECK-NEXT: nn.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K]] : tensor<?x10xf32>
// CHECK-NOT: @dense
func.func private @dense(%x: tensor<?x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>) -> tensor<*xf32> {
  %zero = nn.constant dense<0.0> : tensor<f32>
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<*xf32>
  %1 = nn.add %0, %b : (tensor<*xf32>, tensor<10xf32>) -> tensor<*xf32>
  %2 = nn.add %1, %zero : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %3 = nn.sigmoid %2 : (tensor<*xf32>) -> tensor<*xf32>
  return %3 : tensor<*xf32>
}
func.func @model(%x: tensor<?x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>) -> tensor<*xf32> {
  %0 = func.call @dense(%x, %w, %b) : (tensor<?x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
