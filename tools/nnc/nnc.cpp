//===- nnc.cpp - the nnc compiler driver ----------------------------------===//
//
// nnc model.nn [-o out] [--emit=ACTION] [--target=T] [--model=NAME]
//
// Actions are ordered, as in MLIR's Toy tutorial: each one runs the stages before it.
//   ast     the checked AST              nn-opt  after the pass pipeline
//   nn      the nn dialect (frontend)    halide  Halide statements per kernel
//   ptx     PTX per kernel (CUDA)
//   obj     one relocatable object       exe     a native executable (default)
//   lib     a static library + C header   shared  a shared library (the C API)
// Input may also be a `.mlir` module of the nn dialect (any action from nn-opt on).
// --fusion-report[=FILE] and --fusion-dot=FILE describe the kernel partition.
//
//===----------------------------------------------------------------------------===//
#include "codegen/Codegen.h"
#include "frontend/MLIRGen.h"
#include "frontend/Sema.h"
#include "ir/NNDialect.h"
#include "passes/FusionReport.h"
#include "passes/Pipelines.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/thread.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;
using namespace mlir;

namespace {
enum Action {
  EmitAST,
  EmitNN,
  EmitNNOpt,
  EmitHalide,
  EmitPTX,
  EmitObj,
  EmitExe,
  EmitLib,
  EmitShared
};

cl::OptionCategory category("nnc options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.nn | module.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: from the input "
                                              "name; '-' for stdout on text actions)"),
                                cl::value_desc("path"), cl::cat(category));
cl::opt<Action> emitAction(
    "emit", cl::desc("What to produce"), cl::init(EmitExe), cl::cat(category),
    cl::values(clEnumValN(EmitAST, "ast", "the checked AST"),
               clEnumValN(EmitNN, "nn", "the nn dialect after the frontend"),
               clEnumValN(EmitNNOpt, "nn-opt", "the nn dialect after the pass pipeline"),
               clEnumValN(EmitHalide, "halide", "Halide lowered statements per kernel"),
               clEnumValN(EmitPTX, "ptx",
                          "the PTX of every kernel (--target=host-cuda), in split-file's "
                          "format"),
               clEnumValN(EmitObj, "obj", "one relocatable object file"),
               clEnumValN(EmitExe, "exe", "a native executable (default)"),
               clEnumValN(EmitLib, "lib", "a static library and a C header"),
               clEnumValN(EmitShared, "shared",
                          "a shared library with the model and the nnrt C API")));
cl::opt<std::string> target("target",
                            cl::desc("Code generation target: host (default), x86-64, "
                                     "x86-64-avx2, x86-64-avx512, host-cuda (NVIDIA GPUs, sm_80 "
                                     "PTX)"),
                            cl::init("host"), cl::cat(category));
cl::opt<std::string> autoschedule(
    "autoschedule",
    cl::desc("Schedule kernels with a Halide 14 autoscheduler instead of nnc's "
             "templates: adams2019, mullapudi2016, li2018"),
    cl::value_desc("name"), cl::cat(category));
enum ConvAlgorithm { ConvAuto, ConvDirect };
cl::opt<ConvAlgorithm> convAlgorithm(
    "conv", cl::desc("How convolutions are computed (CPU)"), cl::init(ConvAuto),
    cl::values(clEnumValN(ConvAuto, "auto",
                          "Winograd's F(4x4, 3x3) and F(2x2, 5x5) for stride-1 3x3 and 5x5 "
                          "convolutions (and their input and filter gradients) with 16 "
                          "channels in and out and 64 output positions or more (a "
                          "parameter as filter transformed once per change of the "
                          "parameters; with another filter, direct for batches too small "
                          "to pay for its transform, chosen per call), else direct "
                          "(default)"),
               clEnumValN(ConvDirect, "direct", "every convolution direct")),
    cl::cat(category));
cl::opt<std::string> modelName("model",
                               cl::desc("Model to compile when the file has several "
                                        "(default: the last one)"),
                               cl::cat(category));
cl::opt<std::string> headerFile("header",
                                cl::desc("C header path for --emit=lib and --emit=shared"),
                                cl::value_desc("path"), cl::cat(category));
cl::opt<bool> saveTemps("save-temps", cl::desc("Keep intermediate files"),
                        cl::cat(category));
