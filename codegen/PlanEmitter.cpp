//===- PlanEmitter.cpp - entry plans and their C tables -------------------===//
//
// Each entry becomes a list of slots and kernel calls:
//   - one slot per argument: INPUT or PARAM, indexing model.inputs / model.params;
//   - an nn.scan becomes a loop step followed by its body's steps (nnrt/model.h, ABI
//     v6): a TEMP slot per carried value (copied from its initial value before the loop
//     and from the body's next value at the end of each iteration; it is also the final
//     value), a VIEW slot per sequence (the step's slice) and per stacked output (the
//     body's kernel writes the slice of the stacked result directly when it can);
//   - one per kernel result: OUTPUT when the entry returns it (first return position),
//     else TEMP;
//   - one per nn.reshape: ALIAS of the (root) slot of its operand; one per split_heads
//     view (ir/Views.h) too, with the view's strides (ABI v9); a kernel result that a
//     merge_heads view reads is an ALIAS, with strides, of the merged value's slot, which
//     the kernel writes through it;
//   - a returned value that is not a fresh kernel result (an argument, an alias, a value
//     returned twice) gets a copy kernel writing a new OUTPUT slot.
// TEMP slots then share buffers by liveness (MemoryPlan): a TEMP slot's `index` is its
// buffer, and each entry records its arena at the model's default batch.
// Dims use model symbols (SymbolicShapes). The tables are written as C source.
//
//===----------------------------------------------------------------------------===//
#include "codegen/PlanEmitter.h"
#include "codegen/MemoryPlan.h"
#include "codegen/SymbolicShapes.h"
#include "ir/Views.h"
#include "ir/ops/WinogradShape.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include <functional>

using namespace mlir;
using namespace nn;
using namespace nn::codegen;

namespace {

// Mirrors of the nnrt/model.h enums (the compiler does not include runtime headers).
enum SlotKind {
  SlotInput = 0,
  SlotParam = 1,
  SlotTemp = 2,
  SlotOutput = 3,
  SlotAlias = 4,
  SlotView = 5
};
const char *const SlotKindNames[] = {"NNRT_SLOT_INPUT",  "NNRT_SLOT_PARAM",
                                     "NNRT_SLOT_TEMP",   "NNRT_SLOT_OUTPUT",
                                     "NNRT_SLOT_ALIAS",  "NNRT_SLOT_VIEW"};

struct SlotPlan {
  int kind, index, dtype;
  SmallVector<int64_t, 4> dims;
  SmallVector<int64_t, 4> strides = {}; ///< an ALIAS's element strides; empty: dense
};
struct StepPlan {
  int kernel; ///< into ModelSource::kernels; -1 for a loop
  std::vector<int> args;
  int loopSteps = 0;   ///< a loop: the steps of its body, which follow it
  int loopLength = -1; ///< a loop: the slot whose dim 0 is its length
  bool loopReverse = false;
  int results = 0; ///< a kernel: its last `results` args are its results
};
struct EntryPlan {
  std::string name;
  std::vector<SlotPlan> slots;
  std::vector<int> inputs;
  std::vector<std::string> outputNames;
  std::vector<int> outputSlots;
  std::vector<StepPlan> steps;
  /// Pairs (parameter index, slot): after the steps, the runtime copies the slot into
  /// the parameter (results marked `nn.update = @variable`, e.g. by nn-train-step).
  std::vector<int> updates;
  MemoryPlan memory;
  int64_t defaultBatch = 1; ///< every symbol's value for the arena figures
};

llvm::Error error(const Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// A C identifier from any name.
std::string sanitize(StringRef name) {
  std::string s;
  for (char c : name)
    s += llvm::isAlnum(c) ? c : '_';
  if (s.empty() || llvm::isDigit(s[0]))
    s = "_" + s;
  return s;
}

/// A C string literal.
std::string quote(StringRef s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c >= 0x20 && c < 0x7f)
      out += c;
    else
      out += llvm::formatv("\\{0:o3}", (unsigned)c).str();
  }
  return out + "\"";
}

std::string floatLit(float f) { return llvm::formatv("{0:e9}f", f).str(); }

int dtypeOf(Type t) {
  return cast<ShapedType>(t).getElementType().isInteger(32) ? 1 : 0;
}

/// The nnrt_init enumerator of an initializer name (VariableOp verifies the names).
std::string initOf(StringRef init) {
  return "NNRT_INIT_" + init.upper();
}

/// The learning-rate schedules of nnrt_schedule (nnrt/model.h).
bool isKnownSchedule(StringRef name) {
  return name == "constant" || name == "linear" || name == "cosine";
}

/// The nnrt_schedule enumerator of a schedule name (absent: constant).
std::string scheduleEnum(StringAttr schedule) {
  return "NNRT_SCHEDULE_" + (schedule ? schedule.getValue() : StringRef("constant")).upper();
}

std::string shapeLit(ArrayRef<int64_t> dims) {
  std::string s = "{" + std::to_string(dims.size()) + ", {";
  for (auto [i, d] : llvm::enumerate(dims))
    s += (i ? ", " : "") + std::to_string(d);
  return s + (dims.empty() ? "0}}" : "}}");
}

