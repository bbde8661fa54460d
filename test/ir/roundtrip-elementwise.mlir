// RUN: nn-opt %s | nn-opt | FileCheck %s
// Tests that constants and the elementwise unary and broadcasting binary nn ops print
// and re-parse unchanged.

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<f32>, tensor<2x2xf32>, tensor<3xi32>) {
  // CHECK: nn.constant dense<5.000000e-01> : tensor<f32>
  %0 = nn.constant dense<0.5> : tensor<f32>
  // CHECK: nn.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %1 = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: nn.constant dense<[0, 1, 2]> : tensor<3xi32>
  %2 = nn.constant dense<[0, 1, 2]> : tensor<3xi32>
  return %0, %1, %2 : tensor<f32>, tensor<2x2xf32>, tensor<3xi32>
}

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
func.func @unary(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: %[[NEG:.*]] = nn.neg %[[X]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %0 = nn.neg %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[EXP:.*]] = nn.exp %[[NEG]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = nn.exp %0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[LOG:.*]] = nn.log %[[EXP]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %2 = nn.log %1 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[SQRT:.*]] = nn.sqrt %[[LOG]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %3 = nn.sqrt %2 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[ABS:.*]] = nn.abs %[[SQRT]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %4 = nn.abs %3 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[TANH:.*]] = nn.tanh %[[ABS]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %5 = nn.tanh %4 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[SIG:.*]] = nn.sigmoid %[[TANH]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %6 = nn.sigmoid %5 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[RELU:.*]] = nn.relu %[[SIG]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %7 = nn.relu %6 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: nn.leaky_relu %[[RELU]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = nn.leaky_relu %7 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: nn.leaky_relu %[[RELU]] {alpha = 1.000000e-01 : f32} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %l2 = nn.leaky_relu %7 {alpha = 0.1 : f32} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[STEP:.*]] = nn.step %[[RELU]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %8 = nn.step %7 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: %[[SG:.*]] = nn.stop_gradient %[[STEP]] : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %9 = nn.stop_gradient %8 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: return %[[SG]]
  return %9 : tensor<?x4xf32>
}

// A declared result type only has to be compatible with the inferred one.
// CHECK-LABEL: func.func @unary_relaxed_result
func.func @unary_relaxed_result(%x: tensor<2x3xf32>) -> (tensor<*xf32>, tensor<?x3xf32>) {
  // CHECK: nn.exp %{{.*}} : (tensor<2x3xf32>) -> tensor<*xf32>
  %0 = nn.exp %x : (tensor<2x3xf32>) -> tensor<*xf32>
  // CHECK: nn.tanh %{{.*}} : (tensor<2x3xf32>) -> tensor<?x3xf32>
  %1 = nn.tanh %x : (tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0, %1 : tensor<*xf32>, tensor<?x3xf32>
}

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[S:.*]]: tensor<f32>)
func.func @binary(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>) -> tensor<4x3xf32> {
  // CHECK: %[[ADD:.*]] = nn.add %[[A]], %[[B]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %0 = nn.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: %[[SUB:.*]] = nn.sub %[[B]], %[[ADD]] : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %1 = nn.sub %b, %0 : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: %[[MUL:.*]] = nn.mul %[[SUB]], %[[S]] : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %2 = nn.mul %1, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  // CHECK: %[[DIV:.*]] = nn.div %[[S]], %[[MUL]] : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %3 = nn.div %s, %2 : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: %[[MAX:.*]] = nn.max %[[DIV]], %[[A]] : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %4 = nn.max %3, %a : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: %[[MIN:.*]] = nn.min %[[MAX]], %[[B]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %5 = nn.min %4, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: %[[POW:.*]] = nn.pow %[[MIN]], %[[S]] : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %6 = nn.pow %5, %s : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  // CHECK: %[[GT:.*]] = nn.greater %[[POW]], %[[B]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %7 = nn.greater %6, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: return %[[GT]]
  return %7 : tensor<4x3xf32>
}

// Broadcasting with dynamic dims: `?` with 1 stays `?`, `?` with n > 1 gives n, size-1
// dims on both sides stretch; an unranked operand gives an unranked result.
// CHECK-LABEL: func.func @binary_dynamic
func.func @binary_dynamic(%a: tensor<?x1xf32>, %b: tensor<1x5xf32>, %c: tensor<?x5xf32>,
                          %u: tensor<*xf32>) -> (tensor<?x5xf32>, tensor<?x5xf32>, tensor<*xf32>) {
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<1x5xf32>) -> tensor<?x5xf32>
  %0 = nn.add %a, %b : (tensor<?x1xf32>, tensor<1x5xf32>) -> tensor<?x5xf32>
  // CHECK: nn.mul %{{.*}}, %{{.*}} : (tensor<?x5xf32>, tensor<?x1xf32>) -> tensor<?x5xf32>
  %1 = nn.mul %c, %a : (tensor<?x5xf32>, tensor<?x1xf32>) -> tensor<?x5xf32>
  // CHECK: nn.sub %{{.*}}, %{{.*}} : (tensor<*xf32>, tensor<?x5xf32>) -> tensor<*xf32>
  %2 = nn.sub %u, %c : (tensor<*xf32>, tensor<?x5xf32>) -> tensor<*xf32>
  return %0, %1, %2 : tensor<?x5xf32>, tensor<?x5xf32>, tensor<*xf32>
}
