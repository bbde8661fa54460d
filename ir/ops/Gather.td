//===- Gather.td - embedding lookup and its gradient ------------*- tablegen -*-===//
//
// A gather reads rows of a table at indices that are data; its gradient adds rows of a
// gradient into a table at those indices (a scatter-add). Shape rules, computations and
// gradients in ops/Gather.cpp.
//
//===----------------------------------------------------------------------------===//

def NN_GatherOp : NN_ComputeOp<"gather", [NN_Differentiable, NN_Pointwise]> {
  let summary = "rows of a table at integer indices (an embedding lookup)";
  let description = [{
    `table: [V, D]` and i32 `indices: [...]` (any rank, symbolic dims allowed) give
    `[..., D]`: `result[i..., d] = table[indices[i...], d]`. An index outside [0, V)
    gives a row of zeros (never a read outside the table). The gradient goes to the
    table only (`nn.scatter_add`); indices are not differentiable.
  }];
  let arguments = (ins NN_FloatTensor:$table, NN_IntTensor:$indices);
  let results = (outs NN_FloatTensor:$result);
}

def NN_ScatterAddOp : NN_ComputeOp<"scatter_add", [NN_Differentiable, NN_Scatter]> {
  let summary = "rows added into a zero table at integer indices (gather's gradient)";
  let description = [{
    `values: [..., D]` and i32 `indices: [...]` (the same leading dims) give
    `[rows, D]`: zero, plus `values[i..., :]` added into row `indices[i...]` for every
    position `i...`, so a row indexed several times gets the sum. The positions are
    added serially in row-major order (in parallel only across D), so the result is
    deterministic. Positions whose index is outside [0, rows) add nothing. Its gradient
    with respect to `values` is `nn.gather` of the result gradient.
  }];
  let arguments = (ins NN_FloatTensor:$values, NN_IntTensor:$indices, I64Attr:$rows);
  let results = (outs NN_FloatTensor:$result);
}
