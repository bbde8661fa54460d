//===- Parser.cpp - Recursive-descent parser for .nn ----------------------===//

#include "frontend/Parser.h"
#include "ir/Limits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

using namespace nnc;
using namespace nnc::ast;
using llvm::SMLoc;
using llvm::StringRef;

Parser::Parser(StringRef buffer, DiagnosticEngine &diags)
    : lexer(buffer, diags), diags(diags) {
  tok = lexer.lex();
  next = lexer.lex();
}

//===----------------------------------------------------------------------===//
// Token stream
//===----------------------------------------------------------------------===//

void Parser::consume() {
  if (tok.is(Tok::Eof))
    return;
  prevEnd = tok.text.end();
  tok = next;
  next = lexer.lex();
}

bool Parser::consumeIf(Tok kind) {
  if (!tok.is(kind))
    return false;
  consume();
  return true;
}

std::string Parser::describe(const Token &t) const {
  switch (t.kind) {
  case Tok::Eof:
    return "end of file";
  case Tok::Ident:
    return ("identifier '" + t.text + "'").str();
  case Tok::Int:
  case Tok::Float:
    return ("number '" + t.text + "'").str();
  case Tok::String:
    return ("string " + t.text).str();
  default:
    return ("'" + t.text + "'").str();
  }
}

/// Reports "expected WHAT, found TOKEN" unless the current token is an
/// invalid one, which the lexer has already reported.
bool Parser::errorExpected(StringRef what) {
  if (tok.is(Tok::Error))
    return false;
  return diags.error(tok.getLoc(), "expected " + what + ", found " +
                                       describe(tok));
}

bool Parser::expect(Tok kind, StringRef context) {
  if (consumeIf(kind))
    return true;
  return errorExpected((getTokenSpelling(kind) + " " + context).str());
}

//===----------------------------------------------------------------------===//
// Recovery
//===----------------------------------------------------------------------===//

static bool startsStmt(const Token &t) {
  switch (t.kind) {
  case Tok::Ident:
  case Tok::KwInput:
  case Tok::KwParam:
  case Tok::KwInfer:
  case Tok::KwTrain:
  case Tok::KwReturn:
  case Tok::RBrace:
  case Tok::KwModel:
  case Tok::KwFn:
    return true;
  default:
    return false;
  }
}

/// Skips to the first token that begins a line and can begin a statement
/// (or closes the body), always making progress past `stmtStart`.
void Parser::skipToNextStmt(const char *stmtStart) {
  if (tok.text.data() == stmtStart)
    consume();
  while (!tok.is(Tok::Eof) && !(tok.atLineStart && startsStmt(tok)))
    consume();
}