/// An ALIAS slot's strides (nnrt_slot.strides, ABI v9).
std::string stridesLit(ArrayRef<int64_t> strides) {
  std::string s = "{";
  for (auto [i, d] : llvm::enumerate(strides))
    s += (i ? ", " : "") + std::to_string(d);
  return s + "}";
}

/// Whether a result of `kernel` may be written over its operand `operand` (one buffer for
/// both): the kernel is one matmul whose results all have its static 2-D shape, which
/// code generation computes as one staged epilogue, each element once (scheduleGemm;
/// KernelSpec::inPlace), and the operand is read only by elementwise ops of that shape,
/// so each element is read before, and only for, the write of the same element. An
/// optimizer's update of a weight (the weight, its moments) is such a kernel.
static bool canOverwrite(KernelOp kernel, unsigned operand) {
  Block &body = kernel.getBody().front();
  MatmulOp product;
  for (Operation &op : body) {
    if (op.hasTrait<OpTrait::NNContraction>()) {
      if (product || !isa<MatmulOp>(op))
        return false;
      product = cast<MatmulOp>(op);
    }
    if (isa<ScanOp>(op))
      return false;
  }
  if (!product)
    return false;
  auto type = dyn_cast<RankedTensorType>(product.getResult().getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() || kernel.getNumResults() < 2 ||
      llvm::any_of(kernel.getResultTypes(), [&](Type t) { return t != type; }))
    return false;
  BlockArgument arg = body.getArgument(operand);
  if (arg.getType() != type)
    return false;
  return llvm::all_of(arg.getUsers(), [&](Operation *user) {
    return user->hasTrait<OpTrait::NNElementwise>() && user->getNumResults() == 1 &&
           user->getResult(0).getType() == type;
  });
}

/// "" when `value` is an i64 in [0, 2^31 - 1] (an int32_t count of the train tables), else
/// the error for `what`.
static std::string checkCount(Attribute value, StringRef what, StringRef unit) {
  auto n = dyn_cast<IntegerAttr>(value);
  if (n && n.getType().isSignlessInteger(64) && n.getInt() >= 0 && n.getInt() <= INT32_MAX)
    return "";
  std::string text;
  llvm::raw_string_ostream(text) << value;
  return (what + " must be an i64 number of " + unit + " in [0, 2^31 - 1], found " + text)
      .str();
}

/// Plans and writes the tables of one module.
class Planner {
public:
  Planner(ModuleOp module, ModelForm form, bool inPlaceUpdates, bool winogradFilters)
      : module(module), form(form), inPlaceUpdates(inPlaceUpdates),
        winogradFilters(winogradFilters) {}
  llvm::Expected<ModelSource> run();

private:
  llvm::Expected<EntryPlan> planEntry(func::FuncOp func);
  void planBuffers(EntryPlan &e);
  int kernelFor(KernelOp op);
  void keyParameterFilters();
  int copyKernel(int dtype, int rank);
  void write(llvm::raw_ostream &os);
  void writeEntry(llvm::raw_ostream &os, const EntryPlan &e);

  ModuleOp module;
  ModelForm form;
  bool inPlaceUpdates;
  bool winogradFilters;
  ModelSource out;
  std::vector<std::string> symbols;
  std::vector<DimProduct> products; ///< dims that are products of symbols, all entries'
  std::vector<InputOp> inputs;
  std::vector<VariableOp> params;
  std::vector<EntryPlan> entries;
};

/// Whether two kernels compute the same function of their buffers: the same body (ops,
/// attributes, types; not locations), result types and buffer strides.
static bool sameKernel(KernelOp a, KernelOp b) {
  return llvm::equal(a.getResultTypes(), b.getResultTypes()) &&
         a->getAttr(kStridesAttr) == b->getAttr(kStridesAttr) &&
         OperationEquivalence::isRegionEquivalentTo(&a.getBody(), &b.getBody(),
                                                    OperationEquivalence::IgnoreLocations);
}

int Planner::kernelFor(KernelOp op) {
  // A kernel equal to an earlier one (an LSTM's four hoisted gate products, the same
  // loop body in `infer` and `train`) is that kernel, called with other buffers: it is
  // compiled once.
  for (auto [i, k] : llvm::enumerate(out.kernels))
    if (k.op && sameKernel(k.op, op))
      return (int)i;
  std::string sym = out.symbol + "_" + sanitize(op.getName());
  for (const KernelSpec &k : out.kernels)
    if (k.symbol == sym)
      sym += "_" + std::to_string(out.kernels.size());
  out.kernels.push_back(KernelSpec{sym, op, 0, 0});
  return (int)out.kernels.size() - 1;
}

int Planner::copyKernel(int dtype, int rank) {
  std::string sym = out.symbol + "_copy_" + (dtype ? "i32" : "f32") + "_r" +
                    std::to_string(rank);
  for (auto [i, k] : llvm::enumerate(out.kernels))
    if (k.symbol == sym)
      return (int)i;
  out.kernels.push_back(KernelSpec{sym, nullptr, dtype, rank});
  return (int)out.kernels.size() - 1;
}

