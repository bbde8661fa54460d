// RUN: nn-opt %s --split-input-file --verify-diagnostics
// Tests that batched matmul, slice, slice_backward, concat, the masks, argmax and softmax
// reject operands and attributes their shape rules cannot accept.

// Tests that a batched rhs must have the lhs's rank.
func.func @matmul_rhs_rank(%x: tensor<2x4x3xf32>, %w: tensor<2x2x3x4xf32>) {
  // expected-error @+2 {{'nn.matmul' needs a right operand of rank 2 or of the left operand's rank (3), got [2, 2, 3, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %x, %w : (tensor<2x4x3xf32>, tensor<2x2x3x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

// Tests that the batch dims of a batched product must agree.
func.func @matmul_batch(%q: tensor<2x4x8x16xf32>, %k: tensor<2x3x8x16xf32>) {
  // expected-error @+2 {{'nn.matmul' batch dims differ: f32[2, 4, 8, 16] @ f32[2, 3, 8, 16] (dim 1: 4 vs 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %q, %k {transpose_rhs = true} : (tensor<2x4x8x16xf32>, tensor<2x3x8x16xf32>) -> tensor<2x4x8x8xf32>
  return
}

// -----

// Tests that a batched product checks its contraction dims after the transposes.
func.func @matmul_batched_contraction(%q: tensor<?x8x16xf32>, %k: tensor<?x8x16xf32>) {
  // expected-error @+2 {{'nn.matmul' contraction dims differ: f32[?, 8, 16] @ f32[?, 8, 16] (16 vs 8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %q, %k : (tensor<?x8x16xf32>, tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  return
}

// -----

// Tests that a slice of a static axis must lie inside it.
func.func @slice_outside(%x: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.slice' range [2, 6) is empty or outside an axis of 4 elements}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %x {axis = 1, start = 2, end = 6} : tensor<2x4xf32> -> tensor<2x4xf32>
  return
}

// -----

// Tests that a slice may not be empty, even on a dynamic axis.
func.func @slice_empty(%x: tensor<?x4xf32>) {
  // expected-error @+2 {{'nn.slice' range [3, 3) is empty}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %x {axis = 0, start = 3, end = 3} : tensor<?x4xf32> -> tensor<?x4xf32>
  return
}

// -----

// Tests that the slice axis must be within the rank.
func.func @slice_axis(%x: tensor<2x4xf32>) {
  // expected-error @+2 {{'nn.slice' axis -3 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %x {axis = -3, start = 0} : tensor<2x4xf32> -> tensor<2x4xf32>
  return
}

// -----

// Tests that slice_backward's gradient must have the slice's shape.
func.func @slice_backward_shape(%g: tensor<2x3xf32>, %x: tensor<2x8xf32>) {
  // expected-error @+2 {{'nn.slice_backward' gradient f32[2, 3] is not the slice's shape f32[2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice_backward %g, %x {axis = 1, start = 4} : (tensor<2x3xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

// Tests that concatenated operands agree off the axis.
func.func @concat_dims(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{'nn.concat' operands f32[2, 4] and f32[3, 4] differ in dim 0 (2 vs 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x8xf32>
  return
}

// -----

// Tests that concatenated operands have one element type.
func.func @concat_types(%a: tensor<2x4xf32>, %b: tensor<2x4xi32>) {
  // expected-error @+2 {{'nn.concat' operands have different element types: f32[2, 4] and i32[2, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1} : (tensor<2x4xf32>, tensor<2x4xi32>) -> tensor<2x8xf32>
  return
}

// -----

// Tests that concatenated operands have one rank.
func.func @concat_rank(%a: tensor<2x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'nn.concat' operands differ in rank: f32[2, 4] and f32[4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b {axis = 1} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

// Tests that a causal mask needs scores of rank >= 2.
func.func @causal_rank(%s: tensor<5xf32>) {
  // expected-error @+2 {{'nn.causal_mask' needs scores of rank >= 2 [..., Sq, Sk], got [5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.causal_mask %s : tensor<5xf32> -> tensor<5x5xf32>
  return
}

// -----

// Tests that a padding mask reads tokens [B, S].
func.func @padding_rank(%t: tensor<2x3x4xi32>) {
  // expected-error @+2 {{'nn.padding_mask' needs tokens of rank 2 [B, S], got [2, 3, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.padding_mask %t : tensor<2x3x4xi32> -> tensor<2x1x1x4xf32>
  return
}

// -----

// Tests that a padding mask's rank is at least 2.
func.func @padding_mask_rank(%t: tensor<2x3xi32>) {
  // expected-error @+2 {{'nn.padding_mask' rank must be >= 2, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.padding_mask %t {rank = 1} : tensor<2x3xi32> -> tensor<3xf32>
  return
}

// -----

// Tests that the argmax axis must be within the rank.
func.func @argmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.argmax' axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.argmax %x {axis = 2} : tensor<2x3xf32> -> tensor<2xi32>
  return
}

// -----

// Tests that argmax's result is i32.
func.func @argmax_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'nn.argmax' op result #0 must be tensor of 32-bit signless integer values}}
  %0 = nn.argmax %x {axis = 1} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

// Tests that split_heads needs a static feature dim the heads divide.
func.func @split_heads_divide(%x: tensor<?x?x10xf32>) {
  // expected-error @+2 {{'nn.split_heads' needs [..., S, F] with a static F that 4 heads divide, got f32[?, ?, 10]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.split_heads %x {heads = 4} : tensor<?x?x10xf32> -> tensor<?x4x?x2xf32>
  return
}

// -----

// Tests that split_heads needs a positive head count.
func.func @split_heads_zero(%x: tensor<2x3x8xf32>) {
  // expected-error @+2 {{'nn.split_heads' heads must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.split_heads %x {heads = 0} : tensor<2x3x8xf32> -> tensor<2x3x8xf32>
  return
}

// -----

// Tests that merge_heads needs static heads and head width.
func.func @merge_heads_dynamic(%x: tensor<2x?x3x8xf32>) {
  // expected-error @+2 {{'nn.merge_heads' needs [..., H, S, D] with static H and D, got f32[2, ?, 3, 8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.merge_heads %x : tensor<2x?x3x8xf32> -> tensor<2x3x8xf32>
  return
}

// -----

// Tests that a dynamic_update_slice's block must fit its destination outside the axis.
func.func @update_slice_dims(%c: tensor<2x8x4xf32>, %k: tensor<2x1x3xf32>, %t: tensor<1xi32>) {
  // expected-error @+2 {{'nn.dynamic_update_slice' update [2, 1, 3] does not fit [2, 8, 4] outside axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.dynamic_update_slice %c, %k, %t {axis = 1} : (tensor<2x8x4xf32>, tensor<2x1x3xf32>, tensor<1xi32>) -> tensor<2x8x4xf32>
  return
}

// -----

// Tests that a dynamic_update_slice takes one index.
func.func @update_slice_index(%c: tensor<2x8x4xf32>, %k: tensor<2x1x4xf32>, %t: tensor<2xi32>) {
  // expected-error @+2 {{'nn.dynamic_update_slice' needs one index (rank 0, or [1]), got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.dynamic_update_slice %c, %k, %t {axis = 1} : (tensor<2x8x4xf32>, tensor<2x1x4xf32>, tensor<2xi32>) -> tensor<2x8x4xf32>
  return
}

// -----

// Tests that a causal mask's offset is one number.
func.func @mask_offset(%s: tensor<2x1x8xf32>, %t: tensor<1x2xi32>) {
  // expected-error @+2 {{'nn.causal_mask' needs one offset (rank 0, or [1]), got [1, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.causal_mask %s at %t : tensor<2x1x8xf32>, tensor<1x2xi32> -> tensor<1x1x8xf32>
  return
}

// -----

// Tests that softmax's axis is one of its operand's.
func.func @softmax_axis(%s: tensor<2x3xf32>) {
  // expected-error @+2 {{'nn.softmax' axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.softmax %s {axis = 2} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}
