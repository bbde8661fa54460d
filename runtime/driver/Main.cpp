//===- Main.cpp - nnrt_main: the command line of a compiled model ---------===//
//
// Dispatches the subcommands and implements the two that need no dataset: `info` and
// `predict`. `eval`, `bench` and `train` live in their own files.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace nnrt::driver;

static std::string shapeText(const nnrt_model *m, const nnrt_shape &s) {
  char buf[256];
  nnrt_shape_text(m, &s, buf, sizeof(buf));
  return buf;
}

/// "320 B", "41.0 KiB", "3.2 MiB".
static std::string bytesText(long long n) {
  char buf[64];
  if (n < 1024)
    std::snprintf(buf, sizeof(buf), "%lld B", n);
  else if (n < 1024 * 1024)
    std::snprintf(buf, sizeof(buf), "%.1f KiB", double(n) / 1024);
  else
    std::snprintf(buf, sizeof(buf), "%.1f MiB", double(n) / (1024 * 1024));
  return buf;
}

static const char *dtypeText(int32_t d) { return d == NNRT_F32 ? "f32" : "i32"; }

static void printTopUsage(const char *prog, FILE *out) {
  std::fprintf(out,
               "usage: %s <command> [flags]\n"
               "commands:\n"
               "  info     print the model's inputs, parameters and entry points\n"
               "  eval     test accuracy of the 'infer' entry on the dataset's test split\n"
               "  predict  run 'infer' on .npy inputs and write .npy outputs\n"
               "  run      run any entry (e.g. one training step) on .npy inputs\n"
               "  bench    time every entry and each of its kernels on random inputs\n"
               "  train    train the model (needs a train entry)\n"
               "  sample   write the 'infer' output of a batch as a PNG grid (a generator),\n"
               "           or for a next-token text model the same as generate\n"
               "  embeddings  write a text model's embedding matrix and vocabulary as TSV and\n"
               "           a PCA plot of its most frequent words (SVG)\n"
               "  generate continue a prompt with a next-token text model\n"
               "  translate  translate texts with a sequence-to-sequence model (data dates)\n"
               "run '%s <command> --help' for the flags of a command\n",
               prog, prog);
}

/// `info --plan`: each step's kernel and arguments (inputs, then outputs). Arguments are
/// input and parameter names, `out:<name>` for entry outputs and `t<slot>@b<buffer>` for
/// temporaries (an alias shows the slot it views).
static void printPlan(const nnrt_model *m, const nnrt_entry &e) {
  std::printf("plan of %s:\n", e.name);
  for (int32_t i = 0; i < e.num_steps; ++i) {
    const nnrt_step &st = e.steps[i];
    if (!st.fn) {
      std::printf("  step %d loop over dim 0 of t%d%s, body steps %d-%d, across:", i,
                  st.loop_length, st.loop_reverse ? " (reversed)" : "", i + 1,
                  i + st.loop_steps);
    } else {
      std::printf("  step %d %s:", i, st.kernel ? st.kernel : "?");
    }
    for (int32_t a = 0; a < st.num_args; ++a) {
      int32_t s = st.args[a];
      for (int32_t hops = 0; e.slots[s].kind == NNRT_SLOT_ALIAS && hops <= e.num_slots; ++hops)
        s = e.slots[s].index;
      const nnrt_slot &sl = e.slots[s];
      switch (sl.kind) {
      case NNRT_SLOT_INPUT:
        std::printf(" %s", m->inputs[sl.index].name);
        break;
      case NNRT_SLOT_PARAM:
        std::printf(" %s", m->params[sl.index].name);
        break;
      case NNRT_SLOT_OUTPUT:
        std::printf(" out:%s", e.output_names[sl.index]);
        break;
      case NNRT_SLOT_TEMP:
        std::printf(" t%d@b%d", s, sl.index);
        break;
      case NNRT_SLOT_VIEW:
        std::printf(" t%d[t]", sl.index);
        break;
      default:
        std::printf(" ?");
      }
    }
    std::printf("\n");
  }
}

