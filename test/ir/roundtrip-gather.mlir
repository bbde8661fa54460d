// RUN: nn-opt %s | nn-opt | FileCheck %s
// RUN: nn-opt %s --nn-shape-inference | FileCheck %s --check-prefix=INFER
// Tests that gather and scatter_add print and re-parse unchanged, and that their shape
// rules accept index tensors of any rank with symbolic dims.

// CHECK-LABEL: func.func @gather
func.func @gather(%t: tensor<10x4xf32>, %i: tensor<?x5xi32>, %s: tensor<i32>, %d: tensor<?x4xf32>)
    -> (tensor<?x5x4xf32>, tensor<4xf32>, tensor<?x5x4xf32>) {
  // CHECK: nn.gather %{{.*}}, %{{.*}} : (tensor<10x4xf32>, tensor<?x5xi32>) -> tensor<?x5x4xf32>
  %0 = nn.gather %t, %i : (tensor<10x4xf32>, tensor<?x5xi32>) -> tensor<?x5x4xf32>
  // CHECK: nn.gather %{{.*}}, %{{.*}} : (tensor<10x4xf32>, tensor<i32>) -> tensor<4xf32>
  %1 = nn.gather %t, %s : (tensor<10x4xf32>, tensor<i32>) -> tensor<4xf32>
  // A table with a symbolic row count.
  // CHECK: nn.gather %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<?x5xi32>) -> tensor<?x5x4xf32>
  %2 = nn.gather %d, %i : (tensor<?x4xf32>, tensor<?x5xi32>) -> tensor<?x5x4xf32>
  return %0, %1, %2 : tensor<?x5x4xf32>, tensor<4xf32>, tensor<?x5x4xf32>
}

// CHECK-LABEL: func.func @scatter_add
func.func @scatter_add(%g: tensor<?x5x4xf32>, %i: tensor<?x5xi32>, %v: tensor<4xf32>, %s: tensor<i32>)
    -> (tensor<10x4xf32>, tensor<3x4xf32>) {
  // CHECK: nn.scatter_add %{{.*}}, %{{.*}} {rows = 10 : i64} : (tensor<?x5x4xf32>, tensor<?x5xi32>) -> tensor<10x4xf32>
  %0 = nn.scatter_add %g, %i {rows = 10} : (tensor<?x5x4xf32>, tensor<?x5xi32>) -> tensor<10x4xf32>
  // CHECK: nn.scatter_add %{{.*}}, %{{.*}} {rows = 3 : i64} : (tensor<4xf32>, tensor<i32>) -> tensor<3x4xf32>
  %1 = nn.scatter_add %v, %s {rows = 3} : (tensor<4xf32>, tensor<i32>) -> tensor<3x4xf32>
  return %0, %1 : tensor<10x4xf32>, tensor<3x4xf32>
}

// Shape inference refines unranked results.
// INFER-LABEL: func.func @infer
// INFER: nn.gather {{.*}} -> tensor<2x3x4xf32>
// INFER: nn.scatter_add {{.*}} -> tensor<10x4xf32>
func.func @infer(%t: tensor<10x4xf32>, %i: tensor<2x3xi32>) -> tensor<*xf32> {
  %0 = nn.gather %t, %i : (tensor<10x4xf32>, tensor<2x3xi32>) -> tensor<*xf32>
  %1 = nn.scatter_add %0, %i {rows = 10} : (tensor<*xf32>, tensor<2x3xi32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
