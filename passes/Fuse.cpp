//===- Fuse.cpp - partition functions into nn.kernel regions ---------------===//
//
// Greedy fusion over a group graph. Every compute op starts as a group of its own;
// groups merge, to a fixpoint, when the rules below allow it and no cycle between
// groups would follow:
//   producer-consumer: a group merges with the group of an operand's producer:
//     elementwise chains, reductions with their elementwise producers and epilogues,
//     a contraction (matmul, convolutions) with its elementwise epilogue (ops of the
//     product's shape), and through that epilogue with other matmuls of the same shape
//     whose results it combines, when their weights fit L1 together (an LSTM step's
//     four gate products and the cell update are one kernel: the products share its
//     output tiles); a direct convolution whose result only a max pool reads takes the
//     pool (poolsConvolution); a scatter-add (terms added serially at data-dependent
//     positions) merges with nothing;
//   siblings: independent groups of elementwise ops (the per-parameter optimizer
//     updates) merge into one multi-result kernel;
//   attention (after the fixpoint, mergeAttention): batched scores (a matmul of two
//     batched operands, static in its last two dims), the softmax of them along their
//     last axis (row-local reductions and pointwise ops) and the matmul whose lhs is
//     the softmax become one kernel, which codegen computes per batch element with
//     the scores kept in registers (codegen/ScheduleAttention.cpp).
// What stops a merge (a contraction reads its operands many times; its kernel is
// tiled over the product, so it takes no reduction and no op of another shape; a
// reshape is a buffer alias; a cycle) is recorded per kernel input in the kernel's
// `nn.fusion` dictionary, for `nnc --fusion-report`. One exception to "a contraction reads
// its operands many times": an operand computed by a few pointwise ops from function
// arguments and constants alone (an input's standardisation, say) is cloned into each
// contraction kernel that reads it, as a prologue that codegen computes once per row tile
// or once per call instead of per element use; it needs no kernel of its own. A
// reshape between the two moves to the arguments. A scalar computed from arguments and
// constants alone (Adam's step sizes) is computed in every kernel that reads it, as a
// constant is, so that no kernel waits for another to compute it (markArgumentScalars).
// After merging, a pointwise op whose every consumer group reads its operands anyway is
// copied into those groups rather than stored (recomputeInConsumers). A value used
// outside its group becomes a kernel result; results are ordered by type so that
// codegen can compute results of one shape in one loop nest. Constants are cloned into
// every kernel that reads them.
//
//===----------------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "ir/Views.h"
#include "ir/ops/WinogradShape.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallSet.h"
#include <functional>

