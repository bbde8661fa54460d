//===- Schedules.cpp - CPU schedule templates per kernel class ------------===//
//
// Every kernel has output Funcs that are elementwise epilogues (see HalideLowering.cpp);
// the class decides what happens to the accumulators feeding them:
//   elementwise: vectorize the innermost dim, parallelize rows when the kernel is large;
//   reduction:   as elementwise, plus the accumulators computed per output row when
//                there is one output and they all keep its row dim, else each once
//                (compute_root) with its own schedule;
//   GEMM:        the output tiled (2 vectors x 8 rows), the product computed per tile
//                in registers with the k loop outermost, row tiles in parallel; an
//                epilogue with several results is one Tuple-valued output; an lhs
//                prologue computed per row tile, an rhs prologue once.
// Schedules never change results, only speed; GPU schedules are not written yet.
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include <algorithm>

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
/// Assumed size of a dynamic dim (a batch) when estimating work.
constexpr int64_t DynamicGuess = 1024;

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

/// Schedules an elementwise output Func; returns the loop over nn dim 0 (one row per
/// iteration) for accumulators to be computed at, if the Func has rank >= 2.
std::optional<Var> scheduleElementwise(Func out, const std::vector<int64_t> &shape,
                                       int width) {
  std::vector<Var> v = out.args();
  int rank = (int)v.size();
  if (rank == 0)
    return std::nullopt;
  int w = vectorFor(shape[rank - 1], width);
  if (rank == 1) {
    if (shape[0] < 0 || shape[0] > 4 * ElementsPerTask) {
      Var o("o"), i("i");
      out.split(v[0], o, i, (int)ElementsPerTask, TailStrategy::GuardWithIf).parallel(o);
      if (w)
        out.vectorize(i, w, TailStrategy::GuardWithIf);
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
    return rows;
  int64_t chunk = std::max<int64_t>(1, ElementsPerTask / rowElems);
  if (chunk == 1) {
    out.parallel(rows);
    return rows;
  }
  Var ro("ro"), ri("ri");
  out.split(rows, ro, ri, (int)chunk, TailStrategy::GuardWithIf).parallel(ro);
  return ri;
}

/// Vectorizes the innermost pure dim of an accumulator (both stages) when it is not
/// reduced and wide enough.
void vectorizeAccumulator(const FuncInfo &acc, int width) {
  std::vector<Var> v = acc.func.args();
  if (v.empty())
    return;
  int64_t inner = acc.shape.back();
  if (inner >= 0 && inner < width)
    return;
  Func f = acc.func;
  f.vectorize(v[0], width, TailStrategy::GuardWithIf);
  f.update().vectorize(v[0], width, TailStrategy::GuardWithIf);
}

/// Accumulators are computed per row of `out` when all of them keep its row dim (so
/// every consumer runs inside that row loop: `out` is the kernel's only output);
/// otherwise each is computed once (compute_root), with its own parallel schedule.
void scheduleReductions(LoweredKernel &k, const FuncInfo &out, std::optional<Var> rowLoop,
                        int width) {
  auto keepsRows = [&](const FuncInfo &acc) {
    return !llvm::is_contained(acc.reducedDims, 0) &&
           acc.shape.size() == out.shape.size() && acc.shape[0] == out.shape[0];
  };
  bool perRow = rowLoop && llvm::all_of(k.reductions, keepsRows);
  for (FuncInfo &acc : k.reductions) {
    Func f = acc.func;
    bool reducesRows = llvm::is_contained(acc.reducedDims, 0);
    if (perRow) {
      f.compute_at(out.func, *rowLoop);
    } else {
      f.compute_root();
      std::vector<Var> v = f.args();
      // Parallel over the accumulator's own rows when it keeps a large dim 0.
      if (v.size() >= 2 && !reducesRows && guess(acc.shape[0]) >= 64) {
        f.parallel(v.back());
        f.update().parallel(v.back());
      }
    }
    vectorizeAccumulator(acc, width);
  }
}

/// The classic Halide matrix-multiply schedule: tiles of the output, the product of a
/// tile accumulated in registers, k outermost inside a tile. Tiles shift inwards at the
/// edges (recomputing a few elements) so every tile has the constant size that keeps
/// the accumulators in registers; a dynamic row count smaller than a tile takes a
/// guarded variant (specialization).
void scheduleGemm(LoweredKernel &k, const FuncInfo &out, int width) {
  FuncInfo &prod = k.products.front();
  std::vector<Var> ov = out.func.args();
  int rank = (int)ov.size();
  int64_t n = out.shape[rank - 1], m = out.shape[rank - 2];
  int tn = n < 0 || n >= 2 * width ? 2 * width : n >= width ? width : (int)n;
  int tm = m < 0 || m >= 8 ? 8 : (int)m;
  int vn = std::min(tn, width);
  TailStrategy nTail = n < 0 ? TailStrategy::GuardWithIf : TailStrategy::ShiftInwards;
  Var no("no"), mo("mo"), ni("ni"), mi("mi");
  Func o = out.func;
  bool parallel = guess(m) * guess(n) >= SerialElements;
  auto tile = [&](Halide::Stage s, int tm, TailStrategy mTail) {
    s.split(ov[1], mo, mi, tm, mTail)
        .split(ov[0], no, ni, tn, nTail)
        .reorder(ni, mi, no, mo)
        .vectorize(ni, vn)
        .unroll(ni)
        .unroll(mi);
    if (parallel)
      s.parallel(mo);
  };
  if (m < 0) {
    Halide::Expr rows = o.output_buffers().front().dim(1).extent();
    tile(o.specialize(rows >= tm), tm, TailStrategy::ShiftInwards);
    // Fewer rows than a tile: one row per tile keeps the accumulator's size constant.
    tile(Halide::Stage(o), 1, TailStrategy::RoundUp);
  } else {
    tile(Halide::Stage(o), tm, TailStrategy::ShiftInwards);
  }

  Func p = prod.func;
  std::vector<Var> pv = p.args();
  p.compute_at(o, no).vectorize(pv[0], vn).unroll(pv[0]).unroll(pv[1]);
  p.update()
      .reorder(pv[0], pv[1], prod.rdom.x)
      .vectorize(pv[0], vn)
      .unroll(pv[0])
      .unroll(pv[1]);
  for (size_t i = 1; i < k.products.size(); ++i)
    k.products[i].func.compute_root();
  // Operands computed in the kernel: the lhs rows of a row tile once per tile (they
  // stay in cache for every column tile; on the stack when their size is static and
  // small), the rhs once for the whole product. (Computing the lhs once as well was
  // slower: 0.49 against 0.27 ms for W1's first layer at batch 256.)
  for (PrologueInfo &pro : k.prologues) {
    Func f = pro.info.func;
    std::vector<Var> fv = f.args();
    if (pro.operand == 0 && k.products.size() == 1) {
      f.compute_at(o, mo);
      if (pro.contracted >= 0 && int64_t(tm) * pro.contracted * 4 <= MaxPrologueStackBytes)
        f.store_in(Halide::MemoryType::Stack);
    } else {
      f.compute_root();
    }
    if (int w = vectorFor(pro.info.shape.back(), width))
      f.vectorize(fv[0], w, TailStrategy::GuardWithIf);
  }
}

} // namespace

void nn::codegen::scheduleKernel(LoweredKernel &k, const TargetInfo &target) {
  if (target.device != DeviceKind::CPU)
    throw Halide::CompileError("GPU schedules are not implemented yet (target '" +
                               target.name + "')");
  int width = target.vectorWidth;
  if (k.outputs.empty())
    return;
  // The main output: in a GEMM kernel the one over the product's domain (fusion packs
  // the whole epilogue into it), else the first. Other outputs (kernels with several
  // results) get the plain elementwise schedule.
  size_t main = 0;
  bool gemm = false;
  if (k.kind == KernelClass::Gemm)
    for (size_t i = 0; i < k.outputs.size() && !gemm; ++i)
      if (k.outputs[i].shape.size() >= 2 && k.outputs[i].shape == k.products.front().shape) {
        main = i;
        gemm = true;
      }
  for (size_t i = 0; i < k.outputs.size(); ++i)
    if (i != main)
      scheduleElementwise(k.outputs[i].func, k.outputs[i].shape, width);
  const FuncInfo &out = k.outputs[main];
  if (gemm && k.products.front().rdom.dimensions() > 1)
    return scheduleConvolution(k, out, target);
  if (gemm) {
    scheduleGemm(k, out, width);
    for (FuncInfo &acc : k.reductions)
      acc.func.compute_root();
    return;
  }
  for (FuncInfo &prod : k.products)
    prod.func.compute_root();
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_root();
  std::optional<Var> rows = scheduleElementwise(out.func, out.shape, width);
  // Per-row accumulators need every consumer inside the row loop of the one output.
  scheduleReductions(k, out, k.outputs.size() == 1 ? rows : std::nullopt, width);
}
