// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests each reason nn-fuse records for a kernel boundary, in the `inputs` list of the
// consumer kernel's `nn.fusion` dictionary (one reason per kernel input).

// Tests that a matmul does not take its operands' producers (it reads each operand
// element many times) when they are computed from another kernel's result (from
// arguments alone they are prologues: prologue.mlir).
// CHECK-LABEL: func.func @matmul_operand(
// CHECK: %[[A:.*]] = nn.kernel "matmul_operand_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.reduce_max
// CHECK-NEXT: nn.sub
// CHECK: nn.kernel "matmul_operand_k1"(%[[A]], %{{.*}}) {nn.fusion = {inputs = ["contraction operands are materialized (each element is read once per output tile)", "function argument"], kind = "matmul"}}
func.func @matmul_operand(%x: tensor<4x8xf32>, %w: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %m = nn.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  %0 = nn.sub %x, %m : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %1 = nn.matmul %0, %w : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  return %1 : tensor<4x4xf32>
}

// -----

// Tests that two matmuls of one shape whose results one epilogue combines share a
// kernel (they share its output tiles: an LSTM step's gates).
// CHECK-LABEL: func.func @two_matmuls(
// CHECK: %[[A:.*]] = nn.kernel "two_matmuls_k0"(%{{.*}}, %{{.*}}) {nn.fusion = {inputs = ["function argument", "function argument"], kind = "matmul"}}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.add
// CHECK: return %[[A]]
func.func @two_matmuls(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = nn.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = nn.matmul %w, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %2 = nn.add %1, %0 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %2 : tensor<4x4xf32>
}

// -----