/// The positions of `e`'s inputs in declaration order: sorted by their index in the
/// model's inputs, which follow the `input` lines of the .nn file.
static std::vector<int32_t> declarationOrder(const nnrt_entry &e) {
  std::vector<int32_t> order(e.num_inputs);
  for (int32_t i = 0; i < e.num_inputs; ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](int32_t a, int32_t b) { return e.inputs[a] < e.inputs[b]; });
  return order;
}

int nnrt::driver::runInfo(const nnrt_model *m, const char *prog, int argc, char **argv) {
  std::vector<FlagSpec> specs = {
      {"batch", true, "value of every symbol for the memory figures (default: the "
                      "compiler's, computed at the model's train batch)"},
      {"plan", false, "print every step's arguments; a temporary is t<slot>@b<buffer>"},
      {"help", false, "print this help"}};
  Flags flags;
  if (int status = flags.parse(prog, "info", "[--batch N] [--plan]", specs, argc, argv);
      status >= 0)
    return status;
  long long batch = -1;
  if (flags.has("batch") && !flags.getInt("batch", 1, 0, NNRT_MAX_ELEMENTS, batch))
    return 1;
  // The memory plan: the compiler's figures, or the runtime's layout at --batch (computed
  // first, so that a batch too large for the runtime prints only the error).
  std::vector<nnrt_memory_info> memory(m->num_entries);
  for (int32_t e = 0; e < m->num_entries; ++e) {
    const nnrt_entry &en = m->entries[e];
    nnrt_memory_info &mem = memory[e];
    if (batch >= 0) {
      if (nnrt_entry_memory(m, &en, batch, &mem) != NNRT_OK)
        return error("entry '%s': a temporary has more than %lld elements at --batch %lld, "
                     "the runtime's limit per tensor (NNRT_MAX_ELEMENTS)", en.name,
                     NNRT_MAX_ELEMENTS, batch);
      continue;
    }
    mem.num_temps = 0;
    for (int32_t s = 0; s < en.num_slots; ++s)
      mem.num_temps += en.slots[s].kind == NNRT_SLOT_TEMP;
    mem.num_buffers = en.num_buffers;
    mem.arena_bytes = en.arena_bytes_at_default;
    mem.unplanned_bytes = en.unplanned_bytes_at_default;
  }
  std::printf("model: %s\n", m->name ? m->name : "");
  std::printf("source: %s\n", m->source ? m->source : "");
  std::printf("inputs:\n");
  for (int32_t i = 0; i < m->num_inputs; ++i)
    std::printf("  %s: %s%s\n", m->inputs[i].name, dtypeText(m->inputs[i].dtype),
                shapeText(m, m->inputs[i].shape).c_str());
  std::printf("params:\n");
  long long total = 0, trainable = 0;
  for (int32_t i = 0; i < m->num_params; ++i) {
    const nnrt_param &p = m->params[i];
    long long n = nnrt_shape_numel(&p.shape); // the model is validated: never -1
    total += n;
    trainable += p.trainable ? n : 0;
    std::printf("  %s: %s%s count %lld%s\n", p.name, dtypeText(p.dtype),
                shapeText(m, p.shape).c_str(), n, p.trainable ? "" : " (state)");
  }
  std::printf("entries:\n");
  for (int32_t e = 0; e < m->num_entries; ++e) {
    const nnrt_entry &en = m->entries[e];
    std::printf("  %s(", en.name);
    std::vector<int32_t> order = declarationOrder(en);
    for (size_t i = 0; i < order.size(); ++i)
      std::printf("%s%s", i ? ", " : "", m->inputs[en.inputs[order[i]]].name);
    std::printf(") -> (");
    for (int32_t o = 0; o < en.num_outputs; ++o) {
      const nnrt_slot &s = en.slots[en.output_slots[o]];
      std::printf("%s%s: %s%s", o ? ", " : "", en.output_names[o], dtypeText(s.dtype),
                  shapeText(m, s.shape).c_str());
    }
    // Updates the plan writes over their parameter (no copy after the step).
    int32_t inPlace = 0;
    for (int32_t u = 0; u < en.num_updates; ++u)
      inPlace += en.slots[en.updates[2 * u + 1]].kind == NNRT_SLOT_PARAM;
    // The steps are kernel calls and loops (nn.scan), a loop's body among them.
    int32_t kernels = kernelSteps(en), loops = en.num_steps - kernels;
    std::printf("), %d kernels", kernels);
    if (loops)
      std::printf(", %d loop%s", loops, loops == 1 ? "" : "s");
    std::printf(", %d updates", en.num_updates);
    if (inPlace)
      std::printf(" (%d written in place)", inPlace);
    std::printf("\n");
  }
  std::printf("total parameters: %lld (trainable %lld)\n", total, trainable);
  const nnrt_train_config &t = m->train;
  if (t.train_entry && *t.train_entry) {
    const char *schedule = nnrt_schedule_name(t.schedule);
    std::printf("training: entry %s, data %s, batch %d, epochs %d, lr %g, schedule %s, ",
                t.train_entry, t.data && *t.data ? t.data : "(none)", t.batch, t.epochs,
                double(t.lr), schedule ? schedule : "(unknown)");
    if (t.warmup_steps > 0)
      std::printf("warmup %d, ", t.warmup_steps);
    std::printf("seed %d\n", t.seed);
    if (t.num_data_options > 0) {
      std::printf("data options:");
      for (int32_t i = 0; i < t.num_data_options; ++i)
        std::printf("%s %s = %s", i ? "," : "", t.data_options[i].key,
                    t.data_options[i].value);
      std::printf("\n");
    }
    for (int32_t i = 0; i < t.num_iteration_steps; ++i)
      if (t.iteration_steps[i].micro_batch > 0)
        std::printf("micro-batches: %s over more than %d rows runs %s%s per %d rows, then "
                    "%s%s\n",
                    t.iteration_steps[i].entry, t.iteration_steps[i].micro_batch,
                    t.iteration_steps[i].entry, NNRT_GRAD_ENTRY_SUFFIX,
                    t.iteration_steps[i].micro_batch, t.iteration_steps[i].entry,
                    NNRT_APPLY_ENTRY_SUFFIX);
    if (t.num_iteration_steps > 1) {
      std::printf("iteration:");
      for (int32_t i = 0; i < t.num_iteration_steps; ++i)
        std::printf("%s %s (lr %g)", i ? "," : "", t.iteration_steps[i].entry,
                    double(t.iteration_steps[i].lr));
      std::printf("\n");
    }
  }
  std::printf("memory (temporaries arena%s):\n",
              batch < 0 ? ", planned by nnc" : ", laid out by libnnrt");
  for (int32_t e = 0; e < m->num_entries; ++e) {
    const nnrt_entry &en = m->entries[e];
    const nnrt_memory_info &mem = memory[e];
    long long at = batch >= 0 ? batch : en.default_batch;
    std::string where;
    for (int32_t k = 0; k < m->num_symbols; ++k)
      where += std::string(k ? ", " : " at ") + m->symbols[k] + "=" + std::to_string(at);
    std::printf("  %s: %d temporaries in %d buffers, arena %s%s (no reuse: %s)\n", en.name,
                mem.num_temps, mem.num_buffers, bytesText(mem.arena_bytes).c_str(),
                where.c_str(), bytesText(mem.unplanned_bytes).c_str());
  }
  if (flags.has("plan"))
    for (int32_t e = 0; e < m->num_entries; ++e)
      printPlan(m, m->entries[e]);
  return 0;
}

