// RUN: nn-gradcheck %s | FileCheck %s
// Tests backpropagation through time: the gradients of nn.scan loops of 5 steps (the
// RNN, LSTM and GRU cells with PyTorch's formulas and gate layout, the input
// projection hoisted out of the loop as one matmul over all steps) match float64
// central differences, with respect to the weights, the inputs and the initial state;
// and a decoding loop of 4 steps with a static length, no sequences and an i32 token.

// An Elman RNN, h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh); the loss reads every step.
// CHECK: PASS rnn_sequence:
func.func @rnn_sequence(%xs: tensor<5x2x3xf32>, %h0: tensor<2x4xf32>, %wih: tensor<4x3xf32>,
                        %whh: tensor<4x4xf32>, %bih: tensor<4xf32>, %bhh: tensor<4xf32>)
    -> tensor<5x2x4xf32> {
  %p = nn.matmul %xs, %wih {transpose_rhs = true} : (tensor<5x2x3xf32>, tensor<4x3xf32>) -> tensor<5x2x4xf32>
  %pb = nn.add %p, %bih : (tensor<5x2x4xf32>, tensor<4xf32>) -> tensor<5x2x4xf32>
  %h, %hs = nn.scan carried(%h0 : tensor<2x4xf32>) sequences(%pb : tensor<5x2x4xf32>)
                    invariants(%whh, %bhh : tensor<4x4xf32>, tensor<4xf32>)
                    -> finals(tensor<2x4xf32>) stacked(tensor<5x2x4xf32>) {
  ^bb0(%hp: tensor<2x4xf32>, %x: tensor<2x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>):
    %r = nn.matmul %hp, %w {transpose_rhs = true} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %rb = nn.add %r, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %s = nn.add %x, %rb : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %hn = nn.tanh %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
    nn.yield %hn, %hn : tensor<2x4xf32>, tensor<2x4xf32>
  }
  return %hs : tensor<5x2x4xf32>
}

// The same cell read only through its final state: the gradient reaches the initial
// state through every step.
// CHECK: PASS rnn_final_state:
func.func @rnn_final_state(%xs: tensor<5x2x3xf32>, %h0: tensor<2x4xf32>,
                           %wih: tensor<4x3xf32>, %whh: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %h, %hs = nn.scan carried(%h0 : tensor<2x4xf32>) sequences(%xs : tensor<5x2x3xf32>)
                    invariants(%wih, %whh : tensor<4x3xf32>, tensor<4x4xf32>)
                    -> finals(tensor<2x4xf32>) stacked(tensor<5x2x4xf32>) {
  ^bb0(%hp: tensor<2x4xf32>, %x: tensor<2x3xf32>, %wi: tensor<4x3xf32>, %wh: tensor<4x4xf32>):
    %a = nn.matmul %x, %wi {transpose_rhs = true} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
    %r = nn.matmul %hp, %wh {transpose_rhs = true} : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %s = nn.add %a, %r : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %hn = nn.tanh %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
    nn.yield %hn, %hn : tensor<2x4xf32>, tensor<2x4xf32>
  }
  return %h : tensor<2x4xf32>
}

// Reverse order (the backward half of a bidirectional layer), with a stacked output
// that is not the state.
// CHECK: PASS rnn_reverse:
func.func @rnn_reverse(%xs: tensor<5x2x3xf32>, %h0: tensor<2x3xf32>, %w: tensor<3x3xf32>)
    -> tensor<5x2x3xf32> {
  %h, %ys = nn.scan reverse carried(%h0 : tensor<2x3xf32>) sequences(%xs : tensor<5x2x3xf32>)
                    invariants(%w : tensor<3x3xf32>)
                    -> finals(tensor<2x3xf32>) stacked(tensor<5x2x3xf32>) {
  ^bb0(%hp: tensor<2x3xf32>, %x: tensor<2x3xf32>, %wh: tensor<3x3xf32>):
    %r = nn.matmul %hp, %wh : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %s = nn.add %x, %r : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %hn = nn.tanh %s : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %y = nn.mul %hn, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    nn.yield %hn, %y : tensor<2x3xf32>, tensor<2x3xf32>
  }
  return %ys : tensor<5x2x3xf32>
}

