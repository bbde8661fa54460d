//===- Passes.td - nn graph passes ------------------------------*- tablegen -*-===//
#ifndef NN_PASSES_TD
#define NN_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNShapeInference : Pass<"nn-shape-inference", "mlir::ModuleOp"> {
  let summary = "refine tensor types from the ops' type inference";
  let description = [{
    Walks every function in order and replaces each result type by the type its op
    infers from its (already refined) operands, when that is more precise; function
    result types follow their returned values. Used after inlining, where the cloned
    bodies of generic functions still carry unranked types. Fails, with the op's
    diagnostic, when an op's operands are incompatible.
  }];
}

def NNFuse : Pass<"nn-fuse", "mlir::func::FuncOp"> {
  let summary = "partition each function into fused nn.kernel regions";
  let description = [{
    Greedy producer-consumer fusion over a group graph, to a fixpoint: elementwise
    chains form one kernel; reductions take their elementwise producers and
    epilogues; a matmul takes its elementwise epilogue (ops of the product's shape);
    then independent elementwise groups (the per-parameter optimizer updates) merge
    into one multi-result kernel. No merge creates a cycle between kernels; reshapes
    stay outside (buffer aliases); constants are cloned into the kernels that use
    them. Each kernel records in `nn.fusion` its kind and, per input, why the
    producer is not fused into it.
  }];
  let dependentDialects = ["nn::NNDialect"];
}

def NNAutodiff : Pass<"nn-autodiff", "mlir::ModuleOp"> {
  let summary = "reverse-mode automatic differentiation";
  let description = [{
    For every function marked `nn.differentiate` (returning a rank-0 f32 loss), adds
    `<name>_grad` with the same arguments, returning the loss and its gradient with
    respect to each trainable parameter argument (`nn.param` naming a trainable
    `nn.variable`). Each op supplies its adjoint through DifferentiableOpInterface;
    fan-out accumulates; broadcasting is summed back; integer values and
    `nn.stop_gradient` carry no gradient.
  }];
  let dependentDialects = ["nn::NNDialect"];
}

def NNTrainStep : Pass<"nn-train-step", "mlir::ModuleOp"> {
  let summary = "synthesize training steps: loss, gradients, optimizer update";
  let description = [{
    For every function carrying an `nn.train` dictionary (from a `train` statement),
    builds the entry `name`: forward, backward (as nn-autodiff) and the optimizer
    update (sgd with momentum, adam, adamw, rmsprop). Optimizer state becomes
    non-trainable `nn.variable`s (`<param>.m`, `<param>.v`, ...); the step counter
    is `<name>.step`; the learning rate is the rank-0 input `lr`. Updated values
    are returned with `nn.update = @variable`, which the runtime writes back.
    With `data-parallel`, each step `name` also gets the entries `name_grad` (the
    loss and the gradients, outputs `grad.<param>`, its noise offset by the input
    `shard_row`) and `name_apply` (the optimizer update from the inputs
    `grad.<param>`), which data-parallel training runs with an all-reduce between
    them (docs/design.md, "Data-parallel training").
  }];
  let options = [
    Option<"dataParallel", "data-parallel", "bool", /*default=*/"false",
           "also emit the gradient and update entries of every step">
  ];
  let dependentDialects = ["nn::NNDialect"];
}

def NNExpand : Pass<"nn-expand", "mlir::ModuleOp"> {
  let summary = "replace composite ops (softmax) by their compositions";
  let description = [{
    Runs after differentiation: a composite op (CompositeOpInterface) has a gradient
    rule of its own, and once the gradients are built it is replaced by the ops it
    composes, which fusion and code generation understand (passes/Expand.cpp).
  }];
  let dependentDialects = ["nn::NNDialect"];
}

def NNCausalZeros : Pass<"nn-causal-zeros", "mlir::ModuleOp"> {
  let summary = "mark the products and row reductions that may skip causal attention's zeros";
  let description = [{
    Causal attention's probabilities (softmax of scores plus a `nn.causal_mask`) and
    their gradients are exactly zero above the diagonal; a matmul whose lhs is such a
    value gets `lhs_lower = Sk - Sq`, and a sum of one along the last axis (and the
    maximum of the masked scores) `skip_above = Sk - Sq`, so code generation may skip
    those terms (passes/CausalZeros.cpp). Runs after nn-expand and nn-decode; the
    results are the same.
  }];
  let dependentDialects = ["nn::NNDialect"];
}

def NNDecode : Pass<"nn-decode", "mlir::ModuleOp"> {
  let summary = "derive the incremental decoding entry `decode` from a causal `infer`";
  let description = [{
    When `infer` reads only i32 `tokens` [B, W] (W static) and every op treats the
    positions independently except causal attention, adds the entry `decode`: the
    outputs of `infer` at one position t (input `decode.tokens` [B, 1] and
    `decode.position` [1]) from a key/value cache per attention operand over keys
    (inputs and outputs `decode.cache<k>`, the output with t written), so generating
    a token costs O(W) instead of a full pass over the window (passes/Decode.cpp,
    docs/design.md "Incremental decoding"). Otherwise it changes nothing.
  }];
  let dependentDialects = ["nn::NNDialect"];
}

#endif // NN_PASSES_TD
