//===- Flags.cpp - flag parsing and the setup shared by subcommands -------===//
#include "Driver.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace nnrt::driver;

int nnrt::driver::error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("error: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
  return 1;
}

void nnrt::driver::printUsage(const char *prog, const char *cmd, const char *synopsis,
                              const std::vector<FlagSpec> &specs) {
  std::printf("usage: %s %s %s\n", prog, cmd, synopsis);
  for (auto &s : specs)
    std::printf("  --%-10s %s %s\n", s.Name, s.TakesValue ? "VALUE" : "     ", s.Help);
}

int Flags::parse(const char *prog, const char *cmd, const char *synopsis,
                 const std::vector<FlagSpec> &specs, int argc, char **argv,
                 std::vector<std::string> *positional) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (positional && arg.compare(0, 2, "--") != 0) {
      positional->push_back(arg);
      continue;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      error("unexpected argument '%s' (see '%s %s --help')", arg.c_str(), prog, cmd);
      return 1;
    }
    std::string name = arg.substr(2), value;
    bool inlineValue = false;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    const FlagSpec *spec = nullptr;
    for (auto &s : specs)
      if (name == s.Name)
        spec = &s;
    if (!spec) {
      error("unknown flag '--%s' for '%s' (see '%s %s --help')", name.c_str(), cmd, prog, cmd);
      return 1;
    }
    if (spec->TakesValue && !inlineValue) {
      if (i + 1 >= argc) {
        error("flag '--%s' needs a value", name.c_str());
        return 1;
      }
      value = argv[++i];
    } else if (!spec->TakesValue && inlineValue) {
      error("flag '--%s' takes no value", name.c_str());
      return 1;
    }
    Values.emplace_back(name, value);
  }
  if (has("help")) {
    printUsage(prog, cmd, synopsis, specs);
    return 0;
  }
  return -1;
}

bool Flags::has(const std::string &name) const {
  for (auto &v : Values)
    if (v.first == name)
      return true;
  return false;
}

std::string Flags::get(const std::string &name, const std::string &def) const {
  std::string r = def;
  for (auto &v : Values)
    if (v.first == name)
      r = v.second;
  return r;
}

std::vector<std::string> Flags::getAll(const std::string &name) const {
  std::vector<std::string> r;
  for (auto &v : Values)
    if (v.first == name)
      r.push_back(v.second);
  return r;
}

bool Flags::getInt(const std::string &name, long long def, long long lo, long long hi,
                   long long &out) const {
  out = def;
  if (!has(name))
    return true;
  std::string s = get(name);
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end || errno || v < lo || v > hi) {
    error("'--%s %s': expected an integer in [%lld, %lld]", name.c_str(), s.c_str(), lo, hi);
    return false;
  }
  out = v;
  return true;
}

bool Flags::getFloat(const std::string &name, double def, double &out) const {
  out = def;
  if (!has(name))
    return true;
  std::string s = get(name);
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || !std::isfinite(v)) {
    error("'--%s %s': expected a finite number", name.c_str(), s.c_str());
    return false;
  }
  out = v;
  return true;
}

bool nnrt::driver::makeContext(const nnrt_model *model, ContextHolder &out) {
  nnrt_error err;
  if (nnrt_context_create(model, &out.Ctx, &err) != NNRT_OK) {
    error("%s", err.message);
    return false;
  }
  return true;
}

bool nnrt::driver::loadOrInit(nnrt_context *ctx, const std::string &weights, long long seed,
                              bool noteInit) {
  if (!weights.empty()) {
    if (nnrt_load_safetensors(ctx, weights.c_str()) != NNRT_OK) {
      error("%s", nnrt_context_last_error(ctx));
      return false;
    }
    return true;
  }
  if (noteInit)
    std::fprintf(stderr, "note: no --weights given: parameters initialized from seed %lld\n",
                 seed);
  if (nnrt_params_init(ctx, uint64_t(seed)) != NNRT_OK) {
    error("%s", nnrt_context_last_error(ctx));
    return false;
  }
  return true;
}

void nnrt::driver::reportAllocationFailure(size_t count, size_t elementBytes,
                                           const char *what) {
  size_t bytes;
  if (__builtin_mul_overflow(count, elementBytes, &bytes))
    error("cannot allocate %zu elements of %zu bytes for %s", count, elementBytes, what);
  else
    error("cannot allocate %zu bytes for %s", bytes, what);
}

