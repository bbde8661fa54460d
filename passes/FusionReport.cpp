//===- FusionReport.cpp - text and Graphviz views of the kernel partition ---===//
//
// Only reads the IR: kernels, their `nn.fusion` dictionaries (written by nn-fuse) and
// the locations the frontend put on every op. Inlined ops carry CallSiteLoc (the op in
// the callee, called at the caller) and merged ones FusedLoc: both resolve to a file
// location here.
//
//===----------------------------------------------------------------------------===//
#include "passes/FusionReport.h"
#include "passes/Passes.h"
#include "ir/NNOps.h"
#include "ir/Views.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace nn;

namespace {

/// `file:line:col` of a location, or "" when it has none.
std::string fileLocation(Location loc) {
  if (auto f = dyn_cast<FileLineColLoc>(loc))
    return (f.getFilename().str() + ":" + Twine(f.getLine()) + ":" + Twine(f.getColumn()))
        .str();
  if (auto n = dyn_cast<NameLoc>(loc))
    return fileLocation(n.getChildLoc());
  if (auto c = dyn_cast<CallSiteLoc>(loc)) {
    std::string callee = fileLocation(c.getCallee()), caller = fileLocation(c.getCaller());
    if (callee.empty() || caller.empty())
      return callee.empty() ? caller : callee;
    return callee + " (called at " + caller + ")";
  }
  if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations())
      if (std::string s = fileLocation(l); !s.empty())
        return s;
  return "";
}

std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// The symbol an entry argument stands for (`@image`); in a loop's body, which of the
/// loop's values it is (`carried #0`, `step of sequence #1`, `invariant #2`); else
/// `argN`.
std::string argumentName(BlockArgument arg) {
  Operation *parent = arg.getOwner()->getParentOp();
  if (auto func = dyn_cast<func::FuncOp>(parent))
    for (StringRef attr : {"nn.input", "nn.param"})
      if (auto ref = func.getArgAttrOfType<FlatSymbolRefAttr>(arg.getArgNumber(), attr))
        return "@" + ref.getValue().str();
  if (auto scan = dyn_cast<ScanOp>(parent)) {
    unsigned i = arg.getArgNumber(), carried = scan.getCarried().size(),
             sequences = scan.getSequences().size();
    if (i < carried)
      return "loop carried #" + std::to_string(i);
    if (i < carried + sequences)
      return "step of loop sequence #" + std::to_string(i - carried);
    return "loop invariant #" + std::to_string(i - carried - sequences);
  }
  return "arg" + std::to_string(arg.getArgNumber());
}

/// The name of result `j` of the function returning from `ret`.
std::string outputName(func::ReturnOp ret, unsigned j) {
  auto func = ret->getParentOfType<func::FuncOp>();
  if (auto name = func.getResultAttrOfType<StringAttr>(j, "nn.output"))
    return name.str();
  if (auto update = func.getResultAttrOfType<FlatSymbolRefAttr>(j, "nn.update"))
    return "update of @" + update.getValue().str();
  return "result " + std::to_string(j);
}

/// Where a kernel input comes from: an argument, a kernel result, through reshapes.
std::string describeSource(Value v) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return argumentName(arg);
  Operation *def = v.getDefiningOp();
  if (auto kernel = dyn_cast<KernelOp>(def))
    return kernel.getName().str() + "#" +
           std::to_string(cast<OpResult>(v).getResultNumber());
  if (isBufferView(def)) // reshape, split_heads, merge_heads
    return def->getName().stripDialect().str() + " of " + describeSource(def->getOperand(0));
  if (auto scan = dyn_cast<ScanOp>(def)) {
    unsigned i = cast<OpResult>(v).getResultNumber(), finals = scan.getFinals().size();
    return i < finals ? "the loop's final #" + std::to_string(i)
                      : "the loop's stacked #" + std::to_string(i - finals);
  }
  return def->getName().getStringRef().str();
}

/// Where a kernel result goes: kernels and function results, through reshapes.
void describeUsers(Value v, SmallVectorImpl<std::string> &out) {
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    std::string s;
    if (auto kernel = dyn_cast<KernelOp>(user)) {
      s = kernel.getName().str();
    } else if (auto ret = dyn_cast<func::ReturnOp>(user)) {
      s = "returned (" + outputName(ret, use.getOperandNumber()) + ")";
    } else if (isBufferView(user)) {
      SmallVector<std::string> inner;
      describeUsers(user->getResult(0), inner);
      s = user->getName().stripDialect().str() + " -> {" + llvm::join(inner, ", ") + "}";
    } else if (isa<ScanOp>(user)) {
      s = "loop";
    } else if (isa<YieldOp>(user) && isa<ScanOp>(user->getParentOp())) {
      s = "the loop's next step";
    } else {
      s = user->getName().getStringRef().str();
    }
    if (!llvm::is_contained(out, s))
      out.push_back(s);
  }
}

