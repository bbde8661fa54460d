//===- ScheduleGPU.cpp - CUDA schedule templates per kernel class ---------===//
//
// The GPU counterpart of Schedules.cpp, chosen when the target's device is CUDA. The
// kernel classes and the Funcs they schedule are the same; what differs is how loops
// map to the machine:
//   elementwise: a 2-D grid of blocks, a warp's worth of threads along the innermost
//                dim (coalesced loads and stores), the other dims fused into rows;
//   reduction:   every accumulator computed once (its own kernel launch), one thread
//                per element it keeps, the reduced dims a serial loop in that thread;
//                a reduction to a scalar is one thread;
//   GEMM:        as Halide's apps/cuda_mat_mul: blocks of 64 columns x 16 rows, 32
//                threads each computing a 4 x 8 register tile (4 columns as one vector
//                load/store), the rhs values of one k step loaded once per thread into
//                registers; an output smaller than a block (W1's 10 logits, or a batch
//                below 16 rows at run time: a specialization) takes one thread per
//                element instead. Convolutions use the same tiles over their output
//                (the reduction over kh, kw, channels serial in the thread);
//   scatter-add: computed once; one thread per position of the pure dims, the terms
//                serial and in order (deterministic, no atomics); serial in one thread
//                when the innermost dim is the scattered one.
// A static GEMM whose contracted dim is a multiple of 16 computes the product per block
// instead, its k loop in chunks of 16, staging each chunk in shared memory between
// barriers (scheduleGemmShared): with at least 128 columns and 64 rows, blocks of
// 128 x 64 (256 threads, 4 x 8 tiles) stage both operands, the lhs with its rows
// innermost so that a thread's 8 rows at one k are two 16-byte loads (3 shared loads
// per 32 multiply-adds); smaller ones keep blocks of 64 x 16 that stage the rhs only
// (16 x 64 floats; a thread's lhs values are broadcast loads from global memory). On an
// H200 the f32 4096^3 product took 3.79 ms against 7.19 ms (cuBLAS: 2.79; see
// docs/benchmarks.md, "CUDA on an H200"). Every loop uses GuardWithIf except the full
// GEMM tiles, which shift inwards (constant extents are what lets the register tile be
// vectorized and unrolled).
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include <algorithm>

using namespace nn::codegen;
using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Threads of an elementwise block.
constexpr int kBlockThreads = 256;
/// GEMM: a block's output tile, and a thread's register tile within it.
constexpr int kGemmBlockCols = 64, kGemmBlockRows = 16;
constexpr int kGemmThreadCols = 4, kGemmThreadRows = 8;
/// GEMM with shared-memory staging: the k values of one chunk.
constexpr int kGemmChunk = 16;

constexpr TailStrategy Guard = TailStrategy::GuardWithIf;

/// Threads along the innermost dim of static extent `inner` (-1: dynamic): a warp, or
/// the smallest power of two covering a narrower dim.
int threadsAlong(int64_t inner, int warp) {
  if (inner < 0 || inner >= warp)
    return warp;
  int t = 1;
  while (t < inner)
    t *= 2;
  return t;
}

/// Maps the pure loops of `s` (the stage of a Func with args `v`, Halide order, and
/// nn shape `shape`) onto a grid: innermost dim x the others fused.
void gpuGrid(Halide::Stage s, const std::vector<Var> &v, const std::vector<int64_t> &shape,
             int warp) {
  int rank = (int)v.size();
  if (rank == 0) {
    s.gpu_single_thread();
    return;
  }
  Var bx("bx"), by("by"), tx("tx"), ty("ty");
  if (rank == 1) {
    s.gpu_tile(v[0], bx, tx, kBlockThreads, Guard);
    return;
  }
  Var rows = fuseOuter(s, v, 1, "rows");
  int cols = threadsAlong(shape[rank - 1], warp);
  s.gpu_tile(v[0], rows, bx, by, tx, ty, cols, kBlockThreads / cols, Guard);
}

void scheduleElementwise(const FuncInfo &f, int warp) {
  gpuGrid(Halide::Stage(f.func), f.func.args(), f.shape, warp);
}

/// An accumulator (a reduce_*, a secondary product): computed once, one thread per
/// element it keeps, its reduction serial inside the thread.
void scheduleAccumulator(const FuncInfo &acc, int warp) {
  Func f = acc.func;
  f.compute_root();
  std::vector<Var> v = f.args();
  gpuGrid(Halide::Stage(f), v, acc.shape, warp);
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    Halide::Stage s = f.update(u);
    if (v.empty()) {
      s.gpu_single_thread();
      continue;
    }
    // The reduction loops inside the pure ones, so the pure ones can be the grid.
    std::vector<Halide::VarOrRVar> order;
    for (const Halide::Internal::ReductionVariable &r : s.get_schedule().rvars())
      order.push_back(Halide::RVar(r.var));
    for (const Var &x : v)
      order.push_back(x);
    s.reorder(order);
    gpuGrid(s, v, acc.shape, warp);
  }
}