int64_t nnrt::driver::modelClasses(const nnrt_model *model, std::string &output) {
  const nnrt_entry *infer = nnrt_find_entry(model, "infer");
  if (!infer || infer->num_outputs < 1)
    return -1;
  const nnrt_slot &slot = infer->slots[infer->output_slots[0]];
  if (slot.dtype != NNRT_F32 || slot.shape.rank < 1 || slot.shape.dims[slot.shape.rank - 1] < 1)
    return -1;
  output = infer->output_names[0];
  return slot.shape.dims[slot.shape.rank - 1];
}

int32_t nnrt::driver::kernelSteps(const nnrt_entry &entry) {
  int32_t kernels = 0;
  for (int32_t i = 0; i < entry.num_steps; ++i)
    kernels += entry.steps[i].fn != nullptr;
  return kernels;
}

bool nnrt::driver::checkDatasetLabels(const nnrt_model *model, const nnrt_dataset *ds) {
  // A model without a label input (a GAN) reads no labels, whatever its outputs are.
  DataBinding bind;
  findConventionalInputs(model, bind, nnrt_dataset_example_name(ds),
                         nnrt_dataset_target_name(ds), nnrt_dataset_images(ds).dtype);
  if (bind.LabelInput < 0)
    return true;
  std::string output;
  int64_t classes = modelClasses(model, output);
  if (classes < 0 || classes > INT32_MAX)
    return true;
  nnrt_error err;
  if (nnrt_dataset_check_labels(ds, int32_t(classes), &err) == NNRT_OK)
    return true;
  error("%s (the model's output '%s' scores %lld classes)", err.message, output.c_str(),
        (long long)classes);
  return false;
}

void nnrt::driver::findConventionalInputs(const nnrt_model *model, DataBinding &out,
                                          const char *example, const char *target,
                                          int32_t exampleDtype) {
  // By name first: lr, seed, and the dataset's examples and targets (`image` and `label`,
  // `tokens` and `label` or `next`).
  for (int32_t i = 0; i < model->num_inputs; ++i) {
    const nnrt_input &in = model->inputs[i];
    bool scalar = in.shape.rank == 0;
    if (!std::strcmp(in.name, "lr") && in.dtype == NNRT_F32 && scalar)
      out.LrInput = i;
    else if (!std::strcmp(in.name, "seed") && in.dtype == NNRT_I32 && scalar)
      out.SeedInput = i;
    else if (!std::strcmp(in.name, example) && in.dtype == exampleDtype && !scalar)
      out.ImageInput = i;
    else if (!std::strcmp(in.name, target) && in.dtype == NNRT_I32 && !scalar)
      out.LabelInput = i;
  }
  // A model that names neither takes the images and labels in its first f32 and i32
  // inputs (images only: token ids and targets are both i32, so only names tell them
  // apart). Without an f32 input it has no images, and its i32 inputs are not labels
  // (token ids, which `run` checked against the first output's classes: an embedding's
  // ids of 32 rejected for a 16-wide output).
  if (out.ImageInput >= 0 || out.LabelInput >= 0 || std::strcmp(example, "image"))
    return;
  auto first = [&](nnrt_dtype dtype) {
    for (int32_t i = 0; i < model->num_inputs; ++i)
      if (i != out.LrInput && i != out.SeedInput && model->inputs[i].dtype == dtype)
        return i;
    return int32_t(-1);
  };
  out.ImageInput = first(NNRT_F32);
  if (out.ImageInput >= 0)
    out.LabelInput = first(NNRT_I32);
}

const char *nnrt::driver::unboundInput(const nnrt_model *model, const nnrt_entry *entry,
                                       const DataBinding &bind,
                                       const std::vector<int32_t> &fed) {
  for (int32_t i = 0; i < entry->num_inputs; ++i) {
    int32_t in = entry->inputs[i];
    if (in != bind.ImageInput && in != bind.LabelInput && in != bind.LrInput &&
        in != bind.SeedInput && std::find(fed.begin(), fed.end(), in) == fed.end())
      return model->inputs[in].name;
  }
  return nullptr;
}