namespace {
} // namespace

static std::string outputPath(const std::string &path, const char *name) {
  std::string stem = path;
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".npy") == 0)
    stem.resize(stem.size() - 4);
  return stem + "." + name + ".npy";
}

/// Prints a tensor as `name: v0 v1 ...` (row-major, %.8g).
static void printTensor(const char *name, const nnrt_tensor &t) {
  int64_t count = 1;
  for (int32_t d = 0; d < t.shape.rank; ++d)
    count *= t.shape.dims[d];
  std::printf("%s:", name);
  for (int64_t i = 0; i < count; ++i) {
    if (t.dtype == NNRT_F32)
      std::printf(" %.8g", double(static_cast<const float *>(t.data)[i]));
    else
      std::printf(" %d", static_cast<const int32_t *>(t.data)[i]);
  }
  std::printf("\n");
}

/// Whether model input `in` is one the driver feeds by convention when no file gives it:
/// an f32[] named lr or an i32[] named seed.
static bool fedByConvention(const nnrt_input &in) {
  return in.shape.rank == 0 && ((!std::strcmp(in.name, "lr") && in.dtype == NNRT_F32) ||
                                (!std::strcmp(in.name, "seed") && in.dtype == NNRT_I32));
}

/// Checks the class indices of a label file against the model's classes (`infer`'s static
/// class axis): the first one outside [0, classes) is an error naming file and index.
static bool checkLabelFile(const nnrt_model *m, const std::string &path, const nnrt_tensor &t) {
  std::string output;
  int64_t classes = modelClasses(m, output);
  if (classes < 0 || t.dtype != NNRT_I32)
    return true;
  auto *p = static_cast<const int32_t *>(t.data);
  for (int64_t i = 0, count = nnrt_shape_numel(&t.shape); i < count; ++i)
    if (p[i] < 0 || p[i] >= classes) {
      error("%s: label %d at index %lld is outside [0, %lld) (the model's output '%s' "
            "scores %lld classes)", path.c_str(), p[i], (long long)i, (long long)classes,
            output.c_str(), (long long)classes);
      return false;
    }
  return true;
}

