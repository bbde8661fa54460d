//===- Text.cpp - text datasets from Debian's fortunes files --------------===//
//
// A fortunes file holds entries separated by lines that are exactly "%". Entries are
// tokenized (Keras' Tokenizer rule for words, or bytes), a vocabulary of the most
// frequent tokens of the training split maps them to ids (0 padding, 1 out of
// vocabulary), and each split becomes fixed-length examples: one per entry padded or
// truncated at the front (Keras' pad_sequences defaults) for classification, or
// consecutive windows of the split's token stream for language modelling. Every file and
// option is untrusted and checked; docs/runtime.md ("Text data") states the rules.
//
//===----------------------------------------------------------------------===//
#include "Internal.h"
#include "SplitMix64.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <dirent.h>
#include <sys/stat.h>
#include <unordered_map>

using namespace nnrt;

namespace {

/// The most bytes the category files of one dataset may hold together.
constexpr uint64_t kMaxCorpusBytes = uint64_t(256) << 20;

/// One entry of a category file and its category's index.
struct Entry {
  std::string Text;
  int32_t Category;
};

/// Keras' Tokenizer default `filters`, which become separators, plus the whitespace
/// bytes (Keras splits on ' ' after mapping '\t' and '\n' to it).
bool isWordSeparator(unsigned char c) {
  static const char kFilters[] = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n\r\v\f ";
  return c && std::strchr(kFilters, c) != nullptr;
}

/// Splits `text` into tokens: words (ASCII letters lowercased, every run of bytes
/// between separators is a word, so apostrophes, digits and UTF-8 letters stay in it) or
/// single bytes.
void tokenize(const std::string &text, int32_t unit, std::vector<std::string> &out) {
  out.clear();
  if (unit == NNRT_TEXT_CHARS) {
    for (char c : text)
      out.emplace_back(1, c);
    return;
  }
  std::string word;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (isWordSeparator(c)) {
      if (!word.empty())
        out.push_back(std::move(word));
      word.clear();
      continue;
    }
    word += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : ch;
  }
  if (!word.empty())
    out.push_back(std::move(word));
}

/// Splits a file into its entries: the text between lines that are exactly "%" (a
/// trailing "\r" is tolerated), without the last newline. Empty entries are dropped.
void splitEntries(const uint8_t *bytes, size_t size, int32_t category,
                  std::vector<Entry> &out) {
  std::string current;
  size_t pos = 0;
  auto flush = [&] {
    while (!current.empty() && current.back() == '\n')
      current.pop_back();
    if (!current.empty())
      out.push_back({std::move(current), category});
    current.clear();
  };
  while (pos < size) {
    size_t end = pos;
    while (end < size && bytes[end] != '\n')
      ++end;
    std::string line(reinterpret_cast<const char *>(bytes) + pos, end - pos);
    if (line == "%" || line == "%\r") {
      flush();
    } else {
      current += line;
      current += '\n';
    }
    pos = end + 1;
  }
  flush();
}

