//===- Device.cpp - tensors in GPU memory for CUDA kernels ----------------===//
//
// A binary built with `nnc --target=host-cuda` links a Halide runtime with CUDA, and its
// kernels take halide_buffer_t arguments whose `device` field is a GPU address. This
// file keeps the model's tensors on the device, laid out as they are on the host:
//   - the arena: one device block as large as the host arena; a TEMP slot's device
//     address is the block's plus its arena offset (the memory plan is the same);
//   - parameters and optimizer state: one block each, in the context, shared by every
//     entry; uploaded only when the host changed them (initialisation, a load, a
//     caller's nnrt_param_view), copied back only when the host reads them (a
//     checkpoint, nnrt_param_view);
//   - inputs: one block per entry input, uploaded once per run;
//   - outputs: one block per entry output, copied to the host after the run;
//   - ALIAS and VIEW slots: their source's address (plus the slice's offset), as on
//     the host.
// Halide's pipelines then find every argument already on the device (its `device` set,
// no dirty flag) and copy nothing; their own scratch comes from Halide's cache of
// device blocks (halide_reuse_device_allocations), so after the first run a run
// allocates nothing on the device unless a shape grows.
//
//===----------------------------------------------------------------------------===//
#include "Internal.h"

#include <cstring>

using namespace nnrt;

// The binary's Halide runtime defines halide_cuda_device_interface when it has CUDA; a
// CPU binary does not (a weak reference: null). The device calls are weak too: programs
// that link libnnrt without any Halide runtime (the self-test, the fuzzers) never make
// them.
extern "C" const halide_device_interface_t *halide_cuda_device_interface()
    __attribute__((weak));
#pragma weak halide_copy_to_host
#pragma weak halide_copy_to_device
#pragma weak halide_device_malloc
#pragma weak halide_device_free
#pragma weak halide_buffer_copy
#pragma weak halide_reuse_device_allocations
#pragma weak halide_device_sync

bool nnrt::gpuKernels() { return halide_cuda_device_interface != nullptr; }

namespace {

const halide_device_interface_t *cuda() { return halide_cuda_device_interface(); }

std::string reason() {
  const char *m = halideMessage();
  return m[0] ? m : "no message from CUDA";
}

/// Describes `b` as `bytes` bytes at `host`: one dim when it fits Halide's 32-bit
/// extents, else [4096, n] (the arena; never copied, so rounding up is harmless).
void describe(DeviceBlock &b, void *host, size_t bytes) {
  b.Buf.host = static_cast<uint8_t *>(host);
  b.Buf.type = halide_type_t(halide_type_uint, 8);
  size_t extent = bytes ? bytes : 1;
  if (extent <= size_t(INT32_MAX)) {
    b.Buf.dimensions = 1;
    b.Dim[0] = halide_dimension_t{0, int32_t(extent), 1, 0};
  } else {
    b.Buf.dimensions = 2;
    b.Dim[0] = halide_dimension_t{0, 4096, 1, 0};
    b.Dim[1] = halide_dimension_t{0, int32_t((extent + 4095) / 4096), 4096, 0};
  }
}

/// Gives `b` device memory for `bytes` bytes mirroring `host`: kept when the size is
/// unchanged, else freed (into Halide's cache) and allocated again.
nnrt_status ensure(nnrt_context *ctx, DeviceBlock &b, void *host, size_t bytes,
                   const char *what) {
  if (b.Buf.device && b.Bytes == bytes) {
    b.Buf.host = static_cast<uint8_t *>(host);
    return NNRT_OK;
  }
  if (b.Buf.device)
    halide_device_free(nullptr, b.buffer());
  describe(b, host, bytes);
  b.Bytes = bytes;
  b.Buf.flags = 0;
  b.Current = DeviceBlock::HostNewer;
  clearHalideMessage();
  if (halide_device_malloc(nullptr, b.buffer(), cuda()) != 0)
    return fail(ctx, NNRT_ERR_DEVICE, "cannot allocate %zu bytes on the GPU for %s: %s",
                bytes, what, reason().c_str());
  return NNRT_OK;
}

/// Copies of more than 2 GiB would need several descriptors (Halide's extents are
/// 32-bit): refused.
nnrt_status checkCopySize(nnrt_context *ctx, size_t bytes, const char *what) {
  if (bytes <= size_t(INT32_MAX))
    return NNRT_OK;
  return fail(ctx, NNRT_ERR_DEVICE, "%s: %zu bytes; copies between host and GPU of more "
              "than 2 GiB are not supported", what, bytes);
}

nnrt_status upload(nnrt_context *ctx, DeviceBlock &b, const char *what) {
  if (nnrt_status s = checkCopySize(ctx, b.Bytes, what); s != NNRT_OK)
    return s;
  if (!b.Bytes) {
    b.Current = DeviceBlock::Same;
    return NNRT_OK;
  }
  b.Buf.flags = halide_buffer_flag_host_dirty;
  clearHalideMessage();
  int rc = halide_copy_to_device(nullptr, b.buffer(), cuda());
  b.Buf.flags = 0;
  if (rc != 0)
    return fail(ctx, NNRT_ERR_DEVICE, "cannot copy %s to the GPU: %s", what,
                reason().c_str());
  b.Current = DeviceBlock::Same;
  return NNRT_OK;
}

/// Copies `bytes` bytes at device address `device` to `host`.
nnrt_status download(nnrt_context *ctx, void *host, uint64_t device, size_t bytes,
                     const char *what) {
  if (!bytes)
    return NNRT_OK;
  if (nnrt_status s = checkCopySize(ctx, bytes, what); s != NNRT_OK)
    return s;
  DeviceBlock view;
  describe(view, host, bytes);
  view.Buf.device = device;
  view.Buf.device_interface = cuda();
  view.Buf.flags = halide_buffer_flag_device_dirty;
  clearHalideMessage();
  if (halide_copy_to_host(nullptr, view.buffer()) != 0)
    return fail(ctx, NNRT_ERR_DEVICE, "cannot copy %s from the GPU: %s", what,
                reason().c_str());
  return NNRT_OK;
}

/// The slot whose memory slot `s` is (following views and aliases; validated acyclic).
int32_t rootSlot(const nnrt_entry &e, int32_t s) {
  while (e.slots[s].kind == NNRT_SLOT_ALIAS || e.slots[s].kind == NNRT_SLOT_VIEW)
    s = e.slots[s].index;
  return s;
}

} // namespace

