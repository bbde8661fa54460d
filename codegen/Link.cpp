//===- Link.cpp - run cc, c++, ld and ar ----------------------------------===//
#include "codegen/Link.h"
#include "codegen/Config.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

using namespace nn::codegen;

namespace {

llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// Runs `tool` with `args` (its standard input from the file `input`, if given); a
/// failure carries the tool's stderr.
llvm::Error run(llvm::StringRef tool, llvm::ArrayRef<std::string> args, const TempDir &tmp,
                std::optional<llvm::StringRef> input = std::nullopt) {
  auto program = llvm::sys::findProgramByName(tool);
  if (!program)
    return error("cannot find '" + tool + "' on PATH (needed to build the output)");
  std::vector<llvm::StringRef> argv{*program};
  for (const std::string &a : args)
    argv.push_back(a);
  std::string errFile = tmp.file(tool.str() + ".stderr");
  std::optional<llvm::StringRef> redirects[] = {input, std::nullopt,
                                                llvm::StringRef(errFile)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*program, argv, std::nullopt, redirects, 0, 0,
                                     &message);
  if (rc == 0)
    return llvm::Error::success();
  std::string stderrText;
  if (auto buf = llvm::MemoryBuffer::getFile(errFile))
    stderrText = (*buf)->getBuffer().trim().str();
  std::string cmd = llvm::join(argv, " ");
  return error("'" + tool + "' failed" +
               (rc < 0 ? " (" + message + ")" : " with exit code " + std::to_string(rc)) +
               ": " + cmd + (stderrText.empty() ? "" : "\n" + stderrText));
}

bool exists(const llvm::Twine &p) { return llvm::sys::fs::exists(p); }

} // namespace

llvm::Expected<TempDir> TempDir::create(bool keep) {
  llvm::SmallString<128> path;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("nnc", path))
    return llvm::createStringError(ec, "cannot create a temporary directory: %s",
                                   ec.message().c_str());
  return TempDir(path.str().str(), keep);
}

TempDir::~TempDir() {
  if (dir.empty())
    return;
  if (keep)
    llvm::errs() << "nnc: temporary files kept in " << dir << "\n";
  else
    llvm::sys::fs::remove_directories(dir);
}

std::string TempDir::file(llvm::StringRef name) const {
  llvm::SmallString<128> p(dir);
  llvm::sys::path::append(p, name);
  return p.str().str();
}

/// The directory of the running nnc executable ("" if unknown).
static std::string executableDir() {
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  return exe.empty() ? "" : llvm::sys::path::parent_path(exe).str();
}

llvm::Expected<RuntimePaths> nn::codegen::findRuntime() {
  RuntimePaths rt;
  if (auto dir = llvm::sys::Process::GetEnv("NNC_RUNTIME_DIR")) {
    rt.includeDir = *dir + "/include";
    rt.libDir = exists(*dir + "/lib/libnnrt.a") ? *dir + "/lib" : *dir;
  } else if (std::string bin = executableDir(); !bin.empty()) {
    // <prefix>/bin/nnc beside <prefix>/include and <prefix>/<libdir>: installed, or the
    // build tree (which mirrors the install layout).
    std::string prefix = llvm::sys::path::parent_path(bin).str();
    rt = {prefix + "/" + NNC_INSTALL_INCLUDEDIR, prefix + "/" + NNC_INSTALL_LIBDIR};
  } else {
    return error("cannot find the runtime: the nnc executable's path is unknown (set "
                 "NNC_RUNTIME_DIR)");
  }
  if (!exists(rt.includeDir + "/nnrt/model.h"))
    return error("cannot find the runtime headers: no nnrt/model.h in '" + rt.includeDir +
                 "' (set NNC_RUNTIME_DIR)");
  return rt;
}

llvm::Error nn::codegen::compileC(llvm::StringRef source, llvm::StringRef object,
                                  const RuntimePaths &rt, const TempDir &tmp) {
  // The source from standard input: a compiler with AddressSanitizer writes the path it
  // compiled into the object (its globals' descriptions; -ffile-prefix-map does not
  // reach them), and the temporary directory's name is random, so an executable linked
  // from it differed from compile to compile (test/e2e/reproducible.test in the
  // sanitizer build, whose `cc` is clang with -fsanitize).
  return run("cc", {"-O2", "-x", "c", "-c", "-", "-o", object.str(), "-I" + rt.includeDir},
             tmp, source);
}

llvm::Error nn::codegen::linkExecutable(llvm::ArrayRef<std::string> objects,
                                        llvm::StringRef output, const RuntimePaths &rt,
                                        const TempDir &tmp) {
  for (const char *lib : {"libnnrt_main.a", "libnnrt.a"})
    if (!exists(rt.libDir + "/" + lib))
      return error("cannot find the runtime library '" + rt.libDir + "/" + lib +
                   "' (build the nnrt targets or set NNC_RUNTIME_DIR)");
  std::vector<std::string> args{"-o", output.str()};
  args.insert(args.end(), objects.begin(), objects.end());
  for (const char *a : {"/libnnrt_main.a", "/libnnrt.a"})
    args.push_back(rt.libDir + a);
  // libnnrt_main writes PNG sample grids with libpng.
  for (const char *a : {"-lpng", "-lpthread", "-ldl", "-lm", "-lz"})
    args.push_back(a);
  // What else libnnrt_main needs (MPI when the runtime was built with it): one linker
  // argument a line in <libdir>/nnrt_main.link, written by the runtime's build.
  if (auto link = llvm::MemoryBuffer::getFile(rt.libDir + "/nnrt_main.link")) {
    llvm::SmallVector<llvm::StringRef> lines;
    (*link)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef line : lines)
      if (!line.trim().empty())
        args.push_back(line.trim().str());
  }
  return run("c++", args, tmp);
}

llvm::Error nn::codegen::linkShared(llvm::ArrayRef<std::string> objects,
                                    llvm::StringRef output, llvm::StringRef versionScript,
                                    const RuntimePaths &rt, const TempDir &tmp) {
  if (!exists(rt.libDir + "/libnnrt.a"))
    return error("cannot find the runtime library '" + rt.libDir +
                 "/libnnrt.a' (build the nnrt target or set NNC_RUNTIME_DIR)");
  std::vector<std::string> args{"-shared", "-o", output.str()};
  args.insert(args.end(), objects.begin(), objects.end());
  // Every nnrt_* function, not only those the model's objects call: the C API is the
  // library's interface. The version script keeps everything else local.
  args.push_back("-Wl,--whole-archive");
  args.push_back(rt.libDir + "/libnnrt.a");
  args.push_back("-Wl,--no-whole-archive");
  args.push_back("-Wl,--version-script=" + versionScript.str());
  for (const char *a : {"-lpthread", "-ldl", "-lm", "-lz"})
    args.push_back(a);
  return run("c++", args, tmp);
}

llvm::Error nn::codegen::linkRelocatable(llvm::ArrayRef<std::string> objects,
                                         llvm::StringRef output, const TempDir &tmp) {
  std::vector<std::string> args{"-r", "-o", output.str()};
  args.insert(args.end(), objects.begin(), objects.end());
  return run("ld", args, tmp);
}

llvm::Error nn::codegen::archive(llvm::ArrayRef<std::string> objects,
                                 llvm::StringRef output, const TempDir &tmp) {
  llvm::sys::fs::remove(output);
  std::vector<std::string> args{"rcs", output.str()};
  args.insert(args.end(), objects.begin(), objects.end());
  return run("ar", args, tmp);
}
