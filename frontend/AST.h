//===- AST.h - Abstract syntax tree of the .nn language ---------*- C++ -*-===//
//
// The AST built by the Parser and annotated by Sema. Node classes use a Kind
// enum with classof (no RTTI). Fields marked "Sema" are filled in by Sema and
// are what MLIRGen reads: resolved references, builtin ids, bound arguments
// and layer instance names.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_AST_H
#define NNC_FRONTEND_AST_H

#include "frontend/Builtins.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace nnc::ast {

class Stmt;
class FnDecl;
class ModelDecl;

/// Element types of tensors.
enum class DType { F32, I32 };

/// Returns "f32" or "i32".
llvm::StringRef getDTypeName(DType dtype);

/// One dimension of a tensor type: a positive integer or a symbol (B, S).
struct Dim {
  std::string symbol; ///< Empty for a static dimension.
  int64_t size = 0;   ///< Valid when `symbol` is empty.
  llvm::SMLoc loc;
  bool isSymbolic() const { return !symbol.empty(); }
};

/// A tensor type `f32[B, 28, 28]`; `f32[]` is rank 0.
struct TensorType {
  DType dtype = DType::F32;
  std::vector<Dim> dims;
  llvm::SMLoc loc;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// Base class of expressions.
class Expr {
public:
  enum class Kind { Number, Bool, String, Ident, List, Unary, Binary, Call };

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;

  Kind getKind() const { return kind; }
  /// The location of the expression: its first token, or the operator of a
  /// binary expression, or the callee name of a call.
  llvm::SMLoc getLoc() const { return loc; }

private:
  const Kind kind;
  llvm::SMLoc loc;
};

/// An integer or floating-point literal.
class NumberExpr : public Expr {
public:
  NumberExpr(llvm::SMLoc loc, llvm::StringRef spelling, bool isInteger,
             int64_t intValue, double value)
      : Expr(Kind::Number, loc), spelling(spelling.str()),
        integer(isInteger), intValue(intValue), value(value) {}

  /// The literal as written (e.g. "1e-3").
  llvm::StringRef getSpelling() const { return spelling; }
  bool isInteger() const { return integer; }
  int64_t getIntValue() const { return intValue; }
  double getValue() const { return value; }

  static bool classof(const Expr *e) { return e->getKind() == Kind::Number; }

private:
  std::string spelling;
  bool integer;
  int64_t intValue;
  double value;
};

/// `true` or `false`.
class BoolExpr : public Expr {
public:
  BoolExpr(llvm::SMLoc loc, bool value) : Expr(Kind::Bool, loc), value(value) {}
  bool getValue() const { return value; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Bool; }

private:
  bool value;
};

/// A string literal (contents without quotes).
class StringExpr : public Expr {
public:
  StringExpr(llvm::SMLoc loc, llvm::StringRef value)
      : Expr(Kind::String, loc), value(value.str()) {}
  llvm::StringRef getValue() const { return value; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::String; }

private:
  std::string value;
};

/// What an identifier refers to (Sema).
/// Carried: a carried value of a loop inside its body (the value the step starts
/// from; decl is the LoopStmt, the index the carried value's). LoopResult: a result
/// of a loop after it (decl the LoopStmt; index: carried values, then emits).
enum class RefKind { Unresolved, Input, Param, Let, FnArg, Carried, LoopResult };

/// A use of a name.
class IdentExpr : public Expr {
public:
  IdentExpr(llvm::SMLoc loc, llvm::StringRef name)
      : Expr(Kind::Ident, loc), name(name.str()) {}
  llvm::StringRef getName() const { return name; }

  /// Sema: the kind of the referenced definition.
  RefKind getRefKind() const { return refKind; }
  /// Sema: the InputStmt, ParamStmt, LetStmt or LoopStmt referred to (null for
  /// FnArg).
  const Stmt *getDecl() const { return decl; }
  /// Sema: the argument index for RefKind::FnArg, the value's for Carried and
  /// LoopResult.
  unsigned getArgIndex() const { return argIndex; }
  void resolve(RefKind kind, const Stmt *d, unsigned index = 0) {
    refKind = kind;
    decl = d;
    argIndex = index;
  }

