//===- selftest.cpp - nnrt-selftest: exercises libnnrt without the compiler --===//
//
// Subcommands used by the lit tests in test/runtime. Each prints values a test can
// check with FileCheck; failures print `error: <message>` and exit 1.
//
//===----------------------------------------------------------------------===//
#include "SelftestModel.h"
#include "nnrt/nnrt.h"

#include <cmath>
#include <cstddef>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <HalideRuntime.h>

namespace {

int fail(const char *msg) {
  std::fprintf(stderr, "error: %s\n", msg);
  return 1;
}

struct Ctx {
  nnrt_context *C = nullptr;
  explicit Ctx(const nnrt_model *m) {
    nnrt_error err;
    if (nnrt_context_create(m, &C, &err) != NNRT_OK) {
      std::fprintf(stderr, "error: %s\n", err.message);
      std::exit(1);
    }
  }
  ~Ctx() { nnrt_context_destroy(C); }
  int error() { return fail(nnrt_context_last_error(C)); }
};

nnrt_tensor tensor(int32_t dtype, std::vector<int64_t> dims, void *data) {
  nnrt_tensor t{};
  t.dtype = dtype;
  t.shape.rank = int32_t(dims.size());
  for (size_t i = 0; i < dims.size(); ++i)
    t.shape.dims[i] = dims[i];
  t.data = data;
  return t;
}

/// add with x[b, k] = b*4 + k and y = 100 * x, for each batch size given.
int runAdd(int argc, char **argv) {
  Ctx ctx(&SelftestModel);
  if (nnrt_params_init(ctx.C, 1) != NNRT_OK)
    return ctx.error();
  for (int a = 0; a < argc; ++a) {
    int64_t batch = std::atoll(argv[a]);
    std::vector<float> x(batch * 4), y(batch * 4);
    for (int64_t i = 0; i < batch * 4; ++i) {
      x[i] = float(i);
      y[i] = 100.0f * float(i);
    }
    nnrt_tensor in[2] = {tensor(NNRT_F32, {batch, 4}, x.data()),
                         tensor(NNRT_F32, {batch, 4}, y.data())};
    nnrt_tensor out[2];
    if (nnrt_run(ctx.C, "add", in, 2, out, 2) != NNRT_OK)
      return ctx.error();
    std::printf("batch %lld: sum rank %d [%lld, %lld, %lld]:", (long long)batch,
                out[0].shape.rank, (long long)out[0].shape.dims[0],
                (long long)out[0].shape.dims[1], (long long)out[0].shape.dims[2]);
    auto *s = static_cast<float *>(out[0].data);
    for (int64_t i = 0; i < batch * 4; ++i)
      std::printf(" %g", s[i]);
    std::printf("\ntotal rank %d: %g\n", out[1].shape.rank, *static_cast<float *>(out[1].data));
    std::printf("arena bytes: %zu\n", nnrt_context_arena_bytes(ctx.C));
  }
  return 0;
}

/// add at batch 2 through nnrt_run_observed: the step after which each output is final
/// (nnrt_output_ready_step), each step the observer hears of with the outputs final by
/// then, and an observer that stops the run after the first step.
int runObserved() {
  Ctx ctx(&SelftestModel);
  if (nnrt_params_init(ctx.C, 1) != NNRT_OK)
    return ctx.error();
  const nnrt_entry *e = nnrt_find_entry(&SelftestModel, "add");
  for (int32_t o = 0; o < e->num_outputs; ++o)
    std::printf("%s final after step %d of %d\n", e->output_names[o],
                nnrt_output_ready_step(e, o), e->num_steps);
  std::printf("out of range: %d\n", nnrt_output_ready_step(e, e->num_outputs));
  std::vector<float> x(8), y(8);
  for (int i = 0; i < 8; ++i) {
    x[i] = float(i);
    y[i] = 100.0f * float(i);
  }
  nnrt_tensor in[2] = {tensor(NNRT_F32, {2, 4}, x.data()), tensor(NNRT_F32, {2, 4}, y.data())};
  nnrt_tensor out[2];
  struct Seen {
    const nnrt_entry *E;
    nnrt_tensor *Out;
    int32_t StopAfter;
  } seen{e, out, -1};
  auto observer = [](void *user, int32_t step) {
    auto &s = *static_cast<Seen *>(user);
    std::printf("after step %d:", step);
    for (int32_t o = 0; o < s.E->num_outputs; ++o)
      if (nnrt_output_ready_step(s.E, o) <= step)
        std::printf(" %s[0] = %g", s.E->output_names[o],
                    static_cast<const float *>(s.Out[o].data)[0]);
    std::printf("\n");
    return step == s.StopAfter ? 1 : 0;
  };
  if (nnrt_run_observed(ctx.C, "add", in, 2, out, 2, observer, &seen) != NNRT_OK)
    return ctx.error();
  std::printf("total: %g\n", *static_cast<const float *>(out[1].data));
  seen.StopAfter = 0;
  if (nnrt_run_observed(ctx.C, "add", in, 2, out, 2, observer, &seen) == NNRT_OK)
    return fail("an observer returning 1 did not stop the run");
  std::printf("stopped: %s\n", nnrt_context_last_error(ctx.C));
  return 0;
}

/// chain with x[b, k] = b*4 + k (total = 8 * sum(x)) for each batch size given: the
/// planned arena (two buffers for three temporaries) and the allocations of each run.
int runChain(int argc, char **argv) {
  Ctx ctx(&SelftestModel);
  const nnrt_entry *e = nnrt_find_entry(&SelftestModel, "chain");
  for (int a = 0; a < argc; ++a) {
    int64_t batch = std::atoll(argv[a]);
    std::vector<float> x(batch * 4);
    for (int64_t i = 0; i < batch * 4; ++i)
      x[i] = float(i);
    nnrt_tensor in = tensor(NNRT_F32, {batch, 4}, x.data()), out;
    uint64_t before = nnrt_allocation_count();
    if (nnrt_run(ctx.C, "chain", &in, 1, &out, 1) != NNRT_OK)
      return ctx.error();
    uint64_t allocs = nnrt_allocation_count() - before;
    nnrt_memory_info mem;
    if (nnrt_entry_memory(&SelftestModel, e, batch, &mem) != NNRT_OK)
      return fail("nnrt_entry_memory failed");
    std::printf("batch %lld: total %g, arena bytes %zu, plan: %d temporaries in %d buffers, "
                "arena %lld (no reuse %lld), allocations %llu\n",
                (long long)batch, *static_cast<float *>(out.data),
                nnrt_context_arena_bytes(ctx.C), mem.num_temps, mem.num_buffers,
                (long long)mem.arena_bytes, (long long)mem.unplanned_bytes,
                (unsigned long long)allocs);
  }
  return 0;
}

/// A bad memory plan in the chain entry: `range` declares too few buffers for its TEMP
/// slots; `overlap` puts t1 into t0's buffer although step 1 reads t0 and writes t1;
/// `loop` makes step 1 a loop whose body runs past the last step; `view` makes t1 a
/// slice of a later slot; `view-shape` a slice of a slot of another shape; `product` a
/// table of dim products naming a symbol the model lacks; `product-ref` a slot naming a
/// product past the table; `strides` makes t1 an alias of t0 with a zero stride;
/// `results` gives step 0 more results than arguments.
int runBadBuffer(const std::string &kind) {
  static const nnrt_dim_product badProduct[] = {{2, 1, {5}}}, goodProduct[] = {{2, 1, {0}}};
  bool product = kind == "product" || kind == "product-ref";
  std::vector<nnrt_entry> entries(SelftestModel.entries,
                                  SelftestModel.entries + SelftestModel.num_entries);
  std::vector<nnrt_slot> slots;
  std::vector<nnrt_step> steps;
  for (nnrt_entry &e : entries) {
    if (std::strcmp(e.name, "chain") != 0)
      continue;
    if (kind == "range") {
      e.num_buffers = 1;
    } else if (kind == "overlap") {
      slots.assign(e.slots, e.slots + e.num_slots);
      slots[2].index = 0;
      e.slots = slots.data();
    } else if (kind == "loop") {
      steps.assign(e.steps, e.steps + e.num_steps);
      steps[1] = nnrt_step{"loop", nullptr, 0, nullptr, 5, 0, 0, 0, 0};
      e.steps = steps.data();
    } else if (kind == "results") {
      steps.assign(e.steps, e.steps + e.num_steps);
      steps[0].num_results = steps[0].num_args + 1;
      e.steps = steps.data();
    } else if (kind == "key") { // a parameter key must name a PARAM operand
      steps.assign(e.steps, e.steps + e.num_steps);
      steps[0].key_arg = 1;
      e.steps = steps.data();
    } else if (kind == "view" || kind == "view-shape") {
      slots.assign(e.slots, e.slots + e.num_slots);
      slots[2].kind = NNRT_SLOT_VIEW;
      slots[2].index = kind == "view" ? 3 : 1;
      e.slots = slots.data();
    } else if (kind == "strides") {
      slots.assign(e.slots, e.slots + e.num_slots);
      slots[2] = nnrt_slot{NNRT_SLOT_ALIAS, 1, NNRT_F32, e.slots[2].shape, {4, 0}};
      e.slots = slots.data();
    } else if (kind == "product-ref") {
      slots.assign(e.slots, e.slots + e.num_slots);
      slots[2].shape.dims[0] = -(SelftestModel.num_symbols + 1) - 1; // product 1 of 1
      e.slots = slots.data();
    } else if (!product) {
      return fail(("unknown kind " + kind).c_str());
    }
  }
  nnrt_model m = SelftestModel;
  m.entries = entries.data();
  if (product) {
    m.num_dim_products = 1;
    m.dim_products = kind == "product" ? badProduct : goodProduct;
  }
  nnrt_context *c = nullptr;
  nnrt_error err;
  nnrt_status s = nnrt_context_create(&m, &c, &err);
  if (s == NNRT_OK) {
    nnrt_context_destroy(c);
    return fail("the model was accepted");
  }
  std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s), err.message);
  return 1;
}

