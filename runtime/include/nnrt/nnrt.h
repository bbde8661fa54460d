/* nnrt/nnrt.h - the C API of libnnrt, the runtime of models compiled by nnc.
 *
 * Conventions (IREE style):
 *  - Opaque handles (`nnrt_context`, `nnrt_dataset`) created by `*_create`/`*_load` into an
 *    out-parameter and released by the matching `*_destroy`. Destroying NULL is a no-op.
 *  - Every fallible function returns an `nnrt_status`. Functions on a context record a
 *    message readable with `nnrt_context_last_error`; functions without a context take an
 *    optional `nnrt_error *` that receives the message.
 *  - Threading: a context is used by one thread at a time; distinct contexts may run on
 *    distinct threads concurrently. The library keeps no global state except the
 *    thread-local last Halide error message (see `halide_error` in docs/runtime.md) and
 *    the process-wide allocation counter (`nnrt_allocation_count`).
 *  - Ownership: the `nnrt_model` is borrowed and must outlive every context made from it
 *    (the compiler emits it as a constant). Tensor data passed in is caller-owned and only
 *    read during the call; tensor data handed out is owned by whoever is documented below.
 *  - Byte order: all files are little-endian; the runtime supports little-endian hosts only.
 */
#ifndef NNRT_NNRT_H
#define NNRT_NNRT_H

#include <stddef.h>
#include <stdint.h>

#include "nnrt/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nnrt_status {
  NNRT_OK = 0,
  NNRT_ERR_IO = 1,        /* a file could not be opened, read or written */
  NNRT_ERR_FORMAT = 2,    /* a file (or the model description) is malformed */
  NNRT_ERR_SHAPE = 3,     /* dtype, rank or dims do not match what is expected */
  NNRT_ERR_KERNEL = 4,    /* a kernel returned nonzero */
  NNRT_ERR_ARG = 5,       /* an invalid argument (NULL, unknown entry, bad count) */
  NNRT_ERR_OOM = 6,       /* an allocation failed */
  NNRT_ERR_NOT_FOUND = 7, /* a named thing (entry, tensor, file) does not exist */
  NNRT_ERR_DEVICE = 8     /* the model's kernels need a GPU that cannot be used */
} nnrt_status;

/* A short constant name for a status ("ok", "io error", ...). */
const char *nnrt_status_string(nnrt_status status);

/* Receives the message of a failure for functions that take no context. */
typedef struct nnrt_error {
  char message[512];
} nnrt_error;

/* A view of a dense row-major tensor. Who owns `data` depends on the function. */
typedef struct nnrt_tensor {
  int32_t dtype;     /* nnrt_dtype */
  nnrt_shape shape;  /* concrete: every dim >= 0 */
  void *data;
} nnrt_tensor;

/* Number of elements of a concrete shape (1 for rank 0), or -1 when a dim is negative
 * (symbolic), the rank is out of range, or the count exceeds NNRT_MAX_ELEMENTS (the
 * product is computed with overflow checks, so it is never wrong). */
int64_t nnrt_shape_numel(const nnrt_shape *shape);

/* Writes a declared shape as text, symbolic dims by name ("[B*S, 10000]"; `model` may be
 * NULL: "[?0, 10000]"), into `buf` (NUL-terminated, truncated to `size` bytes). Returns
 * the length of the whole text, as snprintf does. */
int nnrt_shape_text(const nnrt_model *model, const nnrt_shape *shape, char *buf,
                    size_t size);

/* Releases memory the library handed to the caller (e.g. `nnrt_npy_read` data). */
void nnrt_free(void *ptr);

/* ---- Context ------------------------------------------------------------------------ */

typedef struct nnrt_context nnrt_context;

/* Checks the model's tables as `nnrt_context_create` does, without allocating: ABI
 * version, dtypes, ranks, indices, the memory plan, and every static shape within
 * NNRT_MAX_ELEMENTS. */
nnrt_status nnrt_model_validate(const nnrt_model *model, nnrt_error *err);