/// A scatter-add: the zero init on a grid; the update one thread per position of the
/// pure dims with every term serial inside, or one thread when the innermost dim is
/// scattered (threads would race on repeated positions).
void scheduleScatter(const FuncInfo &acc, int warp) {
  Func f = acc.func;
  f.compute_root();
  std::vector<Var> v = f.args();
  gpuGrid(Halide::Stage(f), v, acc.shape, warp);
  Halide::Stage update = f.update();
  int rank = (int)acc.shape.size();
  if (v.empty() || llvm::is_contained(acc.reducedDims, rank - 1)) {
    update.gpu_single_thread();
    return;
  }
  // The terms inside the innermost pure dim, which is the grid (the other dims may be
  // scattered: not pure in the update).
  std::vector<Halide::VarOrRVar> order;
  for (int i = 0; i < acc.rdom.dimensions(); ++i)
    order.push_back(acc.rdom[i]);
  order.push_back(v[0]);
  update.reorder(order);
  update.gpu_tile(v[0], Var("bx"), Var("tx"), threadsAlong(acc.shape.back(), warp) * 4,
                  Guard);
}

/// The GEMM's output in blocks of `cols` x `rows` (the batch dims of `v`, Halide order,
/// fused into one loop over blocks), each thread a shifted register tile of
/// kGemmThreadCols x `threadRows`: loops tx, ty (threads), xi (vector), yi.
void registerTileBlocks(Halide::Stage s, const std::vector<Var> &v, int cols = kGemmBlockCols,
                        int rows = kGemmBlockRows, int threadRows = kGemmThreadRows) {
  Var bx("bx"), by("by"), tx("tx"), ty("ty"), xi("xi"), yi("yi");
  s.tile(v[0], v[1], bx, by, tx, ty, cols, rows, TailStrategy::ShiftInwards)
      .tile(tx, ty, tx, ty, xi, yi, kGemmThreadCols, threadRows, TailStrategy::ShiftInwards)
      .reorder(xi, yi, tx, ty, bx, by)
      .gpu_threads(tx, ty)
      .vectorize(xi)
      .unroll(yi);
  if (v.size() == 2)
    s.gpu_blocks(bx, by);
  else
    s.gpu_blocks(bx, by, fuseOuter(s, v, 2, "batch"));
}

/// Tiles of the shared-memory GEMM: a block's output tile (cols x rows), a thread's
/// register tile within it (one vector of 4 columns x rows, unrolled), the k values of
/// one chunk, and whether the lhs chunk is staged too (stored with the rows innermost,
/// so that a thread's rows at one k are one 16-byte load or two) rather than read from
/// global memory by every thread.
struct SharedTiles {
  int blockCols, blockRows, threadRows, chunk;
  bool stageLhs;
  int sharedBytes() const { return (blockCols + (stageLhs ? blockRows : 0)) * chunk * 4; }
};

/// Measured on an H200 (docs/benchmarks.md, "CUDA on an H200"): an f32 4096^3 product
/// took 7.19 ms with the small tiles (rhs staged only), 3.79 ms with the large ones.
/// Products too small for the large tiles keep the small ones.
constexpr SharedTiles kLargeTiles{128, 64, 8, 16, true};
constexpr SharedTiles kSmallTiles{kGemmBlockCols, kGemmBlockRows, kGemmThreadRows, kGemmChunk,
                                  false};

/// The block's Tx x Ty threads copy `f`, a Func computed per chunk over (`inner`,
/// `outer`) of extents (`ni`, `no`), into shared memory: vectors of 4 along `inner`
/// (the dim contiguous in global memory), consecutive vectors to consecutive threads,
/// each thread unrolling the rows of `outer` left over.
void stageChunk(Func f, Var inner, Var outer, int ni, int no, int tx, int ty) {
  Var vx("sx"), vxi("sxi"), vy("sy"), vyi("syi"), t("st"), sx("stx"), sy("sty");
  int vectors = ni / 4 * no, rows = std::max(1, vectors / (tx * ty));
  f.split(inner, vx, vxi, 4)
      .split(outer, vy, vyi, rows)
      .reorder(vxi, vyi, vx, vy)
      .fuse(vx, vy, t)
      .split(t, sy, sx, tx)
      .reorder(vxi, vyi, sx, sy)
      .gpu_threads(sx, sy)
      .vectorize(vxi)
      .unroll(vyi);
}