  static bool classof(const Expr *e) { return e->getKind() == Kind::Ident; }

private:
  std::string name;
  RefKind refKind = RefKind::Unresolved;
  const Stmt *decl = nullptr;
  unsigned argIndex = 0;
};

/// A list literal `[a, b, ...]` (shapes and permutations).
class ListExpr : public Expr {
public:
  ListExpr(llvm::SMLoc loc, std::vector<std::unique_ptr<Expr>> elements)
      : Expr(Kind::List, loc), elements(std::move(elements)) {}
  const std::vector<std::unique_ptr<Expr>> &getElements() const {
    return elements;
  }
  static bool classof(const Expr *e) { return e->getKind() == Kind::List; }

private:
  std::vector<std::unique_ptr<Expr>> elements;
};

/// Unary minus.
class UnaryExpr : public Expr {
public:
  UnaryExpr(llvm::SMLoc loc, char op, std::unique_ptr<Expr> operand)
      : Expr(Kind::Unary, loc), op(op), operand(std::move(operand)) {}
  char getOp() const { return op; }
  const Expr &getOperand() const { return *operand; }
  Expr &getOperand() { return *operand; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Unary; }

private:
  char op;
  std::unique_ptr<Expr> operand;
};

/// A binary operation: '+', '-', '*', '/' or '@'. Located at the operator.
class BinaryExpr : public Expr {
public:
  BinaryExpr(llvm::SMLoc loc, char op, std::unique_ptr<Expr> lhs,
             std::unique_ptr<Expr> rhs)
      : Expr(Kind::Binary, loc), op(op), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  char getOp() const { return op; }
  const Expr &getLHS() const { return *lhs; }
  const Expr &getRHS() const { return *rhs; }
  Expr &getLHS() { return *lhs; }
  Expr &getRHS() { return *rhs; }
  static bool classof(const Expr *e) { return e->getKind() == Kind::Binary; }

private:
  char op;
  std::unique_ptr<Expr> lhs, rhs;
};

/// A keyword argument `name = value` of a call.
struct KeywordArg {
  std::string name;
  llvm::SMLoc loc;
  std::unique_ptr<Expr> value;
};

/// A call `f(args, key = value)` of a builtin or a user function.
class CallExpr : public Expr {
public:
  CallExpr(llvm::SMLoc loc, llvm::StringRef callee,
           std::vector<std::unique_ptr<Expr>> args,
           std::vector<KeywordArg> kwargs)
      : Expr(Kind::Call, loc), callee(callee.str()), args(std::move(args)),
        kwargs(std::move(kwargs)) {}

  llvm::StringRef getCallee() const { return callee; }
  const std::vector<std::unique_ptr<Expr>> &getArgs() const { return args; }
  const std::vector<KeywordArg> &getKwargs() const { return kwargs; }

  /// Sema: the builtin called, if the callee is a builtin.
  std::optional<BuiltinId> getBuiltin() const { return builtin; }
  /// Sema: the user function called, if the callee is one.
  const FnDecl *getFunction() const { return function; }
  /// Sema: the model applied, if the callee is one (model composition).
  const ModelDecl *getModel() const { return model; }
  /// Sema: for a builtin, one entry per signature parameter (in the order of
  /// Builtins.def): the argument expression, or null when the default
  /// applies. For a user function: the positional arguments. For a model: one
  /// entry per input of the model in declaration order, null when not given.
  const std::vector<const Expr *> &getBoundArgs() const { return boundArgs; }
  /// Sema: the instance name of a layer call or model application ("dense0",
  /// "Generator0", or its name= value).
  llvm::StringRef getLayerName() const { return layerName; }

  void setBuiltin(BuiltinId id) { builtin = id; }
  void setFunction(const FnDecl *fn) { function = fn; }
  void setModel(const ModelDecl *m) { model = m; }
  void setBoundArgs(std::vector<const Expr *> bound) {
    boundArgs = std::move(bound);
  }
  void setLayerName(llvm::StringRef name) { layerName = name.str(); }

