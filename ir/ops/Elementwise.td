//===- Elementwise.td - elementwise nn ops ----------------------*- tablegen -*-===//
//
// An elementwise op is its formula and its gradient, both written here once:
// `formula` is the result element as a compute::Expr of the operand elements (code
// generation and the reference evaluator read it), `gradient` the operands' gradients
// as grad::GValues of the result's gradient `g`, the operands and the result `y`
// (automatic differentiation builds it as nn ops). Shape rules are shared: unary ops
// keep their operand's type; binary ops broadcast (ops/Elementwise.cpp).
//
//===----------------------------------------------------------------------------===//

/// An elementwise f32 -> f32 op: y = `formula` (of x); dx = `gradient` (of g, x, y),
/// or no gradient rule when empty.
class NN_UnaryOp<string mnemonic, string formula, string gradient,
                 list<Trait> traits = []> :
    NN_ComputeOp<mnemonic, !listconcat(traits, [NN_Elementwise],
                                      !if(!empty(gradient), [], [NN_Differentiable]))> {
  let summary = "elementwise " # mnemonic;
  let description = "Elementwise `y = " # formula # "`" #
      !if(!empty(gradient), "", "; the gradient is `dx = " # gradient # "`") #
      ". The result has the operand's type.";
  let arguments = (ins NN_FloatTensor:$x);
  let results = (outs NN_FloatTensor:$result);
  let extraClassDeclaration = [{
    /// The result element y as a function of the operand element x.
    static ::nn::compute::Expr formula(::nn::compute::Expr x) {
      return }] # formula # [{;
    }
  }] # !if(!empty(gradient), "", [{
    /// dL/dx as a function of g = dL/dy, x and y.
    static ::nn::grad::GValue gradient(::nn::grad::GValue g, ::nn::grad::GValue x,
                                       ::nn::grad::GValue y) {
      return }] # gradient # [{;
    }
  }]);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, ::std::optional<::mlir::Location>, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      types.push_back(adaptor.getX().getType());
      return ::mlir::success();
    }
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange l, ::mlir::TypeRange r) {
      return ::nn::areCompatibleTypeLists(l, r);
    }
    ::nn::compute::Computation $cppClass::getComputation() {
      return ::nn::compute::elementwise(
          getOperation(),
          [](::llvm::ArrayRef<::nn::compute::Expr> in) { return formula(in[0]); });
    }
  }] # !if(!empty(gradient), "", [{
    ::llvm::LogicalResult $cppClass::buildGradients(
        ::mlir::OpBuilder &b, ::mlir::ValueRange grads,
        ::llvm::SmallVectorImpl<::mlir::Value> &out) {
      return ::nn::grad::unaryGradient(getOperation(), b, grads, out, &gradient);
    }
  }]);
}

def NN_NegOp : NN_UnaryOp<"neg", "-x", "-g"> { let hasFolder = 1; }
def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)", "g * y">;
def NN_LogOp : NN_UnaryOp<"log", "log(x)", "g / x">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)", "g * 0.5 / y">;
def NN_AbsOp : NN_UnaryOp<"abs", "abs(x)", "g * (step(x) - step(-x))">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)", "g * (1.0 - y * y)">;
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1.0 / (1.0 + exp(-x))",
                              "g * (y * (1.0 - y))">;
/// erf (the exact GELU's); how float32 kernels compute it: codegen/HalideLowering.cpp.
def NN_ErfOp : NN_UnaryOp<"erf", "erf(x)", "g * (1.1283791670955126 * exp(-(x * x)))">;
def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0.0)", "g * step(y)">;
def NN_LeakyReluOp : NN_ComputeOp<"leaky_relu", [NN_Elementwise, NN_Differentiable]> {
  let summary = "elementwise leaky ReLU";
  let description = [{
    Elementwise `y = x > 0 ? x : alpha * x` (PyTorch's `leaky_relu` with
    `negative_slope = alpha`); the gradient is `dx = g * (x > 0 ? 1 : alpha)`, at 0 too.
    One op rather than `max(x, 0) + alpha * min(x, 0)`, whose gradient read two masks
    of x's shape, stored by the forward kernel: for `alpha >= 0`, `y > 0` exactly where
    `x > 0`, so the gradient reads the result, which the next layer reads anyway. The
    result has the operand's type.
  }];
  let arguments = (ins NN_FloatTensor:$x, DefaultValuedAttr<F32Attr, "0.2f">:$alpha);
  let results = (outs NN_FloatTensor:$result);
}
/// The exact GELU, x Phi(x) = 0.5 x (1 + erf(x / sqrt(2))) (PyTorch's default). One op,
/// not its composition: the gradient's factor Phi(x) + x phi(x) is one value of x, so
/// the forward kernel stores it alone (the composition's gradient read back three).
/// The gradient writes phi's exp(-x^2 / 2) as exp(-(z * z)) of erf's z = x / sqrt(2):
/// the kernel's erf then shares it (gaussianErf in codegen/HalideLowering.cpp).
def NN_GeluOp : NN_UnaryOp<"gelu", "0.5 * x * (1.0 + erf(x * 0.7071067811865476))",
    "g * (0.5 * (1.0 + erf(x * 0.7071067811865476)) + "
    "x * (0.3989422804014327 * exp(-((x * 0.7071067811865476) * "
    "(x * 0.7071067811865476)))))">;
