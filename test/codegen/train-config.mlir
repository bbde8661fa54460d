// Tests that the model tables carry the nn.train dictionary (info prints it) and that an
// unknown schedule in hand-written IR is an error, not broken C.
// RUN: nnc %s -o %t
// RUN: %t info | FileCheck %s
// RUN: sed 's/schedule = "cosine"/schedule = "exponential"/' %s > %t.bad.mlir
// RUN: not nnc %t.bad.mlir -o %t.bad 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK: training: entry step, data fashion_mnist, batch 8, epochs 3, lr 0.25, schedule cosine, seed 7
// BAD: unknown learning-rate schedule 'exponential' in nn.train (expected constant, linear or cosine)

module attributes {nn.model = "cfg", nn.train = {batch = 8 : i64, data = "fashion_mnist", entry = "step", epochs = 3 : i64, loss = "loss", lr = 2.500000e-01 : f32, optimizer = "sgd", schedule = "cosine", seed = 7 : i64}} {
  nn.input @x {dims = ["B", ""]} : tensor<?x4xf32>
  func.func @step(%x: tensor<?x4xf32> {nn.input = @x}) -> (tensor<f32> {nn.output = "loss"}) {
    %0 = nn.reduce_mean %x {axes = array<i64>} : tensor<?x4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}
