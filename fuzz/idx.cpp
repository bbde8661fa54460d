//===- idx.cpp - fuzzes libnnrt's IDX dataset reader ------------------------===//
//
// The input is an IDX image file and an IDX label file (each plain or gzip): a 4-byte
// little-endian length of the image file, the image file, then the label file (see
// make-corpus.py). A pair the reader accepts must have pixels in [0, 1], labels in
// [0, 255] and as many labels as images.
//
//===----------------------------------------------------------------------===//
#include "lib/Internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  size_t split = data[0] | size_t(data[1]) << 8 | size_t(data[2]) << 16 | size_t(data[3]) << 24;
  data += 4;
  size -= 4;
  if (split > size)
    split = size;
  nnrt::ByteArray images, labels;
  if (!images.append(data, split) || !labels.append(data + split, size - split))
    return 0;
  nnrt_dataset *ds = nullptr;
  if (nnrt::loadIdxPair("images", images, "labels", labels, &ds, nullptr) != NNRT_OK)
    return 0;
  nnrt_tensor img = nnrt_dataset_images(ds), lab = nnrt_dataset_labels(ds);
  int64_t n = nnrt_dataset_size(ds), pixels = nnrt_shape_numel(&img.shape);
  if (img.shape.dims[0] != n || lab.shape.dims[0] != n || pixels < 0)
    __builtin_trap();
  for (int64_t i = 0; i < pixels; ++i) {
    float p = static_cast<const float *>(img.data)[i];
    if (!(p >= 0.0f && p <= 1.0f))
      __builtin_trap();
  }
  int32_t top = -1;
  for (int64_t i = 0; i < n; ++i) {
    int32_t l = static_cast<const int32_t *>(lab.data)[i];
    if (l < 0 || l > 255)
      __builtin_trap();
    top = l > top ? l : top;
  }
  // The label check agrees with the labels' maximum.
  if ((nnrt_dataset_check_labels(ds, 10, nullptr) == NNRT_OK) != (top < 10))
    __builtin_trap();
  nnrt_dataset_destroy(ds);
  return 0;
}
