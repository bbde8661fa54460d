//===- SymbolicShapes.cpp - dynamic dims as model symbols -----------------===//
//
// The trick: clone the entry, give each symbol k a distinct prime size p_k no model is
// likely to use (the k-th prime above 10000), set it into the argument types, re-run
// the ops' type inference (nn::refineTypes, the single source of shape rules) and read
// the static shapes back. A dim that was dynamic is then factored over the primes: 35
// p_B is 35*B, p_B p_S is B*S. A second clone with other primes (above 20000) checks
// the factorisation, so a dim that is another function of the symbols (B+1 factors
// as the constant p_B + 1, which the second run contradicts) or a static size that
// happens to be one of the primes is reported rather than misread.
//
//===----------------------------------------------------------------------------===//
#include "codegen/SymbolicShapes.h"
#include "passes/Passes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include <functional>

using namespace mlir;
using namespace nn;
using namespace nn::codegen;

namespace {

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// The first `n` primes above `start`.
std::vector<int64_t> primesAbove(int64_t start, size_t n) {
  std::vector<int64_t> primes;
  for (int64_t p = start + 1; primes.size() < n; ++p) {
    bool prime = true;
    for (int64_t q = 2; q * q <= p && prime; ++q)
      prime = p % q != 0;
    if (prime)
      primes.push_back(p);
  }
  return primes;
}

llvm::Error errorAt(Location loc, const Twine &msg) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ":" << file.getLine() << ":" << file.getColumn()
       << ": ";
  os << msg;
  return llvm::createStringError(llvm::inconvertibleErrorCode(), s);
}

/// Gives each dynamic dim of the nn.input arguments of `func` its symbol's sentinel.
llvm::Error setArgumentSentinels(func::FuncOp func, ModuleOp module,
                                 const std::vector<std::string> &symbols,
                                 ArrayRef<int64_t> sentinels) {
  for (BlockArgument arg : func.getArguments()) {
    auto ref = func.getArgAttrOfType<FlatSymbolRefAttr>(arg.getArgNumber(), "nn.input");
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      return errorAt(arg.getLoc(), "entry argument of unranked type");
    if (!ref) {
      if (!type.hasStaticShape())
        return errorAt(arg.getLoc(), "entry parameter with a dynamic shape");
      continue;
    }
    auto input = dyn_cast_or_null<InputOp>(SymbolTable::lookupSymbolIn(module, ref.getAttr()));
    if (!input)
      return errorAt(arg.getLoc(), "unknown input @" + ref.getValue());
    SmallVector<int64_t> shape(type.getShape());
    auto names = input.getDims().getAsValueRange<StringAttr>();
    for (auto [d, name] : llvm::enumerate(names)) {
      if (d >= shape.size() || !ShapedType::isDynamic(shape[d]))
        continue;
      auto it = llvm::find(symbols, name.str());
      if (it == symbols.end())
        return errorAt(arg.getLoc(), "dim " + Twine(d) + " of input @" + ref.getValue() +
                                         " has no symbol");
      shape[d] = sentinels[it - symbols.begin()];
    }
    arg.setType(RankedTensorType::get(shape, type.getElementType()));
  }
  return llvm::Error::success();
}

