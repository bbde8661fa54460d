// RUN: nn-gradcheck %s | FileCheck %s
// Tests that the gradients of whole models and losses, decomposed as
// frontend/MLIRGenBuiltins.cpp decomposes them, match float64 central differences.

// W1-like: two dense layers with relu, then sparse softmax cross-entropy of i32 labels
// (log-softmax shifted by stop_gradient(reduce_max), one_hot, mean over the batch).
// CHECK: PASS mlp_cross_entropy:
func.func @mlp_cross_entropy(%x: tensor<4x5xf32>, %w1: tensor<5x6xf32>, %b1: tensor<6xf32>,
                             %w2: tensor<6x3xf32>, %b2: tensor<3xf32>,
                             %labels: tensor<4xi32> {gradcheck.max = 3 : i64}) -> tensor<f32> {
  %0 = nn.matmul %x, %w1 : (tensor<4x5xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
  %1 = nn.add %0, %b1 : (tensor<4x6xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  %h = nn.relu %1 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %2 = nn.matmul %h, %w2 : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
  %logits = nn.add %2, %b2 : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %m = nn.reduce_max %logits {axes = array<i64: 1>, keepdims = true} : tensor<4x3xf32> -> tensor<4x1xf32>
  %ms = nn.stop_gradient %m : (tensor<4x1xf32>) -> tensor<4x1xf32>
  %s = nn.sub %logits, %ms : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %e = nn.exp %s : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %sum = nn.reduce_sum %e {axes = array<i64: 1>, keepdims = true} : tensor<4x3xf32> -> tensor<4x1xf32>
  %lsum = nn.log %sum : (tensor<4x1xf32>) -> tensor<4x1xf32>
  %ls = nn.sub %s, %lsum : (tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<4x3xf32>
  %onehot = nn.one_hot %labels {depth = 3 : i64} : tensor<4xi32> -> tensor<4x3xf32>
  %3 = nn.mul %onehot, %ls : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %picked = nn.reduce_sum %3 {axes = array<i64: 1>} : tensor<4x3xf32> -> tensor<4xf32>
  %mean = nn.reduce_mean %picked {axes = array<i64>} : tensor<4xf32> -> tensor<f32>
  %loss = nn.neg %mean : (tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// Binary cross-entropy with p clamped to [1e-7, 1 - 1e-7]; p in [-0.5, 1.5) puts
// about half of the elements on a clamp, where the gradient must be zero.
// CHECK: PASS bce_clamped:
func.func @bce_clamped(%p: tensor<3x4xf32> {gradcheck.min = -0.5 : f64, gradcheck.max = 1.5 : f64},
                       %t: tensor<3x4xf32> {gradcheck.min = 0.0 : f64, gradcheck.max = 1.0 : f64}) -> tensor<f32> {
  %lo = nn.constant dense<1.0e-07> : tensor<f32>
  %hi = nn.constant dense<0.99999988> : tensor<f32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %0 = nn.max %p, %lo : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %pc = nn.min %0, %hi : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %logp = nn.log %pc : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %a = nn.mul %t, %logp : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %1 = nn.sub %one, %t : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = nn.sub %one, %pc : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %3 = nn.log %2 : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %b = nn.mul %1, %3 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %4 = nn.add %a, %b : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %5 = nn.reduce_mean %4 {axes = array<i64>} : tensor<3x4xf32> -> tensor<f32>
  %loss = nn.neg %5 : (tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// The same loss on sigmoid outputs, as a logistic-regression model would use it.
// CHECK: PASS bce_sigmoid:
func.func @bce_sigmoid(%z: tensor<3x4xf32>,
                       %t: tensor<3x4xf32> {gradcheck.min = 0.0 : f64, gradcheck.max = 1.0 : f64}) -> tensor<f32> {
  %lo = nn.constant dense<1.0e-07> : tensor<f32>
  %hi = nn.constant dense<0.99999988> : tensor<f32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %p = nn.sigmoid %z : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %0 = nn.max %p, %lo : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %pc = nn.min %0, %hi : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %logp = nn.log %pc : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %a = nn.mul %t, %logp : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %1 = nn.sub %one, %t : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = nn.sub %one, %pc : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %3 = nn.log %2 : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %b = nn.mul %1, %3 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %4 = nn.add %a, %b : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %5 = nn.reduce_mean %4 {axes = array<i64>} : tensor<3x4xf32> -> tensor<f32>
  %loss = nn.neg %5 : (tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// softmax(x) = e / sum(e), e = exp(x - stop_gradient(max x)), along the last axis.
// CHECK: PASS softmax:
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %m = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<2x5xf32> -> tensor<2x1xf32>
  %ms = nn.stop_gradient %m : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %s = nn.sub %x, %ms : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  %e = nn.exp %s : (tensor<2x5xf32>) -> tensor<2x5xf32>
  %sum = nn.reduce_sum %e {axes = array<i64: 1>, keepdims = true} : tensor<2x5xf32> -> tensor<2x1xf32>
  %0 = nn.div %e, %sum : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// leaky_relu(x) = max(x, 0) + 0.1 * min(x, 0), and mse = mean((y - t)^2).
// CHECK: PASS leaky_relu_mse:
func.func @leaky_relu_mse(%x: tensor<3x4xf32>, %t: tensor<3x4xf32>) -> tensor<f32> {
  %zero = nn.constant dense<0.0> : tensor<f32>
  %alpha = nn.constant dense<0.1> : tensor<f32>
  %0 = nn.max %x, %zero : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %1 = nn.min %x, %zero : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %2 = nn.mul %alpha, %1 : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = nn.add %0, %2 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %d = nn.sub %y, %t : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %sq = nn.mul %d, %d : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_mean %sq {axes = array<i64>} : tensor<3x4xf32> -> tensor<f32>
  return %loss : tensor<f32>
}

// gelu, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// CHECK: PASS gelu:
func.func @gelu(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c0 = nn.constant dense<0.044715> : tensor<f32>
  %c1 = nn.constant dense<0.797884583> : tensor<f32>
  %half = nn.constant dense<0.5> : tensor<f32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %0 = nn.mul %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %x3 = nn.mul %0, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = nn.mul %c0, %x3 : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %inner = nn.add %x, %1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = nn.mul %c1, %inner : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %th = nn.tanh %2 : (tensor<8xf32>) -> tensor<8xf32>
  %3 = nn.mul %half, %x : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = nn.add %one, %th : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %5 = nn.mul %3, %4 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %5 : tensor<8xf32>
}

// CHECK: {{^}}6 passed, 0 failed
