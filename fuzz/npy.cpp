//===- npy.cpp - fuzzes libnnrt's .npy reader -------------------------------===//
//
// The input is a whole .npy file, read by the parser `nnrt_npy_read` uses. A file it
// accepts must write (the writer's header and the data) and read back to the same dtype,
// shape and bytes.
//
//===----------------------------------------------------------------------===//
#include "lib/Internal.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nnrt_tensor t;
  if (nnrt::parseNpy("input", data, size, &t, nullptr) != NNRT_OK)
    return 0;
  size_t bytes = size_t(nnrt_shape_numel(&t.shape)) * 4;
  std::string file;
  if (nnrt::npyHeader(t, file, nullptr) != NNRT_OK)
    __builtin_trap(); // the reader accepted what the writer cannot write
  file.append(static_cast<const char *>(t.data), bytes);
  nnrt_tensor u;
  if (nnrt::parseNpy("written", reinterpret_cast<const uint8_t *>(file.data()), file.size(),
                     &u, nullptr) != NNRT_OK)
    __builtin_trap(); // the writer wrote what the reader refuses
  if (u.dtype != t.dtype || u.shape.rank != t.shape.rank ||
      std::memcmp(u.shape.dims, t.shape.dims, sizeof(int64_t) * size_t(t.shape.rank)) != 0 ||
      std::memcmp(u.data, t.data, bytes) != 0)
    __builtin_trap();
  nnrt_free(t.data);
  nnrt_free(u.data);
  return 0;
}
