//===- Safetensors.cpp - checkpoints in the safetensors format -----------===//
//
// Format: u64 little-endian header length N, N bytes of JSON
//   {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>", ...}}
// then the data section; offsets are relative to its start. Loading treats the file as
// untrusted: every check passes before any parameter is written.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "Json.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <sys/stat.h>

using namespace nnrt;

/// Largest header accepted (the format's reference implementation uses 100 MB).
static constexpr uint64_t kMaxHeader = 100u << 20;

/// Metadata keys that nnrt_save_safetensors writes itself.
static bool isReservedKey(const std::string &key) { return key == "format" || key == "model"; }

static const char *stDtype(int32_t dtype) { return dtype == NNRT_F32 ? "F32" : "I32"; }

namespace {
struct TensorInfo {
  std::string Dtype;
  std::vector<uint64_t> Shape;
  uint64_t Begin = 0, End = 0;
};

/// A safetensors file on disk.
class FileSource : public ByteSource {
public:
  FileSource(FILE *f, uint64_t size) : F(f), Size(size) {}
  uint64_t size() const override { return Size; }
  bool read(uint64_t offset, void *dst, size_t n) override {
    return offset <= uint64_t(INT64_MAX) && fseeko(F, off_t(offset), SEEK_SET) == 0 &&
           std::fread(dst, 1, n, F) == n;
  }

private:
  FILE *F;
  uint64_t Size;
};
} // namespace

/// Bytes per element of a safetensors dtype, or 0 for one this reader does not know.
static uint64_t dtypeBytes(const std::string &d) {
  static const struct {
    const char *Name;
    uint64_t Bytes;
  } kinds[] = {{"BOOL", 1}, {"U8", 1},   {"I8", 1},   {"F8_E5M2", 1}, {"F8_E4M3", 1},
               {"I16", 2},  {"U16", 2},  {"F16", 2},  {"BF16", 2},    {"I32", 4},
               {"U32", 4},  {"F32", 4},  {"F64", 8},  {"I64", 8},     {"U64", 8}};
  for (auto &k : kinds)
    if (d == k.Name)
      return k.Bytes;
  return 0;
}

/// Checks one tensor entry of the header and records it.
static std::string parseTensor(const std::string &name, const JsonValue &v, uint64_t dataSize,
                               TensorInfo &info) {
  if (v.K != JsonValue::Object)
    return format("tensor '%s': expected an object", name.c_str());
  for (auto &m : v.Members)
    if (m.first != "dtype" && m.first != "shape" && m.first != "data_offsets")
      return format("tensor '%s': unknown key '%s'", name.c_str(), m.first.c_str());
  const JsonValue *dtype = v.get("dtype"), *shape = v.get("shape"),
                  *offsets = v.get("data_offsets");
  if (!dtype || dtype->K != JsonValue::String)
    return format("tensor '%s': missing or non-string 'dtype'", name.c_str());
  if (!shape || shape->K != JsonValue::Array)
    return format("tensor '%s': missing or non-array 'shape'", name.c_str());
  if (!offsets || offsets->K != JsonValue::Array || offsets->Items.size() != 2)
    return format("tensor '%s': 'data_offsets' must be an array of two integers", name.c_str());
  info.Dtype = dtype->Str;
  for (auto &d : shape->Items) {
    if (d.K != JsonValue::Number || !d.IsUInt)
      return format("tensor '%s': shape entries must be non-negative integers", name.c_str());
    info.Shape.push_back(d.UInt);
  }
  for (auto &o : offsets->Items)
    if (o.K != JsonValue::Number || !o.IsUInt)
      return format("tensor '%s': 'data_offsets' must be non-negative integers", name.c_str());
  info.Begin = offsets->Items[0].UInt;
  info.End = offsets->Items[1].UInt;
  if (info.Begin > info.End || info.End > dataSize)
    return format("tensor '%s': data_offsets [%llu, %llu] outside the %llu-byte data section",
                  name.c_str(), (unsigned long long)info.Begin, (unsigned long long)info.End,
                  (unsigned long long)dataSize);
  // Every tensor of a known dtype spans exactly its shape's bytes, as the format requires.
  uint64_t bytes = dtypeBytes(info.Dtype);
  if (!bytes)
    return "";
  for (uint64_t d : info.Shape)
    if (__builtin_mul_overflow(bytes, d, &bytes))
      return format("tensor '%s': its shape's size overflows 64 bits", name.c_str());
  if (info.End - info.Begin != bytes)
    return format("tensor '%s': data_offsets [%llu, %llu] span %llu bytes, its %s shape needs "
                  "%llu", name.c_str(), (unsigned long long)info.Begin,
                  (unsigned long long)info.End, (unsigned long long)(info.End - info.Begin),
                  info.Dtype.c_str(), (unsigned long long)bytes);
  return "";
}

