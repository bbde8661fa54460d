//===- Npy.cpp - NumPy .npy files (read and write) -----------------------===//
//
// Format: "\x93NUMPY", major, minor, header length (u16 in 1.0, u32 in 2.0), then a
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw data. Only '<f4'/'<i4' in C order.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <cstdlib>
#include <cstring>

using namespace nnrt;

static constexpr size_t kMaxNpyBytes = size_t(4) << 30;

namespace {

/// Parses the header dict; the grammar is a small subset of Python literals.
class NpyHeaderParser {
public:
  NpyHeaderParser(const std::string &text) : S(text) {}

  std::string Descr;
  bool HasDescr = false, HasOrder = false, HasShape = false, Fortran = false;
  std::vector<int64_t> Shape;
  std::string Error;

  /// header := '{' (key ':' value ',')* (key ':' value)? '}' ws*
  bool parse() {
    skip();
    if (!eat('{'))
      return error("expected '{'");
    for (;;) {
      skip();
      if (eat('}'))
        break;
      std::string key;
      if (!parseStr(key))
        return error("expected a quoted key");
      skip();
      if (!eat(':'))
        return error("expected ':'");
      skip();
      if (key == "descr") {
        if (!parseStr(Descr))
          return error("'descr' must be a string");
        HasDescr = true;
      } else if (key == "fortran_order") {
        if (S.compare(P, 4, "True") == 0) {
          Fortran = true;
          P += 4;
        } else if (S.compare(P, 5, "False") == 0) {
          P += 5;
        } else {
          return error("'fortran_order' must be True or False");
        }
        HasOrder = true;
      } else if (key == "shape") {
        if (!parseTuple())
          return false;
        HasShape = true;
      } else {
        return error(("unknown key '" + key + "'").c_str());
      }
      skip();
      if (eat(','))
        continue;
      skip();
      if (eat('}'))
        break;
      return error("expected ',' or '}'");
    }
    skip();
    if (P != S.size())
      return error("trailing characters after the dict");
    if (!HasDescr || !HasOrder || !HasShape)
      return error("the header needs 'descr', 'fortran_order' and 'shape'");
    return true;
  }

private:
  const std::string &S;
  size_t P = 0;

  bool error(const char *msg) {
    Error = format("bad .npy header at character %zu: %s", P, msg);
    return false;
  }
  void skip() {
    while (P < S.size() && (S[P] == ' ' || S[P] == '\n' || S[P] == '\t'))
      ++P;
  }
  bool eat(char c) {
    if (P < S.size() && S[P] == c) {
      ++P;
      return true;
    }
    return false;
  }
  bool parseStr(std::string &out) {
    if (P >= S.size() || (S[P] != '\'' && S[P] != '"'))
      return false;
    char q = S[P++];
    size_t end = S.find(q, P);
    if (end == std::string::npos)
      return false;
    out = S.substr(P, end - P);
    P = end + 1;
    return true;
  }
  /// tuple := '(' (int (',' int)* ','?)? ')'
  bool parseTuple() {
    if (!eat('('))
      return error("'shape' must be a tuple");
    for (;;) {
      skip();
      if (eat(')'))
        return true;
      if (P >= S.size() || S[P] < '0' || S[P] > '9')
        return error("shape entries must be non-negative integers");
      int64_t v = 0;
      while (P < S.size() && S[P] >= '0' && S[P] <= '9') {
        if (v > (int64_t(1) << 40))
          return error("shape entry too large");
        v = v * 10 + (S[P++] - '0');
      }
      Shape.push_back(v);
      skip();
      if (eat(','))
        continue;
      skip();
      if (eat(')'))
        return true;
      return error("expected ',' or ')' in shape");
    }
  }
};

} // namespace

