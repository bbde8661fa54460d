//===- Shape.td - ops that move elements: reshape, transpose, broadcast -*- tablegen -*-===//
//
// Shape rules, computations, folders and gradients in ops/Shape.cpp.
//
//===----------------------------------------------------------------------------===//

def NN_ReshapeOp : NN_ComputeOp<"reshape", [NN_Differentiable, NN_Alias]> {
  let summary = "reshape without moving data";
  let description = [{
    Reinterprets the operand's elements (row-major) with the shape `shape`. Without
    `like`, at most one entry may be -1, inferred from the element count. With `like`
    (of the result's rank; only its shape is read), each -1 entry takes `like`'s dim at
    the same position, as the fill and noise ops' `shape` does: that is how a reshape
    back to a value's shape keeps two dynamic dims (`[B*S, V]` to `[B, S, V]`, which
    the element count alone cannot split). Code generation turns it into an alias of
    the operand's buffer.
  }];
  let arguments = (ins NN_AnyTensor:$x, Optional<NN_AnyTensor>:$like,
                       DenseI64ArrayAttr:$shape);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = [{
    $x (`like` $like^ `:` type($like))? attr-dict `:` type($x) `->` type($result)
  }];
  let hasFolder = 1;
}

def NN_TransposeOp : NN_ComputeOp<"transpose", [NN_Differentiable, NN_Permute]> {
  let summary = "permute dims";
  let description = [{
    Result dim i is operand dim `perm[i]`. Any element type: a loop's stacked i32
    tokens go batch-major through it.
  }];
  let arguments = (ins NN_AnyTensor:$x, DenseI64ArrayAttr:$perm);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasFolder = 1;
}

def NN_BroadcastToOp : NN_ComputeOp<"broadcast_to", [NN_Differentiable, NN_Pointwise]> {
  let summary = "broadcast to the shape of another tensor";
  let description = [{
    Broadcasts `x` to the shape of `like` (which must be a valid broadcast target);
    only `like`'s shape is read.
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_AnyTensor:$like);
  let results = (outs NN_FloatTensor:$result);
}

def NN_PadOp : NN_ComputeOp<"pad", [NN_Differentiable, NN_Pointwise]> {
  let summary = "pad (or crop) each dim with a constant";
  let description = [{
    `pads` holds two numbers per dim, before and after: dim i grows by
    `pads[2i] + pads[2i+1]`, and the new elements are `value`. A negative number crops
    (the gradient of a pad is the pad by the negated numbers).
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}

def NN_TileOp : NN_ComputeOp<"tile", [NN_Differentiable, NN_Pointwise]> {
  let summary = "repeat a tensor along each dim";
  let description = [{
    Dim i is repeated `reps[i]` times (NumPy's `tile` with one number per dim):
    `y[i...] = x[i mod d...]`. A dynamic dim can only be repeated once.
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$reps);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}
