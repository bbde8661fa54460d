//===- Winograd.cpp - convolutions as Winograd's minimal filtering F(m x m, r x r) -===//
//
// A stride-1 conv2d with an r x r filter computes each m x m output tile from an
// n x n input tile, n = m + r - 1, with n^2 multiplications per channel pair instead of
// m^2 r^2 (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks"):
//   Y = At [ sum over input channels of (G g Gt) * (Bt d B) ] A
// with g a filter slice, d an input tile and * the elementwise product: for each of
// the n^2 points a GEMM over the channels. conv2d_transpose at stride 1 is the same
// with the filter flipped; conv2d's filter gradient is the adjoint in g,
//   dw = Gt [ sum over tiles of (A dy At) * (Bt d B) ] G,
// per point a GEMM over the tiles of the batch. Direct convolution already runs at the
// FMA peak (ScheduleConv.cpp), so only fewer multiplications make it faster: F(4x4, 3x3)
// for 3x3 filters (4x fewer), F(2x2, 5x5) for 5x5 (2.78x fewer), less the transforms.
// The matrices are Toom-Cook's for the points 0, 1, -1, 2, -2 and infinity, each row
// of Bt scaled to integers and the row of G divided by the same factor. Chosen by the
// lowering for CPU templates only; the result differs from the direct sum by rounding
// (about 20x further from a float64 convolution, docs/design.md).
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include "ir/NNOps.h"

using namespace nn;
using namespace nn::codegen;
using Halide::Expr;
using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Toom-Cook matrices of F(m, r): At (m x n), G (n x r), Bt (n x n), n = m + r - 1.
struct Matrices {
  std::vector<std::vector<double>> at, g, bt;
};

const Matrices &matrices(int m, int r) {
  static const Matrices f5{
      {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 1}},
      {{1.0 / 4, 0, 0, 0, 0},
       {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6},
       {1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6},
       {1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
       {1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3},
       {0, 0, 0, 0, 1}},
      {{4, 0, -5, 0, 1, 0},
       {0, 4, 4, -1, -1, 0},
       {0, -4, 4, 1, -1, 0},
       {0, -2, -1, 2, 1, 0},
       {0, 2, -1, -2, 1, 0},
       {0, 4, 0, -5, 0, 1}}};
  static const Matrices f43{
      {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}},
      {{1.0 / 4, 0, 0},
       {1.0 / 6, 1.0 / 6, 1.0 / 6},
       {1.0 / 6, -1.0 / 6, 1.0 / 6},
       {1.0 / 24, 1.0 / 12, 1.0 / 6},
       {1.0 / 24, -1.0 / 12, 1.0 / 6},
       {0, 0, 1}},
      f5.bt};
  return m == 4 && r == 3 ? f43 : f5;
}

/// sum over q of row[q] * term(q), skipping zero coefficients.
Expr combine(const std::vector<double> &row, const std::function<Expr(int)> &term) {
  Expr sum;
  for (size_t q = 0; q < row.size(); ++q) {
    if (row[q] == 0)
      continue;
    Expr t = row[q] == 1 ? term(q) : row[q] == -1 ? -term(q) : float(row[q]) * term(q);
    sum = sum.defined() ? sum + t : t;
  }
  return sum.defined() ? sum : Expr(0.0f);
}

/// mux(i, {rows[0] applied, rows[1] applied, ...}).
Expr byRow(Expr i, const std::vector<std::vector<double>> &rows,
           const std::function<Expr(int)> &term) {
  std::vector<Expr> cases;
  for (const std::vector<double> &row : rows)
    cases.push_back(combine(row, term));
  return Halide::mux(i, cases);
}

/// The vector width for a dim of `channels`: the target's when it divides them, else 8
/// at most (channels are multiples of 8 or at least 16).
int lanesFor(int64_t channels, int width) {
  return channels % width == 0 ? width : std::min(width, 8);
}

/// The transposes of Matrices' At and G (A and Gt), for the filter gradient.
std::vector<std::vector<double>> transpose(const std::vector<std::vector<double>> &m) {
  std::vector<std::vector<double>> t(m.front().size(), std::vector<double>(m.size()));
  for (size_t i = 0; i < m.size(); ++i)
    for (size_t j = 0; j < m[i].size(); ++j)
      t[j][i] = m[i][j];
  return t;
}