/// KernelSpec::keyOperand: a kernel whose convolution Winograd's algorithm computes
/// (one per kernel: fusion gives a convolution a kernel of its own) over a filter that
/// is a parameter at every call of the kernel (another call may pass an activation, or
/// another parameter) takes that parameter's key (nnrt_step.key_arg).
void Planner::keyParameterFilters() {
  std::vector<bool> params(out.kernels.size(), true); // every call passes a parameter
  std::vector<int> operand(out.kernels.size(), -1);     // the filter operand, or -1
  for (auto [i, k] : llvm::enumerate(out.kernels)) {
    if (!k.op)
      continue;
    for (Operation &op : k.op.getBody().front())
      if (std::optional<unsigned> filter = winogradFilterArgument(&op))
        operand[i] = (int)*filter;
  }
  for (const EntryPlan &e : entries)
    for (const StepPlan &s : e.steps)
      if (s.kernel >= 0 && operand[s.kernel] >= 0)
        params[s.kernel] = params[s.kernel] &&
                           e.slots[s.args[operand[s.kernel]]].kind == SlotParam;
  for (auto [i, k] : llvm::enumerate(out.kernels))
    if (operand[i] >= 0 && params[i])
      k.keyOperand = operand[i];
}

llvm::Expected<EntryPlan> Planner::planEntry(func::FuncOp func) {
  auto shapes = SymbolicShapes::analyze(func, symbols, products);
  if (!shapes)
    return shapes.takeError();
  EntryPlan e;
  e.name = func.getSymName().str();
  DenseMap<Value, int> slotOf;
  auto addSlot = [&](Value v, int kind, int index) {
    e.slots.push_back(SlotPlan{kind, index, dtypeOf(v.getType()),
                               SmallVector<int64_t, 4>(shapes->dims(v))});
    return slotOf[v] = (int)e.slots.size() - 1;
  };

  for (BlockArgument arg : func.getArguments()) {
    unsigned i = arg.getArgNumber();
    if (auto ref = func.getArgAttrOfType<FlatSymbolRefAttr>(i, "nn.input")) {
      auto it = llvm::find_if(inputs, [&](InputOp in) { return in.getSymName() == ref.getValue(); });
      if (it == inputs.end())
        return error("entry '" + e.name + "' reads unknown input @" + ref.getValue());
      int index = it - inputs.begin();
      e.inputs.push_back(index);
      addSlot(arg, SlotInput, index);
    } else if (auto ref = func.getArgAttrOfType<FlatSymbolRefAttr>(i, "nn.param")) {
      auto it = llvm::find_if(params, [&](VariableOp p) { return p.getSymName() == ref.getValue(); });
      if (it == params.end())
        return error("entry '" + e.name + "' reads unknown parameter @" + ref.getValue());
      addSlot(arg, SlotParam, it - params.begin());
    } else {
      return error("argument " + Twine(i) + " of entry '" + e.name +
                   "' is neither an nn.input nor an nn.param");
    }
  }

  // The first return position of each kernel result writes it directly.
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  DenseMap<Value, int> outputOf;
  // (A merge_heads view's result is written by the kernel that computes its operand.)
  auto fresh = [](Value v) {
    if (auto scan = dyn_cast_or_null<ScanOp>(v.getDefiningOp()))
      return cast<OpResult>(v).getResultNumber() >= scan.getFinals().size();
    if (auto merge = dyn_cast_or_null<MergeHeadsOp>(v.getDefiningOp());
        merge && isBufferView(merge))
      return true;
    return isa_and_nonnull<KernelOp>(v.getDefiningOp());
  };
  for (auto [j, v] : llvm::enumerate(ret.getOperands()))
    if (fresh(v) && !outputOf.count(v))
      outputOf[v] = (int)j;
  // The merge_heads view that reads kernel result `v`, if any (its kernel writes `v` in
  // the merged order).
  auto mergeView = [](Value v) {
    for (Operation *user : v.getUsers())
      if (isa<MergeHeadsOp>(user) && isBufferView(user))
        return cast<MergeHeadsOp>(user);
    return MergeHeadsOp();
  };
  e.outputSlots.assign(ret.getNumOperands(), -1);
  for (unsigned j = 0; j < ret.getNumOperands(); ++j) {
    auto name = func.getResultAttrOfType<StringAttr>(j, "nn.output");
    auto update = func.getResultAttrOfType<FlatSymbolRefAttr>(j, "nn.update");
    e.outputNames.push_back(name     ? name.str()
                            : update ? update.getValue().str()
                                     : "out" + std::to_string(j));
  }

  // Updates written over their parameter (canOverwrite): a kernel result returned as
  // the update of the parameter of an operand that no later step reads, nor the entry
  // returns. The runtime then has nothing to copy back (applyUpdates).
  DenseMap<Value, Value> overwrites; // kernel result -> the parameter argument
  if (inPlaceUpdates)
    for (unsigned j = 0; j < ret.getNumOperands(); ++j) {
      auto update = func.getResultAttrOfType<FlatSymbolRefAttr>(j, "nn.update");
      auto kernel = ret.getOperand(j).getDefiningOp<KernelOp>();
      if (!update || !kernel || kernel->getBlock() != &body)
        continue;
      for (auto [i, input] : llvm::enumerate(kernel.getInputs())) {
        auto arg = dyn_cast<BlockArgument>(input);
        auto param = arg && arg.getOwner() == &body
                         ? func.getArgAttrOfType<FlatSymbolRefAttr>(arg.getArgNumber(),
                                                                    "nn.param")
                         : nullptr;
        if (!param || param.getValue() != update.getValue() ||
            llvm::is_contained(ret.getOperands(), input) ||
            llvm::count(kernel.getInputs(), input) != 1 || !canOverwrite(kernel, i))
          continue;
        bool laterRead = llvm::any_of(input.getUsers(), [&](Operation *user) {
          Operation *top = body.findAncestorOpInBlock(*user);
          return top != kernel && (!top || kernel->isBeforeInBlock(top));
        });
        if (!laterRead)
          overwrites[ret.getOperand(j)] = input;
      }
    }

  auto copy = [&](int from, int to) {
    const SlotPlan &s = e.slots[to];
    e.steps.push_back(StepPlan{copyKernel(s.dtype, (int)s.dims.size()), {from, to}});
    e.steps.back().results = 1;
  };
  std::function<llvm::Error(Block &)> planBlock;
  // A loop step, then its body; see the file comment.
  auto planLoop = [&](ScanOp scan) -> llvm::Error {
    Block &loopBody = scan.getBodyBlock();
    auto yield = cast<YieldOp>(loopBody.getTerminator());
    unsigned k = scan.getCarried().size();
    std::vector<int> across, state;
    for (unsigned i = 0; i < k; ++i) {
      int s = addSlot(scan.getFinals()[i], SlotTemp, 0);
      slotOf[loopBody.getArgument(i)] = s;
      copy(slotOf.lookup(scan.getCarried()[i]), s);
      state.push_back(s);
      across.push_back(s);
    }
    std::vector<int> wholes;
    for (Value r : scan.getStacked()) {
      auto it = outputOf.find(r);
      int w = it == outputOf.end() ? addSlot(r, SlotTemp, 0) : addSlot(r, SlotOutput, it->second);
      if (it != outputOf.end())
        e.outputSlots[it->second] = w;
      wholes.push_back(w);
      across.push_back(w);
    }
    size_t loopIndex = e.steps.size();
    e.steps.push_back(StepPlan{-1, {}});
    for (auto [seq, arg] : llvm::zip(scan.getSequences(), scan.getStepArgs())) {
      int whole = slotOf.lookup(seq);
      across.push_back(whole);
      across.push_back(addSlot(arg, SlotView, whole));
    }
    for (auto [inv, arg] : llvm::zip(scan.getInvariants(), scan.getInvariantArgs())) {
      slotOf[arg] = slotOf.lookup(inv);
      across.push_back(slotOf[arg]);
    }
    // A stacked output computed by a kernel of the body is written in place; any other
    // (a step's argument, a value stacked twice) is copied into its slice after the body.
    std::vector<std::pair<Value, int>> stackCopies; // (yielded value, view)
    for (auto [j, whole] : llvm::enumerate(wholes)) {
      Value y = yield.getValues()[k + j];
      // (Once placed, y has a slot: a value stacked twice is copied the second time.)
      bool inPlace = isa_and_nonnull<KernelOp>(y.getDefiningOp()) && !slotOf.count(y);
      int view;
      if (inPlace) {
        view = addSlot(y, SlotView, whole);
      } else {
        SlotPlan slice = e.slots[whole];
        slice.kind = SlotView;
        slice.index = whole;
        slice.dims.erase(slice.dims.begin());
        e.slots.push_back(std::move(slice));
        view = (int)e.slots.size() - 1;
        stackCopies.push_back({y, view});
      }
      across.push_back(view);
    }
    if (llvm::Error err = planBlock(loopBody))
      return err;
    for (auto [y, view] : stackCopies)
      copy(slotOf.lookup(y), view);
    for (unsigned i = 0; i < k; ++i) {
      Value next = yield.getValues()[i];
      auto arg = dyn_cast<BlockArgument>(next);
      if (arg && arg.getOwner() == &loopBody && arg.getArgNumber() < k &&
          arg.getArgNumber() != i)
        return error("entry '" + e.name + "': a loop that carries one carried value into "
                     "another's place is not supported yet");
      if (slotOf.lookup(next) != state[i])
        copy(slotOf.lookup(next), state[i]);
    }
    StepPlan &loop = e.steps[loopIndex];
    loop.args = across;
    loop.loopSteps = int(e.steps.size() - loopIndex - 1);
    // The runtime reads the number of iterations from dim 0 of a slot: a sequence's,
    // else (a loop with a static `length` and no sequences) a stacked output's, else a
    // slot of shape [length] that is never read, listed so that it lives as the loop.
    if (!scan.getSequences().empty()) {
      loop.loopLength = slotOf.lookup(scan.getSequences()[0]);
    } else if (!wholes.empty()) {
      loop.loopLength = wholes.front();
    } else {
      int64_t length = scan.getStaticStepCount();
      if (ShapedType::isDynamic(length))
        return error("entry '" + e.name + "': a loop without sequences has no length");
      e.slots.push_back(SlotPlan{SlotTemp, 0, 0, {length}});
      loop.loopLength = (int)e.slots.size() - 1;
      loop.args.push_back(loop.loopLength);
    }
    loop.loopReverse = scan.getReverse();
    return llvm::Error::success();
  };
  planBlock = [&](Block &block) -> llvm::Error {
    for (Operation &op : block) {
      if (auto kernel = dyn_cast<KernelOp>(op)) {
        StepPlan step{kernelFor(kernel), {}};
        step.results = (int)kernel.getNumResults();
        for (Value v : kernel.getInputs())
          step.args.push_back(slotOf.lookup(v));
        for (Value v : kernel.getResults()) {
          int slot;
          if (auto pre = slotOf.find(v); pre != slotOf.end()) {
            slot = pre->second; // a stacked output's slice
          } else if (Value param = overwrites.lookup(v)) {
            slot = slotOf[v] = slotOf.lookup(param); // written over the parameter
            out.kernels[step.kernel].inPlace = true;
            if (auto it = outputOf.find(v); it != outputOf.end())
              e.outputSlots[it->second] = slot;
          } else if (MergeHeadsOp merge = mergeView(v)) {
            // Written in the merged order: through a strided alias of the merged value's
            // slot.
            auto it = outputOf.find(merge.getResult());
            int merged = it == outputOf.end() ? addSlot(merge.getResult(), SlotTemp, 0)
                                              : addSlot(merge.getResult(), SlotOutput, it->second);
            if (it != outputOf.end())
              e.outputSlots[it->second] = merged;
            slot = addSlot(v, SlotAlias, merged);
            e.slots[slot].strides = bufferStrides(v);
          } else {
            auto it = outputOf.find(v);
            slot = it == outputOf.end() ? addSlot(v, SlotTemp, 0)
                                        : addSlot(v, SlotOutput, it->second);
            if (it != outputOf.end())
              e.outputSlots[it->second] = slot;
          }
          step.args.push_back(slot);
        }
        e.steps.push_back(std::move(step));
      } else if (isBufferView(&op) && !isa<MergeHeadsOp>(op)) {
        // A reshape or a split_heads view: an ALIAS of its operand's root slot (a
        // split_heads view with its strides; a reshape's are empty, dense).
        int target = slotOf.lookup(op.getOperand(0));
        if (e.slots[target].kind == SlotAlias)
          target = e.slots[target].index;
        int slot = addSlot(op.getResult(0), SlotAlias, target);
        e.slots[slot].strides = bufferStrides(op.getResult(0));
      } else if (isa<MergeHeadsOp>(op) && isBufferView(&op)) {
        if (!slotOf.count(op.getResult(0))) // planned with the kernel that writes it
          return error("entry '" + e.name + "': a merge_heads view of a value that no " +
                       "kernel writes in the merged order");
      } else if (auto scan = dyn_cast<ScanOp>(op)) {
        if (llvm::Error err = planLoop(scan))
          return err;
      } else if (!isa<func::ReturnOp, YieldOp>(op)) {
        return error("unexpected '" + op.getName().getStringRef() + "' in entry '" +
                     e.name + "' (expected nn.kernel, nn.scan, or a view: nn.reshape, " +
                     "split_heads, merge_heads)");
      }
    }
    return llvm::Error::success();
  };
  if (llvm::Error err = planBlock(body))
    return std::move(err);
  for (auto [j, v] : llvm::enumerate(ret.getOperands())) {
    if (e.outputSlots[j] >= 0)
      continue;
    e.slots.push_back(e.slots[slotOf.lookup(v)]);
    e.slots.back().strides.clear();
    e.slots.back().kind = SlotOutput;
    e.slots.back().index = (int)j;
    e.outputSlots[j] = (int)e.slots.size() - 1;
    copy(slotOf.lookup(v), e.outputSlots[j]);
  }
  for (unsigned j = 0; j < ret.getNumOperands(); ++j) {
    auto update = func.getResultAttrOfType<FlatSymbolRefAttr>(j, "nn.update");
    if (!update)
      continue;
    auto it = llvm::find_if(params, [&](VariableOp p) { return p.getSymName() == update.getValue(); });
    if (it == params.end())
      return error("entry '" + e.name + "' updates unknown parameter @" + update.getValue());
    e.updates.push_back(int(it - params.begin()));
    e.updates.push_back(e.outputSlots[j]);
  }
  planBuffers(e);
  return e;
}

