//===- Generate.cpp - `generate`: text from a language model --------------===//
//
// Continues a prompt with a next-token model (a text model trained on `fortunes_lm`,
// whose `infer` maps `tokens` [B, S] to probabilities [B, S, V]): the row of the last
// token's position is the distribution of the next token, which is chosen (the most
// likely, or drawn at a temperature, optionally among the k most likely), printed and
// appended. The checkpoint holds the vocabulary and tokenizer (`train --save`).
//
// A model with the entry `decode` (causal attention, passes/Decode.cpp) is fed as it
// was trained: the text from position 0, one position per `decode` call from its
// key/value cache (O(window) work per token), until the window is full; then the
// window slides over the text and each token runs the whole window through `infer`
// (every position moves, so no cached key stays valid). `--no-cache` computes the same
// text with `infer` alone: the text so far, padded after its end, whose later
// positions a causal model does not read. Any other model sees the last S tokens,
// padded in front, through `infer` (O(window) per token for a recurrent model).
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <algorithm>
#include <chrono>
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

/// The entry `decode` (NNRT_DECODE_ENTRY) at batch 1: its caches live here between
/// calls (its outputs live in the context's arena, which the next call reuses).
class Decoder {
public:
  /// Checks the entry's inputs and outputs against the ABI of nnrt/model.h and zeroes
  /// the caches; prints an error and returns false if they do not fit.
  bool init(const nnrt_model *m, const nnrt_entry *e, int64_t vocab) {
    Entry = e;
    Inputs.assign(size_t(e->num_inputs), nnrt_tensor{});
    Outputs.assign(size_t(e->num_outputs), nnrt_tensor{});
    States.assign(size_t(e->num_inputs), {});
    for (int32_t i = 0; i < e->num_inputs; ++i) {
      const nnrt_input &in = m->inputs[e->inputs[i]];
      nnrt_tensor &t = Inputs[size_t(i)];
      t.dtype = in.dtype;
      t.shape = in.shape;
      for (int32_t d = 0; d < t.shape.rank; ++d)
        if (t.shape.dims[d] < 0)
          t.shape.dims[d] = 1; // the batch
      if (!std::strcmp(in.name, NNRT_DECODE_TOKENS_INPUT) && in.dtype == NNRT_I32 &&
          nnrt_shape_numel(&t.shape) == 1)
        t.data = &Token;
      else if (!std::strcmp(in.name, NNRT_DECODE_POSITION_INPUT) && in.dtype == NNRT_I32 &&
               nnrt_shape_numel(&t.shape) == 1)
        t.data = &Position;
      else if (!std::strncmp(in.name, NNRT_DECODE_CACHE_PREFIX,
                             std::strlen(NNRT_DECODE_CACHE_PREFIX)) &&
               in.dtype == NNRT_F32 && nnrt_shape_numel(&t.shape) > 0) {
        States[size_t(i)].assign(size_t(nnrt_shape_numel(&t.shape)), 0.0f);
        t.data = States[size_t(i)].data();
      } else
        return error("entry '%s' reads input '%s', which generate cannot feed", e->name,
                     in.name) == 0;
    }
    Carry.assign(size_t(e->num_outputs), -1);
    for (int32_t o = 0; o < e->num_outputs; ++o)
      for (int32_t i = 0; i < e->num_inputs; ++i)
        if (States[size_t(i)].size() &&
            !std::strcmp(e->output_names[o], m->inputs[e->inputs[i]].name))
          Carry[size_t(o)] = i;
    Vocab = vocab;
    return true;
  }

