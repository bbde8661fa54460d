//===- NNInterfaces.td - interfaces of nn ops -------------------*- tablegen -*-===//
//
// What an op is, for every layer that needs to know: its shape rule
// (InferTypeOpInterface, from MLIR), what it computes (ComputeOpInterface: read by code
// generation and by the float64 reference evaluator), and its gradient
// (DifferentiableOpInterface: read by automatic differentiation). How an op fuses is a
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

#endif // NN_INTERFACES_TD
