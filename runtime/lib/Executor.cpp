//===- Executor.cpp - runs an entry of a compiled model ------------------===//
//
// nnrt_run: checks the inputs against the entry's declared inputs, binds the symbolic
// dims, sizes every slot, lays the compiler-planned temporary buffers out in the
// context's arena, describes each slot as a halide_buffer_t and calls the kernels in
// order. Also defines `halide_error`, which replaces the aborting default of Halide's
// runtime, and `halide_malloc`/`halide_free`, which recycle kernel scratch blocks and
// count every block taken from the system (they must live in this object file so that linking the executor always links
// them over the Halide runtime's weak defaults).
//
//===----------------------------------------------------------------------===//
#include "Internal.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <numeric>
#include <thread>

using namespace nnrt;

/// Every allocation libnnrt and its kernels made in this process (nnrt_allocation_count).
static std::atomic<uint64_t> AllocationCount{0};
/// This thread's share of AllocationCount (a step run beside others counts its own).
static thread_local uint64_t ThreadAllocations = 0;

void nnrt::countAllocation() {
  AllocationCount.fetch_add(1, std::memory_order_relaxed);
  ++ThreadAllocations;
}

// Halide's runtime asks for pointers aligned for vector loads and stores, with at least
// 8 readable bytes before the start and past the end: a 64-aligned block with 64 bytes
// of headroom on each side, the user pointer 64 bytes in.
//
// Blocks are recycled: a freed block goes on a free list for its power-of-two size
// class (the list is threaded through the blocks themselves), and the next request of
// that class takes it back. Kernels whose schedules keep a batch-sized accumulator on
// the heap therefore take memory from the system only on their first calls, so a
// training step allocates nothing after warm-up. Memory is kept until the process exits
// (the cache is bounded by the largest simultaneous demand).
//
// Small blocks are what parallel tasks take (a matmul prologue's row tile, say): one
// per worker at a time. A miss on a small class therefore takes one block per worker
// thread, so that a warm-up call that happened to run on fewer threads than later
// calls still leaves a block for every worker.
//
// Each thread keeps up to kLocalBlocks freed blocks of each small class for itself,
// taken back without the lock: Halide frees a block in the scope that allocated it, so
// a task's blocks come back to the thread that runs it. With the shared lists alone,
// the two threads of cnn32's inference at batch 64 met on the lock at every task (7%
// of the samples in pthread_mutex_lock, and the waits besides): 2.14 -> 1.60 ms per
// call (docs/benchmarks.md, "Scratch blocks per thread"). A thread that ends gives its
// blocks to the shared lists.
static constexpr size_t kHalidePad = 64;
static constexpr int kNumClasses = 48;
/// Classes up to 2^kLargestBatchedClass bytes are taken a worker's worth at a time.
static constexpr int kLargestBatchedClass = 16;
/// Freed blocks a thread keeps per class for itself.
static constexpr int kLocalBlocks = 4;

namespace {
/// A free list threaded through its blocks (the next pointer after the class word).
void push(void *&head, void *block) {
  std::memcpy(static_cast<uint8_t *>(block) + sizeof(int64_t), &head, sizeof(void *));
  head = block;
}
void *pop(void *&head) {
  void *block = head;
  if (block)
    std::memcpy(&head, static_cast<uint8_t *>(block) + sizeof(int64_t), sizeof(void *));
  return block;
}
struct BlockCache {
  std::mutex Lock;
  void *Free[kNumClasses] = {};
};
BlockCache &blockCache() {
  static BlockCache cache;
  return cache;
}
/// One thread's own blocks of the small classes; given to the shared lists when the
/// thread ends.
struct LocalBlocks {
  void *Free[kNumClasses] = {};
  int Count[kNumClasses] = {};
  /// A block of class `c` this thread freed, or null.
  void *take(int c) {
    void *block = c <= kLargestBatchedClass ? pop(Free[c]) : nullptr;
    Count[c] -= block != nullptr;
    return block;
  }
  /// Keeps `block` of class `c`; false when this thread keeps enough of them already.
  bool keep(int c, void *block) {
    if (c > kLargestBatchedClass || Count[c] == kLocalBlocks)
      return false;
    push(Free[c], block);
    ++Count[c];
    return true;
  }
  ~LocalBlocks() {
    BlockCache &cache = blockCache();
    std::lock_guard<std::mutex> guard(cache.Lock);
    for (int c = 0; c < kNumClasses; ++c)
      while (void *block = pop(Free[c]))
        push(cache.Free[c], block);
  }
};
thread_local LocalBlocks Local;
/// The smallest class c with 2^c >= bytes (blocks are at least 256 bytes).
int sizeClass(size_t bytes) {
  int c = 8;
  while ((size_t(1) << c) < bytes)
    ++c;
  return c;
}
} // namespace

extern "C" void *halide_malloc(void *userContext, size_t x) {
  (void)userContext;
  // The largest class holds 2^(kNumClasses-1) bytes; a larger request (or one whose
  // padding would wrap around) is refused, and the kernel reports it.
  if (x > (size_t(1) << (kNumClasses - 1)) - 2 * kHalidePad)
    return nullptr;
  int c = sizeClass(x + 2 * kHalidePad);
  if (c >= kNumClasses)
    return nullptr;
  BlockCache &cache = blockCache();
  uint8_t *base = static_cast<uint8_t *>(Local.take(c));
  if (!base) {
    std::lock_guard<std::mutex> guard(cache.Lock);
    base = static_cast<uint8_t *>(pop(cache.Free[c]));
  }
  if (!base) {
    base = static_cast<uint8_t *>(std::aligned_alloc(kAlign, size_t(1) << c));
    if (!base)
      return nullptr;
    countAllocation();
    // The other workers' blocks of a small class go straight to the free list.
    for (int i = 1; c <= kLargestBatchedClass && i < workerThreads(); ++i) {
      void *extra = std::aligned_alloc(kAlign, size_t(1) << c);
      if (!extra)
        break;
      countAllocation();
      std::lock_guard<std::mutex> guard(cache.Lock);
      push(cache.Free[c], extra);
    }
  }
  int64_t cls = c;
  std::memcpy(base, &cls, sizeof(cls)); // the class, read back by halide_free
  return base + kHalidePad;
}

