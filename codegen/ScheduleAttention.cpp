//===- ScheduleAttention.cpp - scores, softmax and weighted sum in one kernel -===//
//
// An attention kernel (passes/Fuse.cpp, mergeAttention) computes, for each batch
// element (batch and head): the scores S = q kᵀ (a product with its epilogue, the
// scale), a row-local softmax of them (mask, row maximum, exponentials, row sum and
// its reciprocal: reductions along the scores' last axis), and the weighted sum
// O = P v (a second product whose lhs is P). Its results are O, and P when the
// backward pass reads it (training). Loop nests, batch elements in parallel:
//   P a result:      P: batch -> row tiles [S of the tile, in registers; its row
//                       maxima and sums] -> rows -> keys (vectors)
//                    O: batch -> row tiles [O of the tile, in registers, over the keys,
//                       reading P's rows from P's buffer: written just before, in cache]
//   P not a result:  O: batch -> [P of the batch element (16 KB for W7's heads), as
//                       above] -> row tiles -> ...
// The scores never reach memory, and without P as a result neither do the
// probabilities. Causal attention's forward (HalideLowering's `causalRows`) computes
// a row tile's scores, softmax and P only up to the vector of its last row's
// diagonal (t + 1 vectors of keys in tile t; P is zero past it): the scores per
// vector, rows x one vector in registers, into a wrapper of the tile's scores.
// Each product sums its terms in order and each row reduction is scheduled as
// scheduleReductions does; the exponentials, stored once per row tile, are rounded
// before the row sum adds them (docs/design.md, "Attention ops": the last bit of some
// probabilities differs from the three kernels this replaces). The softmax's gradient
// with dQ = dS k has the same form (dS for P).
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include <map>
#include <set>

using namespace nn::codegen;
using Halide::Func;
using Halide::LoopLevel;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Runs the fused batch loop `batch` of output `f` in parallel when a call has at
/// least ParallelMultiplyAdds multiply-adds at `macsPerElement` per batch element (W7's
/// decoding step, 4 batch elements of one query row, does not: 8192): decided here for
/// a static batch, else by a specialization of the same loops.
void parallelBatches(Func f, Var batch, int64_t macsPerElement) {
  Halide::OutputImageParam buf = f.output_buffers().front();
  Halide::Expr elements = Halide::cast<int64_t>(1);
  for (int d = 2; d < buf.dimensions(); ++d)
    elements = elements * Halide::cast<int64_t>(buf.dim(d).extent());
  Halide::Expr large = Halide::Internal::simplify(elements * Halide::Expr(macsPerElement) >=
                                                  Halide::Expr(ParallelMultiplyAdds));
  if (Halide::Internal::is_const_one(large))
    f.parallel(batch);
  else if (!Halide::Internal::is_const_zero(large))
    f.specialize(large).parallel(batch);
}

/// The register tile of a product: `tileInRegisters`, in vectors of at most its width
/// with guards (a row of 19 keys is a vector and a part).
void tileProduct(const FuncInfo &prod, int width) {
  tileInRegisters(prod, std::max(1, std::min<int>(width, (int)prod.shape.back())),
                  TailStrategy::GuardWithIf);
}

/// Computes a product at `driver`'s row tile `tiles` when the tile computes its
/// columns only up to a point that varies by tile (causal attention's scores: up to the
/// vector of the tile's last row's diagonal): a wrapper that the consumers read holds
/// the tile's columns, and the product is computed per vector of them, its rows x one
/// vector in registers (a tile of a varying number of vectors would accumulate in
/// memory: its indices are not constants). Returns the wrapper.
Func tileVectorsOfRows(const FuncInfo &prod, Func driver, Var tiles, int width) {
  int64_t columns = prod.shape.back();
  Func product = prod.func;
  Func tile = product.in();
  std::vector<Var> tv = tile.args();
  Var vo(tile.name() + "_vo"), vi(tile.name() + "_vi");
  // Whole vectors (causalRowsInVectors): the last needs no guard.
  // Stored for the tile's widest extent: a varying size is allocated on the heap.
  tile.compute_at(driver, tiles)
      .bound_storage(tv[0], int(columns))
      .split(tv[0], vo, vi, width, TailStrategy::RoundUp)
      .reorder(vi, tv[1], vo)
      .vectorize(vi)
      .unroll(tv[1]);
  product.compute_at(tile, vo).bound_extent(product.args()[0], width);
  tileProduct(prod, width);
  return tile;
}