def NN_StepOp : NN_UnaryOp<"step", "step(x)", "", [NN_ZeroGradient]> {
  let summary = "elementwise x > 0 ? 1 : 0 (the derivative of relu)";
}
def NN_StopGradientOp : NN_UnaryOp<"stop_gradient", "x", "", [NN_Differentiable]> {
  let summary = "x, with no gradient flowing back";
  let description = [{
    The identity in value; automatic differentiation treats the result as a constant.
  }];
}

/// An elementwise op of two f32 operands with NumPy broadcasting: y = `formula` (of a
/// and b); (da, db) = `gradient` (of g, a, b, y), each summed back over the dims its
/// operand was broadcast along; no gradient rule when empty.
class NN_BinaryOp<string mnemonic, string formula, string gradient,
                  list<Trait> traits = []> :
    NN_ComputeOp<mnemonic, !listconcat(traits, [NN_Elementwise],
                                      !if(!empty(gradient), [], [NN_Differentiable]))> {
  let summary = "elementwise " # mnemonic # " with broadcasting";
  let description = [{
    Elementwise `y = }] # formula # [{` after broadcasting both operands to a common
    shape: shapes align at the right; each pair of dims is equal or one of them is 1. A
    `?` paired with a static n > 1 gives n; `?` with 1 or `?` gives `?`.
  }] # !if(!empty(gradient), "", "The gradients are `(da, db) = " # gradient # "`.");
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  let extraClassDeclaration = [{
    /// The result element y as a function of the operand elements a and b.
    static ::nn::compute::Expr formula(::nn::compute::Expr a, ::nn::compute::Expr b) {
      return }] # formula # [{;
    }
  }] # !if(!empty(gradient), "", [{
    /// (dL/da, dL/db) before unbroadcasting, from g = dL/dy, a, b and y.
    static ::nn::grad::GPair gradient(::nn::grad::GValue g, ::nn::grad::GValue a,
                                      ::nn::grad::GValue b, ::nn::grad::GValue y) {
      return }] # gradient # [{;
    }
  }]);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, ::std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::nn::inferBroadcastType(getOperationName(), loc,
                                      adaptor.getLhs().getType(),
                                      adaptor.getRhs().getType(), types);
    }
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange l, ::mlir::TypeRange r) {
      return ::nn::areCompatibleTypeLists(l, r);
    }
    ::nn::compute::Computation $cppClass::getComputation() {
      return ::nn::compute::elementwise(
          getOperation(),
          [](::llvm::ArrayRef<::nn::compute::Expr> in) { return formula(in[0], in[1]); });
    }
  }] # !if(!empty(gradient), "", [{
    ::llvm::LogicalResult $cppClass::buildGradients(
        ::mlir::OpBuilder &b, ::mlir::ValueRange grads,
        ::llvm::SmallVectorImpl<::mlir::Value> &out) {
      return ::nn::grad::binaryGradient(getOperation(), b, grads, out, &gradient);
    }
  }]);
}

def NN_AddOp : NN_BinaryOp<"add", "a + b", "{g, g}", [Commutative]> {
  let hasFolder = 1;
}
def NN_SubOp : NN_BinaryOp<"sub", "a - b", "{g, -g}"> { let hasFolder = 1; }
def NN_MulOp : NN_BinaryOp<"mul", "a * b", "{g * b, g * a}", [Commutative]> {
  let hasFolder = 1;
}
def NN_DivOp : NN_BinaryOp<"div", "a / b", "{g / b, -(g / b * a / b)}"> {
  let hasFolder = 1;
}
// max and min: ties send the gradient to rhs.
def NN_MaxOp : NN_BinaryOp<"max", "max(a, b)",
    "{g * greater(a, b), g * (1.0 - greater(a, b))}", [Commutative]>;
def NN_MinOp : NN_BinaryOp<"min", "min(a, b)",
    "{g * greater(b, a), g * (1.0 - greater(b, a))}", [Commutative]>;
// d/da a^b = b a^(b-1); d/db a^b = a^b log(a) (defined for a > 0).
def NN_PowOp : NN_BinaryOp<"pow", "pow(a, b)",
    "{g * (b * pow(a, b - 1.0)), g * (y * log(a))}">;
def NN_GreaterOp : NN_BinaryOp<"greater", "greater(a, b)", "", [NN_ZeroGradient]> {
  let summary = "elementwise a > b ? 1 : 0 with broadcasting";
}
