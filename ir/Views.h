//===- Views.h - values that share another value's buffer -------*- C++ -*-===//
//
// Between kernels, some ops move no data: they describe their operand's buffer anew.
// nn.reshape is always such a view (same bytes, dense, other dims). nn-fuse also leaves
// split_heads and merge_heads between kernels, marked kViewAttr, when they can be
// strided views (docs/design.md, "Views"):
//   split_heads(x): [..., S, H*D] -> [..., H, S, D] reads x's buffer with the strides
//     of the heads order (D: 1, S: H*D, H: D);
//   merge_heads(o): [..., H, S, D] -> [..., S, H*D] is dense when the kernel computing o
//     wrote o in that order: o's buffer is the merged value's, with those strides.
// A kernel reads and writes its operands and results with the strides bufferStrides
// gives, recorded on the kernel (kStridesAttr) so that codegen and the plan agree.
//
//===----------------------------------------------------------------------===//
#ifndef NN_IR_VIEWS_H
#define NN_IR_VIEWS_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

namespace nn {

class KernelOp;

/// The unit attribute nn-fuse puts on a split_heads or merge_heads it leaves between
/// kernels as a view.
inline constexpr llvm::StringLiteral kViewAttr = "nn.view";
/// A kernel's strides: an array with one entry per input, then per result, each the
/// element strides of that buffer (outermost dim first; empty: dense row-major). Absent
/// when every buffer is dense.
inline constexpr llvm::StringLiteral kStridesAttr = "nn.strides";

/// Whether `op` describes its operand's buffer anew instead of computing: nn.reshape,
/// or a split_heads or merge_heads marked kViewAttr.
bool isBufferView(mlir::Operation *op);

/// The element strides of the buffer holding `v` (outermost dim first), or empty when
/// it is dense row-major: a split_heads view's, and those of a value a merge_heads view
/// reads (written in the merged order).
llvm::SmallVector<int64_t> bufferStrides(mlir::Value v);

/// Records bufferStrides of `kernel`'s inputs and results on it (kStridesAttr), or
/// removes the record when they are all dense.
void recordStrides(KernelOp kernel);

/// The strides recorded for `kernel`'s buffer `i` (its inputs, then its results);
/// empty when dense.
llvm::SmallVector<int64_t> recordedStrides(KernelOp kernel, unsigned i);

} // namespace nn

#endif // NN_IR_VIEWS_H