/// The batch dims of `f` (Halide args 2, ...) as one loop.
Var fuseBatch(Func f) { return fuseOuter(Halide::Stage(f), f.args(), 2, f.name() + "_b"); }

/// Splits `f`'s rows (Halide arg 1) into tiles of `rows`, keys or columns (arg 0) in
/// vectors innermost; returns the tile loop.
Var tileRowsOf(Func f, int rows, int64_t cols, int width) {
  std::vector<Var> v = f.args();
  Var ro(f.name() + "_ro"), ri(f.name() + "_ri");
  f.split(v[1], ro, ri, rows, TailStrategy::ShiftInwards).reorder(v[0], ri, ro);
  if (int w = std::min<int64_t>(width, cols); w >= 4)
    f.vectorize(v[0], w, TailStrategy::GuardWithIf);
  return ro;
}

using Halide::Internal::Function;

/// Adds to `reached` the Funcs that `f` reads, directly or through Funcs it reads
/// that are not in `stored` (those are computed on their own, not inlined).
void inlinedInto(const Function &f, const std::set<std::string> &stored,
                 std::map<std::string, Function> &reached) {
  for (auto &[name, callee] : Halide::Internal::find_direct_calls(f))
    if (!stored.count(name) && reached.emplace(name, callee).second)
      inlinedInto(callee, stored, reached);
}

} // namespace

int nn::codegen::attentionRows(int64_t rows, int64_t cols, const TargetInfo &target) {
  int vectors = int((cols + target.vectorWidth - 1) / target.vectorWidth);
  return tileRows(rows, maxTileRows(vectors, target.vectorRegisters, 1));
}

