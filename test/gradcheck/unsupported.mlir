// RUN: not nn-gradcheck %s 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=DIAG < %t.err
// Tests what the checker does not check: functions it cannot evaluate are skipped and
// say why (dynamic shapes, no f32 argument); a function autodiff cannot differentiate
// fails with autodiff's diagnostic, and one whose loss is not finite fails too. A
// matmul with transpose_lhs has no gradient rule (the frontend never emits one; only
// matmul's own gradient builds it, so second derivatives through matmul would fail).

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

// DIAG: error: 'nn.matmul' op gradient with transpose_lhs is not supported
// CHECK: FAIL transpose_lhs: cannot differentiate (see the diagnostic)
func.func @transpose_lhs(%a: tensor<4x3xf32>, %b: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %0 = nn.matmul %a, %b {transpose_lhs = true} : (tensor<4x3xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
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
