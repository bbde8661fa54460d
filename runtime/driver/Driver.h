//===- Driver.h - shared pieces of the compiled model's command line ------===//
//
// Flag parsing, error reporting and the setup every subcommand shares (context,
// weights or seeded init, dataset binding). Each subcommand lives in its own file.
//
//===----------------------------------------------------------------------===//
#ifndef NNRT_DRIVER_DRIVER_H
#define NNRT_DRIVER_DRIVER_H

#include "nnrt/nnrt.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace nnrt {
namespace driver {

/// A flag a subcommand accepts: `--name VALUE` / `--name=VALUE`, or a switch.
struct FlagSpec {
  const char *Name;
  bool TakesValue;
  const char *Help;
};

/// Parsed flags in command-line order (repeats kept).
class Flags {
public:
  /// Parses argv[0, argc). Returns -1 when the subcommand should run, else its exit
  /// status: 0 after `--help` printed the usage (`synopsis` and the flags), 1 after an
  /// error about an unknown or bad flag was printed.
  /// Arguments that do not start with `--` are errors, unless `positional` is given:
  /// then they are collected there, in order (`translate TEXT...`).
  int parse(const char *prog, const char *cmd, const char *synopsis,
            const std::vector<FlagSpec> &specs, int argc, char **argv,
            std::vector<std::string> *positional = nullptr);
  bool has(const std::string &name) const;
  /// The last value of `name`, or `def`.
  std::string get(const std::string &name, const std::string &def = "") const;
  std::vector<std::string> getAll(const std::string &name) const;
  /// Parses the last value of `name` as an integer in [lo, hi]; prints an error if bad.
  bool getInt(const std::string &name, long long def, long long lo, long long hi,
              long long &out) const;
  /// Parses the last value of `name` as a finite number; prints an error if bad.
  bool getFloat(const std::string &name, double def, double &out) const;

private:
  std::vector<std::pair<std::string, std::string>> Values;
};

/// Prints `error: <message>` to stderr and returns 1.
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/// Prints a subcommand's usage and flags to stdout.
void printUsage(const char *prog, const char *cmd, const char *synopsis,
                const std::vector<FlagSpec> &specs);

/// Prints `error: cannot allocate ... bytes for <what>` (the product may overflow size_t).
void reportAllocationFailure(size_t count, size_t elementBytes, const char *what);

/// A zero-filled heap array whose allocation failure is an error message, not an abort
/// (the driver is built without exceptions, where std::vector's bad_alloc aborts). Sizes
/// that depend on flags or files (batches, datasets, inputs) use it.
template <typename T> class HeapArray {
public:
  HeapArray() = default;
  HeapArray(const HeapArray &) = delete;
  HeapArray &operator=(const HeapArray &) = delete;
  HeapArray(HeapArray &&o) noexcept : Data(o.Data), Size(o.Size) {
    o.Data = nullptr;
    o.Size = 0;
  }
  ~HeapArray() { std::free(Data); }
  /// Makes room for `n` zeroed elements; on failure prints `error: cannot allocate N bytes
  /// for <what>` and returns false.
  bool allocate(size_t n, const char *what) {
    std::free(Data);
    Data = static_cast<T *>(std::calloc(n ? n : 1, sizeof(T)));
    Size = Data ? n : 0;
    if (!Data)
      reportAllocationFailure(n, sizeof(T), what);
    return Data != nullptr;
  }
  T *data() const { return Data; }
  size_t size() const { return Size; }
  T &operator[](size_t i) const { return Data[i]; }

private:
  T *Data = nullptr;
  size_t Size = 0;
};

/// An owning context handle.
struct ContextHolder {
  nnrt_context *Ctx = nullptr;
  ~ContextHolder() { nnrt_context_destroy(Ctx); }
};

/// The value fed to an i32[] input named `seed` (dropout's stream): the seed's two
/// 32-bit halves folded, so seeds below 2^32 go in unchanged.
inline int32_t seedInputValue(long long seed) {
  return int32_t(uint32_t(uint64_t(seed) ^ (uint64_t(seed) >> 32)));
}

/// Creates a context; prints the error and returns false on failure.
bool makeContext(const nnrt_model *model, ContextHolder &out);

/// Loads `weights` when not empty, else initializes from `seed` (and, with `noteInit`,
/// says so on stderr).
bool loadOrInit(nnrt_context *ctx, const std::string &weights, long long seed,
                bool noteInit = true);

/// How a dataset feeds the model's inputs: the examples go to the input the dataset names
/// (`image`, `tokens`) and the targets to `label` or `next` (for images, else the first
/// f32 and i32 inputs; -1 when the model has none); an f32[] input named `lr` takes the
/// learning rate.
struct DataBinding {
  int32_t ImageInput = -1;  ///< takes the examples (images or token ids)
  int32_t LabelInput = -1;  ///< takes the targets (labels or next tokens)
  int32_t LrInput = -1;     ///< an f32[] input named `lr`: fed the learning rate
  int32_t SeedInput = -1;   ///< an i32[] input named `seed`: fed the run's seed
  int64_t StaticBatch = -1; ///< dim 0 of the image input when static, else -1
  nnrt_shape ExampleShape{}; ///< the shape fed to ImageInput, dim 0 set per batch
  nnrt_shape TargetShape{};  ///< the shape fed to LabelInput, dim 0 set per batch
  int64_t ExampleElems = 0;  ///< elements of one example (4 bytes each)
  int64_t TargetElems = 1;   ///< targets of one example
};

/// The number of classes the model's `infer` entry scores: the static last dim of its
/// first output when that is f32 (`logits: f32[B, 10]`), else -1. `output` receives the
/// output's name.
int64_t modelClasses(const nnrt_model *model, std::string &output);

/// The kernel calls among `entry`'s steps (the others are loops, nn.scan).
int32_t kernelSteps(const nnrt_entry &entry);

/// Checks the labels of a dataset against the model's classes (when the model has a static
/// class axis): prints the error naming the file, index and value and returns false.
bool checkDatasetLabels(const nnrt_model *model, const nnrt_dataset *ds);

/// Finds the inputs the driver feeds by convention (DataBinding's first four fields): by
/// name (`lr`, `seed`, the dataset's examples `example` and targets `target`), else, for
/// images only (`example` is "image"), when no input is named `image` or `label`, the
/// first f32 and i32 inputs take the images and labels. The examples' input must have
/// dtype `exampleDtype`.
void findConventionalInputs(const nnrt_model *model, DataBinding &out,
                            const char *example = "image", const char *target = "label",
                            int32_t exampleDtype = NNRT_F32);

/// Owns the data of a tensor read by nnrt_npy_read.
struct NpyHolder {
  nnrt_tensor T{};
  NpyHolder() = default;
  NpyHolder(const NpyHolder &) = delete;
  NpyHolder &operator=(const NpyHolder &) = delete;
  ~NpyHolder() { nnrt_free(T.data); }
};

/// The values a PNG grid draws black (Lo) and white (Hi).
struct SampleRange {
  float Lo = -1, Hi = 1;
};

/// Parses `LO,HI` (LO < HI); false when malformed.
bool parseRange(const std::string &text, SampleRange &out);

/// Writes an f32 [N, H, W] or [N, H, W, C] tensor (C 1 or 3) as a PNG grid of N images
/// (Png.cpp), atomically. Prints the error and returns false on failure.
bool writeImageGrid(const std::string &path, const nnrt_tensor &images, float lo, float hi);

/// Runs `infer` on a batch of `count` (image and label inputs zero, the i32[] seed input
/// `seed`) and writes its first output to `path` as a PNG grid (Sample.cpp).
bool sampleGrid(nnrt_context *ctx, const nnrt_entry *infer, int64_t count, int32_t seed,
                const SampleRange &range, const std::string &path);

/// The name of the first input of `entry` that `bind` does not feed (nor `fed`, inputs
/// fed from files), or null.
const char *unboundInput(const nnrt_model *model, const nnrt_entry *entry,
                         const DataBinding &bind, const std::vector<int32_t> &fed = {});

/// Checks that `entry` reads only inputs the dataset provides (or `fed`) and that the
/// examples' input fits them: images need rows*cols elements per example; token ids
/// [B, S] need S to be the dataset's length or symbolic, and so do next-token targets.
/// Prints the error and returns false if not.
bool bindDataset(const nnrt_model *model, const nnrt_entry *entry, const nnrt_dataset *ds,
                 DataBinding &out, const std::vector<int32_t> &fed = {});

/// What the command line changes in a text dataset: the sequence length (`--length`, 0:
/// the `data` clause's) and the vocabulary (a checkpoint's, NULL: fit on the corpus).
struct TextOverrides {
  long long Length = 0;
  const char *Vocabulary = nullptr;
};

/// Opens split `split` ("train" or "t10k", the test split) of the dataset the model's
/// train config names (`--data` overrides the directory).
bool openDataset(const nnrt_model *model, const std::string &dataDir, const char *split,
                 nnrt_dataset **out, const TextOverrides &text = TextOverrides());

/// Records what `predict --text` and `eval` need to read text like a text dataset's (its
/// vocabulary, tokenizer and length) in the checkpoint metadata of `ctx`; nothing for
/// other datasets. Prints the error and returns false on failure.
bool recordTextMetadata(nnrt_context *ctx, const nnrt_dataset *ds);

/// The tokens of ids 0 .. rows-1 of a vocabulary as nnrt_dataset_vocabulary writes it
/// (ids 2.., one a line, \xHH escapes): "<pad>" for 0, "<oov>" for 1 and past the list.
std::vector<std::string> vocabularyTokens(const char *vocabulary, int64_t rows);

/// How a text model's checkpoint reads text (its text.* metadata, written by `train` on
/// a text dataset), checked against the model's i32[B, S] input `decl`.
struct TextCodec {
  const char *Vocabulary; ///< as nnrt_dataset_vocabulary writes it
  int32_t Unit;           ///< NNRT_TEXT_WORDS or NNRT_TEXT_CHARS
  int64_t Vocab;          ///< ids in [0, Vocab)
  int64_t Length;         ///< tokens per sequence
};
/// Reads the codec of the checkpoint loaded into `ctx`; `length` (0: the model's static
/// S, else the checkpoint's) sets Length. `what` names the flag in messages. Prints the
/// error and returns false when the checkpoint holds no vocabulary, the metadata is out
/// of range (it is untrusted) or the length does not fit `decl`.
bool readTextCodec(nnrt_context *ctx, const nnrt_input &decl, long long length,
                   const char *what, TextCodec &out);

/// The `data` clause's option `key`, or `def`.
std::string dataOption(const nnrt_model *model, const char *key, const std::string &def = "");

/// Runs `entry` over the first `limit` examples of `ds` in batches and counts correct
/// argmax predictions of its first output; an i32[] input `seed` (noise) is fed `seed`.
/// With `nll`, also sums the negative log-likelihood of the targets while the output
/// rows are probabilities (sum 1 within 1e-3), else sets it to NaN.
/// Prints the error and returns false on failure.
bool evaluate(nnrt_context *ctx, const nnrt_entry *entry, const DataBinding &bind,
              const nnrt_dataset *ds, int64_t batch, int64_t limit, int32_t seed,
              int64_t &correct, int64_t &total, double *nll = nullptr);

/// Counts the allocations (nnrt_allocation_count) of the steady-state runs of one entry:
/// `begin` after the warm-up runs, `add` around each later run, `report` prints
/// `allocations after warm-up: N (K runs)` and, when N > 0, the kernels that allocated.
class AllocationCounter {
public:
  void begin(nnrt_context *ctx, const nnrt_entry *entry);
  /// Call with nnrt_allocation_count() taken just before one steady-state run.
  void add(uint64_t before);
  void report() const;

private:
  nnrt_context *Ctx = nullptr;
  const nnrt_entry *Entry = nullptr;
  std::vector<uint64_t> StepBase;
  uint64_t Total = 0;
  int64_t Runs = 0;
};

int runInfo(const nnrt_model *model, const char *prog, int argc, char **argv);
int runEval(const nnrt_model *model, const char *prog, int argc, char **argv);
int runPredict(const nnrt_model *model, const char *prog, int argc, char **argv,
               bool anyEntry);
int runBench(const nnrt_model *model, const char *prog, int argc, char **argv);
int runTrain(const nnrt_model *model, const char *prog, int argc, char **argv);
int runSample(const nnrt_model *model, const char *prog, int argc, char **argv);
int runEmbeddings(const nnrt_model *model, const char *prog, int argc, char **argv);
int runGenerate(const nnrt_model *model, const char *prog, int argc, char **argv);
int runTranslate(const nnrt_model *model, const char *prog, int argc, char **argv);

} // namespace driver
} // namespace nnrt

#endif // NNRT_DRIVER_DRIVER_H
