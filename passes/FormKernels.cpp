//===- FormKernels.cpp - group compute ops into nn.kernel regions ---------===//
//
// A kernel is a chain: an anchor op (any compute op) followed by elementwise ops that
// each consume the previous result as its only use. Only the chain's last value leaves
// the kernel, so the kernel can stand where the last op stood. Reshapes stay outside
// (buffer aliases); constants are cloned into every kernel that reads them.
//
//===----------------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace nn {
#define GEN_PASS_DEF_NNFORMKERNELS
#include "passes/Passes.h.inc"
} // namespace nn

using namespace mlir;
using namespace nn;

namespace {

bool isComputeOp(Operation *op) {
  return isa<NNDialect>(op->getDialect()) && !isa<ConstantOp, ReshapeOp, KernelOp>(op) &&
         op->getNumResults() == 1;
}

/// Partitions the compute ops of `block` into chains (see file comment).
SmallVector<SmallVector<Operation *>> partition(Block &block) {
  SmallVector<SmallVector<Operation *>> groups;
  DenseMap<Operation *, unsigned> groupOf;
  for (Operation &op : block) {
    if (!isComputeOp(&op))
      continue;
    std::optional<unsigned> target;
    if (op.hasTrait<OpTrait::NNElementwise>()) {
      for (Value operand : op.getOperands()) {
        Operation *def = operand.getDefiningOp();
        auto it = def ? groupOf.find(def) : groupOf.end();
        // Join the chain whose last value is this operand, if we are its only user.
        bool onlyUser = llvm::all_of(operand.getUsers(),
                                     [&](Operation *user) { return user == &op; });
        if (it != groupOf.end() && onlyUser &&
            groups[it->second].back() == def) {
          target = it->second;
          break;
        }
      }
    }
    if (!target) {
      target = groups.size();
      groups.emplace_back();
    }
    groups[*target].push_back(&op);
    groupOf[&op] = *target;
  }
  return groups;
}

/// Replaces the ops of `group` by one nn.kernel placed at the last op.
void outline(ArrayRef<Operation *> group, StringRef name) {
  Operation *last = group.back();
  llvm::SmallPtrSet<Operation *, 8> inGroup(group.begin(), group.end());
  llvm::SetVector<Value> inputs;
  SmallVector<Operation *> constants;
  for (Operation *op : group)
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (def && inGroup.contains(def))
        continue;
      if (def && isa<ConstantOp>(def)) {
        if (!llvm::is_contained(constants, def))
          constants.push_back(def);
        continue;
      }
      inputs.insert(v);
    }

  OpBuilder b(last);
  auto kernel = b.create<KernelOp>(last->getLoc(), last->getResultTypes(),
                                   b.getStringAttr(name), inputs.getArrayRef());
  Block *body = new Block();
  kernel.getBody().push_back(body);
  IRMapping map;
  for (Value v : inputs)
    map.map(v, body->addArgument(v.getType(), v.getLoc()));
  OpBuilder inner = OpBuilder::atBlockEnd(body);
  for (Operation *c : constants)
    inner.clone(*c, map);
  for (Operation *op : group)
    inner.clone(*op, map);
  inner.create<YieldOp>(last->getLoc(), map.lookup(last->getResult(0)));

  last->getResult(0).replaceAllUsesWith(kernel.getResult(0));
  for (Operation *op : llvm::reverse(group))
    op->erase();
}

struct FormKernelsPass : public nn::impl::NNFormKernelsBase<FormKernelsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &block = func.getBody().front();
    // Continue the numbering of kernels formed earlier: names stay unique.
    unsigned index = llvm::range_size(block.getOps<KernelOp>());
    for (auto &group : partition(block))
      outline(group, (func.getSymName() + "_k" + Twine(index++)).str());
    // Constants now live inside the kernels that read them; one still used outside
    // kernels (returned, or reshaped) becomes a kernel of its own.
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (!isa<ConstantOp>(op))
        continue;
      if (op.use_empty())
        op.erase();
      else
        outline({&op}, (func.getSymName() + "_k" + Twine(index++)).str());
    }
  }
};

} // namespace