/// The filter gradient dw[kh, kw, c, f] = sum over images and positions (y, x) of
/// x[y + kh - padTop, x + kw - padLeft, c] dy[y, x, f], the adjoint of the forward
/// transform in g: dw = Gt [sum over tiles of (A dy At) * (Bt d B)] G, per point a GEMM
/// over the tiles of every image.
Func lowerFilterGrad(const WinogradShape &s, const Matrices &m, const WinogradLoad &dy,
                     Expr batch, Func padded, Func rows, Func in, WinogradFuncs &funcs) {
  Var c("c"), x("x"), y("y"), b("b"), a("a"), e("e"), v("v"), tx("tx"), ty("ty"), f("f"),
      kw("kw"), kh("kh");
  int oh = (int)s.outH, ow = (int)s.outW;
  // dy's m x m tiles past its edge read zeros (a padded operand).
  std::vector<std::vector<double>> a2 = transpose(m.at), gt = transpose(m.g);
  Func gradRows("wino_grad_rows");
  gradRows(f, a, v, tx, ty, b) =
      byRow(a, a2, [&](int u) { return dy(f, s.m * tx + u, s.m * ty + v, b); });
  Func grad("wino_grad");
  grad(f, a, e, tx, ty, b) =
      byRow(e, a2, [&](int p) { return gradRows(f, a, p, tx, ty, b); });
  Halide::RDom rt(0, (ow + s.m - 1) / s.m, 0, (oh + s.m - 1) / s.m, 0, batch, "wino_t");
  Func sums("wino_sums");
  sums(f, c, a, e) = 0.0f;
  sums(f, c, a, e) += grad(f, a, e, rt.x, rt.y, rt.z) * in(c, a, e, rt.x, rt.y, rt.z);
  Func out("wino_filter_grad");
  out(f, c, kw, kh) = byRow(kw, gt, [&](int pa) {
    return byRow(kh, gt, [&](int pe) { return sums(f, c, pa, pe); });
  });
  funcs = WinogradFuncs{};
  funcs.padded = padded, funcs.rows = rows, funcs.input = in;
  funcs.gradRows = gradRows, funcs.grad = grad, funcs.sums = sums, funcs.rt = rt;
  funcs.shape = s;
  return out;
}

} // namespace

Func nn::codegen::lowerWinograd(const WinogradShape &s, Func padded,
                                const WinogradLoad &filter, Expr batch,
                                WinogradFuncs &funcs, Expr filterKey) {
  const Matrices &m = matrices(s.m, s.r);
  Var c("c"), x("x"), y("y"), b("b"), a("a"), e("e"), q("q"), tx("tx"), ty("ty"), f("f"),
      kh("kh");
  // The padded input reads zeros around x (the padding, and past the last tile's end).
  // Bt d B of the tile (tx, ty): first along the columns (a), then the rows (e).
  Func rows("wino_rows");
  rows(c, a, q, tx, ty, b) = byRow(a, m.bt, [&](int p) {
    return padded(c, s.m * tx + p - (int)s.padLeft, s.m * ty + q - (int)s.padTop, b);
  });
  Func in("wino_input");
  in(c, a, e, tx, ty, b) = byRow(e, m.bt, [&](int p) { return rows(c, a, p, tx, ty, b); });
  if (s.filterGrad)
    return lowerFilterGrad(s, m, filter, batch, padded, rows, in, funcs);
  // G g Gt of each filter slice: along the filter's columns (a), then its rows (e).
  Func cols("wino_filter_cols");
  // A kept transform's reads of the filter, a buffer, are tagged with its key: Halide's
  // memoization keys a value by the scalars it reads, and refuses buffers.
  cols(f, c, a, kh) = byRow(a, m.g, [&](int kw) {
    Expr g = filter(f, c, kw, kh);
    return filterKey.defined() ? Halide::memoize_tag(g, filterKey) : g;
  });
  Func filt("wino_filter");
  filt(f, c, a, e) = byRow(e, m.g, [&](int k) { return cols(f, c, a, k); });
  // Per point (a, e), the products summed over the input channels: a register tile of
  // output channels by tiles `tile`, stored in `points`.
  Halide::RDom rc(0, (int)s.c, "wino_c");
  Func tile("wino_tile");
  tile(f, tx, a, e, ty, b) = 0.0f;
  tile(f, tx, a, e, ty, b) += filt(f, rc, a, e) * in(rc, a, e, tx, ty, b);
  Func points("wino_points");
  points(f, a, e, tx, ty, b) = tile(f, tx, a, e, ty, b);
  // At M A: output (x, y) is row x % m of At along a and row y % m along e.
  Func out("wino_conv2d");
  auto along = [&](Expr u, Expr v) {
    return byRow(u, m.at, [&](int pa) {
      return byRow(v, m.at, [&](int pe) { return points(f, pa, pe, x / s.m, y / s.m, b); });
    });
  };
  out(f, x, y, b) = along(x % s.m, y % s.m);
  funcs = WinogradFuncs{};
  funcs.padded = padded, funcs.rows = rows, funcs.input = in, funcs.cols = cols;
  funcs.filter = filt, funcs.tile = tile, funcs.points = points, funcs.rc = rc;
  funcs.shape = s, funcs.filterKey = filterKey;
  return out;
}

