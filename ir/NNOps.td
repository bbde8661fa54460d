//===- NNOps.td - nn dialect operations -------------------------*- tablegen -*-===//
//
// Primitive ops are few and orthogonal: elementwise, broadcasting binary, reduce,
// matmul, reshape/transpose, one_hot, constants. Layers and losses of the .nn language
// decompose into them in the frontend. Module-level ops declare the model's inputs
// and parameters; nn.kernel groups ops into one generated kernel.
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

/// Results are piecewise constant in the operands: gradients stop here.
def NN_ZeroGradient : NativeOpTrait<"NNZeroGradient">;

/// Every compute op: pure, result type inferred from operands; a declared result type
/// only has to be compatible (same element type, `?`/unranked may stand for a size).
class NN_ComputeOp<string mnemonic, list<Trait> traits = []> :
    NN_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptorWithIsCompatible])> {
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
// Elementwise unary (f32 -> f32, same shape)
//===----------------------------------------------------------------------------===//

class NN_UnaryOp<string mnemonic, string formula, list<Trait> traits = []> :
    NN_ComputeOp<mnemonic, !listconcat(traits, [NN_Elementwise])> {
  let summary = "elementwise " # formula;
  let description = "Elementwise `" # formula # "`; the result has the operand's type.";
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
}

def NN_Differentiable : DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>;

def NN_NegOp : NN_UnaryOp<"neg", "-x", [NN_Differentiable]> { let hasFolder = 1; }
def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)", [NN_Differentiable]>;
def NN_LogOp : NN_UnaryOp<"log", "log(x)", [NN_Differentiable]>;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)", [NN_Differentiable]>;
def NN_AbsOp : NN_UnaryOp<"abs", "|x|", [NN_Differentiable]>;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)", [NN_Differentiable]>;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))", [NN_Differentiable]>;
def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)", [NN_Differentiable]>;
def NN_StepOp : NN_UnaryOp<"step", "x > 0 ? 1 : 0 (the derivative of relu)",
    [NN_ZeroGradient]>;
def NN_StopGradientOp : NN_UnaryOp<"stop_gradient",
    "x, with no gradient flowing back", [NN_Differentiable]> {
  let description = [{
    The identity in value; automatic differentiation treats the result as a constant.
  }];
}

//===----------------------------------------------------------------------------===//
// Elementwise binary with NumPy broadcasting
//===----------------------------------------------------------------------------===//

class NN_BinaryOp<string mnemonic, string formula, list<Trait> traits = []> :
    NN_ComputeOp<mnemonic, !listconcat(traits, [NN_Elementwise])> {
  let summary = "elementwise " # formula # " with broadcasting";
  let description = [{
    Elementwise `}] # formula # [{` after broadcasting both operands to a common shape:
    shapes align at the right; each pair of dims is equal or one of them is 1. A `?`
    paired with a static n > 1 gives n; `?` with 1 or `?` gives `?`.
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
}

def NN_AddOp : NN_BinaryOp<"add", "lhs + rhs", [Commutative, NN_Differentiable]> { let hasFolder = 1; }
def NN_SubOp : NN_BinaryOp<"sub", "lhs - rhs", [NN_Differentiable]> { let hasFolder = 1; }
def NN_MulOp : NN_BinaryOp<"mul", "lhs * rhs", [Commutative, NN_Differentiable]> { let hasFolder = 1; }
def NN_DivOp : NN_BinaryOp<"div", "lhs / rhs", [NN_Differentiable]> { let hasFolder = 1; }
def NN_MaxOp : NN_BinaryOp<"max", "max(lhs, rhs)", [Commutative, NN_Differentiable]>;
def NN_MinOp : NN_BinaryOp<"min", "min(lhs, rhs)", [Commutative, NN_Differentiable]>;
def NN_PowOp : NN_BinaryOp<"pow", "lhs ^ rhs", [NN_Differentiable]>;
def NN_GreaterOp : NN_BinaryOp<"greater", "lhs > rhs ? 1 : 0", [NN_ZeroGradient]>;

//===----------------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, string what> :
    NN_ComputeOp<mnemonic, [NN_Differentiable, NN_Reduction]> {
  let summary = what # " over axes";
  let description = [{
    Reduces over `axes` (distinct, in [0, rank)); with `keepdims` the reduced dims stay
    as size 1, otherwise they are removed. Empty `axes` reduces over every dim.
  }];
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat =
      "$x attr-dict `:` type($x) `->` type($result)";
}

def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", "sum">;
def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", "mean">;
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", "maximum">;

//===----------------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------------===//

def NN_MatmulOp : NN_ComputeOp<"matmul", [NN_Differentiable, NN_Contraction]> {
  let summary = "matrix product";
  let description = [{
    `lhs: [..., M, K]` times `rhs: [K, N]` gives `[..., M, N]`; the leading dims of lhs
    are batch dims. With `transpose_lhs` / `transpose_rhs` the last two dims of that
    operand are swapped first (a view, not a copy: used by gradients).
  }];
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs NN_FloatTensor:$result);
}

//===----------------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------------===//

def NN_ReshapeOp : NN_ComputeOp<"reshape", [NN_Differentiable, NN_Alias]> {
  let summary = "reshape without moving data";
  let description = [{
    Reinterprets the operand's elements (row-major) with the shape `shape`; at most one
    entry may be -1, inferred from the element count. Code generation turns it into an
    alias of the operand's buffer.
  }];
  let arguments = (ins NN_AnyTensor:$x, DenseI64ArrayAttr:$shape);
  let results = (outs NN_AnyTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasFolder = 1;
}

def NN_TransposeOp : NN_ComputeOp<"transpose", [NN_Differentiable, NN_Permute]> {
  let summary = "permute dims";
  let description = "Result dim i is operand dim `perm[i]`.";
  let arguments = (ins NN_FloatTensor:$x, DenseI64ArrayAttr:$perm);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` type($x) `->` type($result)";
  let hasFolder = 1;
}

def NN_BroadcastToOp : NN_ComputeOp<"broadcast_to", [NN_Differentiable, NN_Pointwise]> {
  let summary = "broadcast to the shape of another tensor";
  let description = [{
    Broadcasts `x` to the shape of `like` (which must be a valid broadcast target);
    only `like`'s shape is read.
  }];
  let arguments = (ins NN_FloatTensor:$x, NN_AnyTensor:$like);
  let results = (outs NN_FloatTensor:$result);
}

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

def NN_RandomUniformOp : NN_ComputeOp<"random_uniform", [NN_ZeroGradient, NN_Pointwise]> {
  let summary = "deterministic uniform noise in [0, 1) shaped like a tensor";
  let description = [{
    Each element is a hash of its linear index, the rank-0 `seed` (a counter the
    training step advances) and the optional rank-0 i32 `stream` (the run's seed; absent
    means 0), mapped to [0, 1). The same operands give the same values on every target.
    Dropout builds its mask from it.
  }];
  let arguments = (ins NN_AnyTensor:$like, NN_FloatTensor:$seed,
                   Optional<NN_IntTensor>:$stream);
  let results = (outs NN_FloatTensor:$result);
}

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
  let hasVerifier = 1;
}

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator, HasParent<"KernelOp">,
    ReturnLike]> {
  let summary = "kernel terminator";
  let arguments = (ins Variadic<NN_AnyTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* nothing */ }]>];
}

#endif // NN_OPS_TD
