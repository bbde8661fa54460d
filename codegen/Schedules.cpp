//===- Schedules.cpp - CPU schedule templates per kernel class ------------===//
//
// Every kernel has output Funcs that are elementwise epilogues (see HalideLowering.cpp);
// the class decides what happens to the accumulators feeding them:
//   elementwise: vectorize the innermost dim, parallelize rows when the kernel is large
//                (decided per call when its size is dynamic);
//   reduction:   as elementwise, plus the accumulators computed per row of the main
//                output when they keep its row dim and only it reads them, else each
//                once (compute_root) with its own schedule;
//   GEMM:        the output in register tiles sized from the target's vector width
//                and register count (gemmPlan; several products of one shape share
//                the tiles), the product computed per tile in
//                registers with the k loop outermost; large products pack the rhs into
//                panels (parallel over panels), small ones read it in place (parallel
//                over row tiles or batches; a small transposed rhs that batch dims
//                share is copied once per call first; a large transposed rhs under a
//                batch of rows is read in place by tiles along the output's rows),
//                threads from 2^20
//                multiply-adds per call; an
//                epilogue with several results is one Tuple-valued output; prologues
//                are computed per row tile, once, or in the packing.
//   scatter-add: (in any kernel) computed once; its positions serially in order, the
//                pure innermost dim vectorized, in parallel slices when wide.
// Schedules change loop order and storage, not formulas: a product sums its terms in
// order (split-K in chunks, a fixed order too). Halide lets LLVM reassociate
// floating-point arithmetic, so the same formula compiled in another loop nest (an
// epilogue of several terms, a short loop unrolled) may round differently in the last
// bit. GPU targets: ScheduleGPU.cpp.
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include <algorithm>
#include <set>

using namespace nn::codegen;
using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Work below which a kernel runs on one thread (elements of its output).
constexpr int64_t SerialElements = 32 * 1024;
/// Elements per parallel task.
constexpr int64_t ElementsPerTask = 16 * 1024;
/// Largest lhs prologue tile kept on a worker's stack: Halide 14 moves larger stack
/// allocations to the heap anyway (runtime/pseudostack.cpp's 16 KB heap_threshold);
/// larger tiles come from halide_malloc, which libnnrt recycles per worker.
constexpr int64_t MaxPrologueStackBytes = 16 * 1024;
/// The fewest elements (dynamic dims at DynamicGuess) of an accumulator computed once
/// whose constant initial value is written in parallel (see scheduleReductions).
constexpr int64_t ParallelInitElements = 1024 * 1024;
/// Assumed size of a dynamic dim (a batch) when estimating work.
constexpr int64_t DynamicGuess = 1024;
/// GEMM register tiles: vectors per row (BLIS's 6x16 on AVX2, 12x32 on AVX-512: two),
/// the most rows, and the rows for a dynamic row count (a batch: a multiple of 8).
constexpr int GemmVectors = 2;
constexpr int MaxTileRows = 12;
constexpr int DynamicTileRows = 8;
/// Packing the rhs into panels: the fewest rows that amortize the copy, the panel size
/// (k x columns) below which a panel read in place stays in L1 anyway, the rhs size
/// from which a product with a dynamic row count is packed, and the parallel tasks
/// (panels x row blocks) wanted.
constexpr int64_t PackMinRows = 64;
constexpr int64_t L1PanelBytes = 16 * 1024;
constexpr int64_t PackDynamicRhsBytes = 2 * 1024 * 1024;
constexpr int64_t MinParallelTasks = 8;
/// A packed product with a dynamic row count over a longer static k runs it in blocks
/// of this many terms, each block's rhs packed just before the row tiles read it (see
/// scheduleBlockedK): 128 terms of a 32-column panel are 16 KB, in L1 beside the row
/// tiles' lhs (256 measured about the same on W2's dense layer).
constexpr int KBlock = 128;
/// An rhs of at most this many bytes (it stays in L2 beside a row tile's lhs) that a
/// product's batch dims share is not packed: read in place, or copied once per call when
/// transposed (see gemmPlan).
constexpr int64_t CopyRhsBytes = 256 * 1024;
/// Split-K: a product whose output is static and at most SplitKOutputBytes, over a
/// contracted dim that is dynamic or longer than a chunk (a weight gradient over a
/// batch of sequences), sums chunks of SplitKChunk terms (see scheduleSplitK).
constexpr int64_t SplitKOutputBytes = 256 * 1024;
constexpr int SplitKChunk = 1024;
/// Split-K reads an operand in place when its consecutive terms (along the contracted
/// dim) lie at most this many bytes apart (W7's weight gradients: rows of 64 and 256
/// floats); further apart, each chunk copies it (a page every few terms, as 1024-float
/// rows are, defeats the TLB and the prefetchers).
constexpr int64_t SplitKInPlaceStride = 1024;
/// Split-K: the fewest rows of a register tile as wide as the output for its strips of
/// rows to be the parallel loop (see scheduleSplitK).
constexpr int MinStripRows = 4;
/// Split-K strips: the rows of a group of strips that a task computes block by block,
/// and the terms of a block (see scheduleSplitK).
constexpr int SplitKGroupRows = 32;
constexpr int SplitKBlock = 128;
/// Split-K chunks in parallel: the bytes of a block's rows of both operands, read from
/// L1 by every register tile of the output (see scheduleSplitK).
constexpr int64_t SplitKBlockBytes = 40 * 1024;
/// A staged epilogue's product whose rows are at least this long (W6's [128, 10000]
/// output-layer weight gradient) is computed whole before the epilogue's strips, in
/// parallel column panels (see scheduleGemm).
constexpr int64_t StagedPanelRowBytes = 16 * 1024;
/// Scatter-adds: the width of a parallel slice of the pure innermost dim.
constexpr int64_t ScatterSliceElements = 256;
/// Sums over rows computed once that keep a wide innermost dim (W6's [10000] bias
/// gradient): the width of a parallel slice of it, and the fewest terms of a call (rows
/// x kept elements) that run the slices in parallel (see sliceKeptDim).
constexpr int64_t KeptSliceElements = 256;
constexpr int64_t ParallelSliceTerms = 1 << 20;
/// A one-row product in chunks of its terms (see scheduleGemvChunks): the most chunks
/// per call, the fewest terms of a chunk, and the terms each task adds to an
/// accumulator in turn.
constexpr int GemvChunks = 8;
constexpr int64_t GemvChunkMinTerms = 64;
constexpr int GemvTermsPerStore = 4;

int64_t guess(int64_t d) { return d < 0 ? DynamicGuess : d; }

/// The vector width for an innermost dim of static size `inner` (-1: dynamic); 0 when
/// too small to vectorize.
int vectorFor(int64_t inner, int width) {
  if (inner < 0 || inner >= width)
    return width;
  int w = width;
  while (w > inner && w > 4)
    w /= 2;
  return inner >= 4 ? w : 0;
}

/// The number of elements of `out` at run time when some dim of `shape` is dynamic;
/// none when all are static.
std::optional<Halide::Expr> dynamicElements(Func out, const std::vector<int64_t> &shape) {
  if (llvm::all_of(shape, [](int64_t d) { return d >= 0; }))
    return std::nullopt;
  Halide::OutputImageParam buf = out.output_buffers().front();
  Halide::Expr n = Halide::cast<int64_t>(1);
  int rank = (int)shape.size();
  for (int d = 0; d < rank; ++d)
    n = n * (shape[d] >= 0 ? Halide::Expr(shape[d])
                           : Halide::cast<int64_t>(buf.dim(rank - 1 - d).extent()));
  return n;
}

/// The elements of `shape`, a dynamic dim guessed at DynamicGuess.
int64_t guessedElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= guess(d);
  return n;
}

/// How scheduleElementwise runs an output's rows (nn dim 0), for what is computed with
/// them: `inner`, the loop over one row (accumulators are computed per iteration); the
/// rows of a parallel task, split off it (0: not split); whether the default schedule
/// runs the tasks in parallel (for dynamic shapes a specialization does, with the same
/// loops).
struct RowLoop {
  Var inner;
  int rowsPerTask = 0;
  bool parallel = false;
};