extern "C" void halide_free(void *userContext, void *ptr) {
  (void)userContext;
  if (!ptr)
    return;
  uint8_t *base = static_cast<uint8_t *>(ptr) - kHalidePad;
  int64_t c;
  std::memcpy(&c, base, sizeof(c));
  if (Local.keep(int(c), base))
    return;
  BlockCache &cache = blockCache();
  std::lock_guard<std::mutex> guard(cache.Lock);
  push(cache.Free[c], base);
}

/// The last message Halide reported on this thread.
static thread_local char HalideMessage[1024];

extern "C" void halide_error(void *userContext, const char *msg) {
  (void)userContext;
  std::strncpy(HalideMessage, msg ? msg : "", sizeof(HalideMessage) - 1);
  HalideMessage[sizeof(HalideMessage) - 1] = 0;
  // Halide messages often end with a newline; trim it for our one-line errors.
  size_t n = std::strlen(HalideMessage);
  while (n && (HalideMessage[n - 1] == '\n' || HalideMessage[n - 1] == ' '))
    HalideMessage[--n] = 0;
}

const char *nnrt::halideMessage() { return HalideMessage; }

void nnrt::clearHalideMessage() { HalideMessage[0] = 0; }

/// Builds the per-entry tables that never change between runs.
static nnrt_status prepareEntry(nnrt_context *ctx, EntryState &st) {
  const nnrt_entry &e = *st.Entry;
  st.InputPos.assign(e.num_slots, -1);
  for (int32_t s = 0; s < e.num_slots; ++s)
    if (e.slots[s].kind == NNRT_SLOT_INPUT)
      for (int32_t i = 0; i < e.num_inputs; ++i)
        if (e.inputs[i] == e.slots[s].index)
          st.InputPos[s] = i;
  st.Shapes.resize(e.num_slots);
  st.Bytes.resize(e.num_slots);
  st.Buffers.assign(e.num_slots, halide_buffer_t{});
  st.ViewOffset.assign(e.num_slots, 0);
  st.Dims.assign(size_t(e.num_slots) * NNRT_MAX_RANK, halide_dimension_t{});
  // Each kernel's arguments: its operands' buffers, its parameter key if it takes one
  // (nnrt_step.key_arg), its results' buffers.
  size_t totalArgs = 0;
  st.ArgvStart.resize(e.num_steps);
  st.Keys.assign(e.num_steps, 0);
  for (int32_t i = 0; i < e.num_steps; ++i) {
    st.ArgvStart[i] = totalArgs;
    totalArgs += e.steps[i].num_args + (e.steps[i].key_arg ? 1 : 0);
  }
  st.Argv.resize(totalArgs);
  for (int32_t i = 0; i < e.num_steps; ++i) {
    const nnrt_step &step = e.steps[i];
    void **argv = st.Argv.data() + st.ArgvStart[i];
    int32_t operands = step.num_args - step.num_results;
    for (int32_t a = 0; a < step.num_args; ++a)
      argv[a + (step.key_arg && a >= operands ? 1 : 0)] = &st.Buffers[step.args[a]];
    if (step.key_arg)
      argv[operands] = &st.Keys[i];
  }
  for (int32_t s = 0; s < e.num_slots; ++s) {
    halide_buffer_t &b = st.Buffers[s];
    b.type.code = e.slots[s].dtype == NNRT_F32 ? halide_type_float : halide_type_int;
    b.type.bits = 32;
    b.type.lanes = 1;
    b.dim = &st.Dims[size_t(s) * NNRT_MAX_RANK];
  }
  st.Outputs.resize(e.num_outputs);
  st.StepSeconds.assign(e.num_steps, 0.0);
  st.StepAllocations.assign(e.num_steps, 0);
  st.StepParallel.assign(e.num_steps, -1);
  st.StepGroup.resize(e.num_steps);
  std::iota(st.StepGroup.begin(), st.StepGroup.end(), 0);
  st.BufferBytes.assign(e.num_buffers, 0);
  st.BufferOffsets.assign(e.num_buffers, 0);
  st.Prepared = true;
  (void)ctx;
  return NNRT_OK;
}

