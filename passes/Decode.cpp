//===- Decode.cpp - an incremental decoding entry from a causal `infer` ---===//
//
// A next-token model's `infer` maps i32 `tokens` [B, W] to scores [B, W, V]; generating
// text with it runs the whole window once per token, O(W^2) work for attention. When
// every op of `infer` treats the W positions independently, except causal attention
// (scores, mask, softmax, weighted sum), the row of position t depends only on tokens
// 0 .. t, through the keys and values of earlier positions. This pass then derives the
// entry `decode`, which computes one position per call from a key/value cache:
//
//   inputs   decode.tokens  i32 [B, 1]   the token at position t
//            decode.position i32 [1]     t, in [0, W)
//            decode.cache<k> f32         one per attention operand that ranges over
//                                        keys (K and V of each layer), its key axis W
//   outputs  every output of `infer`, at position t (dim W -> 1),
//            decode.cache<k>             the cache with position t written
//
// An output named like an input is state: the caller feeds it back (the `generate`
// driver does, starting from zeros). The derivation tags each value of `infer` with
// the axis that runs over positions (the query axis) and, for attention scores, the
// axis that runs over keys, and rebuilds each op on its one-position operands:
//  - elementwise ops, reductions over other axes, split_heads/merge_heads, gather and
//    matmuls against weights keep the position axis; an operand that is not per
//    position but spans the W positions (a learned position table [W, D]) is read at t
//    (`nn.gather` of row t);
//  - a matmul whose rhs is per position contracts over, or ranges over, the keys: the
//    rhs row of position t is written into its cache (`nn.dynamic_update_slice`) and
//    the product reads the whole cache; a product ranging over keys gives values with a
//    key axis of W;
//  - `nn.causal_mask` of such scores masks keys after t (its `offset` operand), so the
//    cache slots not yet written (zeros, or an earlier text's) get weight exactly 0;
//  - a reduction over the key axis (the softmax) drops the key tag.
// It runs after nn-expand, so it sees a softmax as the composition it expands to.
// Anything else (a reduction or reshape across positions, a recurrence, an output with
// a key axis) means no `decode` entry; -debug-only=nn-decode says why. A model without
// attention gets none either: it would gain nothing.
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "ir/NNTraits.h"
#include "passes/ModelInputs.h"
#include "passes/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "nn-decode"

namespace nn {
#define GEN_PASS_DEF_NNDECODE
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

namespace {

// The entry and input names; the runtime's mirrors are in nnrt/model.h
// (NNRT_DECODE_ENTRY ...): the compiler includes no runtime header.
constexpr StringLiteral kDecodeEntry = "decode";
constexpr StringLiteral kTokensInput = "decode.tokens";
constexpr StringLiteral kPositionInput = "decode.position";
constexpr StringLiteral kCachePrefix = "decode.cache";

/// The axes of a value of `infer` that run over positions: `pos` over queries (the
/// tokens' positions), `key` over keys (attention scores); -1 when none.
struct Axes {
  int64_t pos = -1;
  int64_t key = -1;
};

class DecodeBuilder {
public:
  DecodeBuilder(ModuleOp module, func::FuncOp infer) : module(module), infer(infer) {}

  /// Builds `decode` after `infer`; on failure, erases what it built and says why
  /// (LLVM_DEBUG).
  void run();

private:
  LogicalResult build();
  LogicalResult visit(Operation *op);
  LogicalResult reject(Operation *op, const Twine &why) {
    LLVM_DEBUG(llvm::dbgs() << "nn-decode: no decode entry: " << why << " at "
                            << op->getLoc() << "\n");
    return failure();
  }

  int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }
  int64_t dimOf(Value v, int64_t i) {
    return cast<RankedTensorType>(v.getType()).getDimSize(i);
  }
  /// Clones `op` onto its mapped operands (`operands` when given) and infers its result
  /// types from them.
  Operation *rebuild(Operation *op, ValueRange operands = {});
  /// The value `v` of `infer`, read at the current position when it spans the W
  /// positions along its dim `axis` without being per position (a position table).
  FailureOr<Value> atPosition(Operation *user, Value v, int64_t axis);
  /// The cache of the per-position value `v` of `infer` (position axis `axis`), with
  /// the current position written.
  Value cacheOf(Value v, int64_t axis);

