//===- KernelCompiler.cpp - Halide pipelines -> objects and statements ----===//
//
// The no-throw boundary of NNCodegenHalide: every Halide error (CompileError,
// RuntimeError, InternalError, all Halide::Error) is caught here and returned as
// llvm::Error, so no exception crosses into code built without exceptions.
// Kernels are compiled concurrently, each in a child process (see compileAll and
// runForked), so that what Halide names is the same from compile to compile.
// The Halide runtime object depends only on the target and the Halide library, so it
// is cached on disk (see runtimeCachePath).
//
//===----------------------------------------------------------------------------===//
#include "codegen/HalideInternal.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/xxhash.h"
#include <cerrno>
#include <cstdio>
#include <dlfcn.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

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

/// A job for runForked: `run` compiles, and on failure sets its argument to the index
/// its error belongs to (the kernel that failed; `first` until then); `name` says what
/// it compiles, for a child that died.
struct Job {
  std::function<llvm::Error(size_t &failed)> run;
  size_t first;
  std::string name;
};

/// Runs `jobs` each in a child process of its own, at most as many at a time as the
/// machine has threads, and returns the index and error of each failed job. Each child
/// is forked from this process as it is after every kernel was lowered, so each job
/// starts from the same Halide state whatever ran beside it: Halide draws the names it
/// makes unique (closures' and GPU kernels' symbols among them) from counters shared by
/// the whole process, 16K of them by a hash of the name, so kernels compiled by threads
/// side by side took each other's counts in whatever order they ran, and the same model
/// compiled twice gave different symbols (W7: 3 of 3 binaries differed;
/// `test/cuda/schedules.test`, which matches GPU kernel names, failed in 3 of 20
/// compiles). A job's error (a Halide error, or the signal that ended it) comes back
/// through a pipe: the index, a newline, the message (at most MaxJobMessage bytes, so
/// that a child never waits on a full pipe while this process waits for it to end).
static std::vector<std::pair<size_t, llvm::Error>> runForked(llvm::ArrayRef<Job> jobs) {
  constexpr size_t MaxJobMessage = 32 * 1024;
  std::vector<std::pair<size_t, llvm::Error>> failures;
  struct Child {
    size_t job;
    int fd; // the read end of the child's pipe
  };
  std::map<pid_t, Child> running;
  size_t width = std::max<size_t>(1, llvm::hardware_concurrency().compute_thread_count());
  auto fail = [&](size_t index, const std::string &message) {
    failures.emplace_back(
        index, llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", message.c_str()));
  };
  auto runHere = [&](size_t j) {
    size_t index = jobs[j].first;
    if (llvm::Error err = jobs[j].run(index))
      failures.emplace_back(index, std::move(err));
  };
  auto reap = [&] {
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno != EINTR) {
      // No child to wait for (reaped elsewhere): the results are lost, not awaited.
      for (auto &[lost, child] : running) {
        close(child.fd);
        fail(jobs[child.job].first, jobs[child.job].name + ": its process was lost");
      }
      running.clear();
      return;
    }
    auto it = running.find(pid);
    if (it == running.end())
      return;
    Child child = it->second;
    running.erase(it);
    std::string body;
    char buf[4096];
    for (ssize_t got; (got = read(child.fd, buf, sizeof(buf))) != 0;)
      if (got > 0)
        body.append(buf, size_t(got));
      else if (errno != EINTR)
        break;
    close(child.fd);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
      return;
    auto [line, message] = llvm::StringRef(body).split('\n');
    const Job &job = jobs[child.job];
    size_t index = job.first;
    if (line.getAsInteger(10, index))
      index = job.first;
    if (WIFSIGNALED(status))
      fail(index, job.name + ": the compiler crashed (signal " +
                      std::to_string(WTERMSIG(status)) + ")");
    else
      fail(index, message.empty() ? job.name + ": failed with status " +
                                        std::to_string(WEXITSTATUS(status))
                                  : message.str());
  };
  llvm::outs().flush();
  llvm::errs().flush();
  std::fflush(nullptr);
  for (size_t j = 0; j < jobs.size(); ++j) {
    while (running.size() >= width)
      reap();
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      runHere(j); // no pipe or process to spare: the job runs here
      continue;
    }
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      size_t index = jobs[j].first;
      int code = 0;
      if (llvm::Error err = jobs[j].run(index)) {
        std::string message =
            std::to_string(index) + "\n" + llvm::toString(std::move(err));
        message.resize(std::min(message.size(), MaxJobMessage));
        for (size_t done = 0; done < message.size();) {
          ssize_t put = write(fds[1], message.data() + done, message.size() - done);
          if (put > 0)
            done += size_t(put);
          else if (errno != EINTR)
            break;
        }
        code = 1;
      }
      std::fflush(nullptr);
      _exit(code); // no destructors or atexit handlers of the parent's state
    }
    close(fds[1]);
    if (pid < 0) {
      close(fds[0]);
      runHere(j);
      continue;
    }
    running.emplace(pid, Child{j, fds[0]});
  }
  while (!running.empty())
    reap();
  return failures;
}

