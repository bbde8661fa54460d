//===- text.cpp - fuzzes libnnrt's text datasets (fortunes files) ----------===//
//
// The input: 4 option bytes (task and unit bits, vocab, length, split and seed), then up
// to three category files separated by 0xff bytes (see make-corpus.py). A dataset the
// reader accepts must have every token id in [0, vocab), labels in [0, categories) and,
// for the language model, targets equal to the tokens one position later. The same
// bytes are also a vocabulary and a text for nnrt_text_encode, whose ids must be in
// [0, vocab) too.
//
//===----------------------------------------------------------------------===//
#include "lib/Internal.h"

#include <algorithm>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  nnrt_text_options o{};
  o.task = data[0] & 1 ? NNRT_TEXT_LM : NNRT_TEXT_CLASSIFY;
  o.unit = data[0] & 2 ? NNRT_TEXT_CHARS : NNRT_TEXT_WORDS;
  o.vocab = 3 + data[1] % 64;
  o.length = 1 + data[2] % 16;
  o.seed = data[3] >> 1;
  std::string split = data[3] & 1 ? "test" : "train";
  std::vector<std::string> names, contents(1);
  for (size_t i = 4; i < size; ++i) {
    if (data[i] == 0xff && contents.size() < 3)
      contents.emplace_back();
    else
      contents.back() += char(data[i]);
  }
  for (size_t i = 0; i < contents.size(); ++i)
    names.push_back("c" + std::to_string(i));
  nnrt_dataset *ds = nullptr;
  if (nnrt::buildTextDataset(names, contents, o, split, "fuzz", &ds, nullptr) == NNRT_OK) {
    nnrt_tensor ex = nnrt_dataset_images(ds), tg = nnrt_dataset_labels(ds);
    int64_t n = nnrt_dataset_size(ds), s = o.length;
    if (ex.dtype != NNRT_I32 || ex.shape.rank != 2 || ex.shape.dims[0] != n ||
        ex.shape.dims[1] != s)
      __builtin_trap();
    auto *tok = static_cast<const int32_t *>(ex.data);
    auto *lab = static_cast<const int32_t *>(tg.data);
    for (int64_t i = 0; i < n * s; ++i)
      if (tok[i] < 0 || tok[i] >= o.vocab)
        __builtin_trap();
    if (o.task == NNRT_TEXT_CLASSIFY) {
      for (int64_t i = 0; i < n; ++i)
        if (lab[i] < 0 || lab[i] >= int32_t(names.size()))
          __builtin_trap();
    } else {
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k + 1 < s; ++k)
          if (lab[i * s + k] != tok[i * s + k + 1])
            __builtin_trap();
    }
    nnrt_dataset_destroy(ds);
  }
  // The first file as a vocabulary, the second as text.
  std::vector<int32_t> ids(size_t(o.length));
  std::string vocab = contents[0], text = contents.size() > 1 ? contents[1] : "";
  vocab.erase(std::find(vocab.begin(), vocab.end(), '\0'), vocab.end());
  text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
  if (nnrt_text_encode(vocab.c_str(), o.unit, o.vocab, text.c_str(), o.length, ids.data(),
                       nullptr, nullptr) == NNRT_OK)
    for (int32_t id : ids)
      if (id < 0 || id >= o.vocab)
        __builtin_trap();
  return 0;
}
