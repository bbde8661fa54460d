//===- Idx.cpp - IDX datasets (MNIST / Fashion-MNIST layout) -------------===//
//
// IDX: big-endian magic 0x00000800 | type << 8 | ndims (type 0x08 = u8), ndims u32
// big-endian dims, then the data. Images (ndims 3) become f32 x/255, labels (ndims 1)
// become i32. Files may be gzip-compressed; every size is checked, with overflow-checked
// products, before anything is allocated.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <cstdlib>
#include <sys/stat.h>

using namespace nnrt;

/// Largest IDX file, compressed or decompressed (Fashion-MNIST's train images: 47 MB).
static constexpr size_t kMaxIdxBytes = size_t(1) << 30;

static uint32_t be32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

/// Checks the IDX u8 file of rank `rank` in `bytes` (decompressed in place); fills `dims`
/// and `offset`, the start of the payload.
static nnrt_status parseIdx(const std::string &name, ByteArray &bytes, uint32_t rank,
                            uint64_t *dims, size_t &offset, nnrt_error *err) {
  std::string msg;
  if (nnrt_status s = gunzipInPlace(name, bytes, kMaxIdxBytes, msg); s != NNRT_OK)
    return fail(err, s, "%s", msg.c_str());
  const uint8_t *p = bytes.data();
  uint32_t want = 0x00000800u | rank;
  if (bytes.size() < 4 || be32(p) != want)
    return fail(err, NNRT_ERR_FORMAT, "%s: bad IDX magic 0x%08x (expected 0x%08x)",
                name.c_str(), bytes.size() < 4 ? 0u : be32(p), want);
  offset = 4 + 4 * size_t(rank);
  if (bytes.size() < offset)
    return fail(err, NNRT_ERR_FORMAT, "%s: truncated IDX header", name.c_str());
  // Every product of dims is bounded, the per-example one included: a file with no
  // examples cannot declare 2^32 x 2^32 images.
  uint64_t n = 1;
  for (uint32_t i = 0; i < rank; ++i) {
    dims[i] = be32(p + 4 + 4 * i);
    if (dims[i] > kMaxIdxBytes)
      return fail(err, NNRT_ERR_FORMAT, "%s: IDX dim %u is %llu, more than the limit %zu",
                  name.c_str(), i, (unsigned long long)dims[i], kMaxIdxBytes);
  }
  uint64_t perExample = 1;
  for (uint32_t i = 1; i < rank; ++i)
    if (__builtin_mul_overflow(perExample, dims[i], &perExample) || perExample > kMaxIdxBytes)
      return fail(err, NNRT_ERR_FORMAT, "%s: IDX example of more than %zu bytes",
                  name.c_str(), kMaxIdxBytes);
  if (__builtin_mul_overflow(dims[0], perExample, &n) || n > kMaxIdxBytes)
    return fail(err, NNRT_ERR_FORMAT, "%s: IDX dims need more than %zu bytes", name.c_str(),
                kMaxIdxBytes);
  if (bytes.size() - offset != n)
    return fail(err, NNRT_ERR_FORMAT, "%s: IDX payload has %zu bytes, dims need %llu",
                name.c_str(), bytes.size() - offset, (unsigned long long)n);
  return NNRT_OK;
}

nnrt_status nnrt::loadIdxPair(const std::string &imagesName, ByteArray &img,
                              const std::string &labelsName, ByteArray &lab,
                              nnrt_dataset **out, nnrt_error *err) {
  *out = nullptr;
  uint64_t imgDims[3] = {}, labDims[1] = {};
  size_t imgOff, labOff;
  nnrt_status s;
  if ((s = parseIdx(imagesName, img, 3, imgDims, imgOff, err)) != NNRT_OK ||
      (s = parseIdx(labelsName, lab, 1, labDims, labOff, err)) != NNRT_OK)
    return s;
  if (imgDims[0] != labDims[0])
    return fail(err, NNRT_ERR_FORMAT, "%s has %llu images but %s has %llu labels",
                imagesName.c_str(), (unsigned long long)imgDims[0], labelsName.c_str(),
                (unsigned long long)labDims[0]);
  auto *ds = new (std::nothrow) nnrt_dataset;
  if (!ds)
    return fail(err, NNRT_ERR_OOM, "cannot allocate the dataset");
  ds->Count = int64_t(imgDims[0]); // each dim <= 2^30 (parseIdx)
  ds->ExampleDims[0] = int64_t(imgDims[1]);
  ds->ExampleDims[1] = int64_t(imgDims[2]);
  ds->LabelsPath = labelsName;
  size_t pixels = img.size() - imgOff; // <= 2^30: 4 * pixels cannot overflow
  if (!ds->Images.reserve(pixels * 4) || !ds->Labels.reserve(size_t(ds->Count) * 4)) {
    delete ds;
    return fail(err, NNRT_ERR_OOM, "cannot allocate %zu bytes for the dataset of %s",
                pixels * 4 + size_t(labDims[0]) * 4, imagesName.c_str());
  }
  auto *px = static_cast<float *>(ds->Images.data());
  for (size_t i = 0; i < pixels; ++i)
    px[i] = float(img.data()[imgOff + i]) / 255.0f;
  auto *lb = static_cast<int32_t *>(ds->Labels.data());
  for (int64_t i = 0; i < ds->Count; ++i)
    lb[i] = lab.data()[labOff + i];
  *out = ds;
  return NNRT_OK;
}

