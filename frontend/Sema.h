//===- Sema.h - Semantic checks of the .nn AST ------------------*- C++ -*-===//
//
// Sema resolves names, checks calls against Builtins.def, checks dtypes
// (integer tensors only feed integer parameters of builtins), names layer
// instances, and rejects misplaced statements. It does not check shapes:
// MLIRGen does, through the nn dialect's type inference.
//
// parseAndCheck() is the frontend's entry point for drivers.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_SEMA_H
#define NNC_FRONTEND_SEMA_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <map>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace nnc {

/// Parses buffer `bufferId` of `sourceMgr` and runs Sema on it. Diagnostics
/// go to `diagOut`. With a `modelName`, only that model (and the functions it
/// calls) is checked, so an error in another model does not stop it. Returns
/// null if any error was reported (including "no model in file"); the caller
/// then exits with status 1.
std::unique_ptr<ast::Module> parseAndCheck(llvm::SourceMgr &sourceMgr,
                                           unsigned bufferId,
                                           llvm::raw_ostream &diagOut,
                                           llvm::StringRef modelName = {});

/// Checks and annotates a parsed module.
class Sema {
public:
  explicit Sema(DiagnosticEngine &diags) : diags(diags) {}

  /// Returns true if no error was reported. With `only`, the other models are
  /// not checked.
  bool check(ast::Module &module, const ast::ModelDecl *only = nullptr);

  /// What an expression evaluates to. Error means "already diagnosed".
  enum class Value { F32, I32, String, Bool, List, Error };

  /// A name visible in a body.
  struct Definition {
    ast::RefKind kind;
    const ast::Stmt *stmt; ///< Null for function arguments.
    unsigned argIndex;
    llvm::SMLoc loc;
    Value value;
  };

private:
  /// The body being checked: a model, or a function instantiated with
  /// argument dtypes.
  struct Scope {
    ast::ModelDecl *model = nullptr;
    const ast::FnDecl *fn = nullptr;
    llvm::StringMap<Definition> names;
    /// Names defined anywhere in the body, for "used before definition".
    llvm::StringMap<llvm::SMLoc> laterNames;
  };

  // Declarations (Sema.cpp).
  void collectDecls(ast::Module &module);
  void findRecursion();
  std::vector<const ast::FnDecl *>
  getCallees(const ast::FnDecl &fn, std::vector<const ast::CallExpr *> &sites);
  void collectCalls(const ast::Expr &expr,
                    std::vector<const ast::CallExpr *> &calls);
  void checkModel(ast::ModelDecl &model);
  void checkModelStmt(ast::Stmt &stmt, Scope &scope);
  void checkModelEnd(ast::ModelDecl &model);
  void checkParam(ast::ParamStmt &param, Scope &scope);
  void checkTypeSize(const ast::TensorType &type, llvm::StringRef what,
                     llvm::StringRef name);
  void checkTrain(ast::TrainStmt &train, Scope &scope);
  /// A loop: its initial values in `scope`, its body in a scope of its own; then
  /// defines its carried values (final) and emits in `scope`.
  void checkLoop(ast::LoopStmt &loop, Scope &scope);
  /// Adds the names a statement defines in the enclosing body (a loop's carried
  /// values and emits) to `scope.laterNames`.
  static void addLaterNames(const ast::Stmt &stmt, Scope &scope);
  // The `data` clause's options (SemaData.cpp).
  void checkDataOptions(const ast::TrainStmt &train, const ast::ModelDecl &model);
  Value instantiate(const ast::FnDecl &fn, llvm::ArrayRef<Value> args);
  void checkFnBody(const ast::FnDecl &fn, Scope &scope, Value &result);
  bool define(Scope &scope, const ast::Stmt &stmt, ast::RefKind kind,
              Value value);

  // Expressions (SemaExpr.cpp).
  Value checkExpr(ast::Expr &expr, Scope &scope);
  Value checkTensor(ast::Expr &expr, Scope &scope);
  Value checkIdent(ast::IdentExpr &ident, Scope &scope);
  Value checkArith(ast::Expr &operand, Scope &scope, char op,
                   llvm::StringRef which, llvm::SMLoc opLoc);
  Value checkCall(ast::CallExpr &call, Scope &scope);
  Value checkUserCall(ast::CallExpr &call, const ast::FnDecl &fn,
                      Scope &scope);
  Value checkModelCall(ast::CallExpr &call, ast::ModelDecl &callee,
                       Scope &scope);
  bool checkBuiltinUse(ast::CallExpr &call, const BuiltinInfo &info,
                       Scope &scope);
  bool bindArgs(ast::CallExpr &call, const BuiltinInfo &info, Scope &scope);
  bool checkNoiseArgs(const BuiltinInfo &info, const std::vector<ast::Expr *> &bound);
  bool checkArg(ast::Expr *arg, const BuiltinParam &param,
                const BuiltinInfo &info, Scope &scope);
  void nameInstance(ast::CallExpr &call, llvm::StringRef kind,
                    llvm::StringRef prefix, ast::LayerInstance instance,
                    Scope &scope);
  bool checkNamedCall(ast::CallExpr &call, BuiltinCategory category,
                      Scope &scope);
  std::string suggest(llvm::StringRef name,
                      llvm::ArrayRef<llvm::StringRef> candidates);

  DiagnosticEngine &diags;
  ast::Module *module = nullptr;
  llvm::StringMap<ast::Decl *> decls;
  /// Functions that are part of a call cycle (already diagnosed).
  llvm::DenseSet<const ast::FnDecl *> recursive;
  /// Functions checked at least once.
  llvm::DenseSet<const ast::FnDecl *> checkedFns;
  /// Result of a function per argument dtypes.
  std::map<std::pair<const ast::FnDecl *, std::vector<Value>>, Value>
      instances;
  unsigned instantiationDepth = 0;
  /// Models checked, and those being checked (an application of one of these
  /// is a recursive application).
  llvm::DenseSet<const ast::ModelDecl *> checkedModels, modelsInProgress;
  /// The value of each checked model's only `infer` output (what applying it
  /// gives); absent when it has not exactly one.
  llvm::DenseMap<const ast::ModelDecl *, Value> modelOutputs;
  /// An upper bound of the operations each checked model amounts to once the models
  /// it applies are inlined (its statements and calls, an application counting its
  /// model's bound), so that exponential nesting is an error before MLIRGen expands it.
  llvm::DenseMap<const ast::ModelDecl *, uint64_t> modelSizes;
  void boundModelSize(const ast::ModelDecl &model);
  /// MLIRGenImpl::kMaxInlinedOps, the operations of one entry.
  static constexpr uint64_t kMaxModelOps = 1 << 20;
  /// Per model (saved while a model applied in it is checked): instance
  /// counters per kind, parameter and instance names, the kind of each
  /// instance name (a builtin's name or "model:NAME"), and train steps.
  llvm::StringMap<unsigned> instanceCounts;
  llvm::StringMap<llvm::SMLoc> paramNames;
  llvm::StringMap<std::string> instanceKinds;
  llvm::StringMap<llvm::SMLoc> trainNames;
};

} // namespace nnc

#endif // NNC_FRONTEND_SEMA_H
