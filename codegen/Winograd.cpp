//===- Winograd.cpp - conv2d as Winograd's minimal filtering F(2x2, r x r) -===//
//
// A stride-1 conv2d with an r x r filter (r = 3 or 5) computes each 2 x 2 output tile
// from an (r+1) x (r+1) input tile with (r+1)^2 multiplications per channel pair instead
// of 4 r^2 (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks"):
//   Y = At [ sum over input channels of (G g Gt) * (Bt d B) ] A
// with g a filter slice, d an input tile and * the elementwise product: for each of
// the (r+1)^2 points a GEMM over the channels. Direct convolution already runs at the
// FMA peak (ScheduleConv.cpp), so only fewer multiplications make it faster: 2.25x
// fewer for 3x3, 2.78x for 5x5, less the transforms. The matrices are Toom-Cook's for
// the points 0, 1, -1 (and 2, -2 for 5x5) and infinity, each row of Bt scaled to
// integers and the row of G divided by the same factor. Chosen by the lowering for CPU
// templates only; the result differs from the direct sum by rounding (3x3: as close to
// a float64 convolution as the direct one; 5x5: about 10x further, docs/design.md).
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include "ir/NNOps.h"
#include "ir/ops/Window.h"

using namespace nn;
using namespace nn::codegen;
using Halide::Expr;
using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

