//===- frontend.cpp - fuzzes the .nn frontend -------------------------------===//
//
// The input is a .nn source file. It goes through the lexer, the parser, Sema and,
// for every model of a file Sema accepts, MLIRGen to a verified nn module, as
// `nnc --emit=nn` does. Any input may be rejected, but only with located
// diagnostics: an error without a file:line:col location, or one that says
// "internal error", aborts (libFuzzer then keeps the input as a crash).
//
//===----------------------------------------------------------------------===//
#include "frontend/MLIRGen.h"
#include "frontend/Sema.h"
#include "ir/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

/// Aborts on a diagnostic the frontend must never produce.
void checkMessage(llvm::StringRef message, bool located) {
  if (located && !message.contains("internal error"))
    return;
  std::fprintf(stderr, "fuzz-frontend: bad diagnostic (%s): %s\n",
               located ? "internal" : "no location", message.str().c_str());
  std::abort();
}

/// One context per 4096 inputs: uniqued attributes (names, locations) accumulate.
std::unique_ptr<mlir::MLIRContext> context;
unsigned contextUses = 0;

mlir::MLIRContext &getContext() {
  if (!context || ++contextUses == 4096) {
    contextUses = 0;
    context = std::make_unique<mlir::MLIRContext>();
    context->loadDialect<nn::NNDialect, mlir::func::FuncDialect>();
    context->getDiagEngine().registerHandler([](mlir::Diagnostic &diag) {
      if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
        checkMessage(diag.str(), llvm::isa<mlir::FileLineColLoc>(diag.getLocation()));
      return mlir::success();
    });
  }
  return *context;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.nn"),
      llvm::SMLoc());
  // Frontend diagnostics go through SourceMgr, which hands them to this handler.
  sourceMgr.setDiagHandler(
      [](const llvm::SMDiagnostic &diag, void *) {
        if (diag.getKind() == llvm::SourceMgr::DK_Error)
          checkMessage(diag.getMessage(), diag.getLoc().isValid() && diag.getLineNo() > 0);
      },
      nullptr);
  std::string diagText;
  llvm::raw_string_ostream diagOut(diagText);
  std::unique_ptr<nnc::ast::Module> module =
      nnc::parseAndCheck(sourceMgr, sourceMgr.getMainFileID(), diagOut);
  if (!module)
    return 0;
  mlir::MLIRContext &ctx = getContext();
  for (const auto &decl : module->getDecls()) {
    const auto *model = llvm::dyn_cast<nnc::ast::ModelDecl>(decl.get());
    if (!model)
      continue;
    mlir::OwningOpRef<mlir::ModuleOp> ir = nnc::mlirGen(ctx, sourceMgr, *module, *model);
    if (ir && mlir::failed(mlir::verify(*ir))) {
      std::fprintf(stderr, "fuzz-frontend: MLIRGen produced a module that does not verify\n");
      std::abort();
    }
  }
  return 0;
}
