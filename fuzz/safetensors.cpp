//===- safetensors.cpp - fuzzes libnnrt's safetensors reader ----------------===//
//
// The input is a whole safetensors file, loaded into a three-parameter model through the
// reader `nnrt_load_safetensors` uses. A file it accepts must save (the writer's bytes)
// and load back to the same parameters and metadata.
//
//===----------------------------------------------------------------------===//
#include "lib/Internal.h"

#include <cstring>

namespace {

const nnrt_param Params[] = {
    {"w", NNRT_F32, {2, {2, 3}}, NNRT_INIT_ZEROS, 0, 0, 1},
    {"b", NNRT_F32, {1, {3}}, NNRT_INIT_ZEROS, 0, 0, 1},
    {"steps", NNRT_I32, {0, {}}, NNRT_INIT_ZEROS, 0, 0, 0},
};
const nnrt_model Model = {NNRT_MODEL_ABI_VERSION, "fuzz", "fuzz/safetensors.cpp", 0, nullptr,
                          0, nullptr, 3, Params, 0, nullptr,
                          {"", 0, 0, 0, 0.0f, NNRT_SCHEDULE_CONSTANT, "", "", 0, nullptr, 0,
                           nullptr, 0},
                          0, nullptr};

class MemorySource : public nnrt::ByteSource {
public:
  MemorySource(const uint8_t *data, size_t size) : Data(data), Size(size) {}
  uint64_t size() const override { return Size; }
  bool read(uint64_t offset, void *dst, size_t n) override {
    if (offset > Size || n > Size - offset)
      return false;
    std::memcpy(dst, Data + offset, n);
    return true;
  }

private:
  const uint8_t *Data;
  size_t Size;
};

nnrt_context *makeContext() {
  nnrt_context *ctx = nullptr;
  if (nnrt_context_create(&Model, &ctx, nullptr) != NNRT_OK)
    __builtin_trap();
  return ctx;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static nnrt_context *loaded = makeContext(), *reloaded = makeContext();
  MemorySource src(data, size);
  if (nnrt::loadSafetensors(loaded, "input", src) != NNRT_OK)
    return 0;
  std::string file;
  nnrt::Chunks chunks;
  nnrt::safetensorsImage(loaded, file, chunks);
  for (auto &c : chunks)
    file.append(static_cast<const char *>(c.first), c.second);
  MemorySource saved(reinterpret_cast<const uint8_t *>(file.data()), file.size());
  if (nnrt::loadSafetensors(reloaded, "saved", saved) != NNRT_OK)
    __builtin_trap(); // the writer wrote what the reader refuses
  for (int32_t i = 0; i < Model.num_params; ++i) {
    nnrt_tensor a, b;
    nnrt_param_view(loaded, i, &a);
    nnrt_param_view(reloaded, i, &b);
    if (std::memcmp(a.data, b.data, size_t(nnrt_shape_numel(&a.shape)) * 4) != 0)
      __builtin_trap(); // a parameter changed in the round trip
  }
  if (loaded->Metadata != reloaded->Metadata)
    __builtin_trap();
  return 0;
}