/* Creates a context for `model`: validates the model's tables and allocates every
 * parameter (64-byte aligned, zero-filled). Parameters are not initialized: call
 * `nnrt_params_init` or `nnrt_load_safetensors`. On failure `*out` is NULL and, if `err`
 * is not NULL, it receives the message. */
nnrt_status nnrt_context_create(const nnrt_model *model, nnrt_context **out, nnrt_error *err);
void nnrt_context_destroy(nnrt_context *ctx);

/* The message of the last failure on this context ("" if none). Valid until the next call
 * on the context. */
const char *nnrt_context_last_error(const nnrt_context *ctx);
const nnrt_model *nnrt_context_model(const nnrt_context *ctx);

/* ---- Parameters --------------------------------------------------------------------- */

/* Initializes every parameter from its `nnrt_param.init` and `seed`. Each parameter draws
 * from its own splitmix64 stream seeded with splitmix64(seed ^ fnv1a64(name)), so a value
 * depends only on the seed and the parameter's name, not on the order of the table.
 * Fans as Keras computes them: for a shape [d0, ..., dk-2, in, out] with receptive field
 * r = d0 * ... * dk-2, fan_in = r * in and fan_out = r * out (rank 1: fan_in 1, fan_out
 * the dim; rank 0: both 1). i32 parameters accept zeros/ones/constant only. */
nnrt_status nnrt_params_init(nnrt_context *ctx, uint64_t seed);

/* A view of parameter `index` (data owned by the context, valid until destroy). The
 * caller may write through it at any time; the next run sees the writes (values that
 * kernels derive from parameters and keep across calls are then derived again at every
 * run of this context: docs/runtime.md, "Parameter keys"). */
nnrt_status nnrt_param_view(nnrt_context *ctx, int32_t index, nnrt_tensor *out);

/* Loads every model parameter from a safetensors file (untrusted: fully validated before
 * any parameter is written). Tensors in the file that the model lacks are ignored. */
nnrt_status nnrt_load_safetensors(nnrt_context *ctx, const char *path);

/* Saves every parameter (trainable and state) atomically: writes `path.tmp.<pid>`,
 * fsyncs it, then renames it over `path`. The header's `__metadata__` holds
 * "format": "nnrt", "model": the model's name, and the context's metadata. `path` must be
 * a regular file or not exist (a symbolic link to a regular file is written through);
 * anything else (a directory, a device node, a FIFO) is refused with NNRT_ERR_IO.
 * Temporaries of earlier writers that died before their rename are removed first (see
 * `nnrt_remove_stale_temporaries`). */
nnrt_status nnrt_save_safetensors(nnrt_context *ctx, const char *path);

/* Removes the files `<path>.tmp.<pid>` beside `path` that writers killed during a save
 * left behind: those whose <pid> names no live process (writers are assumed to share this
 * machine's PID namespace). Temporaries of live processes are kept. Writes the number
 * removed to `*removed` when it is not NULL. */
nnrt_status nnrt_remove_stale_temporaries(const char *path, int32_t *removed,
                                          nnrt_error *err);

/* Checkpoint metadata: string pairs that `nnrt_save_safetensors` writes and
 * `nnrt_load_safetensors` replaces with the file's string-valued `__metadata__` entries
 * (the training driver keeps its progress there: "step"). Setting a key again replaces
 * its value; "format" and "model" are reserved. */
nnrt_status nnrt_context_set_metadata(nnrt_context *ctx, const char *key, const char *value);
/* The value of `key`, or NULL. Valid until the next call that changes the metadata. */
const char *nnrt_context_metadata(const nnrt_context *ctx, const char *key);

/* ---- Training ----------------------------------------------------------------------- */