/// The regular files of `dir` that can be categories: no leading dot, not the strfile
/// indexes (.dat) or the UTF-8 copies some packages ship (.u8), sorted by name.
nnrt_status listCategories(const std::string &dir, std::vector<std::string> &out,
                           nnrt_error *err) {
  DIR *d = opendir(dir.c_str());
  if (!d)
    return fail(err, NNRT_ERR_IO, "cannot open the fortunes directory '%s': %s", dir.c_str(),
                std::strerror(errno));
  while (dirent *e = readdir(d)) {
    std::string name = e->d_name;
    auto endsWith = [&](const char *suffix) {
      size_t n = std::strlen(suffix);
      return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
    };
    if (name.empty() || name[0] == '.' || endsWith(".dat") || endsWith(".u8"))
      continue;
    struct stat sb;
    if (stat((dir + "/" + name).c_str(), &sb) == 0 && S_ISREG(sb.st_mode))
      out.push_back(name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return NNRT_OK;
}

/// Reads the category files named in `spec` (space-separated; empty: all) into
/// `contents`, checking the names against the directory.
nnrt_status readCorpus(const std::string &dir, const char *spec, int32_t task,
                       std::vector<std::string> &categories,
                       std::vector<std::string> &contents, nnrt_error *err) {
  std::vector<std::string> available;
  if (nnrt_status s = listCategories(dir, available, err); s != NNRT_OK)
    return s;
  std::string list;
  for (const std::string &a : available)
    list += (list.empty() ? "" : ", ") + a;
  std::string text = spec ? spec : "";
  for (size_t b = 0; b < text.size();) {
    if (text[b] == ' ') {
      ++b;
      continue;
    }
    size_t e = std::min(text.find(' ', b), text.size());
    categories.push_back(text.substr(b, e - b));
    b = e;
  }
  if (categories.empty()) {
    if (available.empty())
      return fail(err, NNRT_ERR_NOT_FOUND, "'%s' has no fortunes files", dir.c_str());
    categories = available;
  }
  if (task == NNRT_TEXT_CLASSIFY && categories.size() < 2)
    return fail(err, NNRT_ERR_ARG, "fortunes: a classifier needs at least two categories, "
                "got '%s'", text.c_str());
  uint64_t total = 0;
  for (size_t c = 0; c < categories.size(); ++c) {
    const std::string &name = categories[c];
    if (std::find(categories.begin(), categories.begin() + c, name) != categories.begin() + c)
      return fail(err, NNRT_ERR_ARG, "fortunes: category '%s' is named twice", name.c_str());
    if (std::find(available.begin(), available.end(), name) == available.end())
      return fail(err, NNRT_ERR_NOT_FOUND, "fortunes: no category '%s' in '%s' (available: %s)",
                  name.c_str(), dir.c_str(), list.empty() ? "none" : list.c_str());
    std::string path = dir + "/" + name, msg;
    ByteArray bytes;
    if (nnrt_status s = readFile(path, bytes, NNRT_TEXT_MAX_FILE_BYTES, msg); s != NNRT_OK)
      return fail(err, s, "%s", msg.c_str());
    // Fortunes files are text: a NUL byte means something else (a gzip file, the
    // strfile index under another name) that would otherwise train as text.
    if (const void *nul = std::memchr(bytes.data(), 0, bytes.size()))
      return fail(err, NNRT_ERR_FORMAT, "fortunes: '%s' is not a text file (a NUL byte at "
                  "offset %zu); a fortunes directory holds plain text files of entries "
                  "separated by '%%' lines", path.c_str(),
                  size_t(static_cast<const uint8_t *>(nul) - bytes.data()));
    total += bytes.size();
    if (total > kMaxCorpusBytes)
      return fail(err, NNRT_ERR_FORMAT, "fortunes: the categories hold more than %llu bytes",
                  (unsigned long long)kMaxCorpusBytes);
    contents.emplace_back(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  }
  return NNRT_OK;
}

/// Splits entry indices 0..n-1: a Fisher-Yates shuffle with splitmix64(seed), the last
/// n/5 (rounded down) are the test split, the others the training split; each split is
/// then put back in corpus order.
void splitIndices(size_t n, uint64_t seed, bool test, std::vector<size_t> &out) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i)
    order[i] = i;
  SplitMix64 rng(seed ^ 0x7465787473706c74ull); // "textsplt"
  for (size_t i = n; i > 1; --i)
    std::swap(order[i - 1], order[rng.next() % i]);
  size_t testCount = n / 5;
  if (test)
    out.assign(order.end() - testCount, order.end());
  else
    out.assign(order.begin(), order.end() - testCount);
  std::sort(out.begin(), out.end());
}

/// `token` with a backslash and every byte outside 0x21..0x7e written as \xHH.
std::string escapeToken(const std::string &token) {
  std::string out;
  for (char ch : token) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c > 0x20 && c < 0x7f && c != '\\')
      out += ch;
    else
      out += format("\\x%02x", c);
  }
  return out;
}

