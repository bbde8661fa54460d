// RUN: nn-opt %s --split-input-file --nn-fuse | FileCheck %s
// Tests that nn-fuse leaves split_heads and merge_heads between kernels as strided
// views (ir/Views.h, docs/design.md "Views") where it can, and records each kernel's
// buffer strides (nn.strides: inputs, then results; [] is dense row-major).

// A split of a kernel's result read by a kernel: a view; the reader's input has the
// heads order's strides ([B, 4, 8, 16] over [B, 8, 64]: 512, 16, 64, 1). The merge of
// the second kernel's result is a view too: that kernel writes its result in the merged
// order (the same strides) and the third reads the merged value, dense.
// CHECK-LABEL: func.func @heads(
// CHECK: %[[Q:.*]] = nn.kernel "heads_k0"
// CHECK: nn.matmul
// CHECK-NOT: nn.strides
// CHECK: %[[S:.*]] = nn.split_heads %[[Q]] {heads = 4 : i64, nn.view}
// CHECK: %[[E:.*]] = nn.kernel "heads_k1"(%[[S]]) {nn.fusion = {inputs = ["split_heads and merge_heads are views of a buffer"], kind = "elementwise"}, nn.strides = [array<i64: 512, 16, 64, 1>, array<i64: 512, 16, 64, 1>]}
// CHECK: nn.exp
// CHECK: %[[M:.*]] = nn.merge_heads %[[E]] {nn.view}
// CHECK: nn.kernel "heads_k2"(%[[M]], %{{.*}}) {nn.fusion = {inputs = ["split_heads and merge_heads are views of a buffer", "function argument"], kind = "matmul"}}
func.func @heads(%x: tensor<?x8x64xf32>, %w: tensor<64x64xf32>) -> tensor<?x8x64xf32> {
  %0 = nn.matmul %x, %w : (tensor<?x8x64xf32>, tensor<64x64xf32>) -> tensor<?x8x64xf32>
  %1 = nn.split_heads %0 {heads = 4} : tensor<?x8x64xf32> -> tensor<?x4x8x16xf32>
  %2 = nn.exp %1 : (tensor<?x4x8x16xf32>) -> tensor<?x4x8x16xf32>
  %3 = nn.merge_heads %2 : tensor<?x4x8x16xf32> -> tensor<?x8x64xf32>
  %4 = nn.matmul %3, %w : (tensor<?x8x64xf32>, tensor<64x64xf32>) -> tensor<?x8x64xf32>
  return %4 : tensor<?x8x64xf32>
}

// -----

// A split whose result is returned (its buffer must be dense) is computed in a kernel,
// as is a merge whose operand is also returned; a dynamic S (strides not constants)
// keeps both in kernels too.
// CHECK-LABEL: func.func @not_views(
// CHECK-NOT: nn.view
// CHECK-NOT: nn.strides
// CHECK: return
func.func @not_views(%x: tensor<?x8x64xf32>, %y: tensor<?x?x64xf32>)
    -> (tensor<?x4x8x16xf32>, tensor<?x4x8x16xf32>, tensor<?x8x64xf32>, tensor<?x4x?x16xf32>) {
  %0 = nn.exp %x : (tensor<?x8x64xf32>) -> tensor<?x8x64xf32>
  %1 = nn.split_heads %0 {heads = 4} : tensor<?x8x64xf32> -> tensor<?x4x8x16xf32>
  %2 = nn.exp %1 : (tensor<?x4x8x16xf32>) -> tensor<?x4x8x16xf32>
  %3 = nn.merge_heads %2 : tensor<?x4x8x16xf32> -> tensor<?x8x64xf32>
  %4 = nn.exp %y : (tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  %5 = nn.split_heads %4 {heads = 4} : tensor<?x?x64xf32> -> tensor<?x4x?x16xf32>
  %6 = nn.exp %5 : (tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %1, %2, %3, %6 : tensor<?x4x8x16xf32>, tensor<?x4x8x16xf32>, tensor<?x8x64xf32>, tensor<?x4x?x16xf32>
}
