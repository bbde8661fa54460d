//===- Lexer.h - Lexer for the .nn language ---------------------*- C++ -*-===//
//
// Splits a source buffer into tokens. Newlines are not tokens; instead each
// token records whether it is the first on its line, which the parser uses to
// resynchronise after an error. Runs in linear time over any byte sequence.
//
//===----------------------------------------------------------------------===//

#ifndef NNC_FRONTEND_LEXER_H
#define NNC_FRONTEND_LEXER_H

#include "frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>

namespace nnc {

/// The kinds of tokens. Keywords are reserved words; the train clause words
/// (batch, epochs, data, seed, schedule, warmup, over), f32/i32, true/false are identifiers.
enum class Tok {
  Eof,
  Error, ///< An invalid character or malformed literal (already diagnosed).
  Ident,
  Int,
  Float,
  String,
  // Keywords.
  KwModel,
  KwFn,
  KwInput,
  KwParam,
  KwInfer,
  KwTrain,
  KwMinimize,
  KwWith,
  KwReturn,
  // Punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equal,
  Plus,
  Minus,
  Star,
  Slash,
  At,
};

/// Returns a printable spelling of a token kind for diagnostics ("'('",
/// "identifier", ...).
llvm::StringRef getTokenSpelling(Tok kind);

/// One token. `text` points into the source buffer (string tokens include
/// their quotes).
struct Token {
  Tok kind = Tok::Eof;
  llvm::StringRef text;
  bool atLineStart = false;

  llvm::SMLoc getLoc() const { return llvm::SMLoc::getFromPointer(text.data()); }
  bool is(Tok k) const { return kind == k; }
  /// Returns true for an identifier spelled `word` (contextual keywords).
  bool isIdent(llvm::StringRef word) const {
    return kind == Tok::Ident && text == word;
  }
};

/// The longest identifier (and layer name): names become C symbols and file names.
constexpr size_t kMaxIdentifierLength = 64;

/// Produces tokens from a buffer on demand.
class Lexer {
public:
  /// `buffer` must stay alive while tokens are in use.
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diags);

  /// Lexes and returns the next token.
  Token lex();

private:
  void skipWhitespaceAndComments();
  Token makeToken(Tok kind, const char *start);
  Token lexIdentifier(const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token lexInvalid(const char *start);

  const char *cur;
  const char *end;
  DiagnosticEngine &diags;
  bool sawNewline = true;
};

} // namespace nnc

#endif // NNC_FRONTEND_LEXER_H