cl::opt<bool> dataParallel(
    "data-parallel",
    cl::desc("Also compile each training step's gradient and update entries, which "
             "`train` runs under mpirun to train on several processes (docs/runtime.md)"),
    cl::cat(category));

cl::opt<std::string> fusionReport(
    "fusion-report", cl::ValueOptional,
    cl::desc("Write the kernels, their ops and source lines, and why each boundary "
             "exists (to stdout, or to the given file; with --emit=nn-opt or a compiled "
             "output)"),
    cl::value_desc("path"), cl::cat(category));
cl::opt<std::string> fusionDot("fusion-dot",
                               cl::desc("Write the kernel graph as a Graphviz file (as "
                                        "--fusion-report)"),
                               cl::value_desc("path"), cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "nnc") << message << "\n";
  return 1;
}

bool isMLIRInput() { return llvm::StringRef(inputFile).ends_with(".mlir"); }

/// The default output path for a binary action: the input's stem in the current dir.
std::string defaultOutput() {
  std::string stem = llvm::sys::path::stem(inputFile).str();
  switch (emitAction) {
  case EmitObj:
    return stem + ".o";
  case EmitLib:
    return "lib" + stem + ".a";
  case EmitShared:
    return "lib" + stem + ".so";
  default:
    return stem;
  }
}

/// Fails unless the directory of output `path` exists and is writable: checked before
/// the compile, which can take seconds, rather than when the linker or the writer opens
/// the file ('-' and empty, stdout, pass).
int checkOutputDir(llvm::StringRef path, llvm::StringRef what) {
  if (path.empty() || path == "-")
    return 0;
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  if (dir.empty())
    dir = ".";
  if (!llvm::sys::fs::is_directory(dir))
    return fail("cannot write " + what + " '" + path + "': no directory '" + dir + "'");
  if (llvm::sys::fs::access(dir, llvm::sys::fs::AccessMode::Write))
    return fail("cannot write " + what + " '" + path + "': directory '" + dir +
                "' is not writable");
  return 0;
}

/// Writes `print`'s text to `path` ('-' or empty: stdout); the file is kept only when
/// `print` succeeds (it reports its own errors). Returns the exit status.
int writeTo(llvm::StringRef path, llvm::function_ref<bool(llvm::raw_ostream &)> print) {
  std::string error;
  auto file = openOutputFile(path.empty() ? "-" : path, &error);
  if (!file)
    return fail(error);
  if (!print(file->os()))
    return 1;
  file->keep();
  return 0;
}

/// --emit=ast: parses and checks the .nn file and writes its AST. Returns the status.
int emitAST(llvm::SourceMgr &sourceMgr) {
  // The AST of the whole file, all of it checked.
  auto ast = nnc::parseAndCheck(sourceMgr, sourceMgr.getMainFileID(), llvm::errs());
  if (!ast)
    return 1;
  return writeTo(outputFile, [&](llvm::raw_ostream &os) {
    nnc::ast::dumpAST(*ast, os);
    return true;
  });
}

/// Parses and checks the .nn file, then lowers the selected model. Null on error
/// (diagnostics printed).
OwningOpRef<ModuleOp> loadNN(MLIRContext &context, llvm::SourceMgr &sourceMgr) {
  auto ast = nnc::parseAndCheck(sourceMgr, sourceMgr.getMainFileID(), llvm::errs(),
                                modelName);
  if (!ast)
    return nullptr;
  const nnc::ast::ModelDecl *model =
      modelName.empty() ? ast->getLastModel() : ast->lookupModel(modelName);
  if (!model) {
    fail("no model named '" + modelName + "' in '" + inputFile + "'");
    return nullptr;
  }
  return nnc::mlirGen(context, sourceMgr, *ast, *model);
}


/// The --fusion-report and --fusion-dot outputs, after the pass pipeline.
int writeFusionReports(ModuleOp module) {
  if (fusionReport.getNumOccurrences())
    if (int rc = writeTo(fusionReport, [&](llvm::raw_ostream &os) {
          nn::printFusionReport(module, os);
          return true;
        }))
      return rc;
  if (fusionDot.getNumOccurrences())
    return writeTo(fusionDot, [&](llvm::raw_ostream &os) {
      nn::printFusionDot(module, os);
      return true;
    });
  return 0;
}

