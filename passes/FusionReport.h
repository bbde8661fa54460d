//===- FusionReport.h - what nn-fuse did, for people ------------*- C++ -*-===//
//
// Reads a module after nn-fuse: per entry, every kernel with its ops and their .nn
// source locations, its inputs with the reason each boundary exists (the kernel's
// `nn.fusion` dictionary), and where its results go. As text, and as a Graphviz graph
// with kernels as nodes and tensors as edges.
//
//===----------------------------------------------------------------------------===//
#ifndef NN_PASSES_FUSIONREPORT_H
#define NN_PASSES_FUSIONREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace nn {

/// Writes the text report of every function of `module` that contains kernels.
void printFusionReport(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Writes the kernel graph of `module` as a Graphviz digraph, one cluster per entry.
void printFusionDot(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace nn

#endif // NN_PASSES_FUSIONREPORT_H
