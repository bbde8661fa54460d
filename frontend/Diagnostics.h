//===- Diagnostics.h - Frontend diagnostic engine ---------------*- C++ -*-===//
//
// A thin wrapper over llvm::SourceMgr that prints clang-style diagnostics
// (file:line:col, the source line, a caret), counts errors and stops after a
// fixed number of them so that garbage input cannot flood the terminal.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_DIAGNOSTICS_H
#define NNC_FRONTEND_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

#include <set>
#include <string>
#include <utility>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace nnc {

/// Emits frontend errors and notes through llvm::SourceMgr::PrintMessage.
class DiagnosticEngine {
public:
  /// The number of errors after which further errors are dropped.
  static constexpr unsigned kMaxErrors = 20;

  DiagnosticEngine(llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os)
      : sourceMgr(sourceMgr), os(os) {}

  /// Reports an error at `loc`. Returns false so that callers can write
  /// `return diags.error(...)` in functions returning bool. An error with the
  /// same location and text as an earlier one is dropped (Sema checks a
  /// function body once per distinct argument dtypes).
  bool error(llvm::SMLoc loc, const llvm::Twine &message);

  /// Attaches a note to the most recent error. Dropped if that error was.
  void note(llvm::SMLoc loc, const llvm::Twine &message);

  /// Returns the number of errors reported (including dropped ones).
  unsigned getNumErrors() const { return numErrors; }
  bool hadError() const { return numErrors != 0; }

  /// Returns true once the error limit has been reached; parsers stop then.
  bool shouldStop() const { return numErrors >= kMaxErrors; }

  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

private:
  /// Prints through llvm::SourceMgr, the quoted line's control bytes as '?'.
  void print(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind, const llvm::Twine &message);

  llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
  unsigned numErrors = 0;
  bool lastErrorDropped = false;
  std::set<std::pair<const char *, std::string>> reported;
};

} // namespace nnc

#endif // NNC_FRONTEND_DIAGNOSTICS_H
