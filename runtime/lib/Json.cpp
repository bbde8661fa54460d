//===- Json.cpp - a small strict JSON reader for untrusted headers -------===//
//
// Recursive descent over RFC 8259's grammar; each parseX states its rule.
//
//===----------------------------------------------------------------------===//
#include "Json.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnrt;

const JsonValue *JsonValue::get(const std::string &key) const {
  for (auto &m : Members)
    if (m.first == key)
      return &m.second;
  return nullptr;
}

namespace {

constexpr int kMaxDepth = 64;
/// Values in one document: bounds the parser's memory (about 120 bytes per value) for a
/// header of any size (safetensors allows 100 MB).
constexpr size_t kMaxValues = size_t(1) << 20;

class JsonParser {
public:
  JsonParser(const char *text, size_t size) : P(text), Begin(text), End(text + size) {}

  bool parseDocument(JsonValue &out) {
    skipSpace();
    if (!parseValue(out, 0))
      return false;
    skipSpace();
    if (P != End)
      return error("unexpected trailing characters");
    return true;
  }

  std::string Error;

private:
  const char *P, *Begin, *End;
  size_t Values = 0;

  bool error(const char *msg) {
    char buf[128];
    snprintf(buf, sizeof(buf), "bad JSON at byte %zu: %s", size_t(P - Begin), msg);
    Error = buf;
    return false;
  }
  /// After an object member or array item: a ',' (Continue), the closing `close`
  /// (Closed), or else an error (Failed).
  enum { Continue, Closed, Failed };
  int afterItem(char close, const char *expected) {
    skipSpace();
    if (P < End && *P == ',') {
      ++P;
      skipSpace();
      return Continue;
    }
    if (P < End && *P == close) {
      ++P;
      return Closed;
    }
    error(expected);
    return Failed;
  }

  void skipSpace() {
    while (P < End && (*P == ' ' || *P == '\t' || *P == '\n' || *P == '\r'))
      ++P;
  }
  bool literal(const char *word) {
    size_t n = std::strlen(word);
    if (size_t(End - P) < n || std::memcmp(P, word, n) != 0)
      return error("invalid literal");
    P += n;
    return true;
  }

  /// value := object | array | string | number | true | false | null
  bool parseValue(JsonValue &v, int depth) {
    if (depth > kMaxDepth)
      return error("nesting too deep");
    if (++Values > kMaxValues)
      return error("more than 1048576 values");
    if (P == End)
      return error("unexpected end of input");
    switch (*P) {
    case '{':
      return parseObject(v, depth);
    case '[':
      return parseArray(v, depth);
    case '"':
      v.K = JsonValue::String;
      return parseString(v.Str);
    case 't':
      v.K = JsonValue::Bool;
      v.B = true;
      return literal("true");
    case 'f':
      v.K = JsonValue::Bool;
      return literal("false");
    case 'n':
      v.K = JsonValue::Null;
      return literal("null");
    default:
      return parseNumber(v);
    }
  }

  /// object := '{' ws (string ws ':' ws value ws (',' ws string ws ':' ws value ws)*)? '}'
  bool parseObject(JsonValue &v, int depth) {
    v.K = JsonValue::Object;
    ++P;
    skipSpace();
    if (P < End && *P == '}') {
      ++P;
      return true;
    }
    for (;;) {
      if (P == End || *P != '"')
        return error("expected a string key");
      std::string key;
      if (!parseString(key))
        return false;
      if (v.get(key))
        return error("duplicate key");
      skipSpace();
      if (P == End || *P != ':')
        return error("expected ':'");
      ++P;
      skipSpace();
      v.Members.emplace_back(std::move(key), JsonValue());
      if (!parseValue(v.Members.back().second, depth + 1))
        return false;
      if (int next = afterItem('}', "expected ',' or '}'"); next != Continue)
        return next == Closed;
    }
  }

  /// array := '[' ws (value ws (',' ws value ws)*)? ']'
  bool parseArray(JsonValue &v, int depth) {
    v.K = JsonValue::Array;
    ++P;
    skipSpace();
    if (P < End && *P == ']') {
      ++P;
      return true;
    }
    for (;;) {
      v.Items.emplace_back();
      if (!parseValue(v.Items.back(), depth + 1))
        return false;
      if (int next = afterItem(']', "expected ',' or ']'"); next != Continue)
        return next == Closed;
    }
  }

  bool hex4(uint32_t &cp) {
    if (End - P < 4)
      return error("truncated \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i, ++P) {
      char c = *P;
      cp <<= 4;
      if (c >= '0' && c <= '9')
        cp |= c - '0';
      else if (c >= 'a' && c <= 'f')
        cp |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        cp |= c - 'A' + 10;
      else
        return error("bad hex digit in \\u escape");
    }
    return true;
  }

