//===- Linalg.td - contractions ---------------------------------*- tablegen -*-===//
//
// Shape rule, computation and gradient in ops/Linalg.cpp.
//
//===----------------------------------------------------------------------------===//

def NN_MatmulOp : NN_ComputeOp<"matmul", [NN_Differentiable, NN_Contraction]> {
  let summary = "matrix product";
  let description = [{
    `lhs: [..., M, K]` times `rhs: [K, N]` gives `[..., M, N]`: the leading dims of lhs
    are batch dims and the rhs is shared by every batch. A batched rhs `[..., K, N]` of
    lhs's rank pairs each batch of lhs with its own matrix (the batch dims must agree;
    any of them may be dynamic): attention's `[B, H, S, D] x [B, H, D, S]`. With
    `transpose_lhs` / `transpose_rhs` the last two dims of that operand are swapped
    first (a view, not a copy): `q @ k^T` is `matmul(q, k) {transpose_rhs}`.
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs NN_FloatTensor:$result);
}
