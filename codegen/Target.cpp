//===- Target.cpp - `--target=` names -> Halide targets -------------------===//
#include "codegen/Target.h"
#include "Halide.h"
#include "llvm/ADT/StringExtras.h"

using namespace nn::codegen;

namespace {
const llvm::StringRef Names[] = {"host", "x86-64", "x86-64-avx2", "x86-64-avx512", "host-cuda"};
const llvm::StringRef Autoschedulers[] = {"adams2019", "mullapudi2016", "li2018"};

/// Vector registers of a CPU target's widest unit: 32 zmm with AVX-512, else 16
/// (ymm with AVX/AVX2, xmm with SSE).
int vectorRegistersOf(const Halide::Target &t) {
  return t.has_feature(Halide::Target::AVX512) ||
                 t.has_feature(Halide::Target::AVX512_Skylake)
             ? 32
             : 16;
}

/// Natural f32 vector width of a CPU target.
int vectorWidthOf(const Halide::Target &t) {
  if (t.has_feature(Halide::Target::AVX512) ||
      t.has_feature(Halide::Target::AVX512_Skylake))
    return 16;
  if (t.has_feature(Halide::Target::AVX2) || t.has_feature(Halide::Target::AVX))
    return 8;
  return 4;
}
} // namespace

llvm::ArrayRef<llvm::StringRef> nn::codegen::targetNames() { return Names; }

llvm::ArrayRef<llvm::StringRef> nn::codegen::autoschedulerNames() { return Autoschedulers; }

llvm::Expected<TargetInfo> nn::codegen::parseTarget(llvm::StringRef name,
                                                    llvm::StringRef autoscheduler) {
  if (!autoscheduler.empty() && !llvm::is_contained(Autoschedulers, autoscheduler))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unknown autoscheduler '%s' (valid: %s)",
                                   autoscheduler.str().c_str(),
                                   llvm::join(autoschedulerNames(), ", ").c_str());
  Halide::Target t;
  DeviceKind device = DeviceKind::CPU;
  try {
    if (name == "host") {
      t = Halide::get_host_target();
    } else if (name == "x86-64") {
      t = Halide::Target("x86-64-linux");
    } else if (name == "x86-64-avx2") {
      t = Halide::Target("x86-64-linux-avx-avx2-f16c-fma-sse41");
    } else if (name == "x86-64-avx512") {
      t = Halide::Target("x86-64-linux-avx-avx2-f16c-fma-sse41-avx512-avx512_skylake");
    } else if (name == "host-cuda") {
      // Halide 14 knows capabilities up to 86; sm_80 PTX runs on later GPUs (Hopper)
      // through the driver's JIT compiler.
      t = Halide::get_host_target()
              .with_feature(Halide::Target::CUDA)
              .with_feature(Halide::Target::CUDACapability80);
      device = DeviceKind::CUDA;
    } else {
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(), "unknown target '%s' (valid targets: %s)",
          name.str().c_str(), llvm::join(targetNames(), ", ").c_str());
    }
  } catch (const Halide::Error &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "invalid target '%s': %s", name.str().c_str(),
                                   e.what());
  }
  TargetInfo info;
  info.name = name.str();
  info.halideTarget = t.to_string();
  info.device = device;
  info.vectorWidth = vectorWidthOf(t);
  info.vectorRegisters = vectorRegistersOf(t);
  info.autoscheduler = autoscheduler.str();
  if (device == DeviceKind::CUDA) {
    info.warpSize = 32;
    info.sharedMemoryBytes = 48 * 1024;
    info.computeCapability = 80;
  }
  return info;
}
