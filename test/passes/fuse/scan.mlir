// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests that nn-fuse partitions a loop's body on its own: one Elman RNN step (the
// recurrent product, the step's input and the tanh) is one kernel inside the loop,
// the input projection of all steps one kernel before it, and the loop stays an op of
// the function between kernels. Kernel names are unique across the function.

// CHECK-LABEL: func.func @rnn
// CHECK: %[[P:.*]] = nn.kernel "rnn_k1"(%arg0, %arg2) {{.*}}kind = "matmul"
// CHECK: nn.scan carried(%arg1 : tensor<2x4xf32>) sequences(%[[P]] : tensor<5x2x4xf32>) invariants(%arg3 : tensor<4x4xf32>)
// CHECK-NEXT: ^bb0(%[[H:.*]]: tensor<2x4xf32>, %[[X:.*]]: tensor<2x4xf32>, %[[W:.*]]: tensor<4x4xf32>):
// CHECK-NEXT: %[[K:.*]] = nn.kernel "rnn_k0"(%[[H]], %[[W]], %[[X]]) {{.*}}kind = "matmul"
// CHECK: nn.matmul
// CHECK-NEXT: nn.add
// CHECK-NEXT: nn.tanh
// CHECK: nn.yield %[[K]], %[[K]] :
// CHECK-NOT: nn.kernel
// CHECK: return
func.func @rnn(%xs: tensor<5x2x3xf32>, %h0: tensor<2x4xf32>, %wih: tensor<4x3xf32>,
               %whh: tensor<4x4xf32>) -> tensor<5x2x4xf32> {
  %p = nn.matmul %xs, %wih {transpose_rhs = true} : (tensor<5x2x3xf32>, tensor<4x3xf32>) -> tensor<5x2x4xf32>
  %h, %hs = nn.scan carried(%h0 : tensor<2x4xf32>) sequences(%p : tensor<5x2x4xf32>)
                    invariants(%whh : tensor<4x4xf32>)
                    -> finals(tensor<2x4xf32>) stacked(tensor<5x2x4xf32>) {
  ^bb0(%hp: tensor<2x4xf32>, %x: tensor<2x4xf32>, %w: tensor<4x4xf32>):
    %r = nn.matmul %hp, %w {transpose_rhs = true} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %s = nn.add %x, %r : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %hn = nn.tanh %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
    nn.yield %hn, %hn : tensor<2x4xf32>, tensor<2x4xf32>
  }
  return %hs : tensor<5x2x4xf32>
}

// -----

// Tests that an LSTM step is one kernel: its four gate products share the output tiles
// of the cell update that combines them (i, f, g, o; c = f c + i g; h = o tanh c).
// CHECK-LABEL: func.func @lstm_step
// CHECK: nn.scan
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.kernel "lstm_step_k0"
// CHECK-COUNT-4: nn.matmul
// CHECK-NOT: nn.kernel
// CHECK: nn.yield %{{.*}}#{{[01]}}, %{{.*}}#{{[01]}}, %{{.*}}#{{[01]}}
// CHECK-NOT: nn.kernel
// CHECK: return
func.func @lstm_step(%h0: tensor<2x4xf32>, %c0: tensor<2x4xf32>, %xs: tensor<5x2x4xf32>,
                     %wi: tensor<4x4xf32>, %wf: tensor<4x4xf32>, %wg: tensor<4x4xf32>,
                     %wo: tensor<4x4xf32>) -> tensor<5x2x4xf32> {
  %h, %c, %hs = nn.scan carried(%h0, %c0 : tensor<2x4xf32>, tensor<2x4xf32>)
                    sequences(%xs : tensor<5x2x4xf32>)
                    invariants(%wi, %wf, %wg, %wo : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>)
                    -> finals(tensor<2x4xf32>, tensor<2x4xf32>) stacked(tensor<5x2x4xf32>) {
  ^bb0(%hp: tensor<2x4xf32>, %cp: tensor<2x4xf32>, %x: tensor<2x4xf32>, %w0: tensor<4x4xf32>, %w1: tensor<4x4xf32>, %w2: tensor<4x4xf32>, %w3: tensor<4x4xf32>):
    %pi = nn.matmul %hp, %w0 {transpose_rhs = true} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %pf = nn.matmul %hp, %w1 {transpose_rhs = true} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %pg = nn.matmul %hp, %w2 {transpose_rhs = true} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %po = nn.matmul %hp, %w3 {transpose_rhs = true} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %si = nn.add %x, %pi : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %i = nn.sigmoid %si : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %f = nn.sigmoid %pf : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %g = nn.tanh %pg : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %o = nn.sigmoid %po : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %fc = nn.mul %f, %cp : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %ig = nn.mul %i, %g : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %cn = nn.add %fc, %ig : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %tc = nn.tanh %cn : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %hn = nn.mul %o, %tc : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    nn.yield %hn, %cn, %hn : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
  }
  return %hs : tensor<5x2x4xf32>
}
