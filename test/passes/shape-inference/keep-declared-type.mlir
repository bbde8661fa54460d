// RUN: nn-opt %s --nn-shape-inference | FileCheck %s
// Tests that nn-shape-inference never replaces a declared type by a less precise one.
//
// Regression test for a fixed bug: refineTypes (passes/ShapeInference.cpp) sets every result to the inferred type
// whenever the two differ, although the pass is documented to replace it only "when that
// is more precise". A reshape of a tensor<?x4xf32> with shape [-1] declared as
// tensor<8xf32> (valid: compatible) becomes tensor<?xf32>, and the function result
// type degrades from tensor<8xf32> to tensor<?xf32>.

// CHECK-LABEL: func.func @keep_static(
// CHECK-SAME: -> tensor<8xf32>
// CHECK: nn.reshape %{{.*}} {shape = array<i64: -1>} : tensor<?x4xf32> -> tensor<8xf32>
func.func @keep_static(%x: tensor<?x4xf32>) -> tensor<8xf32> {
  %0 = nn.reshape %x {shape = array<i64: -1>} : tensor<?x4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
