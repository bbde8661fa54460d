// RUN: not nn-gradcheck %s 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=DIAG < %t.err
// Tests what the checker does not check: functions it cannot evaluate are skipped and
// say why (dynamic shapes, no f32 argument); a function autodiff cannot differentiate
// fails with autodiff's diagnostic, and one whose loss is not finite fails too.

// CHECK: SKIP dynamic: argument #0 is not a static f32 or i32 tensor
func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = nn.exp %x : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// CHECK: SKIP labels_only: no f32 argument to differentiate
func.func @labels_only(%l: tensor<3xi32>) -> tensor<3x2xf32> {
  %0 = nn.one_hot %l {depth = 2 : i64} : tensor<3xi32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// An op that is active but has neither a gradient rule nor NNZeroGradient (a gradient
// op of its own: conv2d's filter gradient) is an error, not a silent zero.
// DIAG: error: no gradient rule for 'nn.conv2d_filter_grad' on the path from the parameters to the loss
// CHECK: FAIL no_rule: cannot differentiate (see the diagnostic)
func.func @no_rule(%x: tensor<1x4x4x1xf32>, %g: tensor<1x2x2x1xf32>) -> tensor<3x3x1x1xf32> {
  %0 = nn.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>} : (tensor<1x4x4x1xf32>, tensor<1x2x2x1xf32>) -> tensor<3x3x1x1xf32>
  return %0 : tensor<3x3x1x1xf32>
}

// A loss that is NaN at the random inputs fails instead of comparing NaN with NaN.
// CHECK: FAIL log_negative: the loss is not finite at the random inputs
func.func @log_negative(%x: tensor<3xf32> {gradcheck.min = -2.0 : f64, gradcheck.max = -1.0 : f64}) -> tensor<3xf32> {
  %0 = nn.log %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// Private functions are not checked.
// CHECK-NOT: helper
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// CHECK: {{^}}0 passed, 2 failed