/// Refines the types of `func` to a fixpoint, carrying them into and out of kernels and
/// loops (their block arguments and results are not inferred by the ops themselves).
LogicalResult refineEntry(func::FuncOp func) {
  size_t ops = 0;
  func.walk([&](Operation *) { ++ops; });
  for (size_t round = 0; round <= ops + 1; ++round) {
    bool changed = false;
    auto update = [&](Value v, Type t) {
      if (v.getType() != t) {
        v.setType(t);
        changed = true;
      }
    };
    // Loop bodies take their arguments' types from the loop's operands, before and after
    // the ops are refined: refineTypes changes types without counting them as changes,
    // so an operand it refines (a reshape feeding a loop's carried state) must reach the
    // body through `update` in the same round.
    auto refineBodyArguments = [&] {
      func.walk([&](ScanOp scan) {
        for (auto [arg, type] : llvm::zip(scan.getBodyBlock().getArguments(),
                                          scan.getBodyArgumentTypes()))
          update(arg, type);
      });
    };
    refineBodyArguments();
    if (failed(refineTypes(func.getBody())))
      return failure();
    refineBodyArguments();
    WalkResult walked = func.walk([&](KernelOp kernel) {
      Block &kb = kernel.getBody().front();
      for (auto [arg, operand] : llvm::zip(kb.getArguments(), kernel.getInputs()))
        update(arg, operand.getType());
      if (failed(refineTypes(kernel.getBody())))
        return WalkResult::interrupt();
      auto yield = cast<YieldOp>(kb.getTerminator());
      for (auto [res, v] : llvm::zip(kernel.getResults(), yield.getValues()))
        update(res, v.getType());
      return WalkResult::advance();
    });
    if (walked.wasInterrupted())
      return failure();
    // Loop results follow the body's yields (the loop's own shape rule).
    walked = func.walk([&](ScanOp scan) {
      SmallVector<Type> types;
      if (failed(scan.inferReturnTypes(scan.getContext(), scan.getLoc(),
                                       scan.getOperands(),
                                       scan->getRawDictionaryAttrs(),
                                       scan->getPropertiesStorage(), scan->getRegions(),
                                       types)))
        return WalkResult::interrupt();
      for (auto [res, t] : llvm::zip(scan.getResults(), types))
        update(res, t);
      return WalkResult::advance();
    });
    if (walked.wasInterrupted())
      return failure();
    if (!changed)
      return success();
  }
  return success();
}

} // namespace

std::vector<std::string> nn::codegen::collectSymbols(ModuleOp module) {
  std::vector<std::string> symbols;
  for (auto input : module.getOps<InputOp>())
    for (StringRef name : input.getDims().getAsValueRange<StringAttr>())
      if (!name.empty() && !llvm::is_contained(symbols, name.str()))
        symbols.push_back(name.str());
  return symbols;
}

namespace {

/// One clone of an entry with the symbols set to sentinels and the types refined.
struct SentinelRun {
  IRMapping map;
  func::FuncOp clone;
  std::vector<int64_t> sentinels;
  ~SentinelRun() {
    if (clone)
      clone->erase();
  }
};

llvm::Error refineWithSentinels(func::FuncOp entry, const std::vector<std::string> &symbols,
                                SentinelRun &run) {
  auto module = entry->getParentOfType<ModuleOp>();
  run.clone = cast<func::FuncOp>(entry->clone(run.map));
  if (llvm::Error err = setArgumentSentinels(run.clone, module, symbols, run.sentinels))
    return err;
  // Shape errors under sentinels mean a dim mixes symbols with other sizes.
  std::string diag;
  LogicalResult refined = success();
  {
    ScopedDiagnosticHandler handler(entry.getContext(), [&](Diagnostic &d) {
      if (diag.empty())
        diag = d.str();
      return success();
    });
    refined = refineEntry(run.clone);
  }
  if (failed(refined)) {
    std::string values;
    for (auto [name, v] : llvm::zip(symbols, run.sentinels))
      values += (values.empty() ? "" : ", ") + name + " = " + std::to_string(v);
    return errorAt(entry.getLoc(), "unsupported symbolic dim expression in entry '" +
                                       entry.getSymName() +
                                       "': a dim is not a number times a product of "
                                       "symbols: with " + values + ", " + diag);
  }
  return llvm::Error::success();
}

/// `value` factored over `primes`: the exponent of each and the remaining factor.
DimProduct factor(int64_t value, ArrayRef<int64_t> primes) {
  DimProduct p;
  for (auto [k, prime] : llvm::enumerate(primes))
    while (value % prime == 0) {
      value /= prime;
      p.symbols.push_back((int32_t)k);
    }
  p.factor = value;
  return p;
}

/// The value of `p` with symbol k = values[k]; nullopt on overflow.
std::optional<int64_t> evaluate(const DimProduct &p, ArrayRef<int64_t> values) {
  int64_t v = p.factor;
  for (int32_t k : p.symbols)
    if (__builtin_mul_overflow(v, values[k], &v))
      return std::nullopt;
  return v;
}

} // namespace