// LSTM, PyTorch's gates i, f, g, o in rows of W_ih [4H, D] and W_hh [4H, H]:
// c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c'). The gates are
// columns of one [B, 4H] product, cropped with nn.pad.
// CHECK: PASS lstm_sequence:
func.func @lstm_sequence(%xs: tensor<5x2x3xf32>, %h0: tensor<2x2xf32>, %c0: tensor<2x2xf32>,
                         %wih: tensor<8x3xf32>, %whh: tensor<8x2xf32>, %bih: tensor<8xf32>,
                         %bhh: tensor<8xf32>) -> tensor<5x2x2xf32> {
  %p = nn.matmul %xs, %wih {transpose_rhs = true} : (tensor<5x2x3xf32>, tensor<8x3xf32>) -> tensor<5x2x8xf32>
  %b = nn.add %bih, %bhh : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %pb = nn.add %p, %b : (tensor<5x2x8xf32>, tensor<8xf32>) -> tensor<5x2x8xf32>
  %c, %h, %hs = nn.scan carried(%c0, %h0 : tensor<2x2xf32>, tensor<2x2xf32>)
                        sequences(%pb : tensor<5x2x8xf32>) invariants(%whh : tensor<8x2xf32>)
                        -> finals(tensor<2x2xf32>, tensor<2x2xf32>) stacked(tensor<5x2x2xf32>) {
  ^bb0(%cp: tensor<2x2xf32>, %hp: tensor<2x2xf32>, %x: tensor<2x8xf32>, %w: tensor<8x2xf32>):
    %r = nn.matmul %hp, %w {transpose_rhs = true} : (tensor<2x2xf32>, tensor<8x2xf32>) -> tensor<2x8xf32>
    %g = nn.add %x, %r : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
    %gi = nn.pad %g {pads = array<i64: 0, 0, 0, -6>} : tensor<2x8xf32> -> tensor<2x2xf32>
    %gf = nn.pad %g {pads = array<i64: 0, 0, -2, -4>} : tensor<2x8xf32> -> tensor<2x2xf32>
    %gg = nn.pad %g {pads = array<i64: 0, 0, -4, -2>} : tensor<2x8xf32> -> tensor<2x2xf32>
    %go = nn.pad %g {pads = array<i64: 0, 0, -6, 0>} : tensor<2x8xf32> -> tensor<2x2xf32>
    %i = nn.sigmoid %gi : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %f = nn.sigmoid %gf : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %n = nn.tanh %gg : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %o = nn.sigmoid %go : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %fc = nn.mul %f, %cp : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %in = nn.mul %i, %n : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %cn = nn.add %fc, %in : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %tc = nn.tanh %cn : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %hn = nn.mul %o, %tc : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    nn.yield %cn, %hn, %hn : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
  }
  return %hs : tensor<5x2x2xf32>
}

// GRU, PyTorch's gates r, z, n: n = tanh(x_n + r (h W_hn^T + b_hn)),
// h' = (1 - z) n + z h. The hidden bias stays inside the loop (r multiplies it).
// CHECK: PASS gru_sequence:
func.func @gru_sequence(%xs: tensor<5x2x3xf32>, %h0: tensor<2x2xf32>, %wih: tensor<6x3xf32>,
                        %whh: tensor<6x2xf32>, %bih: tensor<6xf32>, %bhh: tensor<6xf32>)
    -> tensor<5x2x2xf32> {
  %p = nn.matmul %xs, %wih {transpose_rhs = true} : (tensor<5x2x3xf32>, tensor<6x3xf32>) -> tensor<5x2x6xf32>
  %pb = nn.add %p, %bih : (tensor<5x2x6xf32>, tensor<6xf32>) -> tensor<5x2x6xf32>
  %h, %hs = nn.scan carried(%h0 : tensor<2x2xf32>) sequences(%pb : tensor<5x2x6xf32>)
                    invariants(%whh, %bhh : tensor<6x2xf32>, tensor<6xf32>)
                    -> finals(tensor<2x2xf32>) stacked(tensor<5x2x2xf32>) {
  ^bb0(%hp: tensor<2x2xf32>, %x: tensor<2x6xf32>, %w: tensor<6x2xf32>, %bh: tensor<6xf32>):
    %r0 = nn.matmul %hp, %w {transpose_rhs = true} : (tensor<2x2xf32>, tensor<6x2xf32>) -> tensor<2x6xf32>
    %hh = nn.add %r0, %bh : (tensor<2x6xf32>, tensor<6xf32>) -> tensor<2x6xf32>
    %xr = nn.pad %x {pads = array<i64: 0, 0, 0, -4>} : tensor<2x6xf32> -> tensor<2x2xf32>
    %xz = nn.pad %x {pads = array<i64: 0, 0, -2, -2>} : tensor<2x6xf32> -> tensor<2x2xf32>
    %xn = nn.pad %x {pads = array<i64: 0, 0, -4, 0>} : tensor<2x6xf32> -> tensor<2x2xf32>
    %hr = nn.pad %hh {pads = array<i64: 0, 0, 0, -4>} : tensor<2x6xf32> -> tensor<2x2xf32>
    %hz = nn.pad %hh {pads = array<i64: 0, 0, -2, -2>} : tensor<2x6xf32> -> tensor<2x2xf32>
    %hn0 = nn.pad %hh {pads = array<i64: 0, 0, -4, 0>} : tensor<2x6xf32> -> tensor<2x2xf32>
    %ar = nn.add %xr, %hr : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %az = nn.add %xz, %hz : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %r = nn.sigmoid %ar : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %z = nn.sigmoid %az : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %rh = nn.mul %r, %hn0 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %an = nn.add %xn, %rh : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %n = nn.tanh %an : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %hmn = nn.sub %hp, %n : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %zd = nn.mul %z, %hmn : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %hn = nn.add %n, %zd : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    nn.yield %hn, %hn : tensor<2x2xf32>, tensor<2x2xf32>
  }
  return %hs : tensor<5x2x2xf32>
}

