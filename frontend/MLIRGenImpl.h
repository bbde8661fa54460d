//===- MLIRGenImpl.h - MLIRGen internals ------------------------*- C++ -*-===//
//
// Shared by MLIRGen.cpp (declarations, entries, user functions) and
// MLIRGenBuiltins.cpp (one lowering per builtin of Builtins.def).
//
//===----------------------------------------------------------------------------===//
#ifndef NNC_FRONTEND_MLIRGENIMPL_H
#define NNC_FRONTEND_MLIRGENIMPL_H

#include "frontend/AST.h"
#include "ir/Builders.h"
#include "ir/NNOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include <map>
#include <optional>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace nnc {

/// Whether an entry computes inference (dropout off) or a training step.
enum class Mode { Infer, Train };

/// The value of a number literal, possibly negated (`-1e-3`); nullopt for anything
/// else, including null.
std::optional<double> literalNumber(const ast::Expr *e);

class MLIRGenImpl {
public:
  MLIRGenImpl(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr,
              const ast::Module &module, const ast::ModelDecl &model);

  mlir::OwningOpRef<mlir::ModuleOp> run();

  // Used by the builtin lowerings.
  mlir::Location loc(llvm::SMLoc l);
  mlir::OpBuilder &getBuilder() { return builder; }

  /// Builds `OpTy` after inferring its result type (nn::buildInferred), so a shape
  /// error is reported at `l` instead of aborting. Returns null after reporting.
  template <typename OpTy>
  mlir::Value create(llvm::SMLoc l, mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return checkSize(l, nn::buildInferred<OpTy>(builder, loc(l), operands, attrs));
  }

  /// Returns `v`, or null after an error at `l` when its static dims multiply to more
  /// than nn::kMaxElements (the runtime's limit per tensor).
  mlir::Value checkSize(llvm::SMLoc l, mlir::Value v);

  /// `v`'s type in the language's terms, `f32[B, 10]`: a dynamic dim is named by the
  /// symbol it comes from where that is known, else `?`.
  std::string describe(mlir::Value v);
  /// The model's symbolic dims (of its inputs), in order of appearance.
  llvm::SmallSetVector<llvm::StringRef, 4> modelSymbols() const;

  mlir::Value scalar(llvm::SMLoc l, double value);
  mlir::NamedAttribute attr(llvm::StringRef name, mlir::Attribute value) {
    return builder.getNamedAttr(name, value);
  }
  /// Reports an error at `l`; returns null for `return error(...)`.
  mlir::Value error(llvm::SMLoc l, const llvm::Twine &message);

  /// The rank of `v`'s (ranked) type.
  int64_t rankOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType()).getRank();
  }
  llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType()).getShape();
  }

  /// Returns the block argument for parameter `name` of type `type`, declaring the
  /// nn.variable on first use. Reports a type clash at `l`.
  mlir::Value param(llvm::SMLoc l, llvm::StringRef name, mlir::RankedTensorType type,
                    llvm::StringRef init, llvm::ArrayRef<float> initArgs = {},
                    bool trainable = true);

  /// Dropout: the identity at inference; in a training step, x * mask with a mask
  /// drawn from the step counter (a new mask every step, the same in the backward
  /// pass because it is one value).
  mlir::Value dropout(llvm::SMLoc l, mlir::Value x, double rate);
  /// The seed (a counter: the training step, 0 in inference, plus 2^20 per site) and
  /// the stream (the run's seed) of the entry's next noise site, dropout or a noise
  /// builtin; null values after an error.
  std::pair<mlir::Value, mlir::Value> noiseSite(llvm::SMLoc l);

  Mode getMode() const { return mode; }

  /// The parameter name of `name` (a layer instance's or a param's) in the model
  /// application being generated: prefixed by the instance names of the enclosing
  /// applications, `gen.dense0` for `dense0` inside `Generator(..., name = "gen")`.
  std::string scopedName(llvm::StringRef name) const { return prefix + name.str(); }

  /// While alive, shape-rule errors name the construct `spelling` (an operator or a
  /// builtin as the user wrote it) instead of the nn op that implements it.
  class SpellingScope {
  public:
    SpellingScope(MLIRGenImpl &gen, std::string spelling)
        : gen(gen), saved(std::move(gen.spelling)) {
      gen.spelling = std::move(spelling);
    }
    ~SpellingScope() { gen.spelling = std::move(saved); }

  private:
    MLIRGenImpl &gen;
    std::string saved;
  };

  /// An error message in the language's terms: `'nn.OP'` becomes the construct being
  /// generated, and `?` dims the model's symbol when it has only one.
  std::string rewriteMessage(llvm::StringRef message);

  // Builtins (MLIRGenBuiltins.cpp).
  mlir::Value genBuiltin(const ast::CallExpr &call);

