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
#include <memory>
#include <string>
#include <utility>
#include <vector>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libnnrt supports little-endian hosts only"
#endif

namespace nnrt {

constexpr size_t kAlign = 64;
/// Buffers from this size are aligned to it and advised as transparent huge pages.
constexpr size_t kHugePage = size_t(2) << 20;

/// Rounds `n` up to a multiple of kAlign (n is at most a tensor's bytes, far below
/// SIZE_MAX - kAlign).
inline size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

/// Bytes of the largest tensor (NNRT_MAX_ELEMENTS 4-byte elements).
constexpr uint64_t kMaxTensorBytes = uint64_t(NNRT_MAX_ELEMENTS) * 4;

/// Threads the kernels' parallel loops run on (ThreadPool.cpp): HL_NUM_THREADS, else
/// one per core this process may run on.
int workerThreads();

/// Counts one allocation in the process-wide counter behind `nnrt_allocation_count`
/// (libnnrt's own buffers and every `halide_malloc`), and in this thread's.
void countAllocation();

/// Parallel loops of more than one iteration that this thread has started
/// (halide_do_par_for, run on the pool or serially), ever: a kernel that starts none
/// may run beside others (Executor.cpp, "steps side by side").
uint64_t parallelLoopsStarted();

struct EntryState;
struct MicroBatchPlan;

// GPU kernels (Device.cpp). A binary's kernels are all CPU or all CUDA (one Halide
// runtime per binary); with CUDA, tensors live on the device: every slot's device
// address is its block's address plus the offset its host address has in the host
// block (an arena buffer, a view's slice), parameters and the arena stay on the device
// between runs, inputs are uploaded once per run and outputs copied back after it.

/// Whether this binary's kernels run on a GPU (its Halide runtime has CUDA).
bool gpuKernels();

/// Whether the kernels linked into this binary can run: true for CPU kernels; for GPU
/// kernels, whether CUDA initialises (once per process), else false with the reason in
/// `message`.
bool deviceUsable(std::string &message);

/// The last message Halide reported on this thread, and clearing it (Executor.cpp).
const char *halideMessage();
void clearHalideMessage();

/// Before a run's kernels: gives every slot of `st` its device address (allocating or
/// growing the device arena, the inputs' and the outputs' memory, uploading the inputs
/// and any parameter the host changed) and points the slots' halide_buffer_t at them.
nnrt_status placeOnDevice(nnrt_context *ctx, EntryState &st, const nnrt_tensor *in);

/// Points the ALIAS and VIEW slots' device addresses as pointDerivedSlots points their
/// host addresses (after a loop moved its views).
void pointDerivedOnDevice(EntryState &st);

/// After kernel `step` ran: the parameters it wrote are newer on the device.
void noteDeviceWrites(nnrt_context *ctx, EntryState &st, const nnrt_step &step);

/// Copies slot `s` into parameter `p` on the device (an entry's update).
nnrt_status updateParamOnDevice(nnrt_context *ctx, EntryState &st, int32_t p, int32_t s);

/// Waits until the GPU has finished the kernels launched so far (a kernel launch
/// returns before the kernel ends): profiling times each kernel to its end.
nnrt_status deviceSync(nnrt_context *ctx);

/// After a run: copies the entry's outputs to their host memory.
nnrt_status outputsToHost(nnrt_context *ctx, EntryState &st);

/// Before the host reads parameters: copies those a kernel changed to the host. Then,
/// with `hostWrites`, marks them all as changed on the host (uploaded before the next
/// run). Does nothing with CPU kernels.
nnrt_status paramsToHost(nnrt_context *ctx, bool hostWrites);

/// Marks every parameter as changed on the host (after an initialisation or a load).
void paramsChangedOnHost(nnrt_context *ctx);

/// Parameter keys (nnrt_step.key_arg). `paramsWritten` records that the context's
/// parameters changed (an initialisation, a load, a run's updates); `beginRun`, before
/// each run, gives the context a new parameter generation when they did since its last
/// run, or when a view of them was handed out (the caller may write through it at any
/// time); `paramKey` is the key of parameter `param` in the current generation.
void paramsWritten(nnrt_context *ctx);
void beginRun(nnrt_context *ctx);
uint64_t paramKey(const nnrt_context *ctx, int32_t param);

/// Lays out the TEMP buffers of `e` (nnrt/model.h, ABI v2): `bufferBytes[b]` = the
/// largest of buffer b's slots rounded up to kAlign, `offsets[b]` = prefix sums (both
/// sized e.num_buffers by the caller). Returns the arena size, or SIZE_MAX when the sum
/// overflows.
size_t layoutBuffers(const nnrt_entry &e, const size_t *slotBytes, size_t *bufferBytes,
                     size_t *offsets);

/// A malloc-backed byte array: growth that fails returns false instead of throwing
/// (libnnrt is built without exceptions, where std::vector would abort).
class ByteArray {
public:
  ByteArray() = default;
  ByteArray(const ByteArray &) = delete;
  ByteArray &operator=(const ByteArray &) = delete;
  ~ByteArray();
  /// Appends `n` bytes; false when memory runs out (the contents are then unchanged).
  bool append(const void *bytes, size_t n);
  void clear() { Size = 0; }
  /// Exchanges the contents of two arrays.
  void swap(ByteArray &o);
  const uint8_t *data() const { return Data; }
  size_t size() const { return Size; }

private:
  uint8_t *Data = nullptr;
  size_t Size = 0, Capacity = 0;
};

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
  void swap(AlignedBuffer &o) noexcept {
    std::swap(Data, o.Data);
    std::swap(Size, o.Size);
  }

private:
  void *Data = nullptr;
  size_t Size = 0;
};