/// The selftest model with the ALIAS slot of `add` ([B, 2, 2] over slot 2's [B, 4])
/// given `strides` (ABI v9); `entries` and `slots` hold the copied tables.
nnrt_model withAliasStrides(std::vector<nnrt_entry> &entries, std::vector<nnrt_slot> &slots,
                            std::initializer_list<int64_t> strides) {
  entries.assign(SelftestModel.entries, SelftestModel.entries + SelftestModel.num_entries);
  for (nnrt_entry &e : entries) {
    if (std::strcmp(e.name, "add") != 0)
      continue;
    slots.assign(e.slots, e.slots + e.num_slots);
    std::copy(strides.begin(), strides.end(), slots[3].strides);
    e.slots = slots.data();
  }
  nnrt_model m = SelftestModel;
  m.entries = entries.data();
  return m;
}

/// Bad inputs to `add`: each prints the executor's message. `strides-range` gives its
/// ALIAS slot strides that reach past slot 2 at B = 2; `strides-order` strides that
/// transpose the 2 x 2 blocks, which the runtime passes to the kernel (which accepts
/// dense buffers only and says so).
int runBadInputs(const char *kind) {
  std::vector<nnrt_entry> entries;
  std::vector<nnrt_slot> slots;
  nnrt_model strided = SelftestModel;
  if (std::strcmp(kind, "strides-range") == 0)
    strided = withAliasStrides(entries, slots, {8, 2, 1});
  else if (std::strcmp(kind, "strides-order") == 0)
    strided = withAliasStrides(entries, slots, {4, 1, 2});
  Ctx ctx(&strided);
  std::vector<float> x(64), y(64);
  std::vector<int32_t> xi(64);
  nnrt_tensor in[2] = {tensor(NNRT_F32, {2, 4}, x.data()), tensor(NNRT_F32, {2, 4}, y.data())};
  std::string k = kind;
  int32_t numInputs = 2;
  if (k == "symbol")
    in[1] = tensor(NNRT_F32, {3, 4}, y.data());
  else if (k == "dtype")
    in[1] = tensor(NNRT_I32, {2, 4}, xi.data());
  else if (k == "rank")
    in[0] = tensor(NNRT_F32, {8}, x.data());
  else if (k == "static")
    in[0] = tensor(NNRT_F32, {2, 5}, x.data());
  else if (k == "arity")
    numInputs = 1;
  else if (k != "entry" && k != "strides-range" && k != "strides-order")
    return fail(("unknown kind " + k).c_str());
  const char *entry = k == "entry" ? "nope" : "add";
  nnrt_tensor out[2];
  nnrt_status s = nnrt_run(ctx.C, entry, in, numInputs, out, 2);
  if (s == NNRT_OK)
    return fail("bad inputs were accepted");
  std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s), nnrt_context_last_error(ctx.C));
  return 1;
}