private:
  /// State of the function being generated (an entry or a specialized user fn).
  struct FuncState {
    mlir::func::FuncOp func;
    llvm::DenseMap<const ast::Stmt *, mlir::Value> values; // lets (memoized)
    llvm::SmallVector<mlir::Value> fnArgs;                 // user fn arguments
    llvm::SmallVector<mlir::DictionaryAttr> argAttrs;      // entry argument attrs
    llvm::StringMap<mlir::Value> params;                   // param name -> argument
    llvm::DenseMap<const ast::Stmt *, mlir::Value> inputs;
    llvm::DenseSet<const ast::Stmt *> failedLets; // reported once, not regenerated
    /// Results of user calls by callee and arguments: user functions are pure, so
    /// `f(x) + f(x)` calls once (and inlines once).
    std::map<std::pair<mlir::Operation *, std::vector<const void *>>, mlir::Value> calls;
    mlir::Value runSeed; // the `seed` input of the entry (the noise's stream)
    /// The results of each loop generated (final carried values, then emits).
    llvm::DenseMap<const ast::LoopStmt *, llvm::SmallVector<mlir::Value>> loops;
    llvm::DenseSet<const ast::LoopStmt *> failedLoops;
  };

  // Loops (MLIRGenLoop.cpp). A loop's body is generated into a detached block, then
  // the values it reads from outside become the nn.scan's invariants.
  struct LoopFrame {
    const ast::LoopStmt *loop;
    mlir::OpBuilder::InsertPoint outside; ///< where the loop's nn.scan will go
    llvm::SmallVector<mlir::Value> carriedArgs;
  };
  /// The loops whose bodies are being generated, outermost first.
  llvm::SmallVector<LoopFrame> loopFrames;
  /// The loop whose body holds each statement of a loop body (all models).
  llvm::DenseMap<const ast::Stmt *, const ast::LoopStmt *> ownerLoop;
  /// The number of loop frames outside the model application being generated: its
  /// model's top-level statements are generated at that level.
  unsigned baseLevel = 0;
  void collectLoopOwners(const ast::StmtList &body, const ast::LoopStmt *owner);
  /// The number of enclosing loops of `stmt` among loopFrames.
  unsigned levelOf(const ast::Stmt *stmt);
  /// Calls `gen` with the builder at the level of `stmt` (before the nn.scan of the
  /// first loop that does not enclose it) and the frames of deeper loops set aside.
  mlir::Value atLevelOf(const ast::Stmt *stmt, llvm::function_ref<mlir::Value()> gen);
  /// Generates `loop` (once per entry); false after an error.
  bool genLoop(const ast::LoopStmt &loop);
  mlir::Value genLoopResult(const ast::LoopStmt &loop, unsigned index);
  mlir::Value genCarried(const ast::IdentExpr &ident);

  mlir::Value genExpr(const ast::Expr &expr);
  mlir::Value genExprImpl(const ast::Expr &expr);
  /// Reports an entry that would be too large after inlining; false then.
  bool checkInlinedSize(mlir::func::FuncOp func);
  /// The operations a function or entry amounts to once its calls are inlined.
  uint64_t countInlinedOps(mlir::func::FuncOp func);
  mlir::Value genBinary(const ast::BinaryExpr &expr);
  mlir::Value genIdent(const ast::IdentExpr &ident);
  mlir::Value genUserCall(const ast::CallExpr &call);
  /// A model applied inside the model: its output generated in place (inlined), with
  /// its inputs bound to the arguments and its parameter names prefixed.
  mlir::Value genModelCall(const ast::CallExpr &call);
  mlir::Value genLet(const ast::LetStmt &let);

  bool genDeclarations();
  bool genInferEntry();
  bool genTrainEntry(const ast::TrainStmt &train);
  /// Starts entry function `name` with a FuncState; `finishEntry` returns `results`
  /// named `names` and fixes the signature.
  mlir::func::FuncOp startEntry(llvm::SMLoc l, llvm::StringRef name, FuncState &fs);
  void finishEntry(FuncState &fs, llvm::ArrayRef<mlir::Value> results,
                   llvm::ArrayRef<llvm::StringRef> names);
  mlir::DictionaryAttr optimizerConfig(const ast::TrainStmt &train);
  void recordTrainConfig();
  mlir::Value inputArg(const ast::InputStmt &input);
  /// The entry's i32[] input `seed` (the run's seed, which dropout and noise mix into
  /// their values): the model's own input of that name, else one declared here.
  mlir::Value runSeedArg(llvm::SMLoc l);
  mlir::RankedTensorType convertType(const ast::TensorType &type);


  mlir::MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  const ast::Module &astModule;
  const ast::ModelDecl &model;
  mlir::OpBuilder builder;
  mlir::ModuleOp module;
  Mode mode = Mode::Infer;
  unsigned noiseSites = 0;        // per entry: decorrelates dropout masks and noise
  std::string trainName;          // the training entry being generated
  FuncState *state = nullptr;
  /// The model application being generated: its call and the values of the inputs
  /// it binds; null in the model's own body.
  struct Application {
    const ast::CallExpr *call;
    llvm::DenseMap<const ast::InputStmt *, mlir::Value> inputs;
  };
  Application *application = nullptr;
  std::string prefix; // of parameter names (scopedName)
  /// Counts the operations MLIRGen creates, so that applications of models inside
  /// models, which are inlined, stop at kMaxInlinedOps instead of growing
  /// exponentially (a model applying another twice, and so on).
  struct OpCounter : mlir::OpBuilder::Listener {
    uint64_t count = 0;
    void notifyOperationInserted(mlir::Operation *, mlir::OpBuilder::InsertPoint) override {
      ++count;
    }
  } opCounter;
  llvm::StringMap<nn::VariableOp> variables;
  std::map<std::pair<const ast::FnDecl *, std::vector<const void *>>, mlir::func::FuncOp>
      specializations;
  llvm::StringMap<unsigned> specializationCount;
  llvm::DenseMap<mlir::Operation *, uint64_t> inlinedOps; // per specialization
  std::string spelling;           // the construct being generated (SpellingScope)
  bool ownError = false;          // error() is emitting a message of MLIRGen's own
  unsigned genDepth = 0;          // nesting of genExpr (lets, calls, expressions)
  bool depthReported = false;
  /// The symbol of each dynamic dim of each input, for describe().
  llvm::DenseMap<mlir::Value, llvm::SmallVector<llvm::StringRef>> inputDims;

public:
  /// genExpr nests at most this deep (a chain of lets or calls each adds about two
  /// levels); nnc runs the frontend on a thread whose stack holds it (Stack.h).
  static constexpr unsigned kMaxGenDepth = 100000;
  /// The most operations an entry may have once user functions are inlined.
  static constexpr uint64_t kMaxInlinedOps = 1 << 20;
};

} // namespace nnc

#endif // NNC_FRONTEND_MLIRGENIMPL_H