namespace nn {
#define GEN_PASS_DEF_NNFUSE
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

namespace {

/// How fusion treats an op, read from the op's traits (ir/NNTraits.h), which follow
/// how codegen computes it: a pure function of the index, an accumulator, or a view.
enum class OpClass {
  Pointwise,   ///< each element from operand elements at broadcast positions or shapes
  Permute,     ///< each element from one operand element at a permuted position
  Reduction,   ///< an accumulator over some dims of its operand
  Contraction, ///< matmul, convolutions: read every operand element many times
  Scatter,     ///< scatter_add: terms added serially at data-dependent positions
  Alias,       ///< reshape, and split_heads/merge_heads marked views: a view of its
               ///< operand's buffer (ir/Views.h)
  Constant,    ///< cloned into each kernel that reads it
  Prologue,    ///< part of a contraction operand's prologue, or a scalar computed from
               ///< arguments: computed in each kernel that reads it
  Opaque,      ///< anything else (e.g. a kernel of an earlier run): never fused
};

OpClass classify(Operation *op) {
  if (op->hasTrait<OpTrait::ConstantLike>())
    return OpClass::Constant;
  if (op->hasAttr(kPrologueAttr) || op->hasAttr(kArgumentScalarAttr))
    return OpClass::Prologue;
  if (op->hasAttr(kViewAttr))
    return OpClass::Alias;
  if (op->hasTrait<OpTrait::NNElementwise>() || op->hasTrait<OpTrait::NNPointwise>())
    return OpClass::Pointwise;
  if (op->hasTrait<OpTrait::NNPermute>())
    return OpClass::Permute;
  if (op->hasTrait<OpTrait::NNReduction>())
    return OpClass::Reduction;
  if (op->hasTrait<OpTrait::NNContraction>())
    return OpClass::Contraction;
  if (op->hasTrait<OpTrait::NNAlias>())
    return OpClass::Alias;
  if (op->hasTrait<OpTrait::NNScatter>())
    return OpClass::Scatter;
  // An op without a class trait is classified by what it computes.
  if (auto compute = dyn_cast<ComputeOpInterface>(op)) {
    compute::Computation c = compute.getComputation();
    return c.contraction                         ? OpClass::Contraction
           : c.isScatter()                       ? OpClass::Scatter
           : c.reducer != compute::Reducer::None ? OpClass::Reduction
                                                 : OpClass::Pointwise;
  }
  return OpClass::Opaque;
}

/// Whether nn-fuse puts `op` in a kernel.
bool computedInKernel(Operation *op) {
  switch (classify(op)) {
  case OpClass::Pointwise:
  case OpClass::Permute:
  case OpClass::Reduction:
  case OpClass::Contraction:
  case OpClass::Scatter:
  case OpClass::Prologue:
    return true;
  default:
    return false;
  }
}

// Why a boundary exists; printed by the fusion report.
constexpr const char *ReasonArgument = "function argument";
constexpr const char *ReasonLoopValue = "a value of the loop (computed outside its body)";

/// Why a block argument is a kernel input: the function's, or the enclosing loop's.
const char *argumentReason(BlockArgument arg) {
  return isa<ScanOp>(arg.getOwner()->getParentOp()) ? ReasonLoopValue : ReasonArgument;
}
constexpr const char *ReasonAlias = "reshape is a buffer alias";
constexpr const char *ReasonView = "split_heads and merge_heads are views of a buffer";

/// Why a view's result is a kernel input.
const char *aliasReason(Operation *view) {
  return isa<ReshapeOp>(view) ? ReasonAlias : ReasonView;
}
constexpr const char *ReasonOpaque = "produced by an op that is never fused";
constexpr const char *ReasonLoopResult = "a loop's result (the loop runs between kernels)";
constexpr const char *ReasonContractionOperand =
    "contraction operands are materialized (each element is read once per output tile)";
constexpr const char *ReasonTwoContractions =
    "only matmuls of one shape, with 32 KB of weights together, share a kernel, none "
    "reading another's result";
constexpr const char *ReasonContractionReduction = "a contraction cannot absorb a reduction";
constexpr const char *ReasonPoolConvolution =
    "a max pool joins only a direct convolution (not Winograd's) whose result nothing "
    "else reads, over unpadded windows";
constexpr const char *ReasonEpilogueShape =
    "only elementwise ops of the product's shape join a contraction kernel";
constexpr const char *ReasonCycle = "would create a cycle between kernels";
constexpr const char *ReasonScatter = "a scatter-add is a kernel of its own";

/// Whether `op` is a matmul-like contraction: two operands, one contracted dim (a
/// convolution contracts several and has a schedule of its own).
bool matmulLike(Operation *op) {
  auto compute = dyn_cast<ComputeOpInterface>(op);
  if (!compute || op->getNumOperands() != 2)
    return false;
  compute::Computation c = compute.getComputation();
  return c.contraction && c.reduction.size() == 1;
}

/// The most bytes of rhs operands (weights) that products sharing a kernel's tiles may
/// read together: every row tile streams all of them, so they must stay in L1. An LSTM
/// step of 32 (four [32, 32] weights, 16 KB) gained 5% as one kernel; a GRU step of
/// 128 (three [128, 128], 192 KB) lost 12% (W5's training step, 14.0 to 15.6 ms).
constexpr int64_t MaxSharedRhsBytes = 32 * 1024;

/// Longest op chain recomputed as a contraction prologue.
constexpr unsigned MaxPrologueOps = 8;

/// Collects into `chain` (producers first) the ops computing `v` when they are all
/// pointwise and read only function arguments, constants and each other; with
/// `sameShape`, every operand that is not a rank-0 constant must also have the result's
/// type (so that a reshape of the result can move to the arguments). False otherwise.
bool collectPrologue(Value v, bool sameShape, llvm::SetVector<Operation *> &chain) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return true; // a function argument
  if (chain.contains(def))
    return true;
  if (def->hasTrait<OpTrait::ConstantLike>())
    return !sameShape || cast<ShapedType>(v.getType()).getRank() == 0;
  if (!def->hasTrait<OpTrait::NNElementwise>() && !def->hasTrait<OpTrait::NNPointwise>())
    return false;
  for (Value operand : def->getOperands()) {
    bool scalarConstant = operand.getDefiningOp() &&
                          operand.getDefiningOp()->hasTrait<OpTrait::ConstantLike>() &&
                          cast<ShapedType>(operand.getType()).getRank() == 0;
    if (sameShape && !scalarConstant && operand.getType() != v.getType())
      return false;
    if (!collectPrologue(operand, sameShape, chain))
      return false;
  }
  chain.insert(def);
  return chain.size() <= MaxPrologueOps;
}

/// Gives each contraction its own copy of every operand that qualifies as a prologue (see
/// the file comment), marked with `nn.prologue`, and erases originals left unused.
void clonePrologues(Block &block) {
  llvm::SetVector<Operation *> originals;
  for (Operation &mm : block) {
    if (classify(&mm) != OpClass::Contraction)
      continue;
    for (OpOperand &use : mm.getOpOperands()) {
      Value v = use.get();
      // A reshape between the chain and the contraction moves to the chain's arguments.
      Operation *reshape = v.getDefiningOp();
      bool through = reshape && classify(reshape) == OpClass::Alias;
      Value base = through ? reshape->getOperand(0) : v;
      Operation *def = base.getDefiningOp();
      llvm::SetVector<Operation *> chain;
      if (!def || def->hasTrait<OpTrait::ConstantLike>() ||
          !collectPrologue(base, through, chain))
        continue;
      OpBuilder b(&mm);
      IRMapping map;
      for (Operation *op : chain)
        for (Value operand : op->getOperands()) {
          if (map.contains(operand) || chain.contains(operand.getDefiningOp()))
            continue;
          bool constant = operand.getDefiningOp() &&
                          operand.getDefiningOp()->hasTrait<OpTrait::ConstantLike>();
          if (!through || constant)
            continue;
          IRMapping leaf;
          leaf.map(base, operand); // the operand has base's type (collectPrologue)
          map.map(operand, b.clone(*reshape, leaf)->getResult(0));
        }
      for (Operation *op : chain) {
        Operation *copy = b.clone(*op, map);
        copy->setAttr(kPrologueAttr, b.getUnitAttr());
        if (through)
          copy->getResult(0).setType(v.getType());
      }
      use.set(map.lookup(base));
      originals.insert(chain.begin(), chain.end());
      if (through)
        originals.insert(reshape);
    }
  }
  // Erase what no longer has users, consumers first.
  SmallVector<Operation *> pending(originals.begin(), originals.end());
  for (bool erased = true; erased;) {
    erased = false;
    for (Operation *&op : pending)
      if (op && op->use_empty()) {
        op->erase();
        op = nullptr;
        erased = true;
      }
  }
}

/// Marks (nn.argument_scalar, classified with prologue ops) the scalars computed from
/// function arguments and constants alone (Adam's step sizes, AdamW's decay factor, a
/// schedule's learning rate): each kernel that reads one computes it (outline's
/// addPrologue), as it does a constant.
/// As a kernel result of its own, such a scalar joined, as a sibling, the kernel of
/// every other elementwise update (the biases' Adam steps), which waits for all the
/// gradients; and every kernel reading it waited for that one: W7's weight gradients
/// ran after the whole backward pass, reading activations long out of cache
/// (docs/design.md, "Scalars from arguments"). A scalar also read outside kernels (a
/// step counter's update, returned) keeps its op there and gives kernels a copy.
void markArgumentScalars(Block &block) {
  auto inKernel = [&](Operation *user) {
    return user->getBlock() == &block && computedInKernel(user);
  };
  llvm::SetVector<Operation *> scalars;
  for (Operation &op : block) {
    auto type = op.getNumResults() == 1
                    ? dyn_cast<RankedTensorType>(op.getResult(0).getType())
                    : RankedTensorType();
    if (!type || type.getRank() != 0 || classify(&op) != OpClass::Pointwise)
      continue;
    bool fromArguments = llvm::all_of(op.getOperands(), [&](Value v) {
      if (auto arg = dyn_cast<BlockArgument>(v))
        return arg.getOwner() == &block;
      Operation *def = v.getDefiningOp();
      return def->hasTrait<OpTrait::ConstantLike>() || scalars.contains(def);
    });
    if (fromArguments)
      scalars.insert(&op);
  }
  for (Operation *op : scalars) {
    Operation *marked = op;
    Value r = op->getResult(0);
    if (!llvm::all_of(r.getUsers(), inKernel)) {
      OpBuilder b(op);
      marked = b.clone(*op);
      r.replaceUsesWithIf(marked->getResult(0),
                          [&](OpOperand &use) { return inKernel(use.getOwner()); });
    }
    marked->setAttr(kArgumentScalarAttr, UnitAttr::get(op->getContext()));
  }
}

/// Calls `f` on each value outside the prologue ops that `v` depends on through them
/// (`v` itself when it is not computed by a prologue op).
void forEachPrologueLeaf(Value v, llvm::function_ref<void(Value)> f) {
  Operation *def = v.getDefiningOp();
  if (!def || classify(def) != OpClass::Prologue) {
    f(v);
    return;
  }
  for (Value operand : def->getOperands())
    forEachPrologueLeaf(operand, f);
}

struct Group {
  SmallVector<unsigned> members; ///< op positions (indices into ops), in block order
  bool fixed = false;            ///< a node that never merges (reshape, opaque op)
  bool live = true;
  unsigned contractions = 0, reductions = 0;
  bool scatter = false; ///< a scatter-add: merges with nothing
  bool attention = false; ///< scores, row-local softmax, weighted sum (mergeAttention)
  Operation *contraction = nullptr;
};

/// The group graph of one block and the greedy merging over it.
class Partition {
public:
  explicit Partition(Block &block);
  /// Merges groups to a fixpoint, then recomputes cheap values where they are read
  /// (recomputeInConsumers).
  void run();
  /// Live groups that become kernels, in an order where producers come first; fixed
  /// nodes (reshapes, opaque ops) are listed with them, as groups with `fixed` set.
  SmallVector<unsigned> topologicalOrder();
  /// Why each operand of a group op that comes from outside the group does: computed
  /// before outlining changes the IR.
  DenseMap<OpOperand *, const char *> boundaryReasons();