namespace {

/// A filter gradient: the images in groups of kImagesPerTask, one parallel task each
/// (`part`, an rfactor, into an accumulator per group); per image the transformed input
/// and dy tiles of the whole image, then per point (a, e) register tiles of output
/// channels by input channels (`img`, an rfactor over the image) summing over the
/// image's tiles; the groups' sums added at the end, and Gt M G with the epilogue (an
/// optimizer's update) per filter element.
void scheduleFilterGrad(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target,
                        WinogradFuncs &wf) {
  constexpr int kImagesPerTask = 8;
  const WinogradShape &s = wf.shape;
  int lanes = target.vectorWidth;
  Halide::RVar rb = wf.rt.z, rbo("rbo"), rbi("rbi");
  Var u("u"), b("img");
  Func part = wf.sums.update().split(rb, rbo, rbi, kImagesPerTask).rfactor(rbo, u);
  Func img = part.update().rfactor(rbi, b);
  int vectors = s.f >= 2 * lanes ? 2 : 1;
  int tn = std::min<int>(vectors * lanes, (int)s.f);
  int tm = tileRows(s.c, maxTileRows(vectors, target.vectorRegisters, 1));
  std::vector<Var> qv = part.args(); // f, c, a, e, u
  Var fo("fo"), fi("fi"), co("co"), ci("ci");
  TailStrategy fTail = s.f % tn ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
  TailStrategy cTail = s.c % tm ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
  part.compute_root().vectorize(qv[0], lanes, TailStrategy::GuardWithIf);
  part.update()
      .split(qv[0], fo, fi, tn, fTail)
      .split(qv[1], co, ci, tm, cTail)
      .reorder(fi, ci, fo, co, qv[2], qv[3], rbi, qv[4])
      .vectorize(fi, lanes)
      .unroll(fi)
      .unroll(ci)
      .parallel(qv[4]);
  std::vector<Var> iv = img.args(); // f, c, a, e, u, img
  img.compute_at(part, fo).vectorize(iv[0], lanes).unroll(iv[0]).unroll(iv[1]);
  img.update()
      .reorder(iv[0], iv[1], wf.rt.x, wf.rt.y)
      .vectorize(iv[0], lanes)
      .unroll(iv[0])
      .unroll(iv[1]);
  // The image's transformed tiles, once per image (for every point and channel tile).
  int cl = lanesFor(s.c, lanes), fl = lanesFor(s.f, lanes);
  for (Func f : {wf.input, wf.rows, wf.padded}) {
    std::vector<Var> v = f.args();
    f.compute_at(part, rbi).vectorize(v[0], cl, TailStrategy::GuardWithIf);
  }
  for (Func f : {wf.grad, wf.gradRows}) {
    std::vector<Var> v = f.args();
    f.compute_at(part, rbi).vectorize(v[0], fl, TailStrategy::GuardWithIf).unroll(v[1]);
  }
  // Stored by point, the tiles inside: the register tiles of a point sum over the
  // tiles, which are then a row of channels apart (256 bytes for cnn's dy) instead of
  // all the points' (9 KB): cnn's conv2 filter gradient with Adam 3.52-3.63 -> 3.24-3.30
  // ms (`./cnn bench --entry train --batch 64`, two interleaved rounds).
  for (Func f : {wf.grad, wf.input}) {
    std::vector<Var> v = f.args(); // f or c, a, e, tx, ty, b
    f.reorder_storage(v[0], v[3], v[4], v[1], v[2], v[5]);
  }
  std::vector<Var> sv = wf.sums.args(); // f, c, a, e
  wf.sums.compute_root().vectorize(sv[0], lanes, TailStrategy::GuardWithIf);
  wf.sums.update().vectorize(sv[0], lanes, TailStrategy::GuardWithIf);
  // The filter gradient and its epilogue: (f, c, kw, kh), channels in vectors.
  Func o = out.func;
  std::vector<Var> ov = o.args();
  Var par("par");
  o.fuse(ov[2], ov[3], par).parallel(par).vectorize(ov[0], lanes, TailStrategy::GuardWithIf);
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_root();
  for (FuncInfo &acc : k.reductions)
    acc.func.compute_root();
}

} // namespace

