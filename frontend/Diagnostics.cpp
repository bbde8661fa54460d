//===- Diagnostics.cpp - Frontend diagnostic engine -----------------------===//

#include "frontend/Diagnostics.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace nnc;

bool DiagnosticEngine::error(llvm::SMLoc loc, const llvm::Twine &message) {
  lastErrorDropped = !reported.emplace(loc.getPointer(), message.str()).second;
  if (lastErrorDropped)
    return false;
  ++numErrors;
  lastErrorDropped = numErrors > kMaxErrors;
  if (lastErrorDropped)
    return false;
  sourceMgr.PrintMessage(os, loc, llvm::SourceMgr::DK_Error, message);
  if (numErrors == kMaxErrors)
    os << "error: too many errors emitted, stopping now\n";
  return false;
}

void DiagnosticEngine::note(llvm::SMLoc loc, const llvm::Twine &message) {
  if (lastErrorDropped)
    return;
  sourceMgr.PrintMessage(os, loc, llvm::SourceMgr::DK_Note, message);
}