/// Parses a vocabulary written by escapeToken, one token a line, into token -> id (2..).
nnrt_status parseVocabulary(const char *text, int32_t vocab,
                            std::unordered_map<std::string, int32_t> &ids, nnrt_error *err) {
  auto hex = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  int64_t line = 0;
  const char *p = text;
  while (*p) {
    std::string token;
    ++line;
    for (; *p && *p != '\n'; ++p) {
      if (*p != '\\') {
        token += *p;
        continue;
      }
      int hi = p[1] == 'x' ? hex(p[2]) : -1, lo = hi >= 0 ? hex(p[3]) : -1;
      if (lo < 0)
        return fail(err, NNRT_ERR_FORMAT, "vocabulary line %lld: bad escape (expected \\xHH)",
                    (long long)line);
      token += char(hi * 16 + lo);
      p += 3;
    }
    if (*p == '\n')
      ++p;
    if (token.empty())
      return fail(err, NNRT_ERR_FORMAT, "vocabulary line %lld is empty", (long long)line);
    if (line + 1 < vocab && !ids.emplace(token, int32_t(line + 1)).second)
      return fail(err, NNRT_ERR_FORMAT, "vocabulary line %lld repeats a token",
                  (long long)line);
  }
  return NNRT_OK;
}

/// Fits the vocabulary on `entries[train[i]]` as Keras' Tokenizer(num_words = vocab,
/// oov_token) does: tokens by count, descending, ties by first occurrence; the first
/// vocab - 2 get ids 2, 3, ... Writes the escaped list to `encoded`.
void fitVocabulary(const std::vector<Entry> &entries, const std::vector<size_t> &train,
                   int32_t unit, int32_t vocab, std::unordered_map<std::string, int32_t> &ids,
                   std::string &encoded) {
  std::unordered_map<std::string, size_t> index; // token -> first-occurrence rank
  std::vector<std::pair<std::string, int64_t>> counts;
  std::vector<std::string> tokens;
  for (size_t i : train) {
    tokenize(entries[i].Text, unit, tokens);
    for (std::string &t : tokens) {
      auto it = index.find(t);
      if (it == index.end()) {
        index.emplace(t, counts.size());
        counts.emplace_back(std::move(t), 1);
      } else {
        ++counts[it->second].second;
      }
    }
  }
  std::stable_sort(counts.begin(), counts.end(),
                   [](const auto &a, const auto &b) { return a.second > b.second; });
  size_t keep = std::min(counts.size(), size_t(vocab - 2));
  for (size_t r = 0; r < keep; ++r) {
    ids.emplace(counts[r].first, int32_t(r + 2));
    encoded += escapeToken(counts[r].first);
    encoded += '\n';
  }
}

/// The ids of `text`'s tokens.
void encode(const std::string &text, int32_t unit,
            const std::unordered_map<std::string, int32_t> &ids, std::vector<int32_t> &out) {
  std::vector<std::string> tokens;
  tokenize(text, unit, tokens);
  out.clear();
  for (const std::string &t : tokens) {
    auto it = ids.find(t);
    out.push_back(it == ids.end() ? 1 : it->second);
  }
}

/// Keras' pad_sequences(maxlen = length) defaults: padding and truncating 'pre', so the
/// last `length` ids are kept and zeros go in front.
void padPre(const std::vector<int32_t> &seq, int32_t length, int32_t *out) {
  size_t n = std::min(seq.size(), size_t(length));
  size_t pad = size_t(length) - n;
  std::fill(out, out + pad, 0);
  std::copy(seq.end() - n, seq.end(), out + pad);
}

