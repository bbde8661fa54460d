//===- Target.h - code generation targets -----------------------*- C++ -*-===//
//
// `--target=` names and what they mean for Halide, without Halide types: the Halide
// target is carried as its string form and parsed again inside NNCodegenHalide.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_CODEGEN_TARGET_H
#define NN_CODEGEN_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>

namespace nn::codegen {

/// Where kernels run; schedules are chosen per device kind.
enum class DeviceKind { CPU, CUDA };

struct TargetInfo {
  std::string name;         ///< as given on the command line, e.g. "host"
  std::string halideTarget; ///< Halide target string, e.g. "x86-64-linux-avx-avx2-..."
  DeviceKind device = DeviceKind::CPU;
  int vectorWidth = 4;      ///< CPU: f32 lanes of the target's widest vector unit
  int vectorRegisters = 16; ///< CPU: architectural vector registers of that width
  int warpSize = 0;          ///< CUDA: threads per warp (32)
  int sharedMemoryBytes = 0; ///< CUDA: shared memory a block may use (48 KiB)
  int computeCapability = 0; ///< CUDA: the PTX's sm_ version (80)
  /// Empty: nnc's schedule templates. Else one of autoschedulerNames(): every kernel is
  /// scheduled by that Halide 14 autoscheduler instead.
  std::string autoscheduler;
  /// nnc's CPU templates: stride-1 3x3 and 5x5 convolutions with enough channels by
  /// Winograd's algorithm (Winograd.cpp); false: every convolution direct (--conv=direct).
  bool winograd = true;
};

/// The names `--autoschedule=` accepts: adams2019, mullapudi2016, li2018.
llvm::ArrayRef<llvm::StringRef> autoschedulerNames();

/// The names `--target=` accepts.
llvm::ArrayRef<llvm::StringRef> targetNames();

/// Parses a `--target=` name; unknown names give an error listing the valid ones.
/// `autoscheduler` (may be empty) is checked against autoschedulerNames().
llvm::Expected<TargetInfo> parseTarget(llvm::StringRef name,
                                       llvm::StringRef autoscheduler = "");

} // namespace nn::codegen

#endif // NN_CODEGEN_TARGET_H
