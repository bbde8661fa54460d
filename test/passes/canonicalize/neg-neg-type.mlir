// RUN: nn-opt %s --canonicalize | FileCheck %s
// Tests that neg(neg(x)) folds to x only when that keeps the result type.
//
// Regression test for a fixed bug: NegOp::fold (ir/NNOps.cpp) returns the inner operand without checking that its
// type equals the outer result type (the binary/reshape/transpose folders do check).
// Here it replaces a tensor<?xf32> value by the tensor<4xf32> argument, and the
// func.return then fails to verify ("type of return operand 0 ('tensor<4xf32>') doesn't
// match function result type ('tensor<?xf32>')").

// CHECK-LABEL: func.func @neg_neg_relaxed
// CHECK: %[[N:.*]] = nn.neg %{{.*}} : (tensor<4xf32>) -> tensor<?xf32>
// CHECK: %[[M:.*]] = nn.neg %[[N]] : (tensor<?xf32>) -> tensor<?xf32>
// CHECK: return %[[M]] : tensor<?xf32>
func.func @neg_neg_relaxed(%x: tensor<4xf32>) -> tensor<?xf32> {
  %0 = nn.neg %x : (tensor<4xf32>) -> tensor<?xf32>
  %1 = nn.neg %0 : (tensor<?xf32>) -> tensor<?xf32>
  return %1 : tensor<?xf32>
}