/// Shares the TEMP slots' memory (MemoryPlan) and stores each one's buffer in its index.
void Planner::planBuffers(EntryPlan &e) {
  auto train = module->getAttrOfType<DictionaryAttr>("nn.train");
  auto batch = train ? train.getAs<IntegerAttr>("batch") : nullptr;
  e.defaultBatch = batch && batch.getInt() > 0 ? batch.getInt() : 1;
  std::vector<MemorySlot> slots;
  for (const SlotPlan &s : e.slots) {
    MemorySlot m;
    bool alias = s.kind == SlotAlias || s.kind == SlotView;
    m.kind = s.kind == SlotTemp ? MemorySlot::Temp
             : alias            ? MemorySlot::Alias
                                : MemorySlot::Other;
    m.aliasOf = alias ? s.index : -1;
    m.bytesAtBatch = 4;
    m.fixedSize = llvm::all_of(s.dims, [](int64_t d) { return d >= 0; });
    for (int64_t d : s.dims) {
      int64_t k = -(d + 1);
      if (d >= 0) {
        m.bytesAtBatch *= d;
      } else if (k < (int64_t)symbols.size()) {
        m.bytesAtBatch *= e.defaultBatch;
      } else {
        const DimProduct &p = products[k - symbols.size()];
        m.bytesAtBatch *= p.factor;
        for (size_t i = 0; i < p.symbols.size(); ++i)
          m.bytesAtBatch *= e.defaultBatch;
      }
    }
    slots.push_back(m);
  }
  std::vector<std::vector<int>> stepArgs;
  for (const StepPlan &st : e.steps)
    stepArgs.push_back(st.args);
  // What a loop lists lives across its iterations: to the last step of its body too.
  for (auto [i, st] : llvm::enumerate(e.steps))
    if (st.kernel < 0)
      llvm::append_range(stepArgs[i + st.loopSteps], st.args);
  std::vector<int> liveAtEnd(e.outputSlots);
  for (size_t u = 1; u < e.updates.size(); u += 2)
    liveAtEnd.push_back(e.updates[u]);
  e.memory = planMemory(slots, stepArgs, liveAtEnd);
  for (auto [s, slot] : llvm::enumerate(e.slots))
    if (slot.kind == SlotTemp)
      slot.index = e.memory.bufferOf[s];
}