void nn::codegen::scheduleWinograd(LoweredKernel &k, const FuncInfo &out,
                                   const TargetInfo &target) {
  if (k.products.size() != 1) // fusion gives a convolution a kernel of its own
    throw Halide::InternalError("a Winograd convolution shares its kernel with another product");
  WinogradFuncs &wf = *k.products.front().winograd;
  if (wf.shape.filterGrad)
    return scheduleFilterGrad(k, out, target, wf);
  const WinogradShape &s = wf.shape;
  int lanes = target.vectorWidth;
  Func o = out.func;
  std::vector<Var> ov = o.args(); // f, x, y, b
  // A batch below WinogradShape::directBelow: the direct lowering's convolution, in a
  // specialization made before the loops below (which it would inherit). Halide
  // computes the stages of each side only in its own specialization.
  if (k.direct) {
    if (k.direct->products.size() != 1)
      throw Halide::InternalError("a Winograd kernel's direct lowering has several products");
    scheduleConvolution(*k.direct, out, o.specialize(k.smallBatch), target);
  }
  // Tasks: a row of m x m tiles of one image; inside, per tile, its m^2 outputs per
  // vector of channels (At M A inlined into the epilogue).
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), par("par");
  o.split(ov[2], yo, yi, s.m, TailStrategy::GuardWithIf)
      .split(ov[1], xo, xi, s.m, TailStrategy::GuardWithIf)
      .reorder(ov[0], xi, yi, xo, yo, ov[3])
      .fuse(yo, ov[3], par)
      .parallel(par)
      .vectorize(ov[0], lanes, TailStrategy::GuardWithIf)
      .unroll(xi)
      .unroll(yi);
  // The points' products of the row: register tiles of `vectors` vectors of output
  // channels by `tm` tiles, the input channels outermost inside a tile.
  int vectors = s.f >= 2 * lanes ? 2 : 1;
  int tn = std::min<int>(vectors * lanes, (int)s.f);
  int64_t tiles = (s.outW + s.m - 1) / s.m;
  int tm = tileRows(tiles, maxTileRows(vectors, target.vectorRegisters, 1));
  std::vector<Var> pv = wf.points.args(); // f, a, e, tx, ty, b
  Var fo("fo"), fi("fi"), to("to"), ti("ti");
  TailStrategy fTail = s.f % tn ? TailStrategy::ShiftInwards : TailStrategy::RoundUp;
  wf.points.compute_at(o, par)
      .split(pv[0], fo, fi, tn, fTail)
      .split(pv[3], to, ti, tm, TailStrategy::ShiftInwards)
      .reorder(fi, ti, fo, to, pv[1], pv[2], pv[4], pv[5])
      .vectorize(fi, lanes)
      .unroll(fi)
      .unroll(ti);
  std::vector<Var> tv = wf.tile.args(); // f, tx, a, e, ty, b
  wf.tile.compute_at(wf.points, fo).vectorize(tv[0], lanes).unroll(tv[0]).unroll(tv[1]);
  wf.tile.update()
      .reorder(tv[0], tv[1], wf.rc.x)
      .vectorize(tv[0], lanes)
      .unroll(tv[0])
      .unroll(tv[1]);
  // The input tiles of the row, transformed: channels in vectors, the points unrolled.
  int cl = lanesFor(s.c, lanes), fl = lanesFor(s.f, lanes);
  std::vector<Var> iv = wf.input.args(); // c, a, e, tx, ty, b
  wf.input.compute_at(o, par)
      .vectorize(iv[0], cl, TailStrategy::GuardWithIf)
      .unroll(iv[1])
      .unroll(iv[2]);
  std::vector<Var> rv = wf.rows.args(); // c, a, q, tx, ty, b
  wf.rows.compute_at(o, par).vectorize(rv[0], cl, TailStrategy::GuardWithIf).unroll(rv[1]);
  std::vector<Var> dv = wf.padded.args(); // c, x, y, b
  wf.padded.compute_at(o, par).vectorize(dv[0], cl, TailStrategy::GuardWithIf);
  // The filter's transform once per call, in parallel over the input channels (at one
  // image it is much of the kernel: cnn32's conv2 spent 17 of its 41 us in it, on one
  // thread), each channel's column transform just before its rows'; a parameter's once
  // per parameter key (`filterKey`). The key's generation is the entry's eviction key:
  // the runtime drops a context's entries of the generation it leaves (nnrt::beginRun).
  std::vector<Var> gv = wf.filter.args(); // f, c, a, e
  if (wf.filterKey.defined())
    wf.filter.memoize(Halide::EvictionKey(wf.filterKey >> ParamKeyIndexBits));
  wf.filter.compute_root()
      .reorder(gv[0], gv[2], gv[3], gv[1])
      .vectorize(gv[0], fl)
      .unroll(gv[2])
      .unroll(gv[3])
      .parallel(gv[1]);
  std::vector<Var> cv = wf.cols.args(); // f, c, a, kh
  wf.cols.compute_at(wf.filter, gv[1]).vectorize(cv[0], fl).unroll(cv[2]);
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_root();
  for (FuncInfo &acc : k.reductions)
    acc.func.compute_root();
}