/// Checks the inputs and binds every symbol they mention.
static nnrt_status bindInputs(nnrt_context *ctx, const nnrt_entry &e, const nnrt_tensor *in) {
  const nnrt_model *m = ctx->Model;
  std::fill(ctx->Symbols.begin(), ctx->Symbols.end(), -1);
  for (int32_t i = 0; i < e.num_inputs; ++i) {
    const nnrt_input &decl = m->inputs[e.inputs[i]];
    const nnrt_tensor &t = in[i];
    if (t.dtype != decl.dtype)
      return fail(ctx, NNRT_ERR_SHAPE, "input '%s': expected dtype %s, got %s", decl.name,
                  dtypeName(decl.dtype), dtypeName(t.dtype));
    if (t.shape.rank != decl.shape.rank)
      return fail(ctx, NNRT_ERR_SHAPE, "input '%s': expected rank %d %s, got rank %d %s",
                  decl.name, decl.shape.rank, shapeString(decl.shape, m).c_str(),
                  t.shape.rank, shapeString(t.shape).c_str());
    for (int32_t d = 0; d < t.shape.rank; ++d) {
      int64_t want = decl.shape.dims[d], got = t.shape.dims[d];
      if (got < 0)
        return fail(ctx, NNRT_ERR_SHAPE, "input '%s': dim %d is negative (%lld)", decl.name,
                    d, (long long)got);
      if (want >= 0) {
        if (want != got)
          return fail(ctx, NNRT_ERR_SHAPE, "input '%s': dim %d must be %lld, got %lld",
                      decl.name, d, (long long)want, (long long)got);
        continue;
      }
      int64_t &sym = ctx->Symbols[-(want + 1)];
      if (sym >= 0 && sym != got)
        return fail(ctx, NNRT_ERR_SHAPE,
                    "input '%s': dim %d binds symbol '%s' to %lld, but it is already %lld",
                    decl.name, d, m->symbols[-(want + 1)], (long long)got, (long long)sym);
      sym = got;
    }
    int64_t count = numel(t.shape);
    if (count < 0)
      return fail(ctx, NNRT_ERR_SHAPE, "input '%s': %s", decl.name,
                  tooLarge(t.dtype, t.shape).c_str());
    if (!t.data && count > 0)
      return fail(ctx, NNRT_ERR_ARG, "input '%s': data is NULL", decl.name);
  }
  return NNRT_OK;
}

/// Resolves every slot's concrete shape and size.
static nnrt_status sizeSlots(nnrt_context *ctx, EntryState &st) {
  const nnrt_entry &e = *st.Entry;
  for (int32_t s = 0; s < e.num_slots; ++s) {
    nnrt_shape shape = e.slots[s].shape;
    bool tooBig = false;
    for (int32_t d = 0; d < shape.rank; ++d) {
      int32_t k = -1;
      int64_t v = dimValue(*ctx->Model, ctx->Symbols.data(), shape.dims[d], &k);
      if (v == -1)
        return fail(ctx, NNRT_ERR_SHAPE,
                    "entry '%s': symbol '%s' of slot %d is not bound by any input", e.name,
                    ctx->Model->symbols[k], s);
      tooBig |= v < 0;
      shape.dims[d] = v < 0 ? INT64_MAX : v;
    }
    int64_t count = tooBig ? -1 : numel(shape);
    if (count < 0) {
      std::string bound;
      for (int32_t k = 0; k < ctx->Model->num_symbols; ++k)
        if (ctx->Symbols[k] >= 0)
          bound += format("%s%s = %lld", bound.empty() ? "" : ", ", ctx->Model->symbols[k],
                          (long long)ctx->Symbols[k]);
      return fail(ctx, NNRT_ERR_SHAPE, "entry '%s': slot %d with %s: %s", e.name, s,
                  bound.c_str(), tooLarge(e.slots[s].dtype, shape).c_str());
    }
    st.Shapes[s] = shape;
    st.Bytes[s] = size_t(count) * 4;
  }
  return NNRT_OK;
}

size_t nnrt::layoutBuffers(const nnrt_entry &e, const size_t *slotBytes, size_t *bufferBytes,
                           size_t *offsets) {
  for (int32_t b = 0; b < e.num_buffers; ++b)
    bufferBytes[b] = 0;
  for (int32_t s = 0; s < e.num_slots; ++s)
    if (e.slots[s].kind == NNRT_SLOT_TEMP)
      bufferBytes[e.slots[s].index] =
          std::max(bufferBytes[e.slots[s].index], alignUp(slotBytes[s]));
  size_t total = 0;
  for (int32_t b = 0; b < e.num_buffers; ++b) {
    offsets[b] = total;
    if (__builtin_add_overflow(total, bufferBytes[b], &total))
      return SIZE_MAX;
  }
  return total;
}

/// Whether `slot` is an ALIAS with strides (ABI v9).
static bool stridedSlot(const nnrt_slot &slot) {
  return slot.kind == NNRT_SLOT_ALIAS && slot.shape.rank > 0 && slot.strides[0] != 0;
}

/// Points the ALIAS and VIEW slots at their bytes, in slot order: a view's slot and an
/// alias's root view come before it (validated), so each is placed once its source is.
static void pointDerivedSlots(EntryState &st) {
  const nnrt_entry &e = *st.Entry;
  for (int32_t s = 0; s < e.num_slots; ++s) {
    const nnrt_slot &sl = e.slots[s];
    if (sl.kind == NNRT_SLOT_VIEW) {
      st.Buffers[s].host = st.Buffers[sl.index].host + st.ViewOffset[s];
    } else if (sl.kind == NNRT_SLOT_ALIAS) {
      int32_t target = sl.index;
      for (int32_t hops = 0; e.slots[target].kind == NNRT_SLOT_ALIAS && hops < e.num_slots;
           ++hops)
        target = e.slots[target].index;
      st.Buffers[s].host = st.Buffers[target].host;
    }
  }
  if (!st.DeviceAddress.empty())
    pointDerivedOnDevice(st);
}