/// Schedules an elementwise output Func; returns its loop over nn dim 0 (RowLoop) if
/// the Func has rank >= 2. A Func
/// with dynamic dims runs in parallel only when a call has SerialElements or more (a
/// specialization with the same loops): waking the thread pool costs more than a small
/// call (an LSTM step's [64, 32] state copy took 3.5 us in parallel). `isOutput`:
/// `out` is a pipeline output (its extents can be read; otherwise the static guess
/// decides).
std::optional<RowLoop> scheduleElementwise(Func out, const std::vector<int64_t> &shape,
                                           int width, bool isOutput = true) {
  std::vector<Var> v = out.args();
  int rank = (int)v.size();
  if (rank == 0)
    return std::nullopt;
  int w = vectorFor(shape[rank - 1], width);
  std::optional<Halide::Expr> elements =
      isOutput ? dynamicElements(out, shape) : std::nullopt;
  // Applies `split` to the parallel variant (a run-time choice for dynamic shapes)
  // and to the serial one.
  auto variants = [&](auto split) {
    if (elements)
      split(out.specialize(*elements >= Halide::Expr(SerialElements)), true);
    split(Halide::Stage(out), !elements);
  };
  if (rank == 1) {
    if (shape[0] < 0 || shape[0] > 4 * ElementsPerTask) {
      Var o("o"), i("i");
      if (w) {
        // Vectors first, then tasks of vectors: Halide bounds a guarded loop of vectors
        // by the extent, whereas a task of ElementsPerTask elements vectorized with a
        // guard ran all its vectors, predicated, whatever the extent; AVX-512's masked
        // loads and stores past the end of the buffer (faults suppressed) made a copy of
        // 128 floats take 90-200 us (docs/design.md, "Rank-1 kernels").
        Var vo("vo"), vi("vi");
        out.split(v[0], vo, vi, w, TailStrategy::GuardWithIf)
            .vectorize(vi)
            .split(vo, o, i, (int)(ElementsPerTask / w), TailStrategy::GuardWithIf);
      } else {
        out.split(v[0], o, i, (int)ElementsPerTask, TailStrategy::GuardWithIf);
      }
      variants([&](Halide::Stage s, bool parallel) {
        if (parallel)
          s.parallel(o);
      });
    } else if (w) {
      out.vectorize(v[0], w, TailStrategy::GuardWithIf);
    }
    return std::nullopt;
  }
  if (w)
    out.vectorize(v[0], w, TailStrategy::GuardWithIf);
  Var rows = v[rank - 1];
  int64_t rowElems = 1;
  for (int d = 1; d < rank; ++d)
    rowElems *= guess(shape[d]);
  if (guess(shape[0]) * rowElems < SerialElements)
    return RowLoop{rows};
  int64_t chunk = std::max<int64_t>(1, ElementsPerTask / rowElems);
  if (chunk == 1) {
    variants([&](Halide::Stage s, bool parallel) {
      if (parallel)
        s.parallel(rows);
    });
    return RowLoop{rows, 0, !elements};
  }
  Var ro("ro"), ri("ri");
  out.split(rows, ro, ri, (int)chunk, TailStrategy::GuardWithIf);
  variants([&](Halide::Stage s, bool parallel) {
    if (parallel)
      s.parallel(ro);
  });
  return RowLoop{ri, (int)chunk, !elements};
}

/// Vectorizes the innermost pure dim of an accumulator (both stages) when it is not
/// reduced and wide enough. In the update the vectors are inside the reduction loops,
/// unrolled when there are at most 8, so the operand is read once, in memory order;
/// each element's terms still add in the same order. (With the vectors outside, a sum
/// over [64, 28, 28, 128] to [128], W3's bias gradient, read the operand once per
/// vector of the row, 8 times: 5.5 ms.)
/// The vector loops of an accumulator's update (vectorizeAccumulator's; sliceKeptDim
/// splits the outer one).
const char *const AccVectors = "vo";
const char *const AccLanes = "vi";

void vectorizeAccumulator(const FuncInfo &acc, int width) {
  std::vector<Var> v = acc.func.args();
  if (v.empty())
    return;
  int64_t inner = acc.shape.back();
  if (inner >= 0 && inner < width)
    return;
  Func f = acc.func;
  f.vectorize(v[0], width, TailStrategy::GuardWithIf);
  Var vo(AccVectors), vi(AccLanes);
  f.update().split(v[0], vo, vi, width, TailStrategy::GuardWithIf).vectorize(vi);
  std::vector<Halide::VarOrRVar> order{vi, vo};
  for (int i = 0; i < acc.rdom.dimensions(); ++i)
    order.push_back(acc.rdom[i]);
  f.update().reorder(order);
  if (inner > 0 && inner <= 8 * width)
    f.update().unroll(vo);
}

/// Schedules `acc` as a row reduction in vectors when it reduces its operand's innermost
/// dim alone, a row of adjacent elements (softmax, layer norm and log-softmax along the
/// last axis), over a static length that whole vectors of `width` cover (twice at least)
/// (a predicate, HalideLowering's `skip_above` in whole vectors, ends the vector loop at
/// the row's diagonal); returns whether it did. `width` partial accumulators per
/// row (`rfactor`), lane u taking terms u, u + width, ... as whole vectors, then the
/// row's value from the `width` partials as one vector reduction (a fixed tree). LLVM
/// does not reassociate a float reduction, so the serial loop this replaces ran one
/// term per add's latency: W7's layer-norm kernels took 0.07-0.13 ms, now 0.04-0.11. A
/// sum's terms add in another (fixed) order; a maximum is the same.
bool vectorizeRowReduction(const FuncInfo &acc, int width) {
  if (acc.rdom.dimensions() != 1 || acc.reducedDims.size() != 1 ||
      acc.func.outputs() != 1)
    return false;
  int operandRank = (int)acc.shape.size() + (acc.keepdims ? 0 : 1);
  const int64_t *n = Halide::Internal::as_const_int(acc.rdom.x.extent());
  if (acc.reducedDims[0] != operandRank - 1 || !n || *n < 2 * width || *n % width)
    return false;
  Func f = acc.func;
  Halide::RVar ro("ro"), ri("ri");
  Var u("u");
  f.update().split(acc.rdom.x, ro, ri, width);
  Func partial = f.update().rfactor(ri, u);
  // Per row of the accumulator (its innermost pure dim); a scalar's once.
  std::vector<Var> fv = f.args();
  partial.compute_at(f, fv.empty() ? Var::outermost() : fv.front()).vectorize(u);
  partial.update().reorder(u, ro).vectorize(u);
  f.update().atomic().vectorize(ri);
  return true;
}

} // namespace

bool nn::codegen::skipsTerms(const Halide::RDom &r) {
  return !Halide::Internal::is_const_one(r.domain().predicate());
}

void nn::codegen::vectorizeReduction(const FuncInfo &acc, int width) {
  if (!vectorizeRowReduction(acc, width))
    vectorizeAccumulator(acc, width);
}

Var nn::codegen::fuseOuter(Halide::Stage s, const std::vector<Var> &v, size_t from,
                           const std::string &prefix) {
  Var fused = v[from];
  for (size_t d = from + 1; d < v.size(); ++d) {
    Var next(prefix + std::to_string(d));
    s.fuse(fused, v[d], next);
    fused = next;
  }
  return fused;
}

void nn::codegen::tileInRegisters(const FuncInfo &prod, int lanes, TailStrategy tail) {
  Func p = prod.func;
  std::vector<Var> pv = p.args();
  p.vectorize(pv[0], lanes, tail).unroll(pv[0]).unroll(pv[1]);
  p.update()
      .reorder(pv[0], pv[1], prod.rdom.x)
      .vectorize(pv[0], lanes, tail)
      .unroll(pv[0])
      .unroll(pv[1]);
}