  static bool classof(const Expr *e) { return e->getKind() == Kind::Call; }

private:
  std::string callee;
  std::vector<std::unique_ptr<Expr>> args;
  std::vector<KeywordArg> kwargs;
  std::optional<BuiltinId> builtin;
  const FnDecl *function = nullptr;
  const ModelDecl *model = nullptr;
  std::vector<const Expr *> boundArgs;
  std::string layerName;
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

/// Base class of statements. Statements that define a name (input, param,
/// let, infer) carry it here.
class Stmt {
public:
  enum class Kind { Input, Param, Let, Train, Return, Loop, Emit };

  Stmt(Kind kind, llvm::SMLoc loc, llvm::StringRef name, llvm::SMLoc nameLoc)
      : kind(kind), loc(loc), name(name.str()), nameLoc(nameLoc) {}
  virtual ~Stmt() = default;

  Kind getKind() const { return kind; }
  /// The location of the first token of the statement.
  llvm::SMLoc getLoc() const { return loc; }
  /// The defined name (the step name of a train statement; empty for return).
  llvm::StringRef getName() const { return name; }
  llvm::SMLoc getNameLoc() const { return nameLoc; }

private:
  const Kind kind;
  llvm::SMLoc loc;
  std::string name;
  llvm::SMLoc nameLoc;
};

/// `input NAME: TYPE`
class InputStmt : public Stmt {
public:
  InputStmt(llvm::SMLoc loc, llvm::StringRef name, llvm::SMLoc nameLoc,
            TensorType type)
      : Stmt(Kind::Input, loc, name, nameLoc), type(std::move(type)) {}
  const TensorType &getType() const { return type; }
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Input; }

private:
  TensorType type;
};

/// `param NAME: TYPE = INIT` where INIT is an identifier or a call naming an
/// initializer (Sema resolves it: a CallExpr with no arguments stands for a
/// bare identifier).
class ParamStmt : public Stmt {
public:
  ParamStmt(llvm::SMLoc loc, llvm::StringRef name, llvm::SMLoc nameLoc,
            TensorType type, std::unique_ptr<CallExpr> init)
      : Stmt(Kind::Param, loc, name, nameLoc), type(std::move(type)),
        init(std::move(init)) {}
  const TensorType &getType() const { return type; }
  const CallExpr &getInit() const { return *init; }
  CallExpr &getInit() { return *init; }
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Param; }

private:
  TensorType type;
  std::unique_ptr<CallExpr> init;
};

/// `NAME = EXPR`, or `infer NAME = EXPR` (an output of the infer entry).
class LetStmt : public Stmt {
public:
  LetStmt(llvm::SMLoc loc, llvm::StringRef name, llvm::SMLoc nameLoc,
          std::unique_ptr<Expr> value, bool isInfer)
      : Stmt(Kind::Let, loc, name, nameLoc), value(std::move(value)),
        infer(isInfer) {}
  const Expr &getValue() const { return *value; }
  Expr &getValue() { return *value; }
  bool isInfer() const { return infer; }
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Let; }

private:
  std::unique_ptr<Expr> value;
  bool infer;
};

/// An integer clause of a train statement (`batch 32`), if present.
struct IntClause {
  std::optional<int64_t> value;
  llvm::SMLoc loc;
};

/// A name clause of a train statement (`data fashion_mnist`); empty when absent.
struct NameClause {
  std::string value;
  llvm::SMLoc loc;
};

/// An option of the `data` clause: `vocab = 10000`, `categories = "a b"`.
struct DataOption {
  std::string key;
  llvm::SMLoc keyLoc;
  std::string value; ///< a string's contents, an integer's or identifier's spelling
  enum class Kind { String, Int, Ident } kind = Kind::String;
  llvm::SMLoc valueLoc;
};

