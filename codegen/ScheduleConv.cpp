//===- ScheduleConv.cpp - the CPU schedule of direct convolutions ---------===//
//
// Convolutions (conv2d, its input and filter gradients) are contractions whose
// reduction has several dims (kh, kw, channels): direct convolution with register
// tiles, as Halide's apps/conv_layer does. The output is tiled over its innermost dim
// (output channels, vectorized) and the next one (output columns, or input channels for
// the filter gradient), the product of a tile is accumulated in registers with every
// reduction loop outside the tile, and the outer loops run in parallel: as rows, or,
// when the filter is large, as tiles of output channels over blocks of rows (Tasks).
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include <algorithm>

using namespace nn::codegen;
using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;
using Halide::VarOrRVar;

namespace {

/// The multiply-adds a parallel task of a convolution should have at least (a few
/// microseconds of work).
constexpr int64_t kMinTaskMacs = 1 << 18;

/// The output columns a task needs to pay for its copy of the filter's slice
/// (stageFilters).
constexpr int64_t kStagedColumns = 128;

/// The rows of a parallel task over `rows` output rows: the fewest that divide them and
/// have at least `wanted` units of work at `perRow` each (all of them when none do, or
/// when the rows are not static).
int taskRows(int64_t rows, int64_t perRow, int64_t wanted) {
  int r = 1;
  while (rows > 0 && r < rows && (rows % r || r * perRow < wanted))
    ++r;
  return r;
}

/// A convolution whose reduction runs over the batch (the filter gradient: dw[kh, kw,
/// c, f] sums over n, i, j). Tiled like the others with the batch innermost, every
/// tile would stream the whole batch of both operands (W2's conv2: 200 tiles x 6 MB,
/// memory-bound at about a tenth of the FMA peak). Instead the batch is the outer
/// loop: `part` sums groups of `kImagesPerTask` images (one parallel task each, into an
/// accumulator of the filter's size), and within an image `img`, the register tile,
/// sums over the output rows and columns for every (kh, kw, c, f) tile in turn, so one
/// image's operands (tens of KB) are read from L2 by all the tiles. The result adds the
/// groups' accumulators.
void scheduleOverBatch(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target,
                       int tn, int vn, int tm) {
  constexpr int kImagesPerTask = 8;
  FuncInfo &prod = k.products.front();
  Func p = prod.func;
  Func o = out.func;
  std::vector<Var> pv = p.args();
  Halide::RVar rb = prod.rdom[prod.batchRVar], rbo("rbo"), rbi("rbi");
  Var u("u"), b("b");
  Func part = p.update().split(rb, rbo, rbi, kImagesPerTask).rfactor(rbo, u);
  Func img = part.update().rfactor(rbi, b);

  // The register tile: vectors along the output channels f (dim 0) by tm input
  // channels c (dim 1). With fewer than 4 output channels (W3's generator's last conv:
  // one), vectors along c instead, which are contiguous in the input too (else scalar
  // code: 16 GFLOP/s for that layer's filter gradient); with fewer than 4 input
  // channels (a first layer), the f vectors by the filter's columns kw (dim 2), else
  // the tile has one or two accumulators and waits on each FMA's latency.
  int64_t channels = out.shape[2], taps = out.shape[1];
  bool alongC = vn == 1 && channels >= target.vectorWidth;
  bool byTaps = !alongC && channels < 4 && taps > 1;
  // d: the vectorized dim (t0 elements of it per tile); e: the other (t1 per tile).
  int d = 0, e = 1, lanes = vn, t0 = tn, t1 = tm;
  if (alongC) {
    d = 1, e = 0, lanes = target.vectorWidth, t1 = 1;
    t0 = int(std::min<int64_t>(2 * lanes, channels));
  } else if (byTaps) {
    int vectors = std::max(1, tn / lanes);
    e = 2;
    t1 = tileRows(taps, std::max(1, (target.vectorRegisters - 2 * vectors - 1) / vectors));
  }
  Var vo("vo"), vi("vi"), to("to"), ti("ti");
  std::vector<Var> qv = part.args(); // f, c, kw, kh, u
  std::vector<VarOrRVar> loops{vi, ti, vo, to};
  for (int i = 1; i < 4; ++i)
    if (i != d && i != e)
      loops.push_back(qv[i]);
  loops.push_back(rbi);
  loops.push_back(qv[4]);
  part.compute_root();
  if (lanes > 1)
    part.vectorize(qv[d], lanes);
  part.update()
      .split(qv[d], vo, vi, t0, TailStrategy::GuardWithIf)
      .split(qv[e], to, ti, t1, TailStrategy::GuardWithIf)
      .reorder(loops)
      .parallel(qv[4]);
  if (lanes > 1)
    part.update().vectorize(vi, lanes).unroll(vi);
  part.update().unroll(ti);

  std::vector<Var> iv = img.args(); // f, c, kw, kh, u, b
  img.compute_at(part, vo).unroll(iv[e]);
  std::vector<VarOrRVar> order{iv[d], iv[e]};
  for (int i = 0; i < prod.rdom.dimensions(); ++i)
    if (i != prod.batchRVar)
      order.push_back(prod.rdom[i]);
  img.update().reorder(order).unroll(iv[e]);
  if (lanes > 1) {
    img.vectorize(iv[d], lanes).unroll(iv[d]);
    img.update().vectorize(iv[d], lanes).unroll(iv[d]);
  }

  // The sum of the groups and the epilogue (an optimizer update), per (kh, kw).
  std::vector<Var> ov = o.args();
  Var par("par");
  o.fuse(ov[2], ov[3], par).parallel(par).vectorize(ov[d], target.vectorWidth,
                                                    TailStrategy::GuardWithIf);
  if (!o.function().same_as(p.function())) {
    p.compute_at(o, par).vectorize(pv[d], target.vectorWidth, TailStrategy::GuardWithIf);
    p.update().vectorize(pv[d], target.vectorWidth, TailStrategy::GuardWithIf);
  }
  for (Func pad : prod.padded) {
    pad.compute_root();
    std::vector<Var> v = pad.args();
    pad.vectorize(v[0], std::min(target.vectorWidth, 8), TailStrategy::GuardWithIf);
  }
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_root();
  for (FuncInfo &acc : k.reductions)
    acc.func.compute_root();
}

/// A register tile's output channels, the innermost dim: `vectors` vectors (two when
/// there are enough channels, else one) of `vn` lanes (narrower when the channels are
/// fewer than a vector; 1 below 4), `tn` channels in all, and the most columns
/// (`maxColumns`) whose accumulators fit the registers beside a broadcast operand and a
/// filter vector per column.
struct ChannelTile {
  int vn = 1, vectors = 1, tn = 1, maxColumns = 1;
};

ChannelTile channelTile(int64_t n, const TargetInfo &target) {
  ChannelTile t;
  int width = target.vectorWidth;
  t.vn = n >= width ? width : std::max(4, int(llvm::PowerOf2Ceil(n)) / 2);
  if (n < 4)
    t.vn = 1;
  t.vectors = n >= 2 * width ? 2 : 1;
  t.tn = int(std::min<int64_t>(t.vn * t.vectors, n));
  t.maxColumns = std::max(1, (target.vectorRegisters - 2 * t.vectors - 1) / t.vectors);
  return t;
}

/// The multiply-adds per output element of convolution `prod` (a dynamic extent
/// counted as 1024).
int64_t multiplyAdds(const FuncInfo &prod) {
  int64_t n = 1;
  for (int i = 0; i < prod.rdom.dimensions(); ++i) {
    const int64_t *e = Halide::Internal::as_const_int(prod.rdom[i].extent());
    n *= e ? *e : 1024;
  }
  return n;
}

/// Makes `o`'s loop `par` (tiles, `macs` multiply-adds each) parallel in tasks of whole
/// tiles, enough of them to amortize a task's start: at least kMinTaskMacs each (a tile
/// of conv1 in W2, one input channel, is 5600 multiply-adds: one task per tile took 3.6
/// ms for the batch of 64 against 0.9 ms with tasks of several tiles). Returns the
/// parallel loop.
Var parallelTiles(Halide::Stage o, Var par, int64_t macs) {
  int group = int(std::max<int64_t>(1, kMinTaskMacs / std::max<int64_t>(macs, 1)));
  if (group == 1) {
    o.parallel(par);
    return par;
  }
  Var task("task");
  o.split(par, task, par, group, TailStrategy::GuardWithIf).parallel(task);
  return task;
}

/// The product `prod` in registers: computed at loop `at` (a tile of output channels by
/// columns), its channels vectorized (`vn` lanes) and its columns unrolled, every
/// reduction loop outside the tile.
void registerTile(FuncInfo &prod, Halide::LoopLevel at, int vn) {
  Func p = prod.func;
  std::vector<Var> pv = p.args();
  p.compute_at(at).unroll(pv[1]);
  std::vector<VarOrRVar> order{pv[0], pv[1]};
  for (int i = 0; i < prod.rdom.dimensions(); ++i)
    order.push_back(prod.rdom[i]);
  p.update().reorder(order).unroll(pv[1]);
  if (vn > 1) {
    p.vectorize(pv[0], vn).unroll(pv[0]);
    p.update().vectorize(pv[0], vn).unroll(pv[0]);
  }
}

/// Padded inputs are staged so that the inner loop reads them without bounds checks:
/// the rows one task reads (a few rows of one image, at `o`'s loop `par`), or the whole
/// padded input once when every tile reads all of it (the filter gradient sums over
/// the batch). Prologues and other accumulators are computed once.
void stageOperands(LoweredKernel &k, const FuncInfo &prod, Func o, Var par, int width) {
  for (auto [f, perImage] : llvm::zip(prod.padded, prod.paddedPerImage)) {
    Func pad = f;
    if (perImage)
      pad.compute_at(o, par);
    else
      pad.compute_root();
    std::vector<Var> v = pad.args();
    pad.vectorize(v[0], std::min(width, 8), TailStrategy::GuardWithIf);
  }
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_root();
  for (FuncInfo &acc : k.reductions)
    acc.func.compute_root();
}

/// A convolution with fewer than 4 output channels (W3's generator's last conv, 128 ->
/// 1): vectors along the output channels would be scalar code. Instead the innermost
/// reduction dim (the input channels, contiguous in the input and the filter) is split
/// into vectors by an `rfactor`: per tile of tm columns, `lanes` partial sums per
/// column in registers (one filter vector and tm input vectors per step), summed at
/// the end. Rows of tiles are the parallel tasks.
void scheduleChannelDot(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target,
                        int tm, int64_t reduction) {
  FuncInfo &prod = k.products.front();
  Func p = prod.func, o = out.func;
  std::vector<Var> ov = o.args();
  int lanes = target.vectorWidth;
  Halide::RVar rc = prod.rdom[0], rco("rco"), rci("rci");
  Var u("u"), mo("mo"), mi("mi"), ho("ho"), hi("hi"), par("par");
  Func part = p.update().split(rc, rco, rci, lanes).rfactor(rci, u);
  // Tasks of whole rows, enough of them for kMinTaskMacs (a row of W3's layer has
  // 28 x 3200); their rows share the staged input rows.
  int64_t w = out.shape[2];
  int rows = w > 0 ? taskRows(out.shape[1], w * reduction, kMinTaskMacs) : 1;
  o.split(ov[1], mo, mi, tm, TailStrategy::ShiftInwards)
      .split(ov[2], ho, hi, rows, TailStrategy::ShiftInwards)
      .reorder(ov[0], mi, mo, hi, ho, ov[3])
      .fuse(ho, ov[3], par)
      .parallel(par);
  p.compute_at(o, mo);
  std::vector<Var> qv = part.args(); // c, w, h, n, u
  part.compute_at(o, mo).reorder_storage(u, qv[0], qv[1], qv[2], qv[3]).vectorize(u);
  std::vector<VarOrRVar> order{u, qv[0], qv[1], rco};
  for (int i = 1; i < prod.rdom.dimensions(); ++i)
    order.push_back(prod.rdom[i]);
  part.update().reorder(order).vectorize(u).unroll(qv[0]).unroll(qv[1]);
  stageOperands(k, prod, o, par, lanes);
}

/// How a convolution is split into parallel tasks. The filter's slice for one tile of
/// output channels (kh kw c tn floats) decides. A small one stays in L1: tasks are rows
/// (of tiles of every channel). A large one (400 KB in W3) does not even stay in L2 next
/// to the inputs when the channel tiles are inside a row: every row then streams the
/// whole filter (1.6 MB) from L3, 4 / tm bytes per multiply-add. Then a task is one
/// channel tile over a block of `rows` output rows of `images` images (at least 384
/// columns in all; whole rows, whole images when an image has fewer), and its tiles
/// read the slice from a copy made per task (stageFilters). W3's discriminator conv
/// (28 -> 14, 5x5, 128 -> 128 channels, batch 64): 41-47 ms per call with rows as
/// tasks, 35-38 ms with these (docs/design.md, "Convolutions"; smaller tasks spent up
/// to a fifth of their time copying).
struct Tasks {
  bool channelTiles = false; ///< a task is one channel tile (a large filter)
  int rows = 1;
  int images = 1;
};

Tasks tasksFor(const FuncInfo &prod, const FuncInfo &out, int tn, int64_t reduction) {
  Tasks t;
  int64_t h = out.shape[1], w = out.shape[2];
  t.channelTiles = !prod.filters.empty() && tn * reduction * 4 >= 32 * 1024 && h > 0 && w > 0;
  if (!t.channelTiles)
    return t;
  constexpr int64_t kColumns = 384;
  t.rows = taskRows(h, w, kColumns);
  t.images = int((kColumns + h * w - 1) / (h * w));
  return t;
}

/// The task's slice of the filter (its tn output channels), copied once per task at
/// `o`'s loop `par`: the register tiles read consecutive vectors of it (in the filter,
/// a tile's channels are tn of n floats per (kh, kw, c), strided).
void stageFilters(const FuncInfo &prod, Func o, Var par, int vn) {
  for (Func f : prod.filters) {
    f.compute_at(o, par);
    std::vector<Var> v = f.args();
    if (vn > 1)
      f.vectorize(v[0], vn, TailStrategy::GuardWithIf);
  }
}

/// A convolution whose product has its columns in phases (FuncInfo::phases: a strided
/// transposed convolution, whose filter taps depend on the column mod the stride s).
/// The register tiles must be consecutive q of one phase, sharing their taps; but
/// Halide bounds the columns a tile of the output needs by an interval, so a tile of
/// the output over columns s q + p would compute every phase in between. Instead the
/// tiles belong to a phase-major copy of the product, `rows` (channel, q, p, row,
/// image), computed per output row, whose loops are its own: (q, p) there are plain
/// dims. The output (the epilogue) then reads a row of it from L1.
void schedulePhased(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target,
                    int tn, int vn, int tm) {
  FuncInfo &prod = k.products.front();
  Func p = prod.func, o = out.func;
  Func rows = p.in();
  std::vector<Var> ov = o.args(), rv = rows.args(); // rv: c, q, p, h, n
  Var par("par"), no("no"), ni("ni"), mo("mo"), mi("mi");
  int64_t n = out.shape[3];
  TailStrategy nTail = n % tn ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
  o.fuse(ov[2], ov[3], par).parallel(par).vectorize(ov[0], target.vectorWidth,
                                                    TailStrategy::GuardWithIf);
  rows.compute_at(o, par)
      .split(rv[1], mo, mi, tm, TailStrategy::ShiftInwards)
      .split(rv[0], no, ni, tn, nTail)
      .reorder(ni, mi, no, mo, rv[2])
      .unroll(mi);
  if (vn > 1)
    rows.vectorize(ni, vn).unroll(ni);
  registerTile(prod, Halide::LoopLevel(rows, no), vn);
  stageOperands(k, prod, o, par, target.vectorWidth);
}

/// scheduleConvolution in `stage` of `out`'s Func: its own pure stage (`own`) or a
/// specialization.
void scheduleConvolutionIn(LoweredKernel &k, const FuncInfo &out, Halide::Stage stage,
                           bool own, const TargetInfo &target) {
  int width = target.vectorWidth;
  FuncInfo &prod = k.products.front();
  Func o = out.func;
  std::vector<Var> ov = o.args();
  int64_t n = out.shape[3], m = out.shape[2];
  ChannelTile ct = channelTile(n, target);
  int vn = ct.vn, tn = ct.tn, maxRows = ct.maxColumns;
  int tm = m < 0 ? 1 : tileRows(m, maxRows);
  int64_t reduction = multiplyAdds(prod);
  // Phased columns (a width of whole phase groups; others keep the tiles below, whose
  // columns then read their own taps), a sum over the batch, a dot product along the
  // input channels (tiles of columns, one accumulator vector each, a filter vector and
  // an input vector per column and step): whole-Func schedules, never a Winograd
  // kernel's small batches (stride 1, a batch, 16 output channels at least).
  int64_t phases = prod.phases.empty() ? 1 : prod.phases[2];
  const int64_t *channels = Halide::Internal::as_const_int(prod.rdom[0].extent());
  bool phased = phases > 1 && m > 0 && m % phases == 0;
  bool overBatch = prod.batchRVar >= 0 && m > 0 && out.shape[0] > 0 && out.shape[1] > 0;
  bool channelDot = vn == 1 && width > 1 && channels && *channels % width == 0;
  if (!own && (phased || overBatch || channelDot))
    throw Halide::InternalError("a convolution's specialization needs the tiled schedule");
  if (phased)
    return schedulePhased(k, out, target, tn, vn, tileRows(m / phases, maxRows));
  if (overBatch)
    return scheduleOverBatch(k, out, target, tn, vn, tm);
  if (channelDot)
    return scheduleChannelDot(k, out, target,
                              m < 0 ? 1 : tileRows(m, target.vectorRegisters - 2), reduction);
  TailStrategy nTail = n % tn ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
  Tasks t = tasksFor(prod, out, tn, reduction);
  // A Winograd kernel's small batches (a specialization, `own` false): tasks of rows,
  // the filter read in place. A channel tile's task over every row gave cnn32's conv2
  // two tasks at one image, so a round in which the other core was busy took twice as
  // long.
  if (!own)
    t.channelTiles = false;
  // (`tiles`, not Winograd's `par`: in a Winograd kernel's specialization the
  // Winograd stages must find no loop of theirs.)
  Var no("no"), mo("mo"), ni("ni"), mi("mi"), par("tiles");
  stage.split(ov[1], mo, mi, tm, TailStrategy::ShiftInwards)
      .split(ov[0], no, ni, tn, nTail)
      .unroll(mi);
  if (vn > 1)
    stage.vectorize(ni, vn).unroll(ni);
  if (t.channelTiles) {
    Var ho("ho"), hi("hi"), bo("bo"), bi("bi");
    stage.split(ov[2], ho, hi, t.rows, TailStrategy::ShiftInwards)
        .split(ov[3], bo, bi, t.images, TailStrategy::GuardWithIf)
        .reorder(ni, mi, mo, hi, bi, no, ho, bo)
        .fuse(no, ho, par)
        .fuse(par, bo, par)
        .parallel(par);
    registerTile(prod, Halide::LoopLevel(o, mo), vn);
    stageOperands(k, prod, o, par, width);
    stageFilters(prod, o, par, vn);
    // A call whose tasks have few columns (a batch smaller than a task's images: at
    // one image, cnn32's 4x4 conv3 had 16 per task) reads the filter in place: its
    // copy per task cost more than the tiles saved by it. A specialization made after
    // the loops above, so both branches have them; the copy runs only in the other.
    if (own && out.shape[0] < 0 && t.images > 1) {
      Halide::Expr images = o.output_buffers().front().dim(3).extent();
      Halide::Expr staged = images * int(t.rows * out.shape[2]) >= int(kStagedColumns);
      for (Func f : prod.filters)
        readInPlaceUnless(prod.func, f, staged);
      o.specialize(staged);
    }
    return;
  }
  stage.reorder(ni, mi, no, mo, ov[2], ov[3]).fuse(mo, ov[2], par).fuse(par, ov[3], par);
  parallelTiles(stage, par, int64_t(tm) * tn * reduction);
  registerTile(prod, Halide::LoopLevel(o, no), vn);
  stageOperands(k, prod, o, par, width);
}

} // namespace