/// The recorded reason why input `i` of `kernel` is not fused into it.
StringRef boundaryReason(KernelOp kernel, unsigned i) {
  if (auto dict = kernel->getAttrOfType<DictionaryAttr>("nn.fusion"))
    if (auto inputs = dict.getAs<ArrayAttr>("inputs"))
      if (i < inputs.size())
        if (auto s = dyn_cast<StringAttr>(inputs[i]))
          return s.getValue();
  return "not recorded (kernel not formed by nn-fuse)";
}

void printKernel(KernelOp kernel, llvm::raw_ostream &os, unsigned depth) {
  Block &body = kernel.getBody().front();
  unsigned constants = 0, count = 0;
  for (Operation &op : body.without_terminator())
    op.hasTrait<OpTrait::ConstantLike>() ? ++constants : ++count;
  os.indent(2 * depth);
  os << "  kernel " << kernel.getName() << " (" << kernel.getFusionKind() << "): " << count
     << (count == 1 ? " op" : " ops");
  if (constants)
    os << " + " << constants << (constants == 1 ? " constant" : " constants");
  os << ", " << kernel.getNumResults()
     << (kernel.getNumResults() == 1 ? " result\n" : " results\n");
  for (Operation &op : body.without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    std::string where = fileLocation(op.getLoc());
    // At least one space after a long name (nn.conv2d_filter_grad).
    os.indent(2 * depth) << "    " << llvm::left_justify(op.getName().getStringRef(), 17) << " "
       << (where.empty() ? "<unknown location>" : where)
       << (op.hasAttr(kPrologueAttr)         ? " (prologue of the contraction)"
           : op.hasAttr(kArgumentScalarAttr) ? " (a scalar from arguments, computed here)"
                                             : "")
       << "\n";
  }
  for (auto [i, v] : llvm::enumerate(kernel.getInputs()))
    os.indent(2 * depth) << "    in  #" << i << " " << typeString(v.getType()) << " from "
                         << describeSource(v) << ": " << boundaryReason(kernel, i) << "\n";
  for (auto [i, v] : llvm::enumerate(kernel.getResults())) {
    SmallVector<std::string> users;
    describeUsers(v, users);
    os.indent(2 * depth) << "    out #" << i << " " << typeString(v.getType()) << " to "
                         << (users.empty() ? "nothing" : llvm::join(users, ", ")) << "\n";
  }
}

/// The kernels of `block` in order; a loop prints a header and its body's kernels,
/// indented (they run once per step).
void printBlock(Block &block, llvm::raw_ostream &os, unsigned depth) {
  for (Operation &op : block) {
    if (auto kernel = dyn_cast<KernelOp>(op)) {
      printKernel(kernel, os, depth);
    } else if (auto scan = dyn_cast<ScanOp>(op)) {
      auto kernels = scan.getBodyBlock().getOps<KernelOp>();
      unsigned n = llvm::range_size(kernels);
      std::string where = fileLocation(scan.getLoc());
      os.indent(2 * depth) << "  loop" << (scan.getReverse() ? " (reversed)" : "") << " at "
                           << (where.empty() ? "<unknown location>" : where) << ": " << n
                           << (n == 1 ? " kernel" : " kernels") << " per step\n";
      printBlock(scan.getBodyBlock(), os, depth + 1);
    }
  }
}

/// Kernels and their non-constant ops in `block`, loop bodies included.
std::pair<unsigned, unsigned> countKernels(Block &block) {
  unsigned kernels = 0, ops = 0;
  block.walk([&](KernelOp k) {
    ++kernels;
    for (Operation &op : k.getBody().front().without_terminator())
      ops += !op.hasTrait<OpTrait::ConstantLike>();
  });
  return {kernels, ops};
}

/// A quoted Graphviz id or label; a newline becomes a line break of the label.
std::string quoted(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

/// The graph node a value comes from (through reshapes), declaring argument nodes. A
/// loop body's argument is traced to the loop's operand it stands for (`viaLoop`); a
/// loop's result comes from the loop's node.
std::string sourceNode(Value v, StringRef entry, std::vector<std::string> &args,
                       const DenseMap<Operation *, std::string> &loops, bool &viaReshape,
                       bool &viaLoop) {
  while (true) {
    if (Operation *def = v.getDefiningOp(); def && isBufferView(def)) {
      v = def->getOperand(0);
      viaReshape = true; // (a split_heads or merge_heads view reshapes too)
      continue;
    }
    auto arg = dyn_cast<BlockArgument>(v);
    auto scan = arg ? dyn_cast<ScanOp>(arg.getOwner()->getParentOp()) : ScanOp();
    if (!scan)
      break;
    v = scan->getOperand(arg.getArgNumber());
    viaLoop = true;
  }
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    std::string id = (entry + "." + argumentName(arg)).str();
    if (!llvm::is_contained(args, id))
      args.push_back(id);
    return id;
  }
  if (auto kernel = v.getDefiningOp<KernelOp>())
    return (entry + "." + kernel.getName()).str();
  if (auto it = loops.find(v.getDefiningOp()); it != loops.end())
    return it->second;
  return (entry + "." + v.getDefiningOp()->getName().getStringRef()).str();
}

