//===- Idx.cpp - IDX datasets (MNIST / Fashion-MNIST layout) -------------===//
//
// IDX: big-endian magic 0x00000800 | type << 8 | ndims (type 0x08 = u8), ndims u32
// big-endian dims, then the data. Images (ndims 3) become f32 x/255, labels (ndims 1)
// become i32. Files may be gzip-compressed; all sizes are checked.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <cstdlib>
#include <sys/stat.h>

using namespace nnrt;

static constexpr size_t kMaxIdxBytes = size_t(1) << 30;

struct nnrt_dataset {
  int64_t Count = 0, Rows = 0, Cols = 0;
  AlignedBuffer Images; // f32 [Count, Rows, Cols]
  AlignedBuffer Labels; // i32 [Count]
};

static uint32_t be32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

/// Reads an IDX u8 file of rank `rank`; fills `dims` and leaves the payload in `bytes`
/// from `offset` on.
static nnrt_status readIdx(const std::string &path, uint32_t rank, std::vector<uint8_t> &bytes,
                           std::vector<uint64_t> &dims, size_t &offset, nnrt_error *err) {
  std::string msg;
  nnrt_status s = readFileMaybeGz(path, bytes, kMaxIdxBytes, msg);
  if (s != NNRT_OK)
    return fail(err, s, "%s", msg.c_str());
  uint32_t want = 0x00000800u | rank;
  if (bytes.size() < 4 || be32(bytes.data()) != want)
    return fail(err, NNRT_ERR_FORMAT, "%s: bad IDX magic 0x%08x (expected 0x%08x)",
                path.c_str(), bytes.size() < 4 ? 0u : be32(bytes.data()), want);
  offset = 4 + 4 * size_t(rank);
  if (bytes.size() < offset)
    return fail(err, NNRT_ERR_FORMAT, "%s: truncated IDX header", path.c_str());
  uint64_t n = 1;
  dims.clear();
  for (uint32_t i = 0; i < rank; ++i) {
    dims.push_back(be32(&bytes[4 + 4 * i]));
    n *= dims.back(); // at most 2^32 per dim and 3 dims: checked against the size below
    if (n > kMaxIdxBytes)
      return fail(err, NNRT_ERR_FORMAT, "%s: IDX dims too large", path.c_str());
  }
  if (bytes.size() - offset != n)
    return fail(err, NNRT_ERR_FORMAT, "%s: IDX payload has %zu bytes, dims need %llu",
                path.c_str(), bytes.size() - offset, (unsigned long long)n);
  return NNRT_OK;
}

extern "C" {

nnrt_status nnrt_dataset_load_idx(const char *images_path, const char *labels_path,
                                  nnrt_dataset **out, nnrt_error *err) {
  if (!images_path || !labels_path || !out)
    return fail(err, NNRT_ERR_ARG, "NULL argument");
  *out = nullptr;
  std::vector<uint8_t> img, lab;
  std::vector<uint64_t> imgDims, labDims;
  size_t imgOff, labOff;
  nnrt_status s;
  if ((s = readIdx(images_path, 3, img, imgDims, imgOff, err)) != NNRT_OK ||
      (s = readIdx(labels_path, 1, lab, labDims, labOff, err)) != NNRT_OK)
    return s;
  if (imgDims[0] != labDims[0])
    return fail(err, NNRT_ERR_FORMAT, "%s has %llu images but %s has %llu labels", images_path,
                (unsigned long long)imgDims[0], labels_path, (unsigned long long)labDims[0]);
  auto *ds = new nnrt_dataset;
  ds->Count = int64_t(imgDims[0]);
  ds->Rows = int64_t(imgDims[1]);
  ds->Cols = int64_t(imgDims[2]);
  size_t pixels = img.size() - imgOff;
  if (!ds->Images.reserve(pixels * 4) || !ds->Labels.reserve(size_t(ds->Count) * 4)) {
    delete ds;
    return fail(err, NNRT_ERR_OOM, "cannot allocate the dataset");
  }
  auto *px = static_cast<float *>(ds->Images.data());
  for (size_t i = 0; i < pixels; ++i)
    px[i] = float(img[imgOff + i]) / 255.0f;
  auto *lb = static_cast<int32_t *>(ds->Labels.data());
  for (int64_t i = 0; i < ds->Count; ++i)
    lb[i] = lab[labOff + i];
  *out = ds;
  return NNRT_OK;
}

nnrt_status nnrt_dataset_load_fashion_mnist(const char *dir, const char *split,
                                            nnrt_dataset **out, nnrt_error *err) {
  std::string d = dir ? dir : NNRT_FASHION_MNIST_DIR;
  std::string sp = split ? split : "";
  if (sp != "train" && sp != "t10k")
    return fail(err, NNRT_ERR_ARG, "unknown split '%s' (train or t10k)", sp.c_str());
  auto pick = [&](const char *kind) {
    std::string base = d + "/" + sp + "-" + kind;
    struct stat sb;
    if (stat((base + ".gz").c_str(), &sb) == 0 || stat(base.c_str(), &sb) != 0)
      return base + ".gz";
    return base;
  };
  return nnrt_dataset_load_idx(pick("images-idx3-ubyte").c_str(),
                               pick("labels-idx1-ubyte").c_str(), out, err);
}

void nnrt_dataset_destroy(nnrt_dataset *ds) { delete ds; }

int64_t nnrt_dataset_size(const nnrt_dataset *ds) { return ds->Count; }

nnrt_tensor nnrt_dataset_images(const nnrt_dataset *ds) {
  nnrt_tensor t{};
  t.dtype = NNRT_F32;
  t.shape.rank = 3;
  t.shape.dims[0] = ds->Count;
  t.shape.dims[1] = ds->Rows;
  t.shape.dims[2] = ds->Cols;
  t.data = ds->Images.data();
  return t;
}

nnrt_tensor nnrt_dataset_labels(const nnrt_dataset *ds) {
  nnrt_tensor t{};
  t.dtype = NNRT_I32;
  t.shape.rank = 1;
  t.shape.dims[0] = ds->Count;
  t.shape.dims[1] = 0;
  t.data = ds->Labels.data();
  return t;
}

} // extern "C"