void nn::codegen::scheduleConvolution(LoweredKernel &k, const FuncInfo &out,
                                      const TargetInfo &target) {
  scheduleConvolutionIn(k, out, Halide::Stage(out.func), true, target);
}

void nn::codegen::scheduleConvolution(LoweredKernel &k, const FuncInfo &out,
                                      Halide::Stage stage, const TargetInfo &target) {
  scheduleConvolutionIn(k, out, stage, false, target);
}

/// A direct convolution whose (epilogue's) result a max pool of the same kernel reduces
/// (unpadded windows; passes/Fuse.cpp): the output is the pooled tensor, in tiles of
/// `tx` pooled columns by `tn` channels. A tile's pool `acc` is computed at the tile,
/// and for each row of its windows (`kh`) the product's register tile under those
/// windows (stride (tx - 1) + kw columns of one row, every reduction loop outside it),
/// which the pool's update reads from registers through the epilogue. The convolution's
/// result is never stored: cnn32's first layer wrote 7.4 MB (30 x 30 x 32 floats per
/// image, batch 64) for the pool's kernel to read back. The maximum is exact, so the
/// results are the unfused kernels' bit for bit.
void nn::codegen::schedulePooledConvolution(LoweredKernel &k, const FuncInfo &out,
                                            const TargetInfo &target) {
  int width = target.vectorWidth;
  FuncInfo &prod = k.products.front();
  FuncInfo &pool = k.reductions.front();
  Func acc = pool.func, o = out.func;
  std::vector<Var> ov = o.args(), av = acc.args();
  int64_t n = out.shape[3], pooled = out.shape[2], columns = prod.shape[2];
  const int64_t *kwConst = Halide::Internal::as_const_int(pool.rdom[0].extent());
  int64_t kw = kwConst ? *kwConst : 2;
  int64_t stride = pooled > 1 && columns > 0 ? (columns - kw) / (pooled - 1) : kw;
  // Channels as scheduleConvolution's; the product's columns under a tile's windows,
  // stride (tx - 1) + kw, within its register limit.
  ChannelTile ct = channelTile(n, target);
  int vn = ct.vn, tn = ct.tn;
  int maxPooled =
      int(std::max<int64_t>(1, (ct.maxColumns - kw) / std::max<int64_t>(stride, 1) + 1));
  int tx = pooled > 0 ? tileRows(pooled, maxPooled) : 1;
  TailStrategy nTail = n % tn ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
  int64_t reduction = multiplyAdds(prod);
  Var no("no"), ni("ni"), xo("xo"), xi("xi"), par("par");
  o.split(ov[1], xo, xi, tx, TailStrategy::ShiftInwards)
      .split(ov[0], no, ni, tn, nTail)
      .unroll(xi)
      .reorder(ni, xi, no, xo, ov[2], ov[3])
      .fuse(xo, ov[2], par)
      .fuse(par, ov[3], par);
  if (vn > 1)
    o.vectorize(ni, vn).unroll(ni);
  Var task = parallelTiles(o, par, int64_t(tx) * tn * kw * kw * reduction);
  stageOperands(k, prod, o, par, width); // (computes the reductions once: overridden)
  // The product's input computed in the kernel (cnn32's pad, channel tile and
  // normalization of the image) per task, in parallel, each its own rows: computed once
  // before the tasks, it was a serial loop (a sixth of conv1's kernel at one image).
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_at(o, task);
  Halide::RVar rw = pool.rdom[0], rh = pool.rdom[1];
  acc.compute_at(o, no).unroll(av[1]);
  acc.update().reorder(av[0], rw, av[1], rh).unroll(rw).unroll(av[1]);
  if (vn > 1) {
    acc.vectorize(av[0], vn).unroll(av[0]);
    acc.update().vectorize(av[0], vn).unroll(av[0]);
  }
  registerTile(prod, Halide::LoopLevel(acc, rh), vn);
}