/// Kernels compiled by one child process (runForked): a fork costs milliseconds, since
/// this process holds every kernel's lowered pipeline (W7 with a child per kernel took
/// 12.2-14.2 s to compile against 9.3-10.2 s in threads; eight per child 10.7-12.1). A
/// fixed count, so that which kernels share a child, and with them the names, does not
/// depend on the machine.
constexpr size_t KernelsPerChild = 8;

/// Compiles `kernels[i]` to `outputs[i]` for every i, and runs `extra` (if any) as one
/// more job. With nnc's templates, the kernels are lowered to Halide first, in order,
/// in this process (Halide makes Func names unique process-wide in the order the Funcs
/// are created), then scheduled and compiled side by side, KernelsPerChild consecutive
/// ones in each child process (runForked), so that the names Halide makes while
/// compiling, and with them the symbols and statements, are the same from compile to
/// compile. With an autoscheduler, one kernel after the other in this process (the
/// plugins are not known to be thread-safe, and Adams2019's silenced stderr is
/// process-wide). Returns the first error in kernel order, then `extra`'s.
static llvm::Error compileAll(llvm::ArrayRef<KernelSpec> kernels, const TargetInfo &target,
                              llvm::ArrayRef<Outputs> outputs,
                              const std::function<llvm::Error()> &extra) {
  Halide::Target t = halideTarget(target);
  size_t n = kernels.size();
  std::vector<llvm::Error> errors;
  if (!target.autoscheduler.empty()) {
    for (size_t i = 0; i < n; ++i)
      errors.push_back(compileTo(kernels[i], target, outputs[i]));
    errors.push_back(extra ? extra() : llvm::Error::success());
    return firstError(errors);
  }
  std::vector<LoweredKernel> lowered(n);
  std::vector<char> ok(n, 0);
  for (size_t i = 0; i < n; ++i)
    errors.push_back(guarded(what(kernels[i]), [&]() -> llvm::Error {
      bool templates = target.device == DeviceKind::CPU;
      lowered[i] = lowerKernel(kernels[i], templates ? &target : nullptr);
      ok[i] = 1;
      return llvm::Error::success();
    }));
  errors.push_back(llvm::Error::success()); // extra's
  std::vector<Job> jobs;
  for (size_t begin = 0; begin < n; begin += KernelsPerChild) {
    size_t end = std::min(n, begin + KernelsPerChild);
    auto run = [&, begin, end](size_t &failed) -> llvm::Error {
      for (size_t i = begin; i < end; ++i) {
        if (!ok[i])
          continue;
        llvm::Error err = guarded(what(kernels[i]), [&]() -> llvm::Error {
          scheduleKernel(lowered[i], target);
          lowered[i].pipeline().compile_to(outputs[i], lowered[i].args, kernels[i].symbol, t);
          return llvm::Error::success();
        });
        if (err) {
          failed = i; // later kernels' errors would not be reported (firstError)
          return err;
        }
      }
      return llvm::Error::success();
    };
    jobs.push_back({run, begin,
                    end - begin == 1 ? what(kernels[begin])
                                     : "halide: kernels '" + kernels[begin].symbol +
                                           "' to '" + kernels[end - 1].symbol + "'"});
  }
  if (extra)
    jobs.push_back({[&](size_t &) { return extra(); }, n, "halide: the runtime"});
  for (auto &[index, err] : runForked(jobs)) {
    llvm::consumeError(std::move(errors[index])); // success: the kernel was lowered
    errors[index] = std::move(err);
  }
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
