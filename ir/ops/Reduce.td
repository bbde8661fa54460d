//===- Reduce.td - reductions over axes -------------------------*- tablegen -*-===//
//
// Shape rule, computation and gradients in ops/Reduce.cpp.
//
//===----------------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string what> :
    NN_ComputeOp<mnemonic, [NN_Differentiable, NN_Reduction]> {
  let summary = what # " over axes";
  let description = [{
    Reduces over `axes` (distinct, in [0, rank)); with `keepdims` the reduced dims stay
    as size 1, otherwise they are removed. Empty `axes` reduces over every dim.

    `skip_above = s`, on a reduction along the last axis alone, states that the terms of
    `x` whose last index exceeds their second-to-last index plus s do not change the
    result: zeros of a sum, masked scores of a maximum whose row keeps a larger one
    (causal attention's softmax and its gradient; set by nn-causal-zeros). Code
    generation may then skip them; the result is the same.
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims,
                       OptionalAttr<I64Attr>:$skip_above);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$x attr-dict `:` type($x) `->` type($result)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, ::std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::nn::inferReduceType(getOperationName(), loc, adaptor.getX().getType(),
                                   adaptor.getAxes(), adaptor.getKeepdimsAttr() &&
                                   adaptor.getKeepdimsAttr().getValue(), types);
    }
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange l, ::mlir::TypeRange r) {
      return ::nn::areCompatibleTypeLists(l, r);
    }
  }];
}

def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", "sum">;
def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", "mean">;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "maximum">;

def NN_ArgmaxOp : NN_ComputeOp<"argmax", [NN_ZeroGradient, NN_Reduction]> {
  let summary = "position of the maximum along one axis";
  let description = [{
    The i32 index of the first maximum of `x` along `axis` (negative counts from the
    end, as in Python); with `keepdims` the axis stays as size 1, otherwise it is
    removed. Piecewise constant: no gradient flows through it (a decoder's next input
    is `argmax(logits)`).
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs NN_IntTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}

def NN_SoftmaxOp : NN_Op<"softmax", [Pure, InferTypeOpAdaptorWithIsCompatible,
    NN_Differentiable, NN_Composite]> {
  let summary = "softmax along one axis";
  let description = [{
    exp(x - max) / sum(exp(x - max)) along `axis` (negative counts from the end), the
    maximum and the sum taken along that axis. A composite op (CompositeOpInterface):
    its gradient y (g - sum(g y)) reads only the result, so a training step keeps the
    probabilities alone, not the exponentials and their sum that the composition's
    gradient reads; after differentiation nn-expand replaces it by reduce_max,
    stop_gradient, sub, exp, reduce_sum and div.
  }];
  let arguments = (ins NN_FloatTensor:$x, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
}