/// Checks every label against [0, classes); `why` (may be NULL) says where the class count
/// comes from.
static nnrt_status checkLabels(const nnrt_dataset *ds, int32_t classes, const char *why,
                               nnrt_error *err) {
  auto *lb = static_cast<const int32_t *>(ds->Labels.data());
  for (int64_t i = 0; i < ds->Count * ds->TargetsPerExample; ++i)
    if (lb[i] < 0 || lb[i] >= classes)
      return fail(err, NNRT_ERR_FORMAT, "%s: label %d at index %lld is outside [0, %d)%s%s%s",
                  ds->LabelsPath.c_str(), lb[i], (long long)i, classes, why ? " (" : "",
                  why ? why : "", why ? ")" : "");
  return NNRT_OK;
}

extern "C" {

nnrt_status nnrt_dataset_load_idx(const char *images_path, const char *labels_path,
                                  nnrt_dataset **out, nnrt_error *err) {
  if (!images_path || !labels_path || !out)
    return fail(err, NNRT_ERR_ARG, "NULL argument");
  *out = nullptr;
  ByteArray img, lab;
  std::string msg;
  nnrt_status s;
  if ((s = readFile(images_path, img, kMaxIdxBytes, msg)) != NNRT_OK ||
      (s = readFile(labels_path, lab, kMaxIdxBytes, msg)) != NNRT_OK)
    return fail(err, s, "%s", msg.c_str());
  return loadIdxPair(images_path, img, labels_path, lab, out, err);
}

nnrt_status nnrt_dataset_load_fashion_mnist(const char *dir, const char *split,
                                            nnrt_dataset **out, nnrt_error *err) {
  if (!out)
    return fail(err, NNRT_ERR_ARG, "NULL argument");
  *out = nullptr;
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
  nnrt_dataset *ds = nullptr;
  nnrt_status s = nnrt_dataset_load_idx(pick("images-idx3-ubyte").c_str(),
                                        pick("labels-idx1-ubyte").c_str(), &ds, err);
  if (s == NNRT_OK &&
      (s = checkLabels(ds, NNRT_FASHION_MNIST_CLASSES, "fashion_mnist has 10 classes", err)) !=
          NNRT_OK) {
    nnrt_dataset_destroy(ds);
    return s;
  }
  *out = ds;
  return s;
}

nnrt_status nnrt_dataset_check_labels(const nnrt_dataset *ds, int32_t classes,
                                      nnrt_error *err) {
  if (!ds)
    return fail(err, NNRT_ERR_ARG, "dataset is NULL");
  return checkLabels(ds, classes, nullptr, err);
}

void nnrt_dataset_destroy(nnrt_dataset *ds) { delete ds; }

int64_t nnrt_dataset_size(const nnrt_dataset *ds) { return ds->Count; }

nnrt_tensor nnrt_dataset_images(const nnrt_dataset *ds) {
  nnrt_tensor t{};
  t.dtype = ds->ExampleDtype;
  t.shape.rank = 1 + ds->ExampleRank;
  t.shape.dims[0] = ds->Count;
  for (int32_t d = 0; d < ds->ExampleRank; ++d)
    t.shape.dims[1 + d] = ds->ExampleDims[d];
  t.data = ds->Images.data();
  return t;
}

nnrt_tensor nnrt_dataset_labels(const nnrt_dataset *ds) {
  nnrt_tensor t{};
  t.dtype = NNRT_I32;
  t.shape.rank = ds->TargetsPerExample == 1 ? 1 : 2;
  t.shape.dims[0] = ds->Count;
  t.shape.dims[1] = ds->TargetsPerExample;
  t.data = ds->Labels.data();
  return t;
}

const char *nnrt_dataset_example_name(const nnrt_dataset *ds) { return ds->ExampleName; }
const char *nnrt_dataset_target_name(const nnrt_dataset *ds) { return ds->TargetName; }
const char *nnrt_dataset_vocabulary(const nnrt_dataset *ds) { return ds->Vocabulary.c_str(); }
const char *nnrt_dataset_categories(const nnrt_dataset *ds) { return ds->Categories.c_str(); }

} // extern "C"