/// Binds the token ids [N, S] (and next-token targets [N, S]) of a text dataset: the
/// input must be i32 of rank 2 whose dim 1 is S or symbolic.
static bool bindTokens(const nnrt_model *model, const nnrt_dataset *ds, DataBinding &out) {
  nnrt_tensor ex = nnrt_dataset_images(ds), tg = nnrt_dataset_labels(ds);
  const nnrt_input &tok = model->inputs[out.ImageInput];
  int64_t length = ex.shape.dims[1];
  auto fits = [&](const nnrt_input &in, const nnrt_tensor &data) {
    int32_t rank = data.shape.rank;
    if (in.shape.rank != rank) {
      error("input '%s' has rank %d; the text dataset feeds it i32[B%s]", in.name,
            in.shape.rank, rank == 2 ? ", S" : "");
      return false;
    }
    if (rank == 2 && in.shape.dims[1] >= 0 && in.shape.dims[1] != data.shape.dims[1]) {
      error("input '%s' has static length %lld, but the dataset's sequences have %lld tokens "
            "(%s; a symbolic dim takes any)", in.name, (long long)in.shape.dims[1],
            (long long)data.shape.dims[1],
            &data == &ex ? "the data clause's length, or --length" : "its targets");
      return false;
    }
    return true;
  };
  if (!fits(tok, ex))
    return false;
  out.ExampleShape = ex.shape;
  out.ExampleElems = length;
  out.TargetShape = tg.shape;
  out.TargetElems = tg.shape.rank == 2 ? tg.shape.dims[1] : 1;
  return out.LabelInput < 0 || fits(model->inputs[out.LabelInput], tg);
}

bool nnrt::driver::bindDataset(const nnrt_model *model, const nnrt_entry *entry,
                               const nnrt_dataset *ds, DataBinding &out,
                               const std::vector<int32_t> &fed) {
  out = DataBinding();
  nnrt_tensor ex = nnrt_dataset_images(ds);
  const char *exName = nnrt_dataset_example_name(ds), *tgName = nnrt_dataset_target_name(ds);
  findConventionalInputs(model, out, exName, tgName, ex.dtype);
  bool text = ex.dtype == NNRT_I32;
  if (out.ImageInput < 0) {
    if (text)
      error("model '%s' has no i32 input '%s' to take the dataset's token ids", model->name,
            exName);
    else
      error("model '%s' has no f32 input to take the images", model->name);
    return false;
  }
  const nnrt_input &img = model->inputs[out.ImageInput];
  if (img.shape.rank < 1) {
    error("input '%s' has no batch dim", img.name);
    return false;
  }
  out.StaticBatch = img.shape.dims[0] >= 0 ? img.shape.dims[0] : -1;
  if (text) {
    if (!bindTokens(model, ds, out))
      return false;
  } else {
    int64_t rows = ex.shape.dims[1], cols = ex.shape.dims[2];
    // Dims are validated (nnrt_model_validate) and dataset dims bounded (IDX reader), so
    // these products cannot overflow.
    int64_t perExample = 1;
    for (int32_t d = 1; d < img.shape.rank; ++d) {
      if (img.shape.dims[d] < 0) {
        error("input '%s': dim %d must be static to take %lldx%lld images", img.name, d,
              (long long)rows, (long long)cols);
        return false;
      }
      perExample *= img.shape.dims[d];
    }
    if (perExample != rows * cols) {
      error("input '%s' holds %lld elements per example, the dataset's images have %lld "
            "(%lldx%lld)", img.name, (long long)perExample, (long long)(rows * cols),
            (long long)rows, (long long)cols);
      return false;
    }
    out.ExampleShape = img.shape;
    out.ExampleElems = perExample;
    out.TargetShape.rank = 1;
    out.TargetElems = 1;
  }
  if (const char *other = unboundInput(model, entry, out, fed)) {
    error("entry '%s' reads input '%s', which the dataset cannot provide (it provides "
          "'%s' and '%s'; train --feed %s=FILE.npy feeds it from a file)", entry->name,
          other, exName, tgName, other);
    return false;
  }
  return true;
}

std::vector<std::string> nnrt::driver::vocabularyTokens(const char *vocabulary,
                                                         int64_t rows) {
  std::vector<std::string> out{"<pad>", "<oov>"};
  std::string token;
  for (const char *p = vocabulary ? vocabulary : ""; *p; ++p) {
    if (*p == '\n') {
      out.push_back(token);
      token.clear();
    } else if (*p == '\\' && p[1] == 'x' && p[2] && p[3]) {
      token += char(std::strtol(std::string(p + 2, 2).c_str(), nullptr, 16));
      p += 3;
    } else {
      token += *p;
    }
  }
  if (!token.empty())
    out.push_back(token);
  while (int64_t(out.size()) < rows)
    out.push_back("<oov>");
  out.resize(size_t(std::max<int64_t>(rows, 0)));
  return out;
}

