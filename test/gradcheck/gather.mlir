// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradients of gather (w.r.t. the table: a scatter-add) and of
// scatter_add (w.r.t. the values: a gather) match float64 central differences. The
// indices repeat, so the scatter-add must sum several rows into one, and some lie
// outside the table (-1, 5, 7), where gather gives zeros and scatter_add adds nothing.

// Fixed indices: rows 0 and 2 are read twice and three times, -1 and 7 are outside.
// CHECK: PASS gather_repeated:
func.func @gather_repeated(%t: tensor<5x3xf32>) -> tensor<3x3x3xf32> {
  %i = nn.constant dense<[[0, 2, 2], [4, 0, -1], [2, 7, 1]]> : tensor<3x3xi32>
  %0 = nn.gather %t, %i : (tensor<5x3xf32>, tensor<3x3xi32>) -> tensor<3x3x3xf32>
  %1 = nn.tanh %0 : (tensor<3x3x3xf32>) -> tensor<3x3x3xf32>
  return %1 : tensor<3x3x3xf32>
}

// Random indices in [-1, 6) over a table of 5 rows: 12 positions, so repeats.
// CHECK: PASS gather_random:
func.func @gather_random(%t: tensor<5x2xf32>, %i: tensor<4x3xi32> {gradcheck.min = -1 : i64, gradcheck.max = 6 : i64}) -> tensor<4x3x2xf32> {
  %0 = nn.gather %t, %i : (tensor<5x2xf32>, tensor<4x3xi32>) -> tensor<4x3x2xf32>
  %1 = nn.mul %0, %0 : (tensor<4x3x2xf32>, tensor<4x3x2xf32>) -> tensor<4x3x2xf32>
  return %1 : tensor<4x3x2xf32>
}

// One index (rank 0) and a rank-1 index vector.
// CHECK: PASS gather_ranks:
func.func @gather_ranks(%t: tensor<4x3xf32>) -> tensor<5x3xf32> {
  %s = nn.constant dense<3> : tensor<i32>
  %i = nn.constant dense<[1, 3, 1, 1, 0]> : tensor<5xi32>
  %0 = nn.gather %t, %s : (tensor<4x3xf32>, tensor<i32>) -> tensor<3xf32>
  %1 = nn.gather %t, %i : (tensor<4x3xf32>, tensor<5xi32>) -> tensor<5x3xf32>
  %2 = nn.mul %1, %0 : (tensor<5x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return %2 : tensor<5x3xf32>
}

// An embedding feeding a dense layer: the gradient flows through the matmul to both
// the table and the weight.
// CHECK: PASS embedding_dense:
func.func @embedding_dense(%t: tensor<6x4xf32>, %w: tensor<4x3xf32>) -> tensor<2x3x3xf32> {
  %i = nn.constant dense<[[5, 1, 5], [0, 5, 2]]> : tensor<2x3xi32>
  %0 = nn.gather %t, %i : (tensor<6x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>
  %1 = nn.matmul %0, %w : (tensor<2x3x4xf32>, tensor<4x3xf32>) -> tensor<2x3x3xf32>
  %2 = nn.tanh %1 : (tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  return %2 : tensor<2x3x3xf32>
}

// scatter_add itself, differentiated w.r.t. its values (the gradient is a gather).
// CHECK: PASS scatter_add:
func.func @scatter_add(%v: tensor<2x3x4xf32>) -> tensor<5x4xf32> {
  %i = nn.constant dense<[[3, 0, 3], [5, 3, -1]]> : tensor<2x3xi32>
  %0 = nn.scatter_add %v, %i {rows = 5} : (tensor<2x3x4xf32>, tensor<2x3xi32>) -> tensor<5x4xf32>
  %1 = nn.tanh %0 : (tensor<5x4xf32>) -> tensor<5x4xf32>
  return %1 : tensor<5x4xf32>
}

// CHECK: {{^}}5 passed, 0 failed
