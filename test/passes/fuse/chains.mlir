// RUN: nn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(nn-fuse))' | FileCheck %s
// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests that nn-fuse groups an anchor op and the elementwise ops around it into one
// nn.kernel, names kernels <func>_k<i>, and keeps fusing past values with several
// users (they become kernel results only when used outside the kernel).

// matmul + bias + relu: one kernel that yields the relu.
// CHECK-LABEL: func.func @dense(
// CHECK-SAME: %[[X:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<784x10xf32>, %[[B:.*]]: tensor<10xf32>)
// CHECK-NEXT: %[[K:.*]] = nn.kernel "dense_k0"(%[[X]], %[[W]], %[[B]]) {{.*}}: (tensor<?x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<?x10xf32> {
// CHECK-NEXT: ^bb0(%[[KX:.*]]: tensor<?x784xf32>, %[[KW:.*]]: tensor<784x10xf32>, %[[KB:.*]]: tensor<10xf32>):
// CHECK-NEXT: %[[M:.*]] = nn.matmul %[[KX]], %[[KW]]
// CHECK-NEXT: %[[A:.*]] = nn.add %[[M]], %[[KB]]
// CHECK-NEXT: %[[R:.*]] = nn.relu %[[A]]
// CHECK-NEXT: nn.yield %[[R]] : tensor<?x10xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K]] : tensor<?x10xf32>
func.func @dense(%x: tensor<?x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x784xf32>, tensor<784x10xf32>) -> tensor<?x10xf32>
  %1 = nn.add %0, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %2 = nn.relu %1 : (tensor<?x10xf32>) -> tensor<?x10xf32>
  return %2 : tensor<?x10xf32>
}

// -----

// %1 has two users, both in the kernel: matmul, relu, exp, neg and add are one kernel
// (the epilogue of the matmul, all of the product's shape).
// CHECK-LABEL: func.func @two_users(
// CHECK: %[[K0:.*]] = nn.kernel "two_users_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.relu
// CHECK-NEXT: nn.exp
// CHECK-NEXT: nn.neg
// CHECK-NEXT: nn.add
// CHECK-NEXT: nn.yield
// CHECK: return %[[K0]]
// CHECK-NOT: nn.kernel
func.func @two_users(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = nn.relu %0 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = nn.exp %1 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = nn.neg %1 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %4 = nn.add %2, %3 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %4 : tensor<2x4xf32>
}

// -----

// An intermediate value that is also returned is a second result of the kernel.
// CHECK-LABEL: func.func @returned_intermediate(
// CHECK: %[[K0:.*]]:2 = nn.kernel "returned_intermediate_k0"
// CHECK: %[[E:.*]] = nn.exp
// CHECK: %[[T:.*]] = nn.tanh %[[E]]
// CHECK: nn.yield %[[E]], %[[T]]
// CHECK: return %[[K0]]#0, %[[K0]]#1
func.func @returned_intermediate(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.tanh %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A reduction takes both its elementwise prologue and its epilogue.
// CHECK-LABEL: func.func @reduce_epilogue(
// CHECK: %[[K0:.*]] = nn.kernel "reduce_epilogue_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.exp
// CHECK-NEXT: nn.reduce_sum
// CHECK-NEXT: nn.log
// CHECK-NEXT: nn.neg
// CHECK-NEXT: nn.yield
// CHECK: return %[[K0]]
// CHECK-NOT: nn.kernel
func.func @reduce_epilogue(%x: tensor<?x10xf32>) -> tensor<?x1xf32> {
  %0 = nn.exp %x : (tensor<?x10xf32>) -> tensor<?x10xf32>
  %1 = nn.reduce_sum %0 {axes = array<i64: 1>, keepdims = true} : tensor<?x10xf32> -> tensor<?x1xf32>
  %2 = nn.log %1 : (tensor<?x1xf32>) -> tensor<?x1xf32>
  %3 = nn.neg %2 : (tensor<?x1xf32>) -> tensor<?x1xf32>
  return %3 : tensor<?x1xf32>
}

// -----

// x * x uses the chain's value twice in one op: that op is still its only user.
// CHECK-LABEL: func.func @square(
// CHECK: %[[K:.*]] = nn.kernel "square_k0"(%{{.*}}) {{.*}}: (tensor<8xf32>) -> tensor<8xf32> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<8xf32>):
// CHECK-NEXT: %[[S:.*]] = nn.sub %[[A]], %[[A]]
// CHECK-NEXT: %[[M:.*]] = nn.mul %[[S]], %[[S]]
// CHECK-NEXT: nn.yield %[[M]]
// CHECK: return %[[K]]
// CHECK-NOT: nn.kernel
func.func @square(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = nn.sub %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.mul %0, %0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// A transpose does not join a matmul (its operand is materialized); one_hot and sub
// are of the product's shape, so they join the matmul's epilogue.
// CHECK-LABEL: func.func @anchors(
// CHECK: %[[K0:.*]] = nn.kernel "anchors_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.transpose
// CHECK-NEXT: nn.yield
// CHECK: %[[K1:.*]] = nn.kernel "anchors_k1"(%[[K0]], %{{.*}}, %{{.*}}) {{.*}}: (tensor<3x2xf32>, tensor<2x3xf32>, tensor<3xi32>) -> tensor<3x3xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.one_hot
// CHECK-NEXT: nn.sub
// CHECK-NEXT: nn.yield
// CHECK: return %[[K1]]
func.func @anchors(%x: tensor<3x2xf32>, %w: tensor<2x3xf32>, %l: tensor<3xi32>) -> tensor<3x3xf32> {
  %0 = nn.transpose %w {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = nn.matmul %0, %w : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %2 = nn.one_hot %l {depth = 3} : tensor<3xi32> -> tensor<3x3xf32>
  %3 = nn.sub %2, %1 : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return %3 : tensor<3x3xf32>
}