bool nnrt::driver::readTextCodec(nnrt_context *ctx, const nnrt_input &decl,
                                 long long length, const char *what, TextCodec &out) {
  const char *vocabulary = nnrt_context_metadata(ctx, "text.vocabulary");
  const char *unit = nnrt_context_metadata(ctx, "text.tokens");
  const char *vocab = nnrt_context_metadata(ctx, "text.vocab");
  const char *saved = nnrt_context_metadata(ctx, "text.length");
  if (!vocabulary || !unit || !vocab || !saved) {
    error("%s needs the vocabulary of a text model's checkpoint: --weights FILE, saved by "
          "'train' on data fortunes or fortunes_lm", what);
    return false;
  }
  if (decl.dtype != NNRT_I32 || decl.shape.rank != 2) {
    error("%s feeds input 'tokens' as i32[B, S], but it is %s of rank %d", what,
          decl.dtype == NNRT_F32 ? "f32" : "i32", decl.shape.rank);
    return false;
  }
  // The metadata is untrusted: out-of-range numbers are errors, not allocations.
  long long vocabSize = std::atoll(vocab);
  if (!length)
    length = decl.shape.dims[1] >= 0 ? decl.shape.dims[1] : std::atoll(saved);
  if (length < 1 || length > NNRT_TEXT_MAX_LENGTH || vocabSize < 3 ||
      vocabSize > NNRT_TEXT_MAX_VOCAB) {
    error("%s: the checkpoint's text.length '%s' or text.vocab '%s' is out of range", what,
          saved, vocab);
    return false;
  }
  if (decl.shape.dims[1] >= 0 && decl.shape.dims[1] != length) {
    error("input 'tokens' has static length %lld, the text is read with length %lld",
          (long long)decl.shape.dims[1], length);
    return false;
  }
  out = TextCodec{vocabulary, std::strcmp(unit, "chars") ? NNRT_TEXT_WORDS : NNRT_TEXT_CHARS,
                  vocabSize, length};
  return true;
}

std::string nnrt::driver::dataOption(const nnrt_model *model, const char *key,
                                     const std::string &def) {
  std::string r = def;
  for (int32_t i = 0; i < model->train.num_data_options; ++i)
    if (!std::strcmp(model->train.data_options[i].key, key))
      r = model->train.data_options[i].value;
  return r;
}

/// Parses an integer data option in [lo, hi].
static bool intOption(const nnrt_model *model, const char *key, long long def, long long lo,
                      long long hi, long long &out) {
  std::string text = dataOption(model, key, std::to_string(def));
  char *end = nullptr;
  errno = 0;
  out = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || errno || out < lo || out > hi) {
    error("data option %s = %s: expected an integer in [%lld, %lld]", key, text.c_str(), lo,
          hi);
    return false;
  }
  return true;
}

/// The text options of the model's `data fortunes(...)` / `fortunes_lm(...)` clause.
static bool textOptions(const nnrt_model *model, const TextOverrides &over,
                        nnrt_text_options &o, std::string &categories) {
  std::string name = model->train.data;
  for (int32_t i = 0; i < model->train.num_data_options; ++i) {
    const char *key = model->train.data_options[i].key;
    if (std::strcmp(key, "categories") && std::strcmp(key, "vocab") &&
        std::strcmp(key, "length") && std::strcmp(key, "tokens")) {
      error("unknown option '%s' of data set '%s' (known: categories, vocab, length, tokens)",
            key, name.c_str());
      return false;
    }
  }
  o = nnrt_text_options{};
  o.task = name == "fortunes" ? NNRT_TEXT_CLASSIFY : NNRT_TEXT_LM;
  std::string unit = dataOption(model, "tokens", "words");
  if (unit != "words" && unit != "chars") {
    error("data option tokens = \"%s\": expected \"words\" or \"chars\"", unit.c_str());
    return false;
  }
  o.unit = unit == "words" ? NNRT_TEXT_WORDS : NNRT_TEXT_CHARS;
  long long vocab, length;
  if (!intOption(model, "vocab", 10000, 3, NNRT_TEXT_MAX_VOCAB, vocab) ||
      !intOption(model, "length", 100, 1, NNRT_TEXT_MAX_LENGTH, length))
    return false;
  if (over.Length > NNRT_TEXT_MAX_LENGTH) {
    error("length %lld is more than %d", over.Length, NNRT_TEXT_MAX_LENGTH);
    return false;
  }
  if (over.Length > 0)
    length = over.Length;
  o.vocab = int32_t(vocab);
  o.length = int32_t(length);
  categories = dataOption(model, "categories");
  o.categories = categories.c_str();
  // The model's seed, not --seed: eval and train must split alike.
  o.seed = uint64_t(model->train.seed);
  o.vocabulary = over.Vocabulary;
  return true;
}

