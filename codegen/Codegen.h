//===- Codegen.h - nn module -> kernels, model tables, binaries -*- C++ -*-===//
//
// The public entry points of code generation, called by the nnc driver on a module
// that went through nn::buildCompilePipeline. No Halide types here: every Halide call
// lives behind this API and its failures come back as llvm::Error.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_CODEGEN_CODEGEN_H
#define NN_CODEGEN_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace nn::codegen {

struct Options {
  /// host (default), x86-64, x86-64-avx2, x86-64-avx512, host-cuda (see Target.h).
  std::string target = "host";
  /// The file to write: the object, executable, static or shared library.
  std::string outputPath;
  /// For emitLibrary: the C header; empty means `<outputPath without .a>.h`. For
  /// emitShared: the C header, none when empty.
  std::string headerPath;
  /// Empty: nnc's schedule templates; else adams2019, mullapudi2016 or li2018.
  std::string autoschedule;
  /// Convolutions by Winograd's algorithm where it applies (`--conv=auto`, see
  /// Target.h); false: every convolution direct (`--conv=direct`).
  bool winograd = true;
  /// Keep the temporary directory (kernel objects, model table source) and say where.
  bool saveTemps = false;
};

/// --emit=halide: the lowered Halide statement of every kernel, each after a
/// `// kernel <name>` line.
llvm::Error printHalide(mlir::ModuleOp m, const Options &o, llvm::raw_ostream &os);

/// --emit=ptx (CUDA targets): the PTX of every kernel, each after a `//--- <name>.ptx`
/// line (split-file's format: one file per kernel, for ptxas).
llvm::Error printPTX(mlir::ModuleOp m, const Options &o, llvm::raw_ostream &os);

/// --emit=obj: one relocatable object (kernels + Halide runtime + model table, `ld -r`)
/// defining `const nnrt_model <model>_model`.
llvm::Error emitObject(mlir::ModuleOp m, const Options &o);

/// --emit=exe: an executable whose main is nnrt_main (libnnrt_main).
llvm::Error emitExecutable(mlir::ModuleOp m, const Options &o);

/// --emit=lib: a static library `lib<name>.a` with `const nnrt_model *<model>_model_get(void)`
/// and a C header declaring it.
llvm::Error emitLibrary(mlir::ModuleOp m, const Options &o);

/// --emit=shared: a shared library with the model and the whole nnrt C API, exporting
/// `const nnrt_model *<model>_model_get(void)`, `const nnrt_model
/// *nnrt_library_model(void)` (the same model under a fixed name, for loaders such as the
/// Python package) and every `nnrt_*` function; nothing else. Writes the C header too
/// when `headerPath` is set.
llvm::Error emitShared(mlir::ModuleOp m, const Options &o);

} // namespace nn::codegen

#endif // NN_CODEGEN_CODEGEN_H