/// The GEMM schedule of a static product whose contracted dim is a multiple of the
/// chunk: blocks of SharedTiles' output tile, the product computed per block (each
/// thread's accumulators in registers) with the k loop split into chunks, and each
/// chunk of the rhs (chunk x block columns) -- and of the lhs (chunk x block rows) --
/// first copied into shared memory by the block's threads in vectors along the dim
/// that is contiguous in memory, so that each element is read from global memory once
/// per block instead of once per thread row (or column).
void scheduleGemmShared(LoweredKernel &k, const FuncInfo &out, FuncInfo &prod,
                        const TargetInfo &target, const SharedTiles &t) {
  Func o = out.func, p = prod.func;
  std::vector<Var> pv = p.args();
  registerTileBlocks(Halide::Stage(o), o.args(), t.blockCols, t.blockRows, t.threadRows);
  // (Unrolling ki, or a thread tile of more than 4 x 8, puts the accumulators in local
  // memory: ptxas reports a stack frame of the block's tile.)
  Var px("px"), py("py"), pxi("pxi"), pyi("pyi");
  Halide::RVar ko("ko"), ki("ki");
  p.compute_at(o, Var("bx"))
      .store_in(Halide::MemoryType::Register)
      .split(pv[0], px, pxi, kGemmThreadCols)
      .split(pv[1], py, pyi, t.threadRows)
      .reorder(pxi, pyi, px, py)
      .gpu_threads(px, py)
      .vectorize(pxi)
      .unroll(pyi);
  p.update()
      .split(pv[0], px, pxi, kGemmThreadCols)
      .split(pv[1], py, pyi, t.threadRows)
      .split(prod.rdom.x, ko, ki, t.chunk)
      .reorder(pxi, pyi, ki, px, py, ko)
      .gpu_threads(px, py)
      .vectorize(pxi)
      .unroll(pyi);
  // The chunks, each staged by the block's threads in vectors along its contiguous dim:
  // the rhs (n, k) (k contiguous when transposed; stored with n innermost all the same,
  // as the product reads it), the lhs (k, m).
  int nx = t.blockCols / kGemmThreadCols, ny = t.blockRows / t.threadRows;
  Func rhs = prod.rhs;
  std::vector<Var> rv = rhs.args();
  rhs.compute_at(p, ko).store_in(Halide::MemoryType::GPUShared);
  if (rhsContiguous(prod)) {
    stageChunk(rhs, rv[0], rv[1], t.blockCols, t.chunk, nx, ny);
  } else {
    // k contiguous: the x threads take 4 columns each, the y threads the k vectors.
    // (Staging it as stageChunk does, 8 columns x one k vector per thread, faulted
    // with CUDA_ERROR_MISALIGNED_ADDRESS in examples/gpt.nn's attention gradients on an
    // H200; the cause is not established.)
    Var rx("rx"), rxi("rxi"), rk("rk"), rki("rki"), rku("rku");
    int kVectors = t.chunk / 4, kThreads = std::max(1, std::min(kVectors, ny));
    rhs.split(rv[1], rk, rki, 4)
        .split(rk, rk, rku, kVectors / kThreads)
        .split(rv[0], rx, rxi, t.blockCols / nx)
        .reorder(rki, rxi, rku, rx, rk)
        .gpu_threads(rx, rk)
        .vectorize(rki)
        .unroll(rxi)
        .unroll(rku);
  }
  if (t.stageLhs && prod.lhs.defined()) {
    Func l = prod.lhs;
    std::vector<Var> lv = l.args();
    l.compute_at(p, ko).store_in(Halide::MemoryType::GPUShared).reorder_storage(lv[1], lv[0]);
    stageChunk(l, lv[0], lv[1], t.chunk, t.blockRows, nx, ny);
  }
  for (FuncInfo &acc : k.reductions)
    scheduleAccumulator(acc, target.warpSize);
  for (PrologueInfo &pro : k.prologues) {
    pro.info.func.compute_root();
    scheduleElementwise(pro.info, target.warpSize);
  }
}

