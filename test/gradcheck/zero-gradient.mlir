// RUN: nn-gradcheck %s | FileCheck %s
// RUN: not nn-gradcheck --no-freeze %s | FileCheck %s --check-prefix=NOFREEZE
// Tests that no gradient flows through stop_gradient and the zero-gradient ops (step,
// greater, one_hot, count, random_uniform, random_normal, constants): each function multiplies x by
// such a value v(x), so dL/dx must be v(x) alone. The finite differences hold these
// values at their unperturbed results (they are constants to autodiff); the NOFREEZE
// run shows that without that, x * stop_gradient(x) would be compared against 2x.

// f(x) = x * stop_gradient(x): autodiff must give x, not 2x.
// NOFREEZE: FAIL stop_gradient:
// CHECK: PASS stop_gradient:
func.func @stop_gradient(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.stop_gradient %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.mul %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// stop_gradient is the identity in value: the forward pass still sees x + x.
// NOFREEZE: FAIL stop_gradient_only:
// CHECK: PASS stop_gradient_only:
func.func @stop_gradient_only(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.stop_gradient %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.add %x, %0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK: PASS step:
func.func @step(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.step %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.mul %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// CHECK: PASS greater:
func.func @greater(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.greater %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = nn.mul %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = nn.mul %1, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// Labels in [0, 5) with depth 4: some rows are all zeros.
// CHECK: PASS one_hot:
func.func @one_hot(%x: tensor<3x4xf32>, %labels: tensor<3xi32> {gradcheck.max = 5 : i64}) -> tensor<3x4xf32> {
  %0 = nn.one_hot %labels {depth = 4 : i64} : tensor<3xi32> -> tensor<3x4xf32>
  %1 = nn.mul %x, %0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// CHECK: PASS count:
func.func @count(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.count %x {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<f32>
  %1 = nn.div %x, %0 : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// The seed is an argument too: its gradient must be zero (the noise is a hash of the
// seed's integer value, as in generated code, so it is piecewise constant: a
// difference of 1e-6 almost never changes it, even without freezing).
// NOFREEZE: PASS random_uniform:
// CHECK: PASS random_uniform:
func.func @random_uniform(%x: tensor<2x3xf32>, %seed: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.random_uniform %x, %seed : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %1 = nn.mul %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// random_normal, shaped by its `shape` attribute: zero gradient like random_uniform.
// NOFREEZE: PASS random_normal:
// CHECK: PASS random_normal:
func.func @random_normal(%x: tensor<2x3xf32>, %seed: tensor<f32>) -> tensor<2x3xf32> {
  %0 = nn.random_normal %x, %seed {shape = array<i64: -1, 3>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %1 = nn.mul %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// Splat and dense constants.
// CHECK: PASS constants:
func.func @constants(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = nn.constant dense<[[1.0, -2.0], [0.5, 3.0]]> : tensor<2x2xf32>
  %s = nn.constant dense<1.5> : tensor<f32>
  %0 = nn.mul %x, %c : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %1 = nn.add %0, %s : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  %2 = nn.mul %1, %x : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}

// CHECK: {{^}}9 passed, 0 failed
// NOFREEZE: {{^}}7 passed, 2 failed
