//===- nn-gradcheck.cpp - float64 finite-difference check of nn gradients -===//
//
// For every public function of an .mlir file whose arguments are static f32/i32
// tensors:
//   1. wrap its first result r into the loss L = sum(r * W), W a fixed random tensor;
//   2. build dL/d(each f32 argument) with nn::differentiate (the autodiff under test),
//      then expand composite ops (softmax) in both, as nnc's pipeline does;
//   3. evaluate both in float64 at random inputs and compare every gradient element
//      with the central difference (L(x + eps e_i) - L(x - eps e_i)) / (2 eps):
//        |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
//      The differences are taken of the function autodiff differentiates: the values it
//      treats as constants (stop_gradient and NNZeroGradient results) are held at their
//      unperturbed values, so x * stop_gradient(x) has the derivative x, not 2x.
// Inputs are uniform in [-2, 2], or in [gradcheck.min, gradcheck.max) given as argument
// attributes; i32 arguments get integers in [gradcheck.min (0), gradcheck.max (2)).
// Prints PASS or FAIL per function and a summary; exits with 1 if any check failed.
// With --evaluate it instead prints the results of every public function without
// arguments: the test of the reference evaluator itself.
//
//===----------------------------------------------------------------------------===//
#include "Evaluator.h"
#include "ir/Builders.h"
#include "ir/NNDialect.h"
#include "ir/NNOps.h"
#include "passes/Autodiff.h"
#include "passes/Passes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/xxhash.h"
#include <cmath>

using namespace mlir;
using namespace nn;
using namespace nn::gradcheck;
namespace cl = llvm::cl;

static cl::OptionCategory category("nn-gradcheck options");
static cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<input .mlir>"),
                                          cl::init("-"), cl::cat(category));
static cl::opt<uint64_t> seedOpt("seed", cl::desc("seed of the inputs and weights"),
                                 cl::init(1), cl::cat(category));
static cl::opt<double> epsOpt("eps", cl::desc("central-difference step"), cl::init(1e-6),
                              cl::cat(category));
static cl::opt<double> rtolOpt("rtol", cl::desc("relative tolerance"), cl::init(1e-6),
                               cl::cat(category));
static cl::opt<double> atolOpt("atol", cl::desc("absolute tolerance"), cl::init(1e-8),
                               cl::cat(category));
static cl::opt<bool> evaluateOpt(
    "evaluate", cl::desc("print the results of the public functions without arguments"),
    cl::cat(category));
static cl::opt<bool> noFreezeOpt(
    "no-freeze", cl::Hidden, cl::cat(category),
    cl::desc("let the finite differences see through stop_gradient and zero-gradient ops"));
static cl::opt<bool> perturbOpt(
    "perturb-analytic", cl::Hidden, cl::cat(category),
    cl::desc("add 1e-3 to every analytic gradient element (tests the checker itself)"));

namespace {

/// splitmix64: small and portable, so inputs depend only on the seed.
struct Rng {
  uint64_t state;

  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * (double(next() >> 11) * 0x1.0p-53);
  }
};

/// The outcome of checking one function.
struct Outcome {
  std::string error; ///< set when the check could not run
  int64_t elements = 0;
  double maxAbs = 0, maxRel = 0;
  /// The element with the largest error relative to its tolerance.
  double worstRatio = -1;
  unsigned worstArg = 0;
  SmallVector<int64_t> worstIndex;
  double worstAnalytic = 0, worstNumeric = 0;

  bool passed() const { return error.empty() && worstRatio <= 1; }
};

bool isCheckable(Type type, bool allowInt) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() &&
         (t.getElementType().isF32() || (allowInt && t.getElementType().isInteger(32)));
}

/// Why `f` cannot be checked; empty when it can.
std::string unsupportedReason(func::FuncOp f) {
  if (f.isExternal())
    return "no body";
  bool anyFloat = false;
  for (auto [i, type] : llvm::enumerate(f.getArgumentTypes())) {
    if (!isCheckable(type, /*allowInt=*/true))
      return "argument #" + std::to_string(i) + " is not a static f32 or i32 tensor";
    anyFloat |= cast<RankedTensorType>(type).getElementType().isF32();
  }
  if (!anyFloat)
    return "no f32 argument to differentiate";
  if (f.getNumResults() == 0 || !isCheckable(f.getResultTypes()[0], /*allowInt=*/false))
    return "the first result is not a static f32 tensor";
  return "";
}

/// The number in argument attribute `name` of argument `i`, if any.
std::optional<double> argNumber(func::FuncOp f, unsigned i, StringRef name) {
  Attribute a = f.getArgAttr(i, name);
  if (auto fa = dyn_cast_or_null<FloatAttr>(a))
    return fa.getValueAsDouble();
  if (auto ia = dyn_cast_or_null<IntegerAttr>(a))
    return double(ia.getInt());
  return std::nullopt;
}