  const Group &group(unsigned g) const { return groups[g]; }
  Operation *op(unsigned pos) const { return ops[pos]; }
  bool inGroup(Operation *op, unsigned g) const {
    auto it = groupOf.find(op);
    return it != groupOf.end() && it->second == g;
  }

private:
  /// The group of the op defining `v` in this block, if any.
  std::optional<unsigned> producerGroup(Value v) const;
  /// Null when a and b (a produces a value that `consumer`, in b, reads) may merge.
  const char *whyNot(unsigned a, unsigned b, Operation *consumer);
  /// Whether some path a -> x -> ... -> b exists through a third group x.
  bool pathThroughOthers(unsigned a, unsigned b);
  /// Whether the contractions of groups a and b (both have some) may share a kernel's
  /// output tiles: all matmul-like, of one result type, none reading the other
  /// group's values, their static rhs operands together at most MaxSharedRhsBytes.
  bool shareTiles(unsigned a, unsigned b) const;
  bool elementwiseOnly(unsigned g) const;
  /// Whether b is a max pool alone that reads the result of a's convolution (direct,
  /// not by Winograd's algorithm) or of its epilogue, with unpadded windows, and
  /// nothing else reads a value of a: the kernel then computes the pool in the
  /// convolution's tiles, and its only result is the pooled one (codegen's
  /// schedulePooledConvolution).
  bool poolsConvolution(unsigned a, unsigned b, Operation *consumer) const;
  void merge(unsigned a, unsigned b);
  bool mergeProducersAndConsumers();
  bool mergeSiblings();
  /// Whether every op of group g computes each row of `scores`' last two dims from
  /// that row alone: pointwise ops of a shape that broadcasts to it, and reductions of
  /// it along its last axis that keep that axis.
  bool rowLocal(unsigned g, RankedTensorType scores) const;
  /// Merges each group of row-local reductions (a softmax) with the contraction that
  /// computes its operand (the scores) and the matmul whose lhs it computes (the
  /// weighted sum): one kernel per attention (see the file comment).
  void mergeAttention();
  /// Whether pointwise `op` (in another group) may be recomputed in group h: h reads
  /// every non-constant operand of `op` already, its readers in h are pointwise ops of
  /// its shape, and h may take `op` as it takes its own.
  bool recomputableIn(Operation *op, unsigned h) const;
  /// Whether group h may take a copy of pointwise `op`, whatever its operands: h
  /// computes kernels of copies, op's readers in h read it once per element, and in a
  /// contraction's kernel it has the product's type (its epilogue).
  bool takesCopy(Operation *op, unsigned h) const;
  /// Whether an op of group h reads `v`.
  bool readIn(Value v, unsigned h) const;
  /// The first op of group h that reads `v` (where copies computing it go).
  Operation *firstReaderIn(Value v, unsigned h) const;
  /// Ops whose copies compute a value in a consumer's group (recomputeChain), producers
  /// first, and the operands of theirs read for their shape alone that the copies take
  /// from the consumer's shape value instead.
  struct Chain {
    llvm::SetVector<Operation *> ops;
    SmallVector<OpOperand *> shapeOperands;
    /// Values of the copied op's shape that the consumer's group reads only for the
    /// copies: a stored result of op's group (a product's) or another group's.
    llvm::SetVector<Value> newReads;
  };
  /// Appends to `chain` the pointwise ops of op's group whose copies compute `op`'s
  /// value in group h from what h reads anyway, the function's arguments and
  /// constants: `op` alone when recomputableIn, else `op` after the ops of its own
  /// group that it needs (a dropout mask: the noise, its comparison, the scale), each
  /// with one result of op's type; an operand read for its shape alone that h does not
  /// read (the noise's) takes `shape` (shapeIn) in the copy. With `newReads`, the
  /// chain's multiplications, additions, subtractions and negations may also read
  /// values that h does not read yet: values stored anyway (a result of a kernel; see
  /// recomputeInConsumers), listed in chain.newReads when not smaller than op's
  /// result, and any value of a kernel that broadcasts to op's result (a row
  /// statistic, which its kernel then stores). False when there is no such chain.
  bool recomputeChain(Operation *op, unsigned h, Value shape, Chain &chain,
                      bool newReads, int depth = 0) const;
  /// Whether `v`, computed by a kernel, is stored whatever happens to `op`'s copies: a
  /// result of another group than `op`'s, or a value of op's group that a group other
  /// than op's and h reads too.
  bool storedAnyway(Value v, Operation *op, unsigned h) const;
  /// Erases `op` when nothing reads it, and then, the same way, the pointwise ops of
  /// its group that computed its operands.
  void eraseIfDead(Operation *op);
  /// A value of h with the runtime shape of `op`'s result: another operand of that
  /// type of an elementwise reader of it in h (no broadcast: its result has that type
  /// too); null when there is none.
  Value shapeIn(Operation *op, unsigned h) const;
  void recomputeInConsumers();
  /// Gives each operand read for its shape alone a value at hand (see the definition).
  void shapesFromReads();
  /// Whether `v` is at hand for `reader`, an op of group h (none: of no kernel).
  bool atHand(Value v, Operation *reader, std::optional<unsigned> h) const;

