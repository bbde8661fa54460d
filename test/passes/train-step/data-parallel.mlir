// RUN: nn-opt %s --nn-train-step="data-parallel=1" --split-input-file | FileCheck %s
// RUN: nn-opt %s --nn-train-step --split-input-file | FileCheck %s --check-prefix=FUSED
// Tests that nn-train-step's data-parallel option adds, beside the fused step `train`,
// the gradient entry `train_grad` (the loss and `grad.<param>` outputs, no update, its
// batch-shaped noise offset by the input `shard_row`, noise with a static dim 0 not) and
// the update entry `train_apply` (reads `grad.<param>` and `lr`, updates the parameter,
// the optimizer state and the step counter); without the option only `train` exists.

module {
  nn.input @x {dims = ["B", ""]} : tensor<?x3xf32>
  nn.input @seed {dims = []} : tensor<i32>
  nn.variable @w {init = "zeros"} : tensor<3xf32>
  nn.variable @train.step {init = "zeros", trainable = false} : tensor<f32>
  // CHECK-DAG: nn.input @shard_row {dims = []} : tensor<i32>
  // CHECK-DAG: nn.input @grad.w {dims = [""]} : tensor<3xf32>
  // CHECK-LABEL: func.func @train(
  // CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<f32> {nn.update = @train.step}, tensor<3xf32> {nn.update = @w.m}, tensor<3xf32> {nn.update = @w.v}, tensor<3xf32> {nn.update = @w})
  // CHECK: nn.random_uniform %{{.*}}, %{{.*}}, %{{[a-z0-9]+}} : (tensor<?x3xf32>, tensor<f32>, tensor<i32>) -> tensor<?x3xf32>
  // CHECK: nn.random_uniform %{{.*}}, %{{.*}}, %{{[a-z0-9]+}} : (tensor<4x3xf32>, tensor<f32>, tensor<i32>) -> tensor<4x3xf32>
  // CHECK-LABEL: func.func @train_apply(
  // CHECK-SAME: %arg0: tensor<3xf32> {nn.param = @w}
  // CHECK-SAME: %arg1: tensor<3xf32> {nn.input = @grad.w}
  // CHECK-SAME: {nn.input = @lr}
  // CHECK-SAME: -> (tensor<f32> {nn.update = @train.step}, tensor<3xf32> {nn.update = @w.m}, tensor<3xf32> {nn.update = @w.v}, tensor<3xf32> {nn.update = @w})
  // CHECK-NOT: nn.random_uniform
  // CHECK-LABEL: func.func @train_grad(
  // CHECK-SAME: %[[ROW:arg[0-9]+]]: tensor<i32> {nn.input = @shard_row}
  // CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<3xf32> {nn.grad = @w, nn.output = "grad.w"})
  // CHECK-NOT: nn.update
  // CHECK: nn.random_uniform %{{.*}}, %{{.*}}, %{{.*}}, %[[ROW]] : (tensor<?x3xf32>, tensor<f32>, tensor<i32>, tensor<i32>) -> tensor<?x3xf32>
  // CHECK: nn.random_uniform %{{.*}}, %{{.*}}, %{{[a-z0-9]+}} : (tensor<4x3xf32>, tensor<f32>, tensor<i32>) -> tensor<4x3xf32>
  // CHECK: return
  // FUSED-NOT: @train_grad
  // FUSED-NOT: @train_apply
  // FUSED-NOT: @shard_row
  func.func @loss(%x: tensor<?x3xf32> {nn.input = @x}, %w: tensor<3xf32> {nn.param = @w},
                  %t: tensor<f32> {nn.param = @train.step}, %s: tensor<i32> {nn.input = @seed})
      -> tensor<f32> attributes {nn.train = {name = "train", optimizer = "adam", lr = 0.1 : f32}} {
    %u = nn.random_uniform %x, %t, %s : (tensor<?x3xf32>, tensor<f32>, tensor<i32>) -> tensor<?x3xf32>
    %y = nn.mul %x, %u : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    %z = nn.mul %y, %w : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %c = nn.constant dense<0.0> : tensor<4x3xf32>
    %v = nn.random_uniform %c, %t, %s : (tensor<4x3xf32>, tensor<f32>, tensor<i32>) -> tensor<4x3xf32>
    %vs = nn.reduce_sum %v {axes = array<i64>} : tensor<4x3xf32> -> tensor<f32>
    %zs = nn.reduce_sum %z {axes = array<i64>} : tensor<?x3xf32> -> tensor<f32>
    %l = nn.add %zs, %vs : (tensor<f32>, tensor<f32>) -> tensor<f32>
    return %l : tensor<f32>
  }
}