/// Device memory that mirrors a block of host memory (GPU kernels; Device.cpp): a byte
/// buffer whose `device` field is the GPU address. Halide calls take buffer(), which
/// points the descriptor at this block's dims (a block moved by a vector keeps none).
struct DeviceBlock {
  halide_buffer_t Buf{};
  halide_dimension_t Dim[2] = {};
  halide_buffer_t *buffer() {
    Buf.dim = Dim;
    return &Buf;
  }
  size_t Bytes = 0;
  /// Which copy is current: both, the host's (written by the runtime or the caller), or
  /// the device's (written by a kernel).
  enum { Same, HostNewer, DeviceNewer } Current = HostNewer;
};

/// Per-entry state prepared on first run: slot shapes and buffers, Halide descriptors.
struct EntryState {
  const nnrt_entry *Entry = nullptr;
  bool Prepared = false;
  std::vector<int32_t> InputPos;           // slot -> position in the entry's inputs
  std::vector<nnrt_shape> Shapes;          // concrete shape per slot
  std::vector<size_t> Bytes;               // bytes per slot
  std::vector<uint64_t> Keys;              // per step: its parameter key (key_arg)
  std::vector<size_t> BufferBytes;         // per TEMP buffer: its size at the last bind
  std::vector<size_t> BufferOffsets;       // per TEMP buffer: offset in the arena
  std::vector<halide_buffer_t> Buffers;    // one per slot
  std::vector<size_t> ViewOffset;          // VIEW slots: byte offset of the current slice
  std::vector<halide_dimension_t> Dims;    // NNRT_MAX_RANK per slot
  std::vector<void *> Argv;                // concatenated step argument arrays
  std::vector<size_t> ArgvStart;           // start of each step's arguments in Argv
  std::vector<AlignedBuffer> Outputs;      // one per entry output
  std::vector<double> StepSeconds;         // last profiled run
  std::vector<uint64_t> StepAllocations;   // per step: allocations during it, cumulative
  std::vector<signed char> StepParallel;   // per kernel step: started a parallel loop in
                                           // its last call (1, 0; -1 until it has run,
                                           // which groupEnd takes as parallel)
  std::vector<int32_t> StepGroup;          // per step: first step of the steps it ran
                                           // beside in the last run (itself if alone)
  bool HasProfile = false;
  /// A training step with micro_batch (MicroBatch.cpp): how its slices run; built at
  /// its first run.
  std::shared_ptr<MicroBatchPlan> MicroBatch;
  /// When not empty: per entry output, the memory the next runs write it to instead of
  /// `Outputs` (MicroBatch.cpp: a slice's gradients straight into its sums' buffer).
  std::vector<void *> OutputTo;
  // GPU kernels only (Device.cpp): every slot's device address, laid out as the host
  // addresses are; the device memory of the inputs and the outputs.
  std::vector<uint64_t> DeviceAddress;
  std::vector<DeviceBlock> DeviceInputs;   // one per entry input
  std::vector<DeviceBlock> DeviceOutputs;  // one per entry output
};

} // namespace nnrt

/// A dataset: `Count` examples (f32 images or i32 token ids) and their i32 targets.
struct nnrt_dataset {
  int64_t Count = 0;
  int32_t ExampleDtype = NNRT_F32;
  int32_t ExampleRank = 2;               ///< dims per example: IDX [rows, cols], text [S]
  int64_t ExampleDims[2] = {0, 0};
  int64_t TargetsPerExample = 1;         ///< 1 (a label) or S (next tokens)
  const char *ExampleName = "image";     ///< the model input the examples feed
  const char *TargetName = "label";      ///< the model input the targets feed
  std::string LabelsPath;                ///< for messages about labels
  nnrt::AlignedBuffer Images;            ///< the examples, [Count, ExampleDims...]
  nnrt::AlignedBuffer Labels;            ///< i32 [Count, TargetsPerExample]
  std::string Vocabulary;                ///< text: nnrt_dataset_vocabulary
  std::string Categories;                ///< text: nnrt_dataset_categories
};

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
  /// GPU kernels only (Device.cpp): the parameters' and the arena's device memory.
  std::vector<nnrt::DeviceBlock> DeviceParams;
  nnrt::DeviceBlock DeviceArena;
  /// Parameter keys (nnrt::beginRun): the current generation (0: none yet), whether the
  /// parameters changed since the last run, whether a view of them was handed out.
  uint64_t ParamGeneration = 0;
  bool ParamsWritten = true;
  bool ParamsShared = false;
  ~nnrt_context();
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

