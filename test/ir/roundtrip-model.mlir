// RUN: nn-opt %s | nn-opt | FileCheck %s
// Tests that the module-level declarations (nn.input, nn.variable) and nn.kernel with
// its nn.yield terminator print and re-parse unchanged.

// CHECK: nn.input @image {dims = ["B", "", ""]} : tensor<?x28x28xf32>
nn.input @image {dims = ["B", "", ""]} : tensor<?x28x28xf32>
// CHECK: nn.input @label {dims = ["B"]} : tensor<?xi32>
nn.input @label {dims = ["B"]} : tensor<?xi32>
// CHECK: nn.input @fixed {dims = []} : tensor<f32>
nn.input @fixed {dims = []} : tensor<f32>
// CHECK: nn.variable @dense0.weight {init = "glorot_uniform"} : tensor<784x128xf32>
nn.variable @"dense0.weight" {init = "glorot_uniform"} : tensor<784x128xf32>
// CHECK: nn.variable @dense0.bias {init = "constant", init_args = [1.000000e-01 : f32]} : tensor<128xf32>
nn.variable @"dense0.bias" {init = "constant", init_args = [0.1 : f32]} : tensor<128xf32>
// CHECK: nn.variable @step {init = "zeros", trainable = false} : tensor<i32>
nn.variable @step {init = "zeros", trainable = false} : tensor<i32>

// CHECK-LABEL: func.func @kernels
// CHECK-SAME: (%[[A:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<784x128xf32>, %[[B:.*]]: tensor<128xf32>)
func.func @kernels(%a: tensor<?x784xf32>, %w: tensor<784x128xf32>, %b: tensor<128xf32>) -> tensor<?x128xf32> {
  // CHECK: %[[K:.*]] = nn.kernel "kernels_k0"(%[[A]], %[[W]], %[[B]]) : (tensor<?x784xf32>, tensor<784x128xf32>, tensor<128xf32>) -> tensor<?x128xf32> {
  // CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<?x784xf32>, %[[Y:.*]]: tensor<784x128xf32>, %[[Z:.*]]: tensor<128xf32>):
  // CHECK-NEXT: %[[M:.*]] = nn.matmul %[[X]], %[[Y]]
  // CHECK-NEXT: %[[S:.*]] = nn.add %[[M]], %[[Z]]
  // CHECK-NEXT: nn.yield %[[S]] : tensor<?x128xf32>
  // CHECK-NEXT: }
  %k = nn.kernel "kernels_k0"(%a, %w, %b) : (tensor<?x784xf32>, tensor<784x128xf32>, tensor<128xf32>) -> tensor<?x128xf32> {
  ^bb0(%x: tensor<?x784xf32>, %y: tensor<784x128xf32>, %z: tensor<128xf32>):
    %m = nn.matmul %x, %y : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
    %s = nn.add %m, %z : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    nn.yield %s : tensor<?x128xf32>
  }
  // A kernel with no inputs: its constants live inside.
  // CHECK: %[[K1:.*]] = nn.kernel "kernels_k1"() : () -> tensor<128xf32> {
  // CHECK-NEXT: nn.constant dense<1.000000e+00> : tensor<128xf32>
  // CHECK-NEXT: nn.yield
  %k1 = nn.kernel "kernels_k1"() : () -> tensor<128xf32> {
    %c = nn.constant dense<1.0> : tensor<128xf32>
    nn.yield %c : tensor<128xf32>
  }
  // CHECK: nn.add %[[K]], %[[K1]]
  %r = nn.add %k, %k1 : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  return %r : tensor<?x128xf32>
}

// Entry functions mark arguments with the declarations they bind.
// CHECK-LABEL: func.func @entry
// CHECK-SAME: {nn.input = @image}
// CHECK-SAME: {nn.param = @dense0.weight}
func.func @entry(%x: tensor<?x28x28xf32> {nn.input = @image}, %w: tensor<784x128xf32> {nn.param = @"dense0.weight"}) -> tensor<?x128xf32> {
  %0 = nn.reshape %x {shape = array<i64: -1, 784>} : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %1 = nn.matmul %0, %w : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
  return %1 : tensor<?x128xf32>
}
