// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests that nn-fuse leaves reshapes outside kernels (they are buffer aliases),
// clones constants into every kernel that reads them, and numbers kernels per function.

// The reshape between the two ops splits them into two kernels and stays between them.
// (The reduction is not a pointwise chain over arguments, so it is no matmul prologue.)
// CHECK-LABEL: func.func @reshape_outside(
// CHECK-SAME: %[[X:.*]]: tensor<?x28x28xf32>
// CHECK: %[[K0:.*]] = nn.kernel "reshape_outside_k0"(%[[X]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.reduce_max
// CHECK-NEXT: nn.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[K0]] {shape = array<i64: -1, 28>} : tensor<?x28x1xf32> -> tensor<?x28xf32>
// CHECK-NEXT: %[[K1:.*]] = nn.kernel "reshape_outside_k1"(%[[R]], %{{.*}})
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K1]]
func.func @reshape_outside(%x: tensor<?x28x28xf32>, %w: tensor<28x10xf32>) -> tensor<?x10xf32> {
  %0 = nn.reduce_max %x {axes = array<i64: 2>, keepdims = true} : tensor<?x28x28xf32> -> tensor<?x28x1xf32>
  %1 = nn.reshape %0 {shape = array<i64: -1, 28>} : tensor<?x28x1xf32> -> tensor<?x28xf32>
  %2 = nn.matmul %1, %w : (tensor<?x28xf32>, tensor<28x10xf32>) -> tensor<?x10xf32>
  return %2 : tensor<?x10xf32>
}

// -----

// A reshape of an argument alone forms no kernel.
// CHECK-LABEL: func.func @only_reshape(
// CHECK-NOT: nn.kernel
// CHECK: nn.reshape
// CHECK-NOT: nn.kernel
// CHECK: return
func.func @only_reshape(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %0 = nn.reshape %x {shape = array<i64: 6>} : tensor<2x3xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// A splat constant read by several ops of a kernel is cloned into it once, is not a
// kernel input, and its original is erased. (The elementwise ops and the reduction
// are one kernel.)
// CHECK-LABEL: func.func @constants(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>
// CHECK-NOT: nn.constant
// CHECK: %[[K0:.*]] = nn.kernel "constants_k0"(%[[X]]) {{.*}}: (tensor<4xf32>) -> tensor<f32> {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>):
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[M:.*]] = nn.mul %[[A]], %[[C]]
// CHECK-NEXT: %[[D:.*]] = nn.add %[[M]], %[[C]]
// CHECK-NEXT: %[[S:.*]] = nn.reduce_sum %[[D]]
// CHECK-NEXT: %[[P:.*]] = nn.pow %[[S]], %[[C]]
// CHECK-NEXT: nn.yield %[[P]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K0]]
func.func @constants(%x: tensor<4xf32>) -> tensor<f32> {
  %c = nn.constant dense<0.5> : tensor<f32>
  %0 = nn.mul %x, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = nn.add %0, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %2 = nn.reduce_sum %1 {axes = array<i64>} : tensor<4xf32> -> tensor<f32>
  %3 = nn.pow %2, %c : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %3 : tensor<f32>
}

// -----

// A constant that is also used outside kernels (here returned) is cloned into the
// kernel that reads it and also becomes a kernel of its own, numbered after the others.
// CHECK-LABEL: func.func @constant_returned(
// CHECK-NOT: nn.constant
// CHECK: %[[C:.*]] = nn.kernel "constant_returned_k1"() {{.*}}: () -> tensor<3xf32> {
// CHECK-NEXT: %[[V:.*]] = nn.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NEXT: nn.yield %[[V]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[K:.*]] = nn.kernel "constant_returned_k0"(%{{.*}}) {{.*}}: (tensor<3xf32>) -> tensor<3xf32> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NEXT: nn.div
// CHECK: return %[[C]], %[[K]]
func.func @constant_returned(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %c = nn.constant dense<2.0> : tensor<3xf32>
  %0 = nn.div %x, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %c, %0 : tensor<3xf32>, tensor<3xf32>
}

// -----

// Kernel numbering restarts in each function; declarations outside functions are kept.
// CHECK: nn.variable @w
// CHECK-LABEL: func.func @first(
// CHECK: nn.kernel "first_k0"
// CHECK: nn.kernel "first_k1"
// CHECK-NOT: nn.kernel "first_k2"
// CHECK-LABEL: func.func @second(
// CHECK: nn.kernel "second_k0"
// CHECK-NOT: nn.kernel "second_k1"
// CHECK: return
nn.variable @w {init = "zeros"} : tensor<4x4xf32>
func.func @first(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = nn.matmul %x, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = nn.transpose %0 {perm = array<i64: 1, 0>} : tensor<4x4xf32> -> tensor<4x4xf32>
  return %1 : tensor<4x4xf32>
}
func.func @second(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = nn.sigmoid %x : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = nn.step %0 : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %1 : tensor<4x4xf32>
}

// -----

// External functions are skipped.
// CHECK-LABEL: func.func private @ext(tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: nn.kernel
func.func private @ext(tensor<4xf32>) -> tensor<4xf32>
