//===- NNDialect.td - the nn dialect ----------------------------*- tablegen -*-===//
//
// The nn dialect: value-semantics tensor ops for neural networks, produced by the .nn
// frontend and consumed by the graph passes and the Halide code generator.
//
//===----------------------------------------------------------------------------===//

#ifndef NN_DIALECT_TD
#define NN_DIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::nn";
  let summary = "Tensor operations of neural networks";
  let description = [{
    Value-semantics tensor ops on `tensor<...xf32>` and `tensor<...xi32>`. Dynamic dims
    (`?`) stand for the symbolic dims of the .nn source (the batch `B`). Every compute op
    infers its result type from its operands through `InferTypeOpInterface`: the same
    rule is the verifier, the frontend's shape checker and the shape-inference pass.
    Binary elementwise ops broadcast like NumPy (right-aligned, size-1 dims stretch).
  }];
  let hasConstantMaterializer = 1;
  // Inherent attributes stay in the attribute dictionary, so builders and the shape
  // inference helpers can call `inferReturnTypes` with a plain DictionaryAttr.
  let usePropertiesForAttributes = 0;
}

class NN_Op<string mnemonic, list<Trait> traits = []> :
    Op<NN_Dialect, mnemonic, traits>;

#endif // NN_DIALECT_TD
