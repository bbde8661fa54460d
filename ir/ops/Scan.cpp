//===- Scan.cpp - nn.scan: shape rule, verifier, gradient through time ----===//
//
// The gradient is backpropagation through time as two loops (docs/design.md,
// "Recurrences"): the forward loop, extended to also stack the carried values each step
// starts from, and a reverse loop whose body recomputes one forward step from its saved
// state and sweeps back through it (ir/ReverseSweep.h). Per-step intermediates are
// recomputed rather than stored: the memory of the saved states is O(S * state).
//
//===----------------------------------------------------------------------------===//
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "ir/ops/CompatibleTypes.h"
#include "ir/ReverseSweep.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace nn;

namespace {

/// One step's slice of a sequence type: the leading dim dropped.
Type sliceType(Type sequence) {
  auto t = cast<RankedTensorType>(sequence);
  return RankedTensorType::get(t.getShape().drop_front(), t.getElementType());
}

/// A per-step type stacked along a new leading dim of `steps`.
Type stackedType(Type step, int64_t steps) {
  auto t = cast<RankedTensorType>(step);
  SmallVector<int64_t> shape{steps};
  llvm::append_range(shape, t.getShape());
  return RankedTensorType::get(shape, t.getElementType());
}

/// The number of steps: `length` when given, else the leading dim of the sequences
/// (the first static one).
int64_t stepCount(TypeRange sequences, std::optional<uint64_t> length) {
  if (length)
    return int64_t(*length);
  for (Type t : sequences)
    if (auto r = dyn_cast<RankedTensorType>(t); r && r.getRank() > 0 && !r.isDynamicDim(0))
      return r.getDimSize(0);
  return ShapedType::kDynamic;
}

/// The body's argument types for these operands.
SmallVector<Type> bodyArgumentTypes(TypeRange carried, TypeRange sequences,
                                    TypeRange invariants) {
  SmallVector<Type> types(carried);
  for (Type t : sequences)
    types.push_back(sliceType(t));
  llvm::append_range(types, invariants);
  return types;
}

} // namespace

//===----------------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------------===//

ScanOp nn::buildScan(OpBuilder &b, Location loc, ValueRange carried, ValueRange sequences,
                     ValueRange invariants, bool reverse, ScanBodyBuilder body,
                     std::optional<int64_t> length) {
  if (sequences.empty() && !length) {
    emitError(loc, "'nn.scan' without sequences needs a length");
    return {};
  }
  for (Value s : sequences)
    if (auto t = dyn_cast<RankedTensorType>(s.getType()); !t || t.getRank() == 0) {
      emitError(loc, "'nn.scan' sequence of type ") << s.getType()
                                                    << " has no leading (time) dim";
      return {};
    }
  auto region = std::make_unique<Region>();
  Block *block = new Block;
  region->push_back(block);
  for (Type t : bodyArgumentTypes(carried.getTypes(), sequences.getTypes(),
                                  invariants.getTypes()))
    block->addArgument(t, loc);
  SmallVector<Value> yields;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(block);
    if (failed(body(b, block->getArguments(), yields)) ||
        llvm::any_of(yields, [](Value v) { return !v; }))
      return {};
    b.create<YieldOp>(loc, yields);
  }
  if (yields.size() < carried.size()) {
    emitError(loc, "'nn.scan' body yields ")
        << yields.size() << " values for " << carried.size() << " carried values";
    return {};
  }
  std::optional<uint64_t> steps;
  if (length)
    steps = uint64_t(*length);
  SmallVector<Type> stacked;
  for (Value y : ArrayRef(yields).drop_front(carried.size()))
    stacked.push_back(stackedType(y.getType(), stepCount(sequences.getTypes(), steps)));
  auto scan = b.create<ScanOp>(loc, carried.getTypes(), stacked, carried, sequences,
                               invariants, reverse ? b.getUnitAttr() : UnitAttr(),
                               length ? b.getI64IntegerAttr(*length) : IntegerAttr());
  scan.getBody().takeBody(*region);
  return scan;
}