/// Reads the --input files of `entry` into `files` (one per entry input, null when not
/// given). `NAME=FILE` feeds input NAME; plain files then fill the inputs no name gave, in
/// declaration order (`info`'s order), skipping those fed by convention (lr, seed), which
/// are taken by name only. The label input's values are checked against the classes.
static bool bindInputFiles(const nnrt_model *m, const nnrt_entry *entry,
                           const std::vector<std::string> &specs,
                           std::vector<std::unique_ptr<NpyHolder>> &files) {
  int32_t n = entry->num_inputs;
  files.clear();
  files.resize(n);
  std::vector<std::string> paths(n), positional;
  for (const std::string &spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      positional.push_back(spec);
      continue;
    }
    std::string name = spec.substr(0, eq);
    int32_t pos = -1;
    for (int32_t i = 0; i < n; ++i)
      if (name == m->inputs[entry->inputs[i]].name)
        pos = i;
    if (pos < 0) {
      error("entry '%s' has no input '%s'", entry->name, name.c_str());
      return false;
    }
    if (!paths[pos].empty()) {
      error("input '%s' given twice", name.c_str());
      return false;
    }
    paths[pos] = spec.substr(eq + 1);
  }
  size_t next = 0;
  for (int32_t pos : declarationOrder(*entry)) {
    if (next == positional.size())
      break;
    if (paths[pos].empty() && !fedByConvention(m->inputs[entry->inputs[pos]]))
      paths[pos] = positional[next++];
  }
  if (next < positional.size()) {
    error("too many --input files: '%s' has no input left to feed (entry '%s' takes %d)",
          positional[next].c_str(), entry->name, n);
    return false;
  }
  DataBinding conv;
  findConventionalInputs(m, conv);
  for (int32_t i = 0; i < n; ++i) {
    if (paths[i].empty())
      continue;
    files[i] = std::make_unique<NpyHolder>();
    nnrt_error err;
    if (nnrt_npy_read(paths[i].c_str(), &files[i]->T, &err) != NNRT_OK) {
      error("%s", err.message);
      return false;
    }
    if (entry->inputs[i] == conv.LabelInput && !checkLabelFile(m, paths[i], files[i]->T))
      return false;
  }
  return true;
}