/* The learning rate of step `step` (0-based) of a run of `total_steps` planned steps with
 * peak rate `lr` (see nnrt_schedule in nnrt/model.h), whose first `warmup_steps` steps
 * ramp up linearly: step k < N = warmup_steps uses lr * (k+1)/N, and step k >= N the
 * schedule's rate at position k - N of a run of total_steps - N steps (the model's
 * `warmup` clause is model->train.warmup_steps). Steps past the end use the last step's
 * rate; an unknown schedule is treated as constant; a negative warm-up is 0, and one
 * longer than the run is the run (every step warms up, the last at lr). */
float nnrt_schedule_lr(int32_t schedule, float lr, int64_t step, int64_t total_steps,
                       int64_t warmup_steps);
/* "constant", "linear", "cosine", or NULL for an unknown value. */
const char *nnrt_schedule_name(int32_t schedule);
/* The schedule named `name`, or -1. */
int32_t nnrt_schedule_from_name(const char *name);

/* One training step: runs the model's train entry (`model->train.train_entry`), feeding its
 * inputs f32[] `lr` and i32[] `seed` (dropout's stream) from `lr` and `seed` and every
 * other input, in the entry's order, from `inputs[0 .. num_inputs)` (for W1: image,
 * label); their data is only read during the call. Updates the parameters and writes the
 * loss (`model->train.loss_output`) to `*loss` when it is not NULL. A loop of these with
 * `nnrt_schedule_lr` rates is the driver's `train` (docs/embedding.md).
 * NNRT_ERR_NOT_FOUND when the model has no train entry. */
nnrt_status nnrt_train_step(nnrt_context *ctx, const nnrt_tensor *inputs, int32_t num_inputs,
                            float lr, int32_t seed, float *loss);

/* ---- Execution ---------------------------------------------------------------------- */

/* The entry named `name`, or NULL. */
const nnrt_entry *nnrt_find_entry(const nnrt_model *model, const char *name);

/* Runs entry `entry_name`. `inputs[i]` feeds model input `entry->inputs[i]`
 * (num_inputs == entry->num_inputs); their data is only read during the call. Fills
 * `outputs[0 .. num_outputs)` (num_outputs <= entry->num_outputs) with views whose data
 * the context owns, valid until the next `nnrt_run` of any entry on this context.
 * Then copies the entry's updated slots into the parameters. */
nnrt_status nnrt_run(nnrt_context *ctx, const char *entry_name, const nnrt_tensor *inputs,
                     int32_t num_inputs, nnrt_tensor *outputs, int32_t num_outputs);

/* Called by `nnrt_run_observed` after top-level step `step` of the entry's plan (a loop
 * counts as one step, after its last iteration), with `outputs` already pointing at the
 * context's output buffers: an output whose `nnrt_output_ready_step` is `step` holds its
 * final value from this call on (data-parallel training starts summing a bucket of
 * gradients there, while the rest of the backward pass runs). Returning nonzero stops
 * the run: `nnrt_run_observed` then returns NNRT_ERR_ARG with "stopped by the observer". */
typedef int (*nnrt_step_observer)(void *user, int32_t step);

/* `nnrt_run` that calls `observer(user, step)` after each top-level step. On a CUDA
 * model the outputs reach the host only at the end: every call then comes after the
 * last step. */
nnrt_status nnrt_run_observed(nnrt_context *ctx, const char *entry_name,
                              const nnrt_tensor *inputs, int32_t num_inputs,
                              nnrt_tensor *outputs, int32_t num_outputs,
                              nnrt_step_observer observer, void *user);

/* The top-level step of `entry` after which its output `output` no longer changes: the
 * last step (a loop counts as one) that passes the output's buffer (its slot, or a slot
 * aliasing or viewing the same bytes) to a kernel; -1 when no step does (an output that
 * is an input or a parameter as it came in) or `output` is out of range. */
int32_t nnrt_output_ready_step(const nnrt_entry *entry, int32_t output);

/* Enables (1) or disables (0) per-step timing in `nnrt_run`. Off by default: a normal run
 * reads no clock. A GPU kernel's launch returns before the kernel ends, so with GPU
 * kernels (nnrt_kernels_on_gpu) profiling waits for each kernel to end: a step's time is
 * its own, and the run as a whole is slower than without profiling. */