/// Gives every slot its bytes: inputs, params, arena, context-owned outputs, aliases.
/// TEMP slot s starts at its buffer's offset; the buffers are sized afresh at every run
/// (cheap, allocation-free), and the arena grows only when a run needs more.
static nnrt_status placeSlots(nnrt_context *ctx, EntryState &st, const nnrt_tensor *in) {
  const nnrt_entry &e = *st.Entry;
  size_t arenaBytes =
      layoutBuffers(e, st.Bytes.data(), st.BufferBytes.data(), st.BufferOffsets.data());
  if (arenaBytes == SIZE_MAX)
    return fail(ctx, NNRT_ERR_OOM, "entry '%s': the arena's size overflows", e.name);
  if (!ctx->Arena.reserve(arenaBytes))
    return fail(ctx, NNRT_ERR_OOM, "cannot allocate a %zu-byte arena", arenaBytes);
  auto *arena = static_cast<uint8_t *>(ctx->Arena.data());
  for (int32_t s = 0; s < e.num_slots; ++s) {
    const nnrt_slot &sl = e.slots[s];
    uint8_t *host = nullptr;
    switch (sl.kind) {
    case NNRT_SLOT_INPUT: {
      const nnrt_tensor &t = in[st.InputPos[s]];
      if (size_t(numel(t.shape)) * 4 != st.Bytes[s])
        return fail(ctx, NNRT_ERR_SHAPE, "entry '%s': slot %d %s does not match input '%s' %s",
                    e.name, s, shapeString(st.Shapes[s]).c_str(),
                    ctx->Model->inputs[sl.index].name, shapeString(t.shape).c_str());
      host = static_cast<uint8_t *>(t.data);
      break;
    }
    case NNRT_SLOT_PARAM:
      if (size_t(numel(ctx->Model->params[sl.index].shape)) * 4 != st.Bytes[s])
        return fail(ctx, NNRT_ERR_SHAPE, "entry '%s': slot %d does not match param '%s'",
                    e.name, s, ctx->Model->params[sl.index].name);
      host = static_cast<uint8_t *>(ctx->Params[sl.index].data());
      break;
    case NNRT_SLOT_TEMP:
      host = arena + st.BufferOffsets[sl.index];
      break;
    case NNRT_SLOT_OUTPUT: {
      if (!st.OutputTo.empty()) {
        host = static_cast<uint8_t *>(st.OutputTo[sl.index]);
        break;
      }
      AlignedBuffer &buf = st.Outputs[sl.index];
      if (!buf.reserve(st.Bytes[s]))
        return fail(ctx, NNRT_ERR_OOM, "cannot allocate output %d (%zu bytes)", sl.index,
                    st.Bytes[s]);
      host = static_cast<uint8_t *>(buf.data());
      break;
    }
    default:
      break;
    }
    st.Buffers[s].host = host;
  }
  for (int32_t s = 0; s < e.num_slots; ++s) {
    if (e.slots[s].kind != NNRT_SLOT_ALIAS && e.slots[s].kind != NNRT_SLOT_VIEW)
      continue;
    int32_t target = e.slots[s].index, hops = 0;
    while (e.slots[target].kind == NNRT_SLOT_ALIAS && hops++ < e.num_slots)
      target = e.slots[target].index;
    if (e.slots[target].kind == NNRT_SLOT_ALIAS)
      return fail(ctx, NNRT_ERR_FORMAT, "entry '%s': slot %d is in an alias cycle", e.name, s);
    if (e.slots[s].kind == NNRT_SLOT_ALIAS && st.Bytes[s] > st.Bytes[target])
      return fail(ctx, NNRT_ERR_SHAPE, "entry '%s': alias slot %d (%zu bytes) is larger than "
                  "slot %d (%zu bytes)", e.name, s, st.Bytes[s], target, st.Bytes[target]);
    // A strided alias reaches at most its target's last element.
    if (e.slots[s].kind == NNRT_SLOT_ALIAS && stridedSlot(e.slots[s]) && st.Bytes[s] > 0) {
      const nnrt_shape &shape = st.Shapes[s];
      uint64_t last = 0;
      for (int32_t d = 0; d < shape.rank; ++d)
        last += uint64_t(shape.dims[d] - 1) * uint64_t(e.slots[s].strides[d]);
      if ((last + 1) * 4 > st.Bytes[target]) // f32 or i32
        return fail(ctx, NNRT_ERR_SHAPE, "entry '%s': strided alias slot %d reaches past "
                    "slot %d (%zu bytes)", e.name, s, target, st.Bytes[target]);
    }
    // A view is one slice of its slot's leading dim (validated shapes; checked bytes).
    if (e.slots[s].kind == NNRT_SLOT_VIEW &&
        st.Bytes[e.slots[s].index] !=
            st.Bytes[s] * size_t(st.Shapes[e.slots[s].index].dims[0]))
      return fail(ctx, NNRT_ERR_SHAPE, "entry '%s': view slot %d (%zu bytes) is not a slice "
                  "of slot %d (%zu bytes)", e.name, s, st.Bytes[s], e.slots[s].index,
                  st.Bytes[e.slots[s].index]);
    st.ViewOffset[s] = 0;
  }
  pointDerivedSlots(st);
  return NNRT_OK;
}

/// Writes the dims of every halide_buffer_t: dim[i] is nn dim rank-1-i, with dense
/// strides or a strided alias's.
static void describeSlots(EntryState &st) {
  for (size_t s = 0; s < st.Shapes.size(); ++s) {
    const nnrt_shape &shape = st.Shapes[s];
    const nnrt_slot &slot = st.Entry->slots[s];
    halide_buffer_t &b = st.Buffers[s];
    b.dimensions = shape.rank;
    b.flags = 0;
    b.device = 0;
    b.device_interface = nullptr;
    bool strided = stridedSlot(slot);
    int64_t stride = 1;
    for (int32_t i = 0; i < shape.rank; ++i) {
      int64_t extent = shape.dims[shape.rank - 1 - i];
      int64_t given = strided ? slot.strides[shape.rank - 1 - i] : stride;
      b.dim[i] = halide_dimension_t{0, int32_t(extent), int32_t(given), 0};
      stride *= extent;
    }
  }
}