/// Encodes --text for the entry's i32 input `tokens` [1, S] with the checkpoint's
/// vocabulary and tokenizer (text.* metadata, written by `train` on a text dataset); S is
/// --length, else the model's static length, else the checkpoint's (readTextCodec).
/// Prints the error and returns false on failure.
static bool encodeText(nnrt_context *ctx, const nnrt_input &decl, const std::string &text,
                       long long length, std::vector<int32_t> &ids, nnrt_tensor &out) {
  TextCodec codec;
  if (!readTextCodec(ctx, decl, length, "--text", codec))
    return false;
  length = codec.Length;
  ids.assign(size_t(length), 0);
  nnrt_error err;
  int64_t count = 0;
  if (nnrt_text_encode(codec.Vocabulary, codec.Unit, int32_t(codec.Vocab), text.c_str(),
                       int32_t(length), ids.data(), &count, &err) != NNRT_OK) {
    error("--text: %s", err.message);
    return false;
  }
  std::printf("tokens: %lld (length %lld):", (long long)count, length);
  for (int32_t id : ids)
    std::printf(" %d", id);
  std::printf("\n");
  out = nnrt_tensor{};
  out.dtype = NNRT_I32;
  out.shape.rank = 2;
  out.shape.dims[0] = 1;
  out.shape.dims[1] = length;
  out.data = ids.data();
  return true;
}

/// Prints an output of a --text run: the values, and for scores of the checkpoint's
/// categories ([1, C]) the best category, for scores of next tokens ([1, S, V]) the best
/// token after the last position.
static void printTextOutput(nnrt_context *ctx, const char *name, const nnrt_tensor &t) {
  if (t.dtype != NNRT_F32 || t.shape.rank < 2 || t.shape.dims[0] != 1) {
    printTensor(name, t);
    return;
  }
  int64_t classes = t.shape.dims[t.shape.rank - 1];
  int64_t rows = classes ? nnrt_shape_numel(&t.shape) / classes : 0;
  const float *last = static_cast<const float *>(t.data) + (rows - 1) * classes;
  int64_t best = classes ? std::max_element(last, last + classes) - last : 0;
  if (t.shape.rank == 2) {
    printTensor(name, t);
    const char *cats = nnrt_context_metadata(ctx, "text.categories");
    std::vector<std::string> names;
    for (const char *p = cats ? cats : ""; *p;) {
      const char *e = std::strchr(p, ' ');
      names.emplace_back(p, e ? size_t(e - p) : std::strlen(p));
      p = e ? e + 1 : p + std::strlen(p);
    }
    if (int64_t(names.size()) == classes)
      std::printf("category: %s (%s %.6g)\n", names[size_t(best)].c_str(), name,
                  double(last[best]));
    return;
  }
  const char *vocabulary = nnrt_context_metadata(ctx, "text.vocabulary");
  std::printf("%s: next token '%s' (id %lld, score %.6g)\n", name,
              vocabularyTokens(vocabulary, best + 1)[size_t(best)].c_str(), (long long)best,
              double(last[best]));
}

