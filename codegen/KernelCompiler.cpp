//===- KernelCompiler.cpp - Halide pipelines -> objects and statements ----===//
//
// The no-throw boundary of NNCodegenHalide: every Halide error (CompileError,
// RuntimeError, InternalError, all Halide::Error) is caught here and returned as
// llvm::Error, so no exception crosses into code built without exceptions.
// Kernels are compiled concurrently (see compileAll): the Halide compiler is
// thread-safe for distinct pipelines.
// The Halide runtime object depends only on the target and the Halide library, so it
// is cached on disk (see runtimeCachePath).
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/xxhash.h"
#include <dlfcn.h>
#include <functional>
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

/// The target kernels are compiled for: without the Halide runtime (one per binary,
/// compileRuntime).
Halide::Target halideTarget(const TargetInfo &target) {
  return Halide::Target(target.halideTarget).with_feature(Halide::Target::NoRuntime);
}

std::string what(const KernelSpec &k) { return "halide: kernel '" + k.symbol + "'"; }

} // namespace

/// Lowers, schedules and compiles `k` to `outputs`. With an autoscheduler, a kernel
/// whose autoscheduled pipeline Halide cannot compile (Li2018's atomic predicated
/// stores, say) falls back to nnc's template, with a warning.
static llvm::Error compileTo(const KernelSpec &k, const TargetInfo &target,
                             const std::map<Halide::OutputFileType, std::string> &outputs) {
  Halide::Target t = halideTarget(target);
  auto build = [&](bool autoschedule) {
    return guarded(what(k), [&]() -> llvm::Error {
      bool templates = !autoschedule && target.device == DeviceKind::CPU;
      LoweredKernel lowered = lowerKernel(k, templates ? &target : nullptr);
      if (autoschedule)
        autoscheduleKernel(lowered, target, t);
      else
        scheduleKernel(lowered, target);
      lowered.pipeline().compile_to(outputs, lowered.args, k.symbol, t);
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

using Outputs = std::map<Halide::OutputFileType, std::string>;

/// Returns the first failure of `errors` (in order), consuming the others.
static llvm::Error firstError(std::vector<llvm::Error> &errors) {
  llvm::Error first = llvm::Error::success();
  for (llvm::Error &err : errors) {
    if (!err)
      continue;
    if (first)
      llvm::consumeError(std::move(err));
    else
      first = std::move(err);
  }
  return first;
}

/// Compiles `kernels[i]` to `outputs[i]` for every i, and runs `extra` (if any) as one
/// more job. With nnc's templates, the kernels are lowered to Halide first, in order,
/// on this thread, then scheduled and compiled concurrently on the available cores:
/// Halide makes Func names unique process-wide in the order the Funcs are created,
/// so names (and statements) are those of a serial compile. With an autoscheduler,
/// one kernel after the other (the plugins are not known to be thread-safe, and
/// Adams2019's silenced stderr is process-wide). Returns the first error in kernel
/// order, then `extra`'s.
static llvm::Error compileAll(llvm::ArrayRef<KernelSpec> kernels, const TargetInfo &target,
                              llvm::ArrayRef<Outputs> outputs,
                              const std::function<llvm::Error()> &extra) {
  Halide::Target t = halideTarget(target);
  size_t n = kernels.size();
  std::vector<llvm::Error> errors;
  for (size_t i = 0; i <= n; ++i)
    errors.push_back(llvm::Error::success());
  auto runExtra = [&] {
    if (extra)
      errors[n] = extra();
  };
  if (!target.autoscheduler.empty()) {
    for (size_t i = 0; i < n; ++i)
      errors[i] = compileTo(kernels[i], target, outputs[i]);
    runExtra();
    return firstError(errors);
  }
  std::vector<LoweredKernel> lowered(n);
  std::vector<char> ok(n, 0);
  for (size_t i = 0; i < n; ++i)
    errors[i] = guarded(what(kernels[i]), [&]() -> llvm::Error {
      bool templates = target.device == DeviceKind::CPU;
      lowered[i] = lowerKernel(kernels[i], templates ? &target : nullptr);
      ok[i] = 1;
      return llvm::Error::success();
    });
  llvm::parallelFor(0, n + 1, [&](size_t i) {
    if (i == n)
      return runExtra();
    if (!ok[i])
      return;
    errors[i] = guarded(what(kernels[i]), [&]() -> llvm::Error {
      scheduleKernel(lowered[i], target);
      lowered[i].pipeline().compile_to(outputs[i], lowered[i].args, kernels[i].symbol, t);
      return llvm::Error::success();
    });
  });
  return firstError(errors);
}

llvm::Error nn::codegen::compileObjects(llvm::ArrayRef<KernelSpec> kernels,
                                        const TargetInfo &target,
                                        llvm::ArrayRef<std::string> objectPaths,
                                        llvm::StringRef runtimePath) {
  std::vector<Outputs> outputs;
  for (const std::string &path : objectPaths)
    outputs.push_back({{Halide::OutputFileType::object, path}});
  return compileAll(kernels, target, outputs,
                    [&] { return compileRuntime(target, runtimePath); });
}

/// Compiles every kernel to a temporary file of `type`, then calls `print` with each
/// kernel and its file's contents, in order.
static llvm::Error
printEach(llvm::ArrayRef<KernelSpec> kernels, const TargetInfo &target,
          Halide::OutputFileType type, llvm::StringRef suffix,
          llvm::function_ref<llvm::Error(const KernelSpec &, llvm::StringRef)> print) {
  std::vector<Outputs> outputs;
  std::vector<std::string> paths;
  llvm::Error err = llvm::Error::success();
  for (size_t i = 0; i < kernels.size() && !err; ++i) {
    llvm::SmallString<128> path;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("nnc-kernel", suffix, path))
      err = llvm::createStringError(ec, "cannot create a temporary file: %s",
                                    ec.message().c_str());
    paths.push_back(path.str().str());
    outputs.push_back({{type, paths.back()}});
  }
  if (!err)
    err = compileAll(kernels, target, outputs, nullptr);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!err) {
      auto text = llvm::MemoryBuffer::getFile(paths[i]);
      if (!text)
        err = llvm::createStringError(text.getError(), "cannot read '%s'", paths[i].c_str());
      else
        err = print(kernels[i], (*text)->getBuffer());
    }
    llvm::sys::fs::remove(paths[i]);
  }
  return err;
}

llvm::Error nn::codegen::printKernels(llvm::ArrayRef<KernelSpec> kernels,
                                      const TargetInfo &target, llvm::raw_ostream &os) {
  return printEach(kernels, target, Halide::OutputFileType::stmt, "stmt",
                   [&](const KernelSpec &k, llvm::StringRef text) {
                     os << "// kernel " << k.symbol << "\n" << text << "\n";
                     return llvm::Error::success();
                   });
}

/// Halide 14 embeds a kernel's PTX in the host object as a NUL-terminated string (a
/// private constant, so no symbol names it); LLVM's NVPTX back end starts it with
/// this comment.
static constexpr llvm::StringLiteral PTXHeader = "//\n// Generated by LLVM NVPTX Back-End";

llvm::Error nn::codegen::printKernelsPTX(llvm::ArrayRef<KernelSpec> kernels,
                                         const TargetInfo &target, llvm::raw_ostream &os) {
  if (target.device != DeviceKind::CUDA)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--emit=ptx needs a CUDA target (--target=host-cuda), "
                                   "not '%s'",
                                   target.name.c_str());
  return printEach(
      kernels, target, Halide::OutputFileType::object, "o",
      [&](const KernelSpec &k, llvm::StringRef object) -> llvm::Error {
        size_t start = object.find(PTXHeader);
        if (start == llvm::StringRef::npos) {
          // Every loop of the kernel runs on the host: no PTX file (the comment goes
          // to the end of the previous one).
          os << "// kernel " << k.symbol << ": no device code\n";
          return llvm::Error::success();
        }
        llvm::StringRef ptx = object.substr(start);
        os << "//--- " << k.symbol << ".ptx\n" << ptx.substr(0, ptx.find('\0')) << "\n";
        return llvm::Error::success();
      });
}