namespace {

/// The accumulators that are computed per row of `out`: those that keep its row dim
/// and that nothing computed outside its row loop reads, directly or through Funcs
/// inlined there (another output not in `inRowLoop`, an accumulator computed once, a
/// product, a prologue, a scatter). Before, a kernel with a second output (a bias
/// gradient beside the activation's gradient) computed every accumulator once: W2's
/// max-pool gradient kernel wrote and re-read full-size arg-max and gather buffers.
///
/// An accumulator that an output or an accumulator computed once reads directly (the
/// mean of a cross entropy's per-row terms, a scalar beside the logits' gradient) is
/// still computed per row: that reader reads it through a wrapper (`Func::in`) that is
/// stored whole and computed in the row loop (`staged`, scheduled by scheduleReductions
/// as a row-loop companion). Before, the mean made the row maxima and sums of W6's
/// cross entropy (and so everything they read) full passes of their own over the
/// [B, S, 10000] logits.
std::vector<bool> perRowAccumulators(const LoweredKernel &k, const FuncInfo &out,
                                     const std::set<size_t> &inRowLoop,
                                     std::vector<std::pair<size_t, Func>> &staged) {
  std::vector<bool> perRow;
  for (const FuncInfo &acc : k.reductions)
    perRow.push_back(!llvm::is_contained(acc.reducedDims, 0) &&
                     acc.shape.size() == out.shape.size() && acc.shape[0] == out.shape[0]);
  // Walk from everything computed outside the row loop through what it reads, stopping
  // at `out` (its buffer is complete before anything reads it). A candidate the walk
  // reaches is computed once instead; the walk goes on through it, so what it reads is
  // found too. A candidate that an output or a reduction computed once reads directly
  // (`readers`) is staged for it instead.
  std::vector<Halide::Internal::Function> stack;
  std::set<std::string> readers;
  for (size_t i = 0; i < k.outputs.size(); ++i)
    if (k.outputs[i].func.name() != out.func.name() && !inRowLoop.count(i)) {
      stack.push_back(k.outputs[i].func.function());
      readers.insert(k.outputs[i].func.name());
    }
  for (size_t i = 0; i < k.reductions.size(); ++i)
    if (!perRow[i]) {
      stack.push_back(k.reductions[i].func.function());
      readers.insert(k.reductions[i].func.name());
    }
  for (const std::vector<FuncInfo> *fs : {&k.products, &k.scatters})
    for (const FuncInfo &f : *fs)
      stack.push_back(f.func.function());
  for (const PrologueInfo &p : k.prologues)
    stack.push_back(p.info.func.function());
  std::set<std::string> seen{out.func.name()};
  std::vector<std::pair<size_t, Halide::Internal::Function>> wraps;
  while (!stack.empty()) {
    Halide::Internal::Function f = stack.back();
    stack.pop_back();
    for (auto &[calleeName, callee] : Halide::Internal::find_direct_calls(f)) {
      const std::string &name = calleeName; // (a structured binding is not captured in C++17)
      auto acc = llvm::find_if(k.reductions, [&](const FuncInfo &r) {
        return r.func.name() == name;
      });
      size_t i = acc - k.reductions.begin();
      if (acc != k.reductions.end() && perRow[i] && readers.count(f.name())) {
        auto same = [&](auto &w) { return w.first == i && w.second.same_as(f); };
        if (llvm::none_of(wraps, same))
          wraps.emplace_back(i, f);
        continue;
      }
      if (!seen.insert(name).second)
        continue;
      if (acc != k.reductions.end())
        perRow[i] = false;
      stack.push_back(callee);
    }
  }
  // A staged accumulator that the walk reached otherwise too is computed once anyway.
  for (auto &[i, reader] : wraps)
    if (perRow[i])
      staged.emplace_back(i, Func(reader));
  return perRow;
}

/// Schedules `f`, a companion of `main` (rowLoopCompanions) or a staged accumulator
/// (perRowAccumulators), in main's loop over the rows, `rows` (scheduleElementwise's):
/// the same split into tasks, parallel when main's default schedule is (Halide fuses
/// only loops of one kind; for dynamic shapes main's parallel specialization takes this
/// loop along), then `compute_with`, so one loop computes a row of each; its innermost
/// dim in vectors as an output of its own.
void scheduleWithRows(const FuncInfo &f, const FuncInfo &main, const RowLoop &rows,
                      int width) {
  Func func = f.func;
  std::vector<Var> v = func.args();
  if (int w = vectorFor(f.shape.back(), width))
    func.vectorize(v[0], w, TailStrategy::GuardWithIf);
  Var tasks = v.back(), ro("ro"), ri("ri");
  if (rows.rowsPerTask) {
    func.split(v.back(), ro, ri, rows.rowsPerTask, TailStrategy::GuardWithIf);
    tasks = ro;
  }
  if (rows.parallel)
    func.parallel(tasks);
  func.compute_with(Halide::Stage(main.func), rows.inner);
}

/// A reduction over the rows computed once (a bias gradient over [B, S, V]) that keeps a
/// wide innermost dim runs in parallel slices of that dim, each over all the rows, when
/// a call has ParallelSliceTerms terms or more: each element still adds its terms in
/// order. It ran on one thread (a parallel loop over the rows would need partial sums,
/// another order): W6's [10000] bias gradient over 1120 rows, about 0.8 ms of its cross
/// entropy kernel's 7.2-7.7 (6.1-6.9 in slices; the same bits). The DCGAN generator's
/// [6272] over 64 rows (0.4M terms) stays on one thread. `acc` is vectorized
/// (vectorizeAccumulator: AccVectors and AccLanes).
void sliceKeptDim(const FuncInfo &acc, int width) {
  int64_t inner = acc.shape.empty() ? -1 : acc.shape.back();
  if (inner < 2 * KeptSliceElements || acc.rdom.dimensions() == 0)
    return;
  Halide::Expr terms = Halide::cast<int64_t>(Halide::Expr((int)inner));
  for (int i = 0; i < acc.rdom.dimensions(); ++i)
    terms *= Halide::cast<int64_t>(acc.rdom[i].extent());
  Var vi(AccLanes), vo(AccVectors), slice("slice"), so("so");
  Func f = acc.func;
  Halide::Stage u =
      f.update().specialize(terms >= Halide::cast<int64_t>(Halide::Expr(ParallelSliceTerms)));
  u.split(vo, slice, so, (int)(KeptSliceElements / width), TailStrategy::GuardWithIf);
  std::vector<Halide::VarOrRVar> order{vi, so};
  for (int i = 0; i < acc.rdom.dimensions(); ++i)
    order.push_back(acc.rdom[i]);
  order.push_back(slice);
  u.reorder(order).parallel(slice);
}

/// Accumulators that keep the row dim of `out` and that only it and the outputs of
/// `inRowLoop` (computed with it) read are computed per row of `out`
/// (perRowAccumulators); the others each once (compute_root), with their own parallel
/// schedule.
void scheduleReductions(LoweredKernel &k, const FuncInfo &out, const RowLoop *rows,
                        int width, const std::set<size_t> &inRowLoop) {
  std::vector<std::pair<size_t, Func>> staged;
  std::vector<bool> perRow = rows ? perRowAccumulators(k, out, inRowLoop, staged)
                                  : std::vector<bool>(k.reductions.size(), false);
  for (auto &[i, reader] : staged) {
    Func wrapper = k.reductions[i].func.in(reader);
    wrapper.compute_root();
    scheduleWithRows(FuncInfo{wrapper, k.reductions[i].shape}, out, *rows, width);
  }
  // A call whose output has dynamic dims is parallel only from SerialElements output
  // elements, as elementwise kernels: W1's loss kernels ([B, 10] at B = 64) took 29 and
  // 12 us with the pool woken for every accumulator, 2.9 and 0.9 us without.
  std::optional<Halide::Expr> elements = dynamicElements(out.func, out.shape);
  for (size_t i = 0; i < k.reductions.size(); ++i) {
    FuncInfo &acc = k.reductions[i];
    Func f = acc.func;
    bool reducesRows = llvm::is_contained(acc.reducedDims, 0);
    vectorizeReduction(acc, width);
    if (perRow[i]) {
      f.compute_at(out.func, rows->inner);
      continue;
    }
    f.compute_root();
    std::vector<Var> v = f.args();
    // Parallel over the accumulator's own rows when it keeps a large dim 0 (the
    // specializations copy the stages' schedules so far: vectorized above). Its
    // initial value, a constant, is written in parallel only when the accumulator is
    // large: a layer norm's [B, S, 1] sums (8 KB for W7) took a parallel loop of their
    // own each, about 2.5 us of waking the pool for a fraction of a microsecond of
    // stores.
    if (reducesRows)
      sliceKeptDim(acc, width);
    if (v.size() < 2 || reducesRows || guess(acc.shape[0]) < 64)
      continue;
    bool parallelInit = guessedElements(acc.shape) >= ParallelInitElements;
    if (elements) {
      Halide::Expr large = *elements >= Halide::Expr(SerialElements);
      if (parallelInit)
        f.specialize(large).parallel(v.back());
      f.update().specialize(large).parallel(v.back());
    } else {
      if (parallelInit)
        f.parallel(v.back());
      f.update().parallel(v.back());
    }
  }
}

/// A scatter-add is computed once (compute_root): its zero init like an elementwise
/// Func; its update with the terms (the RDom) serial and in order, the pure dims inside
/// them, nn dim 0 (the embedding width) vectorized, and split into parallel slices when
/// wide (each slice walks all terms: no two tasks add to one element). Parallel over the
/// terms would race on repeated positions, or need atomics and lose the fixed order.
void scheduleScatter(const FuncInfo &acc, int width) {
  Func f = acc.func;
  f.compute_root();
  scheduleElementwise(f, acc.shape, width, /*isOutput=*/false);
  std::vector<Var> v = f.args();
  int rank = (int)acc.shape.size();
  if (v.empty() || llvm::is_contained(acc.reducedDims, rank - 1))
    return; // the innermost dim is scattered: the update stays serial
  Halide::Stage update = f.update();
  std::vector<Halide::VarOrRVar> order;
  for (int i = 0; i < acc.rdom.dimensions(); ++i)
    order.push_back(acc.rdom[i]);
  int64_t inner = acc.shape.back();
  Var o("so"), i("si");
  bool slices = inner >= 0 && inner >= 2 * ScatterSliceElements;
  order.insert(order.begin(), slices ? Halide::VarOrRVar(i) : Halide::VarOrRVar(v[0]));
  if (slices) {
    update.split(v[0], o, i, (int)ScatterSliceElements, TailStrategy::GuardWithIf);
    order.push_back(o);
  }
  update.reorder(order);
  if (slices)
    update.parallel(o);
  if (int w = vectorFor(inner, width))
    update.vectorize(slices ? i : v[0], w, TailStrategy::GuardWithIf);
}

/// How a GEMM kernel is tiled; see gemmPlan.
struct GemmPlan {
  int lanes = 1;      ///< vector lanes along n (columns)
  int cols = 1;       ///< columns of a register tile: `lanes` x vectors
  int rows = 1;       ///< rows of a register tile
  bool pack = false;  ///< rhs packed into panels of `cols` columns
  bool copyRhs = false; ///< a transposed rhs copied once per call into k x n, then read
                        ///< in place like a contiguous one (not packed)
  int blockRows = 0;  ///< packed: rows of a parallel block (0: all rows, one block)
};

} // namespace

/// Largest register tile height: accumulators need rows x vectors registers, the rhs
/// vectors of one k step `vectors` more and the broadcast lhs element one. With several
/// products sharing a tile, the finished products' tiles stay in registers until the
/// epilogue reads them, so every product's accumulators count (more spill: seen as
/// half the accumulators of an LSTM step's 8-row tiles loaded and stored every k step).
int nn::codegen::maxTileRows(int vectors, int registers, int products) {
  return std::max(1, (registers - vectors - 1) / (vectors * products));
}

