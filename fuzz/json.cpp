//===- json.cpp - fuzzes libnnrt's JSON reader ------------------------------===//
//
// The input is a JSON document for the strict reader behind safetensors headers. A
// document it accepts is written back (strings with appendJsonString, the writer
// checkpoints use) and must parse to the same value.
//
//===----------------------------------------------------------------------===//
#include "lib/Json.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using nnrt::JsonValue;

namespace {

/// Writes `v` as JSON (numbers as integers when they were, else with 17 digits).
void write(const JsonValue &v, std::string &out) {
  switch (v.K) {
  case JsonValue::Null:
    out += "null";
    return;
  case JsonValue::Bool:
    out += v.B ? "true" : "false";
    return;
  case JsonValue::Number: {
    char buf[64];
    if (v.IsUInt)
      std::snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v.UInt);
    else if (std::isinf(v.Num))
      std::snprintf(buf, sizeof(buf), "%s", v.Num > 0 ? "1e999" : "-1e999");
    else
      std::snprintf(buf, sizeof(buf), "%.17g", v.Num);
    out += buf;
    return;
  }
  case JsonValue::String:
    nnrt::appendJsonString(out, v.Str);
    return;
  case JsonValue::Array:
    out += '[';
    for (size_t i = 0; i < v.Items.size(); ++i) {
      if (i)
        out += ',';
      write(v.Items[i], out);
    }
    out += ']';
    return;
  case JsonValue::Object:
    out += '{';
    for (size_t i = 0; i < v.Members.size(); ++i) {
      if (i)
        out += ',';
      nnrt::appendJsonString(out, v.Members[i].first);
      out += ':';
      write(v.Members[i].second, out);
    }
    out += '}';
    return;
  }
}

bool same(const JsonValue &a, const JsonValue &b) {
  if (a.K != b.K)
    return false;
  switch (a.K) {
  case JsonValue::Null:
    return true;
  case JsonValue::Bool:
    return a.B == b.B;
  case JsonValue::Number:
    // An integer literal past 2^64 is not IsUInt; its double may print as a smaller
    // integer (1e19 prints as 10000000000000000000), which then reads back as one.
    return (a.Num == b.Num || (std::isnan(a.Num) && std::isnan(b.Num))) &&
           (!a.IsUInt || (b.IsUInt && a.UInt == b.UInt));
  case JsonValue::String:
    return a.Str == b.Str;
  case JsonValue::Array:
    if (a.Items.size() != b.Items.size())
      return false;
    for (size_t i = 0; i < a.Items.size(); ++i)
      if (!same(a.Items[i], b.Items[i]))
        return false;
    return true;
  case JsonValue::Object:
    if (a.Members.size() != b.Members.size())
      return false;
    for (size_t i = 0; i < a.Members.size(); ++i)
      if (a.Members[i].first != b.Members[i].first ||
          !same(a.Members[i].second, b.Members[i].second))
        return false;
    return true;
  }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  JsonValue v;
  std::string error;
  if (!nnrt::parseJson(reinterpret_cast<const char *>(data), size, v, error)) {
    if (error.empty())
      __builtin_trap(); // a failure must say why
    return 0;
  }
  std::string text;
  write(v, text);
  JsonValue w;
  if (!nnrt::parseJson(text.data(), text.size(), w, error))
    __builtin_trap(); // what the writer wrote does not parse
  if (!same(v, w))
    __builtin_trap(); // the round trip changed the value
  return 0;
}
