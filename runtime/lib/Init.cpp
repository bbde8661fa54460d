//===- Init.cpp - deterministic parameter initialization -----------------===//
//
// A splitmix64 generator (Steele, Lea & Flood 2014; the seeding generator of
// xoshiro) and nnrt_params_init. Each parameter gets its own stream seeded with
// splitmix64(seed ^ fnv1a64(name)), so values depend on the seed and the name only.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "SplitMix64.h"

#include <cmath>
#include <cstring>

using namespace nnrt;

namespace {

/// FNV-1a of a parameter name: its own random stream.
uint64_t fnv1a64(const char *s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (; *s; ++s)
    h = (h ^ uint8_t(*s)) * 0x100000001B3ull;
  return h;
}

} // namespace

static nnrt_status initParam(nnrt_context *ctx, int32_t index, uint64_t seed) {
  const nnrt_param &p = ctx->Model->params[index];
  int64_t n = numel(p.shape);
  SplitMix64 seeder(seed ^ fnv1a64(p.name));
  SplitMix64 rng(seeder.next());
  // Keras' fans: a [.., in, out] kernel's leading dims are its receptive field, which
  // counts for both (a conv kernel [kh, kw, cin, cout]: kh*kw*cin and kh*kw*cout).
  int32_t rank = p.shape.rank;
  double receptive = 1;
  for (int32_t i = 0; i + 2 < rank; ++i)
    receptive *= double(p.shape.dims[i]);
  double fanIn = rank >= 2 ? receptive * double(p.shape.dims[rank - 2]) : 1.0;
  double fanOut = rank >= 1 ? receptive * double(p.shape.dims[rank - 1]) : 1.0;
  if (p.dtype == NNRT_I32) {
    int32_t v;
    switch (p.init) {
    case NNRT_INIT_ZEROS:
      v = 0;
      break;
    case NNRT_INIT_ONES:
      v = 1;
      break;
    case NNRT_INIT_CONSTANT:
      v = int32_t(p.init_a);
      break;
    default:
      return fail(ctx, NNRT_ERR_ARG, "param '%s': i32 params take zeros, ones or constant",
                  p.name);
    }
    auto *d = static_cast<int32_t *>(ctx->Params[index].data());
    for (int64_t i = 0; i < n; ++i)
      d[i] = v;
    return NNRT_OK;
  }
  auto *d = static_cast<float *>(ctx->Params[index].data());
  switch (p.init) {
  case NNRT_INIT_ZEROS:
  case NNRT_INIT_ONES:
  case NNRT_INIT_CONSTANT: {
    float v = p.init == NNRT_INIT_ZEROS ? 0.0f : p.init == NNRT_INIT_ONES ? 1.0f : p.init_a;
    for (int64_t i = 0; i < n; ++i)
      d[i] = v;
    return NNRT_OK;
  }
  case NNRT_INIT_GLOROT_UNIFORM:
  case NNRT_INIT_HE_UNIFORM: {
    double l = p.init == NNRT_INIT_GLOROT_UNIFORM ? std::sqrt(6.0 / (fanIn + fanOut))
                                                 : std::sqrt(6.0 / fanIn);
    for (int64_t i = 0; i < n; ++i)
      d[i] = rng.uniform(float(-l), float(l));
    return NNRT_OK;
  }
  case NNRT_INIT_NORMAL:
    for (int64_t i = 0; i < n; ++i)
      d[i] = p.init_a + p.init_b * rng.normal();
    return NNRT_OK;
  case NNRT_INIT_UNIFORM:
    for (int64_t i = 0; i < n; ++i)
      d[i] = rng.uniform(p.init_a, p.init_b);
    return NNRT_OK;
  }
  return fail(ctx, NNRT_ERR_ARG, "param '%s': unknown init %d", p.name, p.init);
}

extern "C" nnrt_status nnrt_params_init(nnrt_context *ctx, uint64_t seed) {
  if (!ctx)
    return NNRT_ERR_ARG;
  paramsChangedOnHost(ctx);
  paramsWritten(ctx);
  for (int32_t i = 0; i < ctx->Model->num_params; ++i) {
    nnrt_status s = initParam(ctx, i, seed);
    if (s != NNRT_OK)
      return s;
  }
  return NNRT_OK;
}
