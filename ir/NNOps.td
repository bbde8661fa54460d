//===- NNOps.td - nn dialect operations -------------------------*- tablegen -*-===//
//
// Primitive ops are few and orthogonal: elementwise, broadcasting binary, reduce,
// matmul, reshape/transpose, one_hot, constants. Layers and losses of the .nn language
// decompose into them in the frontend. Module-level ops declare the model's inputs
// and parameters; nn.kernel groups ops into one generated kernel.
//
// Each family of compute ops has one .td file under ir/ops/ and one .cpp file beside
// it holding everything else an op is: its shape rule, what it computes and its
// gradient (docs/design.md, "How to add an op").
//
//===----------------------------------------------------------------------------===//

#ifndef NN_OPS_TD
#define NN_OPS_TD

include "ir/NNDialect.td"
include "ir/NNInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def NN_FloatTensor : TensorOf<[F32]>;
def NN_IntTensor : TensorOf<[I32]>;
def NN_AnyTensor : TensorOf<[F32, I32]>;

/// Marks ops that compute each output element from the same-position elements of their
/// (broadcast) operands; fusion and code generation read it instead of op names.
def NN_Elementwise : NativeOpTrait<"NNElementwise">;

/// How each output element is computed (fusion and schedules read these).
def NN_Pointwise : NativeOpTrait<"NNPointwise">;
def NN_Permute : NativeOpTrait<"NNPermute">;
def NN_Reduction : NativeOpTrait<"NNReduction">;
def NN_Contraction : NativeOpTrait<"NNContraction">;
def NN_Alias : NativeOpTrait<"NNAlias">;
def NN_Scatter : NativeOpTrait<"NNScatter">;

/// Results are piecewise constant in the operands: gradients stop here.
def NN_ZeroGradient : NativeOpTrait<"NNZeroGradient">;

def NN_Differentiable : DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>;
def NN_Composite : DeclareOpInterfaceMethods<NN_CompositeOpInterface>;

/// Every compute op: pure, result type inferred from operands (a declared result type
/// only has to be compatible: same element type, `?`/unranked may stand for a size),
/// and what it computes stated through ComputeOpInterface.
class NN_ComputeOp<string mnemonic, list<Trait> traits = []> :
    NN_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptorWithIsCompatible,
        DeclareOpInterfaceMethods<NN_ComputeOpInterface>])> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant", [ConstantLike, Pure, NN_ZeroGradient,
    InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "a constant tensor";
  let description = [{
    `%c = nn.constant dense<0.5> : tensor<f32>`. Scalars written in .nn expressions
    become rank-0 constants and broadcast in binary ops; code generation folds splat
    constants into the kernels that use them.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------------===//
// Compute ops, one family per file
//===----------------------------------------------------------------------------===//

include "ir/ops/Elementwise.td"
include "ir/ops/Reduce.td"
include "ir/ops/Linalg.td"
include "ir/ops/Shape.td"
include "ir/ops/Misc.td"
include "ir/ops/Conv.td"
include "ir/ops/Pool.td"
include "ir/ops/Gather.td"
include "ir/ops/Scan.td"
include "ir/ops/Slice.td"
include "ir/ops/Attention.td"

//===----------------------------------------------------------------------------===//
// Model declarations (module level)
//===----------------------------------------------------------------------------===//

def NN_InputOp : NN_Op<"input", [Symbol]> {
  let summary = "a model input";
  let description = [{
    Declares a data input of the model, e.g.
    `nn.input @image {dims = ["B", "", ""]} : tensor<?x28x28xf32>`: `dims` names each dynamic dim's symbol ("" for static
    dims). Entry functions take it as an argument marked `{nn.input = @image}`.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<NN_AnyTensor>:$type,
                       StrArrayAttr:$dims);
  let assemblyFormat = "$sym_name attr-dict `:` $type";
  let hasVerifier = 1;
}

def NN_VariableOp : NN_Op<"variable", [Symbol]> {
  let summary = "a persistent tensor: a parameter or optimizer state";
  let description = [{
    Declares a named tensor that lives across calls and is saved in checkpoints under its
    symbol name, e.g.
    `nn.variable @"dense0.weight" {init = "glorot_uniform"} : tensor<784x128xf32>`. `init` is one of zeros, ones, glorot_uniform,
    he_uniform, normal, uniform, constant; `init_args` holds its numbers. Entry
    functions take it as an argument marked `{nn.param = @"dense0.weight"}`.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<NN_AnyTensor>:$type,
                       StrAttr:$init,
                       DefaultValuedAttr<F32ArrayAttr, "{}">:$init_args,
                       DefaultValuedAttr<BoolAttr, "true">:$trainable);
  let assemblyFormat = "$sym_name attr-dict `:` $type";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------------===//

def NN_KernelOp : NN_Op<"kernel", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "a group of ops compiled into one kernel";
  let description = [{
    The region computes the results from the block arguments (one per operand) with nn
    ops; code generation turns each kernel into one Halide pipeline. Produced by the
    kernel-formation pass.
  }];
  let arguments = (ins StrAttr:$name, Variadic<NN_AnyTensor>:$inputs);
  let results = (outs Variadic<NN_AnyTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $name `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let extraClassDeclaration = [{
    /// The kind the kernel-formation pass gave the kernel ("attention", "matmul",
    /// "reduction", ...: passes/Fuse.cpp's kindOf), from its `nn.fusion` dictionary;
    /// "unknown" without one.
    ::llvm::StringRef getFusionKind();
    /// The kind of an attention kernel (scores, row-local softmax and weighted sum:
    /// passes/Fuse.cpp's mergeAttention), which codegen schedules per batch element.
    static constexpr ::llvm::StringLiteral kAttentionKind = "attention";
    bool isAttention() { return getFusionKind() == kAttentionKind; }
  }];
  let hasVerifier = 1;
}

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator, ParentOneOf<["KernelOp", "ScanOp"]>,
    ReturnLike]> {
  let summary = "terminator of nn.kernel and nn.scan";
  let arguments = (ins Variadic<NN_AnyTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* nothing */ }]>];
}

#endif // NN_OPS_TD