  Block &block;
  SmallVector<Operation *> ops;
  DenseMap<Operation *, unsigned> groupOf;
  std::vector<Group> groups;
};

Partition::Partition(Block &block) : block(block) {
  for (Operation &op : block) {
    OpClass c = classify(&op);
    if (c == OpClass::Constant || c == OpClass::Prologue ||
        op.hasTrait<OpTrait::IsTerminator>())
      continue;
    unsigned pos = ops.size();
    ops.push_back(&op);
    groupOf[&op] = groups.size();
    Group g;
    g.members.push_back(pos);
    g.fixed = c == OpClass::Alias || c == OpClass::Opaque;
    g.contractions = c == OpClass::Contraction;
    g.reductions = c == OpClass::Reduction;
    g.scatter = c == OpClass::Scatter;
    g.contraction = g.contractions ? &op : nullptr;
    groups.push_back(std::move(g));
  }
}

std::optional<unsigned> Partition::producerGroup(Value v) const {
  Operation *def = v.getDefiningOp();
  auto it = def ? groupOf.find(def) : groupOf.end();
  if (it == groupOf.end())
    return std::nullopt;
  return it->second;
}

bool Partition::pathThroughOthers(unsigned a, unsigned b) {
  std::vector<char> seen(groups.size(), 0);
  SmallVector<unsigned> stack;
  auto pushUsers = [&](unsigned g, bool fromA) {
    for (unsigned pos : groups[g].members)
      for (Operation *user : ops[pos]->getUsers()) {
        auto it = groupOf.find(user);
        if (it == groupOf.end())
          continue;
        unsigned h = it->second;
        // The direct edges a -> b do not count; anything else reaching b does.
        if (h == a || (fromA && h == b) || seen[h])
          continue;
        seen[h] = 1;
        stack.push_back(h);
      }
  };
  pushUsers(a, true);
  while (!stack.empty()) {
    unsigned g = stack.pop_back_val();
    if (g == b)
      return true;
    pushUsers(g, false);
  }
  return false;
}

bool Partition::elementwiseOnly(unsigned g) const {
  const Group &gr = groups[g];
  if (gr.fixed || gr.contractions || gr.reductions)
    return false;
  return llvm::all_of(gr.members, [&](unsigned pos) {
    OpClass c = classify(ops[pos]);
    return c == OpClass::Pointwise || c == OpClass::Permute;
  });
}

const char *Partition::whyNot(unsigned a, unsigned b, Operation *consumer) {
  const Group &ga = groups[a], &gb = groups[b];
  if (ga.fixed) {
    Operation *producer = ops[ga.members.front()];
    return classify(producer) == OpClass::Alias ? aliasReason(producer)
           : isa<ScanOp>(producer)              ? ReasonLoopResult
                                                : ReasonOpaque;
  }
  if (gb.fixed)
    return ReasonOpaque;
  if (ga.scatter || gb.scatter)
    return ReasonScatter;
  if (consumer && classify(consumer) == OpClass::Contraction)
    return ReasonContractionOperand;
  if (ga.contractions && gb.contractions && !shareTiles(a, b))
    return ReasonTwoContractions;
  if (ga.contractions || gb.contractions) {
    if (poolsConvolution(a, b, consumer))
      return pathThroughOthers(a, b) ? ReasonCycle : nullptr;
    if (isa_and_nonnull<MaxPool2DOp>(consumer) && isa_and_nonnull<Conv2DOp>(ga.contraction))
      return ReasonPoolConvolution;
    if (ga.reductions || gb.reductions)
      return ReasonContractionReduction;
    // The kernel is tiled over the product: every other op is part of its epilogue.
    Type productType = (ga.contractions ? ga : gb).contraction->getResult(0).getType();
    for (const Group *g : {&ga, &gb})
      for (unsigned pos : g->members) {
        OpClass c = classify(ops[pos]);
        if (c != OpClass::Contraction && (c != OpClass::Pointwise ||
                                          ops[pos]->getResult(0).getType() != productType))
          return ReasonEpilogueShape;
      }
  }
  if (pathThroughOthers(a, b))
    return ReasonCycle;
  return nullptr;
}

bool Partition::poolsConvolution(unsigned a, unsigned b, Operation *consumer) const {
  const Group &ga = groups[a], &gb = groups[b];
  auto pool = dyn_cast_or_null<MaxPool2DOp>(consumer);
  if (!pool || gb.members.size() != 1 || ops[gb.members.front()] != consumer ||
      ga.contractions != 1 || ga.reductions || !isa<Conv2DOp>(ga.contraction) ||
      winogradShape(ga.contraction) ||
      pool.getX().getType() != ga.contraction->getResult(0).getType() ||
      pool.getPadding() != "valid")
    return false;
  return llvm::all_of(ga.members, [&](unsigned pos) {
    return llvm::all_of(ops[pos]->getUsers(),
                        [&](Operation *user) { return user == consumer || inGroup(user, a); });
  });
}

bool Partition::shareTiles(unsigned a, unsigned b) const {
  Type type = groups[a].contraction->getResult(0).getType();
  int64_t rhsBytes = 0;
  for (auto [g, other] : {std::pair(a, b), std::pair(b, a)})
    for (unsigned pos : groups[g].members) {
      Operation *op = ops[pos];
      if (classify(op) != OpClass::Contraction)
        continue;
      if (!matmulLike(op) || op->getResult(0).getType() != type)
        return false;
      for (Value v : op->getOperands())
        if (std::optional<unsigned> p = producerGroup(v); p && *p == other)
          return false;
      auto rhs = cast<ShapedType>(op->getOperand(1).getType());
      if (!rhs.hasStaticShape())
        return false;
      rhsBytes += rhs.getNumElements() * rhs.getElementTypeBitWidth() / 8;
    }
  return rhsBytes <= MaxSharedRhsBytes;
}

void Partition::merge(unsigned a, unsigned b) {
  Group &ga = groups[a], &gb = groups[b];
  for (unsigned pos : gb.members)
    groupOf[ops[pos]] = a;
  ga.members.append(gb.members.begin(), gb.members.end());
  llvm::sort(ga.members);
  ga.contractions += gb.contractions;
  ga.reductions += gb.reductions;
  if (!ga.contraction)
    ga.contraction = gb.contraction;
  gb.members.clear();
  gb.live = false;
}

bool Partition::mergeProducersAndConsumers() {
  bool changed = false;
  for (Operation *op : ops)
    for (Value v : op->getOperands()) {
      std::optional<unsigned> a = producerGroup(v);
      unsigned b = groupOf.lookup(op);
      if (!a || *a == b || whyNot(*a, b, op))
        continue;
      merge(*a, b);
      changed = true;
    }
  return changed;
}

bool Partition::mergeSiblings() {
  bool changed = false;
  SmallVector<unsigned> buckets;
  for (unsigned g = 0; g < groups.size(); ++g) {
    if (!groups[g].live || !elementwiseOnly(g))
      continue;
    bool merged = false;
    for (unsigned bucket : buckets)
      if (!pathThroughOthers(bucket, g) && !pathThroughOthers(g, bucket)) {
        merge(bucket, g);
        merged = changed = true;
        break;
      }
    if (!merged)
      buckets.push_back(g);
  }
  return changed;
}

void Partition::run() {
  while (true) {
    while (mergeProducersAndConsumers()) {
    }
    if (!mergeSiblings())
      break;
  }
  mergeAttention();
  shapesFromReads();
  recomputeInConsumers();
}

/// Whether `op` multiplies two operands of its result's rank: batched on both sides, as
/// attention's products are (a layer's matmul reads a weight of rank 2).
bool batchedOnBothSides(Operation *op) {
  auto rank = [](Value v) { return cast<ShapedType>(v.getType()).getRank(); };
  int64_t r = rank(op->getResult(0));
  return r >= 3 && llvm::all_of(op->getOperands(), [&](Value v) { return rank(v) == r; });
}

/// The most bytes of one batch element's scores (the product's last two dims) an
/// attention kernel takes: codegen keeps them in cache per batch element (W7's heads:
/// [64, 64], 16 KB).
constexpr int64_t MaxAttentionScoreBytes = 64 * 1024;

bool Partition::rowLocal(unsigned g, RankedTensorType scores) const {
  int64_t rank = scores.getRank();
  SmallVector<int64_t> rowShape(scores.getShape());
  rowShape.back() = 1;
  auto broadcasts = [&](Type t) {
    auto shaped = dyn_cast<RankedTensorType>(t);
    if (!shaped || shaped.getRank() != rank)
      return false;
    for (int64_t d = 0; d < rank; ++d)
      if (shaped.getDimSize(d) != 1 && shaped.getDimSize(d) != scores.getDimSize(d))
        return false;
    return true;
  };
  return llvm::all_of(groups[g].members, [&](unsigned pos) {
    Operation *op = ops[pos];
    if (op->getNumResults() != 1)
      return false;
    Type type = op->getResult(0).getType();
    switch (classify(op)) {
    case OpClass::Pointwise:
      return broadcasts(type);
    case OpClass::Reduction:
      return op->getNumOperands() == 1 && op->getOperand(0).getType() == scores &&
             cast<RankedTensorType>(type).getShape() == ArrayRef<int64_t>(rowShape);
    default:
      return false;
    }
  });
}

/// Whether matmul-like `op` contracts operand `k` along that operand's last axis (a
/// row-major lhs, not transposed).
bool contractsLastAxis(Operation *op, unsigned k) {
  compute::Computation c = cast<ComputeOpInterface>(op).getComputation();
  llvm::SmallVector<int, 4> dims = compute::reducedDims(c.body, k);
  int64_t rank = cast<ShapedType>(op->getOperand(k).getType()).getRank();
  return dims.size() == 1 && dims.front() == rank - 1;
}

void Partition::mergeAttention() {
  // A matmul of two batched operands alone with its epilogue: the scores, and the
  // weighted sum.
  auto batchedMatmul = [&](unsigned g) {
    const Group &gg = groups[g];
    return !gg.fixed && gg.contractions == 1 && !gg.reductions && !gg.attention &&
           matmulLike(gg.contraction) && batchedOnBothSides(gg.contraction);
  };
  for (unsigned r = 0; r < groups.size(); ++r) {
    const Group &gr = groups[r];
    if (!gr.live || gr.fixed || gr.scatter || gr.contractions || !gr.reductions)
      continue;
    // The scores: the one such group that r reads (r may read other kernels' results
    // too: the softmax's gradient reads the probabilities).
    llvm::SmallSetVector<unsigned, 2> scoreGroups;
    for (unsigned pos : gr.members)
      for (Value v : ops[pos]->getOperands())
        if (std::optional<unsigned> p = producerGroup(v); p && *p != r && batchedMatmul(*p))
          scoreGroups.insert(*p);
    if (scoreGroups.size() != 1)
      continue;
    unsigned a = scoreGroups.front();
    auto scores = cast<RankedTensorType>(groups[a].contraction->getResult(0).getType());
    int64_t rank = scores.getRank();
    int64_t m = scores.getDimSize(rank - 2), n = scores.getDimSize(rank - 1);
    if (ShapedType::isDynamic(m) || ShapedType::isDynamic(n) || n < 2 ||
        m * n * scores.getElementTypeBitWidth() / 8 > MaxAttentionScoreBytes ||
        !rowLocal(r, scores))
      continue;
    // The weighted sum: the one such group whose matmul reads, as its lhs contracted
    // along the last axis, a value of r over the scores' shape.
    llvm::SmallSetVector<unsigned, 2> sumGroups;
    for (unsigned pos : gr.members)
      for (OpOperand &use : ops[pos]->getResult(0).getUses()) {
        auto it = groupOf.find(use.getOwner());
        if (it != groupOf.end() && it->second != r && batchedMatmul(it->second) &&
            groups[it->second].contraction == use.getOwner() &&
            use.getOperandNumber() == 0 && use.get().getType() == scores &&
            contractsLastAxis(use.getOwner(), 0))
          sumGroups.insert(it->second);
      }
    if (sumGroups.size() != 1 || pathThroughOthers(a, r))
      continue;
    unsigned b = sumGroups.front();
    merge(a, r);
    groups[a].attention = true;
    if (!pathThroughOthers(a, b))
      merge(a, b);
  }
}

/// Whether every load of operand `operand` in `e` is at distinct plain variables (a var
/// or rvar per dim, no fill value), so the loads read each element of it once.
static bool loadsAtDistinctVars(const compute::Expr &e, unsigned operand) {
  if (e.kind() == compute::Kind::Load && (unsigned)e->ival == operand) {
    if (e->fill)
      return false;
    llvm::SmallSet<std::pair<int, int64_t>, 4> seen;
    for (const compute::Expr &i : e->args)
      if ((i.kind() != compute::Kind::Var && i.kind() != compute::Kind::RVar) ||
          !seen.insert({(int)i.kind(), i->ival}).second)
        return false;
    return true;
  }
  return llvm::all_of(e->args,
                      [&](const compute::Expr &a) { return loadsAtDistinctVars(a, operand); });
}

/// Whether `use`'s owner reads that operand once per element: a pointwise op of the
/// operand's shape, or a reduction whose term loads it at distinct variables (a sum or
/// maximum over axes; not a window, which reads an element once per window over it).
static bool readsEachElementOnce(OpOperand &use) {
  Operation *user = use.getOwner();
  OpClass c = classify(user);
  if (c == OpClass::Pointwise)
    return user->getResult(0).getType() == use.get().getType();
  auto compute = dyn_cast<ComputeOpInterface>(user);
  if (c != OpClass::Reduction || !compute)
    return false;
  compute::Computation comp = compute.getComputation();
  unsigned k = use.getOperandNumber();
  return !comp.isScatter() && loadsAtDistinctVars(comp.body, k) &&
         (!comp.post || loadsAtDistinctVars(comp.post, k));
}

bool Partition::readIn(Value v, unsigned h) const {
  return llvm::any_of(v.getUsers(), [&](Operation *u) { return inGroup(u, h); });
}

Operation *Partition::firstReaderIn(Value v, unsigned h) const {
  Operation *first = nullptr;
  for (Operation *u : v.getUsers())
    if (inGroup(u, h) && (!first || u->isBeforeInBlock(first)))
      first = u;
  return first;
}

bool Partition::takesCopy(Operation *op, unsigned h) const {
  const Group &gh = groups[h];
  if (gh.fixed || gh.scatter)
    return false;
  Value r = op->getResult(0);
  // Every reader in h reads the value once per element (not broadcast, not through a
  // window or a contraction, which read an element many times): the copy then costs
  // what the stored value's load did.
  for (OpOperand &use : r.getUses())
    if (inGroup(use.getOwner(), h) && !readsEachElementOnce(use))
      return false;
  // In a contraction's kernel, every other op is part of its epilogue.
  return !gh.contractions || r.getType() == gh.contraction->getResult(0).getType();
}

bool Partition::recomputableIn(Operation *op, unsigned h) const {
  return takesCopy(op, h) && llvm::all_of(op->getOperands(), [&](Value v) {
           Operation *def = v.getDefiningOp();
           return (def && classify(def) == OpClass::Constant) || readIn(v, h);
         });
}

static bool readsElements(Operation *op, unsigned k);

Value Partition::shapeIn(Operation *op, unsigned h) const {
  Value r = op->getResult(0);
  // The copies go before the first reader in h: the value must be defined there.
  Operation *first = firstReaderIn(r, h);
  for (Operation *u : r.getUsers())
    if (inGroup(u, h) && u->hasTrait<OpTrait::NNElementwise>() &&
        u->getResult(0).getType() == r.getType())
      for (Value v : u->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (v != r && v.getType() == r.getType() &&
            (!def || def->isBeforeInBlock(first)))
          return v;
      }
  return {};
}

/// Multiplications, additions, subtractions and negations: an element of their copy
/// costs a load of what it reads, no more arithmetic than the stored value's load saves.
static bool cheapArithmetic(Operation *op) {
  return isa<MulOp, AddOp, SubOp, NegOp>(op);
}

/// Whether `v` has fewer elements than a value of `type` it broadcasts to (a row
/// statistic [B, S, 1] against [B, S, D]): reading it costs little beside `type`'s.
static bool broadcastsTo(Value v, Type type) {
  auto from = cast<ShapedType>(v.getType()), to = cast<ShapedType>(type);
  if (from.getRank() < to.getRank())
    return true;
  for (auto [a, b] : llvm::zip(from.getShape(), to.getShape()))
    if (a == 1 && b != 1)
      return true;
  return false;
}

bool Partition::storedAnyway(Value v, Operation *op, unsigned h) const {
  std::optional<unsigned> p = producerGroup(v), g = producerGroup(op->getResult(0));
  if (!p || groups[*p].fixed)
    return false;
  if (p != g)
    return true;
  return llvm::any_of(v.getUsers(), [&](Operation *u) {
    auto ug = groupOf.find(u);
    return ug == groupOf.end() || (ug->second != *g && ug->second != h);
  });
}

void Partition::eraseIfDead(Operation *op) {
  auto it = groupOf.find(op);
  if (it == groupOf.end() || !op->use_empty())
    return;
  unsigned g = it->second;
  SmallVector<Operation *> operands;
  for (Value v : op->getOperands())
    if (Operation *def = v.getDefiningOp(); def && def != op && inGroup(def, g) &&
                                            classify(def) == OpClass::Pointwise)
      operands.push_back(def);
  unsigned pos = llvm::find(ops, op) - ops.begin();
  llvm::erase(groups[g].members, pos);
  if (groups[g].members.empty())
    groups[g].live = false;
  groupOf.erase(op);
  ops[pos] = nullptr;
  op->erase();
  for (Operation *def : operands)
    eraseIfDead(def);
}

bool Partition::recomputeChain(Operation *op, unsigned h, Value shape, Chain &chain,
                               bool newReads, int depth) const {
  if (chain.ops.contains(op))
    return true;
  if (recomputableIn(op, h)) {
    chain.ops.insert(op);
    return true;
  }
  // Through at most 3 ops of op's group, each pointwise with one result of op's type
  // (so the copy's reader reads it once per element).
  auto g = groupOf.find(op);
  constexpr int MaxChainDepth = 3;
  if (depth >= MaxChainDepth || g == groupOf.end() || !takesCopy(op, h))
    return false;
  for (OpOperand &use : op->getOpOperands()) {
    Value v = use.get();
    Operation *def = v.getDefiningOp();
    if (!def) {
      if (cast<BlockArgument>(v).getOwner() != &block)
        return false;
      continue; // a function argument: any kernel may take it
    }
    if (classify(def) == OpClass::Constant || readIn(v, h) || chain.newReads.contains(v))
      continue;
    if (newReads && cheapArithmetic(op)) {
      // A value that broadcasts to op's shape (a row statistic) costs little to read,
      // and to store when its kernel did not store it yet.
      bool small = broadcastsTo(v, op->getResult(0).getType());
      std::optional<unsigned> p = producerGroup(v);
      if (small && p && !groups[*p].fixed)
        continue;
      if (storedAnyway(v, op, h)) {
        if (!small)
          chain.newReads.insert(v);
        continue;
      }
    }
    // An operand read for its shape (the noise's `like`): the copy's is `shape`.
    if (!readsElements(op, use.getOperandNumber())) {
      if (!shape || v.getType() != shape.getType())
        return false;
      chain.shapeOperands.push_back(&use);
      continue;
    }
    auto dg = groupOf.find(def);
    if (dg == groupOf.end() || dg->second != g->second ||
        classify(def) != OpClass::Pointwise || def->getNumResults() != 1 ||
        v.getType() != op->getResult(0).getType() ||
        !recomputeChain(def, h, shape, chain, newReads, depth + 1))
      return false;
  }
  chain.ops.insert(op);
  return true;
}

/// Whether `e` (possibly empty) loads operand `k`.
static bool loadsOperand(const compute::Expr &e, unsigned k) {
  if (!e)
    return false;
  if (e.kind() == compute::Kind::Load && (unsigned)e->ival == k)
    return true;
  return llvm::any_of(e->args, [&](const compute::Expr &a) { return loadsOperand(a, k); });
}

/// Whether `op` reads elements of its operand `k`, not just its shape (broadcast_to's
/// and reshape's `like`, the fill and noise ops' `shape`): whether its computation
/// loads the operand.
static bool readsElements(Operation *op, unsigned k) {
  auto compute = dyn_cast<ComputeOpInterface>(op);
  if (!compute)
    return true;
  compute::Computation c = compute.getComputation();
  auto loads = [&](const compute::Expr &e) { return loadsOperand(e, k); };
  return loads(c.body) || loads(c.post) || loads(c.position) || loads(c.nonzero) ||
         llvm::any_of(c.scatter, loads);
}

/// An operand read for its shape alone (broadcast_to's `like`, reshape's `like`, ...)
/// that crosses from another group makes that group store a whole tensor for its shape:
/// autodiff's gradient of a sum broadcasts (and reshapes) to the summed value, and
/// cross_entropy sums `one_hot * log p` (W6's [B, S, 10000]: 45 MB written per step
/// for the backward's shapes). An elementwise op's operand of its result's type has
/// its runtime shape (dynamic dims never broadcast), so any such operand, or one
/// further up a chain of them, serves as well. The first that is at hand replaces it: a
/// function argument, a value the reading op's group computes or reads anyway, or (for
/// an op in no group, a reshape between kernels) a value stored anyway.
bool Partition::atHand(Value v, Operation *reader, std::optional<unsigned> h) const {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == &block;
  std::optional<unsigned> g = producerGroup(v);
  if (!g)
    return false;
  if (h)
    return *g == *h || llvm::any_of(v.getUsers(), [&](Operation *u) {
             return u != reader && inGroup(u, *h);
           });
  // Stored anyway: read by another group that recomputeInConsumers (which runs next)
  // will not give a copy of it.
  Operation *def = v.getDefiningOp();
  bool copyable = classify(def) == OpClass::Pointwise && def->getNumResults() == 1;
  return llvm::any_of(v.getUsers(), [&](Operation *u) {
    auto ug = groupOf.find(u);
    if (u == reader || (ug != groupOf.end() && ug->second == *g))
      return false;
    return ug == groupOf.end() || !copyable || !recomputableIn(def, ug->second);
  });
}

void Partition::shapesFromReads() {
  // Ops in kernels first: what they then read decides what is stored anyway for the
  // ops of no kernel.
  for (bool inKernel : {true, false}) {
    for (Operation *op : ops) {
      if (!op)
        continue;
      std::optional<unsigned> h; // the kernel `op` joins (a view joins none)
      if (auto it = groupOf.find(op); it != groupOf.end() && !groups[it->second].fixed)
        h = it->second;
      if (h.has_value() != inKernel)
        continue;
      for (OpOperand &use : op->getOpOperands()) {
        Value like = use.get();
        if (!isa<RankedTensorType>(like.getType()) || atHand(like, op, h) ||
            readsElements(op, use.getOperandNumber()))
          continue;
        SmallVector<Value> chain{like};
        for (size_t i = 0; i < chain.size(); ++i) {
          Operation *def = chain[i].getDefiningOp();
          if (!def || !def->hasTrait<OpTrait::NNElementwise>())
            continue;
          for (Value v : def->getOperands())
            if (v.getType() == like.getType() && !llvm::is_contained(chain, v))
              chain.push_back(v);
        }
        auto found = llvm::find_if(chain, [&](Value v) { return atHand(v, op, h); });
        if (found != chain.end())
          use.set(*found);
      }
    }
  }
}

/// A pointwise op whose every consumer group reads its operands anyway is computed in
/// those groups (a copy each) instead of being stored by its own group and read back:
/// one buffer less written and read. Greedy merging puts such an op with its producer
/// (relu's gradient mask step(y) with the convolution computing y: W2 wrote a [B, 28,
/// 28, 32] mask that the max-pool gradient kernel, which reads y, read back).
void Partition::recomputeInConsumers() {
  SmallVector<Operation *> copied; // in the order made
  for (unsigned pos = 0, n = ops.size(); pos < n; ++pos) {
    Operation *op = ops[pos];
    auto it = groupOf.find(op);
    if (it == groupOf.end() || classify(op) != OpClass::Pointwise ||
        op->getNumResults() != 1)
      continue;
    unsigned g = it->second;
    Value r = op->getResult(0);
    llvm::SetVector<unsigned> consumers;
    bool outside = false; // used by the terminator or an op of no group
    for (Operation *u : r.getUsers()) {
      auto ut = groupOf.find(u);
      if (ut == groupOf.end())
        outside = true;
      else if (ut->second != g)
        consumers.insert(ut->second);
    }
    if (outside || consumers.empty())
      continue;
    // Copies that read only what their group reads anyway first; else copies of
    // cheap arithmetic (cheapArithmetic) that read one stored value of the op's shape
    // their group does not read yet (a product's result for the copies of its
    // epilogue): each reader then loads that value instead of the op's, and the op's
    // result is not written.
    SmallVector<Value> shapes;
    for (unsigned h : consumers)
      shapes.push_back(shapeIn(op, h));
    std::vector<Chain> chains;
    bool all = false;
    for (bool newReads : {false, true}) {
      chains.assign(consumers.size(), Chain());
      all = true;
      for (auto [i, h] : llvm::enumerate(consumers))
        all = all && recomputeChain(op, h, shapes[i], chains[i], newReads) &&
              chains[i].newReads.size() <= 1;
      if (all)
        break;
    }
    if (!all)
      continue;
    for (size_t i = 0; i < consumers.size(); ++i) {
      unsigned h = consumers[i];
      OpBuilder b(firstReaderIn(r, h));
      IRMapping copies;
      for (Operation *member : chains[i].ops) {
        Operation *copy = b.clone(*member, copies);
        for (OpOperand *use : chains[i].shapeOperands)
          if (use->getOwner() == member)
            copy->setOperand(use->getOperandNumber(), shapes[i]);
        unsigned at = ops.size();
        ops.push_back(copy);
        groupOf[copy] = h;
        groups[h].members.push_back(at);
        copied.push_back(copy);
      }
      r.replaceUsesWithIf(copies.lookup(r),
                          [&](OpOperand &use) { return inGroup(use.getOwner(), h); });
      llvm::sort(groups[h].members, [&](unsigned x, unsigned y) {
        return ops[x]->isBeforeInBlock(ops[y]);
      });
    }
    eraseIfDead(op);
  }
  // Chains for two values often share ops (a layer norm's gradient copies `g γ` for
  // `g γ rstd` and for `g γ xc`, and `xc` for both): a copy equal to one before it in
  // its group (the same op on the same operands) is replaced by that one. In block
  // order, so a copy's operands are deduplicated before it; a copy that a later
  // erasure took (eraseIfDead) has left groupOf, and its address may have come back as
  // a later copy's (listed twice then: std::unique).
  llvm::erase_if(copied, [&](Operation *c) { return !groupOf.count(c); });
  llvm::sort(copied, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  copied.erase(std::unique(copied.begin(), copied.end()), copied.end());
  for (auto [i, copy] : llvm::enumerate(copied)) {
    unsigned h = groupOf.lookup(copy);
    for (Operation *earlier : llvm::ArrayRef(copied).take_front(i))
      if (earlier && inGroup(earlier, h) &&
          OperationEquivalence::isEquivalentTo(copy, earlier,
                                               OperationEquivalence::IgnoreLocations)) {
        copy->replaceAllUsesWith(earlier);
        eraseIfDead(copy);
        copied[i] = nullptr;
        break;
      }
  }
}

SmallVector<unsigned> Partition::topologicalOrder() {
  SmallVector<unsigned> order;
  std::vector<char> state(groups.size(), 0); // 1 visiting, 2 done
  std::function<void(unsigned)> visit = [&](unsigned g) {
    if (state[g])
      return;
    state[g] = 1;
    for (unsigned pos : groups[g].members)
      for (Value operand : ops[pos]->getOperands())
        forEachPrologueLeaf(operand, [&](Value v) {
          if (std::optional<unsigned> p = producerGroup(v); p && *p != g)
            visit(*p);
        });
    state[g] = 2;
    order.push_back(g);
  };
  // Visit in order of first op, so the kernels keep the source order where they can.
  SmallVector<unsigned> live;
  for (unsigned g = 0; g < groups.size(); ++g)
    if (groups[g].live)
      live.push_back(g);
  llvm::sort(live, [&](unsigned x, unsigned y) {
    return ops[groups[x].members.front()]->isBeforeInBlock(ops[groups[y].members.front()]);
  });
  for (unsigned g : live)
    visit(g);
  return order;
}

DenseMap<OpOperand *, const char *> Partition::boundaryReasons() {
  DenseMap<OpOperand *, const char *> reasons;
  for (Operation *op : ops) {
    if (!op)
      continue; // erased by recomputeInConsumers
    unsigned g = groupOf.lookup(op);
    if (groups[g].fixed)
      continue;
    for (OpOperand &use : op->getOpOperands()) {
      Value v = use.get();
      std::optional<unsigned> a = producerGroup(v);
      if (a && *a == g)
        continue;
      if (v.getDefiningOp() && classify(v.getDefiningOp()) == OpClass::Prologue)
        continue; // inside the kernel; its arguments' reasons: prologueReason
      const char *reason = isa<BlockArgument>(v) ? argumentReason(cast<BlockArgument>(v))
                           : !a                  ? ReasonOpaque
                                                 : whyNot(*a, g, op);
      reasons[&use] = reason ? reason : ReasonCycle;
    }
  }
  return reasons;
}

/// The kind of a kernel: "attention" (mergeAttention), its contraction's op name
/// (matmul, conv2d, ...), else "reduction" or "elementwise".
std::string kindOf(const Group &g) {
  if (g.attention)
    return KernelOp::kAttentionKind.str();
  if (g.contraction)
    return g.contraction->getName().stripDialect().str();
  if (g.scatter)
    return "scatter";
  return g.reductions ? "reduction" : "elementwise";
}

/// Creates the kernel of `g` before `before`; returns the values it replaces.
KernelOp outline(Partition &p, unsigned g, StringRef name, Operation *before,
                 const DenseMap<OpOperand *, const char *> &why,
                 SmallVectorImpl<Value> &replaced) {
  const Group &group = p.group(g);
  llvm::SetVector<Value> inputs;
  llvm::SetVector<Operation *> constants, prologue;
  Builder attrs(before->getContext());
  SmallVector<Attribute> reasons;
  // A prologue op joins the kernel with its producers (first); what it reads from
  // outside becomes an input.
  std::function<void(Operation *)> addPrologue = [&](Operation *op) {
    if (prologue.contains(op))
      return;
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (def && classify(def) == OpClass::Constant)
        constants.insert(def);
      else if (def && classify(def) == OpClass::Prologue)
        addPrologue(def);
      else if (inputs.insert(v))
        reasons.push_back(attrs.getStringAttr(
            !def ? argumentReason(cast<BlockArgument>(v))
                 : classify(def) == OpClass::Alias ? aliasReason(def) : ReasonOpaque));
    }
    prologue.insert(op);
  };
  for (unsigned pos : group.members)
    for (OpOperand &use : p.op(pos)->getOpOperands()) {
      Value v = use.get();
      Operation *def = v.getDefiningOp();
      if (def && p.inGroup(def, g))
        continue;
      if (def && classify(def) == OpClass::Constant)
        constants.insert(def);
      else if (def && classify(def) == OpClass::Prologue)
        addPrologue(def);
      else if (inputs.insert(v))
        reasons.push_back(attrs.getStringAttr(why.lookup(&use)));
    }
  // Results: values used outside the group, grouped by type (stable), so results of
  // one shape are adjacent.
  SmallVector<Value> results;
  for (unsigned pos : group.members)
    for (Value r : p.op(pos)->getResults())
      if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !p.inGroup(u, g); }))
        results.push_back(r);
  llvm::stable_sort(results, [&](Value x, Value y) {
    auto firstOf = [&](Type t) {
      return llvm::find_if(results, [&](Value r) { return r.getType() == t; }) -
             results.begin();
    };
    return firstOf(x.getType()) < firstOf(y.getType());
  });

  Operation *anchor = group.contraction ? group.contraction : p.op(group.members.front());
  OpBuilder b(before);
  SmallVector<Type> types;
  for (Value r : results)
    types.push_back(r.getType());
  auto kernel = b.create<KernelOp>(anchor->getLoc(), types, b.getStringAttr(name),
                                   inputs.getArrayRef());
  kernel->setAttr("nn.fusion",
                  b.getDictionaryAttr({b.getNamedAttr("kind", b.getStringAttr(kindOf(group))),
                                       b.getNamedAttr("inputs", b.getArrayAttr(reasons))}));
  Block *body = new Block();
  kernel.getBody().push_back(body);
  IRMapping map;
  for (Value v : inputs)
    map.map(v, body->addArgument(v.getType(), v.getLoc()));
  OpBuilder inner = OpBuilder::atBlockEnd(body);
  for (Operation *c : constants)
    inner.clone(*c, map);
  for (Operation *op : prologue)
    inner.clone(*op, map);
  for (unsigned pos : group.members)
    inner.clone(*p.op(pos), map);
  SmallVector<Value> yielded;
  for (Value r : results)
    yielded.push_back(map.lookup(r));
  inner.create<YieldOp>(anchor->getLoc(), yielded);
  replaced.assign(results.begin(), results.end());
  return kernel;
}