/// Checks that the tensors tile the data section: sorted by offset, each starts where the
/// previous one ends, the first at 0 and the last at the end (the format forbids
/// overlapping tensors and bytes that belong to none, which would hide data).
static std::string checkTiling(const std::map<std::string, TensorInfo> &tensors,
                               uint64_t dataSize) {
  std::vector<std::pair<const std::string *, const TensorInfo *>> order;
  for (auto &t : tensors)
    order.emplace_back(&t.first, &t.second);
  std::sort(order.begin(), order.end(), [](auto &a, auto &b) {
    return a.second->Begin != b.second->Begin ? a.second->Begin < b.second->Begin
                                              : a.second->End < b.second->End;
  });
  uint64_t next = 0;
  const std::string *prev = nullptr;
  for (auto &[name, t] : order) {
    if (t->Begin < next)
      return format("tensors '%s' and '%s' overlap: bytes [%llu, %llu) belong to both",
                    prev->c_str(), name->c_str(), (unsigned long long)t->Begin,
                    (unsigned long long)std::min(next, t->End));
    if (t->Begin > next)
      return format("bytes [%llu, %llu) of the data section belong to no tensor (before "
                    "tensor '%s')", (unsigned long long)next, (unsigned long long)t->Begin,
                    name->c_str());
    next = t->End;
    prev = name;
  }
  if (next != dataSize)
    return format("bytes [%llu, %llu) at the end of the data section belong to no tensor",
                  (unsigned long long)next, (unsigned long long)dataSize);
  return "";
}

/// Checks a file tensor against the model parameter it must fill.
static nnrt_status checkAgainstParam(nnrt_context *ctx, const char *path, const nnrt_param &p,
                                     const TensorInfo &t) {
  if (t.Dtype != stDtype(p.dtype))
    return fail(ctx, NNRT_ERR_SHAPE, "%s: tensor '%s' has dtype %s, the model expects %s",
                path, p.name, t.Dtype.c_str(), stDtype(p.dtype));
  bool same = t.Shape.size() == size_t(p.shape.rank);
  for (size_t i = 0; same && i < t.Shape.size(); ++i)
    same = t.Shape[i] == uint64_t(p.shape.dims[i]);
  if (!same) {
    std::string got = "[";
    for (size_t i = 0; i < t.Shape.size(); ++i)
      got += (i ? ", " : "") + std::to_string(t.Shape[i]);
    got += "]";
    return fail(ctx, NNRT_ERR_SHAPE, "%s: tensor '%s' has shape %s, the model expects %s", path,
                p.name, got.c_str(), shapeString(p.shape).c_str());
  }
  uint64_t bytes = uint64_t(numel(p.shape)) * 4; // the model is validated
  if (t.End - t.Begin != bytes)
    return fail(ctx, NNRT_ERR_FORMAT, "%s: tensor '%s' spans %llu bytes, its shape needs %llu",
                path, p.name, (unsigned long long)(t.End - t.Begin),
                (unsigned long long)bytes);
  return NNRT_OK;
}

