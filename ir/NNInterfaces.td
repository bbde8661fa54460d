//===- NNInterfaces.td - interfaces of nn ops -------------------*- tablegen -*-===//
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

#endif // NN_INTERFACES_TD