llvm::Expected<ModelSource> Planner::run() {
  auto name = module->getAttrOfType<StringAttr>("nn.model");
  out.symbol = sanitize(name ? name.getValue() : "model");
  symbols = collectSymbols(module);
  for (auto in : module.getOps<InputOp>())
    inputs.push_back(in);
  for (auto var : module.getOps<VariableOp>())
    params.push_back(var);
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || func.isPrivate())
      continue;
    auto plan = planEntry(func);
    if (!plan)
      return plan.takeError();
    entries.push_back(std::move(*plan));
  }
  if (entries.empty())
    return error("the module has no entry function");
  if (winogradFilters)
    keyParameterFilters();
  if (auto train = module->getAttrOfType<DictionaryAttr>("nn.train")) {
    if (auto schedule = train.getAs<StringAttr>("schedule");
        schedule && !isKnownSchedule(schedule.getValue()))
      return error("unknown learning-rate schedule '" + schedule.getValue() +
                   "' in nn.train (expected constant, linear or cosine)");
    // nnrt_train_config's warmup_steps is an int32_t count of steps, and
    // nnrt_iteration_step's micro_batch one of rows (0: none).
    if (Attribute warmup = train.get("warmup"))
      if (std::string e = checkCount(warmup, "warmup in nn.train", "steps"); !e.empty())
        return error(e);
    if (auto list = train.getAs<ArrayAttr>("steps"))
      for (auto step : list.getAsRange<DictionaryAttr>())
        if (Attribute micro = step.get("micro_batch"))
          if (std::string e = checkCount(micro, "micro_batch in nn.train's steps", "rows");
              !e.empty())
            return error(e);
  }
  llvm::raw_string_ostream os(out.source);
  write(os);
  if (form == ModelForm::Library) {
    std::string guard = llvm::StringRef(out.symbol).upper() + "_MODEL_H";
    out.header = "/* Generated by nnc: the model '" + out.symbol + "'. */\n#ifndef " + guard +
                 "\n#define " + guard + "\n\n#include \"nnrt/nnrt.h\"\n\n#ifdef __cplusplus\n"
                 "extern \"C\" {\n#endif\n\n/* The model's tables; run it with libnnrt. */\n"
                 "const nnrt_model *" + out.symbol + "_model_get(void);\n\n#ifdef __cplusplus\n"
                 "}\n#endif\n#endif\n";
  }
  return std::move(out);
}