nnrt_status nnrt::loadSafetensors(nnrt_context *ctx, const char *path, ByteSource &src) {
  // The parameters are written on the host (GPU kernels: uploaded before the next run).
  if (nnrt_status s = paramsToHost(ctx, /*hostWrites=*/true); s != NNRT_OK)
    return s;
  uint64_t fileSize = src.size();
  uint8_t lenBytes[8];
  if (fileSize < 8 || !src.read(0, lenBytes, 8))
    return fail(ctx, NNRT_ERR_FORMAT, "%s: truncated: %llu bytes, no header length", path,
                (unsigned long long)fileSize);
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i)
    headerLen = (headerLen << 8) | lenBytes[i];
  if (headerLen > fileSize - 8)
    return fail(ctx, NNRT_ERR_FORMAT, "%s: header length %llu exceeds the file (%llu bytes)",
                path, (unsigned long long)headerLen, (unsigned long long)fileSize);
  if (headerLen > kMaxHeader)
    return fail(ctx, NNRT_ERR_FORMAT, "%s: header length %llu exceeds the %llu-byte limit",
                path, (unsigned long long)headerLen, (unsigned long long)kMaxHeader);
  std::string header(headerLen, '\0');
  if (!src.read(8, &header[0], headerLen))
    return fail(ctx, NNRT_ERR_IO, "%s: cannot read the header", path);
  uint64_t dataSize = fileSize - 8 - headerLen;

  JsonValue root;
  std::string err;
  if (!parseJson(header.data(), header.size(), root, err))
    return fail(ctx, NNRT_ERR_FORMAT, "%s: %s", path, err.c_str());
  if (root.K != JsonValue::Object)
    return fail(ctx, NNRT_ERR_FORMAT, "%s: the header is not a JSON object", path);
  std::map<std::string, TensorInfo> tensors;
  std::vector<std::pair<std::string, std::string>> metadata;
  for (auto &m : root.Members) {
    if (m.first == "__metadata__") {
      if (m.second.K != JsonValue::Object)
        return fail(ctx, NNRT_ERR_FORMAT, "%s: '__metadata__' must be an object", path);
      for (auto &kv : m.second.Members) {
        if (kv.second.K != JsonValue::String)
          return fail(ctx, NNRT_ERR_FORMAT, "%s: '__metadata__' value of '%s' is not a string",
                      path, kv.first.c_str());
        if (!isReservedKey(kv.first))
          metadata.emplace_back(kv.first, kv.second.Str);
      }
      continue;
    }
    TensorInfo info;
    err = parseTensor(m.first, m.second, dataSize, info);
    if (!err.empty())
      return fail(ctx, NNRT_ERR_FORMAT, "%s: %s", path, err.c_str());
    tensors[m.first] = std::move(info);
  }
  err = checkTiling(tensors, dataSize);
  if (!err.empty())
    return fail(ctx, NNRT_ERR_FORMAT, "%s: %s", path, err.c_str());
  const nnrt_model *model = ctx->Model;
  std::vector<const TensorInfo *> sources(model->num_params);
  for (int32_t i = 0; i < model->num_params; ++i) {
    const nnrt_param &p = model->params[i];
    auto it = tensors.find(p.name);
    // Optimizer state (non-trainable) may be absent, e.g. in weights exported from
    // another framework: it then starts from zero, as at the start of training.
    if (it == tensors.end() && !p.trainable) {
      sources[i] = nullptr;
      continue;
    }
    if (it == tensors.end())
      return fail(ctx, NNRT_ERR_NOT_FOUND, "%s: missing tensor '%s' (%s%s)", path, p.name,
                  dtypeName(p.dtype), shapeString(p.shape).c_str());
    nnrt_status s = checkAgainstParam(ctx, path, p, it->second);
    if (s != NNRT_OK)
      return s;
    sources[i] = &it->second;
  }
  // Everything checked: now read the data.
  paramsWritten(ctx);
  for (int32_t i = 0; i < model->num_params; ++i) {
    if (!sources[i]) {
      std::memset(ctx->Params[i].data(), 0, ctx->Params[i].size());
      continue;
    }
    const TensorInfo &t = *sources[i];
    size_t bytes = size_t(t.End - t.Begin);
    if (bytes && !src.read(8 + headerLen + t.Begin, ctx->Params[i].data(), bytes))
      return fail(ctx, NNRT_ERR_IO, "%s: cannot read tensor '%s'", path, model->params[i].name);
  }
  ctx->Metadata = std::move(metadata);
  return NNRT_OK;
}