/// Wraps a constant still used outside kernels (returned, reshaped) in a kernel.
void outlineConstant(Operation *c, StringRef name) {
  OpBuilder b(c);
  auto kernel = b.create<KernelOp>(c->getLoc(), c->getResultTypes(), b.getStringAttr(name),
                                   ValueRange());
  kernel->setAttr("nn.fusion",
                  b.getDictionaryAttr({b.getNamedAttr("kind", b.getStringAttr("elementwise")),
                                       b.getNamedAttr("inputs", b.getArrayAttr({}))}));
  Block *body = new Block();
  kernel.getBody().push_back(body);
  OpBuilder inner = OpBuilder::atBlockEnd(body);
  Operation *clone = inner.clone(*c);
  inner.create<YieldOp>(c->getLoc(), clone->getResults());
  c->getResult(0).replaceAllUsesWith(kernel.getResult(0));
  c->erase();
}

/// Whether `t` is ranked with every dim after the first static (the strides of a view
/// are constants compiled into the kernels that read it).
bool staticInside(Type t) {
  auto shaped = dyn_cast<RankedTensorType>(t);
  return shaped && shaped.getRank() >= 3 &&
         llvm::all_of(shaped.getShape().drop_front(), [](int64_t d) { return d >= 0; });
}

/// Marks the split_heads and merge_heads of `block` that stay between kernels as
/// strided views (kViewAttr; ir/Views.h). A split_heads view's result is read by
/// kernels only (a reshape, a return or a loop needs it dense). A merge_heads view's
/// result is dense; its operand is computed by a kernel, which writes it in the merged
/// order, and read by kernels only. W7's heads: the kernels that moved q, k, v into
/// heads and the attention's output and gradients back go.
void markViews(Block &block) {
  for (Operation &op : block) {
    if (!isa<SplitHeadsOp, MergeHeadsOp>(op) || !staticInside(op.getOperand(0).getType()) ||
        !staticInside(op.getResult(0).getType()))
      continue;
    if (isa<SplitHeadsOp>(op) && !llvm::all_of(op.getResult(0).getUsers(), computedInKernel))
      continue;
    if (isa<MergeHeadsOp>(op)) {
      // Its operand's other readers are kernels (one merged order per buffer: a second
      // merge_heads of it, marked already, is no kernel).
      Operation *def = op.getOperand(0).getDefiningOp();
      if (!def || !computedInKernel(def) || classify(def) == OpClass::Prologue ||
          !llvm::all_of(op.getOperand(0).getUsers(),
                        [&](Operation *u) { return u == &op || computedInKernel(u); }))
        continue;
    }
    op.setAttr(kViewAttr, UnitAttr::get(op.getContext()));
  }
}