namespace {

/// The register tile, packing and parallel blocks of an m x n product over k (each -1
/// when dynamic) on `target`; `contiguous`: see rhsContiguous; `products`: how many share
/// the tiles; `sharedRhs`: the output has batch dims (rank > 2) that all read one
/// (rank-2) rhs, so a call repeats the m x n product with it.
GemmPlan gemmPlan(int64_t m, int64_t n, int64_t k, bool contiguous, int products,
                  bool sharedRhs, const TargetInfo &target) {
  GemmPlan p;
  int width = target.vectorWidth;
  int vectors = n < 0 || n >= GemmVectors * width ? GemmVectors : 1;
  // Columns: whole vectors (shifted tiles cover a remainder); an output narrower than
  // one vector is one tile of its own width (LLVM pads the vector), scalar below 4.
  p.lanes = n < 0 || n >= width ? width : n >= 4 ? (int)n : 1;
  p.cols = n >= 0 && n < width ? (int)n : vectors * width;
  int limit = std::min(maxTileRows(vectors, target.vectorRegisters, products), MaxTileRows);
  if (m < 0) {
    // A dynamic row count is usually a batch, a multiple of 8.
    p.rows = std::min(limit, DynamicTileRows);
  } else if (m <= limit) {
    p.rows = (int)m;
  } else {
    // The cheapest height in [limit/2, limit]: a tile of r rows costs about r + 2 row
    // steps (its rhs loads and loop overhead are worth about two rows of FMAs), and
    // ceil(m / r) tiles cover the rows.
    int64_t best = INT64_MAX;
    for (int r = limit; r >= std::max(1, limit / 2); --r) {
      int64_t cost = (m + r - 1) / r * (r + 2);
      if (cost < best) {
        best = cost;
        p.rows = r;
      }
    }
  }
  // Packing copies the rhs once per row block; it pays when the rows reuse each panel
  // often enough and the panel does not fit L1 as it lies (rows of the rhs a row
  // stride apart). A dynamic row count may be a single row: then only a large rhs
  // (past L2) is packed. A transposed rhs is always packed (transposed once instead
  // of gathered in every tile).
  int64_t rhsBytes = guess(k) * (n < 0 ? DynamicGuess : n) * 4;
  int64_t panelBytes = guess(k) * p.cols * 4;
  if (n >= 0 && n < p.cols)
    return p;
  // A small rhs under batch dims (W7's `dY Wᵀ` over [B, 64, 256], an LSTM's input
  // projection over [T, B, 32]) is not packed: read in place, or, transposed, copied
  // once per call and then read in place. The rows then run in parallel (by batch) with
  // every column tile of a row tile in turn, so a tile's results are written a row at a
  // time instead of a panel's columns of every row (a stride of the row apart, per
  // panel). A call of few rows (a recurrence's step, `h Wᵀ` over [B, 128], 32 calls per
  // sequence) packs as before: the copy would run on one thread each call, where the
  // panels copy in parallel.
  if (sharedRhs && k > 0 && n > 0 && k * n * 4 <= CopyRhsBytes) {
    p.copyRhs = !contiguous;
    return p;
  }
  p.pack = !contiguous || (m < 0 ? rhsBytes >= PackDynamicRhsBytes
                                 : m >= PackMinRows && panelBytes > L1PanelBytes);
  if (!p.pack || m < 0)
    return p;
  // Parallel tasks: panels x row blocks, enough of them for the cores; each block
  // keeps at least PackMinRows rows (it packs its own copy of the panels).
  int64_t panels = n < 0 ? DynamicGuess / p.cols : (n + p.cols - 1) / p.cols;
  int64_t blocks = std::min((MinParallelTasks + panels - 1) / panels, m / PackMinRows);
  if (blocks >= 2) {
    int64_t rows = (m + blocks - 1) / blocks;
    p.blockRows = (int)((rows + p.rows - 1) / p.rows * p.rows);
  }
  return p;
}

/// Whether a product's lhs Func (k, m, ...) reads its operand with m along the
/// operand's innermost dim (x^T of a weight gradient), so the terms of one k are
/// adjacent and consecutive k lie a row apart.
bool lhsRowsContiguous(const FuncInfo &prod) {
  const auto *call = prod.lhs.value().as<Halide::Internal::Call>();
  return call && !call->args.empty() &&
         Halide::Internal::expr_uses_var(call->args[0], prod.lhs.args()[1].name()) &&
         !Halide::Internal::expr_uses_var(call->args[0], prod.lhs.args()[0].name());
}

/// The GEMM schedule of a small static output over a long contracted dim: W7's weight
/// gradients, [256, 64] and [64, 256] over B x S = 4096 rows. With the contracted dim
/// inside each register tile (scheduleGemm), every strip of rows streamed the whole
/// rhs, both operands a row stride apart per term (a page every few terms; `perf
/// annotate` put 60% of the kernel on one rhs load): 1.6-1.9 ms each, about 80 GFLOP/s.
/// Here the contracted dim is cut into chunks of SplitKChunk terms (`rfactor`); for
/// each chunk in turn, the column panels copy the chunk's rhs panel once, then each
/// strip of rows copies its lhs rows (rows innermost: a weight gradient's lhs is
/// transposed, x^T) and accumulates its tile in registers, adding it to the
/// output-sized accumulator (in cache): 1.0-1.3 ms each (docs/design.md, "Split-K").
/// The parallel loop is the column panels or, when the output's whole width fits a
/// register tile of at least MinStripRows rows, the strips of rows with that tile
/// (`wideRows`), whichever has more tasks: each thread reads its share of that loop's
/// operand and all of the other's, so on a tie the strips (sharing the rhs) go in
/// parallel when the rhs is the smaller operand. W7's out.weight gradient ([256, 64]:
/// 2 panels of 32 columns, 64 strips of 4 x 64) read its 2 MB lhs on both threads:
/// 0.53 ms with panels in parallel, 0.49 with strips; head.weight's ([64, 96]: 3
/// panels for 2 threads) 0.24 -> 0.18 ms. With the panels' 8 x 32 tiles the strips
/// took 0.56: a tile as wide as the output reads each lhs term once per strip.
/// Strips are parallel only when no rhs panel is copied (that copy is per panel), in
/// groups that share each block of the rhs in L1 (below). A call of two chunks or more
/// (the operands read in place) instead computes the chunks in parallel, each over the
/// whole output in blocks of terms whose rows of both operands fit SplitKBlockBytes, so
/// that every register tile reads the block from L1 (strips and panels read a slice of
/// every row, a row stride apart). The chunks' partial products are output-sized planes.
/// Each element's terms add in order within a chunk, then the chunks in order from
/// zero, so with one chunk (k up to SplitKChunk: the batch-sized weight gradients of
/// W2's cnn32, W5 and W6) the sums are scheduleGemm's. The epilogue (an optimizer's
/// update) runs afterwards over the accumulator in strips of rows as scheduleGemm's
/// staged epilogue does, on one thread: compiled in parallel, the same Adam update
/// rounded some of cnn32's elements differently (its losses moved in the 7th digit from
/// step 7), and it takes microseconds.
void scheduleSplitK(LoweredKernel &k, const FuncInfo &out, GemmPlan plan,
                    const TargetInfo &target, Halide::Expr parallelCall, bool dynamicWork,
                    bool parallel) {
  FuncInfo &prod = k.products.front();
  Func p = prod.func;
  std::vector<Var> pv = p.args();
  Halide::RVar kc("kc"), ki("ki");
  Var u("u"), no("no"), ni("ni"), mo("mo"), mi("mi");
  p.update().split(prod.rdom.x, kc, ki, SplitKChunk, TailStrategy::GuardWithIf);
  Func partial = p.update().rfactor(kc, u);
  p.compute_root().vectorize(pv[0], plan.lanes, TailStrategy::GuardWithIf);
  std::vector<Var> rv = partial.args(); // (n, m, u)
  // An operand whose consecutive terms lie at most SplitKInPlaceStride bytes apart is
  // read in place; a longer stride is copied per chunk (the rhs's panel per column
  // panel, the lhs's rows per row strip).
  int64_t m = out.shape[out.shape.size() - 2], n = out.shape.back();
  bool copyRhs = prod.rhs.defined() && (!rhsContiguous(prod) || n * 4 > SplitKInPlaceStride);
  bool copyLhs =
      prod.lhs.defined() && (!lhsRowsContiguous(prod) || m * 4 > SplitKInPlaceStride);
  // A call of two chunks or more: the chunks in parallel, each over the whole output in
  // blocks of terms (see above), computed at the product's one row loop (`mo`, as
  // where a strip computes its chunks below), then added in order.
  // The plan's tiles (whole: the caller checked), 8 x 2 vectors on AVX-512.
  if (!copyRhs && !copyLhs) {
    int block = 8;
    while (block * 2 * (m + n) * 4 <= SplitKBlockBytes)
      block *= 2;
    Halide::Expr chunks = prod.rdom.x.extent() > SplitKChunk;
    p.update()
        .specialize(chunks)
        .split(pv[1], mo, mi, (int)m)
        .reorder(pv[0], mi, kc, mo)
        .vectorize(pv[0], plan.lanes);
    Halide::RVar kb("kb"), kk("kk");
    partial.update()
        .specialize(chunks)
        .split(rv[0], no, ni, plan.cols, TailStrategy::GuardWithIf)
        .split(rv[1], mo, mi, plan.rows, TailStrategy::GuardWithIf)
        .split(ki, kb, kk, block, TailStrategy::GuardWithIf)
        .reorder(ni, mi, kk, no, mo, kb, u)
        .vectorize(ni, plan.lanes)
        .unroll(ni)
        .unroll(mi)
        .parallel(u);
  }
  int wideRows = tileRows(m, maxTileRows((int)(n / plan.lanes), target.vectorRegisters, 1));
  int64_t panels = n / plan.cols, strips = m / wideRows;
  bool parallelStrips = !copyRhs && wideRows >= MinStripRows && m % wideRows == 0 &&
                        (strips > panels || (strips == panels && m > n));
  if (parallelStrips) {
    plan.rows = wideRows;
    plan.cols = (int)n;
  }
  // Strips in groups of SplitKGroupRows rows (at least two groups), each group's chunk
  // in blocks of SplitKBlock terms, every strip of the group in turn per block: a
  // block's rhs rows (32 KB for n = 64) are read from L1 by each strip, where each
  // strip streamed the whole chunk's rhs from L2. The tiles' accumulators are stored
  // and reloaded per block, which pays while they take at most half the registers
  // (W7's 4 x 64 tiles; its head's 4 x 96 were slower grouped, 0.178 -> 0.185-0.224 ms).
  int group = 1;
  if (parallelStrips && !copyLhs &&
      wideRows * (n / plan.lanes) <= target.vectorRegisters / 2)
    for (int64_t g = std::min<int64_t>(SplitKGroupRows / wideRows, strips / 2); g > 1; --g)
      if (strips % g == 0) {
        group = (int)g;
        break;
      }
  // Whole tiles (the caller checked): an update's loops cannot shift inwards.
  auto tiles = [&](Halide::Stage s, bool inParallel) {
    s.split(pv[0], no, ni, plan.cols, TailStrategy::GuardWithIf)
        .split(pv[1], mo, mi, plan.rows * group, TailStrategy::GuardWithIf)
        .vectorize(ni, plan.lanes)
        .unroll(ni)
        .unroll(mi);
    if (parallelStrips)
      s.reorder(ni, mi, no, mo, kc);
    else
      s.reorder(ni, mi, mo, no, kc);
    if (inParallel)
      s.parallel(parallelStrips ? mo : no);
  };
  if (dynamicWork)
    tiles(p.update().specialize(parallelCall), true);
  tiles(p.update(), !dynamicWork && parallel);
  partial.compute_at(p, mo).vectorize(rv[0], plan.lanes).unroll(rv[0]).unroll(rv[1]);
  if (group > 1) {
    Var ps("ps"), pr("pr");
    Halide::RVar kb("kb"), kk("kk");
    partial.update()
        .split(rv[1], ps, pr, plan.rows, TailStrategy::GuardWithIf)
        .split(ki, kb, kk, SplitKBlock, TailStrategy::GuardWithIf)
        .reorder(rv[0], pr, kk, ps, kb)
        .vectorize(rv[0], plan.lanes)
        .unroll(rv[0])
        .unroll(pr);
  } else {
    partial.update()
        .reorder(rv[0], rv[1], ki)
        .vectorize(rv[0], plan.lanes)
        .unroll(rv[0])
        .unroll(rv[1]);
  }
  if (copyRhs) {
    std::vector<Var> bv = prod.rhs.args(); // (n, k)
    prod.rhs.compute_at(p, no).vectorize(bv[0], plan.lanes).unroll(bv[0]);
  }
  if (copyLhs) {
    std::vector<Var> av = prod.lhs.args(); // (k, m)
    prod.lhs.compute_at(p, mo)
        .reorder_storage(av[1], av[0])
        .reorder(av[1], av[0])
        .vectorize(av[1], std::min(plan.rows, plan.lanes), TailStrategy::GuardWithIf);
  }
  Func o = out.func;
  std::vector<Var> ov = o.args();
  Var so("so"), si("si");
  o.split(ov[1], so, si, plan.rows, TailStrategy::GuardWithIf)
      .reorder(ov[0], si, so)
      .vectorize(ov[0], plan.lanes, TailStrategy::GuardWithIf);
}

/// The schedule of `x W^T` with W large and the rows of x few (a batch): W2's
/// `dx = g W^T` over its [3136, 1024] dense weight. The packed schedule copies W into
/// panels, each element a scalar store across the panel's k rows (Halide 14 makes no
/// in-register transposes), and that copy bounded the kernel at 1.9-2.0 ms. Here the
/// register tiles run the other way: a tile is `rows` rows of W (the output's columns)
/// by GemmVectors vectors of the output's rows, so each k step broadcasts one element
/// of each W row, read in place along its row, and loads GemmVectors vectors of x's
/// column k from xᵀ, which the kernel transposes once per call (the batch's rows: 256 KB
/// for W2). Each tile writes its results across the output's rows, a scalar store per
/// element, k times fewer stores than the copy's. The tile loops are W's rows (in
/// parallel) -> the output's rows; a call with fewer rows than a tile computes a whole
/// tile and stores its rows. W2's `g W^T` at B = 64 on the Xeon: 1.96-1.99 -> 1.48-1.50
/// ms (docs/benchmarks.md, "Transposed products in W's rows"). Each element's terms add
/// in order from zero as before, so the results are the same bit for bit.
void scheduleTransposedTiles(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target,
                             Halide::Expr parallelCall) {
  FuncInfo &prod = k.products.front();
  int lanes = target.vectorWidth;
  int rows = std::min(maxTileRows(GemmVectors, target.vectorRegisters, 1), MaxTileRows);
  int tm = GemmVectors * lanes;
  Func o = out.func, p = prod.func;
  std::vector<Var> ov = o.args(), pv = p.args();
  Halide::Expr m = o.output_buffers().front().dim(1).extent();
  // xᵀ: x stored with its rows innermost, over whole tiles of rows: rows past the last read
  // the last (clamped), and the tiles compute them but store only rows that exist.
  // (A call of no rows would read row 0 of an empty x: the runtime calls no kernel whose
  // results are empty, nnrt_step.num_results.)
  std::vector<Var> lv = prod.lhs.args(); // (k, m)
  Func lhsT(prod.lhs.name() + "_t");
  lhsT(lv) = prod.lhs(lv[0], Halide::clamp(lv[1], 0, m - 1));
  p.function().substitute_calls(prod.lhs.function(), lhsT.function());
  lhsT.compute_root()
      .reorder_storage(lv[1], lv[0])
      .reorder(lv[1], lv[0])
      .vectorize(lv[1], lanes, TailStrategy::GuardWithIf);
  // Tiles of W's rows (in parallel) -> the output's rows; the stores of a call's last
  // tile of rows guarded.
  Var no("no"), ni("ni"), mo("mo"), mi("mi");
  auto tile = [&](Halide::Stage s, bool inParallel) {
    s.split(ov[0], no, ni, rows, TailStrategy::ShiftInwards)
        .split(ov[1], mo, mi, tm, TailStrategy::GuardWithIf)
        .reorder(mi, ni, mo, no)
        .vectorize(mi, lanes)
        .unroll(ni);
    if (inParallel)
      s.parallel(no);
  };
  tile(o.specialize(parallelCall), true);
  tile(Halide::Stage(o), false);
  // The product per tile, always a whole tile, with the output's rows innermost in its
  // storage: whole vectors, which LLVM keeps in registers.
  p.compute_at(o, mo).bound_extent(pv[1], tm).reorder_storage(pv[1], pv[0]);
  p.reorder(pv[1], pv[0]).vectorize(pv[1], lanes);
  p.update().reorder(pv[1], pv[0], prod.rdom.x).vectorize(pv[1], lanes);
  for (Halide::Stage s : {Halide::Stage(p), p.update()})
    s.unroll(pv[1]).unroll(pv[0]);
}

/// A one-row product over a large rhs read in place (a GEMV: W2's dense layer at one
/// image, [1, 3136] x [3136, 1024], 12.8 MB of weights per call) under `cond`: its terms
/// in up to GemvChunks chunks of contiguous rhs rows, at least GemvChunkMinTerms each
/// (`rfactor`; the chunks' rows are an output-sized plane each), the chunks in parallel,
/// each task adding its rows into an accumulator row as wide as the output (in L1)
/// GemvTermsPerStore rows at a time, then the chunks' rows added in order. Each thread
/// streams whole rows of the rhs, one contiguous block; in tiles of columns each tile
/// streamed a 1 KB piece of every row, a row (4 KB) apart, and the two threads read
/// 12.8 MB at 109 GB/s where the machine reads it at 150; in 8 chunks at 166 (16 were
/// slower: docs/design.md, "A GEMV in chunks of rows"). The sums are in another order
/// than the tiles' (chunks, then the chunks' sums), so a batch of one rounds differently
/// in the last bits than the same row in a batch of more. (Rows below a register tile
/// the same way, each row's accumulators in turn over a block of four rhs rows from L1,
/// were slower from four rows: W2's dense kernel at 2, 4 and 7 images 0.169 / 0.289 /
/// 0.465 ms blocked (scheduleBlockedK), 0.155 / 0.290 / 0.490 in 16 chunks.)
void scheduleGemvChunks(FuncInfo &q, const GemmPlan &plan, Halide::Expr cond,
                        int64_t terms, Func o, Var panel) {
  Func p = q.func;
  int64_t chunks = std::clamp<int64_t>(terms / GemvChunkMinTerms, 1, GemvChunks);
  int64_t chunk = (terms + chunks - 1) / chunks;
  chunk = (chunk + GemvTermsPerStore - 1) / GemvTermsPerStore * GemvTermsPerStore;
  Halide::Stage s = p.update().specialize(cond);
  Halide::RVar kc("kc"), ki("ki"), kb("kb"), kk("kk");
  Var u("u"), vo("vo"), vi("vi");
  s.split(q.rdom.x, kc, ki, (int)chunk, TailStrategy::GuardWithIf);
  Func partial = s.rfactor(kc, u);
  // The rhs in place: partial's copy of the one-row definition still calls the packing
  // copy in the select of readInPlaceUnless (whose other branch reads in place).
  readInPlaceUnless(partial, q.rhs);
  std::vector<Var> pv = p.args(), rv = partial.args(); // (n, m[, u])
  s.vectorize(pv[0], plan.lanes, TailStrategy::GuardWithIf);
  partial.compute_at(o, panel).vectorize(rv[0], plan.lanes, TailStrategy::GuardWithIf);
  partial.update()
      .split(ki, kb, kk, GemvTermsPerStore, TailStrategy::GuardWithIf)
      .split(rv[0], vo, vi, plan.lanes, TailStrategy::GuardWithIf)
      .reorder(vi, kk, vo, kb, rv[1], u)
      .vectorize(vi)
      .unroll(kk)
      .parallel(u);
}

/// A packed product's k in blocks of KBlock terms (`kb`, `kt`), each block's rhs packed
/// at `kb`: the product is computed per panel (`o` at `panel`), and for each block every
/// row tile loads its accumulators, adds the block's terms in registers and stores them.
/// With all of k inside a tile, each row tile streamed the whole panel (k x 32 columns:
/// 400 KB for W2's dense layer, k = 3136) from L2, and the panel was copied before any
/// tile ran, its rows a page apart, the loads of the copy not overlapped with the FMAs
/// (30% of the kernel in `perf annotate`); a block is 16 KB in L1 that the row tiles
/// share. W2's [B, 3136] x [3136, 1024] at B = 64: 1.83 -> 1.44 ms (Xeon, AVX-512;
/// docs/benchmarks.md, "K in blocks"). Each element's terms still add in order from
/// zero (the blocks in order, each block's terms in order), so the sums are the
/// unblocked schedule's bit for bit. A call with fewer rows than a tile (`fullTiles`
/// false: the one-row variants of scheduleGemm) keeps a row's accumulators in
/// registers instead: over all of k for a single row (`oneRow`) whose rhs is read in
/// place (`inPlace`; blocks there made W2's dense layer at one image 3% slower), else
/// over a block, the rows inside the blocks, so that a block of the rhs comes from
/// memory once per call (one copy per block when packed), not once per row: W2's
/// dense layer read its 12.8 MB weight per row, 1.15 ms at 4 images and 2.03 at 7,
/// now 0.44 and 0.57 (`./cnn bench --entry infer --batch 4`; 0.53 at 8 in whole tiles).
/// Where `chunked` is defined and holds, a single row's `terms` run in chunks instead
/// (scheduleGemvChunks).
void scheduleBlockedK(FuncInfo &q, const GemmPlan &plan, Halide::Expr fullTiles,
                      Halide::Expr oneRow, bool inPlace, Func o, Var panel, Halide::RVar kb,
                      Halide::RVar kt, Halide::Expr chunked, int64_t terms) {
  Func p = q.func;
  std::vector<Var> pv = p.args();
  Var pmo("pmo"), pmi("pmi");
  p.compute_at(o, panel).vectorize(pv[0], plan.lanes, TailStrategy::GuardWithIf);
  auto blocks = [&](Halide::Stage s) {
    return s.split(q.rdom.x, kb, kt, KBlock, TailStrategy::GuardWithIf);
  };
  blocks(p.update().specialize(fullTiles))
      .split(pv[1], pmo, pmi, plan.rows, TailStrategy::GuardWithIf)
      .reorder(pv[0], pmi, kt, pmo, kb)
      .vectorize(pv[0], plan.lanes, TailStrategy::GuardWithIf)
      .unroll(pv[0])
      .unroll(pmi);
  if (chunked.defined())
    scheduleGemvChunks(q, plan, chunked, terms, o, panel);
  if (inPlace)
    blocks(p.update().specialize(oneRow))
        .reorder(pv[0], kt, kb, pv[1])
        .vectorize(pv[0], plan.lanes, TailStrategy::GuardWithIf)
        .unroll(pv[0]);
  blocks(p.update())
      .reorder(pv[0], kt, pv[1], kb)
      .vectorize(pv[0], plan.lanes, TailStrategy::GuardWithIf)
      .unroll(pv[0]);
}

/// The GEMM schedule: the output in register tiles (plan.rows x plan.cols) whose
/// product is accumulated in registers, k outermost inside a tile. Tiles shift inwards
/// at the edges (recomputing a few elements) so every tile has the constant size that
/// keeps the accumulators in registers; a dynamic row count smaller than a tile takes a
/// guarded variant (specialization).
///   unpacked: [batch (in parallel) ->] row tiles (in parallel without batch dims) ->
///             column tiles -> tile; the lhs rows of a row
///             tile stay in L1 while the tile sweeps the columns.
///   packed:   [row blocks x] column panels (in parallel) -> [batch] -> row tiles ->
///             tile; the rhs columns of a panel are copied once per panel (and row
///             block) into a dense k x cols buffer that every row tile streams.
void scheduleGemm(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target) {
  FuncInfo &prod = k.products.front();
  // Several products of one shape (fusion merges matmuls whose results one epilogue
  // combines: an LSTM step's gates) share the output tiles: each is accumulated in
  // the tile's registers in turn, and the epilogue reads them all.
  std::vector<FuncInfo *> tileProducts;
  for (FuncInfo &p : k.products)
    if (p.shape == prod.shape && p.rdom.dimensions() == 1)
      tileProducts.push_back(&p);
  std::vector<Var> ov = out.func.args();
  int rank = (int)ov.size();
  int64_t n = out.shape[rank - 1], m = out.shape[rank - 2];
  const int64_t *kConst = Halide::Internal::as_const_int(prod.rdom.x.extent());
  bool contiguous = llvm::all_of(tileProducts, [](FuncInfo *p) { return rhsContiguous(*p); });
  // A batched rhs ([batch..., K, N], attention's products) has a matrix per batch: the
  // batches are independent products, so they are the outer parallel loop (fused with
  // the panels when packed, else alone, outside the row tiles), and a packed panel is
  // one batch's.
  bool batchedRhs = prod.rhs.defined() && prod.rhs.dimensions() > 2;
  GemmPlan plan = gemmPlan(m, n, kConst ? *kConst : -1, contiguous,
                           (int)tileProducts.size(), rank > 2 && !batchedRhs, target);
  // A product without an rhs Func reads in place.
  plan.pack = plan.pack &&
              llvm::all_of(tileProducts, [](FuncInfo *p) { return p->rhs.defined(); });
  // A packed product with a dynamic row count (a batch: few row tiles share each
  // panel) over a long static k, one product per tile, without batch dims: its k runs
  // in blocks of KBlock terms, outside the row tiles (scheduleBlockedK). A static row
  // count keeps k inside the tiles: there many row tiles share a panel, and the
  // blocks' rows of the lhs, 512 bytes each a row apart, made the 1024^3 and 2048^3
  // SGEMMs 11% and 22% slower (`bench/run.sh`'s GEMM rows, Xeon).
  bool blocked = plan.pack && m < 0 && rank == 2 && !batchedRhs && n > 0 && kConst &&
                 *kConst > KBlock && tileProducts.size() == 1;
  TailStrategy nTail = n < 0 ? TailStrategy::GuardWithIf : TailStrategy::ShiftInwards;
  Var no("no"), mo("mo"), ni("ni"), mi("mi"), mb("mb"), mr("mr"), panel("panel");
  Func o = out.func;
  if (batchedRhs)
    plan.blockRows = 0;
  // Threads by the work of a call, in multiply-adds (rows x columns x k x batches x
  // products): parallel from ParallelMultiplyAdds. When a dim of it is dynamic the
  // decision is a specialization made per call: a batch-sized k (an LSTM step's
  // weight-gradient accumulator, k = 64) must not wake the thread pool, and a
  // [64, 256] weight gradient over k = B x S = 2048 rows (W7's MLP, 33M multiply-adds
  // in 16K outputs) must not run on one thread, as it did when the outputs alone
  // decided.
  Halide::OutputImageParam outBuf = o.output_buffers().front();
  Halide::Expr work = Halide::cast<int64_t>((int)tileProducts.size());
  int64_t staticWork = (int64_t)tileProducts.size();
  bool dynamicWork = !kConst;
  for (int d = 0; d < rank; ++d) {
    int64_t e = out.shape[d];
    dynamicWork = dynamicWork || e < 0;
    work = work * (e >= 0 ? Halide::Expr(e)
                          : Halide::cast<int64_t>(outBuf.dim(rank - 1 - d).extent()));
    staticWork *= guess(e);
  }
  work = work * (kConst ? Halide::Expr(*kConst) : Halide::cast<int64_t>(prod.rdom.x.extent()));
  staticWork *= guess(kConst ? *kConst : -1);
  Halide::Expr parallelCall = work >= Halide::Expr(ParallelMultiplyAdds);
  bool parallel = !dynamicWork && staticWork >= ParallelMultiplyAdds;
  // A transposed rhs past PackDynamicRhsBytes under a batch of rows, alone in its
  // kernel with one result: tiles along the output's rows (scheduleTransposedTiles).
  if (rank == 2 && m < 0 && n > 0 && kConst && !contiguous && prod.lhs.defined() &&
      n * *kConst * 4 >= PackDynamicRhsBytes && k.products.size() == 1 &&
      k.prologues.empty() && o.outputs() == 1)
    return scheduleTransposedTiles(k, out, target, parallelCall);
  // A small static output, at least 64 x 64 and in whole tiles (tileRows: a divisor of
  // the rows down to half the plan's height), over a contracted dim that may be long:
  // split-K. (Smaller ones, like W1's [128, 10], keep the tiled schedule.)
  // A product that skips terms (a predicate on its reduction domain: `lhs_lower`) keeps
  // the tiled schedule, whose k loop Halide trims; split into chunks, Halide 14's bounds
  // of the chunks' copies came out negative ("Allocation ... has a size greater than
  // 2^31").
  int splitRows = m > 0 ? tileRows(m, plan.rows) : plan.rows;
  if (rank == 2 && m >= 64 && m % splitRows == 0 && n >= 64 && n % plan.cols == 0 &&
      m * n * 4 <= SplitKOutputBytes && k.products.size() == 1 &&
      tileProducts.size() == 1 && k.prologues.empty() && !skipsTerms(prod.rdom) &&
      (!kConst || *kConst > SplitKChunk)) {
    plan.rows = splitRows;
    return scheduleSplitK(k, out, plan, target, parallelCall, dynamicWork, parallel);
  }
  // An epilogue with several results (an optimizer's update of a weight gradient:
  // the parameter and its moments) reads and writes several arrays of the product's
  // shape. Run in the register tiles, that is rows x (arrays + 1) streams a row stride
  // apart, which defeats the prefetchers and aliases in L1: seen 58 ms against 13.5 ms
  // for the product and the update apart (W2's dense0 weight gradient with Adam, batch
  // 64). Such an epilogue is staged: the tiles of a strip of rows write the product to
  // a buffer (`tiled`, the product's wrapper), and the epilogue runs along the rows of
  // the strip.
  bool staged = o.outputs() > 1 && rank == 2 && m > 0 && n > 0 && tileProducts.size() == 1;
  // Every strip's tiles read all of the rhs, a row a page or more apart when its rows
  // are long (W6's [128, 10000] weight gradient read its 45 MB gradient of the logits
  // once per 8-row strip: 44 ms). Then the product (`tiled`) is computed whole first
  // with the packed schedule (parallel column panels, each packing its columns of the
  // rhs once, the lhs read from cache), and the epilogue's strips read it back.
  bool panelsFirst = staged && n * 4 >= StagedPanelRowBytes;
  bool perStrip = staged && !panelsFirst; // the product computed per epilogue strip
  if (staged)
    plan.pack = panelsFirst; // (blocked is for dynamic row counts only)
  // Results written over operands (KernelSpec::inPlace: an optimizer's update of the
  // weight in the weight's buffer) are correct only if no element is computed twice:
  // the staged epilogue's strips then divide the rows (strips that shift inwards at the
  // end would update a few rows twice). PlanEmitter asks for it only for such kernels.
  if (k.inPlace && (!staged || k.outputs.size() != 1))
    throw Halide::InternalError("a kernel whose results overwrite its operands needs one "
                                "staged epilogue");
  int stripRows = plan.rows;
  if (k.inPlace)
    while (m % stripRows)
      --stripRows;
  Func tiled = staged ? prod.func.in() : o;
  // A dynamic row count: whether a call has a register tile's rows, and whether below
  // that the product reads its rhs in place (see below).
  Halide::Expr fullTiles = Halide::Expr(true);
  bool inPlaceBelowTile = false;
  Halide::Expr gemvChunked; // defined: a GEMV's chunks (scheduleGemvChunks) under it
  std::vector<Var> tv = tiled.args();
  // Fuses the batch dims tv[first..] (outermost already) into loop `outer`, the fused
  // loop named `last` (intermediate ones `<prefix><d>`).
  auto fuseBatches = [&](Halide::Stage s, Var outer, Var last, const std::string &prefix,
                         int first = 2) {
    for (int d = first; d < rank; ++d) {
      Var next = d + 1 == rank ? last : Var(prefix + std::to_string(d));
      s.fuse(outer, tv[d], next);
      outer = next;
    }
  };
  auto tile = [&](Halide::Stage s, int tm, TailStrategy mTail, bool parallel,
                  int cols = 0) {
    s.split(tv[0], no, ni, cols ? cols : plan.cols, nTail);
    if (perStrip) {
      s.reorder(ni, tv[1], no).unroll(tv[1]);
    } else if (!plan.pack) {
      s.split(tv[1], mo, mi, tm, mTail).reorder(ni, mi, no, mo);
      // Batch dims (outermost already) fused into one parallel loop outside the row
      // tiles. Not fused with the row tiles: the last tile of a batch entry shifts
      // inwards over rows the one before computed, and in two tasks the last writer
      // decided their values, which LLVM may compute differently by a row's position in
      // the unrolled tile (W7's GELU epilogue differed in the last bit: its training was
      // not reproducible from run to run). In one task the tiles run in order.
      if (rank > 2) {
        Var bat = rank > 3 ? Var("bat") : tv[2];
        fuseBatches(s, tv[2], bat, "bat", 3);
        if (parallel)
          s.parallel(bat);
      } else if (parallel) {
        s.parallel(mo);
      }
    } else if (batchedRhs) {
      // Batches outside the panels, fused with them: each task packs one batch's panel
      // and streams it through that batch's row tiles.
      s.split(tv[1], mo, mi, tm, mTail).reorder(ni, mi, mo, no);
      fuseBatches(s, no, panel, "pb");
      if (parallel)
        s.parallel(panel);
    } else {
      // Batch dims (rank > 2) inside the panel loop: the rhs is shared by all batches.
      std::vector<Halide::VarOrRVar> order = {ni, mi, mo};
      for (int d = 2; d < rank; ++d)
        order.push_back(tv[d]);
      order.push_back(no);
      if (plan.blockRows) {
        order.push_back(mb);
        s.split(tv[1], mb, mr, plan.blockRows, mTail)
            .split(mr, mo, mi, tm, mTail)
            .reorder(order)
            .fuse(no, mb, panel);
      } else {
        s.split(tv[1], mo, mi, tm, mTail).reorder(order).rename(no, panel);
      }
      if (parallel)
        s.parallel(panel);
    }
    s.vectorize(ni, plan.lanes).unroll(ni);
    if (!perStrip)
      s.unroll(mi);
  };
  if (staged) {
    o.split(ov[1], mo, mi, stripRows, TailStrategy::ShiftInwards)
        .reorder(ov[0], mi, mo)
        .vectorize(ov[0], plan.lanes, TailStrategy::GuardWithIf);
    if (dynamicWork)
      o.specialize(parallelCall).parallel(mo);
    else if (parallel)
      o.parallel(mo);
    if (perStrip)
      tiled.compute_at(o, mo);
    else
      tiled.compute_root(); // then tiled as an unstaged product is, below
  }
  if (perStrip) {
    tile(Halide::Stage(tiled), stripRows, TailStrategy::ShiftInwards, false);
  } else if (m < 0) {
    // A call with little work (an LSTM step's [64, 32] gates) runs on one thread, since
    // waking the thread pool costs more than it saves there (a 64-row step's four
    // products took 3.6 us serial, 10.7 with two threads).
    fullTiles = outBuf.dim(1).extent() >= plan.rows;
    // Fewer rows than a tile (a GEMV at batch 1) read a packed contiguous rhs in place,
    // in tiles of one row and half the vector registers' columns: a copy of each panel
    // per call is a copy of the whole rhs for one row, and the tile streams rows of the
    // rhs `gemvCols` wide instead of a panel's 32 columns (rows a row stride apart: a
    // cache line and a new page each). W2's dense layer at one image, 3136 x 1024:
    // 0.40 -> 0.11 ms per call (`./cnn bench --entry infer --batch 1`).
    int gemvCols = 0;
    if (plan.pack && contiguous && !batchedRhs && k.products.size() == 1 &&
        k.prologues.empty()) {
      gemvCols = plan.lanes * std::max(1, target.vectorRegisters / 2);
      if (n > 0)
        gemvCols = (int)std::min<int64_t>(gemvCols, n / plan.lanes * plan.lanes);
      readInPlaceUnless(prod.func, prod.rhs, fullTiles); // the tiles' own condition
      inPlaceBelowTile = true;
    }
    tile(o.specialize(fullTiles && parallelCall), plan.rows,
         TailStrategy::ShiftInwards, true);
    tile(o.specialize(fullTiles), plan.rows, TailStrategy::ShiftInwards, false);
    // One row over a large rhs in place: one panel, the product's chunks of terms in
    // parallel (scheduleGemvChunks).
    if (gemvCols && blocked) {
      gemvChunked = outBuf.dim(1).extent() == 1 && parallelCall;
      tile(o.specialize(gemvChunked), 1, TailStrategy::RoundUp, false, (int)n);
    }
    // Fewer rows than a tile: one row per tile keeps the accumulator's size constant; in
    // parallel (over the panels or row tiles) when the call has the work, as a batch-1
    // product with large weights (W2's dense layer, 3136 x 1024 at one image: a GEMV
    // that streams 12.8 MB of weights, on one core took 1.09 ms).
    tile(o.specialize(parallelCall), 1, TailStrategy::RoundUp, true, gemvCols);
    tile(Halide::Stage(o), 1, TailStrategy::RoundUp, false, gemvCols);
  } else if (dynamicWork) {
    tile(tiled.specialize(parallelCall), plan.rows, TailStrategy::ShiftInwards, true);
    tile(Halide::Stage(tiled), plan.rows, TailStrategy::ShiftInwards, false);
  } else {
    tile(Halide::Stage(tiled), plan.rows, TailStrategy::ShiftInwards, parallel);
  }

  for (FuncInfo &q : k.products) {
    Func p = q.func;
    if (!llvm::is_contained(tileProducts, &q)) {
      p.compute_root();
      continue;
    }
    Halide::RVar kb("kb"), kt("kt");
    if (blocked)
      scheduleBlockedK(q, plan, fullTiles, outBuf.dim(1).extent() == 1, inPlaceBelowTile, o,
                       panel, kb, kt, gemvChunked, *kConst);
    else {
      p.compute_at(tiled, plan.pack ? mo : no);
      tileInRegisters(q, plan.lanes);
    }
    bool copied = plan.copyRhs && !rhsContiguous(q);
    if (!plan.pack && !copied)
      continue;
    std::vector<Var> rv = q.rhs.args();
    // A packed panel per panel task; a copied rhs once per call, before the tiles.
    if (copied)
      q.rhs.compute_root();
    else if (blocked)
      q.rhs.compute_at(p, kb);
    else
      q.rhs.compute_at(tiled, panel);
    // A transposed rhs (x W^T: the panel's columns are the operand's rows) is copied
    // row by row, `lanes` terms per load, each vector stored across the panel's k
    // rows: vectors along the panel's columns gathered one element per operand row,
    // a row a cache line (and, for W2's [3136, 1024] weight, 4 KB) apart, and 60% of
    // the kernel of `dx = g W^T` went to that copy (`perf annotate`): 4.5 -> 2.6 ms.
    if (rhsContiguous(q)) {
      q.rhs.vectorize(rv[0], plan.lanes).unroll(rv[0]);
    } else {
      Var ko("ko"), ki("ki");
      q.rhs.split(rv[1], ko, ki, plan.lanes, TailStrategy::GuardWithIf)
          .reorder(ki, rv[0], ko)
          .vectorize(ki);
    }
  }
  // Operands computed in the kernel. Unpacked: the lhs rows of a row tile once per tile
  // (they stay in cache for every column tile; on the stack when their size is static
  // and small), the rhs once for the whole product. (Computing the lhs once as well
  // was slower: 0.49 against 0.27 ms for W1's first layer at batch 256.) Packed: the
  // lhs once (row tiles are the inner loop), the rhs inside the packing copy.
  for (PrologueInfo &pro : k.prologues) {
    Func f = pro.info.func;
    std::vector<Var> fv = f.args();
    bool single = k.products.size() == 1;
    if (single && pro.operand == 0 && !plan.pack) {
      f.compute_at(o, mo);
      if (pro.contracted >= 0 &&
          int64_t(plan.rows) * pro.contracted * 4 <= MaxPrologueStackBytes)
        f.store_in(Halide::MemoryType::Stack);
    } else if (single && pro.operand == 1 && plan.pack) {
      continue; // inlined into the packing copy
    } else {
      f.compute_root();
    }
    if (int w = vectorFor(pro.info.shape.back(), target.vectorWidth))
      f.vectorize(fv[0], w, TailStrategy::GuardWithIf);
  }
}

} // namespace

