//===- HalideInternal.h - lowered kernels (NNCodegenHalide only) -*- C++ -*-===//
//
// Shared by the sources of NNCodegenHalide (built with exceptions and RTTI); never
// include it elsewhere. Functions here may throw Halide::Error.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_CODEGEN_HALIDEINTERNAL_H
#define NN_CODEGEN_HALIDEINTERNAL_H

#include "codegen/HalideLowering.h"
#include "ir/ops/WinogradShape.h"
#include "Halide.h"
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace mlir {
class Operation;
}

namespace nn::codegen {

/// How a kernel is scheduled, decided from the ops it contains (Attention: fusion's
/// choice, passes/Fuse.cpp's mergeAttention).
enum class KernelClass { Elementwise, Reduction, Gemm, Attention };

struct WinogradFuncs;

/// An nn-level tensor inside a pipeline: dims in nn order; `shape` holds -1 for
/// dynamic dims (their extent is then only known through `extents`).
struct FuncInfo {
  FuncInfo() = default;
  FuncInfo(Halide::Func func, std::vector<int64_t> shape, std::vector<int> reducedDims = {},
           bool keepdims = false, Halide::RDom rdom = {}, Halide::Func rhs = {})
      : func(std::move(func)), shape(std::move(shape)), reducedDims(std::move(reducedDims)),
        keepdims(keepdims), rdom(std::move(rdom)), rhs(std::move(rhs)) {}
  Halide::Func func;
  std::vector<int64_t> shape;
  std::vector<int> reducedDims; ///< reductions: nn dims of the operand that are reduced;
                                ///< scatters: the result's scattered nn dims
  bool keepdims = false;
  Halide::RDom rdom; ///< reductions and products: the reduction domain
  /// products: the Func the product reads its rhs through, (n, k) in Halide order; an
  /// identity wrapper, inlined unless the schedule packs it into panels
  Halide::Func rhs;
  /// products with an rhs Func: the Func the product reads its lhs through, (k, m,
  /// batch...) in Halide order, when the lhs has the rhs's rank; inlined unless the
  /// schedule stages it
  Halide::Func lhs;
  /// products: the operands read with a fill value outside their extents (zero
  /// padding), as Funcs over the operand's whole plane; inlined unless the schedule
  /// stages them
  std::vector<Halide::Func> padded;
  /// per padded Func: whether its outermost dim is read at the result's outermost index
  /// (a convolution of one image: it can be staged per output tile)
  std::vector<bool> paddedPerImage;
  /// products of a convolution not summed over the batch: the filter, read through an
  /// identity Func over the operand's whole extent; inlined unless the schedule stages it
  std::vector<Halide::Func> filters;
  /// products: the reduction var that every operand reads its outermost dim at (a
  /// filter gradient sums over the batch), or -1
  int batchRVar = -1;
  /// products: compute::Computation::phases (nn order; empty: none). The Func then has
  /// two args per phased dim, Halide order (..., q, p, ...): position = q s + p.
  std::vector<int64_t> phases;
  /// products: a conv2d computed by Winograd's algorithm (Winograd.cpp): `func` is its
  /// output transform, pure, and these are the stages before it; null otherwise
  std::shared_ptr<WinogradFuncs> winograd;
};

/// The stages of a Winograd convolution (Halide order of args in comments).
struct WinogradFuncs {
  Halide::Func padded; ///< (c, x, y, b): the input, zero outside (a padded operand)
  Halide::Func rows;   ///< (c, a, q, tx, ty, b): Bt applied along each tile's columns
  Halide::Func input;  ///< (c, a, e, tx, ty, b): Bt d B per tile and channel
  Halide::Func cols;   ///< (f, c, a, kh): G applied along the filter's columns
  Halide::Func filter; ///< (f, c, a, e): G g Gt per channel pair
  Halide::Func tile;   ///< (f, tx, a, e, ty, b): a point's products, summed over `rc`
  Halide::Func points; ///< (f, a, e, tx, ty, b): `tile`, stored for the output transform
  Halide::RDom rc;     ///< the input channels
  WinogradShape shape;
  /// The filter's parameter key (lowerWinograd's `filterKey`), when `filter` is kept
  /// across calls in Halide's memoization cache; undefined otherwise.
  Halide::Expr filterKey;
  // A filter gradient's stages instead of cols, filter, tile and points:
  Halide::Func gradRows; ///< (f, a, v, tx, ty, b): A applied along dy's m x m tiles' columns
  Halide::Func grad;     ///< (f, a, e, tx, ty, b): A dy At per tile
  Halide::Func sums;     ///< (f, c, a, e): per point, the products summed over `rt`
  Halide::RDom rt;       ///< the tiles (tx, ty) and images
};

/// The filter read at a Halide-ordered index (f, c, kw, kh); a filter gradient's dy at
/// (f, x, y, b), zero outside.
using WinogradLoad = std::function<Halide::Expr(Halide::Expr, Halide::Expr, Halide::Expr,
                                                Halide::Expr)>;

/// The convolution of shape `s` over `padded` (the input (c, x, y, b), zero outside)
/// and `filter` (a filter gradient's dy), `batch` images, by Winograd's F(m x m, r x r):
/// returns the result Func, (f, x, y, b) or for a filter gradient (f, c, kw, kh), pure;
/// `funcs` gets the stages for the schedule. A defined `filterKey` (the filter's
/// parameter key, KernelSpec::keyOperand) keys the filter's transform in Halide's
/// memoization cache: computed once per key, not per call.
Halide::Func lowerWinograd(const WinogradShape &s, Halide::Func padded,
                           const WinogradLoad &filter, Halide::Expr batch,
                           WinogradFuncs &funcs, Halide::Expr filterKey = Halide::Expr());

/// A matmul operand computed inside the kernel (passes/Fuse.cpp's prologues).
struct PrologueInfo {
  FuncInfo info;
  int operand;        ///< 0: lhs (rows of the product), 1: rhs
  int64_t contracted; ///< size of the contracted dim, -1 when dynamic
  size_t product;     ///< the index in LoweredKernel::products of the product it feeds
};

/// A kernel as a Halide pipeline plus what schedules need to know about it.
struct LoweredKernel {
  KernelClass kind = KernelClass::Elementwise;
  std::vector<Halide::Argument> args;  ///< inputs, in kernel operand order
  std::vector<Halide::ImageParam> inputs; ///< the same inputs (for autoscheduler estimates)
  std::vector<FuncInfo> outputs;       ///< one per kernel result
  std::vector<FuncInfo> reductions;    ///< reduce_* accumulators (pure init + update)
  std::vector<FuncInfo> products;      ///< matmul accumulators: (n, m, batch...) += ...
  /// scatter-adds: a zero init and an update whose RDom walks the terms in order,
  /// storing at a clamped data-dependent position (`rdom` holds the RDom)
  std::vector<FuncInfo> scatters;
  std::vector<PrologueInfo> prologues; ///< matmul operands computed in the kernel
  bool inPlace = false;                ///< KernelSpec::inPlace
  /// A Winograd convolution over a dynamic batch (WinogradShape::directBelow): whether
  /// a call's batch is below it. Each output is then select(smallBatch, the kernel
  /// with direct convolutions, Winograd's), `direct` that lowering (its products,
  /// padded operands, ...) for the specialization of the small batches
  /// (scheduleWinograd); undefined and null otherwise.
  Halide::Expr smallBatch;
  std::shared_ptr<LoweredKernel> direct;
  Halide::Pipeline pipeline() const;
};

/// Builds the (unscheduled) pipeline of `k`. `templates`: the target when nnc's CPU
/// schedules will schedule it (null for an autoscheduler or the GPU). For them, a
/// reduction that reads a kernel result reads that output's buffer instead of
/// recomputing the value (their reads stay inside the buffer: an autoscheduler may
/// vectorize past a small output's end, and the GPU schedules do not place the
/// accumulators it frees); with the target's `winograd`, convolutions that
/// winogradShape accepts are computed by Winograd's algorithm (scheduleWinograd); an
/// attention kernel's weighted sum skips the terms that are zero for every row of its
/// register tile (attentionRows). Throws Halide::Error; reports unsupported ops as
/// Halide::InternalError.
LoweredKernel lowerKernel(const KernelSpec &k, const TargetInfo *templates);

/// Applies the schedule of the kernel's class for `target` (CPU templates, or
/// scheduleKernelGPU for a CUDA target).
void scheduleKernel(LoweredKernel &k, const TargetInfo &target);

/// The schedule of a kernel whose product is a Winograd convolution (Winograd.cpp).
void scheduleWinograd(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target);

/// In a GEMM kernel, the output over the product's domain (fusion packs the whole
/// epilogue into it); none for other kernels.
std::optional<size_t> gemmOutput(const LoweredKernel &k);

/// Whether consecutive columns of a product's rhs are adjacent in memory, so that a
/// vector of them is one load (false for a transposed rhs: a gather per vector).
bool rhsContiguous(const FuncInfo &prod);

/// The rows of a register tile over a dim of static extent `extent`: as many as the
/// registers allow (`maxRows`), preferring a divisor of the extent not below half that,
/// else the fewest tiles that cover the extent, of as even a size as possible.
int tileRows(int64_t extent, int maxRows);

/// The schedule of an attention kernel (ScheduleAttention.cpp): scores, a row-local
/// softmax and the weighted sum, per batch element. False, scheduling nothing, for a
/// kernel of another form (it then takes the generic schedule).
bool scheduleAttention(LoweredKernel &k, const TargetInfo &target);

/// The rows of an attention kernel's register tiles over a product of `rows` x `cols`
/// (scheduleAttention): the scores' and the weighted sum's.
int attentionRows(int64_t rows, int64_t cols, const TargetInfo &target);

/// Whether causal attention's rows of `keys` keys stop at their diagonal's vector on
/// `target` (HalideLowering's `skip_above` and `lhs_lower` zeros, ScheduleAttention's
/// scores): whole vectors, at least two (with one, or a partial one, there is nothing
/// to skip, and the row reductions are not in vector lanes).
inline bool causalRowsInVectors(int64_t keys, const TargetInfo &target) {
  return keys > 0 && keys % target.vectorWidth == 0 && keys >= 2 * target.vectorWidth;
}

/// The multiply-adds of a call from which it runs in parallel (below, one thread
/// finishes before the pool's threads would start; a dynamic size decides per call).
constexpr int64_t ParallelMultiplyAdds = 1 << 20;

/// Largest register tile height for `products` products of `vectors` vectors per row
/// with `registers` vector registers (Schedules.cpp).
int maxTileRows(int vectors, int registers, int products);

/// Whether a reduction domain has a predicate: terms it skips (a product's `lhs_lower`,
/// a row reduction's `skip_above`).
bool skipsTerms(const Halide::RDom &r);

/// Vectorizes a reduction: along its operand's rows when it sums whole vectors of a
/// row, else along its innermost pure dim (Schedules.cpp).
void vectorizeReduction(const FuncInfo &acc, int width);

/// Fuses the loops `v[from..]` of `s` (outermost last) into one, named `<prefix><d>`;
/// returns it (`v[from]` itself when it is the only one).
Halide::Var fuseOuter(Halide::Stage s, const std::vector<Halide::Var> &v, size_t from,
                      const std::string &prefix);

/// The register tile of a product computed at a tile of its consumer: columns in
/// vectors of `lanes`, rows unrolled, the contracted dim outermost (each element sums
/// its terms in order).
void tileInRegisters(const FuncInfo &prod, int lanes,
                     Halide::TailStrategy tail = Halide::TailStrategy::Auto);

/// The pure value of `f` at `args` (its definition with its args substituted): a call
/// of `f` inlined by hand.
Halide::Expr valueAt(const Halide::Internal::Function &f, const std::vector<Halide::Expr> &args);

/// Whether `f`'s definition makes a call of `type` (Image: loads an input buffer;
/// PureExtern: calls a math function such as exp).
bool definitionCalls(const Halide::Internal::Function &f,
                     Halide::Internal::Call::CallType type);

/// Rewrites `consumer` to read through `wrapper` (an identity Func over an operand,
/// which the schedule stages) only where `staged` holds, and the operand in place (the
/// wrapper's definition) elsewhere: with `staged` a specialization's condition, Halide
/// drops the other branch of the select in each specialization, and a wrapper no branch
/// calls is never computed (Schedules.cpp). An undefined `staged`: the operand in place
/// everywhere (a Func made from a specialization, which must not call the wrapper).
void readInPlaceUnless(Halide::Func consumer, Halide::Func wrapper,
                       Halide::Expr staged = Halide::Expr());

/// The CUDA schedule templates (ScheduleGPU.cpp).
void scheduleKernelGPU(LoweredKernel &k, const TargetInfo &target);

/// The schedule of a kernel whose product has a reduction of several dims (a
/// convolution: kh, kw, channels) and whose main output is `out` (ScheduleConv.cpp).
void scheduleConvolution(LoweredKernel &k, const FuncInfo &out, const TargetInfo &target);
/// The same for `k`, a direct lowering of a Winograd kernel, in `stage`, a
/// specialization of `out`'s Func (LoweredKernel::smallBatch): `out`'s loops there, its
/// producers computed at them.
void scheduleConvolution(LoweredKernel &k, const FuncInfo &out, Halide::Stage stage,
                         const TargetInfo &target);
/// The CPU schedule of a direct convolution whose result (or its epilogue's) only a max
/// pool in the same kernel reads (passes/Fuse.cpp's poolsConvolution): the pool's tiles,
/// each computing the convolution's register tiles under its windows (ScheduleConv.cpp).
void schedulePooledConvolution(LoweredKernel &k, const FuncInfo &out,
                               const TargetInfo &target);

/// Schedules the kernel with `target.autoscheduler` (a Halide 14 plugin), after giving
/// every input and output estimates: static dims as they are, dynamic dims
/// `kAutoscheduleBatchEstimate`. That estimate is 1: the plugins tile a dim to its
/// estimate with ShiftInwards, which reads before the buffer when the actual batch is
/// smaller (a last partial batch), so nnc keeps them from tiling the batch.
void autoscheduleKernel(LoweredKernel &k, const TargetInfo &target,
                        const Halide::Target &halideTarget);
constexpr int kAutoscheduleBatchEstimate = 1;

} // namespace nn::codegen

#endif // NN_CODEGEN_HALIDEINTERNAL_H
