// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradients of reshape (also with `like`), transpose and broadcast_to,
// and of fan-out (one value used several times), match float64 central differences. A
// nonlinear op after the shape op makes a misplaced gradient element visible.

// CHECK: PASS reshape:
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = nn.reshape %x {shape = array<i64: 6, 4>} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = nn.tanh %0 : (tensor<6x4xf32>) -> tensor<6x4xf32>
  return %1 : tensor<6x4xf32>
}

// CHECK: PASS reshape_inferred:
func.func @reshape_inferred(%x: tensor<2x6xf32>, %y: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.reshape %x {shape = array<i64: -1, 4>} : tensor<2x6xf32> -> tensor<3x4xf32>
  %1 = nn.mul %0, %y : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// `like` only gives the shape: no gradient flows to it.
// CHECK: PASS reshape_like:
func.func @reshape_like(%x: tensor<6x4xf32>, %l: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.reshape %x like %l : tensor<2x3x4xf32> {shape = array<i64: -1, -1, 4>} : tensor<6x4xf32> -> tensor<2x3x4xf32>
  %1 = nn.tanh %0 : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// CHECK: PASS reshape_rank0:
func.func @reshape_rank0(%x: tensor<1x1xf32>) -> tensor<f32> {
  %0 = nn.reshape %x {shape = array<i64>} : tensor<1x1xf32> -> tensor<f32>
  %1 = nn.exp %0 : (tensor<f32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// CHECK: PASS transpose_2d:
func.func @transpose_2d(%x: tensor<3x4xf32>, %y: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.transpose %x {perm = array<i64: 1, 0>} : tensor<3x4xf32> -> tensor<4x3xf32>
  %1 = nn.mul %0, %y : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// A non-involutive permutation: its inverse differs from itself.
// CHECK: PASS transpose_3d:
func.func @transpose_3d(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = nn.sigmoid %0 : (tensor<4x2x3xf32>) -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// `like` is an f32 argument too: only its shape is read, its gradient must be zero.
// CHECK: PASS broadcast_to_lead:
func.func @broadcast_to_lead(%x: tensor<3xf32>, %like: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.broadcast_to %x, %like : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.tanh %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// CHECK: PASS broadcast_to_ones:
func.func @broadcast_to_ones(%x: tensor<2x1x4xf32>, %like: tensor<3x2x3x4xi32>) -> tensor<3x2x3x4xf32> {
  %0 = nn.broadcast_to %x, %like : (tensor<2x1x4xf32>, tensor<3x2x3x4xi32>) -> tensor<3x2x3x4xf32>
  %1 = nn.tanh %0 : (tensor<3x2x3x4xf32>) -> tensor<3x2x3x4xf32>
  return %1 : tensor<3x2x3x4xf32>
}

// CHECK: PASS broadcast_to_rank0:
func.func @broadcast_to_rank0(%x: tensor<f32>, %like: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.broadcast_to %x, %like : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.mul %0, %like : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// x is used three times: the adjoints accumulate.
// CHECK: PASS fan_out:
func.func @fan_out(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.mul %x, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.exp %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = nn.add %0, %1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = nn.sub %2, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// An intermediate used by a later op and by a reduction broadcast back onto it
// (sigmoid keeps the divisor away from 0).
// CHECK: PASS fan_out_reduce:
func.func @fan_out_reduce(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.sigmoid %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %1 = nn.reduce_sum %0 {axes = array<i64: 1>, keepdims = true} : tensor<3x4xf32> -> tensor<3x1xf32>
  %2 = nn.div %0, %1 : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %3 = nn.mul %2, %0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %3 : tensor<3x4xf32>
}

// CHECK: {{^}}11 passed, 0 failed
