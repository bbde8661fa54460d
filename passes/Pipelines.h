//===- Pipelines.h - the pass pipeline nnc and nn-opt share -----*- C++ -*-===//
#ifndef NN_PASSES_PIPELINES_H
#define NN_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace nn {

/// Graph-level cleanup after the frontend: inline user functions, refine shapes,
/// canonicalize, CSE. The result is what `nnc --emit=nn-opt` prints.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// Everything before code generation: the graph pipeline, training-step synthesis
/// (autodiff + optimizer updates; with `dataParallel`, also each step's gradient and
/// update entries), cleanup, then kernel formation.
void buildCompilePipeline(mlir::OpPassManager &pm, bool dataParallel = false);

/// Registers the passes and the `nn-graph` / `nn-compile` pipelines for nn-opt.
void registerPassesAndPipelines();

} // namespace nn

#endif // NN_PASSES_PIPELINES_H