  static void appendUtf8(std::string &s, uint32_t cp) {
    if (cp < 0x80) {
      s += char(cp);
    } else if (cp < 0x800) {
      s += char(0xC0 | (cp >> 6));
      s += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += char(0xE0 | (cp >> 12));
      s += char(0x80 | ((cp >> 6) & 0x3F));
      s += char(0x80 | (cp & 0x3F));
    } else {
      s += char(0xF0 | (cp >> 18));
      s += char(0x80 | ((cp >> 12) & 0x3F));
      s += char(0x80 | ((cp >> 6) & 0x3F));
      s += char(0x80 | (cp & 0x3F));
    }
  }

  /// Appends the UTF-8 sequence at P (RFC 3629: no overlong forms, no surrogates, at most
  /// U+10FFFF) to `s` and moves past it; false if it is not one.
  bool utf8Sequence(std::string &s) {
    auto byte = [&](size_t i) { return (unsigned char)P[i]; };
    unsigned char c = byte(0);
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      lo = c == 0xE0 ? 0xA0 : 0x80;
      hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      lo = c == 0xF0 ? 0x90 : 0x80;
      hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
      return false;
    }
    if (size_t(End - P) < n || byte(1) < lo || byte(1) > hi)
      return false;
    for (size_t i = 2; i < n; ++i)
      if (byte(i) < 0x80 || byte(i) > 0xBF)
        return false;
    s.append(P, n);
    P += n;
    return true;
  }

  /// string := '"' (unescaped | '\' ["\/bfnrt] | '\u' hex4)* '"'
  bool parseString(std::string &s) {
    ++P;
    for (;;) {
      if (P == End)
        return error("unterminated string");
      unsigned char c = *P++;
      if (c == '"')
        return true;
      if (c < 0x20)
        return error("control character in string");
      if (c >= 0x80) {
        --P;
        if (!utf8Sequence(s))
          return error("invalid UTF-8 in string");
        continue;
      }
      if (c != '\\') {
        s += char(c);
        continue;
      }
      if (P == End)
        return error("unterminated escape");
      char e = *P++;
      switch (e) {
      case '"': s += '"'; break;
      case '\\': s += '\\'; break;
      case '/': s += '/'; break;
      case 'b': s += '\b'; break;
      case 'f': s += '\f'; break;
      case 'n': s += '\n'; break;
      case 'r': s += '\r'; break;
      case 't': s += '\t'; break;
      case 'u': {
        uint32_t cp;
        if (!hex4(cp))
          return false;
        if (cp >= 0xD800 && cp < 0xDC00) {
          uint32_t lo;
          if (End - P < 2 || P[0] != '\\' || P[1] != 'u')
            return error("unpaired surrogate");
          P += 2;
          if (!hex4(lo))
            return false;
          if (lo < 0xDC00 || lo >= 0xE000)
            return error("unpaired surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          return error("unpaired surrogate");
        }
        appendUtf8(s, cp);
        break;
      }
      default:
        --P;
        return error("bad escape");
      }
    }
  }

  /// number := '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool parseNumber(JsonValue &v) {
    const char *start = P;
    bool integer = true, overflow = false;
    uint64_t u = 0;
    if (P < End && *P == '-') {
      ++P;
      integer = false;
    }
    if (P == End || !(*P >= '0' && *P <= '9'))
      return error("expected a value");
    if (*P == '0') {
      ++P;
    } else {
      while (P < End && *P >= '0' && *P <= '9') {
        uint64_t d = uint64_t(*P++ - '0');
        if (u > (UINT64_MAX - d) / 10)
          overflow = true;
        u = u * 10 + d;
      }
    }
    if (P < End && *P == '.') {
      integer = false;
      ++P;
      if (P == End || !(*P >= '0' && *P <= '9'))
        return error("expected a digit after '.'");
      while (P < End && *P >= '0' && *P <= '9')
        ++P;
    }
    if (P < End && (*P == 'e' || *P == 'E')) {
      integer = false;
      ++P;
      if (P < End && (*P == '+' || *P == '-'))
        ++P;
      if (P == End || !(*P >= '0' && *P <= '9'))
        return error("expected a digit in exponent");
      while (P < End && *P >= '0' && *P <= '9')
        ++P;
    }
    v.K = JsonValue::Number;
    v.IsUInt = integer && !overflow;
    v.UInt = u;
    v.Num = std::strtod(std::string(start, P).c_str(), nullptr);
    return true;
  }
};

} // namespace

bool nnrt::parseJson(const char *text, size_t size, JsonValue &out, std::string &error) {
  JsonParser parser(text, size);
  out = JsonValue();
  if (parser.parseDocument(out))
    return true;
  error = parser.Error;
  return false;
}

void nnrt::appendJsonString(std::string &out, const std::string &s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  out += '"';
}
