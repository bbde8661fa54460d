//===- KernelCompiler.cpp - Halide pipelines -> objects and statements ----===//
//
// The no-throw boundary of NNCodegenHalide: every Halide error (CompileError,
// RuntimeError, InternalError, all Halide::Error) is caught here and returned as
// llvm::Error, so no exception crosses into code built without exceptions.
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include <map>

using namespace nn::codegen;

namespace {

llvm::Error halideError(llvm::StringRef what, llvm::StringRef message) {
  llvm::StringRef msg = llvm::StringRef(message).trim();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: %s",
                                 what.str().c_str(), msg.str().c_str());
}

/// Runs `fn`, turning Halide (and other C++) exceptions into an llvm::Error.
template <typename Fn>
llvm::Error guarded(llvm::StringRef what, Fn &&fn) {
  try {
    return fn();
  } catch (const Halide::Error &e) {
    return halideError(what, e.what());
  } catch (const std::exception &e) {
    return halideError(what, e.what());
  }
}

llvm::Expected<Halide::Target> halideTarget(const TargetInfo &target) {
  if (target.device == DeviceKind::CUDA)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "code generation for target '%s' is not supported yet",
                                   target.name.c_str());
  return Halide::Target(target.halideTarget).with_feature(Halide::Target::NoRuntime);
}

std::string what(const KernelSpec &k) { return "halide: kernel '" + k.symbol + "'"; }

} // namespace

/// Lowers, schedules and compiles `k` to `outputs`. With an autoscheduler, a kernel
/// whose autoscheduled pipeline Halide cannot compile (Li2018's atomic predicated
/// stores, say) falls back to nnc's template, with a warning.
static llvm::Error compileTo(const KernelSpec &k, const TargetInfo &target,
                             const std::map<Halide::OutputFileType, std::string> &outputs) {
  auto t = halideTarget(target);
  if (!t)
    return t.takeError();
  auto build = [&](bool autoschedule) {
    return guarded(what(k), [&]() -> llvm::Error {
      LoweredKernel lowered = lowerKernel(k);
      if (autoschedule)
        autoscheduleKernel(lowered, target, *t);
      else
        scheduleKernel(lowered, target);
      lowered.pipeline().compile_to(outputs, lowered.args, k.symbol, *t);
      return llvm::Error::success();
    });
  };
  if (target.autoscheduler.empty())
    return build(false);
  llvm::Error err = build(true);
  if (!err)
    return err;
  llvm::errs() << "nnc: warning: kernel '" << k.symbol << "': the " << target.autoscheduler
               << " schedule does not compile (" << llvm::toString(std::move(err))
               << "); using nnc's schedule\n";
  return build(false);
}

llvm::Error nn::codegen::compileKernel(const KernelSpec &k, const TargetInfo &target,
                                       llvm::StringRef objectPath) {
  return compileTo(k, target, {{Halide::OutputFileType::object, objectPath.str()}});
}

llvm::Error nn::codegen::printKernel(const KernelSpec &k, const TargetInfo &target,
                                     llvm::raw_ostream &os) {
  llvm::SmallString<128> path;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("nnc-kernel", "stmt", path))
    return llvm::createStringError(ec, "cannot create a temporary file: %s",
                                   ec.message().c_str());
  llvm::Error err =
      compileTo(k, target, {{Halide::OutputFileType::stmt, path.str().str()}});
  if (!err) {
    auto text = llvm::MemoryBuffer::getFile(path);
    if (!text)
      err = llvm::createStringError(text.getError(), "cannot read '%s'", path.c_str());
    else
      os << "// kernel " << k.symbol << "\n" << (*text)->getBuffer() << "\n";
  }
  llvm::sys::fs::remove(path);
  return err;
}

llvm::Error nn::codegen::compileRuntime(const TargetInfo &target,
                                       llvm::StringRef objectPath) {
  return guarded("halide: runtime", [&]() -> llvm::Error {
    Halide::Target t(target.halideTarget);
    Halide::compile_standalone_runtime(objectPath.str(), t);
    return llvm::Error::success();
  });
}
