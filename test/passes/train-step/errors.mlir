// RUN: nn-opt %s --nn-train-step --split-input-file --verify-diagnostics
// Tests nn-train-step's errors: an unknown optimizer, and a model input named `lr`
// that is not the rank-0 learning rate.

module {
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  // expected-error @+1 {{unknown optimizer 'lion'}}
  func.func @loss(%w: tensor<3xf32> {nn.param = @w}) -> tensor<f32> attributes {
      nn.train = {name = "train", optimizer = "lion"}} {
    %s = nn.reduce_sum %w {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}

// -----

module {
  // expected-error @+1 {{the input 'lr' is the learning rate of training steps and must be f32[]}}
  nn.input @lr {dims = [""]} : tensor<2xf32>
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  func.func @loss(%w: tensor<3xf32> {nn.param = @w}) -> tensor<f32> attributes {
      nn.train = {name = "train", optimizer = "sgd", lr = 0.1 : f32}} {
    %s = nn.reduce_sum %w {axes = array<i64>} : tensor<3xf32> -> tensor<f32>
    return %s : tensor<f32>
  }
}