/// The GEMM schedule (see the file comment). `out` is the output over the product's
/// domain: (n, m, batch...) in Halide order.
void scheduleGemm(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target) {
  FuncInfo &prod = k.products.front();
  Func o = out.func;
  std::vector<Var> ov = o.args();
  int rank = (int)ov.size();
  int64_t n = out.shape[rank - 1], m = out.shape[rank - 2];
  Var bx("bx"), by("by"), tx("tx"), ty("ty");
  // The register-tile variant: shifted tiles of constant size.
  auto tiled = [&](Halide::Stage s) { registerTileBlocks(s, ov); };
  // One thread per element: outputs smaller than a block; the batch dims fused into
  // one loop over blocks.
  auto simple = [&](Halide::Stage s) {
    int cols = threadsAlong(n, target.warpSize);
    s.tile(ov[0], ov[1], bx, by, tx, ty, cols, kBlockThreads / cols, Guard)
        .reorder(tx, ty, bx, by)
        .gpu_threads(tx, ty);
    if (rank == 2)
      s.gpu_blocks(bx, by);
    else
      s.gpu_blocks(bx, by, fuseOuter(s, ov, 2, "batch"));
  };
  bool staticSmall = (n >= 0 && n < kGemmBlockCols) || (m >= 0 && m < kGemmBlockRows);
  bool registerTiles = !staticSmall;
  // A static product over a contracted dim of whole chunks stages its rhs in shared
  // memory (below); the others keep the per-thread schedule.
  const int64_t *kConst = Halide::Internal::as_const_int(prod.rdom.x.extent());
  const SharedTiles &st = n >= kLargeTiles.blockCols && m >= kLargeTiles.blockRows &&
                                 prod.lhs.defined()
                             ? kLargeTiles
                             : kSmallTiles;
  bool shared = registerTiles && n >= 0 && m >= 0 && k.products.size() == 1 &&
                prod.rhs.defined() && prod.rdom.dimensions() == 1 && kConst &&
                *kConst % st.chunk == 0 && st.sharedBytes() <= target.sharedMemoryBytes;
  if (shared)
    return scheduleGemmShared(k, out, prod, target, st);
  if (registerTiles && (n < 0 || m < 0)) {
    Halide::OutputImageParam buf = o.output_buffers().front();
    Halide::Expr fits = buf.dim(0).extent() >= kGemmBlockCols &&
                        buf.dim(1).extent() >= kGemmBlockRows;
    tiled(o.specialize(fits));
    simple(Halide::Stage(o));
  } else if (registerTiles) {
    tiled(Halide::Stage(o));
  } else {
    simple(Halide::Stage(o));
  }
  // The product per thread, in registers: the tile of the thread (or one element, in
  // the fallback of a specialization: hence the guards, which vanish in the tiles).
  // Several products of one shape (an LSTM step's gates) each take the thread's tile.
  for (FuncInfo &q : k.products) {
    if (q.shape != prod.shape) {
      scheduleAccumulator(q, target.warpSize);
      continue;
    }
    Func p = q.func;
    std::vector<Var> pv = p.args();
    p.compute_at(o, tx);
    if (!registerTiles)
      continue;
    p.vectorize(pv[0], kGemmThreadCols, Guard).unroll(pv[1], kGemmThreadRows, Guard);
    std::vector<Halide::VarOrRVar> order = {pv[0], pv[1]};
    for (int i = 0; i < q.rdom.dimensions(); ++i)
      order.push_back(q.rdom[i]);
    p.update()
        .reorder(order)
        .vectorize(pv[0], kGemmThreadCols, Guard)
        .unroll(pv[1], kGemmThreadRows, Guard);
    if (q.rhs.defined() && q.rdom.dimensions() == 1) {
      std::vector<Var> rv = q.rhs.args();
      q.rhs.compute_at(p, q.rdom.x).vectorize(rv[0], kGemmThreadCols, Guard);
    }
  }
  for (FuncInfo &acc : k.reductions)
    scheduleAccumulator(acc, target.warpSize);
  for (PrologueInfo &pro : k.prologues) {
    pro.info.func.compute_root();
    scheduleElementwise(pro.info, target.warpSize);
  }
}

} // namespace

void nn::codegen::scheduleKernelGPU(LoweredKernel &k, const TargetInfo &target) {
  int warp = target.warpSize;
  if (k.inPlace) // PlanEmitter writes updates in place for CPU targets only
    throw Halide::InternalError("a GPU kernel cannot overwrite its operands");
  if (k.outputs.empty())
    return;
  for (FuncInfo &scatter : k.scatters)
    scheduleScatter(scatter, warp);
  std::optional<size_t> gemm = gemmOutput(k);
  for (size_t i = 0; i < k.outputs.size(); ++i)
    if (i != gemm)
      scheduleElementwise(k.outputs[i], warp);
  if (gemm)
    return scheduleGemm(k, k.outputs[*gemm], target);
  for (FuncInfo &prod : k.products)
    scheduleAccumulator(prod, warp);
  for (PrologueInfo &pro : k.prologues) {
    pro.info.func.compute_root();
    scheduleElementwise(pro.info, warp);
  }
  for (FuncInfo &acc : k.reductions)
    scheduleAccumulator(acc, warp);
}
