//===- NNInterfaces.td - interfaces of nn ops -------------------*- tablegen -*-===//
//
// What an op is, for every layer that needs to know: its shape rule
// (InferTypeOpInterface, from MLIR), what it computes (ComputeOpInterface: read by code
// generation and by the float64 reference evaluator), and its gradient
// (DifferentiableOpInterface: read by automatic differentiation), or, for an op that is
// a composition of others with a gradient rule of its own, that composition
// (CompositeOpInterface: read by the pass nn-expand). How an op fuses is a
// trait (ir/NNTraits.h). No pass, lowering or evaluator switches over op kinds.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_INTERFACES_TD
#define NN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::nn";
  let description = [{
    An op that supplies its own adjoint for reverse-mode automatic differentiation:
    given the gradient of the loss with respect to each result, build the gradient
    with respect to each operand. The autodiff pass only calls this method; it never
    names ops. Ops without it (one_hot, step, greater, constants) have no gradient.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds, at the builder's insertion point, the gradients of the operands given
        `resultGrads` (one per result). Appends one value per operand to
        `operandGrads`, or a null Value where the operand gets no gradient
        (integer operands, stop_gradient). Gradients have the operand's type:
        broadcasting is summed back.
      }],
      "::llvm::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

def NN_ComputeOpInterface : OpInterface<"ComputeOpInterface"> {
  let cppNamespace = "::nn";
  let description = [{
    An op that states what it computes as data (ir/Compute.h): one element of its
    result as an expression over its operands' elements, with an optional reduction.
    Code generation lowers the expression to Halide; nn-gradcheck evaluates it in
    float64. Both read only this method, so an op is described once.
  }];
  let methods = [
    InterfaceMethod<[{
        The computation of the op's (single) result, for its current operand and
        result types (ranked).
      }],
      "::nn::compute::Computation", "getComputation", (ins)>
  ];
}

def NN_CompositeOpInterface : OpInterface<"CompositeOpInterface"> {
  let cppNamespace = "::nn";
  let description = [{
    An op that computes a composition of other nn ops but has a gradient rule of its
    own, written from what the composition's rule would need stored: softmax's is
    y (g - sum(g y)), from its result alone, where the composition's (exp, sum,
    division) keeps the exponentials and their sum. Such an op stays one op through
    automatic differentiation; the pass nn-expand then replaces it by its
    composition, which is all that fusion, code generation and the evaluator see.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the composition at the builder's insertion point (the op's operands
        as its inputs) and returns the value that replaces the op's result; null
        after an error was reported.
      }],
      "::mlir::Value", "expand", (ins "::mlir::OpBuilder &":$builder)>
  ];
}

#endif // NN_INTERFACES_TD
