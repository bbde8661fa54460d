//===- MLIRGenLoop.cpp - loops of the language to nn.scan -----------------===//
//
// `loop N steps with h = h0 { ... }` becomes an nn.scan with a static `length`, no
// sequences, the header's values as carried operands, and every value its body reads
// from outside (parameters, inputs, the model's lets) as invariants: the body is
// generated into a detached block, lets of enclosing bodies that it reads are
// generated where they belong (before the loop), and what the block then uses from
// outside becomes block arguments (docs/design.md, "Loops in the language").
// Emitted values are stacked batch-major, [B, N, ...], as `lstm`'s sequences.
//
//===----------------------------------------------------------------------------===//
#include "frontend/MLIRGenImpl.h"
#include "ir/ops/CompatibleTypes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace nnc;

void MLIRGenImpl::collectLoopOwners(const ast::StmtList &body, const ast::LoopStmt *owner) {
  for (const auto &stmt : body) {
    if (owner)
      ownerLoop[stmt.get()] = owner;
    if (const auto *loop = dyn_cast<ast::LoopStmt>(stmt.get()))
      collectLoopOwners(loop->getBody(), loop);
  }
}

unsigned MLIRGenImpl::levelOf(const ast::Stmt *stmt) {
  const ast::LoopStmt *owner = ownerLoop.lookup(stmt);
  if (!owner)
    return std::min<unsigned>(baseLevel, loopFrames.size());
  for (unsigned i = loopFrames.size(); i-- > 0;)
    if (loopFrames[i].loop == owner)
      return i + 1;
  return loopFrames.size();
}

Value MLIRGenImpl::atLevelOf(const ast::Stmt *stmt, llvm::function_ref<Value()> gen) {
  unsigned level = levelOf(stmt);
  if (level == loopFrames.size())
    return gen();
  OpBuilder::InsertionGuard guard(builder);
  builder.restoreInsertionPoint(loopFrames[level].outside);
  SmallVector<LoopFrame> inner(loopFrames.begin() + level, loopFrames.end());
  loopFrames.truncate(level);
  unsigned savedBase = std::exchange(baseLevel, std::min(baseLevel, level));
  Value v = gen();
  baseLevel = savedBase;
  loopFrames.append(inner.begin(), inner.end());
  return v;
}

Value MLIRGenImpl::genCarried(const ast::IdentExpr &ident) {
  for (const LoopFrame &frame : loopFrames)
    if (frame.loop == ident.getDecl())
      return frame.carriedArgs[ident.getArgIndex()];
  return error(ident.getLoc(), "internal error: carried value '" + ident.getName() +
                                   "' outside its loop");
}

Value MLIRGenImpl::genLoopResult(const ast::LoopStmt &loop, unsigned index) {
  bool ok = false;
  atLevelOf(&loop, [&]() -> Value {
    ok = genLoop(loop);
    return nullptr;
  });
  if (!ok || index >= state->loops[&loop].size())
    return nullptr;
  return state->loops[&loop][index];
}

/// Whether `block` is `body` or nested in it.
static bool isInside(Block *block, Block *body) {
  while (block && block != body) {
    Operation *parent = block->getParentOp();
    block = parent ? parent->getBlock() : nullptr;
  }
  return block == body;
}