void Planner::writeEntry(llvm::raw_ostream &os, const EntryPlan &e) {
  std::string p = out.symbol + "_" + sanitize(e.name);
  os << "static const nnrt_slot " << p << "_slots[] = {\n";
  for (const SlotPlan &s : e.slots)
    os << "  {" << SlotKindNames[s.kind] << ", " << s.index << ", "
       << (s.dtype ? "NNRT_I32" : "NNRT_F32") << ", " << shapeLit(s.dims)
       << (s.strides.empty() ? "" : ", " + stridesLit(s.strides)) << "},\n";
  os << "};\n";
  auto intArray = [&](const std::string &name, const std::vector<int> &v) {
    if (v.empty())
      return std::string("NULL");
    os << "static const int32_t " << name << "[] = {";
    for (auto [i, x] : llvm::enumerate(v))
      os << (i ? ", " : "") << x;
    os << "};\n";
    return name;
  };
  std::vector<std::string> stepArgs;
  for (auto [i, s] : llvm::enumerate(e.steps))
    stepArgs.push_back(intArray(p + "_step" + std::to_string(i) + "_args", s.args));
  std::string inputsName = intArray(p + "_inputs", e.inputs);
  std::string updatesName = intArray(p + "_updates", e.updates);
  std::string outSlots = intArray(p + "_output_slots", e.outputSlots);
  std::string outNames = "NULL";
  if (!e.outputNames.empty()) {
    outNames = p + "_output_names";
    os << "static const char *const " << outNames << "[] = {";
    for (auto [i, n] : llvm::enumerate(e.outputNames))
      os << (i ? ", " : "") << quote(n);
    os << "};\n";
  }
  std::string steps = "NULL";
  if (!e.steps.empty()) {
    steps = p + "_steps";
    os << "static const nnrt_step " << steps << "[] = {\n";
    for (auto [i, s] : llvm::enumerate(e.steps)) {
      if (s.kernel < 0) {
        os << "  {\"loop\", NULL, " << s.args.size() << ", " << stepArgs[i] << ", "
           << s.loopSteps << ", " << s.loopLength << ", " << (s.loopReverse ? 1 : 0)
           << ", 0, 0},\n";
        continue;
      }
      const KernelSpec &k = out.kernels[s.kernel];
      os << "  {" << quote(k.symbol) << ", " << k.symbol << "_argv, " << s.args.size()
         << ", " << stepArgs[i] << ", 0, 0, 0, " << s.results << ", " << k.keyOperand + 1
         << "},\n";
    }
    os << "};\n";
  }
  os << "#define " << p << "_ENTRY {" << quote(e.name) << ", " << e.slots.size() << ", "
     << p << "_slots, " << e.inputs.size() << ", " << inputsName << ", "
     << e.outputSlots.size() << ", " << outNames << ", " << outSlots << ", "
     << e.steps.size() << ", " << steps << ", " << e.updates.size() / 2 << ", "
     << updatesName << ", " << e.memory.numBuffers << ", " << e.defaultBatch << ", "
     << e.memory.arenaBytes << ", " << e.memory.unplannedBytes << "}\n\n";
}

