//===- Translate.cpp - `translate`: greedy decoding of a sequence-to-sequence model ===//
//
// Translates texts with a model trained on `data dates` (examples/seq2seq.nn): the
// checkpoint holds the character vocabulary; each text becomes the `tokens` input, and
// the `infer` entry gives the translation in one of two forms:
//   - an output of i32 ids [B, T] (the first such): the model decodes by itself (a loop
//     feeding each step's argmax back in); one run (a `target` input, if read, is fed
//     zeros).
//   - else a first output of f32 scores [B, T, V] of a teacher-forced decoder that also
//     reads `target` i32 [B, T] (position t sees target[0 .. t)): greedy decoding here,
//     T runs, each appending the most likely id of position t.
// `--test` scores greedy exact-match accuracy on the data set's test split.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace nnrt::driver;

namespace {

/// The `infer` entry's inputs and output, checked.
struct Decoder {
  const nnrt_entry *Entry = nullptr;
  int32_t TokensInput = -1, TargetInput = -1; ///< model input indices (-1: not read)
  int64_t SourceLength = 0, TargetLength = 0, Vocab = 0;
  int32_t Output = 0;  ///< the output read: the first i32 ids [B, T], else the first
  bool Scores = false; ///< the output is f32 scores (greedy here), else i32 ids
};

/// Runs `infer` on `batch` sources [batch, SourceLength] and writes the decoded ids
/// [batch, TargetLength] to `out`.
bool decode(nnrt_context *ctx, const Decoder &d, const int32_t *sources, int64_t batch,
            int32_t *out) {
  nnrt_tensor in[2]{};
  in[0].dtype = NNRT_I32;
  in[0].shape.rank = 2;
  in[0].shape.dims[0] = batch;
  in[0].shape.dims[1] = d.SourceLength;
  in[0].data = const_cast<int32_t *>(sources);
  std::fill(out, out + batch * d.TargetLength, 0);
  in[1] = in[0];
  in[1].shape.dims[1] = d.TargetLength;
  in[1].data = out;
  // nnrt_run takes the entry's inputs in its order.
  nnrt_tensor ordered[2];
  for (int32_t i = 0; i < d.Entry->num_inputs; ++i)
    ordered[i] = d.Entry->inputs[i] == d.TokensInput ? in[0] : in[1];
  int64_t runs = d.Scores ? d.TargetLength : 1;
  std::vector<nnrt_tensor> results(size_t(d.Output) + 1);
  const nnrt_tensor &result = results.back();
  for (int64_t t = 0; t < runs; ++t) {
    if (nnrt_run(ctx, "infer", ordered, d.Entry->num_inputs, results.data(), d.Output + 1) !=
        NNRT_OK) {
      error("%s", nnrt_context_last_error(ctx));
      return false;
    }
    int64_t want[3] = {batch, d.TargetLength, d.Vocab};
    int32_t rank = d.Scores ? 3 : 2;
    if (result.shape.rank != rank || !std::equal(want, want + rank, result.shape.dims)) {
      error("infer's output has an unexpected shape for a batch of %lld", (long long)batch);
      return false;
    }
    if (!d.Scores) {
      std::copy_n(static_cast<const int32_t *>(result.data), batch * d.TargetLength, out);
      return true;
    }
    const float *scores = static_cast<const float *>(result.data);
    for (int64_t b = 0; b < batch; ++b) {
      const float *row = scores + (b * d.TargetLength + t) * d.Vocab;
      out[b * d.TargetLength + t] = int32_t(std::max_element(row, row + d.Vocab) - row);
    }
  }
  return true;
}

std::string text(const std::vector<std::string> &tokens, const int32_t *ids, int64_t n) {
  std::string s;
  for (int64_t i = 0; i < n; ++i)
    if (ids[i] > 0 && size_t(ids[i]) < tokens.size())
      s += tokens[size_t(ids[i])];
  return s;
}

} // namespace