int runCodegen(ModuleOp module) {
  nn::codegen::Options options;
  options.target = target;
  options.autoschedule = autoschedule;
  options.winograd = convAlgorithm != ConvDirect;
  options.outputPath = outputFile.empty() ? defaultOutput() : outputFile.getValue();
  options.headerPath = headerFile;
  options.saveTemps = saveTemps;
  llvm::Error err = llvm::Error::success();
  switch (emitAction) {
  case EmitHalide:
  case EmitPTX:
    return writeTo(outputFile, [&](llvm::raw_ostream &os) {
      llvm::Error e = emitAction == EmitPTX ? nn::codegen::printPTX(module, options, os)
                                            : nn::codegen::printHalide(module, options, os);
      if (e) {
        fail(llvm::toString(std::move(e)));
        return false;
      }
      return true;
    });
  case EmitObj:
    err = nn::codegen::emitObject(module, options);
    break;
  case EmitExe:
    err = nn::codegen::emitExecutable(module, options);
    break;
  case EmitLib:
    err = nn::codegen::emitLibrary(module, options);
    break;
  case EmitShared:
    err = nn::codegen::emitShared(module, options);
    break;
  default:
    break;
  }
  if (err) {
    std::string message = llvm::toString(std::move(err));
    return fail(message);
  }
  return 0;
}

/// The stack of the thread that compiles: the frontend's walks recurse once per let,
/// call and expression level, up to MLIRGen's kMaxGenDepth (100,000) levels of at most
/// a few KiB each; later stages recurse over the same chains. Reserved, not committed.
constexpr unsigned kCompileStackBytes = 1u << 30;

int compile();

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "nnc " NNC_VERSION " (LLVM " LLVM_VERSION_STRING ", Halide 14)\n";
  });
  cl::ParseCommandLineOptions(argc, argv, "nnc: compile .nn neural-network models\n");
  int status = 1;
  llvm::thread worker(std::optional<unsigned>(kCompileStackBytes),
                      [&] { status = compile(); });
  worker.join();
  return status;
}

namespace {

int compile() {
  bool binary = emitAction == EmitObj || emitAction == EmitExe || emitAction == EmitLib ||
                emitAction == EmitShared;
  if (int rc = checkOutputDir(binary && outputFile.empty() ? defaultOutput()
                                                           : outputFile.getValue(),
                              "the output"))
    return rc;
  if (int rc = checkOutputDir(headerFile, "the header"))
    return rc;
  // The reports describe the kernels, which fusion makes after --emit=ast and =nn.
  bool reports = fusionReport.getNumOccurrences() || fusionDot.getNumOccurrences();
  if (reports && (emitAction == EmitAST || emitAction == EmitNN))
    return fail("--fusion-report and --fusion-dot describe the kernels: they need "
                "--emit=nn-opt or a compiled output, not --emit=" +
                llvm::StringRef(emitAction == EmitAST ? "ast" : "nn"));
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/true);
  if (std::error_code ec = file.getError())
    return fail("cannot open '" + inputFile + "': " + ec.message());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());

  DialectRegistry registry;
  registry.insert<nn::NNDialect, func::FuncDialect>();
  func::registerInlinerExtension(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // A verifier error names the construct at its location; the op's IR means nothing
  // to the author of a .nn file.
  context.printOpOnDiagnostic(false);
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  OwningOpRef<ModuleOp> module;
  if (isMLIRInput()) {
    if (emitAction == EmitAST)
      return fail("--emit=ast needs a .nn input");
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  } else {
    if (emitAction == EmitAST)
      return emitAST(sourceMgr);
    module = loadNN(context, sourceMgr);
  }
  if (!module)
    return 1;

  auto print = [&](ModuleOp m) {
    return writeTo(outputFile, [&](llvm::raw_ostream &os) {
      m.print(os, OpPrintingFlags().enableDebugInfo(false));
      os << "\n";
      return true;
    });
  };
  if (emitAction == EmitNN)
    return print(*module);

  // The pipeline is idempotent, so .mlir input that already went through it is fine.
  PassManager pm(&context);
  nn::buildCompilePipeline(pm, dataParallel);
  if (failed(pm.run(*module)))
    return 1;
  if (int rc = writeFusionReports(*module))
    return rc;
  if (emitAction == EmitNNOpt)
    return print(*module);
  return runCodegen(*module);
}

} // namespace
