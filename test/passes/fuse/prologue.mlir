// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests matmul prologues: an operand computed by pointwise ops from arguments and
// constants alone is cloned into each matmul kernel that reads it (marked
// nn.prologue), through a reshape that moves to the arguments, and needs no kernel or
// buffer of its own.

// W1's input standardisation: (x - 0.286) / 0.353, flattened. The reshape moves to the
// argument, the two ops join the matmul's kernel with their constants, and the
// originals are gone.
// CHECK-LABEL: func.func @standardise(
// CHECK-SAME: %[[X:.*]]: tensor<?x28x28xf32>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] {shape = array<i64: -1, 784>} : tensor<?x28x28xf32> -> tensor<?x784xf32>
// CHECK-NEXT: %[[K:.*]] = nn.kernel "standardise_k0"(%[[R]], %{{.*}}) {nn.fusion = {inputs = ["reshape is a buffer alias", "function argument"], kind = "matmul"}}
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<784x10xf32>):
// CHECK-DAG: %[[M:.*]] = nn.constant dense<2.860000e-01>
// CHECK-DAG: %[[S:.*]] = nn.constant dense<3.530000e-01>
// CHECK: %[[SUB:.*]] = nn.sub %[[A]], %[[M]] {nn.prologue} : (tensor<?x784xf32>, tensor<f32>) -> tensor<?x784xf32>
// CHECK-NEXT: %[[DIV:.*]] = nn.div %[[SUB]], %[[S]] {nn.prologue} : (tensor<?x784xf32>, tensor<f32>) -> tensor<?x784xf32>
// CHECK-NEXT: %[[P:.*]] = nn.matmul %[[DIV]], %[[W]]
// CHECK-NEXT: nn.yield %[[P]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K]]
func.func @standardise(%x: tensor<?x28x28xf32>, %w: tensor<784x10xf32>) -> tensor<?x10xf32> {
  %m = nn.constant dense<0.286> : tensor<f32>
  %s = nn.constant dense<0.353> : tensor<f32>
  %0 = nn.sub %x, %m : (tensor<?x28x28xf32>, tensor<f32>) -> tensor<?x28x28xf32>
  %1 = nn.div %0, %s : (tensor<?x28x28xf32>, tensor<f32>) -> tensor<?x28x28xf32>
  %2 = nn.reshape %1 {shape = array<i64: -1, 784>} : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %3 = nn.matmul %2, %w : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<?x10xf32>
  return %3 : tensor<?x10xf32>
}

// -----

// A chain read by two matmuls (one with the operand transposed) and by a non-matmul op:
// each matmul gets its own copy; the original stays for the other reader, in a kernel
// of its own with that reader.
// CHECK-LABEL: func.func @shared(
// CHECK: %[[E:.*]] = nn.kernel "shared_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.relu %{{[a-z0-9]+}} :
// CHECK-NEXT: nn.exp
// CHECK: %[[Y:.*]] = nn.kernel "shared_k1"
// CHECK: nn.relu %{{.*}} {nn.prologue}
// CHECK-NEXT: nn.matmul
// CHECK: %[[G:.*]] = nn.kernel "shared_k2"
// CHECK: nn.relu %{{.*}} {nn.prologue}
// CHECK-NEXT: nn.matmul {{.*}}transpose_lhs = true
// CHECK-NOT: nn.kernel
// CHECK: return %[[Y]], %[[G]], %[[E]]
func.func @shared(%x: tensor<4x8xf32>, %w: tensor<8x3xf32>, %g: tensor<4x3xf32>)
    -> (tensor<4x3xf32>, tensor<8x3xf32>, tensor<4x8xf32>) {
  %0 = nn.relu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = nn.matmul %0, %w : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %2 = nn.matmul %0, %g {transpose_lhs = true} : (tensor<4x8xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  %3 = nn.exp %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %1, %2, %3 : tensor<4x3xf32>, tensor<8x3xf32>, tensor<4x8xf32>
}

// -----

// A chain with a broadcast operand that is not a scalar constant cannot move through a
// reshape: it stays a kernel of its own, and the matmul reads its (reshaped) result.
// CHECK-LABEL: func.func @broadcast_through_reshape(
// CHECK: %[[K0:.*]] = nn.kernel "broadcast_through_reshape_k0"
// CHECK: nn.reshape %[[K0]]
// CHECK: nn.kernel "broadcast_through_reshape_k1"{{.*}}inputs = ["reshape is a buffer alias", "function argument"]
// CHECK-NOT: nn.prologue
func.func @broadcast_through_reshape(%x: tensor<?x2x4xf32>, %b: tensor<4xf32>, %w: tensor<8x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.sub %x, %b : (tensor<?x2x4xf32>, tensor<4xf32>) -> tensor<?x2x4xf32>
  %1 = nn.reshape %0 {shape = array<i64: -1, 8>} : tensor<?x2x4xf32> -> tensor<?x8xf32>
  %2 = nn.matmul %1, %w : (tensor<?x8xf32>, tensor<8x3xf32>) -> tensor<?x3xf32>
  return %2 : tensor<?x3xf32>
}

// -----

// Without a reshape, a broadcast chain over arguments is a prologue (here of the rhs).
// CHECK-LABEL: func.func @rhs_broadcast(
// CHECK: nn.kernel "rhs_broadcast_k0"
// CHECK: nn.mul %{{.*}}, %{{.*}} {nn.prologue} : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
// CHECK-NEXT: nn.matmul
// CHECK-NOT: nn.kernel
func.func @rhs_broadcast(%x: tensor<4x8xf32>, %w: tensor<8x3xf32>, %s: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = nn.mul %w, %s : (tensor<8x3xf32>, tensor<3xf32>) -> tensor<8x3xf32>
  %1 = nn.matmul %x, %0 : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}