/// Runs entry square (a temporary i32[B, B]) with a label input of `batch` zeros.
int runSquare(int64_t batch) {
  Ctx ctx(&SelftestModel);
  std::vector<int32_t> label(static_cast<size_t>(batch));
  nnrt_tensor in = tensor(NNRT_I32, {batch}, label.data());
  nnrt_status s = nnrt_run(ctx.C, "square", &in, 1, nullptr, 0);
  if (s != NNRT_OK) {
    std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s),
                 nnrt_context_last_error(ctx.C));
    return 1;
  }
  std::printf("square: arena bytes %zu\n", nnrt_context_arena_bytes(ctx.C));
  return 0;
}

/// nnrt_main on the selftest model with one table made too large for the runtime:
/// `param` gives parameter w the shape [2^32, 2^32] (a product that wraps to 0 in 64
/// bits), `stride` gives it [0, 2^20, 2^20] (no elements, but strides past 2^31).
int runHuge(const std::string &kind, int argc, char **argv) {
  std::vector<nnrt_param> params(SelftestModel.params,
                                 SelftestModel.params + SelftestModel.num_params);
  if (kind == "param")
    params[1].shape = nnrt_shape{2, {int64_t(1) << 32, int64_t(1) << 32}};
  else if (kind == "stride")
    params[1].shape = nnrt_shape{3, {0, int64_t(1) << 20, int64_t(1) << 20}};
  else
    return fail(("unknown kind " + kind).c_str());
  nnrt_model m = SelftestModel;
  m.params = params.data();
  return nnrt_main(&m, argc, argv);
}

int runStep(int times) {
  Ctx ctx(&SelftestModel);
  if (nnrt_params_init(ctx.C, 1) != NNRT_OK)
    return ctx.error();
  nnrt_tensor out;
  for (int i = 0; i < times; ++i)
    if (nnrt_run(ctx.C, "step", nullptr, 0, &out, 1) != NNRT_OK)
      return ctx.error();
  nnrt_tensor p;
  nnrt_param_view(ctx.C, 5, &p);
  std::printf("output steps: %d, param steps: %d\n", *static_cast<int32_t *>(out.data),
              *static_cast<int32_t *>(p.data));
  return 0;
}

int runEntryError(const char *entry) {
  Ctx ctx(&SelftestModel);
  std::vector<float> x(8);
  nnrt_tensor in = tensor(NNRT_F32, {2, 4}, x.data());
  bool needsInput = std::strcmp(entry, "fail") == 0;
  nnrt_status s = nnrt_run(ctx.C, entry, needsInput ? &in : nullptr, needsInput, nullptr, 0);
  if (s == NNRT_OK)
    return fail("the entry unexpectedly succeeded");
  std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s), nnrt_context_last_error(ctx.C));
  return 1;
}