  ModuleOp module;
  func::FuncOp infer;
  func::FuncOp decode;
  OpBuilder b{module.getContext()};
  IRMapping map;
  DenseMap<Value, Axes> axes;
  DenseMap<Value, Value> caches;
  SmallVector<std::string> cacheNames; ///< of the caches' inputs and outputs, in order
  SmallVector<Value> cacheResults;
  Value position;
  int64_t window = 0;
  StringAttr batchSymbol;
};

Operation *DecodeBuilder::rebuild(Operation *op, ValueRange operands) {
  Operation *copy = b.clone(*op, map);
  if (!operands.empty())
    copy->setOperands(operands);
  if (auto iface = dyn_cast<InferTypeOpInterface>(copy)) {
    SmallVector<Type> types;
    if (failed(iface.inferReturnTypes(copy->getContext(), copy->getLoc(),
                                      copy->getOperands(), copy->getRawDictionaryAttrs(),
                                      copy->getPropertiesStorage(), copy->getRegions(),
                                      types)))
      return nullptr;
    for (auto [r, t] : llvm::zip(copy->getResults(), types))
      r.setType(t);
  }
  for (auto [from, to] : llvm::zip(op->getResults(), copy->getResults()))
    map.map(from, to);
  return copy;
}

FailureOr<Value> DecodeBuilder::atPosition(Operation *user, Value v, int64_t axis) {
  if (axis < 0 || axis >= rankOf(v) || dimOf(v, axis) == 1)
    return map.lookup(v);
  if (axis == 0 && rankOf(v) == 2 && dimOf(v, 0) == window)
    return buildInferred<GatherOp>(b, user->getLoc(), {map.lookup(v), position});
  (void)reject(user, "an operand spans the positions along dim " + Twine(axis) +
                         " without being computed per position");
  return failure();
}

Value DecodeBuilder::cacheOf(Value v, int64_t axis) {
  if (Value cache = caches.lookup(v))
    return cache;
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = window;
  auto cacheType = RankedTensorType::get(shape, type.getElementType());
  std::string name = (kCachePrefix + Twine(cacheNames.size())).str();
  cacheNames.push_back(name);
  Value cache = appendInputArg(decode, name, cacheType, v.getLoc());
  Value written = buildInferred<DynamicUpdateSliceOp>(
      b, v.getLoc(), {cache, map.lookup(v), position},
      {b.getNamedAttr("axis", b.getI64IntegerAttr(axis))});
  cacheResults.push_back(written);
  caches[v] = written;
  return written;
}

LogicalResult DecodeBuilder::visit(Operation *op) {
  auto axesOf = [&](Value v) { return axes.lookup(v); };
  auto set = [&](Operation *copy, Axes a) {
    if (!copy)
      return failure();
    axes[op->getResult(0)] = a;
    return success();
  };
  if (isa<ConstantOp>(op)) {
    rebuild(op);
    axes[op->getResult(0)] = {};
    return success();
  }
  if (auto mask = dyn_cast<CausalMaskOp>(op)) {
    Axes like = axesOf(mask.getLike());
    int64_t r = rankOf(mask.getLike());
    if (like.pos != r - 2 || like.key != r - 1 || mask.getOffset())
      return reject(op, "a causal mask of values that are not attention scores");
    return set(rebuild(op, {map.lookup(mask.getLike()), position}), {r - 2, r - 1});
  }
  if (op->hasTrait<OpTrait::NNElementwise>() || isa<StopGradientOp>(op)) {
    int64_t r = rankOf(op->getResult(0));
    Axes result;
    for (Value v : op->getOperands()) {
      Axes a = axesOf(v);
      int64_t shift = r - rankOf(v);
      for (auto [mine, theirs] : {std::pair{a.pos, &result.pos}, {a.key, &result.key}}) {
        if (mine < 0)
          continue;
        if (*theirs >= 0 && *theirs != mine + shift)
          return reject(op, "operands with their positions on different axes");
        *theirs = mine + shift;
      }
    }
    if (result.pos >= 0 && result.pos == result.key)
      return reject(op, "positions of queries and keys on one axis");
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      Axes a = axesOf(v);
      int64_t shift = r - rankOf(v);
      if (a.pos >= 0 || a.key >= 0) {
        if ((a.pos < 0 && result.pos - shift >= 0 && dimOf(v, result.pos - shift) != 1) ||
            (a.key < 0 && result.key - shift >= 0 && dimOf(v, result.key - shift) != 1))
          return reject(op, "an operand with keys where another has queries");
        operands.push_back(map.lookup(v));
        continue;
      }
      FailureOr<Value> read = atPosition(op, v, result.pos - shift);
      if (failed(read))
        return failure();
      operands.push_back(*read);
    }
    return set(rebuild(op, operands), result);
  }
  if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>(op)) {
    Axes a = axesOf(op->getOperand(0));
    auto reduced = op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
    auto keep = op->getAttrOfType<BoolAttr>("keepdims");
    if (a.pos < 0 && a.key < 0)
      return set(rebuild(op), {});
    if (reduced.empty() || llvm::is_contained(reduced, a.pos))
      return reject(op, "a reduction across positions");
    auto after = [&](int64_t axis) {
      if (axis < 0 || llvm::is_contained(reduced, axis))
        return int64_t(-1);
      if (keep && keep.getValue())
        return axis;
      return axis - int64_t(llvm::count_if(reduced, [&](int64_t d) { return d < axis; }));
    };
    return set(rebuild(op), {after(a.pos), after(a.key)});
  }
  if (auto split = dyn_cast<SplitHeadsOp>(op)) {
    Axes a = axesOf(split.getX());
    int64_t r = rankOf(split.getX());
    if (a.key >= 0 || a.pos == r - 1)
      return reject(op, "heads split across positions");
    return set(rebuild(op), {a.pos < 0 ? -1 : a.pos == r - 2 ? r - 1 : a.pos, -1});
  }
  if (auto merge = dyn_cast<MergeHeadsOp>(op)) {
    Axes a = axesOf(merge.getX());
    int64_t r = rankOf(merge.getX());
    if (a.key >= 0 || a.pos == r - 3 || a.pos == r - 1)
      return reject(op, "heads merged across positions");
    return set(rebuild(op), {a.pos < 0 ? -1 : a.pos == r - 2 ? r - 3 : a.pos, -1});
  }
  if (auto gather = dyn_cast<GatherOp>(op)) {
    Axes table = axesOf(gather.getTable()), indices = axesOf(gather.getIndices());
    if (table.pos >= 0 || table.key >= 0 || indices.key >= 0)
      return reject(op, "a gather from a table computed per position");
    return set(rebuild(op), {indices.pos, -1});
  }
  if (auto mm = dyn_cast<MatmulOp>(op)) {
    Value lhs = mm.getLhs(), rhs = mm.getRhs();
    Axes a = axesOf(lhs), w = axesOf(rhs);
    int64_t ra = rankOf(lhs), rb = rankOf(rhs), r = rankOf(mm.getResult());
    int64_t m = mm.getTransposeLhs() ? ra - 1 : ra - 2, k = mm.getTransposeLhs() ? ra - 2 : ra - 1;
    int64_t kb = mm.getTransposeRhs() ? rb - 1 : rb - 2, n = mm.getTransposeRhs() ? rb - 2 : rb - 1;
    if (a.pos != m || (a.key >= 0 && a.key != k))
      return reject(op, "a product whose left operand is not per position along its rows");
    if (w.pos < 0 && w.key < 0) {
      if (a.key >= 0)
        return reject(op, "a product of keys with weights");
      return set(rebuild(op), {r - 2, -1});
    }
    if (w.key >= 0 || rb != ra)
      return reject(op, "a product with keys on both sides");
    if (w.pos == n && a.key < 0) // scores: queries x keys
      return set(rebuild(op, {map.lookup(lhs), cacheOf(rhs, w.pos)}), {r - 2, r - 1});
    if (w.pos == kb && a.key == k) // weights of keys x values
      return set(rebuild(op, {map.lookup(lhs), cacheOf(rhs, w.pos)}), {r - 2, -1});
    return reject(op, "a product that mixes positions and keys");
  }
  return reject(op, "'" + op->getName().getStringRef() + "' is not known to be causal");
}

