// Tests that the model tables carry the nn.train dictionary (info prints it) and that an
// unknown schedule, a warm-up that is no int32_t count of steps or a step's micro_batch
// that is no int32_t count of rows in hand-written IR is an error, not broken C.
// RUN: nnc %s -o %t
// RUN: %t info | FileCheck %s
// RUN: sed 's/schedule = "cosine"/schedule = "exponential"/' %s > %t.bad.mlir
// RUN: not nnc %t.bad.mlir -o %t.bad 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: sed 's/warmup = 5 : i64/warmup = -1 : i64/' %s > %t.neg.mlir
// RUN: not nnc %t.neg.mlir -o %t.neg 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: sed 's/warmup = 5 : i64/warmup = 2147483648 : i64/' %s > %t.big.mlir
// RUN: not nnc %t.big.mlir -o %t.big 2>&1 | FileCheck %s --check-prefix=BIG
// RUN: sed 's/warmup = 5 : i64/warmup = 5.0 : f32/' %s > %t.float.mlir
// RUN: not nnc %t.float.mlir -o %t.float 2>&1 | FileCheck %s --check-prefix=FLOAT
// RUN: sed 's/seed = 7 : i64,/seed = 7 : i64, steps = [{entry = "step", loss = "loss", micro_batch = -2 : i64}],/' %s > %t.micro.mlir
// RUN: not nnc %t.micro.mlir -o %t.micro 2>&1 | FileCheck %s --check-prefix=MICRO

// CHECK: training: entry step, data fashion_mnist, batch 8, epochs 3, lr 0.25, schedule cosine, warmup 5, seed 7
// BAD: unknown learning-rate schedule 'exponential' in nn.train (expected constant, linear or cosine)
// NEG: warmup in nn.train must be an i64 number of steps in [0, 2^31 - 1], found -1 : i64
// BIG: warmup in nn.train must be an i64 number of steps in [0, 2^31 - 1], found 2147483648 : i64
// FLOAT: warmup in nn.train must be an i64 number of steps in [0, 2^31 - 1], found 5.000000e+00 : f32
// MICRO: micro_batch in nn.train's steps must be an i64 number of rows in [0, 2^31 - 1], found -2 : i64

module attributes {nn.model = "cfg", nn.train = {batch = 8 : i64, data = "fashion_mnist", entry = "step", epochs = 3 : i64, loss = "loss", lr = 2.500000e-01 : f32, optimizer = "sgd", schedule = "cosine", seed = 7 : i64, warmup = 5 : i64}} {
  nn.input @x {dims = ["B", ""]} : tensor<?x4xf32>
  func.func @step(%x: tensor<?x4xf32> {nn.input = @x}) -> (tensor<f32> {nn.output = "loss"}) {
    %0 = nn.reduce_mean %x {axes = array<i64>} : tensor<?x4xf32> -> tensor<f32>
    return %0 : tensor<f32>
  }
}