/// Prints facts about the initialized params that FileCheck can verify.
int runInit(uint64_t seed) {
  Ctx ctx(&SelftestModel);
  if (nnrt_params_init(ctx.C, seed) != NNRT_OK)
    return ctx.error();
  nnrt_tensor t;
  auto view = [&](int i) {
    nnrt_param_view(ctx.C, i, &t);
    return static_cast<float *>(t.data);
  };
  float *b = view(0);
  std::printf("b: %g %g %g %g\n", b[0], b[1], b[2], b[3]);
  float *w = view(1);
  double limit = std::sqrt(6.0 / (3 + 5)), maxAbs = 0;
  std::printf("w:");
  for (int i = 0; i < 15; ++i) {
    std::printf(" %.6f", w[i]);
    maxAbs = std::fmax(maxAbs, std::fabs(w[i]));
  }
  std::printf("\nw within glorot limit %.6f: %s\n", limit, maxAbs <= limit ? "yes" : "no");
  float *h = view(2);
  double heLimit = std::sqrt(6.0 / 6), heMax = 0;
  for (int i = 0; i < 24; ++i)
    heMax = std::fmax(heMax, std::fabs(h[i]));
  std::printf("h within he limit %.6f: %s\n", heLimit, heMax <= heLimit ? "yes" : "no");
  float *n = view(3);
  double mean = 0, var = 0;
  for (int i = 0; i < 1000; ++i)
    mean += n[i] / 1000.0;
  for (int i = 0; i < 1000; ++i)
    var += (n[i] - mean) * (n[i] - mean) / 1000.0;
  std::printf("n mean in [0.8, 1.2]: %s, stddev in [1.8, 2.2]: %s\n",
              mean >= 0.8 && mean <= 1.2 ? "yes" : "no",
              std::sqrt(var) >= 1.8 && std::sqrt(var) <= 2.2 ? "yes" : "no");
  float *u = view(4);
  float lo = u[0], hi = u[0];
  for (int i = 0; i < 1000; ++i) {
    lo = std::fmin(lo, u[i]);
    hi = std::fmax(hi, u[i]);
  }
  std::printf("u within [-3, -1): %s, spread > 1.9: %s\n", lo >= -3 && hi < -1 ? "yes" : "no",
              hi - lo > 1.9f ? "yes" : "no");
  nnrt_param_view(ctx.C, 5, &t);
  std::printf("steps: %d\n", *static_cast<int32_t *>(t.data));
  float *o = view(6);
  std::printf("ones: %g %g %g\n", o[0], o[1], o[2]);
  return 0;
}

/// FNV-1a over a param's bytes: a compact fingerprint to compare across runs.
uint64_t fingerprint(const nnrt_tensor &t) {
  uint64_t h = 0xCBF29CE484222325ull;
  auto *p = static_cast<const uint8_t *>(t.data);
  for (int64_t i = 0, n = nnrt_shape_numel(&t.shape) * 4; i < n; ++i)
    h = (h ^ p[i]) * 0x100000001B3ull;
  return h;
}

void printFingerprints(nnrt_context *c, const nnrt_model *m) {
  nnrt_tensor t;
  for (int32_t i = 0; i < m->num_params; ++i) {
    nnrt_param_view(c, i, &t);
    std::printf("%s: %016llx\n", m->params[i].name, (unsigned long long)fingerprint(t));
  }
}

/// Saves seeded params with metadata from KEY=VALUE arguments.
int runSave(const char *path, uint64_t seed, int nmeta, char **meta) {
  Ctx ctx(&SelftestModel);
  if (nnrt_params_init(ctx.C, seed) != NNRT_OK)
    return ctx.error();
  for (int i = 0; i < nmeta; ++i) {
    std::string kv = meta[i];
    size_t eq = kv.find('=');
    if (eq == std::string::npos ||
        nnrt_context_set_metadata(ctx.C, kv.substr(0, eq).c_str(),
                                  kv.substr(eq + 1).c_str()) != NNRT_OK)
      return ctx.error();
  }
  if (nnrt_save_safetensors(ctx.C, path) != NNRT_OK)
    return ctx.error();
  printFingerprints(ctx.C, &SelftestModel);
  return 0;
}

/// Loads a checkpoint, prints the params' fingerprints and the metadata of `keys`.
int runLoad(const char *path, int nkeys, char **keys) {
  Ctx ctx(&SelftestModel);
  nnrt_status s = nnrt_load_safetensors(ctx.C, path);
  if (s != NNRT_OK) {
    std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s),
                 nnrt_context_last_error(ctx.C));
    return 1;
  }
  printFingerprints(ctx.C, &SelftestModel);
  for (int i = 0; i < nkeys; ++i) {
    const char *v = nnrt_context_metadata(ctx.C, keys[i]);
    std::printf("metadata %s: %s\n", keys[i], v ? v : "(none)");
  }
  return 0;
}

/// Prints the learning rate of each of `total` steps under a schedule, the first `warmup`
/// of them warming up.
int runSchedule(const char *name, float lr, int64_t total, int64_t warmup) {
  int32_t schedule = nnrt_schedule_from_name(name);
  if (schedule < 0) {
    std::fprintf(stderr, "error: unknown schedule '%s'\n", name);
    return 1;
  }
  for (int64_t k = 0; k <= total; ++k)
    std::printf("%lld %.9g\n", (long long)k,
                double(nnrt_schedule_lr(schedule, lr, k, total, warmup)));
  return 0;
}

/// Prints the model table's ABI as this build lays it out: the version, and the size of
/// nnrt_iteration_step, nnrt_train_config and nnrt_model and the offsets of their last
/// fields, which python/nnc's ctypes copies must match (test/embed/python-api.test).
int runAbi() {
  std::printf("abi %d\n", NNRT_MODEL_ABI_VERSION);
  std::printf("nnrt_iteration_step %zu, micro_batch at %zu\n", sizeof(nnrt_iteration_step),
              offsetof(nnrt_iteration_step, micro_batch));
  std::printf("nnrt_train_config %zu, warmup_steps at %zu\n", sizeof(nnrt_train_config),
              offsetof(nnrt_train_config, warmup_steps));
  std::printf("nnrt_model %zu, train at %zu, dim_products at %zu\n", sizeof(nnrt_model),
              offsetof(nnrt_model, train), offsetof(nnrt_model, dim_products));
  return 0;
}

/// A tensor entry of a hand-made safetensors header.
struct StEntry {
  std::string Name, Dtype, Shape;
  uint64_t Begin, End;
};

