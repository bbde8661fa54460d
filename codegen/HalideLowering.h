//===- HalideLowering.h - the Halide boundary of code generation -*- C++ -*-===//
//
// What the rest of the compiler may ask of Halide: compile one kernel to an object,
// print its lowered statement, compile the one Halide runtime of a binary. No Halide
// types: these functions catch every Halide error and return llvm::Error.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_CODEGEN_HALIDELOWERING_H
#define NN_CODEGEN_HALIDELOWERING_H

#include "codegen/Target.h"
#include "ir/NNOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace nn::codegen {

/// One kernel of a binary: an nn.kernel op, or (when `op` is null) a copy of a tensor of
/// `copyRank` dims and dtype `copyDtype` (an nnrt_dtype), used for entry outputs that
/// are not fresh kernel results. `symbol` is the C name of the generated function;
/// its `<symbol>_argv` entry point takes the inputs then the outputs.
struct KernelSpec {
  std::string symbol;
  nn::KernelOp op;
  int copyDtype = 0;
  int copyRank = 0;
  /// The plan gives some result the buffer of an operand (an optimizer's update of a
  /// weight, written over the weight: PlanEmitter's canOverwrite), so the schedule must
  /// compute every result element once, after reading the operands at that element
  /// only (scheduleGemm's staged epilogue in strips that divide the rows).
  bool inPlace = false;
  /// The operand whose parameter keys what the kernel keeps across calls: a Winograd
  /// convolution's filter that every call passes a parameter for (PlanEmitter), whose
  /// transform is then computed once per parameter generation, not per call. The
  /// kernel takes that key, a uint64_t, after its operands (nnrt_step.key_arg). -1: none.
  int keyOperand = -1;
};

/// The bits of a parameter key below its generation (mirrors nnrt/model.h's
/// NNRT_PARAM_KEY_INDEX_BITS; the compiler does not include runtime headers): a kept
/// value's eviction key is `key >> ParamKeyIndexBits`.
constexpr int ParamKeyIndexBits = 24;

/// Compiles every kernel for `target` (without the Halide runtime) into the object at
/// the same index of `objectPaths`, and the Halide runtime into `runtimePath` (see
/// compileRuntime), concurrently on the available cores. Returns the first error, in
/// kernel order.
llvm::Error compileObjects(llvm::ArrayRef<KernelSpec> kernels, const TargetInfo &target,
                           llvm::ArrayRef<std::string> objectPaths,
                           llvm::StringRef runtimePath);

/// Prints the lowered Halide statement of every kernel, in order, each after a
/// `// kernel <symbol>` line.
llvm::Error printKernels(llvm::ArrayRef<KernelSpec> kernels, const TargetInfo &target,
                         llvm::raw_ostream &os);

/// Prints the PTX module of every kernel (a CUDA target), in order, each after a
/// `//--- <symbol>.ptx` line: the input format of LLVM's split-file, which writes one
/// file per kernel for ptxas.
llvm::Error printKernelsPTX(llvm::ArrayRef<KernelSpec> kernels, const TargetInfo &target,
                            llvm::raw_ostream &os);

/// Compiles the Halide runtime for `target` into `objectPath` (one per binary), or
/// copies it from nnc's cache ($NNC_CACHE_DIR, else $XDG_CACHE_HOME/nnc, else
/// ~/.cache/nnc; NNC_CACHE_DIR set but empty: no cache).
llvm::Error compileRuntime(const TargetInfo &target, llvm::StringRef objectPath);

} // namespace nn::codegen

#endif // NN_CODEGEN_HALIDELOWERING_H
