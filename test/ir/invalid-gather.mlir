// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that gather and scatter_add reject operands and attributes their shape rules
// cannot accept.

// Tests that gather needs a table of rank 2.
func.func @gather_rank(%t: tensor<10x4x2xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{'nn.gather' needs a table of rank 2 [rows, width], got [10, 4, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %t, %i : (tensor<10x4x2xf32>, tensor<3xi32>) -> tensor<3x4xf32>
  return
}

// -----

// Tests that gather needs a table with rows.
func.func @gather_empty(%t: tensor<0x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{'nn.gather' needs a table with at least one row, got [0, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %t, %i : (tensor<0x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
  return
}

// -----

// Tests that gather's indices are i32.
func.func @gather_float_indices(%t: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'nn.gather' op operand #1 must be tensor of 32-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = nn.gather %t, %i : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

// Tests that a declared result type must match the inferred one.
func.func @gather_result(%t: tensor<10x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{'nn.gather' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<3x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %t, %i : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<3x5xf32>
  return
}

// -----

// Tests that scatter_add's rows must be positive.
func.func @scatter_rows(%g: tensor<3x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+2 {{'nn.scatter_add' rows must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_add %g, %i {rows = 0} : (tensor<3x4xf32>, tensor<3xi32>) -> tensor<1x4xf32>
  return
}

// -----

// Tests that scatter_add's indices must have the leading dims of the values.
func.func @scatter_shape(%g: tensor<2x3x4xf32>, %i: tensor<2x4xi32>) {
  // expected-error @+2 {{'nn.scatter_add' indices of shape [2, 4] do not match the leading dims of the values of shape [2, 3, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_add %g, %i {rows = 10} : (tensor<2x3x4xf32>, tensor<2x4xi32>) -> tensor<10x4xf32>
  return
}

// -----

// Tests that scatter_add's indices must have one dim fewer than the values.
func.func @scatter_rank(%g: tensor<3x4xf32>, %i: tensor<3x4xi32>) {
  // expected-error @+2 {{'nn.scatter_add' indices of shape [3, 4] do not match the leading dims of the values of shape [3, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_add %g, %i {rows = 10} : (tensor<3x4xf32>, tensor<3x4xi32>) -> tensor<10x4xf32>
  return
}

// -----

// Tests that scatter_add's values have a width dim.
func.func @scatter_scalar(%g: tensor<f32>, %i: tensor<i32>) {
  // expected-error @+2 {{'nn.scatter_add' needs values of rank >= 1 [..., width], got rank 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.scatter_add %g, %i {rows = 10} : (tensor<f32>, tensor<i32>) -> tensor<10x4xf32>
  return
}
