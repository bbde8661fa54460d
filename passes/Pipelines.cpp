//===- Pipelines.cpp - the pass pipeline nnc and nn-opt share -------------===//
#include "passes/Pipelines.h"
#include "passes/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace nn {

void buildGraphPipeline(OpPassManager &pm) {
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createNNShapeInference());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildCompilePipeline(OpPassManager &pm, bool dataParallel) {
  buildGraphPipeline(pm);
  NNTrainStepOptions trainStep;
  trainStep.dataParallel = dataParallel;
  pm.addPass(createNNTrainStep(trainStep));
  pm.addPass(createNNExpand());
  pm.addPass(createNNDecode());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createNNCausalZeros());
  pm.addNestedPass<func::FuncOp>(createNNFuse());
}

void registerPassesAndPipelines() {
  registerNNPasses();
  PassPipelineRegistration<>("nn-graph", "inline, refine shapes, canonicalize, CSE",
                             buildGraphPipeline);
  PassPipelineRegistration<>("nn-compile",
                             "nn-graph, training steps, composite ops expanded, the decoding entry, causal zeros marked, then fusion into kernels",
                             [](OpPassManager &pm) { buildCompilePipeline(pm); });
}

} // namespace nn