int nnrt::driver::runTranslate(const nnrt_model *m, const char *prog, int argc, char **argv) {
  std::vector<FlagSpec> specs = {
      {"weights", true, "checkpoint of a model trained on data dates (it holds the "
                        "vocabulary)"},
      {"test", false, "print the greedy exact-match accuracy on the test split"},
      {"show", true, "with --test, print the first N translations (default 0)"},
      {"batch", true, "texts decoded at once (default 256)"},
      {"from-scores", false, "decode greedily from infer's first output (scores of a "
                             "teacher-forced decoder) even when the model decodes itself"},
      {"help", false, "print this help"}};
  std::vector<std::string> texts;
  Flags flags;
  if (int status = flags.parse(prog, "translate", "--weights F (TEXT... | --test)", specs,
                               argc, argv, &texts);
      status >= 0)
    return status;
  long long show = 0, batchSize = 0;
  if (!flags.getInt("show", 0, 0, INT32_MAX, show) ||
      !flags.getInt("batch", 256, 1, 1 << 20, batchSize))
    return 1;
  if (!flags.has("weights"))
    return error("translate needs --weights: the checkpoint of a model trained on data "
                 "dates, which holds its vocabulary");
  if (texts.empty() && !flags.has("test"))
    return error("translate needs texts to translate or --test");

  Decoder d;
  d.Entry = nnrt_find_entry(m, "infer");
  if (!d.Entry || d.Entry->num_outputs < 1)
    return error("translate needs an entry 'infer'");
  for (int32_t i = 0; i < d.Entry->num_inputs; ++i) {
    const nnrt_input &in = m->inputs[d.Entry->inputs[i]];
    bool ids = in.dtype == NNRT_I32 && in.shape.rank == 2;
    if (ids && !std::strcmp(in.name, "tokens"))
      d.TokensInput = d.Entry->inputs[i];
    else if (ids && !std::strcmp(in.name, "target"))
      d.TargetInput = d.Entry->inputs[i];
    else
      return error("translate feeds the entry 'infer' inputs 'tokens' and 'target' (i32[B, "
                   "S]), but it reads '%s'", in.name);
  }
  if (d.TokensInput < 0)
    return error("translate needs the entry 'infer' to read input 'tokens' i32[B, S]");
  for (int32_t i = d.Entry->num_outputs - 1; i >= 0 && !flags.has("from-scores"); --i) {
    const nnrt_slot &slot = d.Entry->slots[d.Entry->output_slots[i]];
    if (slot.dtype == NNRT_I32 && slot.shape.rank == 2)
      d.Output = i;
  }
  const nnrt_slot &o = d.Entry->slots[d.Entry->output_slots[d.Output]];
  d.Scores = o.dtype == NNRT_F32;
  if (d.Scores ? o.shape.rank != 3 || o.shape.dims[2] < 0 || d.TargetInput < 0
               : o.shape.rank != 2)
    return error("translate needs an output of infer that is ids "
                 "i32[B, T], or a first output that is scores f32[B, T, V] of a decoder "
                 "reading input 'target'");
  d.TargetLength = o.shape.dims[1];
  if (d.TargetLength < 1)
    return error("translate needs a static target length T in infer's output");

  ContextHolder ctx;
  TextCodec codec;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, flags.get("weights"), 0) ||
      !readTextCodec(ctx.Ctx, m->inputs[d.TokensInput], 0, "translate", codec))
    return 1;
  d.SourceLength = codec.Length;
  d.Vocab = d.Scores ? o.shape.dims[2] : codec.Vocab;
  std::vector<std::string> tokens = vocabularyTokens(codec.Vocabulary, codec.Vocab);

  if (!texts.empty()) {
    HeapArray<int32_t> sources, out;
    if (!sources.allocate(texts.size() * size_t(d.SourceLength), "the texts") ||
        !out.allocate(texts.size() * size_t(d.TargetLength), "the translations"))
      return 1;
    nnrt_error err;
    // A text as an error quotes it: its first 64 bytes, then "..." (not a page of it).
    auto shown = [](const std::string &t) {
      return t.size() <= 64 ? t : t.substr(0, 64) + "...";
    };
    for (size_t i = 0; i < texts.size(); ++i) {
      std::string lower = texts[i];
      for (char &c : lower)
        c = char(std::tolower(static_cast<unsigned char>(c)));
      int64_t count = 0;
      if (nnrt_text_encode(codec.Vocabulary, codec.Unit, int32_t(codec.Vocab), lower.c_str(),
                           int32_t(d.SourceLength), sources.data() + i * d.SourceLength,
                           &count, &err) != NNRT_OK)
        return error("'%s': %s", shown(texts[i]).c_str(), err.message);
      if (count > d.SourceLength)
        return error("'%s' has %lld characters; the model reads at most %lld",
                     shown(texts[i]).c_str(), (long long)count, (long long)d.SourceLength);
    }
    if (!decode(ctx.Ctx, d, sources.data(), int64_t(texts.size()), out.data()))
      return 1;
    for (size_t i = 0; i < texts.size(); ++i)
      std::printf("%s -> %s\n", texts[i].c_str(),
                  text(tokens, out.data() + i * d.TargetLength, d.TargetLength).c_str());
  }

  if (flags.has("test")) {
    nnrt_dataset *raw = nullptr;
    TextOverrides over;
    over.Vocabulary = codec.Vocabulary;
    if (!openDataset(m, "", "test", &raw, over))
      return 1;
    std::unique_ptr<nnrt_dataset, void (*)(nnrt_dataset *)> ds(raw, nnrt_dataset_destroy);
    nnrt_tensor src = nnrt_dataset_images(ds.get()), tgt = nnrt_dataset_labels(ds.get());
    if (src.shape.rank != 2 || src.shape.dims[1] != d.SourceLength || tgt.shape.rank != 2 ||
        tgt.shape.dims[1] != d.TargetLength)
      return error("the test split's examples do not fit the model's inputs");
    int64_t n = src.shape.dims[0], right = 0;
    HeapArray<int32_t> out;
    if (!out.allocate(size_t(n * d.TargetLength), "the translations"))
      return 1;
    const auto *sources = static_cast<const int32_t *>(src.data);
    const auto *targets = static_cast<const int32_t *>(tgt.data);
    for (int64_t b = 0; b < n; b += batchSize) {
      int64_t rows = std::min<int64_t>(batchSize, n - b);
      if (!decode(ctx.Ctx, d, sources + b * d.SourceLength, rows,
                  out.data() + b * d.TargetLength))
        return 1;
    }
    for (int64_t i = 0; i < n; ++i) {
      const int32_t *got = out.data() + i * d.TargetLength, *want = targets + i * d.TargetLength;
      bool ok = std::equal(got, got + d.TargetLength, want);
      right += ok;
      if (i < show)
        std::printf("%-30s -> %s (%s)\n",
                    text(tokens, sources + i * d.SourceLength, d.SourceLength).c_str(),
                    text(tokens, got, d.TargetLength).c_str(),
                    ok ? "right" : text(tokens, want, d.TargetLength).c_str());
    }
    std::printf("exact match: %lld / %lld = %.4f\n", (long long)right, (long long)n,
                double(right) / double(n));
  }
  return 0;
}
