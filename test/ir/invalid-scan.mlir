// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that nn.scan checks its body's arguments and yields against its operands and
// results, and its sequences' lengths.

// Tests that a loop needs a sequence or a length (they set the number of steps).
func.func @no_sequence(%h0: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.scan' op needs a sequence or a length (the number of steps)}}
  %h = nn.scan carried(%h0 : tensor<2xf32>) -> finals(tensor<2xf32>) {
  ^bb0(%a: tensor<2xf32>):
    nn.yield %a : tensor<2xf32>
  }
  return %h : tensor<2xf32>
}

// -----

// Tests that sequences of different static lengths are rejected.
func.func @lengths(%a: tensor<5x2xf32>, %b: tensor<4x2xf32>) -> tensor<5x2xf32> {
  // expected-error @+1 {{'nn.scan' op sequences have different lengths: 5 and 4}}
  %z = nn.scan sequences(%a, %b : tensor<5x2xf32>, tensor<4x2xf32>) -> stacked(tensor<5x2xf32>) {
  ^bb0(%x: tensor<2xf32>, %y: tensor<2xf32>):
    nn.yield %x : tensor<2xf32>
  }
  return %z : tensor<5x2xf32>
}

// -----

// Tests that a step's argument is the sequence without its leading dim.
func.func @slice_type(%a: tensor<5x2xf32>) -> tensor<5x2xf32> {
  // expected-error @+1 {{'nn.scan' op body argument #0 has type 'tensor<5x2xf32>', expected 'tensor<2xf32>'}}
  %z = nn.scan sequences(%a : tensor<5x2xf32>) -> stacked(tensor<5x2xf32>) {
  ^bb0(%x: tensor<5x2xf32>):
    %y = nn.pad %x {pads = array<i64: -4, 0, 0, 0>} : tensor<5x2xf32> -> tensor<1x2xf32>
    %r = nn.reshape %y {shape = array<i64: 2>} : tensor<1x2xf32> -> tensor<2xf32>
    nn.yield %r : tensor<2xf32>
  }
  return %z : tensor<5x2xf32>
}

// -----

// Tests that the body yields the carried values' types.
func.func @carried_type(%h0: tensor<2xf32>, %a: tensor<5x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.scan' op carried value #0 enters as 'tensor<2xf32>' but the body yields 'tensor<3xf32>'}}
  %h = nn.scan carried(%h0 : tensor<2xf32>) sequences(%a : tensor<5x3xf32>) -> finals(tensor<2xf32>) {
  ^bb0(%c: tensor<2xf32>, %x: tensor<3xf32>):
    nn.yield %x : tensor<3xf32>
  }
  return %h : tensor<2xf32>
}

// -----

// Tests that a stacked output has the steps as its leading dim.
func.func @stacked_type(%a: tensor<5x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'nn.scan' op stacked output #0 has type 'tensor<4x3xf32>' for steps yielding 'tensor<3xf32>'}}
  %z = nn.scan sequences(%a : tensor<5x3xf32>) -> stacked(tensor<4x3xf32>) {
  ^bb0(%x: tensor<3xf32>):
    nn.yield %x : tensor<3xf32>
  }
  return %z : tensor<4x3xf32>
}

// -----

// Tests that the body yields one value per carried value and stacked output.
func.func @yield_count(%a: tensor<5x3xf32>) -> tensor<5x3xf32> {
  // expected-error @+1 {{'nn.scan' op body yields 2 values for 0 carried values and 1 stacked outputs}}
  %z = nn.scan sequences(%a : tensor<5x3xf32>) -> stacked(tensor<5x3xf32>) {
  ^bb0(%x: tensor<3xf32>):
    nn.yield %x, %x : tensor<3xf32>, tensor<3xf32>
  }
  return %z : tensor<5x3xf32>
}

// -----

// Tests that the body is isolated: it reads only its arguments.
func.func @isolated(%a: tensor<5x3xf32>, %w: tensor<3xf32>) -> tensor<5x3xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %z = nn.scan sequences(%a : tensor<5x3xf32>) -> stacked(tensor<5x3xf32>) {
  ^bb0(%x: tensor<3xf32>):
    // expected-error @+1 {{using value defined outside the region}}
    %y = nn.mul %x, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    nn.yield %y : tensor<3xf32>
  }
  return %z : tensor<5x3xf32>
}

// -----

// Tests that a length must be positive.
func.func @zero_length(%h0: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'nn.scan' op length must be in [1, 2^31 - 1], got 0}}
  %h = nn.scan length 0 carried(%h0 : tensor<2xf32>) -> finals(tensor<2xf32>) {
  ^bb0(%a: tensor<2xf32>):
    nn.yield %a : tensor<2xf32>
  }
  return %h : tensor<2xf32>
}

// -----

// Tests that a static sequence of another length than the loop's is rejected.
func.func @length_mismatch(%xs: tensor<5x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'nn.scan' op sequence of length 5 in a loop of length 4}}
  %ys = nn.scan length 4 sequences(%xs : tensor<5x2xf32>) -> stacked(tensor<4x2xf32>) {
  ^bb0(%x: tensor<2xf32>):
    nn.yield %x : tensor<2xf32>
  }
  return %ys : tensor<4x2xf32>
}

// -----

// Tests that a sequence of dynamic length cannot run a static number of steps (the
// runtime would read past a shorter one).
func.func @length_dynamic(%xs: tensor<?x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'nn.scan' op sequence of type 'tensor<?x2xf32>' has a dynamic length but the loop runs 4 steps}}
  %ys = nn.scan length 4 sequences(%xs : tensor<?x2xf32>) -> stacked(tensor<4x2xf32>) {
  ^bb0(%x: tensor<2xf32>):
    nn.yield %x : tensor<2xf32>
  }
  return %ys : tensor<4x2xf32>
}

// -----

// Tests that the stacked outputs of a loop with a length have it as their leading dim.
func.func @length_stacked(%h0: tensor<2xf32>) -> tensor<5x2xf32> {
  // expected-error @+1 {{'nn.scan' op stacked output #0 has type 'tensor<5x2xf32>' for steps yielding 'tensor<2xf32>'}}
  %h, %hs = nn.scan length 3 carried(%h0 : tensor<2xf32>) -> finals(tensor<2xf32>) stacked(tensor<5x2xf32>) {
  ^bb0(%a: tensor<2xf32>):
    nn.yield %a, %a : tensor<2xf32>, tensor<2xf32>
  }
  return %hs : tensor<5x2xf32>
}