/// Where the Halide runtime for `target` is cached, or "" for no cache: in
/// $NNC_CACHE_DIR (set but empty: no cache), else $XDG_CACHE_HOME/nnc, else
/// ~/.cache/nnc. The name hashes the target and the identity (path, size, time) of the
/// loaded Halide library, so a new Halide build never reuses an old runtime.
static std::string runtimeCachePath(const TargetInfo &target) {
  llvm::SmallString<128> dir;
  if (std::optional<std::string> env = llvm::sys::Process::GetEnv("NNC_CACHE_DIR")) {
    dir = *env;
  } else if (std::optional<std::string> xdg = llvm::sys::Process::GetEnv("XDG_CACHE_HOME");
             xdg && !xdg->empty()) {
    llvm::sys::path::append(dir, *xdg, "nnc");
  } else if (std::optional<std::string> home = llvm::sys::Process::GetEnv("HOME");
             home && !home->empty()) {
    llvm::sys::path::append(dir, *home, ".cache", "nnc");
  }
  Dl_info info;
  llvm::sys::fs::file_status lib;
  if (dir.empty() ||
      !dladdr(reinterpret_cast<void *>(&Halide::get_host_target), &info) ||
      !info.dli_fname || llvm::sys::fs::status(info.dli_fname, lib))
    return "";
  std::string key = "nnc-runtime-v1|" + target.halideTarget + "|" + info.dli_fname + "|" +
                    std::to_string(lib.getSize()) + "|" +
                    std::to_string(lib.getLastModificationTime().time_since_epoch().count());
  llvm::sys::path::append(dir, "halide-runtime-" + llvm::utohexstr(llvm::xxh3_64bits(key)) +
                                   ".o");
  return dir.str().str();
}

llvm::Error nn::codegen::compileRuntime(const TargetInfo &target,
                                       llvm::StringRef objectPath) {
  std::string cached = runtimeCachePath(target);
  if (!cached.empty() && !llvm::sys::fs::copy_file(cached, objectPath))
    return llvm::Error::success();
  llvm::Error err = guarded("halide: runtime", [&]() -> llvm::Error {
    Halide::Target t(target.halideTarget);
    Halide::compile_standalone_runtime(objectPath.str(), t);
    return llvm::Error::success();
  });
  if (err || cached.empty())
    return err;
  // Publish atomically (a unique temporary file, then a rename), so concurrent nnc
  // processes never see a partial object; a cache that cannot be written is no error.
  llvm::SmallString<128> tmp;
  if (llvm::sys::fs::create_directories(llvm::sys::path::parent_path(cached)) ||
      llvm::sys::fs::createUniqueFile(cached + ".%%%%%%.tmp", tmp))
    return llvm::Error::success();
  if (llvm::sys::fs::copy_file(objectPath, tmp) || llvm::sys::fs::rename(tmp, cached))
    llvm::sys::fs::remove(tmp);
  return llvm::Error::success();
}