//===----------------------------------------------------------------------------===//
// Shape rule and verifier
//===----------------------------------------------------------------------------===//

int64_t ScanOp::getStaticStepCount() {
  return stepCount(getSequences().getTypes(), getLength());
}

SmallVector<Type> ScanOp::getBodyArgumentTypes() {
  return bodyArgumentTypes(getCarried().getTypes(), getSequences().getTypes(),
                           getInvariants().getTypes());
}

LogicalResult ScanOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Region &body = adaptor.getBody();
  if (body.empty())
    return emitOptionalError(loc, "'nn.scan' has no body");
  Operation *terminator = body.front().getTerminator();
  unsigned numCarried = adaptor.getCarried().size();
  if (!terminator || terminator->getNumOperands() < numCarried)
    return emitOptionalError(loc, "'nn.scan' body yields fewer values than it carries");
  llvm::append_range(types, adaptor.getCarried().getTypes());
  int64_t steps = stepCount(adaptor.getSequences().getTypes(), adaptor.getLength());
  for (Type t : TypeRange(terminator->getOperandTypes()).drop_front(numCarried)) {
    if (!isa<RankedTensorType>(t))
      return emitOptionalError(loc, "'nn.scan' body yields an unranked ", t);
    types.push_back(stackedType(t, steps));
  }
  return success();
}

NN_COMPATIBLE_RETURN_TYPES(ScanOp)

LogicalResult ScanOp::verify() {
  std::optional<uint64_t> length = getLength();
  if (getSequences().empty() && !length)
    return emitOpError("needs a sequence or a length (the number of steps)");
  if (length && (*length < 1 || *length > uint64_t(INT32_MAX)))
    return emitOpError("length must be in [1, 2^31 - 1], got ") << *length;
  int64_t steps = length ? int64_t(*length) : ShapedType::kDynamic;
  for (Value s : getSequences()) {
    auto t = dyn_cast<RankedTensorType>(s.getType());
    if (!t || t.getRank() == 0)
      return emitOpError("sequence of type ") << s.getType() << " has no leading (time) dim";
    if (t.isDynamicDim(0)) {
      // The runtime takes the number of steps from a slot: a sequence with a dynamic
      // dim could be shorter than the static length.
      if (length)
        return emitOpError("sequence of type ")
               << s.getType() << " has a dynamic length but the loop runs " << *length
               << " steps";
      continue;
    }
    if (length && steps != t.getDimSize(0))
      return emitOpError("sequence of length ")
             << t.getDimSize(0) << " in a loop of length " << steps;
    if (!ShapedType::isDynamic(steps) && steps != t.getDimSize(0))
      return emitOpError("sequences have different lengths: ")
             << steps << " and " << t.getDimSize(0);
    steps = t.getDimSize(0);
  }
  Block &body = getBodyBlock();
  SmallVector<Type> expected = getBodyArgumentTypes();
  if (body.getNumArguments() != expected.size())
    return emitOpError("body has ") << body.getNumArguments() << " arguments for "
                                    << expected.size()
                                    << " carried values, sequences and invariants";
  for (auto [i, arg, type] : llvm::enumerate(body.getArgumentTypes(), expected))
    if (arg != type)
      return emitOpError("body argument #") << i << " has type " << arg << ", expected "
                                            << type;
  auto yield = cast<YieldOp>(body.getTerminator());
  unsigned k = getCarried().size();
  if (yield.getValues().size() != k + getStacked().size())
    return emitOpError("body yields ") << yield.getValues().size() << " values for "
                                       << k << " carried values and "
                                       << getStacked().size() << " stacked outputs";
  for (unsigned i = 0; i < k; ++i)
    if (!areCompatibleTypes(yield.getValues()[i].getType(), getCarried()[i].getType()))
      return emitOpError("carried value #")
             << i << " enters as " << getCarried()[i].getType() << " but the body yields "
             << yield.getValues()[i].getType();
  for (auto [i, r] : llvm::enumerate(getFinals()))
    if (!areCompatibleTypes(r.getType(), getCarried()[i].getType()))
      return emitOpError("final value #") << i << " has type " << r.getType()
                                          << ", the carried value "
                                          << getCarried()[i].getType();
  for (auto [j, r] : llvm::enumerate(getStacked())) {
    Type y = yield.getValues()[k + j].getType();
    if (!isa<RankedTensorType>(y) || !areCompatibleTypes(r.getType(), stackedType(y, steps)))
      return emitOpError("stacked output #")
             << j << " has type " << r.getType() << " for steps yielding " << y;
  }
  return success();
}

