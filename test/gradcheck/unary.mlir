// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradient of every elementwise unary op matches float64 central
// differences; log and sqrt get a positive domain, relu, leaky_relu and abs random inputs (a
// random input lands within eps of the kink with probability ~1e-6).

// CHECK: PASS neg:
func.func @neg(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.neg %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS exp:
func.func @exp(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.exp %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS log:
func.func @log(%x: tensor<3x4xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<3x4xf32> {
  %0 = nn.log %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS sqrt:
func.func @sqrt(%x: tensor<3x4xf32> {gradcheck.min = 0.5 : f64, gradcheck.max = 2.0 : f64}) -> tensor<3x4xf32> {
  %0 = nn.sqrt %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS abs:
func.func @abs(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.abs %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS tanh:
func.func @tanh(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.tanh %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS sigmoid:
func.func @sigmoid(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.sigmoid %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS relu:
func.func @relu(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.relu %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// leaky_relu: the default slope (0.2), another, and a negative one (whose gradient
// reads x: the result's sign is not x's).
// CHECK: PASS leaky_relu:
func.func @leaky_relu(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.leaky_relu %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS leaky_relu_alpha:
func.func @leaky_relu_alpha(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.leaky_relu %x {alpha = 0.01 : f32} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK: PASS leaky_relu_negative:
func.func @leaky_relu_negative(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.leaky_relu %x {alpha = -0.5 : f32} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// The exact GELU (one op; its gradient Phi(x) + x phi(x)).
// CHECK: PASS gelu:
func.func @gelu(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = nn.gelu %x : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// Rank 0, and a chain of unary ops.
// CHECK: PASS chain_rank0:
func.func @chain_rank0(%x: tensor<f32>) -> tensor<f32> {
  %0 = nn.tanh %x : (tensor<f32>) -> tensor<f32>
  %1 = nn.exp %0 : (tensor<f32>) -> tensor<f32>
  %2 = nn.sigmoid %1 : (tensor<f32>) -> tensor<f32>
  %3 = nn.neg %2 : (tensor<f32>) -> tensor<f32>
  return %3 : tensor<f32>
}

// CHECK: {{^}}13 passed, 0 failed