void nnrt_context_set_profiling(nnrt_context *ctx, int32_t enabled);

/* 1 if this binary's kernels run on a GPU (compiled with nnc --target=host-cuda), else 0. */
int32_t nnrt_kernels_on_gpu(void);

/* Seconds each step of `entry_name` took in its last profiled run: fills
 * `seconds[0 .. min(capacity, num_steps))` and returns the number of steps, or -1 if the
 * entry does not exist or has not run with profiling on. */
int32_t nnrt_last_step_times(nnrt_context *ctx, const char *entry_name, double *seconds,
                             int32_t capacity);

/* Which steps of `entry_name` ran side by side in its last run (kernels that start no
 * parallel loop and do not touch each other's results run as one parallel loop, each on
 * one thread): fills `first[0 .. min(capacity, num_steps))` with the first step of the
 * group each step ran in (the step itself when it ran alone) and returns the number of
 * steps, or -1 if the entry does not exist or has not run. */
int32_t nnrt_last_step_groups(nnrt_context *ctx, const char *entry_name, int32_t *first,
                              int32_t capacity);

/* Which steps of `entry_name` started a parallel loop (more than one iteration, on the
 * kernels' thread pool) in their last call: fills `parallel[0 .. min(capacity,
 * num_steps))` with 1 for such a kernel step and 0 for the others (a kernel that ran on
 * one thread, a kernel not called yet (its results empty), a loop step) and returns the
 * number of steps, or -1 if the entry does not exist or has not run. */
int32_t nnrt_last_step_parallel(nnrt_context *ctx, const char *entry_name, int32_t *parallel,
                                int32_t capacity);

/* Bytes currently reserved for the temporaries arena (grows only, never per call). The
 * arena is shared by the context's entries; each run lays out its entry's buffers
 * (planned by the compiler, see nnrt/model.h) from the start of it. */
size_t nnrt_context_arena_bytes(const nnrt_context *ctx);

/* ---- Memory accounting ------------------------------------------------------------- */

/* The memory plan of `entry` with every symbol bound to `symbol_value`. */
typedef struct nnrt_memory_info {
  int32_t num_temps;       /* TEMP slots */
  int32_t num_buffers;     /* buffers they share */
  int64_t arena_bytes;     /* arena the entry needs (the runtime's layout) */
  int64_t unplanned_bytes; /* arena with one buffer per TEMP slot (no reuse) */
} nnrt_memory_info;
nnrt_status nnrt_entry_memory(const nnrt_model *model, const nnrt_entry *entry,
                              int64_t symbol_value, nnrt_memory_info *out);

/* Allocations made so far in this process by libnnrt (parameters, arena growth, output
 * buffers) and by the kernels (every `halide_malloc`, which libnnrt defines). A
 * process-wide relaxed atomic counter: read it before and after a run to check that a
 * run allocates nothing. */
uint64_t nnrt_allocation_count(void);

/* Allocations made during each step of `entry_name` since the context was created
 * (cumulative; counted from the process-wide counter, so other threads' allocations
 * during a step are included, except for steps run side by side, nnrt_last_step_groups,
 * which count their own thread's). Fills `counts[0 .. min(capacity, num_steps))` and returns
 * the number of steps, or -1 if the entry does not exist or has not run. */
int32_t nnrt_step_allocations(nnrt_context *ctx, const char *entry_name, uint64_t *counts,
                              int32_t capacity);

/* ---- Datasets (IDX, Fashion-MNIST layout) -------------------------------------------- */

typedef struct nnrt_dataset nnrt_dataset;

#define NNRT_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* Fashion-MNIST's classes: its labels are in [0, 10). */
#define NNRT_FASHION_MNIST_CLASSES 10