/// The selftest model's parameters, laid out contiguously (the "valid" file).
std::vector<StEntry> validEntries() {
  std::vector<StEntry> t = {{"b", "F32", "[2,2]", 0, 16},   {"w", "F32", "[3,5]", 0, 60},
                            {"h", "F32", "[6,4]", 0, 96},   {"n", "F32", "[1000]", 0, 4000},
                            {"u", "F32", "[1000]", 0, 4000}, {"steps", "I32", "[]", 0, 4},
                            {"ones", "F32", "[3]", 0, 12}};
  uint64_t offset = 0;
  for (StEntry &e : t) {
    uint64_t size = e.End;
    e.Begin = offset;
    e.End = offset + size;
    offset += size;
  }
  return t;
}

/// The file for `entries` with `metadata` (a JSON object's members) and `dataBytes` zero
/// bytes of data.
std::string safetensorsFile(const std::vector<StEntry> &entries, const std::string &metadata,
                            uint64_t dataBytes) {
  std::string j = "{\"__metadata__\":{" + metadata + "}";
  for (const StEntry &e : entries)
    j += ",\"" + e.Name + "\":{\"dtype\":\"" + e.Dtype + "\",\"shape\":" + e.Shape +
         ",\"data_offsets\":[" + std::to_string(e.Begin) + "," + std::to_string(e.End) + "]}";
  j += "}";
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i)
    s[i] = char((uint64_t(j.size()) >> (8 * i)) & 0xFF);
  return s + j + std::string(dataBytes, '\0');
}

/// Writes a malformed safetensors file of the given kind (each differs from "valid" in
/// one way).
int makeBadSafetensors(const std::string &kind, const char *path) {
  std::vector<StEntry> t = validEntries();
  auto find = [&](const char *name) -> StEntry & {
    for (StEntry &e : t)
      if (e.Name == name)
        return e;
    std::abort();
  };
  // Moves tensor `name` and every later one by `delta` bytes.
  auto shiftFrom = [&](const char *name, int64_t delta) {
    bool after = false;
    for (StEntry &e : t) {
      after = after || e.Name == name;
      if (after) {
        e.Begin += delta;
        e.End += delta;
      }
    }
  };
  auto erase = [&](const char *name) {
    StEntry gone = find(name);
    shiftFrom(name, -int64_t(gone.End - gone.Begin));
    for (size_t i = 0; i < t.size(); ++i)
      if (t[i].Name == name)
        t.erase(t.begin() + i);
  };
  std::string meta = "\"format\":\"pt\"";
  uint64_t data = 8188;
  std::string file;
  if (kind == "truncated") {
    file = std::string("\x10\x00\x00", 3);
  } else if (kind == "header-past-eof") {
    file = std::string("\x00\x00\x10\x00\x00\x00\x00\x00{}", 10); // length 1 MiB
  } else if (kind == "bad-json") {
    std::string j = "{\"b\": {\"dtype\": \"F32\", \"shape\": [2, 2,], \"data_offsets\": [0, 16]}}";
    file = std::string(1, char(j.size())) + std::string(7, '\0') + j + std::string(16, '\0');
  } else if (kind == "not-object") {
    std::string j = "[1, 2, 3]";
    file = std::string(1, char(j.size())) + std::string(7, '\0') + j;
  } else {
    if (kind == "offsets") { // the last tensor ends past the data section
      find("ones").End = 9000;
    } else if (kind == "dtype") {
      find("w").Dtype = "I32";
    } else if (kind == "shape") {
      find("w").Shape = "[5,3]";
    } else if (kind == "size") { // w spans 56 bytes for [3, 5] F32
      find("w").End -= 4;
      shiftFrom("h", -4);
      data -= 4;
    } else if (kind == "extra-size") { // a tensor the model lacks, 2 bytes too short
      t.push_back({"extra", "F16", "[3]", data, data + 4});
      data += 4;
    } else if (kind == "overlap") { // h starts 8 bytes inside w
      find("h").Begin -= 8;
      find("h").End -= 8;
    } else if (kind == "gap") { // 4 bytes between w and h belong to no tensor
      shiftFrom("h", 4);
      data += 4;
    } else if (kind == "trailing") { // 4 bytes after the last tensor
      data += 4;
    } else if (kind == "missing") { // the state 'steps' absent: loads as zero
      erase("steps");
      data -= 4;
    } else if (kind == "missing-param") { // the trainable 'ones' absent: an error
      erase("ones");
      data -= 12;
    } else if (kind == "metadata-number") {
      meta += ",\"step\":70";
    } else if (kind == "bad-utf8") { // an overlong encoding of '/'
      meta += ",\"note\":\"\xC0\xAF\"";
    } else if (kind != "valid") {
      return fail(("unknown kind " + kind).c_str());
    }
    file = safetensorsFile(t, meta, data);
  }
  FILE *f = std::fopen(path, "wb");
  if (!f)
    return fail("cannot write the file");
  std::fwrite(file.data(), 1, file.size(), f);
  std::fclose(f);
  return 0;
}

int npyWrite(const char *path, const char *dtype) {
  bool isInt = std::strcmp(dtype, "i32") == 0;
  std::vector<float> f(6);
  std::vector<int32_t> i(6);
  for (int k = 0; k < 6; ++k) {
    f[k] = 0.5f * float(k) - 1.0f;
    i[k] = k * 7 - 3;
  }
  nnrt_tensor t = isInt ? tensor(NNRT_I32, {2, 3}, i.data()) : tensor(NNRT_F32, {2, 3}, f.data());
  nnrt_error err;
  if (nnrt_npy_write(path, &t, &err) != NNRT_OK)
    return fail(err.message);
  return 0;
}