/// `train [NAME] minimize EXPR with OPT(args) [batch N] [epochs N]
///  [data IDENT ['(' KEY = VALUE, ... ')']] [seed N] [schedule IDENT] [warmup N]
///  [micro_batch N] [over NAME, ...]`. The name defaults to "train".
class TrainStmt : public Stmt {
public:
  TrainStmt(llvm::SMLoc loc, llvm::StringRef name, llvm::SMLoc nameLoc,
            std::unique_ptr<Expr> loss, std::unique_ptr<CallExpr> optimizer)
      : Stmt(Kind::Train, loc, name, nameLoc), loss(std::move(loss)),
        optimizer(std::move(optimizer)) {}

  const Expr &getLoss() const { return *loss; }
  Expr &getLoss() { return *loss; }
  const CallExpr &getOptimizer() const { return *optimizer; }
  CallExpr &getOptimizer() { return *optimizer; }

  IntClause batch, epochs, seed;
  /// `warmup N`: steps of linear warm-up before the schedule (absent: 0).
  IntClause warmup;
  /// `micro_batch N`: the step's gradient computed over slices of N rows and summed
  /// (docs/language.md, "Micro-batches"; absent: the whole batch at once).
  IntClause microBatch;
  /// `data NAME` and `schedule NAME` (constant, linear or cosine).
  NameClause data, schedule;
  /// The options of the `data` clause, in the order of the file.
  std::vector<DataOption> dataOptions;
  /// `over NAME, ...`: names of params or layer instances; empty: all.
  std::vector<std::pair<std::string, llvm::SMLoc>> over;

  static bool classof(const Stmt *s) { return s->getKind() == Kind::Train; }

private:
  std::unique_ptr<Expr> loss;
  std::unique_ptr<CallExpr> optimizer;
};

/// `emit NAME = EXPR` inside a loop body: the per-step values, stacked over the
/// steps into NAME after the loop.
class EmitStmt : public Stmt {
public:
  EmitStmt(llvm::SMLoc loc, llvm::StringRef name, llvm::SMLoc nameLoc,
           std::unique_ptr<Expr> value)
      : Stmt(Kind::Emit, loc, name, nameLoc), value(std::move(value)) {}
  const Expr &getValue() const { return *value; }
  Expr &getValue() { return *value; }
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Emit; }

private:
  std::unique_ptr<Expr> value;
};

/// `loop N steps with NAME = EXPR, ... { stmts }`: a recurrence (an nn.scan). The
/// header binds the carried values to their initial values; a let of a carried name
/// in the body is its next value. Defines no name itself (getName() is empty): its
/// carried names (final values) and emits are defined after it.
class LoopStmt : public Stmt {
public:
  LoopStmt(llvm::SMLoc loc, int64_t steps, llvm::SMLoc stepsLoc,
           std::vector<std::unique_ptr<LetStmt>> carried,
           std::vector<std::unique_ptr<Stmt>> body, llvm::SMLoc endLoc)
      : Stmt(Kind::Loop, loc, "", loc), steps(steps), stepsLoc(stepsLoc),
        carried(std::move(carried)), body(std::move(body)), endLoc(endLoc) {}

  int64_t getSteps() const { return steps; }
  llvm::SMLoc getStepsLoc() const { return stepsLoc; }
  /// The header's `NAME = INIT` bindings, in order.
  const std::vector<std::unique_ptr<LetStmt>> &getCarried() const { return carried; }
  const std::vector<std::unique_ptr<Stmt>> &getBody() const { return body; }
  llvm::SMLoc getEndLoc() const { return endLoc; }

  /// Sema: per carried value, the body's let that makes its next value (null when
  /// the body does not assign it: it stays the same); the emits in order.
  std::vector<const LetStmt *> updates;
  std::vector<const EmitStmt *> emits;

  static bool classof(const Stmt *s) { return s->getKind() == Kind::Loop; }

private:
  int64_t steps;
  llvm::SMLoc stepsLoc;
  std::vector<std::unique_ptr<LetStmt>> carried;
  std::vector<std::unique_ptr<Stmt>> body;
  llvm::SMLoc endLoc;
};

