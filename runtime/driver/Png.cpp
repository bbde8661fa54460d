//===- Png.cpp - a batch of images as one PNG grid (libpng) ---------------===//
//
// Writes an f32 tensor [N, H, W] or [N, H, W, C] (C = 1 gray, 3 RGB) as a grid of N
// images, ceil(sqrt(N)) per row, 2 pixels apart, values mapped from [lo, hi] to 0..255
// and clamped. The file is written beside the target and renamed over it, so a failed
// write leaves no partial PNG.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <png.h>

#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

using namespace nnrt::driver;

namespace {

/// The pixels of the grid, row-major, `channels` bytes per pixel.
struct Grid {
  int64_t Width = 0, Height = 0, Channels = 1;
  std::vector<unsigned char> Pixels;
};

/// libpng's error callback: records the message and unwinds to the setjmp in encode().
void onPngError(png_structp png, png_const_charp message) {
  auto *out = static_cast<std::string *>(png_get_error_ptr(png));
  *out = message;
  png_longjmp(png, 1);
}

void onPngWarning(png_structp, png_const_charp) {}

/// Encodes `grid` into `file`; on failure returns false with libpng's message in `why`.
/// Only plain data lives in this frame across setjmp.
bool encode(std::FILE *file, const Grid &grid, std::string &why) {
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, &why, onPngError, onPngWarning);
  if (!png) {
    why = "cannot create a PNG writer";
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    if (why.empty())
      why = "cannot create a PNG writer";
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, png_uint_32(grid.Width), png_uint_32(grid.Height), 8,
               grid.Channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  size_t stride = size_t(grid.Width * grid.Channels);
  for (int64_t y = 0; y < grid.Height; ++y)
    png_write_row(png, grid.Pixels.data() + size_t(y) * stride);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

} // namespace

bool nnrt::driver::writeImageGrid(const std::string &path, const nnrt_tensor &t, float lo,
                                  float hi) {
  const nnrt_shape &s = t.shape;
  int64_t channels = s.rank == 4 ? s.dims[3] : 1;
  if (t.dtype != NNRT_F32 || (s.rank != 3 && s.rank != 4) ||
      (channels != 1 && channels != 3)) {
    error("'%s': a PNG grid needs images f32[N, H, W] or f32[N, H, W, C] with C 1 or 3",
          path.c_str());
    return false;
  }
  int64_t n = s.dims[0], h = s.dims[1], w = s.dims[2], gap = 2;
  int64_t cols = int64_t(std::ceil(std::sqrt(double(n))));
  int64_t rows = cols ? (n + cols - 1) / cols : 0;
  Grid grid;
  grid.Channels = channels;
  grid.Width = cols * w + (cols - 1) * gap;
  grid.Height = rows * h + (rows - 1) * gap;
  // PNG dims are 31-bit; the grid of a tensor the runtime accepts fits in memory.
  if (n < 1 || grid.Width > (1 << 24) || grid.Height > (1 << 24)) {
    error("'%s': cannot lay out %lld images of %lldx%lld as a PNG grid", path.c_str(),
          (long long)n, (long long)h, (long long)w);
    return false;
  }
  grid.Pixels.assign(size_t(grid.Width * grid.Height * channels), 0);
  const float *v = static_cast<const float *>(t.data);
  float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    int64_t x0 = (i % cols) * (w + gap), y0 = (i / cols) * (h + gap);
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w * channels; ++x) {
        float p = (v[(i * h + y) * w * channels + x] - lo) * scale;
        p = std::isnan(p) ? 0.0f : std::fmin(std::fmax(p, 0.0f), 255.0f);
        grid.Pixels[size_t((y0 + y) * grid.Width * channels + x0 * channels + x)] =
            (unsigned char)std::lround(p);
      }
  }
  std::string tmp = path + ".tmp";
  std::FILE *file = std::fopen(tmp.c_str(), "wb");
  if (!file) {
    error("cannot write '%s': %s", tmp.c_str(), std::strerror(errno));
    return false;
  }
  std::string why;
  bool ok = encode(file, grid, why);
  ok &= std::fflush(file) == 0 && !std::ferror(file);
  ok &= std::fclose(file) == 0;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    error("cannot write '%s': %s", path.c_str(), why.empty() ? std::strerror(err) : why.c_str());
    return false;
  }
  return true;
}
