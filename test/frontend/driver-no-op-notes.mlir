// RUN: not nnc %s --emit=nn-opt 2>&1 | FileCheck %s
// Tests that nnc reports an invalid op at its location without MLIR's
// "see current operation" note, which prints IR the user never wrote.
module attributes {nn.model = "M"} {
  func.func @infer(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
    %0 = nn.add %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// CHECK: driver-no-op-notes.mlir:6:10: error: operands of 'nn.add' have incompatible shapes f32[4] and f32[3]
// CHECK-NOT: see current operation