SmallVector<NDArray> randomInputs(func::FuncOp f, Rng &rng) {
  SmallVector<NDArray> args;
  for (auto [i, type] : llvm::enumerate(f.getArgumentTypes())) {
    auto t = cast<RankedTensorType>(type);
    bool isInt = t.getElementType().isInteger(32);
    double lo = argNumber(f, i, "gradcheck.min").value_or(isInt ? 0.0 : -2.0);
    double hi = argNumber(f, i, "gradcheck.max").value_or(2.0);
    NDArray a = NDArray::zeros(t.getShape());
    for (double &v : a.data)
      v = isInt ? std::floor(rng.uniform(lo, hi)) : rng.uniform(lo, hi);
    args.push_back(std::move(a));
  }
  return args;
}

/// Adds after `f` a function `<f>.gradcheck.loss` with f's arguments that returns
/// sum(r * W), r being f's first result and W a fixed random tensor of r's type.
func::FuncOp buildLoss(func::FuncOp f, Rng &rng) {
  OpBuilder b(f);
  b.setInsertionPointAfter(f);
  auto loss = cast<func::FuncOp>(b.clone(*f));
  loss.setSymName((f.getSymName() + ".gradcheck.loss").str());
  loss.removeResAttrsAttr();
  auto ret = cast<func::ReturnOp>(loss.getBody().front().getTerminator());
  Value r = ret.getOperand(0);
  auto type = cast<RankedTensorType>(f.getResultTypes()[0]);
  SmallVector<float> w;
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    w.push_back(float(rng.uniform(-1, 1)));

  b.setInsertionPoint(ret);
  Location loc = ret.getLoc();
  Value weights = b.create<ConstantOp>(loc, type, DenseElementsAttr::get(type, ArrayRef(w)));
  Value product = buildInferred<MulOp>(b, loc, {r, weights});
  Value sum = buildInferred<ReduceSumOp>(
      b, loc, product,
      {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({})),
       b.getNamedAttr("keepdims", b.getBoolAttr(false))});
  b.create<func::ReturnOp>(loc, sum);
  ret.erase();
  loss.setType(FunctionType::get(f.getContext(), loss.getArgumentTypes(), sum.getType()));
  return loss;
}

/// Evaluates the scalar `loss` at `args`.
FailureOr<double> lossAt(func::FuncOp loss, ArrayRef<NDArray> args, Freeze &freeze) {
  FailureOr<SmallVector<NDArray>> r = evaluate(loss, args, &freeze);
  if (failed(r))
    return failure();
  return (*r)[0].data[0];
}

/// Compares analytic gradient element `analytic` of argument `arg` at `index` with
/// its central difference and records the error in `out`.
LogicalResult checkElement(func::FuncOp loss, Freeze &freeze,
                           SmallVectorImpl<NDArray> &args, unsigned arg, int64_t index,
                           double analytic, Outcome &out) {
  double &x = args[arg].data[index];
  double x0 = x;
  // Divide by the step actually taken: x0 +- eps is rounded.
  x = x0 + epsOpt;
  double hi = x;
  FailureOr<double> plus = lossAt(loss, args, freeze);
  x = x0 - epsOpt;
  double lo = x;
  FailureOr<double> minus = lossAt(loss, args, freeze);
  x = x0;
  if (failed(plus) || failed(minus))
    return failure();
  double numeric = (*plus - *minus) / (hi - lo);
  if (perturbOpt)
    analytic += 1e-3;

  double err = std::fabs(analytic - numeric);
  double scale = std::max(std::fabs(analytic), std::fabs(numeric));
  out.maxAbs = std::max(out.maxAbs, err);
  // Relative errors of gradients within atol of zero are noise, not information.
  if (scale > atolOpt)
    out.maxRel = std::max(out.maxRel, err / scale);
  double ratio = err / (atolOpt + rtolOpt * scale);
  if (!std::isfinite(ratio)) // NaN or inf (e.g. log of a negative input) fails
    ratio = INFINITY;
  if (ratio > out.worstRatio) {
    out.worstRatio = ratio;
    out.worstArg = arg;
    out.worstIndex = unravel(index, args[arg].shape);
    out.worstAnalytic = analytic;
    out.worstNumeric = numeric;
  }
  ++out.elements;
  return success();
}