/// The element count of a concrete shape, or -1 when a dim is negative, the rank is out
/// of range or the count exceeds NNRT_MAX_ELEMENTS (computed with overflow checks).
int64_t numel(const nnrt_shape &shape);
/// "f32[2147483648, 4] has more elements than 2147483647, the runtime's limit per tensor
/// (NNRT_MAX_ELEMENTS)": the message for a shape numel() refuses.
std::string tooLarge(int32_t dtype, const nnrt_shape &shape);
/// Multiplies element counts: false when the product exceeds NNRT_MAX_ELEMENTS.
bool mulElements(int64_t a, int64_t b, int64_t &out);
/// The value of dim `d` of a slot (nnrt/model.h: static, a symbol or a product of
/// symbols) with symbol k bound to symbolValues[k] (< 0: unbound). -1 when a symbol it
/// needs is unbound (that symbol's index in *unbound when given), -2 when the value
/// exceeds NNRT_MAX_ELEMENTS. The model is validated.
int64_t dimValue(const nnrt_model &model, const int64_t *symbolValues, int64_t d,
                 int32_t *unbound = nullptr);
/// "f32[2, 3]" with symbols (and products, B*S) printed by name when `model` is given.
std::string shapeString(const nnrt_shape &shape, const nnrt_model *model = nullptr);
const char *dtypeName(int32_t dtype);

/// Reads a whole plain file; an error past `maxBytes`.
nnrt_status readFile(const std::string &path, ByteArray &out, size_t maxBytes,
                     std::string &error);
/// When `bytes` starts with the gzip magic, replaces it by its decompressed contents (every
/// member of a multi-member file; an error past `maxBytes` or on trailing garbage);
/// otherwise leaves it as it is. `name` is for messages.
nnrt_status gunzipInPlace(const std::string &name, ByteArray &bytes, size_t maxBytes,
                          std::string &error);
/// A file's contents as parts written in order (a header, then tensors' bytes).
using Chunks = std::vector<std::pair<const void *, size_t>>;
/// Writes `head` and `chunks` to `path.tmp.<pid>`, fsyncs it and renames it over `path`.
/// `path` must be a regular file or absent (a symbolic link to a regular file is written
/// through); temporaries of dead writers beside it are removed first.
nnrt_status writeFileAtomic(const std::string &path, const std::string &head,
                            const Chunks &chunks, std::string &error);

//===----------------------------------------------------------------------===//
// In-memory readers: the file-based C API reads a file and calls these; the fuzzers in
// fuzz/ call them directly.
//===----------------------------------------------------------------------===//

/// Parses a whole .npy file; `out->data` is allocated (release with nnrt_free).
nnrt_status parseNpy(const std::string &name, const uint8_t *bytes, size_t size,
                     nnrt_tensor *out, nnrt_error *err);
/// The header of the .npy file `nnrt_npy_write` writes for `t` (the data follows it).
nnrt_status npyHeader(const nnrt_tensor &t, std::string &head, nnrt_error *err);

/// Builds a dataset from the bytes of an IDX image file and an IDX label file (each
/// gzip-compressed or plain; both consumed). Names are for messages.
nnrt_status loadIdxPair(const std::string &imagesName, ByteArray &images,
                        const std::string &labelsName, ByteArray &labels, nnrt_dataset **out,
                        nnrt_error *err);

/// Builds split `split` ("train" or "test") of a text dataset from the contents of its
/// category files (`contents[i]` is category `categories[i]`'s, label i); `where` names
/// the directory in messages. nnrt_dataset_load_text reads the files and calls it.
nnrt_status buildTextDataset(const std::vector<std::string> &categories,
                             const std::vector<std::string> &contents,
                             const nnrt_text_options &options, const std::string &split,
                             const std::string &where, nnrt_dataset **out, nnrt_error *err);

/// Random access to the bytes of a safetensors file.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  /// Reads `n` bytes at `offset` into `dst`; false when that fails.
  virtual bool read(uint64_t offset, void *dst, size_t n) = 0;
};
/// Loads every model parameter of `ctx` from a safetensors file (see
/// nnrt_load_safetensors); `name` is for messages.
nnrt_status loadSafetensors(nnrt_context *ctx, const char *name, ByteSource &src);
/// The safetensors file of the context's parameters: the header (length and JSON) and
/// the parameters' bytes.
void safetensorsImage(nnrt_context *ctx, std::string &head, Chunks &chunks);

// Micro-batched training steps (MicroBatch.cpp).

/// "" or why the model's iteration step `s` cannot run in micro-batches (its
/// micro_batch without the gradient and update entries that match it).
std::string microBatchProblem(const nnrt_model *m, const nnrt_iteration_step &s);
/// nnrt_run of `st`'s entry in micro-batches when it is a training step with
/// micro_batch N and `inputs` have more than N rows (`ran` then true); else `ran`
/// false and nothing done.
nnrt_status runMicroBatches(nnrt_context *ctx, EntryState &st, const nnrt_tensor *inputs,
                            nnrt_tensor *outputs, int32_t num_outputs, bool &ran);

} // namespace nnrt

#endif // NNRT_LIB_INTERNAL_H