nnrt_status nnrt::parseNpy(const std::string &name, const uint8_t *bytes, size_t size,
                           nnrt_tensor *out, nnrt_error *err) {
  const char *path = name.c_str();
  out->data = nullptr;
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0)
    return fail(err, NNRT_ERR_FORMAT, "%s: not a .npy file (bad magic)", path);
  uint8_t major = bytes[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = bytes[8] | (size_t(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2) {
    if (size < 12)
      return fail(err, NNRT_ERR_FORMAT, "%s: truncated header", path);
    headerLen = bytes[8] | (size_t(bytes[9]) << 8) | (size_t(bytes[10]) << 16) |
                (size_t(bytes[11]) << 24);
    headerStart = 12;
  } else {
    return fail(err, NNRT_ERR_FORMAT, "%s: unsupported .npy version %d.%d (need 1.0 or 2.0)",
                path, major, bytes[7]);
  }
  if (headerLen > size - headerStart)
    return fail(err, NNRT_ERR_FORMAT, "%s: header length %zu exceeds the file (%zu bytes)",
                path, headerLen, size);
  std::string header(reinterpret_cast<const char *>(&bytes[headerStart]), headerLen);
  NpyHeaderParser parser(header);
  if (!parser.parse())
    return fail(err, NNRT_ERR_FORMAT, "%s: %s", path, parser.Error.c_str());
  int32_t dtype;
  if (parser.Descr == "<f4")
    dtype = NNRT_F32;
  else if (parser.Descr == "<i4")
    dtype = NNRT_I32;
  else
    return fail(err, NNRT_ERR_FORMAT, "%s: unsupported dtype '%s' (only '<f4' and '<i4')",
                path, parser.Descr.c_str());
  if (parser.Fortran)
    return fail(err, NNRT_ERR_FORMAT, "%s: Fortran order is not supported (use C order)", path);
  if (parser.Shape.size() > NNRT_MAX_RANK)
    return fail(err, NNRT_ERR_FORMAT, "%s: rank %zu exceeds the maximum %d", path,
                parser.Shape.size(), NNRT_MAX_RANK);
  nnrt_shape shape{};
  shape.rank = int32_t(parser.Shape.size());
  for (size_t i = 0; i < parser.Shape.size(); ++i)
    shape.dims[i] = parser.Shape[i];
  int64_t n = numel(shape);
  if (n < 0)
    return fail(err, NNRT_ERR_FORMAT, "%s: %s", path, tooLarge(dtype, shape).c_str());
  size_t dataStart = headerStart + headerLen, dataBytes = size_t(n) * 4;
  if (size - dataStart != dataBytes)
    return fail(err, NNRT_ERR_FORMAT, "%s: data section has %zu bytes, shape %s needs %zu",
                path, size - dataStart, shapeString(shape).c_str(), dataBytes);
  void *data = std::aligned_alloc(kAlign, alignUp(dataBytes ? dataBytes : 1));
  if (!data)
    return fail(err, NNRT_ERR_OOM, "%s: cannot allocate %zu bytes", path, dataBytes);
  std::memcpy(data, bytes + dataStart, dataBytes);
  out->dtype = dtype;
  out->shape = shape;
  out->data = data;
  return NNRT_OK;
}

nnrt_status nnrt::npyHeader(const nnrt_tensor &t, std::string &head, nnrt_error *err) {
  if ((t.dtype != NNRT_F32 && t.dtype != NNRT_I32) || numel(t.shape) < 0 ||
      (numel(t.shape) > 0 && !t.data))
    return fail(err, NNRT_ERR_ARG, "bad tensor for .npy output");
  std::string dict = format("{'descr': '%s', 'fortran_order': False, 'shape': (",
                            t.dtype == NNRT_F32 ? "<f4" : "<i4");
  for (int32_t i = 0; i < t.shape.rank; ++i)
    dict += std::to_string(t.shape.dims[i]) + (t.shape.rank == 1 || i + 1 < t.shape.rank
                                                   ? ","
                                                   : "");
  dict += "), }";
  // Total header (10 bytes + dict + padding + '\n') is a multiple of 64.
  while ((10 + dict.size() + 1) % 64)
    dict += ' ';
  dict += '\n';
  head = "\x93NUMPY";
  head += char(1);
  head += char(0);
  head += char(dict.size() & 0xFF);
  head += char(dict.size() >> 8);
  head += dict;
  return NNRT_OK;
}

extern "C" nnrt_status nnrt_npy_read(const char *path, nnrt_tensor *out, nnrt_error *err) {
  if (!path || !out)
    return fail(err, NNRT_ERR_ARG, "path or out is NULL");
  out->data = nullptr;
  ByteArray bytes;
  std::string msg;
  nnrt_status s = readFile(path, bytes, kMaxNpyBytes, msg);
  if (s != NNRT_OK)
    return fail(err, s, "%s", msg.c_str());
  return parseNpy(path, bytes.data(), bytes.size(), out, err);
}

extern "C" nnrt_status nnrt_npy_write(const char *path, const nnrt_tensor *t, nnrt_error *err) {
  if (!path || !t)
    return fail(err, NNRT_ERR_ARG, "bad tensor for .npy output");
  std::string head;
  if (nnrt_status s = npyHeader(*t, head, err); s != NNRT_OK)
    return s;
  std::string msg;
  size_t bytes = size_t(numel(t->shape)) * 4;
  nnrt_status s = writeFileAtomic(path, head, {{t->data, bytes}}, msg);
  if (s != NNRT_OK)
    return fail(err, s, "%s", msg.c_str());
  return NNRT_OK;
}