bool nnrt::deviceUsable(std::string &message) {
  if (!gpuKernels())
    return true;
  // Once per process: initialise CUDA by allocating 4 bytes on the device, and let
  // Halide keep freed device blocks for reuse.
  static const std::string failure = [] {
    DeviceBlock probe;
    float host = 0;
    describe(probe, &host, sizeof host);
    clearHalideMessage();
    if (halide_device_malloc(nullptr, probe.buffer(), cuda()) != 0)
      return reason();
    halide_device_free(nullptr, probe.buffer());
    halide_reuse_device_allocations(nullptr, true);
    return std::string();
  }();
  if (failure.empty())
    return true;
  message = "this model's kernels run on an NVIDIA GPU (compiled with nnc "
            "--target=host-cuda), and CUDA cannot be used here: " + failure;
  return false;
}

nnrt_status nnrt::placeOnDevice(nnrt_context *ctx, EntryState &st, const nnrt_tensor *in) {
  const nnrt_entry &e = *st.Entry;
  const nnrt_model &m = *ctx->Model;
  nnrt_status s;
  if ((s = ensure(ctx, ctx->DeviceArena, ctx->Arena.data(), ctx->Arena.size(),
                  "the arena")) != NNRT_OK)
    return s;
  if (ctx->DeviceParams.size() != size_t(m.num_params))
    ctx->DeviceParams.resize(m.num_params);
  for (int32_t p = 0; p < m.num_params; ++p) {
    DeviceBlock &b = ctx->DeviceParams[p];
    if ((s = ensure(ctx, b, ctx->Params[p].data(), size_t(numel(m.params[p].shape)) * 4,
                    m.params[p].name)) != NNRT_OK)
      return s;
    if (b.Current == DeviceBlock::HostNewer && (s = upload(ctx, b, m.params[p].name)) != NNRT_OK)
      return s;
  }
  st.DeviceInputs.resize(e.num_inputs);
  st.DeviceOutputs.resize(e.num_outputs);
  st.DeviceAddress.assign(e.num_slots, 0);
  uint64_t arena = ctx->DeviceArena.Buf.device;
  auto *arenaHost = static_cast<uint8_t *>(ctx->Arena.data());
  for (int32_t slot = 0; slot < e.num_slots; ++slot) {
    const nnrt_slot &sl = e.slots[slot];
    switch (sl.kind) {
    case NNRT_SLOT_INPUT: {
      int32_t i = st.InputPos[slot];
      DeviceBlock &b = st.DeviceInputs[i];
      const char *name = m.inputs[sl.index].name;
      if ((s = ensure(ctx, b, in[i].data, st.Bytes[slot], name)) != NNRT_OK ||
          (s = upload(ctx, b, name)) != NNRT_OK)
        return s;
      st.DeviceAddress[slot] = b.Buf.device;
      break;
    }
    case NNRT_SLOT_PARAM:
      st.DeviceAddress[slot] = ctx->DeviceParams[sl.index].Buf.device;
      break;
    case NNRT_SLOT_TEMP:
      st.DeviceAddress[slot] = arena + uint64_t(st.Buffers[slot].host - arenaHost);
      break;
    case NNRT_SLOT_OUTPUT: {
      DeviceBlock &b = st.DeviceOutputs[sl.index];
      if ((s = ensure(ctx, b, st.Outputs[sl.index].data(), st.Bytes[slot], "an output")) !=
          NNRT_OK)
        return s;
      st.DeviceAddress[slot] = b.Buf.device;
      break;
    }
    default:
      break;
    }
  }
  pointDerivedOnDevice(st);
  return NNRT_OK;
}