//===----------------------------------------------------------------------------===//
// Gradient: backpropagation through time
//===----------------------------------------------------------------------------===//

static std::optional<int64_t> lengthOf(ScanOp scan) {
  if (std::optional<uint64_t> n = scan.getLength())
    return int64_t(*n);
  return std::nullopt;
}

LogicalResult ScanOp::buildGradients(OpBuilder &b, ValueRange resultGrads,
                                     SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  unsigned k = getCarried().size(), m = getSequences().size(),
           c = getInvariants().size(), l = getStacked().size();
  Block &body = getBodyBlock();
  auto yield = cast<YieldOp>(body.getTerminator());

  // 1. The forward loop again, stacking the carried values each step starts from. It
  // replaces this op (which is left dead) so that the loop runs once.
  ScanOp forward;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfter(*this);
    forward = buildScan(
        b, loc, getCarried(), getSequences(), getInvariants(), getReverse(),
        [&](OpBuilder &ib, ValueRange args, SmallVectorImpl<Value> &yields) {
          IRMapping map;
          map.map(body.getArguments(), args);
          for (Operation &op : body.without_terminator())
            ib.clone(op, map);
          for (Value v : yield.getValues())
            yields.push_back(map.lookupOrDefault(v));
          llvm::append_range(yields, args.take_front(k));
          return success();
        },
        lengthOf(*this));
    if (!forward)
      return failure();
    for (auto [from, to] : llvm::zip(getResults(), forward.getResults()))
      from.replaceAllUsesWith(to);
  }
  ValueRange states = forward.getStacked().take_back(k);

  // 2. The reverse loop. Carried: the adjoints of the f32 carried values, then the
  // accumulated gradients of the f32 invariants. Per step: the sequences' slices, the
  // saved states and the stacked outputs' adjoints. Invariants: the forward ones.
  SmallVector<unsigned> dCarried, dSequences, dInvariants;
  for (unsigned i = 0; i < k; ++i)
    if (isDifferentiable(getCarried()[i]))
      dCarried.push_back(i);
  for (unsigned i = 0; i < m; ++i)
    if (isDifferentiable(getSequences()[i]))
      dSequences.push_back(i);
  for (unsigned i = 0; i < c; ++i)
    if (isDifferentiable(getInvariants()[i]))
      dInvariants.push_back(i);
  SmallVector<Value> revCarried, revSequences(getSequences());
  for (unsigned i : dCarried)
    revCarried.push_back(resultGrads[i]);
  for (unsigned i : dInvariants)
    revCarried.push_back(zerosLike(b, loc, getInvariants()[i]));
  llvm::append_range(revSequences, states);
  llvm::append_range(revSequences, resultGrads.drop_front(k));
  if (llvm::any_of(revCarried, [](Value v) { return !v; }))
    return failure();

  unsigned nc = dCarried.size(), ni = dInvariants.size();
  ScanOp reverse = buildScan(
      b, loc, revCarried, revSequences, getInvariants(), !getReverse(),
      [&](OpBuilder &ib, ValueRange args, SmallVectorImpl<Value> &yields) {
        ValueRange dState = args.take_front(nc), dAcc = args.slice(nc, ni);
        ValueRange x = args.slice(nc + ni, m), s = args.slice(nc + ni + m, k),
                   dy = args.slice(nc + ni + m + k, l), inv = args.take_back(c);
        // Recompute the step from its saved state.
        IRMapping map;
        map.map(getCarriedArgs(), s);
        map.map(getStepArgs(), x);
        map.map(getInvariantArgs(), inv);
        SmallVector<Operation *> step;
        for (Operation &op : body.without_terminator())
          step.push_back(ib.clone(op, map));
        SmallVector<Value> seeds;
        for (ValueRange range : {s, x, inv})
          for (Value v : range)
            if (isDifferentiable(v))
              seeds.push_back(v);
        llvm::DenseSet<Value> active = activeValues(step, seeds);
        // Seed the adjoints of what the step yields, then sweep back through it.
        DenseMap<Value, Value> adjoint;
        auto seed = [&](Value yielded, Value grad) {
          Value v = map.lookupOrDefault(yielded);
          return active.contains(v) ? accumulate(ib, loc, adjoint, v, grad) : success();
        };
        for (auto [j, i] : llvm::enumerate(dCarried))
          if (failed(seed(yield.getValues()[i], dState[j])))
            return failure();
        for (unsigned j = 0; j < l; ++j)
          if (isDifferentiable(dy[j]) && failed(seed(yield.getValues()[k + j], dy[j])))
            return failure();
        if (failed(reverseSweep(ib, step, active, adjoint)))
          return failure();
        auto gradOf = [&](Value v) {
          Value g = adjoint.lookup(v);
          return g ? g : zerosLike(ib, loc, v);
        };
        for (unsigned i : dCarried)
          yields.push_back(gradOf(s[i]));
        for (auto [j, i] : llvm::enumerate(dInvariants)) {
          Value g = adjoint.lookup(inv[i]);
          yields.push_back(g ? buildInferred<AddOp>(ib, loc, {dAcc[j], g}) : dAcc[j]);
        }
        for (unsigned i : dSequences)
          yields.push_back(gradOf(x[i]));
        return success();
      },
      lengthOf(*this));
  if (!reverse)
    return failure();

  auto finals = reverse.getFinals();
  for (unsigned i = 0, j = 0; i < k; ++i)
    operandGrads.push_back(isDifferentiable(getCarried()[i]) ? finals[j++] : Value());
  for (unsigned i = 0, j = 0; i < m; ++i)
    operandGrads.push_back(isDifferentiable(getSequences()[i]) ? reverse.getStacked()[j++]
                                                               : Value());
  for (unsigned i = 0, j = 0; i < c; ++i)
    operandGrads.push_back(isDifferentiable(getInvariants()[i]) ? finals[nc + j++]
                                                                : Value());
  return success();
}

