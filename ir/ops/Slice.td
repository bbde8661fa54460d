//===- Slice.td - slices and concatenation along one axis -------*- tablegen -*-===//
//
// Python-style slicing along one axis, its gradient, and the concatenation of two
// tensors along one axis. Any axis may be dynamic (a symbol): positions are computed
// from the run-time extent. Shape rules, computations and gradients in ops/Slice.cpp.
//
//===----------------------------------------------------------------------------===//

def NN_SliceOp : NN_ComputeOp<"slice", [NN_Differentiable, NN_Pointwise]> {
  let summary = "elements [start, end) of one axis";
  let description = [{
    `x[..., start:end, ...]` along `axis` with Python's meaning: a negative `axis`,
    `start` or `end` counts from the end, and an absent `end` is the end of the axis.
    On a static axis the range must lie inside it and not be empty; on a dynamic axis
    the positions are clamped into the run-time extent (a position outside reads 0).
    The result's dim is static when the range fixes it (`start:end` of one sign, or
    `-k:`). The gradient is `nn.slice_backward`.
  }];
  let arguments = (ins NN_AnyTensor:$x, I64Attr:$axis, I64Attr:$start,
                       OptionalAttr<I64Attr>:$end);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}

def NN_SliceBackwardOp : NN_ComputeOp<"slice_backward",
                                      [NN_Differentiable, NN_Pointwise]> {
  let summary = "a slice put back in place, zeros around it (slice's gradient)";
  let description = [{
    A tensor shaped like `like` (only its shape is read) that is `grad` at the positions
    `nn.slice` with the same `axis`, `start` and `end` reads from `like`, and 0
    elsewhere. Its gradient with respect to `grad` is that slice.
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_AnyTensor:$like, I64Attr:$axis,
                       I64Attr:$start, OptionalAttr<I64Attr>:$end);
  let results = (outs NN_FloatTensor:$result);
}

def NN_ConcatOp : NN_ComputeOp<"concat", [NN_Differentiable, NN_Pointwise]> {
  let summary = "two tensors joined along one axis";
  let description = [{
    `lhs` then `rhs` along `axis` (negative counts from the end); every other dim must
    agree, and the element types too (f32 or i32: a generated token is appended to its
    prompt this way). The gradient slices the result gradient in two; that needs the
    size of at least one operand along the axis to be static.
  }];
  let arguments = (ins NN_AnyTensor:$lhs, NN_AnyTensor:$rhs, I64Attr:$axis);
  let results = (outs NN_AnyTensor:$result);
}

def NN_DynamicUpdateSliceOp : NN_ComputeOp<"dynamic_update_slice", [NN_Pointwise]> {
  let summary = "a tensor with a block written at a run-time position of one axis";
  let description = [{
    `dest` with `update` written at positions [i, i + U) of `axis`, where i is the
    i32 `index` (rank 0, or rank 1 of one element) read at run time and U the update's
    extent along `axis`; every other dim of `update` equals `dest`'s. Positions of the
    block outside `dest` are dropped (an `index` out of range writes nothing there).
    XLA's DynamicUpdateSlice along one axis: an incremental decoding step writes its
    key and value into a cache this way (docs/design.md, "Incremental decoding"). Not
    differentiable: it only appears in derived inference entries.
  }];
  let arguments = (ins NN_FloatTensor:$dest, NN_FloatTensor:$update,
                       NN_IntTensor:$index, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
}