namespace {

/// Toom-Cook matrices of F(2, r): At (2 x n), G (n x r), Bt (n x n), n = r + 1.
struct Matrices {
  std::vector<std::vector<double>> at, g, bt;
};

const Matrices &matrices(int r) {
  static const Matrices f3{
      {{1, 1, 1, 0}, {0, 1, -1, 1}},
      {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
      {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, -1, 0, 1}}};
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
  return r == 3 ? f3 : f5;
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

} // namespace

std::optional<WinogradShape> nn::codegen::winogradShape(mlir::Operation *op) {
  mlir::Value x, filter, result;
  mlir::DenseI64ArrayAttr strideAttr, dilationAttr;
  llvm::StringRef padding;
  bool transposed = false;
  if (auto conv = mlir::dyn_cast<Conv2DOp>(op)) {
    x = conv.getX(), filter = conv.getFilter(), result = conv.getResult();
    strideAttr = conv.getStrideAttr(), dilationAttr = conv.getDilationAttr();
    padding = conv.getPadding();
  } else if (auto convT = mlir::dyn_cast<Conv2DTransposeOp>(op)) {
    x = convT.getX(), filter = convT.getFilter(), result = convT.getResult();
    strideAttr = convT.getStrideAttr(), dilationAttr = convT.getDilationAttr();
    padding = convT.getPadding();
    transposed = true;
  } else {
    return std::nullopt;
  }
  auto xt = mlir::cast<mlir::RankedTensorType>(x.getType());
  auto ft = mlir::cast<mlir::RankedTensorType>(filter.getType());
  auto yt = mlir::cast<mlir::RankedTensorType>(result.getType());
  WinogradShape s;
  s.r = (int)ft.getDimSize(0);
  s.h = xt.getDimSize(1), s.w = xt.getDimSize(2), s.c = xt.getDimSize(3);
  s.f = yt.getDimSize(3), s.outH = yt.getDimSize(1), s.outW = yt.getDimSize(2);
  s.flipped = transposed;
  // Enough channels for the GEMMs of the points, and enough tiles per image, to pay
  // for the transforms (the filter's is per call: at one image, cnn32's 4x4-output
  // conv3 took 0.054 against 0.009 ms direct).
  if ((s.r != 3 && s.r != 5) || ft.getDimSize(1) != s.r || s.c < 16 || s.f < 16 ||
      s.f % 8 || mlir::ShapedType::isDynamic(s.h) || mlir::ShapedType::isDynamic(s.w) ||
      s.outH * s.outW < 64)
    return std::nullopt;
  auto stride = pairAttr(std::nullopt, "", "", strideAttr, {1, 1});
  auto dilation = pairAttr(std::nullopt, "", "", dilationAttr, {1, 1});
  if (!stride || !dilation || (*stride)[0] != 1 || (*stride)[1] != 1 || (*dilation)[0] != 1 ||
      (*dilation)[1] != 1)
    return std::nullopt;
  // The window of the forward conv2d (for a transposed one: of the conv2d whose input
  // gradient it is, from its output_shape to x's spatial size).
  int64_t inH = transposed ? s.outH : s.h, inW = transposed ? s.outW : s.w;
  mlir::FailureOr<WindowAxis> h = windowAxis(std::nullopt, "", inH, s.r, 1, 1, padding);
  mlir::FailureOr<WindowAxis> w = windowAxis(std::nullopt, "", inW, s.r, 1, 1, padding);
  if (mlir::failed(h) || mlir::failed(w))
    return std::nullopt;
  // A transposed convolution at stride 1 is a correlation with the filter flipped,
  // its input padded by r - 1 - padBefore.
  s.padTop = transposed ? s.r - 1 - h->padBefore : h->padBefore;
  s.padLeft = transposed ? s.r - 1 - w->padBefore : w->padBefore;
  return s;
}

Func nn::codegen::lowerWinograd(const WinogradShape &s, const WinogradLoad &input,
                                const WinogradLoad &filter, WinogradFuncs &funcs) {
  const Matrices &m = matrices(s.r);
  Var c("c"), x("x"), y("y"), b("b"), a("a"), e("e"), q("q"), tx("tx"), ty("ty"), f("f"),
      kh("kh");
  int h = (int)s.h, w = (int)s.w;
  // The input with zeros around it (the padding, and past the last tile's end).
  Func padded("wino_padded");
  padded(c, x, y, b) = Halide::select(x >= 0 && x < w && y >= 0 && y < h,
                                      input(c, Halide::clamp(x, 0, w - 1),
                                            Halide::clamp(y, 0, h - 1), b),
                                      0.0f);
  // Bt d B of the tile (tx, ty): first along the columns (a), then the rows (e).
  Func rows("wino_rows");
  rows(c, a, q, tx, ty, b) = byRow(a, m.bt, [&](int p) {
    return padded(c, 2 * tx + p - (int)s.padLeft, 2 * ty + q - (int)s.padTop, b);
  });
  Func in("wino_input");
  in(c, a, e, tx, ty, b) = byRow(e, m.bt, [&](int p) { return rows(c, a, p, tx, ty, b); });
  // G g Gt of each filter slice: along the filter's columns (a), then its rows (e).
  Func cols("wino_filter_cols");
  cols(f, c, a, kh) = byRow(a, m.g, [&](int kw) { return filter(f, c, kw, kh); });
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
  // At M A: output (x, y) is row x % 2 of At along a and row y % 2 along e.
  Func out("wino_conv2d");
  auto along = [&](Expr u, Expr v) {
    return byRow(u, m.at, [&](int pa) {
      return byRow(v, m.at, [&](int pe) { return points(f, pa, pe, x / 2, y / 2, b); });
    });
  };
  out(f, x, y, b) = along(x % 2, y % 2);
  funcs = WinogradFuncs{padded, rows, in, cols, filt, tile, points, rc, s};
  return out;
}

void nn::codegen::scheduleWinograd(LoweredKernel &k, const FuncInfo &out,
                                   const TargetInfo &target) {
  WinogradFuncs &wf = *k.products.front().winograd;
  const WinogradShape &s = wf.shape;
  int lanes = target.vectorWidth;
  Func o = out.func;
  std::vector<Var> ov = o.args(); // f, x, y, b
  // Tasks: a row of 2 x 2 tiles of one image; inside, per tile, its 4 outputs per
  // vector of channels (At M A inlined into the epilogue).
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), par("par");
  o.split(ov[2], yo, yi, 2, TailStrategy::GuardWithIf)
      .split(ov[1], xo, xi, 2, TailStrategy::GuardWithIf)
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
  int64_t tiles = (s.outW + 1) / 2;
  int tm = tileRows(tiles, std::max(1, (target.vectorRegisters - 2 * vectors - 1) / vectors));
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
  int cl = s.c % lanes == 0 ? lanes : std::min(lanes, 8);
  std::vector<Var> iv = wf.input.args(); // c, a, e, tx, ty, b
  wf.input.compute_at(o, par)
      .vectorize(iv[0], cl, TailStrategy::GuardWithIf)
      .unroll(iv[1])
      .unroll(iv[2]);
  std::vector<Var> rv = wf.rows.args(); // c, a, q, tx, ty, b
  wf.rows.compute_at(o, par).vectorize(rv[0], cl, TailStrategy::GuardWithIf).unroll(rv[1]);
  std::vector<Var> dv = wf.padded.args(); // c, x, y, b
  wf.padded.compute_at(o, par).vectorize(dv[0], cl, TailStrategy::GuardWithIf);
  // The filter's transform once per call.
  std::vector<Var> gv = wf.filter.args(); // f, c, a, e
  int fl = s.f % lanes == 0 ? lanes : 8;
  wf.filter.compute_root().vectorize(gv[0], fl).unroll(gv[2]).unroll(gv[3]);
  std::vector<Var> cv = wf.cols.args(); // f, c, a, kh
  wf.cols.compute_root().vectorize(cv[0], fl).unroll(cv[2]);
  for (PrologueInfo &pro : k.prologues)
    pro.info.func.compute_root();
  for (FuncInfo &acc : k.reductions)
    acc.func.compute_root();
}