//===----------------------------------------------------------------------------===//
// Canonicalization: drop what no one reads
//===----------------------------------------------------------------------------===//

namespace {

/// The ops of `block` that depend on `arg`, in block order.
SmallVector<Operation *> usersOf(Block &block, Value arg) {
  llvm::SetVector<Operation *> slice;
  for (Operation &op : block.without_terminator())
    if (llvm::any_of(op.getOperands(), [&](Value v) {
          return v == arg || (v.getDefiningOp() && slice.contains(v.getDefiningOp()));
        }))
      slice.insert(&op);
  return slice.takeVector();
}

/// Removes stacked outputs no one reads, carried values whose final value no one reads
/// and that only feed their own next value (gradient accumulators of invariants that
/// need none), and sequences and invariants the body does not read. The gradient loop
/// is built for every f32 operand; this leaves the ones a loss needs.
struct DropUnused : public OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp scan, PatternRewriter &rewriter) const override {
    Block &body = scan.getBodyBlock();
    auto yield = cast<YieldOp>(body.getTerminator());
    unsigned k = scan.getCarried().size(), m = scan.getSequences().size();
    // Decide what goes.
    llvm::SmallBitVector dropCarried(k), dropStacked(scan.getStacked().size()),
        dropArg(body.getNumArguments());
    SmallVector<Operation *> dead;
    for (unsigned i = 0; i < k; ++i) {
      if (!scan.getFinals()[i].use_empty())
        continue;
      Value arg = body.getArgument(i);
      SmallVector<Operation *> slice = usersOf(body, arg);
      llvm::SmallPtrSet<Operation *, 8> inSlice(slice.begin(), slice.end());
      bool onlyItself = llvm::all_of(slice, [&](Operation *op) {
        return llvm::all_of(op->getUsers(), [&](Operation *user) {
          return inSlice.contains(user) || user == yield;
        });
      });
      for (OpOperand &use : yield->getOpOperands()) {
        Operation *def = use.get().getDefiningOp();
        bool fromSlice = use.get() == arg || (def && inSlice.contains(def));
        if (fromSlice && use.getOperandNumber() != i)
          onlyItself = false;
      }
      if (!onlyItself)
        continue;
      dropCarried.set(i);
      dropArg.set(i);
      dead.append(slice.begin(), slice.end());
    }
    for (auto [j, r] : llvm::enumerate(scan.getStacked()))
      if (r.use_empty())
        dropStacked.set(j);
    llvm::SmallPtrSet<Operation *, 8> deadSet(dead.begin(), dead.end());
    for (unsigned a = k; a < body.getNumArguments(); ++a) {
      // A sequence or invariant the body does not read (without a length, the last
      // sequence stays: it sets the number of steps).
      bool unused = llvm::all_of(body.getArgument(a).getUsers(), [&](Operation *user) {
        return deadSet.contains(user);
      });
      if (unused)
        dropArg.set(a);
    }
    unsigned keptSequences = 0;
    for (unsigned a = k; a < k + m; ++a)
      keptSequences += !dropArg.test(a);
    if (keptSequences == 0 && m > 0 && !scan.getLength())
      dropArg.reset(k + m - 1);
    if (dropCarried.none() && dropStacked.none() && dropArg.none())
      return failure();