  /// Runs position `position` with `token`: the scores of the next token (`vocab`
  /// floats), or null after printing an error.
  const float *step(nnrt_context *ctx, int32_t token, int32_t position) {
    Token = token;
    Position = position;
    if (nnrt_run(ctx, Entry->name, Inputs.data(), Entry->num_inputs, Outputs.data(),
                 Entry->num_outputs) != NNRT_OK) {
      error("%s", nnrt_context_last_error(ctx));
      return nullptr;
    }
    for (size_t o = 0; o < Outputs.size(); ++o) {
      if (Carry[o] < 0)
        continue;
      std::vector<float> &state = States[size_t(Carry[o])];
      if (Outputs[o].dtype != NNRT_F32 || nnrt_shape_numel(&Outputs[o].shape) != int64_t(state.size())) {
        error("entry '%s': output '%s' does not match its input", Entry->name,
              Entry->output_names[o]);
        return nullptr;
      }
      std::memcpy(state.data(), Outputs[o].data, state.size() * sizeof(float));
    }
    const nnrt_tensor &scores = Outputs[0];
    if (scores.dtype != NNRT_F32 || nnrt_shape_numel(&scores.shape) != Vocab) {
      error("generate needs '%s' to output next-token scores f32[1, 1, %lld]", Entry->name,
            (long long)Vocab);
      return nullptr;
    }
    return static_cast<const float *>(scores.data);
  }

private:
  const nnrt_entry *Entry = nullptr;
  std::vector<nnrt_tensor> Inputs, Outputs;
  std::vector<std::vector<float>> States; ///< per input: its cache, or empty
  std::vector<int32_t> Carry;             ///< per output: the input it feeds, or -1
  int32_t Token = 0, Position = 0;
  int64_t Vocab = 0;
};

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
      {"no-cache", false, "run the whole window through 'infer' for every token, even when "
                          "the model has the key/value-cache entry 'decode' (the same text, "
                          "slower)"},
      {"stats", false, "print to stderr the time per token (the model and the choice of "
                       "the token, not the printing) and which entry computed the tokens"},
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
      !flags.getInt("length", 0, 1, NNRT_TEXT_MAX_LENGTH, length) ||
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

  // The text so far: the prompt's last `length` tokens, then the generated ones.
  std::vector<int32_t> window(size_t(length), 0);
  nnrt_error err;
  std::string prompt = flags.get("prompt");
  int64_t promptTokens = 0;
  if (nnrt_text_encode(codec.Vocabulary, codec.Unit, int32_t(vocabSize), prompt.c_str(),
                       int32_t(length), window.data(), &promptTokens, &err) != NNRT_OK)
    return error("--prompt: %s", err.message);
  std::vector<std::string> tokens = vocabularyTokens(codec.Vocabulary, vocabSize);
  Scratch scratch;

  // A causal model reads the text from position 0 (an empty prompt starts from one
  // padding token); any other the window padded in front.
  const nnrt_entry *decodeEntry = nullptr;
  for (int32_t e = 0; e < m->num_entries; ++e)
    if (!std::strcmp(m->entries[e].name, NNRT_DECODE_ENTRY))
      decodeEntry = &m->entries[e];
  bool causal = decodeEntry != nullptr;
  Decoder decoder;
  bool cached = causal && !flags.has("no-cache");
  if (cached && !decoder.init(m, decodeEntry, vocabSize))
    return 1;
  std::vector<int32_t> text;
  if (causal) {
    int64_t n = std::min<int64_t>(promptTokens, length);
    text.assign(window.end() - n, window.end());
    if (text.empty())
      text.push_back(0);
  }
  int64_t decoded = 0; // positions of `text` the decoder has seen

  nnrt_tensor in{};
  in.dtype = NNRT_I32;
  in.shape.rank = 2;
  in.shape.dims[0] = 1;
  in.shape.dims[1] = length;
  in.data = window.data();
  uint64_t rng = uint64_t(seed);
  std::printf("%s", prompt.c_str());
  double seconds = 0;
  long long fromCache = 0;
  for (long long n = 0; n < count; ++n) {
    auto t0 = std::chrono::steady_clock::now();
    const float *scores = nullptr;
    if (cached && int64_t(text.size()) <= length) {
      ++fromCache;
      for (; decoded < int64_t(text.size()); ++decoded)
        if (!(scores = decoder.step(ctx.Ctx, text[size_t(decoded)], int32_t(decoded))))
          return 1;
    } else {
      int64_t last = length - 1; // the row of the last token
      if (causal) {
        int64_t used = std::min<int64_t>(int64_t(text.size()), length);
        std::fill(window.begin(), window.end(), 0);
        std::copy(text.end() - used, text.end(), window.begin());
        last = used - 1;
      }
      nnrt_tensor out;
      if (nnrt_run(ctx.Ctx, "infer", &in, 1, &out, 1) != NNRT_OK)
        return error("%s", nnrt_context_last_error(ctx.Ctx));
      if (out.dtype != NNRT_F32 || out.shape.rank != 3 || out.shape.dims[0] != 1 ||
          out.shape.dims[1] != length || out.shape.dims[2] != vocabSize)
        return error("generate needs 'infer' to output next-token scores f32[1, %lld, %lld] "
                     "for this window, got rank %d", length, (long long)vocabSize,
                     out.shape.rank);
      scores = static_cast<const float *>(out.data) + last * vocabSize;
    }
    int64_t next = chooseToken(scores, vocabSize, temperature, topK, rng, scratch);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (next < 0)
      return error("step %lld: the model scores no token above 0 (a non-finite or "
                   "all-zero output)", n + 1);
    const std::string &word = tokens[size_t(next)];
    std::printf("%s%s", chars || (n == 0 && prompt.empty()) ? "" : " ", word.c_str());
    std::fflush(stdout);
    if (causal) {
      text.push_back(int32_t(next));
    } else {
      std::memmove(window.data(), window.data() + 1, size_t(length - 1) * 4);
      window[size_t(length - 1)] = int32_t(next);
    }
  }
  std::printf("\n");
  if (flags.has("stats"))
    std::fprintf(stderr, "generate: %lld tokens in %.3f ms, %.4f ms per token (%.0f tokens/s); "
                 "%lld from the key/value cache ('" NNRT_DECODE_ENTRY "'), %lld through 'infer'\n",
                 count, seconds * 1e3, seconds * 1e3 / double(count), double(count) / seconds,
                 fromCache, count - fromCache);
  return 0;
}