int npyRead(const char *path) {
  nnrt_tensor t;
  nnrt_error err;
  nnrt_status s = nnrt_npy_read(path, &t, &err);
  if (s != NNRT_OK) {
    std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s), err.message);
    return 1;
  }
  std::printf("%s rank %d [", t.dtype == NNRT_F32 ? "f32" : "i32", t.shape.rank);
  for (int i = 0; i < t.shape.rank; ++i)
    std::printf("%s%lld", i ? ", " : "", (long long)t.shape.dims[i]);
  std::printf("]:");
  for (int64_t i = 0, n = nnrt_shape_numel(&t.shape); i < n && i < 16; ++i) {
    if (t.dtype == NNRT_F32)
      std::printf(" %g", static_cast<float *>(t.data)[i]);
    else
      std::printf(" %d", static_cast<int32_t *>(t.data)[i]);
  }
  std::printf("\n");
  nnrt_free(t.data);
  return 0;
}

int idx(const char *dir) {
  for (const char *split : {"train", "t10k"}) {
    nnrt_dataset *ds;
    nnrt_error err;
    if (nnrt_dataset_load_fashion_mnist(dir, split, &ds, &err) != NNRT_OK)
      return fail(err.message);
    nnrt_tensor img = nnrt_dataset_images(ds), lab = nnrt_dataset_labels(ds);
    auto *px = static_cast<float *>(img.data);
    auto *lb = static_cast<int32_t *>(lab.data);
    float lo = 1, hi = 0;
    double sum = 0;
    for (int64_t i = 0, n = nnrt_shape_numel(&img.shape); i < n; ++i) {
      lo = std::fmin(lo, px[i]);
      hi = std::fmax(hi, px[i]);
      sum += px[i];
    }
    std::printf("%s: %lld images %lldx%lld, labels[0..5] = %d %d %d %d %d, pixel[0][14][14] = "
                "%.6f, min %g max %g mean %.4f\n",
                split, (long long)nnrt_dataset_size(ds), (long long)img.shape.dims[1],
                (long long)img.shape.dims[2], lb[0], lb[1], lb[2], lb[3], lb[4],
                px[14 * 28 + 14], lo, hi, sum / double(nnrt_shape_numel(&img.shape)));
    nnrt_dataset_destroy(ds);
  }
  return 0;
}

/// Loads an IDX pair and, when `classes` >= 0, checks its labels against [0, classes).
int idxFiles(const char *images, const char *labels, int32_t classes) {
  nnrt_dataset *ds;
  nnrt_error err;
  nnrt_status s = nnrt_dataset_load_idx(images, labels, &ds, &err);
  if (s == NNRT_OK && classes >= 0 && (s = nnrt_dataset_check_labels(ds, classes, &err)) != NNRT_OK)
    nnrt_dataset_destroy(ds);
  if (s != NNRT_OK) {
    std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s), err.message);
    return 1;
  }
  nnrt_tensor img = nnrt_dataset_images(ds);
  std::printf("%lld images %lldx%lld, first pixel %g, first label %d\n",
              (long long)nnrt_dataset_size(ds), (long long)img.shape.dims[1],
              (long long)img.shape.dims[2], static_cast<float *>(img.data)[0],
              static_cast<int32_t *>(nnrt_dataset_labels(ds).data)[0]);
  nnrt_dataset_destroy(ds);
  return 0;
}

/// Weights for TinyModel from the training split: a nearest-centroid classifier
/// (w[:, c] = mean_c, bias[c] = -|mean_c|^2 / 2), so eval has a known, nontrivial accuracy.
int makeCentroids(const char *dir, const char *path) {
  nnrt_dataset *ds;
  nnrt_error err;
  if (nnrt_dataset_load_fashion_mnist(dir, "train", &ds, &err) != NNRT_OK)
    return fail(err.message);
  auto *px = static_cast<float *>(nnrt_dataset_images(ds).data);
  auto *lb = static_cast<int32_t *>(nnrt_dataset_labels(ds).data);
  std::vector<double> mean(7840, 0.0), count(10, 0.0);
  for (int64_t i = 0; i < nnrt_dataset_size(ds); ++i) {
    count[lb[i]] += 1;
    for (int k = 0; k < 784; ++k)
      mean[k * 10 + lb[i]] += px[i * 784 + k];
  }
  nnrt_dataset_destroy(ds);
  Ctx ctx(&TinyModel);
  nnrt_tensor w, b;
  nnrt_param_view(ctx.C, 0, &w);
  nnrt_param_view(ctx.C, 1, &b);
  auto *wd = static_cast<float *>(w.data), *bd = static_cast<float *>(b.data);
  for (int c = 0; c < 10; ++c) {
    double norm = 0;
    for (int k = 0; k < 784; ++k) {
      double m = mean[k * 10 + c] / count[c];
      wd[k * 10 + c] = float(m);
      norm += m * m;
    }
    bd[c] = float(-0.5 * norm);
  }
  if (nnrt_save_safetensors(ctx.C, path) != NNRT_OK)
    return ctx.error();
  return 0;
}

