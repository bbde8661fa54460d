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

    `lhs_lower = s` states that the lhs, as stored (before `transpose_lhs`), is zero
    where its column index exceeds its row index plus s (in its last two dims): the
    probabilities of causal attention and their gradients (set by nn-causal-zeros).
    Code generation may then skip those terms; the result is the same.
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs,
                       OptionalAttr<I64Attr>:$lhs_lower);
  let results = (outs NN_FloatTensor:$result);
}
