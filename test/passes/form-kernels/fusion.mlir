// RUN: nn-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(nn-form-kernels))' | FileCheck %s
// RUN: nn-opt %s --split-input-file --nn-form-kernels | FileCheck %s
// Tests that nn-form-kernels groups an anchor op and the elementwise chain that follows
// it into one nn.kernel, names kernels <func>_k<i>, and starts a new kernel at values
// with several users.

// matmul + bias + relu: one kernel that yields the relu.
// CHECK-LABEL: func.func @dense(
// CHECK-SAME: %[[X:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<784x10xf32>, %[[B:.*]]: tensor<10xf32>)
// CHECK-NEXT: %[[K:.*]] = nn.kernel "dense_k0"(%[[X]], %[[W]], %[[B]]) : (tensor<?x784xf32>, tensor<784x10xf32>, tensor<10xf32>) -> tensor<?x10xf32> {
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

// %1 has two users: the chain stops there, and each user starts its own kernel that
// takes the first kernel's result as an input. The add then joins the exp's kernel
// (it is the exp's only user); kernels are numbered in the order their first op
// appears, so k2 (neg) is placed before k1 (exp + add).
// CHECK-LABEL: func.func @two_users(
// CHECK: %[[K0:.*]] = nn.kernel "two_users_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.relu
// CHECK-NEXT: nn.yield
// CHECK: %[[K2:.*]] = nn.kernel "two_users_k2"(%[[K0]]) : (tensor<2x4xf32>) -> tensor<2x4xf32> {
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<2x4xf32>):
// CHECK-NEXT: nn.neg
// CHECK-NEXT: nn.yield
// CHECK: %[[K1:.*]] = nn.kernel "two_users_k1"(%[[K0]], %[[K2]]) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<2x4xf32>, %[[B:.*]]: tensor<2x4xf32>):
// CHECK-NEXT: %[[E:.*]] = nn.exp %[[A]]
// CHECK-NEXT: nn.add %[[E]], %[[B]]
// CHECK-NEXT: nn.yield
// CHECK: return %[[K1]]
func.func @two_users(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = nn.relu %0 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = nn.exp %1 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = nn.neg %1 : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %4 = nn.add %2, %3 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %4 : tensor<2x4xf32>
}

// -----

// An intermediate value that is also returned cannot be hidden inside a kernel.
// CHECK-LABEL: func.func @returned_intermediate(
// CHECK: %[[K0:.*]] = nn.kernel "returned_intermediate_k0"
// CHECK: nn.exp
// CHECK-NOT: nn.tanh
// CHECK: nn.yield
// CHECK: %[[K1:.*]] = nn.kernel "returned_intermediate_k1"(%[[K0]])
// CHECK: nn.tanh
// CHECK: return %[[K0]], %[[K1]]
func.func @returned_intermediate(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.tanh %0 : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A reduction anchors a kernel and its elementwise epilogue joins it; the elementwise
// prologue before the reduction is a kernel of its own.
// CHECK-LABEL: func.func @reduce_epilogue(
// CHECK: %[[K0:.*]] = nn.kernel "reduce_epilogue_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.exp
// CHECK-NEXT: nn.yield
// CHECK: %[[K1:.*]] = nn.kernel "reduce_epilogue_k1"(%[[K0]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.reduce_sum
// CHECK-NEXT: nn.log
// CHECK-NEXT: nn.neg
// CHECK-NEXT: nn.yield
// CHECK: return %[[K1]]
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
// CHECK: %[[K:.*]] = nn.kernel "square_k0"(%{{.*}}) : (tensor<8xf32>) -> tensor<8xf32> {
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

// Non-elementwise ops (matmul, transpose, one_hot) always start a new kernel.
// CHECK-LABEL: func.func @anchors(
// CHECK: %[[K0:.*]] = nn.kernel "anchors_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.transpose
// CHECK-NEXT: nn.yield
// CHECK: %[[K1:.*]] = nn.kernel "anchors_k1"(%[[K0]], %{{.*}})
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.yield
// CHECK: %[[K2:.*]] = nn.kernel "anchors_k2"(%{{.*}}, %[[K1]]) : (tensor<3xi32>, tensor<3x3xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.one_hot
// CHECK-NEXT: nn.sub
// CHECK-NEXT: nn.yield
// CHECK: return %[[K2]]
func.func @anchors(%x: tensor<3x2xf32>, %w: tensor<2x3xf32>, %l: tensor<3xi32>) -> tensor<3x3xf32> {
  %0 = nn.transpose %w {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = nn.matmul %0, %w : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %2 = nn.one_hot %l {depth = 3} : tensor<3xi32> -> tensor<3x3xf32>
  %3 = nn.sub %2, %1 : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return %3 : tensor<3x3xf32>
}