/// `predict` (entry infer, outputs to .npy) and `run` (any entry; print and/or save).
int nnrt::driver::runPredict(const nnrt_model *m, const char *prog, int argc, char **argv,
                             bool anyEntry) {
  const char *cmd = anyEntry ? "run" : "predict";
  std::vector<FlagSpec> specs = {
      {"weights", true, "safetensors file with the parameters"},
      {"input", true, "NAME=FILE.npy or FILE.npy (repeat; unnamed files fill the inputs no "
                      "name gave, in declaration order, as 'info' lists them; lr and seed "
                      "only by name)"},
      {"output", true, "FILE.npy for the first output; others go to FILE.<name>.npy"},
      {"seed", true, "seed for parameter init when no --weights is given, and the value of "
                     "an i32[] input named seed"},
      {"text", true, "feed input 'tokens' this text, tokenized with the checkpoint's "
                     "vocabulary (a text model's --weights), and print the outputs"},
      {"length", true, "tokens --text is padded or truncated to (default: the checkpoint's)"},
      {"help", false, "print this help"}};
  if (anyEntry) {
    specs.insert(specs.begin(), {"entry", true, "entry point to run (default: infer)"});
    specs.insert(specs.end() - 1, {"print", false, "print every output's values"});
    specs.insert(specs.end() - 1,
                 {"lr", true, "value of an f32[] input named lr (default: the model's)"});
    specs.insert(specs.end() - 1,
                 {"save", true, "write the parameters after the run (safetensors)"});
  }
  Flags flags;
  if (int status = flags.parse(prog, cmd,
                               anyEntry ? "[--entry NAME] --input x.npy [--print] [--output y.npy]"
                                        : "--weights F.safetensors --input x.npy --output y.npy",
                               specs, argc, argv);
      status >= 0)
    return status;
  std::string entryName = anyEntry && flags.has("entry") ? flags.get("entry") : "infer";
  const nnrt_entry *entry = nnrt_find_entry(m, entryName.c_str());
  if (!entry)
    return error("this model has no entry '%s'", entryName.c_str());
  std::string outPath = flags.get("output");
  bool print = anyEntry && flags.has("print");
  bool hasText = flags.has("text");
  if (outPath.empty() && !print && !hasText)
    return error("%s needs --output FILE.npy%s", cmd,
                 anyEntry ? ", --print or --text" : " or --text");
  long long seed, length;
  if (!flags.getInt("seed", m->train.seed, 0, (1ll << 62), seed) ||
      !flags.getInt("length", 0, 1, NNRT_TEXT_MAX_LENGTH, length))
    return 1;
  double lrFlag = m->train.lr;
  if (anyEntry && !flags.getFloat("lr", m->train.lr, lrFlag))
    return 1;
  if (lrFlag < 0)
    return error("'--lr %g': a learning rate must be 0 or positive", lrFlag);
  float lr = float(lrFlag);
  int32_t seed32 = seedInputValue(seed);
  std::vector<std::unique_ptr<NpyHolder>> files;
  int32_t n = entry->num_inputs;
  if (!bindInputFiles(m, entry, flags.getAll("input"), files))
    return 1;
  ContextHolder ctx;
  if (!makeContext(m, ctx) || !loadOrInit(ctx.Ctx, flags.get("weights"), seed))
    return 1;
  std::vector<nnrt_tensor> inputs(n);
  std::vector<int32_t> textIds;
  int32_t textInput = -1;
  if (hasText) {
    for (int32_t i = 0; i < n; ++i)
      if (!std::strcmp(m->inputs[entry->inputs[i]].name, "tokens"))
        textInput = i;
    if (textInput < 0)
      return error("--text: entry '%s' has no input 'tokens'", entry->name);
    if (files[textInput])
      return error("--text and --input both feed input 'tokens'");
    if (!encodeText(ctx.Ctx, m->inputs[entry->inputs[textInput]], flags.get("text"), length,
                    textIds, inputs[textInput]))
      return 1;
  }
  for (int32_t i = 0; i < n; ++i) {
    const nnrt_input &in = m->inputs[entry->inputs[i]];
    if (i == textInput)
      continue;
    // Inputs the driver knows by convention: f32[] `lr` and i32[] `seed`.
    void *known = !fedByConvention(in)         ? nullptr
                  : in.dtype == NNRT_F32       ? static_cast<void *>(&lr)
                                               : static_cast<void *>(&seed32);
    if (!files[i] && known) {
      inputs[i].dtype = in.dtype;
      inputs[i].shape.rank = 0;
      inputs[i].data = known;
      continue;
    }
    if (!files[i])
      return error("missing --input for input '%s'", in.name);
    inputs[i] = files[i]->T;
  }
  std::vector<nnrt_tensor> outputs(entry->num_outputs);
  if (nnrt_run(ctx.Ctx, entry->name, inputs.data(), n, outputs.data(),
               entry->num_outputs) != NNRT_OK)
    return error("%s", nnrt_context_last_error(ctx.Ctx));
  for (int32_t o = 0; o < entry->num_outputs; ++o) {
    if (hasText)
      printTextOutput(ctx.Ctx, entry->output_names[o], outputs[o]);
    else if (print)
      printTensor(entry->output_names[o], outputs[o]);
    if (outPath.empty())
      continue;
    std::string path = o == 0 ? outPath : outputPath(outPath, entry->output_names[o]);
    nnrt_error err;
    if (nnrt_npy_write(path.c_str(), &outputs[o], &err) != NNRT_OK)
      return error("%s", err.message);
    if (!print && !hasText)
      std::printf("wrote %s: %s %s%s\n", path.c_str(), entry->output_names[o],
                  dtypeText(outputs[o].dtype), shapeText(m, outputs[o].shape).c_str());
  }
  if (anyEntry && flags.has("save") &&
      nnrt_save_safetensors(ctx.Ctx, flags.get("save").c_str()) != NNRT_OK)
    return error("%s", nnrt_context_last_error(ctx.Ctx));
  return 0;
}

