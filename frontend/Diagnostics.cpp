//===- Diagnostics.cpp - Frontend diagnostic engine -----------------------===//

#include "frontend/Diagnostics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace nnc;

void DiagnosticEngine::print(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
                             const llvm::Twine &message) {
  llvm::SMDiagnostic d = sourceMgr.GetMessage(loc, kind, message);
  // Control bytes but those the lexer takes as spaces (tab, CR, FF, VT).
  auto control = [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && !llvm::StringRef("\t\r\f\v").contains(c)) || u == 0x7f;
  };
  std::string line = d.getLineContents().str();
  if (llvm::none_of(line, control))
    return sourceMgr.PrintMessage(os, d);
  // A binary file's line: its control bytes, echoed raw, would reach the terminal as
  // escape sequences. They and the other bytes outside ASCII are shown as '?', one
  // column each, so the caret stays in place.
  std::replace_if(
      line.begin(), line.end(),
      [&](char c) { return control(c) || static_cast<unsigned char>(c) >= 0x80; }, '?');
  sourceMgr.PrintMessage(
      os, llvm::SMDiagnostic(sourceMgr, d.getLoc(), d.getFilename(), d.getLineNo(),
                             d.getColumnNo(), d.getKind(), d.getMessage(), line,
                             d.getRanges(), d.getFixIts()));
}

bool DiagnosticEngine::error(llvm::SMLoc loc, const llvm::Twine &message) {
  lastErrorDropped = !reported.emplace(loc.getPointer(), message.str()).second;
  if (lastErrorDropped)
    return false;
  ++numErrors;
  lastErrorDropped = numErrors > kMaxErrors;
  if (lastErrorDropped)
    return false;
  print(loc, llvm::SourceMgr::DK_Error, message);
  if (numErrors == kMaxErrors)
    os << "error: too many errors emitted, stopping now\n";
  return false;
}

void DiagnosticEngine::note(llvm::SMLoc loc, const llvm::Twine &message) {
  if (lastErrorDropped)
    return;
  print(loc, llvm::SourceMgr::DK_Note, message);
}
