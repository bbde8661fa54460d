//===- Generate.cpp - `generate`: text from a language model --------------===//
//
// Continues a prompt with a next-token model (a text model trained on `fortunes_lm`,
// whose `infer` maps `tokens` [B, S] to probabilities [B, S, V]): the last S tokens are
// the window, the row of its last position the distribution of the next token, which is
// chosen (the most likely, or drawn at a temperature, optionally among the k most
// likely), printed and appended; the window slides. Each token runs the whole window
// through `infer` (no key/value cache yet: O(window) work per token for a recurrent
// model, O(window^2) for attention). The checkpoint holds the vocabulary and tokenizer (`train --save`).
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <cstdio>
#include <cstring>

using namespace nnrt::driver;

namespace {

/// splitmix64: the next uniform number in [0, 1) of a deterministic stream.
double uniform(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

/// The next token from the scores `p` of ids 0 .. V-1: never padding (0) or out of
/// vocabulary (1); the most likely with `temperature` 0, else drawn with weights
/// p^(1/temperature) among the `topK` most likely (all with 0). -1 when no id has a
/// positive, finite score.
/// Buffers chooseToken reuses from one token to the next.
struct Scratch {
  std::vector<float> sorted;
  std::vector<double> weights;
};

int64_t chooseToken(const float *p, int64_t v, double temperature, int64_t topK,
                    uint64_t &rng, Scratch &scratch) {
  int64_t best = -1;
  for (int64_t i = 2; i < v; ++i)
    if (std::isfinite(p[i]) && p[i] > 0 && (best < 0 || p[i] > p[best]))
      best = i;
  if (best < 0 || temperature == 0)
    return best;
  // The k-th largest score is the threshold (ties at it all stay).
  float threshold = 0;
  if (topK > 0 && topK < v - 2) {
    std::vector<float> &sorted = scratch.sorted;
    sorted.assign(p + 2, p + v);
    for (float &x : sorted)
      x = std::isfinite(x) ? x : 0.0f; // NaN has no order
    std::nth_element(sorted.begin(), sorted.begin() + (topK - 1), sorted.end(),
                     std::greater<float>());
    threshold = sorted[size_t(topK - 1)];
  }
  // Weights relative to the best, so p^(1/T) cannot underflow to all zeros.
  double total = 0;
  std::vector<double> &w = scratch.weights;
  w.assign(size_t(v), 0.0);
  for (int64_t i = 2; i < v; ++i)
    if (std::isfinite(p[i]) && p[i] > 0 && p[i] >= threshold)
      total += w[size_t(i)] = std::pow(double(p[i]) / p[best], 1.0 / temperature);
  double u = uniform(rng) * total;
  for (int64_t i = 2; i < v; ++i) {
    u -= w[size_t(i)];
    if (u < 0 && w[size_t(i)] > 0)
      return i;
  }
  return best;
}

} // namespace

int nnrt::driver::runGenerate(const nnrt_model *m, const char *prog, int argc, char **argv) {
  std::vector<FlagSpec> specs = {
      {"weights", true, "checkpoint of a text model trained on fortunes_lm (it holds the "
                        "vocabulary)"},
      {"prompt", true, "text to continue (default: none, the window starts as padding)"},
      {"tokens", true, "tokens to generate (default 200)"},
      {"temperature", true, "0: always the most likely token (default); T > 0: draw tokens "
                            "with weights p^(1/T)"},
      {"top-k", true, "with a temperature, draw only among the K most likely tokens "
                      "(default 0: all)"},
      {"seed", true, "seed of the draws (default 0)"},
      {"length", true, "window: the tokens the model sees (default: the model's static "
                       "length, else the checkpoint's)"},
      {"help", false, "print this help"}};
  Flags flags;
  if (int status = flags.parse(prog, "generate", "--weights F [--prompt TEXT]", specs, argc,
                               argv);
      status >= 0)
    return status;
  long long count = 0, seed = 0, length = 0, topK = 0;
  double temperature = 0;
  if (!flags.getInt("tokens", 200, 1, 1000000, count) ||
      !flags.getInt("seed", 0, 0, INT64_MAX, seed) ||
      !flags.getInt("top-k", 0, 0, NNRT_TEXT_MAX_VOCAB, topK) ||
      !flags.getInt("length", 0, 0, NNRT_TEXT_MAX_LENGTH, length) ||
      !flags.getFloat("temperature", 0, temperature))
    return 1;
  if (temperature < 0)
    return error("--temperature must be 0 or positive, got %g", temperature);
  if (!flags.has("weights"))
    return error("generate needs --weights: the checkpoint of a text model, which holds "
                 "its vocabulary");

  const nnrt_entry *infer = nullptr;
  for (int32_t e = 0; e < m->num_entries; ++e)
    if (!std::strcmp(m->entries[e].name, "infer"))
      infer = &m->entries[e];
  if (!infer || infer->num_inputs != 1 || infer->num_outputs < 1)
    return error("generate needs an entry 'infer' that reads only input 'tokens' (a "
                 "next-token model)");
  const nnrt_input &decl = m->inputs[infer->inputs[0]];
  if (std::strcmp(decl.name, "tokens") || decl.dtype != NNRT_I32 || decl.shape.rank != 2)
    return error("generate feeds input 'tokens' as i32[B, S], but the entry 'infer' reads "
                 "'%s'", decl.name);

  ContextHolder ctx;
  TextCodec codec;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, flags.get("weights"), 0) ||
      !readTextCodec(ctx.Ctx, decl, length, "generate", codec))
    return 1;
  length = codec.Length;
  int64_t vocabSize = codec.Vocab;
  bool chars = codec.Unit == NNRT_TEXT_CHARS;

  std::vector<int32_t> window(size_t(length), 0);
  nnrt_error err;
  std::string prompt = flags.get("prompt");
  if (nnrt_text_encode(codec.Vocabulary, codec.Unit, int32_t(vocabSize), prompt.c_str(),
                       int32_t(length), window.data(), nullptr, &err) != NNRT_OK)
    return error("--prompt: %s", err.message);
  std::vector<std::string> tokens = vocabularyTokens(codec.Vocabulary, vocabSize);
  Scratch scratch;

  nnrt_tensor in{};
  in.dtype = NNRT_I32;
  in.shape.rank = 2;
  in.shape.dims[0] = 1;
  in.shape.dims[1] = length;
  in.data = window.data();
  uint64_t rng = uint64_t(seed);
  std::printf("%s", prompt.c_str());
  for (long long n = 0; n < count; ++n) {
    nnrt_tensor out;
    if (nnrt_run(ctx.Ctx, "infer", &in, 1, &out, 1) != NNRT_OK)
      return error("%s", nnrt_context_last_error(ctx.Ctx));
    if (out.dtype != NNRT_F32 || out.shape.rank != 3 || out.shape.dims[0] != 1 ||
        out.shape.dims[1] != length || out.shape.dims[2] != vocabSize)
      return error("generate needs 'infer' to output next-token scores f32[1, %lld, %lld] "
                   "for this window, got rank %d", length, (long long)vocabSize, out.shape.rank);
    const float *last = static_cast<const float *>(out.data) + (length - 1) * vocabSize;
    int64_t next = chooseToken(last, vocabSize, temperature, topK, rng, scratch);
    if (next < 0)
      return error("step %lld: the model scores no token above 0 (a non-finite or "
                   "all-zero output)", n + 1);
    const std::string &text = tokens[size_t(next)];
    std::printf("%s%s", chars || (n == 0 && prompt.empty()) ? "" : " ", text.c_str());
    std::fflush(stdout);
    std::memmove(window.data(), window.data() + 1, size_t(length - 1) * 4);
    window[size_t(length - 1)] = int32_t(next);
  }
  std::printf("\n");
  return 0;
}