LogicalResult DecodeBuilder::build() {
  // One input, i32 tokens [B, W] with a static window.
  int tokensArg = -1;
  for (unsigned i = 0; i < infer.getNumArguments(); ++i)
    if (infer.getArgAttr(i, "nn.input")) {
      if (tokensArg >= 0)
        return reject(infer, "'infer' reads several inputs");
      tokensArg = int(i);
    }
  if (tokensArg < 0)
    return reject(infer, "'infer' reads no input");
  auto inputRef = infer.getArgAttrOfType<FlatSymbolRefAttr>(tokensArg, "nn.input");
  auto input = module.lookupSymbol<InputOp>(inputRef.getValue());
  auto tokensType = dyn_cast<RankedTensorType>(infer.getArgument(tokensArg).getType());
  if (!input || inputRef.getValue() != "tokens" || !tokensType ||
      tokensType.getRank() != 2 || !tokensType.getElementType().isInteger(32) ||
      tokensType.isDynamicDim(1) || tokensType.getDimSize(1) < 2)
    return reject(infer, "'infer' does not read i32 tokens [B, W] with a static window");
  window = tokensType.getDimSize(1);
  batchSymbol = cast<StringAttr>(input.getDims()[0]);

  b.setInsertionPointAfter(infer);
  Location loc = infer.getLoc();
  decode = b.create<func::FuncOp>(loc, kDecodeEntry, b.getFunctionType({}, {}));
  Block *body = decode.addEntryBlock();
  auto oneToken = RankedTensorType::get({tokensType.getDimSize(0), 1}, b.getI32Type());
  Value token = appendInputArg(decode, kTokensInput, oneToken, loc);
  position = appendInputArg(decode, kPositionInput,
                            RankedTensorType::get({1}, b.getI32Type()), loc);
  for (unsigned i = 0; i < infer.getNumArguments(); ++i) {
    Value arg = infer.getArgument(i);
    if (int(i) == tokensArg) {
      map.map(arg, token);
      axes[arg] = {1, -1};
      continue;
    }
    unsigned index = decode.getNumArguments();
    (void)decode.insertArgument(index, arg.getType(), infer.getArgAttrDict(i), loc);
    map.map(arg, decode.getArgument(index));
  }

  b.setInsertionPointToStart(body);
  Block &block = infer.getBody().front();
  for (Operation &op : block.without_terminator())
    if (op.getNumResults() != 1 || failed(visit(&op)))
      return op.getNumResults() == 1 ? failure()
                                     : reject(&op, "an op with several results");
  if (cacheResults.empty())
    return reject(infer, "'infer' has no attention over earlier positions");

  auto ret = cast<func::ReturnOp>(block.getTerminator());
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    if (axes.lookup(v).key >= 0)
      return reject(ret, "an output over keys");
    results.push_back(map.lookup(v));
    resultAttrs.push_back(infer.getResultAttrDict(i));
  }
  for (auto [value, name] : llvm::zip(cacheResults, cacheNames)) {
    results.push_back(value);
    resultAttrs.push_back(b.getDictionaryAttr(
        b.getNamedAttr("nn.output", b.getStringAttr(name))));
  }
  b.create<func::ReturnOp>(ret.getLoc(), results);
  decode.setType(FunctionType::get(b.getContext(), decode.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
  decode.setAllResultAttrs(resultAttrs);
  return success();
}

void DecodeBuilder::run() {
  if (failed(build())) {
    if (decode)
      decode.erase();
    return;
  }
  // The inputs, after the model's own; every dynamic dim is the tokens' batch (the
  // window is static and `infer` reads no other input).
  for (unsigned i = 0; i < decode.getNumArguments(); ++i)
    if (auto ref = decode.getArgAttrOfType<FlatSymbolRefAttr>(i, "nn.input"))
      declareInput(module, ref.getValue(),
                   cast<RankedTensorType>(decode.getArgument(i).getType()), infer.getLoc(),
                   batchSymbol.getValue());
}

struct DecodePass : public nn::impl::NNDecodeBase<DecodePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto infer = module.lookupSymbol<func::FuncOp>("infer");
    if (!infer || infer.isExternal() || module.lookupSymbol(kDecodeEntry) ||
        module.lookupSymbol(kTokensInput))
      return;
    DecodeBuilder(module, infer).run();
  }
};

} // namespace