/* Loads an IDX image file (magic 0x00000803, u8 [N, rows, cols]) and an IDX label file
 * (magic 0x00000801, u8 [N]), gzip-compressed or plain. Images become f32 in [0, 1]
 * (x / 255), labels i32 in [0, 255]. Both files are untrusted and fully validated. */
nnrt_status nnrt_dataset_load_idx(const char *images_path, const char *labels_path,
                                  nnrt_dataset **out, nnrt_error *err);

/* Loads split `split` ("train" or "t10k") from `dir` (NULL: NNRT_FASHION_MNIST_DIR):
 * `<dir>/<split>-images-idx3-ubyte.gz` and `<dir>/<split>-labels-idx1-ubyte.gz`
 * (falls back to the names without `.gz`). Every label must be in
 * [0, NNRT_FASHION_MNIST_CLASSES) (see `nnrt_dataset_check_labels`). */
nnrt_status nnrt_dataset_load_fashion_mnist(const char *dir, const char *split,
                                            nnrt_dataset **out, nnrt_error *err);

/* Checks that every label of `ds` is in [0, classes): NNRT_ERR_FORMAT naming the label
 * file, the index and the value of the first one that is not. */
nnrt_status nnrt_dataset_check_labels(const nnrt_dataset *ds, int32_t classes,
                                      nnrt_error *err);
void nnrt_dataset_destroy(nnrt_dataset *ds);

int64_t nnrt_dataset_size(const nnrt_dataset *ds);
/* Views owned by the dataset: its examples and their targets. An IDX dataset has images
 * f32 [N, rows, cols] and labels i32 [N]; a text dataset (below) has token ids i32 [N, S]
 * and labels i32 [N] (fortunes) or next-token ids i32 [N, S] (fortunes_lm). The names
 * are kept from the IDX-only API: `images` are the examples whatever their dtype. */
nnrt_tensor nnrt_dataset_images(const nnrt_dataset *ds);
nnrt_tensor nnrt_dataset_labels(const nnrt_dataset *ds);
/* The model inputs the examples and targets feed, by name: "image" and "label" (IDX),
 * "tokens" and "label" (fortunes), "tokens" and "next" (fortunes_lm). */
const char *nnrt_dataset_example_name(const nnrt_dataset *ds);
const char *nnrt_dataset_target_name(const nnrt_dataset *ds);

/* ---- Text datasets (Debian's fortunes) ------------------------------------------------ */

#define NNRT_FORTUNES_DIR "/usr/share/games/fortunes"

typedef enum nnrt_text_task {
  NNRT_TEXT_CLASSIFY = 0, /* `fortunes`: tokens [N, S] -> label [N], the category's index */
  NNRT_TEXT_LM = 1        /* `fortunes_lm`: tokens [N, S] -> next [N, S] */
} nnrt_text_task;

typedef enum nnrt_text_unit {
  NNRT_TEXT_WORDS = 0, /* Keras Tokenizer's words (docs/runtime.md, "Text data") */
  NNRT_TEXT_CHARS = 1  /* bytes, case and punctuation kept */
} nnrt_text_unit;

/* How a text dataset is read and tokenized (the `data` clause's options). */
typedef struct nnrt_text_options {
  int32_t task;           /* nnrt_text_task */
  int32_t unit;           /* nnrt_text_unit */
  const char *categories; /* space-separated file names in `dir`; NULL or "": every
                             category file of the directory, sorted by name */
  int32_t vocab;          /* N: token ids are in [0, N); 0 = padding, 1 = out of
                             vocabulary, 2.. the N-2 most frequent tokens */
  int32_t length;         /* S: tokens per example */
  uint64_t seed;          /* the train/test split's shuffle */
  const char *vocabulary; /* NULL: fit on the training split; else a vocabulary as
                             nnrt_dataset_vocabulary writes it (from a checkpoint) */
} nnrt_text_options;

/* Limits on what a text dataset may ask for. */
#define NNRT_TEXT_MAX_VOCAB (1 << 24)
#define NNRT_TEXT_MAX_LENGTH (1 << 20)
#define NNRT_TEXT_MAX_FILE_BYTES (64u << 20)