bool MLIRGenImpl::genLoop(const ast::LoopStmt &loop) {
  if (state->loops.count(&loop))
    return true;
  if (state->failedLoops.count(&loop))
    return false;
  auto fail = [&] {
    state->failedLoops.insert(&loop);
    return false;
  };
  // A loop with no result is still generated whole, so it needs one to be kept.
  SmallVector<Value> init;
  for (const auto &c : loop.getCarried()) {
    Value v = genExpr(c->getValue());
    if (!v)
      return fail();
    init.push_back(v);
  }
  Location l = loc(loop.getLoc());
  auto body = std::make_unique<Block>();
  LoopFrame frame{&loop, builder.saveInsertionPoint(), {}};
  for (auto [c, v] : llvm::zip(loop.getCarried(), init))
    frame.carriedArgs.push_back(body->addArgument(v.getType(), loc(c->getNameLoc())));
  loopFrames.push_back(frame);
  bool ok = true;
  SmallVector<Value> yields;
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(body.get());
    // Every statement of the body, in order (a step computes all of it).
    SmallVector<Value> emits;
    for (const auto &stmt : loop.getBody()) {
      if (const auto *let = dyn_cast<ast::LetStmt>(stmt.get())) {
        ok &= bool(genLet(*let));
      } else if (const auto *inner = dyn_cast<ast::LoopStmt>(stmt.get())) {
        ok &= genLoop(*inner);
      } else if (const auto *emit = dyn_cast<ast::EmitStmt>(stmt.get())) {
        Value v = genExpr(emit->getValue());
        ok &= bool(v);
        emits.push_back(v);
      }
    }
    for (auto [i, c] : llvm::enumerate(loop.getCarried())) {
      if (!ok)
        break;
      const ast::LetStmt *update = loop.updates[i];
      Value next = update ? genLet(*update) : frame.carriedArgs[i];
      if (!next) {
        ok = false;
        break;
      }
      if (!nn::areCompatibleTypes(next.getType(), init[i].getType())) {
        error(update->getNameLoc(), "carried value '" + c->getName() + "' enters the loop as " +
                                        describe(init[i]) + ", but its next value is " +
                                        describe(next));
        ok = false;
        break;
      }
      yields.push_back(next);
    }
    if (ok) {
      llvm::append_range(yields, emits);
      builder.create<nn::YieldOp>(l, yields);
    }
  }
  loopFrames.pop_back();
  // Memoized user calls made in the body are not visible after it.
  for (auto it = state->calls.begin(); it != state->calls.end();)
    if (it->second && isInside(it->second.getParentBlock(), body.get()))
      it = state->calls.erase(it);
    else
      ++it;
  if (!ok) {
    body->dropAllReferences();
    return fail();
  }

  // Ops of the body that read only values from outside it (a recurrent layer's gate
  // cuts of its weights, products of invariants) compute the same in every step: they
  // move before the loop, in order, so that those reading them may follow. Constants
  // stay (a kernel folds them in; a moved op reads a copy), and so do ops with regions.
  auto isBodyConstant = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return def && def->getBlock() == body.get() && def->hasTrait<OpTrait::ConstantLike>();
  };
  for (Operation &op : llvm::make_early_inc_range(body->without_terminator())) {
    if (op.getNumRegions() || op.getNumOperands() == 0 || !isMemoryEffectFree(&op))
      continue;
    if (llvm::any_of(op.getOperands(), [&](Value v) {
          return isInside(v.getParentBlock(), body.get()) && !isBodyConstant(v);
        }))
      continue;
    OpBuilder::InsertionGuard guard(builder);
    builder.restoreInsertionPoint(frame.outside);
    for (OpOperand &use : op.getOpOperands())
      if (isBodyConstant(use.get()))
        use.set(builder.clone(*use.get().getDefiningOp())->getResult(0));
    op.moveBefore(frame.outside.getBlock(), frame.outside.getPoint());
  }

  // What the body reads from outside becomes invariants.
  llvm::SetVector<Value> captured;
  body->walk([&](Operation *op) {
    for (Value v : op->getOperands())
      if (!isInside(v.getParentBlock(), body.get()))
        captured.insert(v);
  });
  SmallVector<Value> invariants(captured.begin(), captured.end());
  for (Value v : invariants) {
    BlockArgument arg = body->addArgument(v.getType(), v.getLoc());
    Block *b = body.get();
    v.replaceUsesWithIf(arg, [&](OpOperand &use) { return isInside(use.getOwner()->getBlock(), b); });
  }
  int64_t steps = loop.getSteps();
  SmallVector<Type> stackedTypes;
  for (Value y : ArrayRef(yields).drop_front(init.size())) {
    auto t = cast<RankedTensorType>(y.getType());
    SmallVector<int64_t> shape{steps};
    llvm::append_range(shape, t.getShape());
    stackedTypes.push_back(RankedTensorType::get(shape, t.getElementType()));
  }
  auto scan = builder.create<nn::ScanOp>(l, ValueRange(init).getTypes(), stackedTypes, init,
                                         ValueRange{}, invariants, UnitAttr(),
                                         builder.getI64IntegerAttr(steps));
  scan.getBody().push_back(body.release());
  SmallVector<Value> results(scan.getFinals());
  for (auto [emit, stacked] : llvm::zip(loop.emits, scan.getStacked())) {
    // Time-major [N, B, ...] to the language's batch-major [B, N, ...].
    Value v = stacked;
    int64_t rank = rankOf(v);
    if (rank >= 2) {
      SmallVector<int64_t> perm{1, 0};
      for (int64_t d = 2; d < rank; ++d)
        perm.push_back(d);
      SpellingScope spelling(*this, "emit");
      v = create<nn::TransposeOp>(emit->getLoc(), v,
                                  {attr("perm", builder.getDenseI64ArrayAttr(perm))});
    }
    if (!checkSize(emit->getLoc(), v))
      return fail();
    results.push_back(v);
  }
  state->loops[&loop] = std::move(results);
  return true;
}