// Two stacked loops (a 2-layer RNN): the second reads the first's stacked outputs.
// CHECK: PASS stacked_layers:
func.func @stacked_layers(%xs: tensor<5x2x3xf32>, %h0: tensor<2x3xf32>, %w1: tensor<3x3xf32>,
                          %w2: tensor<3x3xf32>) -> tensor<2x3xf32> {
  %h1, %ys1 = nn.scan carried(%h0 : tensor<2x3xf32>) sequences(%xs : tensor<5x2x3xf32>)
                      invariants(%w1 : tensor<3x3xf32>)
                      -> finals(tensor<2x3xf32>) stacked(tensor<5x2x3xf32>) {
  ^bb0(%hp: tensor<2x3xf32>, %x: tensor<2x3xf32>, %w: tensor<3x3xf32>):
    %r = nn.matmul %hp, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %s = nn.add %x, %r : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %hn = nn.tanh %s : (tensor<2x3xf32>) -> tensor<2x3xf32>
    nn.yield %hn, %hn : tensor<2x3xf32>, tensor<2x3xf32>
  }
  %h2, %ys2 = nn.scan carried(%h1 : tensor<2x3xf32>) sequences(%ys1 : tensor<5x2x3xf32>)
                      invariants(%w2 : tensor<3x3xf32>)
                      -> finals(tensor<2x3xf32>) stacked(tensor<5x2x3xf32>) {
  ^bb0(%hp: tensor<2x3xf32>, %x: tensor<2x3xf32>, %w: tensor<3x3xf32>):
    %r = nn.matmul %hp, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %s = nn.add %x, %r : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %hn = nn.sigmoid %s : (tensor<2x3xf32>) -> tensor<2x3xf32>
    nn.yield %hn, %hn : tensor<2x3xf32>, tensor<2x3xf32>
  }
  return %h2 : tensor<2x3xf32>
}


// A loop with a static length and no sequences, as the language's `loop` makes:
// greedy decoding's shape, the state carried with an i32 token chosen by argmax and
// fed back through a gather (no gradient through the token), the outputs stacked.
// CHECK: PASS decode_length:
func.func @decode_length(%h0: tensor<2x4xf32>, %emb: tensor<3x4xf32>, %w: tensor<4x4xf32>,
                         %wo: tensor<4x3xf32>) -> tensor<4x2x3xf32> {
  %c = nn.constant dense<[0, 2]> : tensor<2xi32>
  %h, %t, %ps = nn.scan length 4 carried(%h0, %c : tensor<2x4xf32>, tensor<2xi32>)
                        invariants(%emb, %w, %wo : tensor<3x4xf32>, tensor<4x4xf32>, tensor<4x3xf32>)
                        -> finals(tensor<2x4xf32>, tensor<2xi32>) stacked(tensor<4x2x3xf32>) {
  ^bb0(%hp: tensor<2x4xf32>, %tp: tensor<2xi32>, %e: tensor<3x4xf32>, %wi: tensor<4x4xf32>, %woi: tensor<4x3xf32>):
    %x = nn.gather %e, %tp : (tensor<3x4xf32>, tensor<2xi32>) -> tensor<2x4xf32>
    %r = nn.matmul %hp, %wi : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
    %s = nn.add %x, %r : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %hn = nn.tanh %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %l = nn.matmul %hn, %woi : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %tn = nn.argmax %l {axis = -1} : tensor<2x3xf32> -> tensor<2xi32>
    nn.yield %hn, %tn, %l : tensor<2x4xf32>, tensor<2xi32>, tensor<2x3xf32>
  }
  return %ps : tensor<4x2x3xf32>
}

// CHECK: 7 passed, 0 failed