/// halide_do_par_for as the kernels call it (libnnrt's pool, runtime/lib/ThreadPool.cpp):
/// every iteration once (at any count of iterations against threads), loops nested in an iteration and loops of two threads at once,
/// the first error of a loop returned, and a loop after that. Prints what each saw.
int runParFor() {
  struct Counts {
    std::vector<std::atomic<int>> runs;
    std::atomic<int> nested{0};
    int failAt = -1;
    explicit Counts(int n) : runs(n) {}
  };
  auto task = [](void *, int i, uint8_t *closure) -> int {
    auto *c = reinterpret_cast<Counts *>(closure);
    c->runs[i].fetch_add(1);
    return i == c->failAt ? 7 : 0;
  };
  auto once = [](Counts &c) {
    for (auto &r : c.runs)
      if (r.load() != 1)
        return false;
    return true;
  };
  Counts plain(1000);
  int r = halide_do_par_for(nullptr, task, 0, 1000, reinterpret_cast<uint8_t *>(&plain));
  std::printf("1000 iterations: result %d, each once %s\n", r, once(plain) ? "yes" : "no");
  // Fewer iterations than threads, and counts that the threads' blocks do not divide.
  bool allOnce = true;
  for (int n = 1; n <= 40; ++n) {
    Counts c(n);
    allOnce &= halide_do_par_for(nullptr, task, 0, n, reinterpret_cast<uint8_t *>(&c)) == 0 &&
               once(c);
  }
  std::printf("loops of 1 to 40 iterations: each once %s\n", allOnce ? "yes" : "no");
  // Each outer iteration runs an inner loop of 10 (serially, inside the pool's loop).
  Counts inner(40 * 10);
  auto outer = [](void *, int i, uint8_t *closure) -> int {
    auto *c = reinterpret_cast<Counts *>(closure);
    auto step = [](void *, int j, uint8_t *cl) -> int {
      reinterpret_cast<Counts *>(cl)->runs[j].fetch_add(1);
      return 0;
    };
    c->nested.fetch_add(1);
    return halide_do_par_for(nullptr, step, i * 10, 10, closure);
  };
  r = halide_do_par_for(nullptr, outer, 0, 40, reinterpret_cast<uint8_t *>(&inner));
  std::printf("40 x 10 nested: result %d, outer %d, each inner once %s\n", r,
              inner.nested.load(), once(inner) ? "yes" : "no");
  Counts a(5000), b(5000);
  std::thread other([&] {
    halide_do_par_for(nullptr, task, 0, 5000, reinterpret_cast<uint8_t *>(&b));
  });
  halide_do_par_for(nullptr, task, 0, 5000, reinterpret_cast<uint8_t *>(&a));
  other.join();
  std::printf("two threads' loops at once: each once %s\n", once(a) && once(b) ? "yes" : "no");
  Counts failing(100);
  failing.failAt = 42;
  r = halide_do_par_for(nullptr, task, 0, 100, reinterpret_cast<uint8_t *>(&failing));
  std::printf("a failing iteration: result %d, iteration 42 ran %d\n", r,
              failing.runs[42].load());
  Counts after(64);
  r = halide_do_par_for(nullptr, task, 0, 64, reinterpret_cast<uint8_t *>(&after));
  std::printf("the next loop: result %d, each once %s\n", r, once(after) ? "yes" : "no");
  return 0;
}

void usage() {
  std::printf(
      "usage: nnrt-selftest <command> [args]\n"
      "  main ARGS...            nnrt_main on the selftest model\n"
      "  tiny ARGS...            nnrt_main on the tiny 28x28 linear classifier\n"
      "  five ARGS...            nnrt_main on its 5-class variant (infer only)\n"
      "  huge param|stride ARGS...  nnrt_main with a parameter too large for the runtime\n"
      "  run-square B            run entry square (a temporary i32[B, B])\n"
      "  run-add B...            run entry add for each batch size\n"
      "  run-chain B...          run entry chain (shared arena buffers) for each batch size\n"
      "  run-observed            run entry add with a step observer (nnrt_run_observed)\n"
      "  par-for                 parallel loops on libnnrt's pool (halide_do_par_for)\n"
      "  bad-buffer range|overlap|loop|view|view-shape|product|product-ref|strides|results\n"
      "           a TEMP slot's buffer out of range, shared unsoundly, a loop past the last\n"
      "           step, a view of a later slot or of a slot of another shape, a dim product\n"
      "           naming no symbol, a slot naming no product, an alias with a zero stride,\n"
      "           a step with more results than arguments\n"
      "  bad-input KIND          add with bad inputs: symbol dtype rank static arity entry,\n"
      "           or its alias strided past its slot (strides-range) or in another order\n"
      "           (strides-order)\n"
      "  run-step N              run entry step N times\n"
      "  entry-error ENTRY       run fail or unbound and print the error\n"
      "  init SEED               print initialized params\n"
      "  save PATH SEED [KEY=VALUE...] | load PATH [KEY...]\n"
      "  schedule NAME LR K [N]  the rate of steps 0..K of a K-step run warming up N steps\n"
      "  abi                     the model table's ABI version, struct sizes and offsets\n"
      "  make-bad-safetensors KIND PATH\n"
      "  npy-write PATH f32|i32 | npy-read PATH\n"
      "  idx DIR | idx-files IMAGES LABELS [CLASSES] | make-centroids DIR PATH\n"
      "  text DIR classify|lm words|chars VOCAB LENGTH SEED train|test [CATEGORIES]\n"
      "  text-encode VOCABFILE words|chars VOCAB LENGTH TEXT\n");
}