void Parser::skipToNextDecl() {
  consume();
  while (!tok.is(Tok::Eof) &&
         !(tok.atLineStart && (tok.is(Tok::KwModel) || tok.is(Tok::KwFn))))
    consume();
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

/// file ::= (modelDecl | fnDecl)* EOF
std::unique_ptr<Module> Parser::parseModule() {
  std::vector<std::unique_ptr<Decl>> decls;
  while (!tok.is(Tok::Eof) && !diags.shouldStop()) {
    std::unique_ptr<Decl> decl;
    if (tok.is(Tok::KwModel)) {
      decl = parseModel();
    } else if (tok.is(Tok::KwFn)) {
      decl = parseFn();
    } else {
      errorExpected("'model' or 'fn'");
      skipToNextDecl();
      continue;
    }
    if (decl)
      decls.push_back(std::move(decl));
  }
  return std::make_unique<Module>(std::move(decls));
}

/// modelDecl ::= 'model' IDENT '{' stmt* '}'
std::unique_ptr<Decl> Parser::parseModel() {
  consume(); // 'model'
  StringRef name = tok.text;
  SMLoc loc = tok.getLoc();
  if (!expect(Tok::Ident, "after 'model'")) {
    skipToNextDecl();
    return nullptr;
  }
  StmtList body;
  SMLoc endLoc;
  if (!parseBody("model", name, body, endLoc))
    return nullptr;
  return std::make_unique<ModelDecl>(loc, name, std::move(body), endLoc);
}

/// fnDecl ::= 'fn' IDENT '(' (IDENT (',' IDENT)*)? ')' '{' stmt* '}'
std::unique_ptr<Decl> Parser::parseFn() {
  consume(); // 'fn'
  StringRef name = tok.text;
  SMLoc loc = tok.getLoc();
  if (!expect(Tok::Ident, "after 'fn'") ||
      !expect(Tok::LParen, "after the function name")) {
    skipToNextDecl();
    return nullptr;
  }
  std::vector<FnArg> args;
  if (!tok.is(Tok::RParen)) {
    do {
      if (!tok.is(Tok::Ident)) {
        errorExpected("a parameter name");
        skipToNextDecl();
        return nullptr;
      }
      args.push_back(FnArg{tok.text.str(), tok.getLoc()});
      consume();
    } while (consumeIf(Tok::Comma));
  }
  if (!expect(Tok::RParen, "after the parameters")) {
    skipToNextDecl();
    return nullptr;
  }
  StmtList body;
  SMLoc endLoc;
  if (!parseBody("function", name, body, endLoc))
    return nullptr;
  return std::make_unique<FnDecl>(loc, name, std::move(args), std::move(body),
                                  endLoc);
}

/// body ::= '{' stmt* '}'
bool Parser::parseBody(StringRef what, StringRef name, StmtList &body,
                       SMLoc &endLoc) {
  SMLoc openLoc = tok.getLoc();
  if (!expect(Tok::LBrace, ("to begin " + what + " '" + name + "'").str())) {
    skipToNextDecl();
    return false;
  }
  while (!tok.is(Tok::RBrace) && !diags.shouldStop()) {
    if (tok.is(Tok::Eof) || tok.is(Tok::KwModel) || tok.is(Tok::KwFn)) {
      errorExpected(("'}' to end " + what + " '" + name + "'").str());
      diags.note(openLoc, "'{' opened here");
      return false;
    }
    const char *start = tok.text.data();
    std::unique_ptr<Stmt> stmt = parseStmt();
    if (stmt && !tok.atLineStart && !tok.is(Tok::RBrace) &&
        !tok.is(Tok::Eof)) {
      errorExpected("end of line after the statement");
      stmt = nullptr;
    }
    if (stmt)
      body.push_back(std::move(stmt));
    else
      skipToNextStmt(start);
  }
  endLoc = tok.getLoc();
  consume(); // '}'
  return true;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

/// stmt ::= inputStmt | paramStmt | letStmt | inferStmt | trainStmt
///        | returnStmt | loopStmt | emitStmt
std::unique_ptr<Stmt> Parser::parseStmt() {
  // `loop` and `emit` are contextual: `loop = x` is a let of a value named loop.
  if (tok.isIdent("loop") && !next.is(Tok::Equal))
    return parseLoop();
  if (tok.isIdent("emit") && next.is(Tok::Ident))
    return parseEmit();
  switch (tok.kind) {
  case Tok::KwInput:
    return parseInput();
  case Tok::KwParam:
    return parseParam();
  case Tok::KwInfer: {
    SMLoc loc = tok.getLoc();
    consume();
    return parseLet(loc, /*isInfer=*/true);
  }
  case Tok::KwTrain:
    return parseTrain();
  case Tok::KwReturn:
    return parseReturn();
  case Tok::Ident:
    return parseLet(tok.getLoc(), /*isInfer=*/false);
  default:
    errorExpected("a statement");
    return nullptr;
  }
}

/// inputStmt ::= 'input' IDENT ':' type
std::unique_ptr<Stmt> Parser::parseInput() {
  SMLoc loc = tok.getLoc();
  consume(); // 'input'
  StringRef name = tok.text;
  SMLoc nameLoc = tok.getLoc();
  if (!expect(Tok::Ident, "after 'input'") ||
      !expect(Tok::Colon, ("after input '" + name + "'").str()))
    return nullptr;
  TensorType type;
  if (!parseType(type))
    return nullptr;
  return std::make_unique<InputStmt>(loc, name, nameLoc, std::move(type));
}

/// paramStmt ::= 'param' IDENT ':' type '=' IDENT ('(' args ')')?
std::unique_ptr<Stmt> Parser::parseParam() {
  SMLoc loc = tok.getLoc();
  consume(); // 'param'
  StringRef name = tok.text;
  SMLoc nameLoc = tok.getLoc();
  if (!expect(Tok::Ident, "after 'param'") ||
      !expect(Tok::Colon, ("after param '" + name + "'").str()))
    return nullptr;
  TensorType type;
  if (!parseType(type))
    return nullptr;
  if (!expect(Tok::Equal, ("and an initializer after the type of param '" +
                           name + "'")
                              .str()))
    return nullptr;
  std::unique_ptr<CallExpr> init = parseNamedCall("an initializer");
  if (!init)
    return nullptr;
  return std::make_unique<ParamStmt>(loc, name, nameLoc, std::move(type),
                                     std::move(init));
}

/// letStmt ::= IDENT '=' expr
/// inferStmt ::= 'infer' letStmt
std::unique_ptr<Stmt> Parser::parseLet(SMLoc loc, bool isInfer) {
  StringRef name = tok.text;
  SMLoc nameLoc = tok.getLoc();
  if (!tok.is(Tok::Ident)) {
    errorExpected("a name after 'infer'");
    return nullptr;
  }
  consume();
  std::unique_ptr<Expr> value = parseAssignedValue(name);
  if (!value)
    return nullptr;
  return std::make_unique<LetStmt>(loc, name, nameLoc, std::move(value),
                                   isInfer);
}

/// '=' expr, after `what` (a name, or `emit NAME`): the value, or null after an error.
std::unique_ptr<Expr> Parser::parseAssignedValue(const llvm::Twine &what) {
  if (!tok.is(Tok::Equal)) {
    if (!tok.is(Tok::Error))
      diags.error(tok.getLoc(), "expected '=' after '" + what + "', found " + describe(tok));
    return nullptr;
  }
  consume();
  return parseExpr();
}

/// returnStmt ::= 'return' expr
std::unique_ptr<Stmt> Parser::parseReturn() {
  SMLoc loc = tok.getLoc();
  consume(); // 'return'
  std::unique_ptr<Expr> value = parseExpr();
  if (!value)
    return nullptr;
  return std::make_unique<ReturnStmt>(loc, std::move(value));
}

/// loopStmt ::= 'loop' INT 'steps' ('with' IDENT '=' expr (',' IDENT '=' expr)*)?
///              '{' stmt* '}'
std::unique_ptr<Stmt> Parser::parseLoop() {
  const char *start = tok.text.data();
  std::unique_ptr<Stmt> loop = parseLoopHeaderAndBody();
  if (loop || tok.text.data() == start)
    return loop;
  // After an error in the header, skip the body too (its '}' must not close the
  // model): to the '{' on the header's lines, then to its matching '}'.
  while (!tok.is(Tok::Eof) && !tok.is(Tok::LBrace) && !(tok.atLineStart && startsStmt(tok)))
    consume();
  if (!tok.is(Tok::LBrace))
    return nullptr;
  unsigned depth = 0;
  do {
    if (tok.is(Tok::LBrace))
      ++depth;
    else if (tok.is(Tok::RBrace))
      --depth;
    consume();
  } while (depth > 0 && !tok.is(Tok::Eof) && !tok.is(Tok::KwModel) && !tok.is(Tok::KwFn));
  return nullptr;
}

std::unique_ptr<Stmt> Parser::parseLoopHeaderAndBody() {
  SMLoc loc = tok.getLoc();
  consume(); // 'loop'
  SMLoc stepsLoc = tok.getLoc();
  int64_t steps = 0;
  if (!tok.is(Tok::Int)) {
    if (tok.is(Tok::Ident))
      diags.error(tok.getLoc(), "the number of steps of a loop must be an integer, "
                                "found '" + tok.text + "'");
    else
      errorExpected("the number of steps (an integer) after 'loop'");
    return nullptr;
  }
  if (tok.text.getAsInteger(10, steps) || steps > int64_t(INT32_MAX)) {
    diags.error(tok.getLoc(), "a loop of '" + tok.text + "' steps is too long (the "
                              "limit is 2^31 - 1)");
    return nullptr;
  }
  if (steps == 0) {
    diags.error(tok.getLoc(), "a loop must run at least one step, found '0'");
    return nullptr;
  }
  consume();
  if (!tok.isIdent("steps")) {
    errorExpected("'steps' after the number of steps");
    return nullptr;
  }
  consume();
  std::vector<std::unique_ptr<LetStmt>> carried;
  if (consumeIf(Tok::KwWith)) {
    do {
      StringRef name = tok.text;
      SMLoc nameLoc = tok.getLoc();
      if (!tok.is(Tok::Ident)) {
        errorExpected("the name of a carried value");
        return nullptr;
      }
      consume();
      if (!expect(Tok::Equal, ("and its initial value after '" + name + "'").str()))
        return nullptr;
      std::unique_ptr<Expr> init = parseExpr();
      if (!init)
        return nullptr;
      carried.push_back(std::make_unique<LetStmt>(nameLoc, name, nameLoc,
                                                  std::move(init), false));
    } while (consumeIf(Tok::Comma));
  }
  if (loopDepth >= kMaxLoopDepth) {
    diags.error(loc, "loops nested too deeply (the limit is " +
                         llvm::Twine(kMaxLoopDepth) + " levels)");
    return nullptr;
  }
  SMLoc openLoc = tok.getLoc();
  if (!expect(Tok::LBrace, "to begin the loop's body"))
    return nullptr;
  ++loopDepth;
  auto leave = llvm::make_scope_exit([&] { --loopDepth; });
  StmtList body;
  while (!tok.is(Tok::RBrace) && !diags.shouldStop()) {
    if (tok.is(Tok::Eof) || tok.is(Tok::KwModel) || tok.is(Tok::KwFn)) {
      errorExpected("'}' to end the loop's body");
      diags.note(openLoc, "'{' opened here");
      return nullptr;
    }
    const char *start = tok.text.data();
    std::unique_ptr<Stmt> stmt = parseStmt();
    if (stmt && !tok.atLineStart && !tok.is(Tok::RBrace) && !tok.is(Tok::Eof)) {
      errorExpected("end of line after the statement");
      stmt = nullptr;
    }
    if (stmt)
      body.push_back(std::move(stmt));
    else
      skipToNextStmt(start);
  }
  if (diags.shouldStop())
    return nullptr;
  SMLoc endLoc = tok.getLoc();
  consume(); // '}'
  return std::make_unique<LoopStmt>(loc, steps, stepsLoc, std::move(carried),
                                    std::move(body), endLoc);
}

/// emitStmt ::= 'emit' IDENT '=' expr
std::unique_ptr<Stmt> Parser::parseEmit() {
  SMLoc loc = tok.getLoc();
  consume(); // 'emit'
  StringRef name = tok.text;
  SMLoc nameLoc = tok.getLoc();
  consume(); // the name (an identifier: parseStmt checked)
  std::unique_ptr<Expr> value = parseAssignedValue("emit " + name);
  if (!value)
    return nullptr;
  return std::make_unique<EmitStmt>(loc, name, nameLoc, std::move(value));
}

/// type ::= ('f32' | 'i32') '[' (dim (',' dim)*)? ']'
/// dim  ::= INT | IDENT
bool Parser::parseType(TensorType &type) {
  type.loc = tok.getLoc();
  if (tok.isIdent("f32")) {
    type.dtype = DType::F32;
  } else if (tok.isIdent("i32")) {
    type.dtype = DType::I32;
  } else if (tok.is(Tok::Ident)) {
    return diags.error(tok.getLoc(), "unknown element type '" + tok.text +
                                         "'; expected 'f32' or 'i32'");
  } else {
    return errorExpected("a tensor type such as 'f32[B, 10]'");
  }
  consume();
  if (!expect(Tok::LBracket, "after the element type"))
    return false;
  if (consumeIf(Tok::RBracket))
    return true;
  do {
    Dim dim;
    dim.loc = tok.getLoc();
    if (tok.is(Tok::Ident)) {
      dim.symbol = tok.text.str();
    } else if (tok.is(Tok::Int)) {
      if (tok.text.getAsInteger(10, dim.size) || dim.size <= 0 ||
          dim.size > nn::kMaxElements)
        return diags.error(tok.getLoc(), "dimension '" + tok.text +
                                             "' must be a positive integer "
                                             "at most " +
                                             llvm::Twine(nn::kMaxElements));
    } else {
      return errorExpected("a dimension (an integer or a name)");
    }
    consume();
    type.dims.push_back(std::move(dim));
  } while (consumeIf(Tok::Comma));
  return expect(Tok::RBracket, "after the dimensions");
}

/// namedCall ::= IDENT ('(' args ')')?
/// Used for optimizers and initializers, where parentheses are optional.
std::unique_ptr<CallExpr> Parser::parseNamedCall(StringRef what) {
  if (!tok.is(Tok::Ident)) {
    errorExpected(what);
    return nullptr;
  }
  StringRef name = tok.text;
  SMLoc loc = tok.getLoc();
  consume();
  std::vector<std::unique_ptr<Expr>> args;
  std::vector<KeywordArg> kwargs;
  if (tok.is(Tok::LParen) && !parseCallArgs(args, kwargs))
    return nullptr;
  return std::make_unique<CallExpr>(loc, name, std::move(args),
                                    std::move(kwargs));
}

/// trainStmt ::= 'train' IDENT? 'minimize' expr 'with' namedCall clause*
std::unique_ptr<Stmt> Parser::parseTrain() {
  SMLoc loc = tok.getLoc();
  consume(); // 'train'
  StringRef name = "train";
  SMLoc nameLoc = loc;
  if (tok.is(Tok::Ident)) {
    name = tok.text;
    nameLoc = tok.getLoc();
    consume();
  }
  if (!tok.is(Tok::KwMinimize)) {
    errorExpected("'minimize' after 'train'");
    return nullptr;
  }
  consume();
  std::unique_ptr<Expr> loss = parseExpr();
  if (!loss)
    return nullptr;
  if (!tok.is(Tok::KwWith)) {
    errorExpected("'with' and an optimizer after the minimized expression");
    return nullptr;
  }
  consume();
  std::unique_ptr<CallExpr> optimizer = parseNamedCall("an optimizer");
  if (!optimizer)
    return nullptr;
  auto train = std::make_unique<TrainStmt>(loc, name, nameLoc, std::move(loss),
                                           std::move(optimizer));
  // Clause words are contextual: `data = ...` on the next line is a let.
  while (tok.is(Tok::Ident) && !next.is(Tok::Equal) &&
         llvm::is_contained(
             llvm::ArrayRef<StringRef>{"batch", "epochs", "data", "seed",
                                       "schedule", "warmup", "micro_batch", "over"},
             tok.text))
    if (!parseTrainClause(*train))
      return nullptr;
  return train;
}

/// clause ::= 'batch' INT | 'epochs' INT | 'seed' INT | 'data' IDENT data-options?
///          | 'schedule' ('constant' | 'linear' | 'cosine') | 'warmup' INT
///          | 'micro_batch' INT | 'over' IDENT (',' IDENT)*
bool Parser::parseTrainClause(TrainStmt &train) {
  StringRef word = tok.text;
  SMLoc loc = tok.getLoc();
  auto duplicate = [&](SMLoc previous) {
    diags.error(loc, "duplicate '" + word + "' clause");
    diags.note(previous, "previous '" + word + "' clause is here");
    return false;
  };
  if (word == "batch" || word == "epochs" || word == "seed" || word == "micro_batch") {
    IntClause &clause = word == "batch"    ? train.batch
                        : word == "epochs" ? train.epochs
                        : word == "seed"   ? train.seed
                                           : train.microBatch;
    if (clause.value)
      return duplicate(clause.loc);
    clause.loc = loc;
    consume();
    return parseIntClause(clause);
  }
  if (word == "warmup") {
    if (train.warmup.value)
      return duplicate(train.warmup.loc);
    train.warmup.loc = loc;
    consume();
    return parseWarmupClause(train.warmup);
  }
  if (word == "data" || word == "schedule") {
    NameClause &clause = word == "data" ? train.data : train.schedule;
    if (!clause.value.empty())
      return duplicate(clause.loc);
    clause.loc = loc;
    consume();
    if (!tok.is(Tok::Ident))
      return errorExpected(word == "data" ? "a data set name after 'data'"
                                          : "a learning-rate schedule after 'schedule'");
    // The schedules of nnrt_schedule (runtime/include/nnrt/model.h) and the data sets
    // the runtime's driver loads (runtime/driver/Flags.cpp). A wrong name is reported
    // and the rest of the statement still parsed.
    if (word == "schedule" &&
        !llvm::is_contained(llvm::ArrayRef<StringRef>{"constant", "linear", "cosine"},
                            tok.text))
      diags.error(tok.getLoc(), "unknown learning-rate schedule '" + tok.text +
                                    "'; expected constant, linear or cosine");
    else if (word == "data" &&
             !llvm::is_contained(
                 llvm::ArrayRef<StringRef>{"fashion_mnist", "fortunes", "fortunes_lm",
                                           "dates"},
                 tok.text))
      diags.error(tok.getLoc(), "unknown data set '" + tok.text +
                                    "'; expected fashion_mnist, fortunes, fortunes_lm or dates");
    clause.value = tok.text.str();
    consume();
    if (word == "data" && tok.is(Tok::LParen))
      return parseDataOptions(train);
    return true;
  }
  // 'over'
  if (!train.over.empty())
    return duplicate(train.over.front().second);
  consume();
  do {
    if (!tok.is(Tok::Ident))
      return errorExpected("a parameter or layer name after 'over'");
    train.over.emplace_back(tok.text.str(), tok.getLoc());
    consume();
  } while (consumeIf(Tok::Comma));
  return true;
}

/// data-options ::= '(' (IDENT '=' (INT | STRING | IDENT)) (',' ...)* ')'
/// Sema checks the keys and values against the data set (SemaData.cpp).
bool Parser::parseDataOptions(TrainStmt &train) {
  consume(); // '('
  if (consumeIf(Tok::RParen))
    return true;
  do {
    if (!tok.is(Tok::Ident))
      return errorExpected("a data option name (e.g. 'vocab')");
    DataOption option;
    option.key = tok.text.str();
    option.keyLoc = tok.getLoc();
    consume();
    if (!consumeIf(Tok::Equal))
      return errorExpected("'=' after data option '" + option.key + "'");
    option.valueLoc = tok.getLoc();
    if (tok.is(Tok::String)) {
      option.kind = DataOption::Kind::String;
      option.value = tok.text.drop_front().drop_back().str();
    } else if (tok.is(Tok::Int)) {
      option.kind = DataOption::Kind::Int;
      option.value = tok.text.str();
    } else if (tok.is(Tok::Ident)) {
      option.kind = DataOption::Kind::Ident;
      option.value = tok.text.str();
    } else {
      return errorExpected("an integer or a string for data option '" + option.key + "'");
    }
    consume();
    train.dataOptions.push_back(std::move(option));
  } while (consumeIf(Tok::Comma));
  if (!consumeIf(Tok::RParen))
    return errorExpected("',' or ')' in the data options");
  return true;
}

bool Parser::parseIntClause(IntClause &clause) {
  StringRef word(clause.loc.getPointer());
  word = word.take_while([](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  int64_t value = 0;
  if (!tok.is(Tok::Int))
    return errorExpected(("an integer after '" + word + "'").str());
  // A value out of range is reported and the statement parsed on, so that later
  // errors in it are still reported.
  if (tok.text.getAsInteger(10, value) || value > (int64_t(1) << 40))
    diags.error(tok.getLoc(), "integer '" + tok.text + "' is too large for '" + word +
                                  "' (the limit is 2^40)");
  else if (value == 0 && word != "seed")
    diags.error(tok.getLoc(), "'" + word + "' must be positive, found '0'");
  else if (word == "micro_batch" && value > INT32_MAX) // nnrt_iteration_step's int32_t
    diags.error(tok.getLoc(), "integer '" + tok.text +
                                  "' is too large for 'micro_batch' (the limit is 2^31 - 1)");
  else
    clause.value = value;
  consume();
  return true;
}

/// The steps of `warmup N`: an integer in [0, 2^31 - 1] (nnrt_train_config's
/// warmup_steps). A sign or a fraction is reported with the value as written and the
/// statement parsed on, as a value out of range is.
bool Parser::parseWarmupClause(IntClause &clause) {
  SMLoc valueLoc = tok.getLoc();
  if (tok.is(Tok::Minus) && (next.is(Tok::Int) || next.is(Tok::Float))) {
    diags.error(valueLoc, "'warmup' must be zero or more steps, found '-" + next.text + "'");
    consume();
    consume();
    return true;
  }
  if (tok.is(Tok::Float)) {
    diags.error(valueLoc, "'warmup' must be a whole number of steps, found '" + tok.text + "'");
    consume();
    return true;
  }
  if (!tok.is(Tok::Int))
    return errorExpected("an integer after 'warmup'");
  int64_t value = 0;
  if (tok.text.getAsInteger(10, value) || value > INT32_MAX)
    diags.error(valueLoc, "integer '" + tok.text +
                              "' is too large for 'warmup' (the limit is 2^31 - 1)");
  else
    clause.value = value;
  consume();
  return true;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// Reports an error and returns false when `depth` exceeds the limit.
bool Parser::checkDepth(unsigned depth, SMLoc loc) {
  if (depth <= kMaxExprDepth)
    return true;
  return diags.error(loc, "expression nested too deeply (the limit is " +
                              llvm::Twine(kMaxExprDepth) + " levels)");
}

/// expr ::= additive
std::unique_ptr<Expr> Parser::parseExpr() {
  if (!checkDepth(recursion + 1, tok.getLoc()))
    return nullptr;
  ++recursion;
  std::unique_ptr<Expr> expr = parseBinary(0);
  --recursion;
  return expr;
}

/// Returns the precedence level of a binary operator token, or -1.
static int getBinaryLevel(Tok kind) {
  switch (kind) {
  case Tok::Plus:
  case Tok::Minus:
    return 0;
  case Tok::Star:
  case Tok::Slash:
  case Tok::At:
    return 1;
  default:
    return -1;
  }
}

/// additive ::= term (('+' | '-') term)*
/// term     ::= unary (('*' | '/' | '@') unary)*
std::unique_ptr<Expr> Parser::parseBinary(unsigned level) {
  std::unique_ptr<Expr> lhs = level == 1 ? parseUnary() : parseBinary(1);
  if (!lhs)
    return nullptr;
  unsigned depth = lastDepth;
  while (getBinaryLevel(tok.kind) == int(level) && !atEndOfLine()) {
    char op = tok.text.front();
    SMLoc opLoc = tok.getLoc();
    consume();
    std::unique_ptr<Expr> rhs = level == 1 ? parseUnary() : parseBinary(1);
    if (!rhs)
      return nullptr;
    depth = std::max(depth, lastDepth) + 1;
    if (!checkDepth(depth, opLoc))
      return nullptr;
    lhs = std::make_unique<BinaryExpr>(opLoc, op, std::move(lhs),
                                       std::move(rhs));
  }
  lastDepth = depth;
  return lhs;
}

/// unary ::= '-' unary | primary
std::unique_ptr<Expr> Parser::parseUnary() {
  if (!tok.is(Tok::Minus))
    return parsePrimary();
  SMLoc loc = tok.getLoc();
  if (!checkDepth(recursion + 1, loc))
    return nullptr;
  consume();
  ++recursion;
  std::unique_ptr<Expr> operand = parseUnary();
  --recursion;
  if (!operand)
    return nullptr;
  ++lastDepth;
  return std::make_unique<UnaryExpr>(loc, '-', std::move(operand));
}

/// primary ::= NUMBER | STRING | 'true' | 'false' | IDENT | call
///           | '(' expr ')' | list
std::unique_ptr<Expr> Parser::parsePrimary() {
  if (atEndOfLine() && !tok.is(Tok::Error)) {
    diags.error(SMLoc::getFromPointer(prevEnd),
                "expected an expression before the end of the line (wrap a "
                "multi-line expression in parentheses)");
    return nullptr;
  }
  switch (tok.kind) {
  case Tok::Int:
  case Tok::Float:
    return parseNumber();
  case Tok::String: {
    auto expr = std::make_unique<StringExpr>(tok.getLoc(),
                                             tok.text.drop_front().drop_back());
    consume();
    lastDepth = 1;
    return expr;
  }
  case Tok::Ident:
    return parseIdentOrCall();
  case Tok::LBracket:
    return parseList();
  case Tok::LParen: {
    SMLoc openLoc = tok.getLoc();
    consume();
    ++nesting;
    std::unique_ptr<Expr> expr = parseExpr();
    --nesting;
    if (!expr)
      return nullptr;
    if (!tok.is(Tok::RParen)) {
      errorExpected("')'");
      diags.note(openLoc, "to match this '('");
      return nullptr;
    }
    consume();
    return expr;
  }
  default:
    errorExpected("an expression");
    return nullptr;
  }
}

/// NUMBER ::= INT | FLOAT
std::unique_ptr<Expr> Parser::parseNumber() {
  SMLoc loc = tok.getLoc();
  StringRef text = tok.text;
  bool isInteger = tok.is(Tok::Int);
  int64_t intValue = 0;
  if (isInteger && text.getAsInteger(10, intValue)) {
    diags.error(loc, "integer literal '" + text + "' is too large");
    return nullptr;
  }
  double value = isInteger ? double(intValue)
                           : std::strtod(text.str().c_str(), nullptr);
  if (!std::isfinite(value)) {
    diags.error(loc, "number literal '" + text + "' is out of range");
    return nullptr;
  }
  consume();
  lastDepth = 1;
  return std::make_unique<NumberExpr>(loc, text, isInteger, intValue, value);
}

/// call ::= IDENT '(' args ')'
std::unique_ptr<Expr> Parser::parseIdentOrCall() {
  StringRef name = tok.text;
  SMLoc loc = tok.getLoc();
  consume();
  if (!tok.is(Tok::LParen)) {
    lastDepth = 1;
    if (name == "true" || name == "false")
      return std::make_unique<BoolExpr>(loc, name == "true");
    return std::make_unique<IdentExpr>(loc, name);
  }
  std::vector<std::unique_ptr<Expr>> args;
  std::vector<KeywordArg> kwargs;
  if (!parseCallArgs(args, kwargs))
    return nullptr;
  return std::make_unique<CallExpr>(loc, name, std::move(args),
                                    std::move(kwargs));
}

/// args ::= '(' (arg (',' arg)*)? ')'
/// arg  ::= expr | IDENT '=' expr
/// Keyword arguments follow positional ones. Sets lastDepth.
bool Parser::parseCallArgs(std::vector<std::unique_ptr<Expr>> &args,
                           std::vector<KeywordArg> &kwargs) {
  SMLoc openLoc = tok.getLoc();
  consume(); // '('
  unsigned depth = 0;
  ++nesting;
  auto restore = llvm::make_scope_exit([&] { --nesting; });
  if (!tok.is(Tok::RParen)) {
    do {
      if (tok.is(Tok::Ident) && next.is(Tok::Equal)) {
        KeywordArg kwarg{tok.text.str(), tok.getLoc(), nullptr};
        consume();
        consume();
        if (!(kwarg.value = parseExpr()))
          return false;
        kwargs.push_back(std::move(kwarg));
      } else {
        SMLoc argLoc = tok.getLoc();
        std::unique_ptr<Expr> arg = parseExpr();
        if (!arg)
          return false;
        if (!kwargs.empty())
          return diags.error(argLoc,
                             "positional argument after keyword argument '" +
                                 kwargs.back().name + "'");
        args.push_back(std::move(arg));
      }
      depth = std::max(depth, lastDepth);
    } while (consumeIf(Tok::Comma));
  }
  if (!tok.is(Tok::RParen)) {
    errorExpected("',' or ')' in argument list");
    diags.note(openLoc, "to match this '('");
    return false;
  }
  consume();
  lastDepth = depth + 1;
  return checkDepth(lastDepth, openLoc);
}

/// list ::= '[' (expr (',' expr)*)? ']'
std::unique_ptr<Expr> Parser::parseList() {
  SMLoc loc = tok.getLoc();
  consume(); // '['
  ++nesting;
  auto restore = llvm::make_scope_exit([&] { --nesting; });
  std::vector<std::unique_ptr<Expr>> elements;
  unsigned depth = 0;
  if (!tok.is(Tok::RBracket)) {
    do {
      std::unique_ptr<Expr> element = parseExpr();
      if (!element)
        return nullptr;
      depth = std::max(depth, lastDepth);
      elements.push_back(std::move(element));
    } while (consumeIf(Tok::Comma));
  }
  if (!tok.is(Tok::RBracket)) {
    errorExpected("',' or ']' in list");
    diags.note(loc, "to match this '['");
    return nullptr;
  }
  consume();
  lastDepth = depth + 1;
  if (!checkDepth(lastDepth, loc))
    return nullptr;
  return std::make_unique<ListExpr>(loc, std::move(elements));
}
