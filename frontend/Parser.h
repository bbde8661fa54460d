//===- Parser.h - Recursive-descent parser for .nn --------------*- C++ -*-===//
//
// Builds an ast::Module from tokens. Each parseX method has its grammar rule
// above it in Parser.cpp; docs/language.md has the whole grammar. After an
// error the parser skips to the next statement that begins a line, so one run
// reports several independent errors (up to DiagnosticEngine::kMaxErrors).
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_PARSER_H
#define NNC_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

#include "llvm/ADT/Twine.h"

namespace nnc {

/// Parses one buffer.
class Parser {
public:
  /// The maximum nesting depth of an expression tree.
  static constexpr unsigned kMaxExprDepth = 256;
  /// The maximum nesting depth of loops.
  static constexpr unsigned kMaxLoopDepth = 16;

  Parser(llvm::StringRef buffer, DiagnosticEngine &diags);

  /// Parses the whole buffer. Returns a module even when errors were
  /// reported (check the DiagnosticEngine); it then holds what parsed.
  std::unique_ptr<ast::Module> parseModule();

private:
  // Token stream.
  void consume();
  bool consumeIf(Tok kind);
  bool expect(Tok kind, llvm::StringRef context);
  bool errorExpected(llvm::StringRef what);
  std::string describe(const Token &tok) const;

  // Recovery.
  void skipToNextStmt(const char *stmtStart);
  void skipToNextDecl();

  // Declarations.
  std::unique_ptr<ast::Decl> parseModel();
  std::unique_ptr<ast::Decl> parseFn();
  bool parseBody(llvm::StringRef what, llvm::StringRef name,
                 ast::StmtList &body, llvm::SMLoc &endLoc);

  // Statements.
  std::unique_ptr<ast::Stmt> parseStmt();
  std::unique_ptr<ast::Stmt> parseInput();
  std::unique_ptr<ast::Stmt> parseParam();
  std::unique_ptr<ast::Stmt> parseLet(llvm::SMLoc loc, bool isInfer);
  std::unique_ptr<ast::Stmt> parseTrain();
  bool parseTrainClause(ast::TrainStmt &train);
  bool parseIntClause(ast::IntClause &clause);
  bool parseWarmupClause(ast::IntClause &clause);
  bool parseDataOptions(ast::TrainStmt &train);
  std::unique_ptr<ast::Stmt> parseReturn();
  std::unique_ptr<ast::Stmt> parseLoop();
  std::unique_ptr<ast::Stmt> parseLoopHeaderAndBody();
  std::unique_ptr<ast::Stmt> parseEmit();
  std::unique_ptr<ast::Expr> parseAssignedValue(const llvm::Twine &what);
  bool parseType(ast::TensorType &type);
  std::unique_ptr<ast::CallExpr> parseNamedCall(llvm::StringRef what);

  // Expressions.
  std::unique_ptr<ast::Expr> parseExpr();
  std::unique_ptr<ast::Expr> parseBinary(unsigned level);
  std::unique_ptr<ast::Expr> parseUnary();
  std::unique_ptr<ast::Expr> parsePrimary();
  std::unique_ptr<ast::Expr> parseNumber();
  std::unique_ptr<ast::Expr> parseIdentOrCall();
  std::unique_ptr<ast::Expr> parseList();
  bool parseCallArgs(std::vector<std::unique_ptr<ast::Expr>> &args,
                     std::vector<ast::KeywordArg> &kwargs);
  bool checkDepth(unsigned depth, llvm::SMLoc loc);

  Lexer lexer;
  DiagnosticEngine &diags;
  Token tok;  ///< The current token.
  Token next; ///< One token of lookahead.
  /// The end of the previously consumed token.
  const char *prevEnd = nullptr;
  /// Nesting depth of the expression returned last by a parse method.
  unsigned lastDepth = 0;
  /// Number of parse methods for expressions on the stack.
  unsigned recursion = 0;
  /// Number of loop bodies being parsed.
  unsigned loopDepth = 0;
  /// Number of open '(' and '[': inside them newlines are insignificant.
  unsigned nesting = 0;

  /// Returns true if the current token begins a new line outside brackets,
  /// which ends the expression being parsed.
  bool atEndOfLine() const { return tok.atLineStart && nesting == 0; }
};

} // namespace nnc

#endif // NNC_FRONTEND_PARSER_H