/// `return EXPR` (functions only).
class ReturnStmt : public Stmt {
public:
  ReturnStmt(llvm::SMLoc loc, std::unique_ptr<Expr> value)
      : Stmt(Kind::Return, loc, "", loc), value(std::move(value)) {}
  const Expr &getValue() const { return *value; }
  Expr &getValue() { return *value; }
  static bool classof(const Stmt *s) { return s->getKind() == Kind::Return; }

private:
  std::unique_ptr<Expr> value;
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

using StmtList = std::vector<std::unique_ptr<Stmt>>;

/// Base class of top-level declarations.
class Decl {
public:
  enum class Kind { Fn, Model };

  Decl(Kind kind, llvm::SMLoc loc, llvm::StringRef name, StmtList body,
       llvm::SMLoc endLoc)
      : kind(kind), loc(loc), name(name.str()), body(std::move(body)),
        endLoc(endLoc) {}
  virtual ~Decl() = default;

  Kind getKind() const { return kind; }
  /// The location of the name.
  llvm::SMLoc getLoc() const { return loc; }
  llvm::StringRef getName() const { return name; }
  const StmtList &getBody() const { return body; }
  /// The location of the closing '}'.
  llvm::SMLoc getEndLoc() const { return endLoc; }

private:
  const Kind kind;
  llvm::SMLoc loc;
  std::string name;
  StmtList body;
  llvm::SMLoc endLoc;
};

/// A parameter of a user function.
struct FnArg {
  std::string name;
  llvm::SMLoc loc;
};

/// `fn NAME(args) { stmts; return EXPR }`
class FnDecl : public Decl {
public:
  FnDecl(llvm::SMLoc loc, llvm::StringRef name, std::vector<FnArg> args,
         StmtList body, llvm::SMLoc endLoc)
      : Decl(Kind::Fn, loc, name, std::move(body), endLoc),
        args(std::move(args)) {}
  const std::vector<FnArg> &getArgs() const { return args; }
  static bool classof(const Decl *d) { return d->getKind() == Kind::Fn; }

private:
  std::vector<FnArg> args;
};

/// A parameter-creating layer call or model application in a model (Sema): one
/// per instance name, so a shared instance (applied again by name) appears once.
struct LayerInstance {
  std::string name;
  BuiltinId kind;            ///< the layer builtin, when `model` is null
  const CallExpr *call;      ///< the first application
  const ModelDecl *model = nullptr; ///< the model applied, for a model instance
};

/// `model NAME { stmts }`
class ModelDecl : public Decl {
public:
  ModelDecl(llvm::SMLoc loc, llvm::StringRef name, StmtList body,
            llvm::SMLoc endLoc)
      : Decl(Kind::Model, loc, name, std::move(body), endLoc) {}

  /// Sema: the layer instances of the model in source order.
  const std::vector<LayerInstance> &getLayers() const { return layers; }
  void addLayer(LayerInstance layer) { layers.push_back(std::move(layer)); }

  static bool classof(const Decl *d) { return d->getKind() == Kind::Model; }

private:
  std::vector<LayerInstance> layers;
};

/// A parsed file: functions and models in source order.
class Module {
public:
  explicit Module(std::vector<std::unique_ptr<Decl>> decls)
      : decls(std::move(decls)) {}
  const std::vector<std::unique_ptr<Decl>> &getDecls() const { return decls; }

  /// Returns the model called `name`, or null.
  const ModelDecl *lookupModel(llvm::StringRef name) const;
  /// Returns the last model in the file (the default entry), or null.
  const ModelDecl *getLastModel() const;
  /// Returns the function called `name`, or null.
  const FnDecl *lookupFunction(llvm::StringRef name) const;

private:
  std::vector<std::unique_ptr<Decl>> decls;
};

/// Prints the AST in the format of `nnc --emit=ast`: one line per statement,
/// binary expressions fully parenthesised, layer calls annotated with their
/// instance name as `dense<dense0>(...)`.
void dumpAST(const Module &module, llvm::raw_ostream &os);

} // namespace nnc::ast

#endif // NNC_FRONTEND_AST_H
