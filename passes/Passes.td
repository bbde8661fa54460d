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

def NNFormKernels : Pass<"nn-form-kernels", "mlir::func::FuncOp"> {
  let summary = "group compute ops into nn.kernel regions";
  let description = [{
    Wraps the compute ops of each function into `nn.kernel` ops, one Halide pipeline
    each. An elementwise op whose only user is in the same group is fused into it;
    reshapes stay outside (they are buffer aliases) and constants are cloned into the
    kernels that use them.
  }];
  let dependentDialects = ["nn::NNDialect"];
}

#endif // NN_PASSES_TD