int nn::codegen::tileRows(int64_t extent, int maxRows) {
  if (extent <= maxRows)
    return int(extent);
  for (int r = maxRows; r >= std::max(1, maxRows / 2); --r)
    if (extent % r == 0)
      return r;
  // No such divisor: the fewest tiles, as even as possible (tiles shift inwards at the
  // end, so a last tile of maxRows would recompute most of the one before it: 15
  // columns in tiles of 13 computed 26).
  int64_t tiles = (extent + maxRows - 1) / maxRows;
  return int((extent + tiles - 1) / tiles);
}

bool nn::codegen::rhsContiguous(const FuncInfo &prod) {
  if (!prod.rhs.defined())
    return true;
  const auto *call = prod.rhs.value().as<Halide::Internal::Call>();
  return !call || call->args.empty() ||
         Halide::Internal::expr_uses_var(call->args[0], prod.rhs.args()[0].name());
}

std::optional<size_t> nn::codegen::gemmOutput(const LoweredKernel &k) {
  if (k.kind != KernelClass::Gemm)
    return std::nullopt;
  for (size_t i = 0; i < k.outputs.size(); ++i)
    if (k.outputs[i].shape.size() >= 2 && k.outputs[i].shape == k.products.front().shape)
      return i;
  return std::nullopt;
}

