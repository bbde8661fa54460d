//===- Codegen.cpp - the steps from a compiled module to a binary ---------===//
//
//   1. parse the target;
//   2. plan the entries and write the model tables (PlanEmitter);
//   3. compile every kernel to an object, and one Halide runtime (NNCodegenHalide),
//      concurrently on the available cores;
//   4. compile the tables with cc;
//   5. link: an executable, one relocatable object, a static or a shared library.
//
//===----------------------------------------------------------------------------===//
#include "codegen/Codegen.h"
#include "codegen/HalideLowering.h"
#include "codegen/Link.h"
#include "codegen/PlanEmitter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace nn::codegen;

namespace {

llvm::Error writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                                   ec.message().c_str());
  os << text;
  return llvm::Error::success();
}

/// Whether the plan may write optimizer updates over their parameters: the CPU
/// templates compute such kernels' elements once (KernelSpec::inPlace); the GPU's and
/// the autoschedulers' make no such promise.
bool writesUpdatesInPlace(const TargetInfo &target) {
  return target.device == DeviceKind::CPU && target.autoscheduler.empty();
}

/// Whether a Winograd convolution's transformed filter may be kept across calls
/// (KernelSpec::keyOperand): nnc's CPU templates compute convolutions by Winograd's
/// algorithm.
static bool keysWinogradFilters(const TargetInfo &target) {
  return writesUpdatesInPlace(target) && target.winograd;
}

/// The target that `o` names, with its convolution choice.
static llvm::Expected<TargetInfo> targetOf(const Options &o) {
  auto target = parseTarget(o.target, o.autoschedule);
  if (target)
    target->winograd = o.winograd;
  return target;
}

/// Steps 1-4: every object of the binary, in `tmp`.
llvm::Expected<std::vector<std::string>> buildObjects(mlir::ModuleOp m, const Options &o,
                                                      ModelForm form, const TempDir &tmp,
                                                      const RuntimePaths &rt,
                                                      ModelSource &model) {
  auto target = targetOf(o);
  if (!target)
    return target.takeError();
  auto source = emitModelSource(m, form, writesUpdatesInPlace(*target),
                                keysWinogradFilters(*target));
  if (!source)
    return source.takeError();
  model = std::move(*source);
  std::vector<std::string> objects;
  for (const KernelSpec &k : model.kernels)
    objects.push_back(tmp.file(k.symbol + ".o"));
  std::string runtime = tmp.file("halide_runtime.o");
  if (llvm::Error err = compileObjects(model.kernels, *target, objects, runtime))
    return std::move(err);
  objects.push_back(runtime);
  std::string c = tmp.file(model.symbol + ".model.c");
  objects.push_back(tmp.file(model.symbol + ".model.o"));
  if (llvm::Error err = writeFile(c, model.source))
    return std::move(err);
  if (llvm::Error err = compileC(c, objects.back(), rt, tmp))
    return std::move(err);
  return objects;
}

llvm::Error needOutput(const Options &o) {
  if (o.outputPath.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "no output path given");
  return llvm::Error::success();
}

/// Runs steps 1-4, then `link` on the objects.
template <typename Link>
llvm::Error build(mlir::ModuleOp m, const Options &o, ModelForm form, Link link) {
  if (llvm::Error err = needOutput(o))
    return err;
  auto rt = findRuntime();
  if (!rt)
    return rt.takeError();
  auto tmp = TempDir::create(o.saveTemps);
  if (!tmp)
    return tmp.takeError();
  ModelSource model;
  auto objects = buildObjects(m, o, form, *tmp, *rt, model);
  if (!objects)
    return objects.takeError();
  return link(*objects, *tmp, *rt, model);
}

} // namespace

/// Plans the entries and prints every kernel with `print` (printKernels,
/// printKernelsPTX).
static llvm::Error printEach(mlir::ModuleOp m, const Options &o, llvm::raw_ostream &os,
                             llvm::Error (*print)(llvm::ArrayRef<KernelSpec>,
                                                  const TargetInfo &, llvm::raw_ostream &)) {
  auto target = targetOf(o);
  if (!target)
    return target.takeError();
  auto model = emitModelSource(m, ModelForm::Object, writesUpdatesInPlace(*target),
                               keysWinogradFilters(*target));
  if (!model)
    return model.takeError();
  return print(model->kernels, *target, os);
}

llvm::Error nn::codegen::printHalide(mlir::ModuleOp m, const Options &o,
                                     llvm::raw_ostream &os) {
  return printEach(m, o, os, printKernels);
}

llvm::Error nn::codegen::printPTX(mlir::ModuleOp m, const Options &o,
                                  llvm::raw_ostream &os) {
  return printEach(m, o, os, printKernelsPTX);
}

llvm::Error nn::codegen::emitObject(mlir::ModuleOp m, const Options &o) {
  return build(m, o, ModelForm::Object,
               [&](llvm::ArrayRef<std::string> objects, const TempDir &tmp,
                   const RuntimePaths &, const ModelSource &) {
                 return linkRelocatable(objects, o.outputPath, tmp);
               });
}

llvm::Error nn::codegen::emitExecutable(mlir::ModuleOp m, const Options &o) {
  return build(m, o, ModelForm::Executable,
               [&](llvm::ArrayRef<std::string> objects, const TempDir &tmp,
                   const RuntimePaths &rt, const ModelSource &) {
                 return linkExecutable(objects, o.outputPath, rt, tmp);
               });
}

llvm::Error nn::codegen::emitLibrary(mlir::ModuleOp m, const Options &o) {
  return build(m, o, ModelForm::Library,
               [&](llvm::ArrayRef<std::string> objects, const TempDir &tmp,
                   const RuntimePaths &, const ModelSource &model) -> llvm::Error {
                 if (llvm::Error err = archive(objects, o.outputPath, tmp))
                   return err;
                 std::string header = o.headerPath;
                 if (header.empty()) {
                   llvm::SmallString<128> p(o.outputPath);
                   llvm::sys::path::replace_extension(p, "h");
                   header = p.str().str();
                 }
                 return writeFile(header, model.header);
               });
}

llvm::Error nn::codegen::emitShared(mlir::ModuleOp m, const Options &o) {
  return build(m, o, ModelForm::Library,
               [&](llvm::ArrayRef<std::string> objects, const TempDir &tmp,
                   const RuntimePaths &rt, const ModelSource &model) -> llvm::Error {
                 // The model under a fixed name, so that a loader needs no model name.
                 std::string c = tmp.file("nnrt_library_model.c");
                 std::string get = model.symbol + "_model_get";
                 if (llvm::Error err = writeFile(
                         c, "#include \"nnrt/model.h\"\n"
                            "const nnrt_model *" + get + "(void);\n"
                            "const nnrt_model *nnrt_library_model(void) { return " +
                            get + "(); }\n"))
                   return err;
                 std::vector<std::string> all(objects.begin(), objects.end());
                 all.push_back(tmp.file("nnrt_library_model.o"));
                 if (llvm::Error err = compileC(c, all.back(), rt, tmp))
                   return err;
                 std::string script = tmp.file("exports.map");
                 if (llvm::Error err = writeFile(script, "{\n  global: nnrt_*; " + get +
                                                             ";\n  local: *;\n};\n"))
                   return err;
                 if (llvm::Error err = linkShared(all, o.outputPath, script, rt, tmp))
                   return err;
                 return o.headerPath.empty() ? llvm::Error::success()
                                             : writeFile(o.headerPath, model.header);
               });
}