/// Who hears of each finished top-level step (nnrt_run_observed).
struct Observer {
  nnrt_step_observer Fn = nullptr;
  void *User = nullptr;
};

/// Tells `observer` (if any) that top-level step `i` of `e` finished; fails the run when
/// it asks to stop.
static nnrt_status observeStep(nnrt_context *ctx, const nnrt_entry &e,
                               const Observer *observer, int32_t i) {
  if (observer && observer->Fn && observer->Fn(observer->User, i) != 0)
    return fail(ctx, NNRT_ERR_ARG, "entry '%s': stopped by the observer after step %d",
                e.name, i);
  return NNRT_OK;
}

/// Whether the bytes of slots `a` and `b` overlap (empty slots overlap nothing).
static bool overlap(const EntryState &st, int32_t a, int32_t b) {
  const uint8_t *pa = st.Buffers[a].host, *pb = st.Buffers[b].host;
  size_t na = st.Bytes[a], nb = st.Bytes[b];
  return na && nb && pa < pb + nb && pb < pa + na;
}

/// Whether kernel step `j` may run beside steps [begin, end): no result of one is in
/// memory that the other reads or writes.
static bool besideAll(const EntryState &st, int32_t j, int32_t begin, int32_t end) {
  const nnrt_step *steps = st.Entry->steps;
  auto results = [&](const nnrt_step &s) {
    return std::pair(s.args + s.num_args - s.num_results, s.args + s.num_args);
  };
  const nnrt_step &sj = steps[j];
  for (int32_t k = begin; k < end; ++k) {
    const nnrt_step &sk = steps[k];
    for (auto [writer, reader] : {std::pair(&sj, &sk), std::pair(&sk, &sj)}) {
      auto [first, last] = results(*writer);
      for (const int32_t *r = first; r != last; ++r)
        for (int32_t a = 0; a < reader->num_args; ++a)
          if (overlap(st, *r, reader->args[a]))
            return false;
    }
  }
  return true;
}

/// Most steps run side by side in one group.
constexpr int32_t kMaxBeside = 64;

/// Bytes a kernel step's arguments must hold, together, for it to run beside others:
/// below, a step takes about as long as waking the pool for it (an LSTM step's gate
/// kernels over one time step's slices: the GRU's training step 2.4 -> 3.1 ms when
/// they ran side by side).
constexpr size_t kBesideBytes = 256 * 1024;

/// Whether kernel step `i` reads and writes kBesideBytes or more.
static bool largeStep(const EntryState &st, int32_t i) {
  const nnrt_step &step = st.Entry->steps[i];
  size_t bytes = 0;
  for (int32_t a = 0; a < step.num_args; ++a)
    bytes += st.Bytes[step.args[a]];
  return bytes >= kBesideBytes;
}

/// Steps side by side: the end of the run of kernel steps from `begin` (before
/// `endStep`) that may run side by side, each on one thread: kernels that started no
/// parallel loop in their last call (a bias gradient's sum, one small update), that
/// record their results (nnrt_step.num_results) and that are independent of each other
/// (besideAll). W7's training step ends with 18 such sums and a scatter, 0.45 ms on one
/// core. `begin + 1` when there is no such run: not with an observer (it is told after
/// each step), GPU kernels, or one thread.
static int32_t groupEnd(const EntryState &st, int32_t begin, int32_t endStep,
                        const Observer *observer) {
  if (observer || !st.DeviceAddress.empty() || workerThreads() < 2)
    return begin + 1;
  const nnrt_step *steps = st.Entry->steps;
  int32_t end = begin;
  while (end < endStep && end - begin < kMaxBeside && steps[end].fn &&
         steps[end].num_results > 0 && !st.StepParallel[end] && largeStep(st, end) &&
         besideAll(st, end, begin, end))
    ++end;
  return std::max(end, begin + 1);
}

