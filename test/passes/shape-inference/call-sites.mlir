// RUN: nn-opt %s --nn-shape-inference | FileCheck %s
// Tests that nn-shape-inference keeps func.call sites consistent with the callee
// signatures it refines.
//
// Regression test for a fixed bug: ShapeInferencePass (passes/ShapeInference.cpp) rewrites a function's result
// types to its refined return types but leaves func.call ops to it unchanged, so the
// module no longer verifies: "'func.call' op result type mismatch at index 0" (call
// result tensor<*xf32>, callee result tensor<4xf32>). Under --nn-graph the inliner runs
// first, which hides it; the pass on its own (or a call to a function that cannot be
// inlined) produces invalid IR. Either the call results must be refined as well or
// public signatures must be left alone.

// CHECK-LABEL: func.func @callee(
// CHECK-LABEL: func.func @caller(
// CHECK: call @callee
func.func @callee(%x: tensor<4xf32>) -> tensor<*xf32> {
  %0 = nn.relu %x : (tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
func.func @caller(%x: tensor<4xf32>) -> tensor<*xf32> {
  %0 = func.call @callee(%x) : (tensor<4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
