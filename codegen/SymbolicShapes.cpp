//===- SymbolicShapes.cpp - dynamic dims as model symbols -----------------===//
//
// The trick: clone the entry, give each symbol k a distinct large sentinel size
// (a prime-spaced value no model uses), set it into the argument types, re-run the ops'
// type inference (nn::refineTypes, the single source of shape rules) and read the
// static shapes back. A sentinel in a result is that symbol; any other value where the
// original dim was dynamic is an expression of symbols (B*S, B+1) we cannot represent.
//
//===----------------------------------------------------------------------------===//
#include "codegen/SymbolicShapes.h"
#include "passes/Passes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/ScopeExit.h"
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

int64_t sentinel(size_t k) { return 1000003 + 7919 * (int64_t)k; }

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
                                 const std::vector<std::string> &symbols) {
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
      shape[d] = sentinel(it - symbols.begin());
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
    // Loop bodies first take their arguments' types from the loop's operands.
    func.walk([&](ScanOp scan) {
      for (auto [arg, type] : llvm::zip(scan.getBodyBlock().getArguments(),
                                        scan.getBodyArgumentTypes()))
        update(arg, type);
    });
    if (failed(refineTypes(func.getBody())))
      return failure();
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

llvm::Expected<SymbolicShapes>
SymbolicShapes::analyze(func::FuncOp entry, const std::vector<std::string> &symbols) {
  auto module = entry->getParentOfType<ModuleOp>();
  IRMapping map;
  auto clone = cast<func::FuncOp>(entry->clone(map));
  auto cleanup = llvm::make_scope_exit([&] { clone->erase(); });

  if (llvm::Error err = setArgumentSentinels(clone, module, symbols))
    return std::move(err);
  // Shape errors under sentinels mean a dim mixes symbols with other sizes.
  std::string diag;
  LogicalResult refined = success();
  {
    ScopedDiagnosticHandler handler(entry.getContext(), [&](Diagnostic &d) {
      if (diag.empty())
        diag = d.str();
      return success();
    });
    refined = refineEntry(clone);
  }
  if (failed(refined))
    return errorAt(entry.getLoc(), "unsupported symbolic dim expression in entry '" +
                                       entry.getSymName() + "': " + diag);

  SymbolicShapes result;
  auto record = [&](Value original) -> llvm::Error {
    auto orig = dyn_cast<RankedTensorType>(original.getType());
    auto refinedType = dyn_cast<RankedTensorType>(map.lookup(original).getType());
    if (!orig || !refinedType || orig.getRank() != refinedType.getRank())
      return errorAt(original.getLoc(), "value of unranked type in entry '" +
                                            entry.getSymName() + "'");
    SmallVector<int64_t, 4> dims;
    for (auto [d, o, r] : llvm::enumerate(orig.getShape(), refinedType.getShape())) {
      int64_t k = (r - 1000003) / 7919;
      if (r >= 1000003 && (r - 1000003) % 7919 == 0 && k < (int64_t)symbols.size())
        dims.push_back(-(k + 1));
      else if (!ShapedType::isDynamic(r) && r == o)
        dims.push_back(r);
      else
        return errorAt(original.getLoc(),
                       "unsupported symbolic dim expression: dim " + Twine(d) +
                           " of a value of type '" + Twine(typeString(orig)) +
                           "' is not a model symbol or a constant");
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
