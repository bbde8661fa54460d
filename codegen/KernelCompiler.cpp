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

llvm::Error nn::codegen::compileKernel(const KernelSpec &k, const TargetInfo &target,
                                       llvm::StringRef objectPath) {
  return guarded(what(k), [&]() -> llvm::Error {
    auto t = halideTarget(target);
    if (!t)
      return t.takeError();
    LoweredKernel lowered = lowerKernel(k);
    scheduleKernel(lowered, target);
    lowered.pipeline().compile_to({{Halide::OutputFileType::object, objectPath.str()}},
                                  lowered.args, k.symbol, *t);
    return llvm::Error::success();
  });
}

llvm::Error nn::codegen::printKernel(const KernelSpec &k, const TargetInfo &target,
                                     llvm::raw_ostream &os) {
  llvm::SmallString<128> path;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("nnc-kernel", "stmt", path))
    return llvm::createStringError(ec, "cannot create a temporary file: %s",
                                   ec.message().c_str());
  llvm::Error err = guarded(what(k), [&]() -> llvm::Error {
    auto t = halideTarget(target);
    if (!t)
      return t.takeError();
    LoweredKernel lowered = lowerKernel(k);
    scheduleKernel(lowered, target);
    lowered.pipeline().compile_to({{Halide::OutputFileType::stmt, path.str().str()}},
                                  lowered.args, k.symbol, *t);
    return llvm::Error::success();
  });
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