/// The outputs other than `main` (rank >= 2) that can share its loop over nn dim 0: of
/// the same rank and dim-0 extent, not read by `main` and reading no other output
/// (Halide fuses no loops of a producer and its consumer). A layer norm's [B, S, 1]
/// statistic beside its [B, S, D] results is one.
std::set<size_t> rowLoopCompanions(const LoweredKernel &k, size_t main) {
  std::set<size_t> companions;
  const FuncInfo &out = k.outputs[main];
  std::map<std::string, Halide::Internal::Function> readByMain =
      Halide::Internal::find_transitive_calls(out.func.function());
  for (size_t i = 0; i < k.outputs.size(); ++i) {
    const FuncInfo &o = k.outputs[i];
    if (i == main || o.shape.size() != out.shape.size() || o.shape[0] != out.shape[0] ||
        readByMain.count(o.func.name()))
      continue;
    std::map<std::string, Halide::Internal::Function> reads =
        Halide::Internal::find_transitive_calls(o.func.function());
    if (llvm::none_of(k.outputs, [&](const FuncInfo &other) {
          return other.func.name() != o.func.name() && reads.count(other.func.name());
        }))
      companions.insert(i);
  }
  return companions;
}

/// Computes once per call each scalar the kernel computes from its inputs (rank 0,
/// pure, reading only inputs and other such scalars: Adam's step sizes, which fusion
/// puts in every kernel that reads them, nn.argument_scalar). Inlined, a scalar is
/// part of every element's expression, and LLVM does not hoist its math calls out of
/// the loops (pow_f32 per vector in W4's embedding update: 0.17 against 0.07 ms).
/// Scalars of constants alone stay inlined (immediates).
static void computeScalarsOnce(const LoweredKernel &k) {
  std::map<std::string, Halide::Internal::Function> reached;
  for (const FuncInfo &o : k.outputs)
    for (auto &[name, f] : Halide::Internal::find_transitive_calls(o.func.function()))
      reached.emplace(name, f);
  std::set<std::string> outputs;
  for (const FuncInfo &o : k.outputs)
    outputs.insert(o.func.name());
  // Per Func: whether it is such a scalar, and whether it reads an input (directly or
  // through another).
  std::map<std::string, std::pair<bool, bool>> memo;
  std::function<std::pair<bool, bool>(const Halide::Internal::Function &)> classify =
      [&](const Halide::Internal::Function &f) {
        auto [it, fresh] = memo.emplace(f.name(), std::pair(false, false));
        if (!fresh)
          return it->second;
        bool scalar = f.dimensions() == 0 && f.updates().empty() && f.outputs() == 1 &&
                      !f.has_extern_definition();
        bool input = scalar && definitionCalls(f, Halide::Internal::Call::Image);
        if (scalar)
          for (auto &[name, callee] : Halide::Internal::find_direct_calls(f)) {
            auto [calleeScalar, calleeInput] = classify(callee);
            scalar = scalar && calleeScalar;
            input = input || calleeInput;
          }
        return memo[f.name()] = std::pair(scalar, scalar && input);
      };
  for (auto &[name, f] : reached)
    if (!outputs.count(name) && classify(f).second)
      Func(f).compute_root();
}