nnrt_status checkOptions(const nnrt_text_options *o, nnrt_error *err) {
  if (o->task != NNRT_TEXT_CLASSIFY && o->task != NNRT_TEXT_LM)
    return fail(err, NNRT_ERR_ARG, "unknown text task %d", o->task);
  if (o->unit != NNRT_TEXT_WORDS && o->unit != NNRT_TEXT_CHARS)
    return fail(err, NNRT_ERR_ARG, "unknown text unit %d (words or chars)", o->unit);
  if (o->vocab < 3 || o->vocab > NNRT_TEXT_MAX_VOCAB)
    return fail(err, NNRT_ERR_ARG, "vocab %d is outside [3, %d] (ids 0 and 1 are padding and "
                "out-of-vocabulary)", o->vocab, NNRT_TEXT_MAX_VOCAB);
  if (o->length < 1 || o->length > NNRT_TEXT_MAX_LENGTH)
    return fail(err, NNRT_ERR_ARG, "length %d is outside [1, %d]", o->length,
                NNRT_TEXT_MAX_LENGTH);
  return NNRT_OK;
}

/// Allocates the examples and targets of `count` examples of `ds`.
nnrt_status allocateExamples(nnrt_dataset *ds, int64_t count, int32_t length,
                             nnrt_error *err) {
  int64_t elems;
  if (!mulElements(count, length, elems))
    return fail(err, NNRT_ERR_FORMAT, "%lld examples of %d tokens are more than %lld elements",
                (long long)count, length, (long long)NNRT_MAX_ELEMENTS);
  ds->Count = count;
  size_t targetElems = size_t(count * ds->TargetsPerExample);
  if (!ds->Images.reserve(size_t(elems) * 4 + 4) || !ds->Labels.reserve(targetElems * 4 + 4))
    return fail(err, NNRT_ERR_OOM, "cannot allocate %lld bytes for the text dataset",
                (long long)(elems + targetElems) * 4);
  return NNRT_OK;
}

} // namespace

extern "C" {

nnrt_status nnrt_dataset_load_text(const char *dir, const nnrt_text_options *options,
                                   const char *split, nnrt_dataset **out, nnrt_error *err) {
  if (!options || !out)
    return fail(err, NNRT_ERR_ARG, "NULL argument");
  *out = nullptr;
  std::string sp = split ? split : "";
  if (sp != "train" && sp != "test")
    return fail(err, NNRT_ERR_ARG, "unknown split '%s' (train or test)", sp.c_str());
  if (nnrt_status s = checkOptions(options, err); s != NNRT_OK)
    return s;
  std::string d = dir ? dir : NNRT_FORTUNES_DIR;
  std::vector<std::string> categories, contents;
  if (nnrt_status s = readCorpus(d, options->categories, options->task, categories, contents,
                                 err);
      s != NNRT_OK)
    return s;
  return buildTextDataset(categories, contents, *options, sp, d, out, err);
}

} // extern "C"

