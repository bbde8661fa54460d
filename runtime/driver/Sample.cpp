//===- Sample.cpp - `sample`: a generator's output as a PNG grid ----------===//
//
// Runs `infer` on a batch of `--count` and writes its first output as a grid of images
// (Png.cpp). Made for generators whose noise is drawn inside the model from the run's
// seed (`random_normal(image, [-1, 100])`): the image input only gives the batch size,
// so it is fed zeros; `train --samples-every` calls the same code with a fixed seed, so
// its grids show one noise batch as training goes on.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnrt::driver;

bool nnrt::driver::sampleGrid(nnrt_context *ctx, const nnrt_entry *infer, int64_t count,
                              int32_t seed, const SampleRange &range, const std::string &path) {
  const nnrt_model *m = nnrt_context_model(ctx);
  DataBinding bind;
  findConventionalInputs(m, bind);
  std::vector<nnrt_tensor> inputs(size_t(infer->num_inputs));
  std::vector<HeapArray<float>> storage(size_t(infer->num_inputs));
  for (int32_t i = 0; i < infer->num_inputs; ++i) {
    int32_t in = infer->inputs[i];
    const nnrt_input &decl = m->inputs[in];
    nnrt_tensor &t = inputs[size_t(i)];
    t.dtype = decl.dtype;
    if (in == bind.SeedInput) {
      t.data = &seed; // rank 0
      continue;
    }
    if (in != bind.ImageInput && in != bind.LabelInput) {
      error("entry 'infer' reads input '%s': sample feeds only the image and label inputs "
            "(zeros, for their batch) and seed", decl.name);
      return false;
    }
    t.shape = decl.shape;
    for (int32_t d = 0; d < t.shape.rank; ++d)
      if (t.shape.dims[d] < 0)
        t.shape.dims[d] = count;
    int64_t n = nnrt_shape_numel(&t.shape);
    if (n < 0) {
      error("input '%s' would have more than %lld elements at --count %lld", decl.name,
            NNRT_MAX_ELEMENTS, (long long)count);
      return false;
    }
    std::string what = "input '" + std::string(decl.name) + "'";
    if (!storage[size_t(i)].allocate(size_t(n), what.c_str())) // 4 bytes per element
      return false;
    t.data = storage[size_t(i)].data();
  }
  nnrt_tensor output;
  if (nnrt_run(ctx, infer->name, inputs.data(), infer->num_inputs, &output, 1) != NNRT_OK) {
    error("%s", nnrt_context_last_error(ctx));
    return false;
  }
  return writeImageGrid(path, output, range.Lo, range.Hi);
}

bool nnrt::driver::parseRange(const std::string &text, SampleRange &out) {
  const char *s = text.c_str();
  char *endp = nullptr;
  out.Lo = std::strtof(s, &endp);
  if (endp == s || *endp != ',')
    return false;
  const char *rest = endp + 1;
  out.Hi = std::strtof(rest, &endp);
  return endp != rest && !*endp && out.Hi > out.Lo;
}

int nnrt::driver::runSample(const nnrt_model *m, const char *prog, int argc, char **argv) {
  std::vector<FlagSpec> specs = {
      {"weights", true, "safetensors file with the parameters (e.g. train's --save)"},
      {"count", true, "images in the grid (default 64)"},
      {"seed", true, "the run's seed, from which the model draws its noise (default: the "
                     "model's), and for parameter init when no --weights is given"},
      {"output", true, "the PNG file to write"},
      {"range", true, "LO,HI: the values drawn black and white (default -1,1, tanh's)"},
      {"help", false, "print this help"}};
  Flags flags;
  if (int status = flags.parse(prog, "sample", "--weights F [--count N] --output grid.png",
                               specs, argc, argv);
      status >= 0)
    return status;
  long long count, seed;
  if (!flags.getInt("count", 64, 1, 1 << 20, count) ||
      !flags.getInt("seed", m->train.seed, 0, 1ll << 62, seed))
    return 1;
  std::string output = flags.get("output");
  if (output.empty())
    return error("sample needs --output FILE.png");
  SampleRange range;
  if (!parseRange(flags.get("range", "-1,1"), range))
    return error("--range: expected LO,HI with LO < HI, got '%s'", flags.get("range").c_str());
  const nnrt_entry *infer = nnrt_find_entry(m, "infer");
  if (!infer || infer->num_outputs < 1)
    return error("this model has no infer entry");
  ContextHolder ctx;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, flags.get("weights"), seed))
    return 1;
  if (!sampleGrid(ctx.Ctx, infer, count, seedInputValue(seed), range, output))
    return 1;
  std::printf("wrote %s: %lld images of %s\n", output.c_str(), count,
              infer->output_names[0]);
  return 0;
}