// Tests that matmuls of different shapes never share a kernel: the add joins the
// [4, 4] product's kernel and reads the [4, 1] one's result.
// CHECK-LABEL: func.func @matmuls_of_two_shapes(
// CHECK: %[[A:.*]] = nn.kernel "matmuls_of_two_shapes_k0"
// CHECK: %[[B:.*]] = nn.kernel "matmuls_of_two_shapes_k1"(%{{.*}}, %{{.*}}, %[[A]]) {nn.fusion = {inputs = ["function argument", "function argument", "only matmuls of one shape, with 32 KB of weights together, share a kernel, none reading another's result"], kind = "matmul"}}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.add
// CHECK: return %[[B]]
func.func @matmuls_of_two_shapes(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>,
                                 %v: tensor<4x1xf32>) -> tensor<4x4xf32> {
  %0 = nn.matmul %x, %v : (tensor<4x4xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %1 = nn.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %2 = nn.add %1, %0 : (tensor<4x4xf32>, tensor<4x1xf32>) -> tensor<4x4xf32>
  return %2 : tensor<4x4xf32>
}

// -----

// Tests that products whose weights together exceed 32 KB (two [128, 128]: 128 KB) do
// not share a kernel: every row tile would stream them all.
// CHECK-LABEL: func.func @large_weights(
// CHECK: %[[A:.*]] = nn.kernel "large_weights_k0"
// CHECK: nn.kernel "large_weights_k1"(%{{.*}}, %{{.*}}, %[[A]]) {nn.fusion = {inputs = ["function argument", "function argument", "only matmuls of one shape, with 32 KB of weights together, share a kernel, none reading another's result"], kind = "matmul"}}
func.func @large_weights(%x: tensor<4x128xf32>, %w: tensor<128x128xf32>,
                         %v: tensor<128x128xf32>) -> tensor<4x128xf32> {
  %0 = nn.matmul %x, %w : (tensor<4x128xf32>, tensor<128x128xf32>) -> tensor<4x128xf32>
  %1 = nn.matmul %x, %v : (tensor<4x128xf32>, tensor<128x128xf32>) -> tensor<4x128xf32>
  %2 = nn.add %1, %0 : (tensor<4x128xf32>, tensor<4x128xf32>) -> tensor<4x128xf32>
  return %2 : tensor<4x128xf32>
}

// -----

// Tests that a matmul does not share a kernel with a matmul whose kernel computes its
// operand (the relu), even when its epilogue reads the other product.
// CHECK-LABEL: func.func @matmul_of_matmul(
// CHECK: %[[A:.*]]:2 = nn.kernel "matmul_of_matmul_k0"
// CHECK: nn.kernel "matmul_of_matmul_k1"(%[[A]]#{{[01]}}, %{{.*}}, %[[A]]#{{[01]}}) {nn.fusion = {inputs = ["contraction operands are materialized (each element is read once per output tile)", "function argument", "only matmuls of one shape, with 32 KB of weights together, share a kernel, none reading another's result"], kind = "matmul"}}
func.func @matmul_of_matmul(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = nn.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = nn.relu %0 : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %2 = nn.matmul %1, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %3 = nn.add %2, %0 : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %3 : tensor<4x4xf32>
}

// -----

// Tests that a reduction of a matmul's result starts a new kernel (the matmul kernel
// is tiled over the product; the reduction would need all of it).
// CHECK-LABEL: func.func @matmul_reduction(
// CHECK: %[[A:.*]] = nn.kernel "matmul_reduction_k0"
// CHECK: nn.kernel "matmul_reduction_k1"(%[[A]]) {nn.fusion = {inputs = ["a contraction cannot absorb a reduction"], kind = "reduction"}}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.reduce_sum
// CHECK-NEXT: nn.exp
func.func @matmul_reduction(%x: tensor<4x8xf32>, %w: tensor<8x4xf32>) -> tensor<4xf32> {
  %0 = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %1 = nn.reduce_sum %0 {axes = array<i64: 1>} : tensor<4x4xf32> -> tensor<4xf32>
  %2 = nn.exp %1 : (tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Tests that ops of another shape stay out of a matmul kernel: a rank-0 value
// computed from a reduction (the exp joins the reduction's kernel), and a transpose of
// the product.
// CHECK-LABEL: func.func @epilogue_shape(
// CHECK: %[[S:.*]] = nn.kernel "epilogue_shape_k{{[0-9]}}"(%{{.*}}) {{.*}}-> tensor<f32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.reduce_sum
// CHECK-NEXT: nn.exp
// CHECK: %[[M:.*]] = nn.kernel "epilogue_shape_k{{[0-9]}}"(%{{.*}}, %{{.*}}, %[[S]]) {nn.fusion = {inputs = ["function argument", "function argument", "a contraction cannot absorb a reduction"], kind = "matmul"}}
// CHECK: nn.kernel "epilogue_shape_k{{[0-9]}}"(%[[M]]) {nn.fusion = {inputs = ["only elementwise ops of the product's shape join a contraction kernel"], kind = "elementwise"}}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.transpose
func.func @epilogue_shape(%x: tensor<4x8xf32>, %w: tensor<8x2xf32>, %s: tensor<3xf32>) -> tensor<2x4xf32> {
  %0 = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %r = nn.reduce_sum %s {axes = array<i64: 0>} : tensor<3xf32> -> tensor<f32>
  %1 = nn.exp %r : (tensor<f32>) -> tensor<f32>
  %2 = nn.mul %0, %1 : (tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
  %3 = nn.transpose %2 {perm = array<i64: 1, 0>} : tensor<4x2xf32> -> tensor<2x4xf32>
  return %3 : tensor<2x4xf32>
}

// -----

// Tests that a scalar computed from arguments alone is computed in each kernel that
// reads it (marked nn.argument_scalar): the matmul's epilogue, where a kernel result
// of rank 0 could not go, and an elementwise kernel of another shape. The returned
// scalar is a result of a kernel, computed by the original op.
// CHECK-LABEL: func.func @argument_scalar(
// CHECK: %[[M:.*]] = nn.kernel "argument_scalar_k{{[0-9]}}"(%{{.*}}, %{{.*}}, %{{.*}}) {nn.fusion = {inputs = ["function argument", "function argument", "function argument"], kind = "matmul"}}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.exp %{{.*}} {nn.argument_scalar}
// CHECK-NEXT: nn.matmul
// CHECK-NEXT: nn.mul
// CHECK: %[[E:.*]]:2 = nn.kernel "argument_scalar_k{{[0-9]}}"(%{{.*}}, %{{.*}}) {nn.fusion = {inputs = ["function argument", "function argument"], kind = "elementwise"}}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.exp %{{.*}} {nn.argument_scalar}
// CHECK-NEXT: nn.exp %{{.*}} :
// CHECK-NEXT: nn.add
// CHECK: return %[[M]], %[[E]]#1, %[[E]]#0
func.func @argument_scalar(%x: tensor<4x8xf32>, %w: tensor<8x2xf32>, %s: tensor<f32>, %b: tensor<3xf32>) -> (tensor<4x2xf32>, tensor<3xf32>, tensor<f32>) {
  %0 = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %1 = nn.exp %s : (tensor<f32>) -> tensor<f32>
  %2 = nn.mul %0, %1 : (tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
  %3 = nn.add %b, %1 : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %2, %3, %1 : tensor<4x2xf32>, tensor<3xf32>, tensor<f32>
}

// -----

// Tests that reshapes stay outside kernels (buffer aliases), and that a merge that
// would make a kernel both feed and read the reshape (a cycle) is refused.
// CHECK-LABEL: func.func @reshape_cycle(
// CHECK: %[[A:.*]] = nn.kernel "reshape_cycle_k0"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: nn.exp
// CHECK-NEXT: nn.yield
// CHECK: %[[R:.*]] = nn.reshape %[[A]]
// CHECK: nn.kernel "reshape_cycle_k1"(%[[R]], %[[A]]) {nn.fusion = {inputs = ["reshape is a buffer alias", "would create a cycle between kernels"], kind = "elementwise"}}
func.func @reshape_cycle(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.exp %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.reshape %0 {shape = array<i64: 3, 2>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = nn.transpose %1 {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  %3 = nn.add %0, %2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}