nnrt_status nnrt::buildTextDataset(const std::vector<std::string> &categories,
                                   const std::vector<std::string> &contents,
                                   const nnrt_text_options &opt, const std::string &sp,
                                   const std::string &d, nnrt_dataset **out,
                                   nnrt_error *err) {
  *out = nullptr;
  const nnrt_text_options *options = &opt;
  if (nnrt_status s = checkOptions(options, err); s != NNRT_OK)
    return s;
  if (sp != "train" && sp != "test")
    return fail(err, NNRT_ERR_ARG, "unknown split '%s' (train or test)", sp.c_str());
  std::vector<Entry> entries;
  for (size_t c = 0; c < categories.size() && c < contents.size(); ++c) {
    size_t before = entries.size();
    splitEntries(reinterpret_cast<const uint8_t *>(contents[c].data()), contents[c].size(),
                 int32_t(c), entries);
    if (entries.size() == before)
      return fail(err, NNRT_ERR_FORMAT, "fortunes: category '%s' (%s/%s) has no entries",
                  categories[c].c_str(), d.c_str(), categories[c].c_str());
  }
  if (entries.empty())
    return fail(err, NNRT_ERR_FORMAT, "fortunes: no entries in '%s'", d.c_str());
  std::vector<size_t> trainIdx, chosen;
  splitIndices(entries.size(), options->seed, false, trainIdx);
  splitIndices(entries.size(), options->seed, sp == "test", chosen);
  std::unordered_map<std::string, int32_t> ids;
  std::string encoded;
  if (options->vocabulary) {
    if (nnrt_status s = parseVocabulary(options->vocabulary, options->vocab, ids, err);
        s != NNRT_OK)
      return s;
    encoded = options->vocabulary;
  } else {
    fitVocabulary(entries, trainIdx, options->unit, options->vocab, ids, encoded);
  }
  std::unique_ptr<nnrt_dataset> ds(new (std::nothrow) nnrt_dataset);
  if (!ds)
    return fail(err, NNRT_ERR_OOM, "cannot allocate the dataset");
  ds->ExampleDtype = NNRT_I32;
  ds->ExampleRank = 1;
  ds->ExampleDims[0] = options->length;
  ds->ExampleName = "tokens";
  ds->LabelsPath = d + " (" + sp + " split)";
  ds->Vocabulary = std::move(encoded);
  for (const std::string &c : categories)
    ds->Categories += (ds->Categories.empty() ? "" : " ") + c;
  int32_t length = options->length;
  std::vector<int32_t> seq;
  if (options->task == NNRT_TEXT_CLASSIFY) {
    ds->TargetName = "label";
    ds->TargetsPerExample = 1;
    if (nnrt_status s = allocateExamples(ds.get(), int64_t(chosen.size()), length, err); s != NNRT_OK)
      return s;
    auto *tok = static_cast<int32_t *>(ds->Images.data());
    auto *lab = static_cast<int32_t *>(ds->Labels.data());
    for (size_t e = 0; e < chosen.size(); ++e) {
      encode(entries[chosen[e]].Text, options->unit, ids, seq);
      padPre(seq, length, tok + e * size_t(length));
      lab[e] = entries[chosen[e]].Category;
    }
  } else {
    // The split's entries, in corpus order, as one stream; example k is the window
    // [k S, k S + S) and its targets the window one token later.
    std::vector<int32_t> stream;
    for (size_t i : chosen) {
      encode(entries[i].Text, options->unit, ids, seq);
      stream.insert(stream.end(), seq.begin(), seq.end());
    }
    if (stream.size() < size_t(length) + 1)
      return fail(err, NNRT_ERR_FORMAT, "fortunes_lm: the %s split has %zu tokens, fewer than "
                  "length + 1 = %d", sp.c_str(), stream.size(), length + 1);
    ds->TargetName = "next";
    ds->TargetsPerExample = length;
    int64_t count = int64_t((stream.size() - 1) / size_t(length));
    if (nnrt_status s = allocateExamples(ds.get(), count, length, err); s != NNRT_OK)
      return s;
    auto *tok = static_cast<int32_t *>(ds->Images.data());
    auto *next = static_cast<int32_t *>(ds->Labels.data());
    size_t n = size_t(count) * size_t(length);
    std::copy(stream.begin(), stream.begin() + n, tok);
    std::copy(stream.begin() + 1, stream.begin() + n + 1, next);
  }
  *out = ds.release();
  return NNRT_OK;
}

extern "C" {

nnrt_status nnrt_text_encode(const char *vocabulary, int32_t unit, int32_t vocab,
                             const char *text, int32_t length, int32_t *ids, int64_t *count,
                             nnrt_error *err) {
  if (!vocabulary || !text || !ids)
    return fail(err, NNRT_ERR_ARG, "NULL argument");
  nnrt_text_options o{};
  o.unit = unit;
  o.vocab = vocab;
  o.length = length;
  if (nnrt_status s = checkOptions(&o, err); s != NNRT_OK)
    return s;
  std::unordered_map<std::string, int32_t> map;
  if (nnrt_status s = parseVocabulary(vocabulary, vocab, map, err); s != NNRT_OK)
    return s;
  std::vector<int32_t> seq;
  encode(text, unit, map, seq);
  padPre(seq, length, ids);
  if (count)
    *count = int64_t(seq.size());
  return NNRT_OK;
}

} // extern "C"
