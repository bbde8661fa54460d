//===- Attention.td - attention masks and heads -----------------*- tablegen -*-===//
//
// Masks are tensors added to attention scores before the softmax: 0 where a query may
// attend to a key, `value` (default -1e9) where it may not. A finite value rather than
// -infinity: exp underflows to exactly 0 for it in float32 all the same, and a row
// that is masked everywhere (a sequence of padding only) gives a uniform row instead
// of NaN. Shape rules and computations in ops/Attention.cpp; masks have no gradient.
// split_heads and merge_heads move features between [..., S, H*D] and [..., H, S, D]
// with symbolic batch and sequence dims.
//
//===----------------------------------------------------------------------------===//

def NN_CausalMaskOp : NN_ComputeOp<"causal_mask", [NN_ZeroGradient, NN_Pointwise]> {
  let summary = "additive causal mask for scores [..., Sq, Sk]";
  let description = [{
    `[1, ..., 1, Sq, Sk]` of `like`'s rank, from its last two dims (only its shape is
    read): element (i, j) is `value` where key j comes after query i,
    j > i + (Sk - Sq), else 0. The queries are aligned with the last keys, so a block
    of new queries after a cache of Sk - Sq keys sees the whole cache; for Sq = Sk it
    is the usual lower triangle. With the i32 `offset` (rank 0 or [1], read at run
    time) the queries are at key positions offset .. offset+Sq-1 instead: key j is
    masked for query i where j > i + offset, so an incremental decoding step at
    position t over a cache of Sk slots filled up to t sees exactly keys 0 .. t. It broadcasts against the
    scores; the leading 1s keep the rank, so the (discarded) gradient of the mask
    operand of the add needs no reshape of two symbolic dims.
  }];
  let arguments = (ins NN_AnyTensor:$like, Optional<NN_IntTensor>:$offset,
                       DefaultValuedAttr<F32Attr, "-1.0e9f">:$value);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = [{
    $like (`at` $offset^)? attr-dict `:` type($like) (`,` type($offset)^)? `->` type($result)
  }];
}

def NN_PaddingMaskOp : NN_ComputeOp<"padding_mask", [NN_ZeroGradient, NN_Pointwise]> {
  let summary = "additive mask of the padding keys of i32 tokens [B, S]";
  let description = [{
    `[B, 1, ..., 1, S]` of rank `rank` (>= 2; 4 broadcasts against `[B, H, Sq, S]`
    scores): `value` where `tokens[b, s] == pad`, else 0.
  }];
  let arguments = (ins NN_IntTensor:$tokens, DefaultValuedAttr<I64Attr, "0">:$pad,
                       DefaultValuedAttr<I64Attr, "4">:$rank,
                       DefaultValuedAttr<F32Attr, "-1.0e9f">:$value);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$tokens attr-dict `:` type($tokens) `->` type($result)";
}

def NN_SplitHeadsOp : NN_ComputeOp<"split_heads", [NN_Differentiable, NN_Pointwise]> {
  let summary = "features split into heads: [..., S, H*D] -> [..., H, S, D]";
  let description = [{
    `result[b..., h, s, d] = x[b..., s, h*D + d]` for `heads` = H (rank >= 2, the last
    dim static and a multiple of H): multi-head attention's split of a projection,
    with every other dim symbolic if it likes (a reshape to `[B, S, H, D]` would need
    two inferred dims). The gradient is `nn.merge_heads`.
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$heads);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}

def NN_MergeHeadsOp : NN_ComputeOp<"merge_heads", [NN_Differentiable, NN_Pointwise]> {
  let summary = "heads joined into features: [..., H, S, D] -> [..., S, H*D]";
  let description = [{
    `result[b..., s, h*D + d] = x[b..., h, s, d]` (rank >= 3, H and D static): the
    inverse of `nn.split_heads`, which is its gradient.
  }];
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}