extern "C" int nnrt_main(const nnrt_model *model, int argc, char **argv) {
  const char *prog = argc > 0 && argv[0] ? argv[0] : "model";
  if (!model)
    return error("no model");
  if (argc < 2) {
    printTopUsage(prog, stderr);
    return 1;
  }
  const char *cmd = argv[1];
  if (!std::strcmp(cmd, "--help") || !std::strcmp(cmd, "-h") || !std::strcmp(cmd, "help")) {
    printTopUsage(prog, stdout);
    return 0;
  }
  // Every command relies on the tables being sound (indices in range, sizes within
  // NNRT_MAX_ELEMENTS), `info` included.
  nnrt_error err;
  if (nnrt_model_validate(model, &err) != NNRT_OK)
    return error("%s", err.message);
  int rest = argc - 2;
  char **restv = argv + 2;
  if (!std::strcmp(cmd, "info"))
    return runInfo(model, prog, rest, restv);
  if (!std::strcmp(cmd, "eval"))
    return runEval(model, prog, rest, restv);
  if (!std::strcmp(cmd, "predict"))
    return runPredict(model, prog, rest, restv, /*anyEntry=*/false);
  if (!std::strcmp(cmd, "run"))
    return runPredict(model, prog, rest, restv, /*anyEntry=*/true);
  if (!std::strcmp(cmd, "bench"))
    return runBench(model, prog, rest, restv);
  if (!std::strcmp(cmd, "train"))
    return runTrain(model, prog, rest, restv);
  if (!std::strcmp(cmd, "sample")) {
    // A text model's samples are text: `sample` is `generate` for a next-token model (its
    // `infer` reads only i32 `tokens`), a PNG grid for an image generator.
    for (int32_t e = 0; e < model->num_entries; ++e) {
      const nnrt_entry &en = model->entries[e];
      if (!std::strcmp(en.name, "infer") && en.num_inputs == 1 &&
          !std::strcmp(model->inputs[en.inputs[0]].name, "tokens") &&
          model->inputs[en.inputs[0]].dtype == NNRT_I32)
        return runGenerate(model, prog, rest, restv);
    }
    return runSample(model, prog, rest, restv);
  }
  if (!std::strcmp(cmd, "embeddings"))
    return runEmbeddings(model, prog, rest, restv);
  if (!std::strcmp(cmd, "generate"))
    return runGenerate(model, prog, rest, restv);
  if (!std::strcmp(cmd, "translate"))
    return runTranslate(model, prog, rest, restv);
  return error("unknown command '%s' (see '%s --help')", cmd, prog);
}
