//===- Lexer.cpp - Lexer for the .nn language -----------------------------===//

#include "frontend/Lexer.h"

#include "llvm/ADT/StringSwitch.h"

using namespace nnc;

llvm::StringRef nnc::getTokenSpelling(Tok kind) {
  switch (kind) {
  case Tok::Eof: return "end of file";
  case Tok::Error: return "invalid token";
  case Tok::Ident: return "identifier";
  case Tok::Int: return "integer";
  case Tok::Float: return "number";
  case Tok::String: return "string";
  case Tok::KwModel: return "'model'";
  case Tok::KwFn: return "'fn'";
  case Tok::KwInput: return "'input'";
  case Tok::KwParam: return "'param'";
  case Tok::KwInfer: return "'infer'";
  case Tok::KwTrain: return "'train'";
  case Tok::KwMinimize: return "'minimize'";
  case Tok::KwWith: return "'with'";
  case Tok::KwReturn: return "'return'";
  case Tok::LParen: return "'('";
  case Tok::RParen: return "')'";
  case Tok::LBracket: return "'['";
  case Tok::RBracket: return "']'";
  case Tok::LBrace: return "'{'";
  case Tok::RBrace: return "'}'";
  case Tok::Comma: return "','";
  case Tok::Colon: return "':'";
  case Tok::Equal: return "'='";
  case Tok::Plus: return "'+'";
  case Tok::Minus: return "'-'";
  case Tok::Star: return "'*'";
  case Tok::Slash: return "'/'";
  case Tok::At: return "'@'";
  }
  return "token";
}

static bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

Lexer::Lexer(llvm::StringRef buffer, DiagnosticEngine &diags)
    : cur(buffer.begin()), end(buffer.end()), diags(diags) {}

void Lexer::skipWhitespaceAndComments() {
  while (cur != end) {
    char c = *cur;
    if (c == '\n') {
      sawNewline = true;
      ++cur;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++cur;
    } else if (c == '#') {
      // Comments may hold any bytes up to the end of the line.
      while (cur != end && *cur != '\n')
        ++cur;
    } else {
      return;
    }
  }
}

Token Lexer::makeToken(Tok kind, const char *start) {
  Token tok;
  tok.kind = kind;
  tok.text = llvm::StringRef(start, cur - start);
  tok.atLineStart = sawNewline;
  sawNewline = false;
  return tok;
}

Token Lexer::lex() {
  skipWhitespaceAndComments();
  const char *start = cur;
  if (cur == end)
    return makeToken(Tok::Eof, start);
  char c = *cur;
  if (isIdentStart(c))
    return lexIdentifier(start);
  if (isDigit(c))
    return lexNumber(start);
  if (c == '"')
    return lexString(start);
  ++cur;
  switch (c) {
  case '(': return makeToken(Tok::LParen, start);
  case ')': return makeToken(Tok::RParen, start);
  case '[': return makeToken(Tok::LBracket, start);
  case ']': return makeToken(Tok::RBracket, start);
  case '{': return makeToken(Tok::LBrace, start);
  case '}': return makeToken(Tok::RBrace, start);
  case ',': return makeToken(Tok::Comma, start);
  case ':': return makeToken(Tok::Colon, start);
  case '=': return makeToken(Tok::Equal, start);
  case '+': return makeToken(Tok::Plus, start);
  case '-': return makeToken(Tok::Minus, start);
  case '*': return makeToken(Tok::Star, start);
  case '/': return makeToken(Tok::Slash, start);
  case '@': return makeToken(Tok::At, start);
  default:
    cur = start;
    return lexInvalid(start);
  }
}

Token Lexer::lexIdentifier(const char *start) {
  while (cur != end && isIdentChar(*cur))
    ++cur;
  llvm::StringRef word(start, cur - start);
  // Names become C symbols and file names (model, entry and kernel names): the
  // limit keeps every derived name well below a file name's 255 bytes.
  if (word.size() > kMaxIdentifierLength)
    diags.error(llvm::SMLoc::getFromPointer(start),
                "identifier is too long (" + llvm::Twine(word.size()) +
                    " characters; the limit is " + llvm::Twine(kMaxIdentifierLength) +
                    ")");
  Tok kind = llvm::StringSwitch<Tok>(word)
                 .Case("model", Tok::KwModel)
                 .Case("fn", Tok::KwFn)
                 .Case("input", Tok::KwInput)
                 .Case("param", Tok::KwParam)
                 .Case("infer", Tok::KwInfer)
                 .Case("train", Tok::KwTrain)
                 .Case("minimize", Tok::KwMinimize)
                 .Case("with", Tok::KwWith)
                 .Case("return", Tok::KwReturn)
                 .Default(Tok::Ident);
  return makeToken(kind, start);
}

/// number ::= digit+ ('.' digit+)? (('e'|'E') ('+'|'-')? digit+)?
Token Lexer::lexNumber(const char *start) {
  bool isFloat = false;
  while (cur != end && isDigit(*cur))
    ++cur;
  if (cur + 1 < end && *cur == '.' && isDigit(cur[1])) {
    isFloat = true;
    ++cur;
    while (cur != end && isDigit(*cur))
      ++cur;
  }
  if (cur != end && (*cur == 'e' || *cur == 'E')) {
    const char *exp = cur + 1;
    if (exp != end && (*exp == '+' || *exp == '-'))
      ++exp;
    if (exp != end && isDigit(*exp)) {
      isFloat = true;
      cur = exp;
      while (cur != end && isDigit(*cur))
        ++cur;
    }
  }
  return makeToken(isFloat ? Tok::Float : Tok::Int, start);
}

/// string ::= '"' (any byte except '"' and newline)* '"'
Token Lexer::lexString(const char *start) {
  ++cur;
  while (cur != end && *cur != '"' && *cur != '\n')
    ++cur;
  if (cur == end || *cur != '"') {
    diags.error(llvm::SMLoc::getFromPointer(start),
                "unterminated string literal");
    return makeToken(Tok::Error, start);
  }
  ++cur;
  return makeToken(Tok::String, start);
}

/// Reports one error for a run of invalid characters and skips all of them,
/// so that a binary file produces a handful of errors, not millions.
Token Lexer::lexInvalid(const char *start) {
  unsigned char c = static_cast<unsigned char>(*start);
  if (c >= 0x21 && c < 0x7f)
    diags.error(llvm::SMLoc::getFromPointer(start),
                llvm::Twine("invalid character '") + llvm::Twine(char(c)) +
                    "'");
  else if (c >= 0x80)
    diags.error(llvm::SMLoc::getFromPointer(start),
                llvm::Twine("invalid character (byte 0x") +
                    llvm::Twine::utohexstr(c) +
                    "); non-ASCII text is only allowed in comments and "
                    "strings");
  else
    diags.error(llvm::SMLoc::getFromPointer(start),
                llvm::Twine("invalid character (byte 0x") +
                    llvm::Twine::utohexstr(c) + ")");
  ++cur;
  while (cur != end) {
    char n = *cur;
    if (n == '\n' || n == ' ' || n == '\t' || n == '#' || isIdentChar(n) ||
        llvm::StringRef("()[]{},:=+-*/@\"").contains(n))
      break;
    ++cur;
  }
  return makeToken(Tok::Error, start);
}