/// Compares the analytic gradients of `loss` (from `grad`) with central differences
/// at random inputs.
Outcome compareGradients(func::FuncOp f, func::FuncOp loss, func::FuncOp grad,
                         ArrayRef<unsigned> wrt, Rng &rng) {
  Outcome out;
  SmallVector<NDArray> args = randomInputs(f, rng);
  FailureOr<SmallVector<NDArray>> analytic = evaluate(grad, args);
  // The first evaluation, at the unperturbed inputs, records the constants.
  Freeze freeze;
  freeze.select = [](Operation &op) {
    return !noFreezeOpt &&
           (isa<StopGradientOp>(op) || op.hasTrait<OpTrait::NNZeroGradient>());
  };
  FailureOr<double> l = lossAt(loss, args, freeze);
  if (failed(analytic) || failed(l)) {
    out.error = "evaluation failed (see the diagnostic)";
    return out;
  }
  if (!std::isfinite(*l)) {
    out.error = "the loss is not finite at the random inputs (set gradcheck.min/max)";
    return out;
  }
  if ((*analytic)[0].data[0] != *l) {
    out.error = "the gradient function's loss differs from the loss";
    return out;
  }
  for (auto [k, arg] : llvm::enumerate(wrt)) {
    const NDArray &g = (*analytic)[k + 1];
    if (g.shape != args[arg].shape) {
      out.error = "the gradient of argument #" + std::to_string(arg) +
                  " does not have the argument's shape";
      return out;
    }
    for (int64_t i = 0; i < g.size(); ++i)
      if (failed(checkElement(loss, freeze, args, arg, i, g.data[i], out))) {
        out.error = "evaluation failed (see the diagnostic)";
        return out;
      }
  }
  return out;
}

Outcome checkFunction(func::FuncOp f) {
  Rng rng{seedOpt ^ llvm::xxh3_64bits(f.getSymName())};
  func::FuncOp loss = buildLoss(f, rng);
  SmallVector<unsigned> wrt;
  for (auto [i, type] : llvm::enumerate(f.getArgumentTypes()))
    if (cast<RankedTensorType>(type).getElementType().isF32())
      wrt.push_back(i);
  FailureOr<func::FuncOp> grad =
      differentiate(loss, wrt, (f.getSymName() + ".gradcheck.grad").str());

  Outcome out;
  if (failed(grad))
    out.error = "cannot differentiate (see the diagnostic)";
  else if (failed(expandComposites(loss)) || failed(expandComposites(*grad)))
    out.error = "cannot expand a composite op (see the diagnostic)";
  else if (failed(verify(loss)) || failed(verify(*grad)))
    out.error = "the loss or gradient function does not verify";
  else
    out = compareGradients(f, loss, *grad, wrt, rng);
  if (succeeded(grad))
    (*grad)->erase();
  loss->erase();
  return out;
}

void print(llvm::raw_ostream &os, StringRef name, const Outcome &out) {
  os << (out.passed() ? "PASS " : "FAIL ") << name << ": ";
  if (!out.error.empty()) {
    os << out.error << "\n";
    return;
  }
  os << out.elements << " elements, max abs err " << llvm::format("%.1e", out.maxAbs)
     << ", max rel err " << llvm::format("%.1e", out.maxRel);
  if (!out.passed()) {
    os << "; worst: arg " << out.worstArg << " [";
    llvm::interleaveComma(out.worstIndex, os);
    os << "] analytic " << llvm::format("%.9e", out.worstAnalytic) << " numeric "
       << llvm::format("%.9e", out.worstNumeric);
  }
  os << "\n";
}

/// Prints `name #i [shape]: v v ...` for each result of `f`.
LogicalResult printResults(llvm::raw_ostream &os, func::FuncOp f) {
  FailureOr<SmallVector<NDArray>> results = evaluate(f, {});
  if (failed(results))
    return failure();
  for (auto [i, r] : llvm::enumerate(*results)) {
    os << f.getSymName() << " #" << i << " [";
    llvm::interleaveComma(r.shape, os);
    os << "]:";
    for (double v : r.data)
      os << " " << llvm::format("%.6g", v);
    os << "\n";
  }
  return success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Its own options only: LLVM's (every backend's) are not this tool's.
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "float64 finite-difference check of nn gradients\n");

  MLIRContext context;
  context.loadDialect<NNDialect, func::FuncDialect>();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFilename, sourceMgr, ParserConfig(&context));
  if (!module)
    return 1;

  SmallVector<func::FuncOp> funcs;
  for (auto f : module->getOps<func::FuncOp>())
    if (f.isPublic())
      funcs.push_back(f);
  if (evaluateOpt) {
    if (failed(expandComposites(*module)))
      return 1;
    bool ok = true;
    for (func::FuncOp f : funcs)
      if (f.getNumArguments() == 0 && !f.isExternal())
        ok &= succeeded(printResults(llvm::outs(), f));
    return ok ? 0 : 1;
  }

  int passed = 0, failed = 0;
  for (func::FuncOp f : funcs) {
    std::string reason = unsupportedReason(f);
    if (!reason.empty()) {
      llvm::outs() << "SKIP " << f.getSymName() << ": " << reason << "\n";
      continue;
    }
    Outcome out = checkFunction(f);
    print(llvm::outs(), f.getSymName(), out);
    ++(out.passed() ? passed : failed);
  }
  llvm::outs() << passed << " passed, " << failed << " failed\n";
  return failed ? 1 : 0;
}