/// Partitions `block` (a function's or a loop body's) into kernels named by `nextName`.
void fuseBlock(Block &block, llvm::function_ref<std::string()> nextName) {
  clonePrologues(block);
  markArgumentScalars(block);
  markViews(block);
  Partition p(block);
  p.run();
  DenseMap<OpOperand *, const char *> why = p.boundaryReasons();
  Operation *end = block.getTerminator();
  SmallVector<unsigned> outlined;
  for (unsigned g : p.topologicalOrder()) {
    const Group &group = p.group(g);
    if (group.fixed) {
      p.op(group.members.front())->moveBefore(end);
      continue;
    }
    SmallVector<Value> replaced;
    KernelOp kernel = outline(p, g, nextName(), end, why, replaced);
    for (auto [old, now] : llvm::zip(replaced, kernel.getResults()))
      old.replaceAllUsesWith(now);
    outlined.push_back(g);
  }
  for (unsigned g : outlined)
    for (unsigned pos : llvm::reverse(p.group(g).members))
      p.op(pos)->erase();
  // Prologue ops and scalars from arguments now live inside the kernels that read them.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (classify(&op) == OpClass::Prologue) {
      assert(op.use_empty() && "a prologue op is read inside kernels only");
      op.erase();
    }
  // Constants now live inside the kernels that read them; one still used outside
  // kernels (returned, or reshaped) becomes a kernel of its own.
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (classify(&op) != OpClass::Constant)
      continue;
    if (op.use_empty())
      op.erase();
    else
      outlineConstant(&op, nextName());
  }
  for (KernelOp kernel : block.getOps<KernelOp>())
    recordStrides(kernel);
}

struct FusePass : public nn::impl::NNFuseBase<FusePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &block = func.getBody().front();
    // Continue the numbering of kernels formed earlier: names stay unique.
    unsigned index = 0;
    func.walk([&](KernelOp) { ++index; });
    auto nextName = [&] { return (func.getSymName() + "_k" + Twine(index++)).str(); };
    // A loop's body is partitioned on its own, innermost first (one step of a
    // recurrence is a few kernels run once per step); the loop itself is opaque to the
    // partition of the block around it.
    SmallVector<ScanOp> loops;
    block.walk<WalkOrder::PostOrder>([&](ScanOp scan) { loops.push_back(scan); });
    for (ScanOp scan : loops)
      fuseBlock(scan.getBodyBlock(), nextName);
    fuseBlock(block, nextName);
  }
};

} // namespace
