// RUN: nn-opt %s | nn-opt | FileCheck %s
// Tests that nn.scan prints and re-parses unchanged: carried values, sequences,
// invariants, `reverse`, dynamic dims, a loop that carries nothing, and a loop with a
// static `length` and no sequences (an i32 carried value, as greedy decoding's token).

// CHECK-LABEL: func.func @rnn
func.func @rnn(%xs: tensor<?x?x3xf32>, %h0: tensor<?x4xf32>, %w: tensor<3x4xf32>)
    -> (tensor<?x4xf32>, tensor<?x?x4xf32>) {
  // CHECK: %{{.*}}, %{{.*}} = nn.scan carried(%{{.*}} : tensor<?x4xf32>) sequences(%{{.*}} : tensor<?x?x3xf32>) invariants(%{{.*}} : tensor<3x4xf32>) -> finals(tensor<?x4xf32>) stacked(tensor<?x?x4xf32>) {
  // CHECK-NEXT: ^bb0(%{{.*}}: tensor<?x4xf32>, %{{.*}}: tensor<?x3xf32>, %{{.*}}: tensor<3x4xf32>):
  // CHECK: nn.yield %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<?x4xf32>
  %h, %hs = nn.scan carried(%h0 : tensor<?x4xf32>) sequences(%xs : tensor<?x?x3xf32>)
                    invariants(%w : tensor<3x4xf32>)
                    -> finals(tensor<?x4xf32>) stacked(tensor<?x?x4xf32>) {
  ^bb0(%hp: tensor<?x4xf32>, %x: tensor<?x3xf32>, %wi: tensor<3x4xf32>):
    %a = nn.matmul %x, %wi : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
    %s = nn.add %a, %hp : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %hn = nn.tanh %s : (tensor<?x4xf32>) -> tensor<?x4xf32>
    nn.yield %hn, %hn : tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %h, %hs : tensor<?x4xf32>, tensor<?x?x4xf32>
}

// CHECK-LABEL: func.func @map_reversed
func.func @map_reversed(%xs: tensor<5x2xf32>, %ys: tensor<5x2xf32>) -> tensor<5x2xf32> {
  // CHECK: nn.scan reverse sequences(%{{.*}}, %{{.*}} : tensor<5x2xf32>, tensor<5x2xf32>) -> stacked(tensor<5x2xf32>) {
  %zs = nn.scan reverse sequences(%xs, %ys : tensor<5x2xf32>, tensor<5x2xf32>)
                -> stacked(tensor<5x2xf32>) {
  ^bb0(%x: tensor<2xf32>, %y: tensor<2xf32>):
    %z = nn.mul %x, %y : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    nn.yield %z : tensor<2xf32>
  }
  return %zs : tensor<5x2xf32>
}

// CHECK-LABEL: func.func @decode
func.func @decode(%h0: tensor<?x4xf32>, %t0: tensor<?xi32>, %w: tensor<4x4xf32>)
    -> (tensor<?x4xf32>, tensor<?xi32>, tensor<3x?xi32>) {
  // CHECK: nn.scan length 3 carried(%{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<?xi32>) invariants(%{{.*}} : tensor<4x4xf32>) -> finals(tensor<?x4xf32>, tensor<?xi32>) stacked(tensor<3x?xi32>) {
  %h, %t, %ts = nn.scan length 3 carried(%h0, %t0 : tensor<?x4xf32>, tensor<?xi32>)
                        invariants(%w : tensor<4x4xf32>)
                        -> finals(tensor<?x4xf32>, tensor<?xi32>) stacked(tensor<3x?xi32>) {
  ^bb0(%hp: tensor<?x4xf32>, %tp: tensor<?xi32>, %wi: tensor<4x4xf32>):
    %a = nn.matmul %hp, %wi : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %hn = nn.tanh %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
    %tn = nn.argmax %hn {axis = -1} : tensor<?x4xf32> -> tensor<?xi32>
    nn.yield %hn, %tn, %tn : tensor<?x4xf32>, tensor<?xi32>, tensor<?xi32>
  }
  return %h, %t, %ts : tensor<?x4xf32>, tensor<?xi32>, tensor<3x?xi32>
}