/* Loads split `split` ("train": 80% of the entries, "test": the other 20%, after a
 * shuffle seeded by `options->seed`) of the fortunes files in `dir` (NULL:
 * NNRT_FORTUNES_DIR). Files are untrusted: missing or empty categories, unreadable or
 * oversized files and absurd options are errors (NNRT_ERR_NOT_FOUND for an unknown
 * category, with the available ones in the message). */
nnrt_status nnrt_dataset_load_text(const char *dir, const nnrt_text_options *options,
                                   const char *split, nnrt_dataset **out, nnrt_error *err);

/* The vocabulary of a text dataset ("" for others), for a checkpoint's metadata: the
 * tokens of ids 2, 3, ... one a line; a backslash and every byte outside 0x21..0x7e
 * (space, newline, UTF-8 bytes) are written as \xHH. Valid while `ds` lives. */
const char *nnrt_dataset_vocabulary(const nnrt_dataset *ds);
/* The category names of a text dataset, space-separated in label order ("" for others). */
const char *nnrt_dataset_categories(const nnrt_dataset *ds);

/* Tokenizes `text` as `unit` and maps it to ids with `vocabulary` (as
 * nnrt_dataset_vocabulary writes it; ids past `vocab` - 1 are out of vocabulary), padded
 * or truncated to `length` like the datasets' examples: `ids[0 .. length)`. Writes the
 * number of tokens before padding or truncation to `*count` when it is not NULL. */
nnrt_status nnrt_text_encode(const char *vocabulary, int32_t unit, int32_t vocab,
                             const char *text, int32_t length, int32_t *ids, int64_t *count,
                             nnrt_error *err);

/* ---- Date translation (seq2seq, W5) -------------------------------------------------- */

/* Limits and sizes of the generated date data. */
#define NNRT_DATES_MAX_COUNT (1 << 24)
#define NNRT_DATES_MIN_LENGTH 29   /* the longest source ("wednesday, september 30, 1997") */
#define NNRT_DATES_TARGET_LENGTH 10 /* "1997-03-03" */
#define NNRT_DATES_VOCAB 43         /* 0 padding, 1 out of vocabulary, 41 characters */

/* Generates split `split` ("train": `count` examples, "test": count / 10 of them, at least
 * 1) of the date-translation task from `seed`: source dates between 1950 and 2049 written
 * in one of eight formats ("3 march 1997", "03/03/97" (day/month/year), "monday, march 3,
 * 1997", ...) as character ids i32 [N, length], padded at the front with 0, and their ISO
 * 8601 form as ids i32 [N, 10] (inputs "tokens" and "target"). The test split draws only
 * every tenth day of the range, which the training split never draws. The vocabulary is
 * nnrt_dataset_vocabulary's (characters, NNRT_DATES_VOCAB ids). docs/runtime.md. */
nnrt_status nnrt_dataset_make_dates(int64_t count, int32_t length, uint64_t seed,
                                    const char *split, nnrt_dataset **out, nnrt_error *err);

/* ---- .npy files ---------------------------------------------------------------------- */

/* Reads a .npy file (format 1.0 or 2.0, dtype '<f4' or '<i4', C order, rank <= 8).
 * On success `out->data` is allocated by the library: release it with `nnrt_free`. */
nnrt_status nnrt_npy_read(const char *path, nnrt_tensor *out, nnrt_error *err);

/* Writes `tensor` as a .npy file (format 1.0, '<f4' or '<i4', C order). */
nnrt_status nnrt_npy_write(const char *path, const nnrt_tensor *tensor, nnrt_error *err);

/* ---- Driver -------------------------------------------------------------------------- */

/* The command line of a compiled model (library nnrt_main): `info`, `eval`, `predict`,
 * `bench`, `train`. Returns the process exit code. */
int nnrt_main(const nnrt_model *model, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif /* NNRT_NNRT_H */
