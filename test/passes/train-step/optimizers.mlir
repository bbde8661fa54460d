// RUN: nn-opt %s --nn-train-step --split-input-file | FileCheck %s
// Tests that nn-train-step turns a function tagged `nn.train` into the step entry
// `name`: the lr input, the step counter, optimizer state variables, and one
// `nn.update` result per updated variable; the loss function is removed.

module {
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  // CHECK: nn.input @lr {dims = []} : tensor<f32>
  // CHECK: nn.variable @train.step {init = "zeros", trainable = false} : tensor<f32>
  // CHECK-NOT: func.func @loss
  // CHECK-LABEL: func.func @train(
  // CHECK-SAME: {nn.input = @lr}
  // CHECK-SAME: {nn.param = @train.step}
  // CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<f32> {nn.update = @train.step}, tensor<3xf32> {nn.update = @w})
  // plain SGD: p - lr * g; no momentum variable.
  // CHECK-NOT: momentum
  // CHECK: %[[STEP:.*]] = nn.mul %arg1, %{{.*}} : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  // CHECK: nn.sub %arg0, %[[STEP]]
  func.func @loss(%w: tensor<3xf32> {nn.param = @w}) -> tensor<f32> attributes {
      nn.train = {name = "train", optimizer = "sgd", lr = 0.1 : f32, momentum = 0.0 : f32}} {
    %s = nn.reduce_sum %w {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  // SGD with momentum keeps `<param>.momentum`.
  // CHECK: nn.variable @w.momentum {init = "zeros", trainable = false} : tensor<3xf32>
  // CHECK-LABEL: func.func @step(
  // CHECK-SAME: {nn.update = @w.momentum}
  // CHECK-SAME: {nn.update = @w}
  func.func @loss(%w: tensor<3xf32> {nn.param = @w}) -> tensor<f32> attributes {
      nn.train = {name = "step", optimizer = "sgd", lr = 0.1 : f32, momentum = 0.9 : f32}} {
    %s = nn.reduce_sum %w {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  // Adam: moments `.m` and `.v`, bias corrections 1 - beta^t with t = step + 1.
  // CHECK: nn.variable @w.m {init = "zeros", trainable = false}
  // CHECK: nn.variable @w.v {init = "zeros", trainable = false}
  // CHECK-LABEL: func.func @train(
  // CHECK-SAME: {nn.update = @train.step}, tensor<3xf32> {nn.update = @w.m}, tensor<3xf32> {nn.update = @w.v}, tensor<3xf32> {nn.update = @w}
  // CHECK: nn.pow
  // CHECK: nn.sqrt
  func.func @loss(%w: tensor<3xf32> {nn.param = @w}) -> tensor<f32> attributes {
      nn.train = {name = "train", optimizer = "adam", lr = 1.0e-3 : f32, beta1 = 0.9 : f32,
                  beta2 = 0.999 : f32, eps = 1.0e-7 : f32}} {
    %s = nn.reduce_sum %w {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  // RMSProp keeps `.rms`.
  // CHECK: nn.variable @w.rms {init = "zeros", trainable = false}
  // CHECK-LABEL: func.func @train(
  // CHECK-SAME: {nn.update = @w.rms}
  func.func @loss(%w: tensor<3xf32> {nn.param = @w}) -> tensor<f32> attributes {
      nn.train = {name = "train", optimizer = "rmsprop", lr = 0.01 : f32, rho = 0.9 : f32, eps = 1.0e-7 : f32}} {
    %s = nn.reduce_sum %w {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  nn.variable @g {init = "zeros"} : tensor<2xf32>
  nn.variable @d {init = "zeros"} : tensor<2xf32>
  // `nn.wrt` restricts the step to some parameters (the GAN's alternating steps):
  // only @g is updated.
  // CHECK-LABEL: func.func @g_step(
  // CHECK-SAME: {nn.update = @g}
  // CHECK-NOT: nn.update = @d
  func.func @loss(%g: tensor<2xf32> {nn.param = @g}, %d: tensor<2xf32> {nn.param = @d}) -> tensor<f32> attributes {
      nn.train = {name = "g_step", optimizer = "sgd", lr = 0.1 : f32}, nn.wrt = [@g]} {
    %m = nn.mul %g, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %s = nn.reduce_sum %m {axes = array<i64>} : tensor<2xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}
