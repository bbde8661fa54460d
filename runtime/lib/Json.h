//===- Json.h - a small strict JSON reader for untrusted headers ---------===//
//
// Enough JSON for safetensors headers: RFC 8259 grammar, no extensions, duplicate keys
// rejected, nesting depth limited. Errors name the byte offset.
//
//===----------------------------------------------------------------------===//
#ifndef NNRT_LIB_JSON_H
#define NNRT_LIB_JSON_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nnrt {

struct JsonValue {
  enum Kind { Null, Bool, Number, String, Array, Object } K = Null;
  bool B = false;
  double Num = 0;
  bool IsUInt = false; ///< an integer literal without sign, fraction or exponent
  uint64_t UInt = 0;
  std::string Str;
  std::vector<JsonValue> Items;
  std::vector<std::pair<std::string, JsonValue>> Members;

  /// The member named `key` of an object, or nullptr.
  const JsonValue *get(const std::string &key) const;
};

/// Parses `text[0, size)` as one JSON value. On failure returns false and sets `error`.
bool parseJson(const char *text, size_t size, JsonValue &out, std::string &error);

/// Appends `s` as a JSON string literal (with quotes) to `out`.
void appendJsonString(std::string &out, const std::string &s);

} // namespace nnrt

#endif // NNRT_LIB_JSON_H