extern "C" nnrt_status nnrt_load_safetensors(nnrt_context *ctx, const char *path) {
  if (!ctx || !path)
    return NNRT_ERR_ARG;
  FILE *f = std::fopen(path, "rb");
  if (!f)
    return fail(ctx, NNRT_ERR_IO, "cannot open '%s': %s", path, std::strerror(errno));
  struct FileCloser {
    FILE *F;
    ~FileCloser() { std::fclose(F); }
  } closer{f};
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
    return fail(ctx, NNRT_ERR_IO, "'%s' is not a regular file", path);
  FileSource src(f, uint64_t(sb.st_size));
  return loadSafetensors(ctx, path, src);
}

void nnrt::safetensorsImage(nnrt_context *ctx, std::string &head, Chunks &chunks) {
  const nnrt_model *model = ctx->Model;
  std::string json = "{\"__metadata__\":{\"format\":\"nnrt\",\"model\":";
  appendJsonString(json, model->name ? model->name : "");
  for (auto &kv : ctx->Metadata) {
    json += ",";
    appendJsonString(json, kv.first);
    json += ":";
    appendJsonString(json, kv.second);
  }
  json += "}";
  chunks.clear();
  uint64_t offset = 0;
  for (int32_t i = 0; i < model->num_params; ++i) {
    const nnrt_param &p = model->params[i];
    uint64_t bytes = uint64_t(numel(p.shape)) * 4; // the model is validated
    json += ",";
    appendJsonString(json, p.name);
    json += format(":{\"dtype\":\"%s\",\"shape\":[", stDtype(p.dtype));
    for (int32_t d = 0; d < p.shape.rank; ++d)
      json += (d ? "," : "") + std::to_string(p.shape.dims[d]);
    json += format("],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
                   (unsigned long long)(offset + bytes));
    chunks.emplace_back(ctx->Params[i].data(), size_t(bytes));
    offset += bytes;
  }
  json += "}";
  // Pad with spaces so the data section starts 8-byte aligned (as the reference does).
  while (json.size() % 8)
    json += ' ';
  head.assign(8, '\0');
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i)
    head[i] = char((n >> (8 * i)) & 0xFF);
  head += json;
}

extern "C" nnrt_status nnrt_save_safetensors(nnrt_context *ctx, const char *path) {
  if (!ctx || !path)
    return NNRT_ERR_ARG;
  if (nnrt_status s = paramsToHost(ctx, /*hostWrites=*/false); s != NNRT_OK)
    return s;
  std::string head, err;
  Chunks chunks;
  safetensorsImage(ctx, head, chunks);
  nnrt_status s = writeFileAtomic(path, head, chunks, err);
  if (s != NNRT_OK)
    return fail(ctx, s, "%s", err.c_str());
  return NNRT_OK;
}

extern "C" nnrt_status nnrt_context_set_metadata(nnrt_context *ctx, const char *key,
                                                 const char *value) {
  if (!ctx || !key || !value)
    return NNRT_ERR_ARG;
  if (isReservedKey(key))
    return fail(ctx, NNRT_ERR_ARG, "metadata key '%s' is reserved", key);
  for (auto &kv : ctx->Metadata)
    if (kv.first == key) {
      kv.second = value;
      return NNRT_OK;
    }
  ctx->Metadata.emplace_back(key, value);
  return NNRT_OK;
}

extern "C" const char *nnrt_context_metadata(const nnrt_context *ctx, const char *key) {
  if (!ctx || !key)
    return nullptr;
  for (auto &kv : ctx->Metadata)
    if (kv.first == key)
      return kv.second.c_str();
  return nullptr;
}
