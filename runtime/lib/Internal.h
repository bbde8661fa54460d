//===- Internal.h - libnnrt internals shared between its source files -----===//
//
// The context's definition, error helpers, aligned buffers and small file utilities.
// Nothing here is part of the C API.
//
//===----------------------------------------------------------------------===//
#ifndef NNRT_LIB_INTERNAL_H
#define NNRT_LIB_INTERNAL_H

#include "nnrt/nnrt.h"

#include <HalideRuntime.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libnnrt supports little-endian hosts only"
#endif

namespace nnrt {

constexpr size_t kAlign = 64;

/// Rounds `n` up to a multiple of kAlign.
inline size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

/// Counts one allocation in the process-wide counter behind `nnrt_allocation_count`
/// (libnnrt's own buffers and every `halide_malloc`).
void countAllocation();

/// Lays out the TEMP buffers of `e` (nnrt/model.h, ABI v2): `bufferBytes[b]` = the
/// largest of buffer b's slots rounded up to kAlign, `offsets[b]` = prefix sums (both
/// sized e.num_buffers by the caller). Returns the arena size.
size_t layoutBuffers(const nnrt_entry &e, const size_t *slotBytes, size_t *bufferBytes,
                     size_t *offsets);

/// A 64-byte aligned, grow-only byte buffer.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  AlignedBuffer(AlignedBuffer &&o) noexcept : Data(o.Data), Size(o.Size) {
    o.Data = nullptr;
    o.Size = 0;
  }
  ~AlignedBuffer();
  /// Makes room for at least `bytes` (contents are not preserved); false on OOM.
  bool reserve(size_t bytes);
  void *data() const { return Data; }
  size_t size() const { return Size; }

private:
  void *Data = nullptr;
  size_t Size = 0;
};

/// Per-entry state prepared on first run: slot shapes and buffers, Halide descriptors.
struct EntryState {
  const nnrt_entry *Entry = nullptr;
  bool Prepared = false;
  std::vector<int32_t> InputPos;           // slot -> position in the entry's inputs
  std::vector<nnrt_shape> Shapes;          // concrete shape per slot
  std::vector<size_t> Bytes;               // bytes per slot
  std::vector<size_t> BufferBytes;         // per TEMP buffer: its size at the last bind
  std::vector<size_t> BufferOffsets;       // per TEMP buffer: offset in the arena
  std::vector<halide_buffer_t> Buffers;    // one per slot
  std::vector<halide_dimension_t> Dims;    // NNRT_MAX_RANK per slot
  std::vector<void *> Argv;                // concatenated step argument arrays
  std::vector<size_t> ArgvStart;           // start of each step's arguments in Argv
  std::vector<AlignedBuffer> Outputs;      // one per entry output
  std::vector<double> StepSeconds;         // last profiled run
  std::vector<uint64_t> StepAllocations;   // per step: allocations during it, cumulative
  bool HasProfile = false;
};

} // namespace nnrt

struct nnrt_context {
  const nnrt_model *Model = nullptr;
  std::string LastError;
  std::vector<nnrt::AlignedBuffer> Params;
  std::vector<nnrt::EntryState> Entries;
  nnrt::AlignedBuffer Arena;
  std::vector<int64_t> Symbols;
  bool Profiling = false;
  /// Checkpoint metadata (nnrt_context_set_metadata), in insertion order.
  std::vector<std::pair<std::string, std::string>> Metadata;
};

namespace nnrt {

/// printf-style formatting into a std::string.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string vformat(const char *fmt, va_list ap);

/// Records a message on the context and returns `status`.
nnrt_status fail(nnrt_context *ctx, nnrt_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/// Copies a message into an optional nnrt_error and returns `status`.
nnrt_status fail(nnrt_error *err, nnrt_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int64_t numel(const nnrt_shape &shape);
/// "f32[2, 3]" with symbols printed by name when `model` is given.
std::string shapeString(const nnrt_shape &shape, const nnrt_model *model = nullptr);
const char *dtypeName(int32_t dtype);

/// Reads a whole file, transparently gunzipping it (zlib's gzread reads plain files too).
/// Stops with an error past `maxBytes`.
nnrt_status readFileMaybeGz(const std::string &path, std::vector<uint8_t> &out,
                            size_t maxBytes, std::string &error);
/// Reads a whole plain file.
nnrt_status readFile(const std::string &path, std::vector<uint8_t> &out, size_t maxBytes,
                     std::string &error);
/// Writes `bytes` to `path.tmp.<pid>`, fsyncs and renames it over `path`.
nnrt_status writeFileAtomic(const std::string &path, const std::string &head,
                            const std::vector<std::pair<const void *, size_t>> &chunks,
                            std::string &error);

} // namespace nnrt

#endif // NNRT_LIB_INTERNAL_H