llvm::Expected<SymbolicShapes>
SymbolicShapes::analyze(func::FuncOp entry, const std::vector<std::string> &symbols,
                        std::vector<DimProduct> &products) {
  SentinelRun a, b;
  a.sentinels = primesAbove(10000, symbols.size());
  b.sentinels = primesAbove(20000, symbols.size());
  if (llvm::Error err = refineWithSentinels(entry, symbols, a))
    return std::move(err);
  if (llvm::Error err = refineWithSentinels(entry, symbols, b))
    return std::move(err);

  SymbolicShapes result;
  auto record = [&](Value original) -> llvm::Error {
    auto orig = dyn_cast<RankedTensorType>(original.getType());
    auto typeA = dyn_cast<RankedTensorType>(a.map.lookup(original).getType());
    auto typeB = dyn_cast<RankedTensorType>(b.map.lookup(original).getType());
    if (!orig || !typeA || !typeB || orig.getRank() != typeA.getRank() ||
        orig.getRank() != typeB.getRank())
      return errorAt(original.getLoc(), "value of unranked type in entry '" +
                                            entry.getSymName() + "'");
    SmallVector<int64_t, 4> dims;
    for (int64_t d = 0; d < orig.getRank(); ++d) {
      int64_t o = orig.getDimSize(d), ra = typeA.getDimSize(d), rb = typeB.getDimSize(d);
      auto unsupported = [&](const Twine &what) {
        return errorAt(original.getLoc(), "unsupported symbolic dim expression: dim " +
                                              Twine(d) + " of a value of type '" +
                                              Twine(typeString(orig)) + "' " + what);
      };
      if (!ShapedType::isDynamic(o)) {
        if (ra != o || rb != o)
          return unsupported("changes with the model's symbols");
        dims.push_back(o);
        continue;
      }
      if (ShapedType::isDynamic(ra) || ShapedType::isDynamic(rb) || ra <= 0)
        return unsupported("is not a number times a product of model symbols");
      DimProduct p = factor(ra, a.sentinels);
      if (evaluate(p, b.sentinels) != rb)
        return unsupported("is not a number times a product of model symbols");
      if (p.symbols.empty()) {
        dims.push_back(p.factor);
      } else if (p.factor == 1 && p.symbols.size() == 1) {
        dims.push_back(-(int64_t)p.symbols[0] - 1);
      } else {
        auto it = llvm::find(products, p);
        if (it == products.end())
          it = products.insert(products.end(), p);
        dims.push_back(-(int64_t)(symbols.size() + (it - products.begin())) - 1);
      }
    }
    result.dimsOf[original] = std::move(dims);
    return llvm::Error::success();
  };
  for (BlockArgument arg : entry.getArguments())
    if (llvm::Error err = record(arg))
      return std::move(err);
  // Top-level ops, and loops' bodies (their arguments and ops; not kernels' insides).
  std::function<llvm::Error(Block &)> recordBlock = [&](Block &block) -> llvm::Error {
    for (Operation &op : block) {
      for (Value v : op.getResults())
        if (llvm::Error err = record(v))
          return err;
      if (auto scan = dyn_cast<ScanOp>(op)) {
        for (BlockArgument arg : scan.getBodyBlock().getArguments())
          if (llvm::Error err = record(arg))
            return err;
        if (llvm::Error err = recordBlock(scan.getBodyBlock()))
          return err;
      }
    }
    return llvm::Error::success();
  };
  if (llvm::Error err = recordBlock(entry.getBody().front()))
    return std::move(err);
  return result;
}

llvm::ArrayRef<int64_t> SymbolicShapes::dims(Value v) const {
  auto it = dimsOf.find(v);
  assert(it != dimsOf.end() && "value was not analyzed");
  return it->second;
}