/// Calls kernel step `i` on this thread (skipped when its results are all empty: a batch
/// of none), timing it when profiling, counting its allocations (only this thread's when
/// it runs `beside` others: those run on other threads) and whether it started a
/// parallel loop. `rc` is the kernel's code; its message is in this thread's
/// HalideMessage.
static nnrt_status callKernel(nnrt_context *ctx, EntryState &st, int32_t i, bool beside,
                              int &rc) {
  const nnrt_step &step = st.Entry->steps[i];
  rc = 0;
  // A kernel whose results are all empty computes nothing (nnrt_step.num_results).
  if (step.num_results > 0 &&
      std::all_of(step.args + step.num_args - step.num_results, step.args + step.num_args,
                  [&](int32_t slot) { return st.Bytes[slot] == 0; }))
    return NNRT_OK;
  HalideMessage[0] = 0;
  void **args = st.Argv.data() + st.ArgvStart[i];
  if (step.key_arg)
    st.Keys[i] = paramKey(ctx, st.Entry->slots[step.args[step.key_arg - 1]].index);
  uint64_t allocsBefore =
      beside ? ThreadAllocations : AllocationCount.load(std::memory_order_relaxed);
  uint64_t loopsBefore = parallelLoopsStarted();
  std::chrono::steady_clock::time_point t0;
  if (ctx->Profiling)
    t0 = std::chrono::steady_clock::now();
  rc = step.fn(args);
  if (!st.DeviceAddress.empty())
    noteDeviceWrites(ctx, st, step);
  if (ctx->Profiling) {
    // A GPU kernel's launch returns before the kernel ends: time it to its end.
    if (rc == 0 && !st.DeviceAddress.empty())
      if (nnrt_status s = deviceSync(ctx); s != NNRT_OK)
        return s;
    st.StepSeconds[i] +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  st.StepParallel[i] = parallelLoopsStarted() != loopsBefore;
  st.StepAllocations[i] += (beside ? ThreadAllocations
                                   : AllocationCount.load(std::memory_order_relaxed)) -
                           allocsBefore;
  return NNRT_OK;
}

static nnrt_status kernelFailed(nnrt_context *ctx, const EntryState &st, int32_t i, int rc,
                                const char *message) {
  const nnrt_step &step = st.Entry->steps[i];
  return fail(ctx, NNRT_ERR_KERNEL, "entry '%s': kernel '%s' (step %d) failed with code "
              "%d: %s", st.Entry->name, step.kernel ? step.kernel : "?", i, rc,
              message[0] ? message : "no message");
}

/// Runs kernel steps [begin, end) side by side (groupEnd), each an iteration of one
/// parallel loop, so each on one thread: a kernel's own parallel loops would run
/// serially inside it, and one that starts one (a larger batch) runs alone from its
/// next call. The results are the same as in order: the steps are independent.
static nnrt_status runBeside(nnrt_context *ctx, EntryState &st, int32_t begin,
                             int32_t end) {
  struct Group {
    Group(nnrt_context *ctx, EntryState *st, int32_t begin) : Ctx(ctx), St(st), Begin(begin) {}
    nnrt_context *Ctx;
    EntryState *St;
    int32_t Begin;
    std::mutex Lock; // the first failure, in step order
    int32_t Failed = INT32_MAX;
    int Rc = 0;
    nnrt_status Status = NNRT_OK;
    char Message[sizeof(HalideMessage)] = {};
  } g(ctx, &st, begin);
  auto task = [](void *, int k, uint8_t *closure) -> int {
    Group &g = *reinterpret_cast<Group *>(closure);
    int32_t i = g.Begin + k;
    int rc = 0;
    nnrt_status s = callKernel(g.Ctx, *g.St, i, /*beside=*/true, rc);
    if (s != NNRT_OK || rc != 0) {
      std::lock_guard<std::mutex> guard(g.Lock);
      if (i < g.Failed) {
        g.Failed = i;
        g.Rc = rc;
        g.Status = s;
        std::snprintf(g.Message, sizeof(g.Message), "%s", HalideMessage);
      }
    }
    return 0;
  };
  halide_do_par_for(nullptr, task, 0, end - begin, reinterpret_cast<uint8_t *>(&g));
  for (int32_t i = begin; i < end; ++i)
    st.StepGroup[i] = begin;
  if (g.Failed == INT32_MAX)
    return NNRT_OK;
  if (g.Status != NNRT_OK)
    return g.Status;
  return kernelFailed(ctx, st, g.Failed, g.Rc, g.Message);
}

/// Runs steps [begin, end): kernels in order, and each loop's body once per iteration
/// with its views pointed at the iteration's slices; tells `observer` (top level only)
/// after each step.
static nnrt_status runRange(nnrt_context *ctx, EntryState &st, int32_t begin,
                            int32_t endStep, const Observer *observer = nullptr) {
  const nnrt_entry &e = *st.Entry;
  for (int32_t i = begin; i < endStep; ++i) {
    const nnrt_step &step = e.steps[i];
    if (!step.fn) {
      int64_t length = st.Shapes[step.loop_length].dims[0];
      for (int64_t k = 0; k < length; ++k) {
        int64_t t = step.loop_reverse ? length - 1 - k : k;
        for (int32_t a = 0; a < step.num_args; ++a)
          if (e.slots[step.args[a]].kind == NNRT_SLOT_VIEW)
            st.ViewOffset[step.args[a]] = size_t(t) * st.Bytes[step.args[a]];
        pointDerivedSlots(st);
        if (nnrt_status s = runRange(ctx, st, i + 1, i + 1 + step.loop_steps); s != NNRT_OK)
          return s;
      }
      if (nnrt_status s = observeStep(ctx, e, observer, i); s != NNRT_OK)
        return s;
      i += step.loop_steps;
      continue;
    }
    st.StepGroup[i] = i;
    if (int32_t end = groupEnd(st, i, endStep, observer); end > i + 1) {
      if (nnrt_status s = runBeside(ctx, st, i, end); s != NNRT_OK)
        return s;
      i = end - 1;
      continue;
    }
    int rc = 0;
    if (nnrt_status s = callKernel(ctx, st, i, /*beside=*/false, rc); s != NNRT_OK)
      return s;
    if (rc != 0)
      return kernelFailed(ctx, st, i, rc, HalideMessage);
    if (nnrt_status s = observeStep(ctx, e, observer, i); s != NNRT_OK)
      return s;
  }
  return NNRT_OK;
}

static nnrt_status runSteps(nnrt_context *ctx, EntryState &st,
                            const Observer *observer = nullptr) {
  if (ctx->Profiling)
    std::fill(st.StepSeconds.begin(), st.StepSeconds.end(), 0.0);
  if (nnrt_status s = runRange(ctx, st, 0, st.Entry->num_steps, observer); s != NNRT_OK)
    return s;
  st.HasProfile = ctx->Profiling;
  return NNRT_OK;
}

static nnrt_status applyUpdates(nnrt_context *ctx, EntryState &st) {
  const nnrt_entry &e = *st.Entry;
  for (int32_t u = 0; u < e.num_updates; ++u) {
    int32_t p = e.updates[2 * u], s = e.updates[2 * u + 1];
    size_t bytes = size_t(numel(ctx->Model->params[p].shape)) * 4;
    if (st.Bytes[s] != bytes)
      return fail(ctx, NNRT_ERR_SHAPE, "entry '%s': update of '%s' from slot %d: %zu bytes, "
                  "expected %zu", e.name, ctx->Model->params[p].name, s, st.Bytes[s], bytes);
    if (!st.DeviceAddress.empty()) {
      if (nnrt_status status = updateParamOnDevice(ctx, st, p, s); status != NNRT_OK)
        return status;
    } else if (st.Buffers[s].host != ctx->Params[p].data()) {
      // An output of its own (an update entry's, say): the parameter takes its memory
      // and the output the parameter's, for the next run to write, instead of a copy
      // (W4's embedding and its moments: 3.8 MB a step). Not while the caller holds a
      // view of the parameters (nnrt_param_view).
      const nnrt_slot &slot = e.slots[s];
      if (slot.kind == NNRT_SLOT_OUTPUT && st.OutputTo.empty() && !ctx->ParamsShared &&
          st.Outputs[slot.index].data() == st.Buffers[s].host)
        ctx->Params[p].swap(st.Outputs[slot.index]);
      else
        std::memmove(ctx->Params[p].data(), st.Buffers[s].host, bytes);
    }
  }
  return NNRT_OK;
}

static EntryState *findState(nnrt_context *ctx, const char *name) {
  if (!name)
    return nullptr;
  for (EntryState &st : ctx->Entries)
    if (std::strcmp(st.Entry->name, name) == 0)
      return &st;
  return nullptr;
}

/// Copies a per-step table of `st` into `out[0 .. min(capacity, steps))`; returns the
/// number of steps.
template <typename T>
static int32_t copyPerStep(const EntryState &st, const std::vector<T> &table, T *out,
                           int32_t capacity) {
  int32_t n = st.Entry->num_steps;
  for (int32_t i = 0; i < n && i < capacity; ++i)
    out[i] = table[i];
  return n;
}

/// Points `outputs[0 .. n)` at the entry's output buffers (on the host).
static void describeOutputs(const EntryState &st, nnrt_tensor *outputs, int32_t n) {
  const nnrt_entry &e = *st.Entry;
  for (int32_t o = 0; o < n; ++o) {
    int32_t slot = e.output_slots[o];
    outputs[o].dtype = e.slots[slot].dtype;
    outputs[o].shape = st.Shapes[slot];
    outputs[o].data = st.Buffers[slot].host;
  }
}

static nnrt_status runObserved(nnrt_context *ctx, const char *entry_name,
                               const nnrt_tensor *inputs, int32_t num_inputs,
                               nnrt_tensor *outputs, int32_t num_outputs,
                               const Observer *observer) {
  if (!ctx)
    return NNRT_ERR_ARG;
  EntryState *st = findState(ctx, entry_name);
  if (!st)
    return fail(ctx, NNRT_ERR_NOT_FOUND, "model '%s' has no entry '%s'", ctx->Model->name,
                entry_name ? entry_name : "(null)");
  const nnrt_entry &e = *st->Entry;
  if (num_inputs != e.num_inputs || (num_inputs && !inputs))
    return fail(ctx, NNRT_ERR_ARG, "entry '%s' takes %d inputs, got %d", e.name,
                e.num_inputs, num_inputs);
  if (num_outputs < 0 || num_outputs > e.num_outputs || (num_outputs && !outputs))
    return fail(ctx, NNRT_ERR_ARG, "entry '%s' has %d outputs, asked for %d", e.name,
                e.num_outputs, num_outputs);
  nnrt_status s;
  // A training step over more rows than its micro_batch (MicroBatch.cpp); one watched
  // by an observer runs whole, since the observer counts this entry's steps.
  if (!observer) {
    bool ran = false;
    if ((s = runMicroBatches(ctx, *st, inputs, outputs, num_outputs, ran)) != NNRT_OK || ran)
      return s;
  }
  if (!st->Prepared && (s = prepareEntry(ctx, *st)) != NNRT_OK)
    return s;
  if ((s = bindInputs(ctx, e, inputs)) != NNRT_OK || (s = sizeSlots(ctx, *st)) != NNRT_OK ||
      (s = placeSlots(ctx, *st, inputs)) != NNRT_OK)
    return s;
  describeSlots(*st);
  if (gpuKernels() && (s = placeOnDevice(ctx, *st, inputs)) != NNRT_OK)
    return s;
  beginRun(ctx);
  // An entry with updates changes the parameters (some in place during its steps), even
  // if a step fails: the next run starts a new generation.
  if (e.num_updates > 0)
    paramsWritten(ctx);
  // The host's outputs are final as their steps finish; a GPU's only after the copy.
  bool early = !gpuKernels();
  if (early)
    describeOutputs(*st, outputs, num_outputs);
  if ((s = runSteps(ctx, *st, early ? observer : nullptr)) != NNRT_OK ||
      (s = applyUpdates(ctx, *st)) != NNRT_OK)
    return s;
  if (!early) {
    if ((s = outputsToHost(ctx, *st)) != NNRT_OK)
      return s;
    describeOutputs(*st, outputs, num_outputs);
    for (int32_t i = 0; i < e.num_steps; i += 1 + (e.steps[i].fn ? 0 : e.steps[i].loop_steps))
      if ((s = observeStep(ctx, e, observer, i)) != NNRT_OK)
        return s;
  }
  ctx->LastError.clear();
  return NNRT_OK;
}

extern "C" {

nnrt_status nnrt_run(nnrt_context *ctx, const char *entry_name, const nnrt_tensor *inputs,
                     int32_t num_inputs, nnrt_tensor *outputs, int32_t num_outputs) {
  return runObserved(ctx, entry_name, inputs, num_inputs, outputs, num_outputs, nullptr);
}

nnrt_status nnrt_run_observed(nnrt_context *ctx, const char *entry_name,
                              const nnrt_tensor *inputs, int32_t num_inputs,
                              nnrt_tensor *outputs, int32_t num_outputs,
                              nnrt_step_observer observer, void *user) {
  Observer o{observer, user};
  return runObserved(ctx, entry_name, inputs, num_inputs, outputs, num_outputs, &o);
}

int32_t nnrt_output_ready_step(const nnrt_entry *e, int32_t output) {
  if (!e || output < 0 || output >= e->num_outputs)
    return -1;
  // The slot whose bytes a slot shares (aliases and views), followed to the end.
  auto root = [&](int32_t slot) {
    for (int32_t hops = 0; hops < e->num_slots; ++hops) {
      const nnrt_slot &s = e->slots[slot];
      if ((s.kind != NNRT_SLOT_ALIAS && s.kind != NNRT_SLOT_VIEW) || s.index < 0 ||
          s.index >= e->num_slots)
        break;
      slot = s.index;
    }
    return slot;
  };
  int32_t target = root(e->output_slots[output]), ready = -1;
  for (int32_t top = 0; top < e->num_steps;) {
    const nnrt_step &head = e->steps[top];
    int32_t span = head.fn ? 1 : 1 + head.loop_steps; // a loop and its body
    for (int32_t i = top; i < top + span && i < e->num_steps; ++i)
      for (int32_t a = 0; a < e->steps[i].num_args; ++a)
        if (root(e->steps[i].args[a]) == target)
          ready = top;
    top += span;
  }
  return ready;
}

void nnrt_context_set_profiling(nnrt_context *ctx, int32_t enabled) {
  ctx->Profiling = enabled != 0;
}

int32_t nnrt_kernels_on_gpu(void) { return gpuKernels() ? 1 : 0; }

int32_t nnrt_last_step_times(nnrt_context *ctx, const char *entry_name, double *seconds,
                             int32_t capacity) {
  EntryState *st = findState(ctx, entry_name);
  return st && st->HasProfile ? copyPerStep(*st, st->StepSeconds, seconds, capacity) : -1;
}

int32_t nnrt_last_step_groups(nnrt_context *ctx, const char *entry_name, int32_t *first,
                              int32_t capacity) {
  EntryState *st = findState(ctx, entry_name);
  return st && st->Prepared ? copyPerStep(*st, st->StepGroup, first, capacity) : -1;
}

int32_t nnrt_last_step_parallel(nnrt_context *ctx, const char *entry_name, int32_t *parallel,
                                int32_t capacity) {
  EntryState *st = findState(ctx, entry_name);
  if (!st || !st->Prepared)
    return -1;
  int32_t n = st->Entry->num_steps;
  for (int32_t i = 0; i < n && i < capacity; ++i)
    parallel[i] = st->Entry->steps[i].fn && st->StepParallel[i] == 1;
  return n;
}

uint64_t nnrt_allocation_count(void) {
  return AllocationCount.load(std::memory_order_relaxed);
}

int32_t nnrt_step_allocations(nnrt_context *ctx, const char *entry_name, uint64_t *counts,
                              int32_t capacity) {
  EntryState *st = findState(ctx, entry_name);
  return st && st->Prepared ? copyPerStep(*st, st->StepAllocations, counts, capacity) : -1;
}

nnrt_status nnrt_entry_memory(const nnrt_model *model, const nnrt_entry *entry,
                              int64_t symbol_value, nnrt_memory_info *out) {
  if (!model || !entry || !out || symbol_value < 0 || entry->num_buffers < 0)
    return NNRT_ERR_ARG;
  std::vector<size_t> bytes(entry->num_slots), bufferBytes(entry->num_buffers),
      offsets(entry->num_buffers);
  std::vector<int64_t> symbolValues(model->num_symbols, symbol_value);
  *out = nnrt_memory_info{};
  for (int32_t s = 0; s < entry->num_slots; ++s) {
    const nnrt_slot &sl = entry->slots[s];
    if (sl.kind != NNRT_SLOT_TEMP)
      continue;
    if (sl.index < 0 || sl.index >= entry->num_buffers)
      return NNRT_ERR_FORMAT;
    nnrt_shape shape = sl.shape;
    bool tooBig = false;
    for (int32_t d = 0; d < shape.rank && d < NNRT_MAX_RANK; ++d) {
      shape.dims[d] = dimValue(*model, symbolValues.data(), shape.dims[d]);
      tooBig |= shape.dims[d] < 0;
    }
    int64_t count = tooBig ? -1 : numel(shape);
    if (count < 0) // more than NNRT_MAX_ELEMENTS: the runtime would refuse this size
      return NNRT_ERR_SHAPE;
    bytes[s] = size_t(count) * 4;
    out->num_temps++;
    if (__builtin_add_overflow(out->unplanned_bytes, int64_t(alignUp(bytes[s])),
                               &out->unplanned_bytes))
      return NNRT_ERR_SHAPE;
  }
  out->num_buffers = entry->num_buffers;
  size_t arena = layoutBuffers(*entry, bytes.data(), bufferBytes.data(), offsets.data());
  if (arena > size_t(INT64_MAX))
    return NNRT_ERR_SHAPE;
  out->arena_bytes = int64_t(arena);
  return NNRT_OK;
}

} // extern "C"
