//===- MLIRGen.h - lower the checked AST to the nn dialect ------*- C++ -*-===//
//
// MLIRGen turns one model of a Sema-checked .nn module into an MLIR module: `nn.input`
// and `nn.variable` declarations, and one function per entry point (`infer`). Shapes
// are checked here, by building every op through its type inference at the source
// location of the expression; errors are reported as MLIR diagnostics at those
// locations (the driver prints them with the source line and a caret).
//
//===----------------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_MLIRGEN_H
#define NNC_FRONTEND_MLIRGEN_H

#include "frontend/AST.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace nnc {

/// Lowers `model` of `module`. Returns null after emitting a diagnostic.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context,
                                          llvm::SourceMgr &sourceMgr,
                                          const ast::Module &module,
                                          const ast::ModelDecl &model);

} // namespace nnc

#endif // NNC_FRONTEND_MLIRGEN_H
