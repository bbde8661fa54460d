// RUN: nn-gradcheck %s | FileCheck %s --check-prefix=EXACT
// RUN: not nn-gradcheck --perturb-analytic %s | FileCheck %s
// Tests that the checker can fail: the same functions pass as they are, and fail once
// 1e-3 is added to every analytic gradient element (far above the tolerance), naming
// the worst element, and the exit code is 1.

// EXACT: PASS tanh:
// CHECK: FAIL tanh: 6 elements, max abs err 1.0e-03, max rel err {{.*}}; worst: arg 0 [{{[0-9]+}}, {{[0-9]+}}] analytic {{.*}} numeric {{.*}}
func.func @tanh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.tanh %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// EXACT: PASS matmul:
// CHECK: FAIL matmul: 12 elements, max abs err 1.0e-03
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// EXACT: {{^}}2 passed, 0 failed
// CHECK: {{^}}0 passed, 2 failed
