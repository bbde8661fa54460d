//===- PlanEmitter.h - the nnrt_model tables of a module --------*- C++ -*-===//
//
// Plans every entry of a compiled module (slots, kernel calls, outputs) and writes the
// plan as C source defining the `nnrt_model` that libnnrt interprets (nnrt/model.h).
//
//===----------------------------------------------------------------------------===//
#ifndef NN_CODEGEN_PLANEMITTER_H
#define NN_CODEGEN_PLANEMITTER_H

#include "codegen/HalideLowering.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace nn::codegen {

/// What the model source defines besides the `<symbol>_model` table.
enum class ModelForm {
  Object,     ///< the table only
  Executable, ///< plus `main` calling nnrt_main
  Library     ///< plus `<symbol>_model_get` (declared in `header`)
};

struct ModelSource {
  std::string symbol;              ///< C identifier of the model (from nn.model)
  std::vector<KernelSpec> kernels; ///< every kernel the tables call
  std::string source;              ///< the `.model.c` text
  std::string header;              ///< for ModelForm::Library: the C header
};

/// Plans `module` (after nn::buildCompilePipeline) and writes its model tables. With
/// `inPlaceUpdates` (a CPU target with nnc's schedules), an optimizer's update of a
/// weight computed in a matmul's staged epilogue is written over the weight itself
/// (KernelSpec::inPlace) instead of into an output the runtime copies back. With
/// `winogradFilters` (nnc's CPU schedules computing convolutions by Winograd's
/// algorithm), a kernel whose Winograd convolution's filter is a parameter at every
/// call takes that parameter's key (KernelSpec::keyOperand).
llvm::Expected<ModelSource> emitModelSource(mlir::ModuleOp module, ModelForm form,
                                            bool inPlaceUpdates = false,
                                            bool winogradFilters = false);

} // namespace nn::codegen

#endif // NN_CODEGEN_PLANEMITTER_H