/// The kernels of `block` as nodes; a loop as a cluster holding its body's kernels, and
/// a node for its results. Edges (kernel inputs) go to `es`.
void printBlockDot(Block &block, StringRef entry, llvm::raw_ostream &os,
                   llvm::raw_ostream &es, std::vector<std::string> &args,
                   DenseMap<Operation *, std::string> &loops, unsigned depth) {
  for (Operation &op : block) {
    if (auto scan = dyn_cast<ScanOp>(op)) {
      std::string id = (entry + ".loop" + Twine(loops.size())).str();
      loops[scan] = id;
      std::string where = fileLocation(scan.getLoc());
      os.indent(4 + 2 * depth) << "subgraph " << quoted("cluster_" + id) << " {\n";
      os.indent(6 + 2 * depth) << "label="
                               << quoted((scan.getReverse() ? "loop (reversed) at "
                                                            : "loop at ") +
                                         (where.empty() ? "<unknown location>" : where) +
                                         ", once per step")
                               << ";\n";
      printBlockDot(scan.getBodyBlock(), entry, os, es, args, loops, depth + 1);
      os.indent(6 + 2 * depth) << quoted(id) << " [shape=ellipse, label=\"loop results\"];\n";
      os.indent(4 + 2 * depth) << "}\n";
      continue;
    }
    auto kernel = dyn_cast<KernelOp>(op);
    if (!kernel)
      continue;
    std::string id = (entry + "." + kernel.getName()).str();
    unsigned ops = 0;
    for (Operation &inner : kernel.getBody().front().without_terminator())
      ops += !inner.hasTrait<OpTrait::ConstantLike>();
    os.indent(4 + 2 * depth) << quoted(id) << " [shape=box, label="
                             << quoted((kernel.getName() + "\n" + kernel.getFusionKind() + ", " +
                                        Twine(ops) + " ops")
                                           .str())
                             << "];\n";
    for (auto [i, v] : llvm::enumerate(kernel.getInputs())) {
      bool viaReshape = false, viaLoop = false;
      std::string from = sourceNode(v, entry, args, loops, viaReshape, viaLoop);
      std::string text = typeString(v.getType()) + (viaReshape ? " (reshaped)" : "") +
                         (viaLoop ? " (through the loop)" : "");
      es << "    " << quoted(from) << " -> " << quoted(id)
         << " [label=" << quoted(text + "\n" + boundaryReason(kernel, i).str()) << "];\n";
    }
  }
}

void printEntryDot(func::FuncOp func, llvm::raw_ostream &os) {
  StringRef entry = func.getSymName();
  os << "  subgraph " << quoted(("cluster_" + entry).str()) << " {\n"
     << "    label=" << quoted(entry) << ";\n";
  std::vector<std::string> args;
  DenseMap<Operation *, std::string> loops;
  std::string edges;
  llvm::raw_string_ostream es(edges);
  printBlockDot(func.getBody().front(), entry, os, es, args, loops, 0);
  std::string outputs = (entry + ".outputs").str();
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (auto [j, v] : llvm::enumerate(ret.getOperands())) {
    bool viaReshape = false, viaLoop = false;
    std::string from = sourceNode(v, entry, args, loops, viaReshape, viaLoop);
    std::string text = typeString(v.getType()) + (viaReshape ? " (reshaped)" : "");
    es << "    " << quoted(from) << " -> " << quoted(outputs)
       << " [label=" << quoted(text + "\n" + outputName(ret, j)) << "];\n";
  }
  for (const std::string &a : args)
    os << "    " << quoted(a) << " [shape=ellipse, label="
       << quoted(StringRef(a).drop_front(entry.size() + 1)) << "];\n";
  os << "    " << quoted(outputs) << " [shape=ellipse, label=\"outputs\"];\n";
  os << edges << "  }\n";
}

bool hasKernels(func::FuncOp func) {
  return !func.isExternal() && !func.getBody().getOps<KernelOp>().empty();
}

} // namespace

void nn::printFusionReport(ModuleOp module, llvm::raw_ostream &os) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!hasKernels(func))
      continue;
    auto [n, ops] = countKernels(func.getBody().front());
    os << "entry " << func.getSymName() << ": " << n << (n == 1 ? " kernel, " : " kernels, ")
       << ops << " ops\n";
    printBlock(func.getBody().front(), os, 0);
  }
}

void nn::printFusionDot(ModuleOp module, llvm::raw_ostream &os) {
  os << "digraph fusion {\n  node [fontname=\"monospace\"];\n"
     << "  edge [fontname=\"monospace\", fontsize=9];\n";
  for (auto func : module.getOps<func::FuncOp>())
    if (hasKernels(func))
      printEntryDot(func, os);
  os << "}\n";
}