    // Rebuild without them.
    SmallVector<Value> carried, sequences, invariants, yields;
    for (unsigned i = 0; i < k; ++i)
      if (!dropCarried.test(i))
        carried.push_back(scan.getCarried()[i]);
    for (unsigned i = 0; i < m; ++i)
      if (!dropArg.test(k + i))
        sequences.push_back(scan.getSequences()[i]);
    for (auto [i, v] : llvm::enumerate(scan.getInvariants()))
      if (!dropArg.test(k + m + i))
        invariants.push_back(v);
    for (auto [i, v] : llvm::enumerate(yield.getValues()))
      if (i < k ? !dropCarried.test(i) : !dropStacked.test(i - k))
        yields.push_back(v);
    SmallVector<Type> stackedTypes;
    for (auto [j, r] : llvm::enumerate(scan.getStacked()))
      if (!dropStacked.test(j))
        stackedTypes.push_back(r.getType());
    rewriter.setInsertionPoint(scan);
    auto fresh = rewriter.create<ScanOp>(scan.getLoc(), ValueRange(carried).getTypes(),
                                         stackedTypes, carried, sequences, invariants,
                                         scan.getReverseAttr(), scan.getLengthAttr());
    rewriter.inlineRegionBefore(scan.getBody(), fresh.getBody(), fresh.getBody().end());
    Block &moved = fresh.getBodyBlock();
    rewriter.setInsertionPoint(yield);
    rewriter.replaceOpWithNewOp<YieldOp>(yield, yields);
    for (Operation *op : llvm::reverse(dead))
      rewriter.eraseOp(op);
    for (int a = int(moved.getNumArguments()) - 1; a >= 0; --a)
      if (dropArg.test(a))
        moved.eraseArgument(a);

    SmallVector<Value> replacements;
    unsigned nextFinal = 0, nextStacked = 0;
    for (unsigned i = 0; i < k; ++i)
      replacements.push_back(dropCarried.test(i) ? Value()
                                                 : fresh.getFinals()[nextFinal++]);
    for (unsigned j = 0; j < scan.getStacked().size(); ++j)
      replacements.push_back(dropStacked.test(j) ? Value()
                                                 : fresh.getStacked()[nextStacked++]);
    rewriter.replaceOp(scan, replacements);
    return success();
  }
};

} // namespace

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *ctx) {
  patterns.add<DropUnused>(ctx);
}