bool nnrt::driver::openDataset(const nnrt_model *model, const std::string &dataDir,
                               const char *split, nnrt_dataset **out,
                               const TextOverrides &text) {
  std::string name = model->train.data ? model->train.data : "";
  nnrt_error err;
  if (name == "dates") {
    long long count, length;
    for (int32_t i = 0; i < model->train.num_data_options; ++i) {
      const char *key = model->train.data_options[i].key;
      if (std::strcmp(key, "count") && std::strcmp(key, "length")) {
        error("unknown option '%s' of data set 'dates' (known: count, length)", key);
        return false;
      }
    }
    if (!intOption(model, "count", 20000, 1, NNRT_DATES_MAX_COUNT, count) ||
        !intOption(model, "length", 32, NNRT_DATES_MIN_LENGTH, NNRT_TEXT_MAX_LENGTH, length))
      return false;
    if (nnrt_dataset_make_dates(count, int32_t(length), uint64_t(model->train.seed),
                                std::strcmp(split, "train") ? "test" : "train", out,
                                &err) != NNRT_OK) {
      error("%s", err.message);
      return false;
    }
    return true;
  }
  if (name == "fortunes" || name == "fortunes_lm") {
    nnrt_text_options o;
    std::string categories;
    if (!textOptions(model, text, o, categories))
      return false;
    if (nnrt_dataset_load_text(dataDir.empty() ? nullptr : dataDir.c_str(), &o,
                               std::strcmp(split, "train") ? "test" : "train", out,
                               &err) != NNRT_OK) {
      error("%s", err.message);
      return false;
    }
    return true;
  }
  if (!name.empty() && name != "fashion_mnist") {
    error("unknown dataset '%s' (known: fashion_mnist, fortunes, fortunes_lm, dates)",
          name.c_str());
    return false;
  }
  if (nnrt_dataset_load_fashion_mnist(dataDir.empty() ? nullptr : dataDir.c_str(), split, out,
                                      &err) != NNRT_OK) {
    error("%s", err.message);
    return false;
  }
  return true;
}

bool nnrt::driver::recordTextMetadata(nnrt_context *ctx, const nnrt_dataset *ds) {
  if (nnrt_dataset_images(ds).dtype != NNRT_I32)
    return true;
  const nnrt_model *m = nnrt_context_model(ctx);
  std::string length = std::to_string(nnrt_dataset_images(ds).shape.dims[1]);
  bool dates = !std::strcmp(m->train.data, "dates");
  std::string vocab = dates ? std::to_string(NNRT_DATES_VOCAB) : dataOption(m, "vocab", "10000");
  std::string tokens = dates ? "chars" : dataOption(m, "tokens", "words");
  const std::pair<const char *, const char *> entries[] = {
      {"text.data", m->train.data},
      {"text.tokens", tokens.c_str()},
      {"text.vocab", vocab.c_str()},
      {"text.length", length.c_str()},
      {"text.categories", nnrt_dataset_categories(ds)},
      {"text.vocabulary", nnrt_dataset_vocabulary(ds)}};
  for (const auto &kv : entries)
    if (nnrt_context_set_metadata(ctx, kv.first, kv.second) != NNRT_OK) {
      error("%s", nnrt_context_last_error(ctx));
      return false;
    }
  return true;
}

void AllocationCounter::begin(nnrt_context *ctx, const nnrt_entry *entry) {
  Ctx = ctx;
  Entry = entry;
  StepBase.assign(entry->num_steps, 0);
  if (nnrt_step_allocations(ctx, entry->name, StepBase.data(), entry->num_steps) < 0)
    StepBase.assign(entry->num_steps, 0);
  Total = 0;
  Runs = 0;
}

void AllocationCounter::add(uint64_t before) {
  Total += nnrt_allocation_count() - before;
  ++Runs;
}

void AllocationCounter::report() const {
  std::printf("allocations after warm-up: %llu (%lld runs of %s)\n", (unsigned long long)Total,
              (long long)Runs, Entry ? Entry->name : "?");
  if (!Total || !Entry)
    return;
  std::vector<uint64_t> now(Entry->num_steps, 0);
  if (nnrt_step_allocations(Ctx, Entry->name, now.data(), Entry->num_steps) < 0)
    return;
  uint64_t inKernels = 0;
  for (int32_t s = 0; s < Entry->num_steps; ++s) {
    if (now[s] <= StepBase[s])
      continue;
    inKernels += now[s] - StepBase[s];
    std::printf("  step %d %s: %.2f allocations per run\n", s,
                Entry->steps[s].kernel ? Entry->steps[s].kernel : "?",
                Runs ? double(now[s] - StepBase[s]) / double(Runs) : 0.0);
  }
  if (Total > inKernels)
    std::printf("  outside the kernels (libnnrt): %llu\n",
                (unsigned long long)(Total - inKernels));
}