bool nn::codegen::scheduleAttention(LoweredKernel &k, const TargetInfo &target) {
  if (k.products.empty() || k.products.size() > 2 || !k.scatters.empty())
    return false;
  FuncInfo &scores = k.products[0];
  FuncInfo *weighted = k.products.size() > 1 ? &k.products[1] : nullptr;
  int rank = (int)scores.shape.size();
  if (rank < 3 || scores.rdom.dimensions() != 1)
    return false;
  int64_t m = scores.shape[rank - 2], n = scores.shape[rank - 1];
  if (m < 1 || n < 1)
    return false;
  // The weighted sum's lhs: the prologue Func over P (HalideLowering's
  // materializePrologues), which reads P's output when P is a result.
  const PrologueInfo *probs = nullptr;
  for (const PrologueInfo &pro : k.prologues)
    if (pro.product == 1 && pro.operand == 0)
      probs = &pro;
  if (weighted && (!probs || weighted->rdom.dimensions() != 1))
    return false;
  std::set<std::string> readByProbs;
  if (probs)
    for (auto &[name, f] : Halide::Internal::find_direct_calls(probs->info.func.function()))
      readByProbs.insert(name);
  std::optional<size_t> probsOut, sumOut;
  for (size_t i = 0; i < k.outputs.size(); ++i) {
    const FuncInfo &o = k.outputs[i];
    if (o.shape == scores.shape && !probsOut && (!weighted || readByProbs.count(o.func.name())))
      probsOut = i;
    else if (weighted && o.shape == weighted->shape && !sumOut)
      sumOut = i;
    else
      return false; // another result: the generic schedule
  }
  if ((weighted && !sumOut) || (!weighted && !probsOut))
    return false;

  // Multiply-adds per batch element: both products (a dynamic contracted dim counts
  // as one term: the batch then decides).
  auto contracted = [](const FuncInfo &p) {
    const int64_t *c = Halide::Internal::as_const_int(p.rdom.x.extent());
    return c ? *c : 1;
  };
  int64_t macs = m * n * contracted(scores);
  if (weighted)
    macs += m * std::max<int64_t>(1, weighted->shape.back()) * contracted(*weighted);
  int width = target.vectorWidth;
  // Causal attention (HalideLowering's `skip_above` on the row reductions, and zeros
  // past each row's diagonal vector in P): a row tile computes the scores only up to
  // the vector of its last row's diagonal, a count that varies by tile; their register
  // tile is then rows x one vector, in a loop over the vectors (tileVectorsOfRows), as
  // many rows as the weighted sum's tile of one vector. (Its rows are whole vectors, two
  // at least: causalRowsInVectors.)
  bool causal = llvm::any_of(k.reductions, [](const FuncInfo &acc) {
    return skipsTerms(acc.rdom);
  });
  int scoreRows = attentionRows(m, causal ? width : n, target);

  // The Func whose row tiles compute the scores: P's output, or P inside O's batch loop.
  Func driver = probsOut ? k.outputs[*probsOut].func : probs->info.func;
  Var batch, sumBatch;
  Func o;
  if (sumOut) {
    o = k.outputs[*sumOut].func;
    int64_t cols = weighted->shape.back();
    int sumRows = attentionRows(m, cols, target);
    Var sumTiles = tileRowsOf(o, sumRows, cols, width);
    sumBatch = fuseBatch(o);
    parallelBatches(o, sumBatch, macs);
    weighted->func.compute_at(o, sumTiles);
    tileProduct(*weighted, width);
  }
  Var scoreTiles = tileRowsOf(driver, scoreRows, n, width);
  LoopLevel perBatch;
  if (probsOut) {
    batch = fuseBatch(driver);
    parallelBatches(driver, batch, macs);
    perBatch = LoopLevel(driver, batch);
  } else {
    driver.compute_at(o, sumBatch);
    perBatch = LoopLevel(o, sumBatch);
  }
  std::set<std::string> stored{driver.name()};
  if (causal) {
    stored.insert(tileVectorsOfRows(scores, driver, scoreTiles, width).name());
  } else {
    scores.func.compute_at(driver, scoreTiles);
    tileProduct(scores, width);
  }
  // A transposed rhs (kᵀ) is copied once per batch element (N x K: 4 KB for W7), so
  // the tiles load whole vectors of it.
  if (scores.rhs.defined() && !rhsContiguous(scores)) {
    std::vector<Var> rv = scores.rhs.args();
    scores.rhs.compute_at(perBatch).vectorize(rv[0], std::min<int>(width, n),
                                              TailStrategy::GuardWithIf);
  }
  // The products' other operands computed in the kernel (split_heads of an argument)
  // per batch element, inside the loop of the product that reads them.
  for (const PrologueInfo &pro : k.prologues) {
    if (&pro == probs)
      continue;
    Func f = pro.info.func;
    stored.insert(f.name());
    f.compute_at(pro.product == 0 ? perBatch : LoopLevel(o, sumBatch));
    if (int w = std::min<int64_t>(width, pro.info.shape.back()); w >= 4)
      f.vectorize(f.args()[0], w, TailStrategy::GuardWithIf);
  }
  for (FuncInfo &acc : k.reductions) {
    // A row reduction that stops at its diagonal's vector reads its operand from a
    // Func stored per row tile: inlined, the operand's index (used twice, by the mask
    // and the scores) became a let, and Halide 14's bounds of the scores read under
    // the row's predicate were then the whole row (every score computed).
    if (causal && skipsTerms(acc.rdom))
      for (auto &[name, f] : Halide::Internal::find_direct_calls(acc.func.function()))
        if (name != acc.func.name() && !stored.count(name)) {
          Func operand(f);
          Var keys = operand.args()[0];
          operand.compute_at(driver, scoreTiles)
              .bound_storage(keys, int(n))
              .vectorize(keys, width, TailStrategy::RoundUp);
          stored.insert(name);
        }
    acc.func.compute_at(driver, scoreTiles);
    vectorizeReduction(acc, width);
    stored.insert(acc.func.name());
  }
  for (const FuncInfo &f : k.products)
    stored.insert(f.func.name());
  // A value with an exponential (the softmax's exp(s - max)) that both a row reduction
  // (the sum) and the probabilities read is stored per row tile, computed once: the
  // inlined form computed it in each (the three kernels did too).
  std::map<std::string, int> readers;
  std::map<std::string, Function> funcs;
  std::vector<Function> roots{driver.function()};
  for (const FuncInfo &acc : k.reductions)
    roots.push_back(acc.func.function());
  for (const Function &root : roots) {
    std::map<std::string, Function> reached;
    inlinedInto(root, stored, reached);
    for (auto &[name, f] : reached) {
      ++readers[name];
      funcs.emplace(name, f);
    }
  }
  for (auto &[name, count] : readers)
    if (count > 1 && funcs.at(name).outputs() == 1 &&
        definitionCalls(funcs.at(name), Halide::Internal::Call::PureExtern)) {
      Func f(funcs.at(name));
      f.compute_at(driver, scoreTiles).vectorize(f.args()[0], std::min<int>(width, n),
                                                 TailStrategy::GuardWithIf);
    }
  return true;
}
