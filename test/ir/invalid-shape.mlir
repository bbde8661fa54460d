// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that the reduction, matmul, reshape, transpose, broadcast_to, one_hot, count and
// noise ops reject attributes and operands their shape rules cannot accept.

// Tests that a reduction axis must be below the rank.
func.func @reduce_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reduce_sum' axis 2 is out of range for a tensor of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %x {axes = array<i64: 2>} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

// Tests that negative reduction axes are rejected (no Python-style wraparound).
func.func @reduce_negative_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reduce_max' axis -1 is out of range for a tensor of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_max %x {axes = array<i64: -1>} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

// Tests that a reduction axis may not be listed twice.
func.func @reduce_repeated_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reduce_mean' axis 1 is repeated}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_mean %x {axes = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

// Tests that keepdims keeps the reduced dims as 1: declaring them removed is an error.
func.func @reduce_keepdims_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reduce_sum' op inferred type(s) 'tensor<2x1xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

// Tests that empty axes reduce every dim, so the result is rank 0.
func.func @reduce_all_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce_sum %x {axes = array<i64>} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

// Tests that matmul needs a left operand of rank >= 2.
func.func @matmul_lhs_rank(%x: tensor<3xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+2 {{'nn.matmul' needs a left operand of rank >= 2, got [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %x, %w : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that matmul needs a right operand of rank 2 or of the lhs's rank (batched).
func.func @matmul_rhs_rank(%x: tensor<2x3xf32>, %w: tensor<5x3x4xf32>) {
  // expected-error @+2 {{'nn.matmul' needs a right operand of rank 2 or of the left operand's rank (2), got [5, 3, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<5x3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Tests that the contraction dims must agree.
func.func @matmul_contraction(%x: tensor<2x3xf32>, %w: tensor<4x5xf32>) {
  // expected-error @+2 {{'nn.matmul' contraction dims differ: f32[2, 3] @ f32[4, 5] (3 vs 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// Tests that transpose_rhs swaps the right operand's dims before the contraction check.
func.func @matmul_contraction_transposed(%x: tensor<2x3xf32>, %w: tensor<3x5xf32>) {
  // expected-error @+2 {{'nn.matmul' contraction dims differ: f32[2, 3] @ f32[3, 5] (3 vs 5)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %x, %w {transpose_rhs = true} : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Tests that transpose_lhs swaps the left operand's last two dims.
func.func @matmul_transpose_lhs_result(%x: tensor<3x2xf32>, %w: tensor<3x5xf32>) {
  // expected-error @+2 {{'nn.matmul' op inferred type(s) 'tensor<2x5xf32>' are incompatible with return type(s) of operation 'tensor<3x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %x, %w {transpose_lhs = true} : (tensor<3x2xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return
}

// -----

// Tests that `like` must have the rank of the reshape's result.
func.func @reshape_like_rank(%x: tensor<6x4xf32>, %l: tensor<6x4xf32>) {
  // expected-error @+2 {{'nn.reshape' shape [-1, -1, 4] needs a `like` operand of rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x like %l : tensor<6x4xf32> {shape = array<i64: -1, -1, 4>} : tensor<6x4xf32> -> tensor<?x?x4xf32>
  return
}

// -----

// Tests that the dims `like` gives must keep the element count.
func.func @reshape_like_count(%x: tensor<6x4xf32>, %l: tensor<2x2x4xf32>) {
  // expected-error @+2 {{'nn.reshape' cannot reshape 24 elements into [2, 2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x like %l : tensor<2x2x4xf32> {shape = array<i64: -1, -1, 4>} : tensor<6x4xf32> -> tensor<2x2x4xf32>
  return
}

// -----

// Tests that a static reshape must keep the element count.
func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' cannot reshape 6 elements into [4, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: 4, 2>} : tensor<2x3xf32> -> tensor<4x2xf32>
  return
}

// -----

// Tests that a -1 entry must divide the element count evenly.
func.func @reshape_indivisible(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' cannot reshape 6 elements into [4, -1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: 4, -1>} : tensor<2x3xf32> -> tensor<4x?xf32>
  return
}

// -----

// Tests that a zero-sized known part leaves the -1 entry undetermined.
func.func @reshape_zero_with_inferred(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' cannot reshape 6 elements into [0, -1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: 0, -1>} : tensor<2x3xf32> -> tensor<0x?xf32>
  return
}

// -----

// Tests that at most one shape entry may be -1.
func.func @reshape_two_inferred(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{'nn.reshape' shape [-1, -1] has more than one -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: -1, -1>} : tensor<?x4xf32> -> tensor<?x?xf32>
  return
}

// -----

// Tests that negative dims other than -1 are rejected.
func.func @reshape_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.reshape' shape [-2, -3] has a negative dim other than -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: -2, -3>} : tensor<2x3xf32> -> tensor<6xf32>
  return
}

// -----

// Tests that a reshape keeps its operand's element type.
func.func @reshape_element_type(%x: tensor<6xi32>) {
  // expected-error @+2 {{'nn.reshape' op inferred type(s) 'tensor<2x3xi32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: 2, 3>} : tensor<6xi32> -> tensor<2x3xf32>
  return
}

// -----

// Tests that a permutation must have one entry per dim.
func.func @transpose_length(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' permutation [0, 1, 2] does not match rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

// Tests that a permutation may not repeat a dim.
func.func @transpose_repeated(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' [1, 1] is not a permutation}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %x {perm = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

// Tests that permutation entries must be dims of the operand.
func.func @transpose_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' [2, 0] is not a permutation}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %x {perm = array<i64: 2, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

// Tests that transpose moves dims: the declared result must be the permuted shape.
func.func @transpose_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.transpose' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

// Tests that broadcast_to rejects incompatible static dims.
func.func @broadcast_to_incompatible(%x: tensor<3xf32>, %like: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.broadcast_to' cannot broadcast [3] to [2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.broadcast_to %x, %like : (tensor<3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Tests that broadcast_to cannot lower the rank.
func.func @broadcast_to_lower_rank(%x: tensor<2x3xf32>, %like: tensor<3xf32>) {
  // expected-error @+2 {{'nn.broadcast_to' cannot broadcast [2, 3] to [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.broadcast_to %x, %like : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// Tests that broadcast_to cannot shrink a dim to 1 (the target must be the broadcast).
func.func @broadcast_to_shrink(%x: tensor<3xf32>, %like: tensor<2x1xf32>) {
  // expected-error @+2 {{'nn.broadcast_to' cannot broadcast [3] to [2, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.broadcast_to %x, %like : (tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x1xf32>
  return
}

// -----

// Tests that one_hot needs a positive depth (zero).
func.func @one_hot_zero_depth(%l: tensor<4xi32>) {
  // expected-error @+2 {{'nn.one_hot' depth must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.one_hot %l {depth = 0} : tensor<4xi32> -> tensor<4x0xf32>
  return
}

// -----

// Tests that one_hot needs a positive depth (negative).
func.func @one_hot_negative_depth(%l: tensor<*xi32>) {
  // expected-error @+2 {{'nn.one_hot' depth must be positive, got -3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.one_hot %l {depth = -3} : tensor<*xi32> -> tensor<*xf32>
  return
}

// -----

// Tests that one_hot labels must be i32.
func.func @one_hot_f32_labels(%l: tensor<4xf32>) {
  // expected-error @+1 {{'nn.one_hot' op operand #0 must be tensor of 32-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = nn.one_hot %l {depth = 3} : tensor<4xf32> -> tensor<4x3xf32>
  return
}

// -----

// Tests that one_hot appends the depth as the last dim.
func.func @one_hot_result(%l: tensor<4xi32>) {
  // expected-error @+2 {{'nn.one_hot' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.one_hot %l {depth = 3} : tensor<4xi32> -> tensor<3x4xf32>
  return
}

// -----

// Tests that count axes must be below the rank.
func.func @count_axis_out_of_range(%x: tensor<?x10xf32>) {
  // expected-error @+2 {{'nn.count' axis 2 is out of range for a tensor of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.count %x {axes = array<i64: 2>} : tensor<?x10xf32> -> tensor<f32>
  return
}

// -----

// Tests that count always gives a rank-0 f32.
func.func @count_result(%x: tensor<?x10xf32>) {
  // expected-error @+2 {{'nn.count' op inferred type(s) 'tensor<f32>' are incompatible with return type(s) of operation 'tensor<1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.count %x {axes = array<i64: 0>} : tensor<?x10xf32> -> tensor<1xf32>
  return
}

// -----

// Tests that the random_uniform seed must be rank 0.
func.func @random_uniform_seed(%x: tensor<4xf32>, %seed: tensor<1xf32>) {
  // expected-error @+2 {{'nn.random_uniform' seed must be a rank-0 tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random_uniform %x, %seed : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that the random_uniform stream must be rank 0.
func.func @random_uniform_stream(%x: tensor<4xf32>, %seed: tensor<f32>, %s: tensor<2xi32>) {
  // expected-error @+2 {{'nn.random_uniform' stream must be a rank-0 tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random_uniform %x, %seed, %s : (tensor<4xf32>, tensor<f32>, tensor<2xi32>) -> tensor<4xf32>
  return
}

// -----

// Tests that the random_uniform row (after the stream) must be rank 0.
func.func @random_uniform_row(%x: tensor<4xf32>, %seed: tensor<f32>, %s: tensor<i32>, %r: tensor<1xi32>) {
  // expected-error @+2 {{'nn.random_uniform' row must be a rank-0 tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random_uniform %x, %seed, %s, %r : (tensor<4xf32>, tensor<f32>, tensor<i32>, tensor<1xi32>) -> tensor<4xf32>
  return
}

// -----

// Tests that nothing follows the random_uniform row.
func.func @random_uniform_extra(%x: tensor<4xf32>, %seed: tensor<f32>, %s: tensor<i32>) {
  // expected-error @+2 {{'nn.random_uniform' takes at most a stream and a row after the seed, got 3 operands}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random_uniform %x, %seed, %s, %s, %s : (tensor<4xf32>, tensor<f32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<4xf32>
  return
}

// -----

// Tests that the random_normal seed must be rank 0.
func.func @random_normal_seed(%x: tensor<4xf32>, %seed: tensor<1xf32>) {
  // expected-error @+2 {{'nn.random_normal' seed must be a rank-0 tensor}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random_normal %x, %seed : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return
}

// -----

// Tests that a -1 in the shape of a noise op needs a dim of `like` at its position.
func.func @random_shape_rank(%x: tensor<?x4xf32>, %seed: tensor<f32>) {
  // expected-error @+2 {{'nn.random_normal' shape entry 2 is -1 but 'like' has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random_normal %x, %seed {shape = array<i64: -1, 4, -1>} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4x4xf32>
  return
}

// -----

// Tests that the other shape entries of a noise op are positive.
func.func @random_shape_zero(%x: tensor<?x4xf32>, %seed: tensor<f32>) {
  // expected-error @+2 {{'nn.random_uniform' shape entries must be positive or -1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.random_uniform %x, %seed {shape = array<i64: -1, 0>} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x0xf32>
  return
}