/// Loads a text dataset and prints it: `text DIR TASK UNIT VOCAB LENGTH SEED SPLIT
/// [CATEGORIES]` (TASK classify or lm, UNIT words or chars, CATEGORIES space-separated,
/// "" for all); then the vocabulary (escaped), every example's ids and its targets.
/// `text-encode VOCABFILE UNIT VOCAB LENGTH TEXT` encodes TEXT with a vocabulary file.
int text(int argc, char **argv) {
  nnrt_text_options o{};
  o.task = std::strcmp(argv[1], "lm") ? NNRT_TEXT_CLASSIFY : NNRT_TEXT_LM;
  o.unit = std::strcmp(argv[2], "chars") ? NNRT_TEXT_WORDS : NNRT_TEXT_CHARS;
  o.vocab = std::atoi(argv[3]);
  o.length = std::atoi(argv[4]);
  o.seed = std::strtoull(argv[5], nullptr, 10);
  o.categories = argc > 7 ? argv[7] : nullptr;
  nnrt_dataset *ds;
  nnrt_error err;
  nnrt_status s = nnrt_dataset_load_text(argv[0], &o, argv[6], &ds, &err);
  if (s != NNRT_OK) {
    std::fprintf(stderr, "error: [%s] %s\n", nnrt_status_string(s), err.message);
    return 1;
  }
  nnrt_tensor ex = nnrt_dataset_images(ds), tg = nnrt_dataset_labels(ds);
  std::printf("%lld examples: %s i32[%lld, %lld], %s i32 rank %d; categories: %s\n",
              (long long)nnrt_dataset_size(ds), nnrt_dataset_example_name(ds),
              (long long)ex.shape.dims[0], (long long)ex.shape.dims[1],
              nnrt_dataset_target_name(ds), tg.shape.rank, nnrt_dataset_categories(ds));
  std::printf("vocabulary:");
  int id = 2;
  for (const char *p = nnrt_dataset_vocabulary(ds); *p; ++id) {
    const char *e = std::strchr(p, '\n');
    std::printf(" %d=%.*s", id, int(e - p), p);
    p = e + 1;
  }
  std::printf("\n");
  int64_t perTarget = tg.shape.rank == 2 ? tg.shape.dims[1] : 1;
  for (int64_t i = 0; i < nnrt_dataset_size(ds); ++i) {
    std::printf("%lld:", (long long)i);
    for (int64_t k = 0; k < ex.shape.dims[1]; ++k)
      std::printf(" %d", static_cast<int32_t *>(ex.data)[i * ex.shape.dims[1] + k]);
    std::printf(" ->");
    for (int64_t k = 0; k < perTarget; ++k)
      std::printf(" %d", static_cast<int32_t *>(tg.data)[i * perTarget + k]);
    std::printf("\n");
  }
  nnrt_dataset_destroy(ds);
  return 0;
}

int textEncode(char **argv) {
  FILE *f = std::fopen(argv[0], "rb");
  if (!f)
    return fail("cannot open the vocabulary file");
  std::string vocab;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    vocab.append(buf, n);
  std::fclose(f);
  int32_t length = std::atoi(argv[3]);
  std::vector<int32_t> ids(size_t(length > 0 ? length : 1));
  int64_t count = 0;
  nnrt_error err;
  if (nnrt_text_encode(vocab.c_str(), std::strcmp(argv[1], "chars") ? NNRT_TEXT_WORDS
                                                                     : NNRT_TEXT_CHARS,
                       std::atoi(argv[2]), argv[4], length, ids.data(), &count,
                       &err) != NNRT_OK)
    return fail(err.message);
  std::printf("%lld tokens:", (long long)count);
  for (int32_t i : ids)
    std::printf(" %d", i);
  std::printf("\n");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    usage();
    return 1;
  }
  std::string cmd = argv[1];
  auto need = [&](int n) {
    if (argc < 2 + n) {
      usage();
      std::exit(1);
    }
  };
  if (cmd == "main" || cmd == "tiny" || cmd == "five") {
    argv[1] = argv[0];
    const nnrt_model *m = cmd == "main" ? &SelftestModel : cmd == "tiny" ? &TinyModel : &FiveModel;
    return nnrt_main(m, argc - 1, argv + 1);
  }
  if (cmd == "huge") {
    need(1);
    std::string kind = argv[2];
    argv[2] = argv[0];
    return runHuge(kind, argc - 2, argv + 2);
  }
  if (cmd == "run-add")
    return runAdd(argc - 2, argv + 2);
  if (cmd == "par-for")
    return runParFor();
  if (cmd == "run-observed")
    return runObserved();
  if (cmd == "run-chain")
    return runChain(argc - 2, argv + 2);
  if (cmd == "bad-buffer")
    return need(1), runBadBuffer(argv[2]);
  if (cmd == "bad-input")
    return need(1), runBadInputs(argv[2]);
  if (cmd == "run-square")
    return need(1), runSquare(std::atoll(argv[2]));
  if (cmd == "run-step")
    return need(1), runStep(std::atoi(argv[2]));
  if (cmd == "entry-error")
    return need(1), runEntryError(argv[2]);
  if (cmd == "init")
    return need(1), runInit(std::strtoull(argv[2], nullptr, 10));
  if (cmd == "save")
    return need(2), runSave(argv[2], std::strtoull(argv[3], nullptr, 10), argc - 4, argv + 4);
  if (cmd == "load")
    return need(1), runLoad(argv[2], argc - 3, argv + 3);
  if (cmd == "abi")
    return runAbi();
  if (cmd == "schedule")
    return need(3), runSchedule(argv[2], std::strtof(argv[3], nullptr),
                                std::strtoll(argv[4], nullptr, 10),
                                argc > 5 ? std::strtoll(argv[5], nullptr, 10) : 0);
  if (cmd == "make-bad-safetensors")
    return need(2), makeBadSafetensors(argv[2], argv[3]);
  if (cmd == "npy-write")
    return need(2), npyWrite(argv[2], argv[3]);
  if (cmd == "npy-read")
    return need(1), npyRead(argv[2]);
  if (cmd == "idx")
    return need(1), idx(argv[2]);
  if (cmd == "idx-files")
    return need(2), idxFiles(argv[2], argv[3], argc > 4 ? std::atoi(argv[4]) : -1);
  if (cmd == "text")
    return need(7), text(argc - 2, argv + 2);
  if (cmd == "text-encode")
    return need(5), textEncode(argv + 2);
  if (cmd == "make-centroids")
    return need(2), makeCentroids(argv[2], argv[3]);
  usage();
  return 1;
}
