//===- Misc.td - one-hot, shape queries and noise ---------------*- tablegen -*-===//
//
// Shape rules and computations in ops/Misc.cpp. None of these has a gradient: their
// results are piecewise constant in their operands.
//
//===----------------------------------------------------------------------------===//

def NN_OneHotOp : NN_ComputeOp<"one_hot", [NN_ZeroGradient, NN_Pointwise]> {
  let summary = "one-hot encoding of integer labels";
  let description = [{
    `[...]` i32 labels give `[..., depth]` f32 with 1 at the label's index, 0 elsewhere
    (all zeros for labels outside [0, depth)).
  }];
  let arguments = (ins NN_IntTensor:$labels, I64Attr:$depth);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$labels attr-dict `:` type($labels) `->` type($result)";
}

def NN_CountOp : NN_ComputeOp<"count", [NN_ZeroGradient, NN_Pointwise]> {
  let summary = "number of elements along axes, as f32";
  let description = [{
    The product of `x`'s extents along `axes` (all dims when empty) as a rank-0 f32;
    reads only the shape, so it is the run-time size of dynamic dims (the gradient of
    a mean over the batch divides by it).
  }];
  let arguments = (ins NN_AnyTensor:$x, DenseI64ArrayAttr:$axes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}

def NN_RandomUniformOp : NN_ComputeOp<"random_uniform", [NN_ZeroGradient, NN_Pointwise]> {
  let summary = "deterministic uniform noise in [0, 1) shaped like a tensor";
  let description = [{
    Each element is a hash of its linear index, the rank-0 `seed` (a counter the
    training step advances) and the optional rank-0 i32 `stream` (the run's seed; absent
    means 0), mapped to [0, 1). The same operands give the same values on every target
    and in the reference evaluator. Dropout builds its mask from it.
  }];
  let arguments = (ins NN_AnyTensor:$like, NN_FloatTensor:$seed,
                   Optional<NN_IntTensor>:$stream);
  let results = (outs NN_FloatTensor:$result);
}