void nn::codegen::scheduleKernel(LoweredKernel &k, const TargetInfo &target) {
  if (target.device == DeviceKind::CUDA)
    return scheduleKernelGPU(k, target);
  int width = target.vectorWidth;
  if (k.outputs.empty())
    return;
  computeScalarsOnce(k);
  if (k.kind == KernelClass::Attention && scheduleAttention(k, target))
    return;
  for (FuncInfo &scatter : k.scatters)
    scheduleScatter(scatter, width); // computed once, in any kernel
  // The main output: in a GEMM kernel the one over the product's domain, else the
  // largest (of rank 2 or more; else the first), whose row loop computes the
  // accumulators per row (scheduleReductions). Other outputs (kernels with several
  // results) get the plain elementwise schedule, except, without a GEMM, those over the
  // same rows as the main one (rowLoopCompanions), which are computed in its row loop
  // (a layer norm's [B, S, 1] statistics in its [B, S, D] result's).
  std::optional<size_t> gemm = gemmOutput(k);
  size_t main = gemm.value_or(0);
  std::set<size_t> companions;
  if (!gemm) {
    size_t largest = 0;
    for (size_t i = 1; i < k.outputs.size(); ++i)
      if (guessedElements(k.outputs[i].shape) > guessedElements(k.outputs[largest].shape))
        largest = i;
    if (k.outputs[largest].shape.size() >= 2) {
      companions = rowLoopCompanions(k, largest);
      main = largest;
    }
  }
  for (size_t i = 0; i < k.outputs.size(); ++i)
    if (i != main && !companions.count(i))
      scheduleElementwise(k.outputs[i].func, k.outputs[i].shape, width);
  const FuncInfo &out = k.outputs[main];
  // A convolution and the max pool of its result (passes/Fuse.cpp's poolsConvolution).
  if (!gemm && k.outputs.size() == 1 && k.products.size() == 1 &&
      k.reductions.size() == 1 && k.scatters.empty() && !k.products.front().winograd &&
      k.products.front().rdom.dimensions() > 1 && k.reductions.front().rdom.dimensions() == 2)
    return schedulePooledConvolution(k, out, target);
  if (gemm && k.products.front().winograd)
    return scheduleWinograd(k, out, target);
  if (gemm && k.products.front().rdom.dimensions() > 1)
    return scheduleConvolution(k, out, target);
  if (gemm) {
    scheduleGemm(k, out, target);
    for (FuncInfo &acc : k.reductions) {
      acc.func.compute_root();
      vectorizeRowReduction(acc, width);
    }
    return;
  }
  for (FuncInfo &prod : k.products)
    prod.func.compute_root();
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_root();
  std::optional<RowLoop> rows = scheduleElementwise(out.func, out.shape, width);
  for (size_t i : companions)
    scheduleWithRows(k.outputs[i], out, *rows, width);
  scheduleReductions(k, out, rows ? &*rows : nullptr, width, companions);
}

void nn::codegen::readInPlaceUnless(Func consumer, Func wrapper, Halide::Expr staged) {
  Halide::Internal::Function w = wrapper.function();
  struct Mutator : Halide::Internal::IRMutator {
    Halide::Internal::Function w;
    Halide::Expr staged;
    using IRMutator::visit;
    Halide::Expr visit(const Halide::Internal::Call *op) override {
      if (op->call_type != Halide::Internal::Call::Halide || op->name != w.name())
        return IRMutator::visit(op);
      Halide::Expr inPlace = valueAt(w, op->args);
      return staged.defined() ? Halide::select(staged, Halide::Expr(op), inPlace)
                              : inPlace;
    }
  } m;
  m.w = w;
  m.staged = staged;
  consumer.function().mutate(&m);
}