void Planner::write(llvm::raw_ostream &os) {
  const std::string &m = out.symbol;
  os << "/* Generated by nnc: the tables of model '" << m << "' (see nnrt/model.h). */\n"
     << "#include <stddef.h>\n#include \"nnrt/model.h\"\n";
  if (form == ModelForm::Executable)
    os << "#include \"nnrt/nnrt.h\"\n";
  os << "\n";
  for (const KernelSpec &k : out.kernels)
    os << "extern int " << k.symbol << "_argv(void **);\n";
  os << "\n";

  if (!symbols.empty()) {
    os << "static const char *const " << m << "_symbols[] = {";
    for (auto [i, s] : llvm::enumerate(symbols))
      os << (i ? ", " : "") << quote(s);
    os << "};\n";
  }
  if (!products.empty()) {
    os << "static const nnrt_dim_product " << m << "_dim_products[] = {\n";
    for (const DimProduct &p : products) {
      os << "  {" << p.factor << ", " << p.symbols.size() << ", {";
      for (auto [i, k] : llvm::enumerate(p.symbols))
        os << (i ? ", " : "") << k;
      os << "}}, /* ";
      if (p.factor != 1)
        os << p.factor << "*";
      for (auto [i, k] : llvm::enumerate(p.symbols))
        os << (i ? "*" : "") << symbols[k];
      os << " */\n";
    }
    os << "};\n";
  }
  if (!inputs.empty()) {
    os << "static const nnrt_input " << m << "_inputs[] = {\n";
    for (InputOp in : inputs) {
      auto type = cast<RankedTensorType>(in.getType());
      SmallVector<int64_t> dims(type.getShape());
      for (auto [d, name] : llvm::enumerate(in.getDims().getAsValueRange<StringAttr>()))
        if (!name.empty())
          dims[d] = -(llvm::find(symbols, name.str()) - symbols.begin() + 1);
      os << "  {" << quote(in.getSymName()) << ", " << (dtypeOf(type) ? "NNRT_I32" : "NNRT_F32")
         << ", " << shapeLit(dims) << "},\n";
    }
    os << "};\n";
  }
  if (!params.empty()) {
    os << "static const nnrt_param " << m << "_params[] = {\n";
    for (VariableOp v : params) {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<float> argv;
      for (Attribute a : v.getInitArgs())
        argv.push_back(cast<FloatAttr>(a).getValueAsDouble());
      argv.resize(std::max<size_t>(argv.size(), 2), 0.0f);
      os << "  {" << quote(v.getSymName()) << ", " << (dtypeOf(type) ? "NNRT_I32" : "NNRT_F32")
         << ", " << shapeLit(type.getShape()) << ", " << initOf(v.getInit()) << ", "
         << floatLit(argv[0]) << ", " << floatLit(argv[1]) << ", " << (v.getTrainable() ? 1 : 0)
         << "},\n";
    }
    os << "};\n";
  }
  os << "\n";
  for (const EntryPlan &e : entries)
    writeEntry(os, e);
  os << "static const nnrt_entry " << m << "_entries[] = {";
  for (auto [i, e] : llvm::enumerate(entries))
    os << (i ? ", " : "") << m << "_" << sanitize(e.name) << "_ENTRY";
  os << "};\n\n";

  auto train = module->getAttrOfType<DictionaryAttr>("nn.train");
  auto str = [&](StringRef key) {
    auto a = train ? train.getAs<StringAttr>(key) : nullptr;
    return quote(a ? a.getValue() : "");
  };
  auto integer = [&](StringRef key) {
    auto a = train ? train.getAs<IntegerAttr>(key) : nullptr;
    return a ? a.getInt() : 0;
  };
  auto lr = train ? train.getAs<FloatAttr>("lr") : nullptr;
  auto source = module->getAttrOfType<StringAttr>("nn.source");
  // The steps of an iteration: those of nn.train's `steps` that are entries here.
  SmallVector<DictionaryAttr> steps;
  if (auto list = train ? train.getAs<ArrayAttr>("steps") : nullptr)
    for (auto step : list.getAsRange<DictionaryAttr>()) {
      auto entry = step.getAs<StringAttr>("entry");
      if (entry && llvm::any_of(entries, [&](const EntryPlan &e) {
            return e.name == entry.getValue();
          }))
        steps.push_back(step);
    }
  if (!steps.empty()) {
    os << "static const nnrt_iteration_step " << m << "_iteration[] = {\n";
    for (DictionaryAttr step : steps) {
      auto stepLr = step.getAs<FloatAttr>("lr");
      auto loss = step.getAs<StringAttr>("loss");
      auto micro = step.getAs<IntegerAttr>("micro_batch");
      os << "  {" << quote(step.getAs<StringAttr>("entry").getValue()) << ", "
         << quote(loss ? loss.getValue() : "loss") << ", "
         << floatLit(stepLr ? stepLr.getValueAsDouble() : 0.0) << ", "
         << (micro ? micro.getInt() : 0) << "},\n";
    }
    os << "};\n\n";
  }
  // The data clause's options: [key, value] pairs of nn.train's `data_options`.
  SmallVector<std::pair<StringRef, StringRef>> dataOptions;
  if (auto list = train ? train.getAs<ArrayAttr>("data_options") : nullptr)
    for (auto pair : list.getAsRange<ArrayAttr>())
      if (pair.size() == 2 && isa<StringAttr>(pair[0]) && isa<StringAttr>(pair[1]))
        dataOptions.emplace_back(cast<StringAttr>(pair[0]).getValue(),
                                 cast<StringAttr>(pair[1]).getValue());
  if (!dataOptions.empty()) {
    os << "static const nnrt_data_option " << m << "_data_options[] = {\n";
    for (auto [key, value] : dataOptions)
      os << "  {" << quote(key) << ", " << quote(value) << "},\n";
    os << "};\n\n";
  }
  os << "const nnrt_model " << m << "_model = {\n"
     << "  NNRT_MODEL_ABI_VERSION,\n"
     << "  " << quote(m) << ",\n"
     << "  " << quote(source ? source.getValue() : "") << ",\n"
     << "  " << symbols.size() << ", " << (symbols.empty() ? "NULL" : m + "_symbols") << ",\n"
     << "  " << inputs.size() << ", " << (inputs.empty() ? "NULL" : m + "_inputs") << ",\n"
     << "  " << params.size() << ", " << (params.empty() ? "NULL" : m + "_params") << ",\n"
     << "  " << entries.size() << ", " << m << "_entries,\n"
     << "  {" << str("data") << ", " << integer("batch") << ", " << integer("epochs") << ", "
     << integer("seed") << ", " << floatLit(lr ? lr.getValueAsDouble() : 0.0) << ", "
     << scheduleEnum(train ? train.getAs<StringAttr>("schedule") : nullptr) << ", "
     << str("entry") << ", " << str("loss") << ", " << steps.size() << ", "
     << (steps.empty() ? "NULL" : m + "_iteration") << ", " << dataOptions.size() << ", "
     << (dataOptions.empty() ? "NULL" : m + "_data_options") << ", " << integer("warmup")
     << "},\n"
     << "  " << products.size() << ", " << (products.empty() ? "NULL" : m + "_dim_products")
     << "\n};\n";
  if (form == ModelForm::Executable)
    os << "\nint main(int argc, char **argv) { return nnrt_main(&" << m
       << "_model, argc, argv); }\n";
  if (form == ModelForm::Library)
    os << "\nconst nnrt_model *" << m << "_model_get(void) { return &" << m << "_model; }\n";
}

} // namespace

llvm::Expected<ModelSource> nn::codegen::emitModelSource(ModuleOp module, ModelForm form,
                                                        bool inPlaceUpdates,
                                                        bool winogradFilters) {
  return Planner(module, form, inPlaceUpdates, winogradFilters).run();
}
