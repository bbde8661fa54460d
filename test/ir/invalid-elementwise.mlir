// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that constants and the elementwise ops reject bad operand and result types.

// Tests that binary operands with incompatible static dims are rejected.
func.func @add_incompatible(%x: tensor<4xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{operands of 'nn.add' have incompatible shapes f32[4] and f32[3] (dims must be equal or 1 when aligned at the right)}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that broadcasting aligns at the right: [2, 3] and [2] do not broadcast.
func.func @mul_right_aligned(%x: tensor<2x3xf32>, %y: tensor<2xf32>) {
  // expected-error @+2 {{operands of 'nn.mul' have incompatible shapes f32[2, 3] and f32[2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.mul %x, %y : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Tests that a dynamic dim does not hide a conflict in another dim.
func.func @sub_dynamic_conflict(%x: tensor<?x3xf32>, %y: tensor<4xf32>) {
  // expected-error @+2 {{operands of 'nn.sub' have incompatible shapes f32[?, 3] and f32[4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.sub %x, %y : (tensor<?x3xf32>, tensor<4xf32>) -> tensor<?x3xf32>
  return
}

// -----

// Tests that the comparison op checks broadcasting like the arithmetic ones.
func.func @greater_incompatible(%x: tensor<5x2xf32>, %y: tensor<5x3xf32>) {
  // expected-error @+2 {{operands of 'nn.greater' have incompatible shapes f32[5, 2] and f32[5, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.greater %x, %y : (tensor<5x2xf32>, tensor<5x3xf32>) -> tensor<5x2xf32>
  return
}

// -----

// Tests that a declared result type must be compatible with the inferred one.
func.func @add_wrong_result(%x: tensor<4xf32>) {
  // expected-error @+2 {{'nn.add' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'nn.add' op failed to infer returned types}}
  %0 = nn.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<3xf32>
  return
}

// -----

// Tests that the declared result of a broadcast must have the broadcast rank.
func.func @add_wrong_result_rank(%x: tensor<4x1xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.add %x, %y : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// Tests that a unary op's declared result must match its operand's shape.
func.func @relu_wrong_result(%x: tensor<4xf32>) {
  // expected-error @+2 {{'nn.relu' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.relu %x : (tensor<4xf32>) -> tensor<5xf32>
  return
}

// -----

// Tests that a `?` in the declared result does not excuse a rank change.
func.func @tanh_wrong_rank(%x: tensor<4xf32>) {
  // expected-error @+2 {{'nn.tanh' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<?x1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.tanh %x : (tensor<4xf32>) -> tensor<?x1xf32>
  return
}

// -----

// Tests that elementwise math takes only f32 operands.
func.func @exp_i32(%x: tensor<4xi32>) {
  // expected-error @+1 {{'nn.exp' op operand #0 must be tensor of 32-bit float values, but got 'tensor<4xi32>'}}
  %0 = nn.exp %x : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

// Tests that elementwise math produces only f32 results.
func.func @log_i32_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.log' op result #0 must be tensor of 32-bit float values, but got 'tensor<4xi32>'}}
  %0 = nn.log %x : (tensor<4xf32>) -> tensor<4xi32>
  return
}

// -----

// Tests that binary ops take only f32 operands.
func.func @pow_i32(%x: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{'nn.pow' op operand #1 must be tensor of 32-bit float values, but got 'tensor<4xi32>'}}
  %0 = nn.pow %x, %y : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

// Tests that constants hold only f32 or i32 elements.
func.func @constant_f64() {
  // expected-error @+1 {{'nn.constant' op result #0 must be tensor of 32-bit float or 32-bit signless integer values, but got 'tensor<f64>'}}
  %0 = nn.constant dense<1.0> : tensor<f64>
  return
}

// -----

// Tests that a constant's declared result type must match its value's type.
func.func @constant_wrong_result() {
  // expected-error @+2 {{'nn.constant' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "nn.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<3xf32>
  return
}
