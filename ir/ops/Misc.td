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

def NN_FillOp : NN_ComputeOp<"fill", [NN_ZeroGradient, NN_Pointwise]> {
  let summary = "a tensor of one value, shaped like another";
  let description = [{
    Every element is `value`. The shape is `like`'s, or `shape` when given, whose -1
    entries take `like`'s dim at the same position (as the noise ops'): a recurrent
    layer's zero initial state `[B, H]` from its input `[B, S, D]` is
    `nn.fill %x {shape = array<i64: -1, H>}`. Only `like`'s shape is read.
  }];
  let arguments = (ins NN_AnyTensor:$like, OptionalAttr<DenseI64ArrayAttr>:$shape,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs NN_FloatTensor:$result);
}

/// Counter-based noise: each element is a function of its row-major linear index, the
/// rank-0 `seed` (a counter: the training step plus a per-call-site offset) and the
/// optional rank-0 i32 `stream` (the run's seed; absent means 0), so the same operands
/// give the same values on every target and in the reference evaluator. The result has
/// `like`'s shape, or `shape` when given, whose -1 entries take `like`'s dim at the
/// same position (`[-1, 100]`: the batch of `like` by 100). Only `like`'s shape is read.
/// `stream` may be followed by a rank-0 i32 `row` (absent means 0): the result is then
/// rows [row, row + d0) along dim 0 of the noise of a larger tensor, which is how a
/// data-parallel rank draws the noise of its shard of the global batch (nn-train-step's
/// gradient entry; docs/design.md, "Data-parallel training"). Both live in the one
/// variadic operand `streamAndRow` (at most two values), which keeps the generic
/// builders and the textual form of the two-operand and three-operand ops unchanged.
class NN_RandomOp<string mnemonic> :
    NN_ComputeOp<mnemonic, [NN_ZeroGradient, NN_Pointwise]> {
  let arguments = (ins NN_AnyTensor:$like, NN_FloatTensor:$seed,
                   Variadic<NN_IntTensor>:$streamAndRow,
                   OptionalAttr<DenseI64ArrayAttr>:$shape);
  let results = (outs NN_FloatTensor:$result);
}

def NN_RandomUniformOp : NN_RandomOp<"random_uniform"> {
  let summary = "deterministic uniform noise in [0, 1)";
  let description = [{
    Each element is a hash of its linear index, the seed and the stream, mapped to
    [0, 1) in steps of 2^-24 (see NN_RandomOp in Misc.td). Dropout builds its mask
    from it; the `random_uniform` builtin scales it.
  }];
}

def NN_RandomNormalOp : NN_RandomOp<"random_normal"> {
  let summary = "deterministic standard normal noise";
  let description = [{
    Box-Muller on the uniforms of nn.random_uniform (same seed and stream): elements
    2k and 2k+1 share the pair u1 = U(2k), u2 = U(2k+1) and are
    `sqrt(-2 log(1 - u1))` times `cos(2 pi u2)` and `sin(2 pi u2)`, two independent
    N(0, 1) values (1 - u1 is in (0, 1], so the log is finite; |z| <= 5.8).
  }];
}