void nnrt::pointDerivedOnDevice(EntryState &st) {
  const nnrt_entry &e = *st.Entry;
  const halide_device_interface_t *device = cuda();
  for (int32_t s = 0; s < e.num_slots; ++s) {
    const nnrt_slot &sl = e.slots[s];
    // Sources come first (validated), so they are placed already.
    if (sl.kind == NNRT_SLOT_VIEW) {
      st.DeviceAddress[s] = st.DeviceAddress[sl.index] + st.ViewOffset[s];
    } else if (sl.kind == NNRT_SLOT_ALIAS) {
      int32_t target = sl.index; // an alias of a view is that slice
      while (e.slots[target].kind == NNRT_SLOT_ALIAS)
        target = e.slots[target].index;
      st.DeviceAddress[s] = st.DeviceAddress[target];
    }
    halide_buffer_t &b = st.Buffers[s];
    b.device = st.DeviceAddress[s];
    b.device_interface = device;
    b.flags = 0;
  }
}

void nnrt::noteDeviceWrites(nnrt_context *ctx, EntryState &st, const nnrt_step &step) {
  const nnrt_entry &e = *st.Entry;
  for (int32_t a = 0; a < step.num_args; ++a) {
    halide_buffer_t &b = st.Buffers[step.args[a]];
    if (!(b.flags & halide_buffer_flag_device_dirty))
      continue;
    b.flags = 0;
    const nnrt_slot &root = e.slots[rootSlot(e, step.args[a])];
    if (root.kind == NNRT_SLOT_PARAM)
      ctx->DeviceParams[root.index].Current = DeviceBlock::DeviceNewer;
  }
}

nnrt_status nnrt::updateParamOnDevice(nnrt_context *ctx, EntryState &st, int32_t p,
                                      int32_t s) {
  DeviceBlock &dst = ctx->DeviceParams[p];
  if (st.DeviceAddress[s] == dst.Buf.device)
    return NNRT_OK;
  DeviceBlock src;
  describe(src, st.Buffers[s].host, dst.Bytes);
  src.Buf.device = st.DeviceAddress[s];
  src.Buf.device_interface = cuda();
  dst.Buf.flags = 0;
  clearHalideMessage();
  int rc = halide_buffer_copy(nullptr, src.buffer(), cuda(), dst.buffer());
  dst.Buf.flags = 0;
  if (rc != 0)
    return fail(ctx, NNRT_ERR_DEVICE, "cannot update parameter '%s' on the GPU: %s",
                ctx->Model->params[p].name, reason().c_str());
  dst.Current = DeviceBlock::DeviceNewer;
  return NNRT_OK;
}

nnrt_status nnrt::deviceSync(nnrt_context *ctx) {
  // CUDA's sync waits for all of the context's work; Halide wants it named by a buffer
  // that has device memory: the arena's (allocated before any kernel runs).
  DeviceBlock &arena = ctx->DeviceArena;
  if (!arena.Buf.device)
    return NNRT_OK;
  clearHalideMessage();
  if (halide_device_sync(nullptr, arena.buffer()) != 0)
    return fail(ctx, NNRT_ERR_DEVICE, "waiting for the GPU failed: %s", reason().c_str());
  return NNRT_OK;
}

nnrt_status nnrt::outputsToHost(nnrt_context *ctx, EntryState &st) {
  const nnrt_entry &e = *st.Entry;
  for (int32_t o = 0; o < e.num_outputs; ++o) {
    int32_t slot = e.output_slots[o];
    if (e.slots[rootSlot(e, slot)].kind == NNRT_SLOT_INPUT)
      continue; // the caller's own data
    if (nnrt_status s = download(ctx, st.Buffers[slot].host, st.DeviceAddress[slot],
                                 st.Bytes[slot], "an output");
        s != NNRT_OK)
      return s;
  }
  return NNRT_OK;
}

nnrt_status nnrt::paramsToHost(nnrt_context *ctx, bool hostWrites) {
  if (!gpuKernels())
    return NNRT_OK;
  for (size_t p = 0; p < ctx->DeviceParams.size(); ++p) {
    DeviceBlock &b = ctx->DeviceParams[p];
    if (b.Current == DeviceBlock::DeviceNewer) {
      if (nnrt_status s = download(ctx, b.Buf.host, b.Buf.device, b.Bytes,
                                   ctx->Model->params[p].name);
          s != NNRT_OK)
        return s;
      b.Current = DeviceBlock::Same;
    }
    if (hostWrites)
      b.Current = DeviceBlock::HostNewer;
  }
  return NNRT_OK;
}

void nnrt::paramsChangedOnHost(nnrt_context *ctx) {
  for (DeviceBlock &b : ctx->DeviceParams)
    b.Current = DeviceBlock::HostNewer;
}

nnrt_context::~nnrt_context() {
  if (!gpuKernels())
    return;
  auto release = [](DeviceBlock &b) {
    if (b.Buf.device)
      halide_device_free(nullptr, b.buffer());
  };
  release(DeviceArena);
  for (DeviceBlock &b : DeviceParams)
    release(b);
  for (EntryState &st : Entries) {
    for (DeviceBlock &b : st.DeviceInputs)
      release(b);
    for (DeviceBlock &b : st.DeviceOutputs)
      release(b);
  }
}
