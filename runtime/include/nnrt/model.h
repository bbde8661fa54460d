/* nnrt/model.h - the static description of a compiled model.
 *
 * This is the contract between the nnc compiler and libnnrt. nnc emits one constant
 * `nnrt_model` per compiled model (tables only, no code beside the kernels); the runtime
 * interprets it: binds symbolic dims from the inputs, sizes every slot, lays the
 * temporaries' buffers (planned by the compiler) out in one arena, and calls the Halide kernels in order through their
 * `_argv` entry points. Nothing here allocates or parses strings on the hot path.
 *
 * Layout convention: a slot of rank r with dims [d0, ..., d(r-1)] is dense row-major
 * (d(r-1) varies fastest), except an ALIAS slot with strides (ABI v9). Its
 * halide_buffer_t has dim[i] = d(r-1-i), i.e. Halide's dimension 0 is the innermost nn
 * dimension.
 */
#ifndef NNRT_MODEL_H
#define NNRT_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version 2: a TEMP slot's `index` is its arena buffer (memory planning), and
 * nnrt_entry ends with the planner's summary (num_buffers ...).
 * Version 3: nnrt_train_config has the learning-rate schedule.
 * Version 4: nnrt_train_config lists the training steps of an iteration.
 * Version 5: nnrt_train_config ends with the options of the `data` clause.
 * Version 6: loops (nnrt_step's loop fields) and VIEW slots.
 * Version 7: dims that are products of symbols (nnrt_model's dim_products).
 * Version 8: nnrt_train_config ends with the learning-rate warm-up (warmup_steps).
 * Version 9: an ALIAS slot may have strides (nnrt_slot.strides).
 * Version 10: a kernel step says how many of its arguments are results
 * (nnrt_step.num_results).
 * Version 11: a kernel step may take a parameter key (nnrt_step.key_arg).
 * Version 12: a training step may run in micro-batches (nnrt_iteration_step.micro_batch). */
#define NNRT_MODEL_ABI_VERSION 12
#define NNRT_MAX_RANK 8
/* A parameter key (nnrt_step.key_arg) is the context's parameter generation shifted
 * left by this many bits, or'ed with the parameter's index: a model has fewer than
 * 2^NNRT_PARAM_KEY_INDEX_BITS parameters, and kernels take the key's generation
 * (key >> NNRT_PARAM_KEY_INDEX_BITS) as the eviction key of what they keep. */
#define NNRT_PARAM_KEY_INDEX_BITS 24
/* The most elements one tensor may have: Halide buffers describe a tensor with 32-bit
 * extents and strides, so no tensor can have more than 2^31 - 1 elements (8 GiB of f32).
 * The runtime checks every shape it computes against it (with overflow-checked
 * arithmetic) and reports a larger one as an error; the compiler uses the same limit for
 * static shapes. */
#define NNRT_MAX_ELEMENTS 2147483647LL

typedef enum nnrt_dtype { NNRT_F32 = 0, NNRT_I32 = 1 } nnrt_dtype;

/* A dim is static when >= 0. A negative dim -(k+1) stands for symbol k of the model
 * (for example the batch dim `B`), whose value is bound from the entry's inputs, when
 * k < num_symbols, and else for product k - num_symbols of the model's dim_products
 * (ABI v7; e.g. B*S, the rows of a [B, S, V] tensor flattened to [B*S, V]). The dims of
 * inputs are static or symbols. */
typedef struct nnrt_shape {
  int32_t rank;
  int64_t dims[NNRT_MAX_RANK];
} nnrt_shape;

/* A dim that is a number times a product of symbols: factor * value of symbols[0] *
 * ... * value of symbols[num_symbols - 1] (indices into nnrt_model.symbols; repeated for
 * a power). */
typedef struct nnrt_dim_product {
  int64_t factor; /* >= 1 */
  int32_t num_symbols; /* in [1, NNRT_MAX_RANK] */
  int32_t symbols[NNRT_MAX_RANK];
} nnrt_dim_product;

/* How a parameter is initialized before training (or when no weights are loaded). */
typedef enum nnrt_init {
  NNRT_INIT_ZEROS = 0,
  NNRT_INIT_ONES = 1,
  NNRT_INIT_GLOROT_UNIFORM = 2, /* U(-l, l), l = sqrt(6 / (fan_in + fan_out)) */
  NNRT_INIT_NORMAL = 3,         /* N(a, b^2): a = mean, b = stddev */
  NNRT_INIT_UNIFORM = 4,        /* U(a, b) */
  NNRT_INIT_CONSTANT = 5,       /* every element = a */
  NNRT_INIT_HE_UNIFORM = 6      /* U(-l, l), l = sqrt(6 / fan_in) */
} nnrt_init;

/* A named, persistent tensor: a trainable parameter or optimizer state. Names are the
 * keys in safetensors checkpoints. Shapes of parameters are always static. */
typedef struct nnrt_param {
  const char *name;
  int32_t dtype;
  nnrt_shape shape;
  int32_t init;      /* nnrt_init */
  float init_a, init_b;
  int32_t trainable; /* 1: parameter; 0: state (optimizer moments, step counters) */
} nnrt_param;

/* A model input (a data tensor fed per batch). */
typedef struct nnrt_input {
  const char *name;
  int32_t dtype;
  nnrt_shape shape; /* may use symbols */
} nnrt_input;

typedef enum nnrt_slot_kind {
  NNRT_SLOT_INPUT = 0,  /* index: into nnrt_model.inputs; caller provides data */
  NNRT_SLOT_PARAM = 1,  /* index: into nnrt_model.params; lives in the context */
  NNRT_SLOT_TEMP = 2,   /* index: arena buffer of the entry, in [0, num_buffers) */
  NNRT_SLOT_OUTPUT = 3, /* index: output number of the entry; lives in the context */
  NNRT_SLOT_ALIAS = 4,  /* same bytes as slot `index`, other shape (reshape), or other
                           order (with strides) */
  NNRT_SLOT_VIEW = 5    /* slice t of slot `index` (< this slot) along its dim 0, at the
                           iteration t of the loop that lists it (ABI v6); its shape is
                           that slot's without dim 0 */
} nnrt_slot_kind;

/* Every tensor an entry touches is a slot.
 *
 * Memory planning (ABI v2): lifetimes are static but sizes depend on the symbols, so the
 * compiler decides which TEMP slots share memory and the runtime sizes it. The compiler
 * gives every TEMP slot a buffer (`index`); slots of one buffer are never live at the
 * same step (a slot lives from the step that writes it to the last step that reads it or
 * an alias of it, both inclusive, so a step's inputs and outputs never share a buffer).
 * At bind time the runtime sizes buffer b as the largest of its slots rounded up to 64
 * bytes, lays the buffers out one after another in the context's arena, and points each
 * TEMP slot at the start of its buffer. */
typedef struct nnrt_slot {
  int32_t kind;  /* nnrt_slot_kind */
  int32_t index;
  int32_t dtype;
  nnrt_shape shape;
  /* ABI v9: an ALIAS slot's element strides, one per dim of `shape` (d0's first), when
   * slot `index`'s bytes hold it in another order (nnc's split_heads and merge_heads
   * views: [B, S, H*D] read as [B, H, S, D]); all zero: dense row-major. */
  int64_t strides[NNRT_MAX_RANK];
} nnrt_slot;

/* One kernel call: `fn` is the Halide pipeline's `_argv` entry point; args[i] is the
 * slot passed as its i-th buffer argument (inputs first, then outputs).
 *
 * A loop (ABI v6, an nn.scan) is a step with `fn` NULL: the `loop_steps` steps after it
 * are its body, run once per step t of the sequence, whose length is dim 0 of slot
 * `loop_length`: t = 0, 1, ... (or from the last down with `loop_reverse`). Before each
 * iteration the VIEW slots among `args` point at slice t of their slots. `args` lists
 * every slot that lives across the iterations (the views, the sequences and stacked
 * outputs they slice, the carried state, the invariants): for memory planning they are
 * live from the loop step to the last step of its body. Bodies nest. */
typedef struct nnrt_step {
  const char *kernel; /* for profiles and error messages */
  int (*fn)(void **args);
  int32_t num_args;
  const int32_t *args;
  int32_t loop_steps;  /* a loop: the number of steps of its body; else 0 */
  int32_t loop_length; /* a loop: the slot whose dim 0 is the number of iterations */
  int32_t loop_reverse;
  /* A kernel: its last num_results args are its results (ABI v10). A kernel whose
   * results are all empty (a batch of none) is not called: it would compute nothing,
   * and its bounds checks can reject reading row 0 of an empty input. 0: not known,
   * always called. */
  int32_t num_results;
  /* A kernel that keeps a value derived from a parameter alone across calls (a Winograd
   * convolution's transformed filter, in Halide's memoization cache): 1 + the position
   * in `args` of that parameter's PARAM slot. The kernel then takes one more argument
   * after its operands, a uint64_t key that identifies the parameter's current contents
   * in this process (a context's parameter generation and the parameter's index; see
   * nnrt_param_view). 0: none (ABI v11). */
  int32_t key_arg;
} nnrt_step;

/* One entry point (for example `infer`). */
typedef struct nnrt_entry {
  const char *name;
  int32_t num_slots;
  const nnrt_slot *slots;
  int32_t num_inputs; /* model inputs this entry reads, as indices into model.inputs */
  const int32_t *inputs;
  int32_t num_outputs;
  const char *const *output_names;
  const int32_t *output_slots; /* slot holding each output */
  int32_t num_steps;
  const nnrt_step *steps;
  /* Parameters written back by this entry (training steps): after the last step, the
   * contents of slot updates[2*i+1] are copied to parameter updates[2*i]. */
  int32_t num_updates;
  const int32_t *updates;
  /* Memory plan (ABI v2). The figures are informational (`info` prints them): the
   * runtime recomputes the layout from the slots at every bind. */
  int32_t num_buffers;                /* TEMP slots' `index` is in [0, num_buffers) */
  int32_t default_batch;              /* value of every symbol for the figures below */
  int64_t arena_bytes_at_default;     /* arena this entry needs, buffers shared */
  int64_t unplanned_bytes_at_default; /* arena with one buffer per TEMP slot (no reuse) */
} nnrt_entry;

/* How the learning rate changes over a run of K planned steps (step k = 0 .. K-1 uses
 * nnrt_schedule_lr(schedule, lr, k, K, N); see nnrt.h). The rates below are those of a
 * run without warm-up (N = 0); with N warm-up steps, step k < N uses lr * (k+1)/N and
 * step k >= N the schedule's rate with k - N for k and K - N for K. */
typedef enum nnrt_schedule {
  NNRT_SCHEDULE_CONSTANT = 0, /* lr */
  NNRT_SCHEDULE_LINEAR = 1,   /* lr * (1 - k/K) */
  NNRT_SCHEDULE_COSINE = 2    /* lr * (1 + cos(pi k/K)) / 2 */
} nnrt_schedule;

/* Data-parallel training (nnc --data-parallel; docs/design.md, "Data-parallel
 * training"): a training step entry S then has two more entries, found by name:
 *   S "_grad"   reads what S reads (and the i32[] input "shard_row", when S draws noise
 *               per example) and returns S's loss output and the gradient of each
 *               trainable parameter P as the output "grad." P; it updates nothing;
 *   S "_apply"  reads the f32 inputs "grad." P (and `lr`) and applies S's optimizer
 *               update: S = S_grad, then S_apply with its gradients.
 * "shard_row" is the row of the global batch where the rows fed to S_grad begin: its
 * dropout masks and noise are those these rows get in S over the whole batch. */
#define NNRT_GRAD_ENTRY_SUFFIX "_grad"
#define NNRT_APPLY_ENTRY_SUFFIX "_apply"
#define NNRT_GRAD_PREFIX "grad."
#define NNRT_SHARD_ROW_INPUT "shard_row"

/* Incremental decoding (docs/design.md, "Incremental decoding"): a next-token model
 * whose `infer` is causal attention over i32 tokens [B, W] also has the entry "decode",
 * which computes `infer`'s outputs at one position t ([B, 1, ...]) from a key/value
 * cache. It reads "decode.tokens" i32[B, 1] (the token at t), "decode.position" i32[1]
 * (t, in [0, W)) and the f32 caches "decode.cache" k, and returns `infer`'s outputs,
 * then the caches with position t written, as outputs of the same names: the caller
 * feeds them back at t + 1 (from zeros at t = 0). */
#define NNRT_DECODE_ENTRY "decode"
#define NNRT_DECODE_TOKENS_INPUT "decode.tokens"
#define NNRT_DECODE_POSITION_INPUT "decode.position"
#define NNRT_DECODE_CACHE_PREFIX "decode.cache"

/* One training step of an iteration (a `train` statement of the .nn file). */
typedef struct nnrt_iteration_step {
  const char *entry;       /* the entry that runs the step */
  const char *loss_output; /* the name of its loss output */
  float lr;                /* its optimizer's peak learning rate */
  /* The `micro_batch N` clause (ABI v12; 0 when none): nnrt_run of the entry over more
   * than N rows runs its gradient entry (NNRT_GRAD_ENTRY_SUFFIX) on consecutive slices of
   * N rows (the last may be shorter), sums their losses and gradients weighted by their
   * share of the rows, then runs its update entry once (docs/design.md, "Micro-batched
   * training steps"). */
  int32_t micro_batch;
} nnrt_iteration_step;

/* One option of the `data` clause (`vocab = 10000`): the value as written in the .nn file,
 * a string's contents or an integer in decimal. */
typedef struct nnrt_data_option {
  const char *key;
  const char *value;
} nnrt_data_option;

/* Defaults from the `train` declaration of the .nn file (command-line flags override). */
typedef struct nnrt_train_config {
  const char *data; /* dataset name: "fashion_mnist", "fortunes", "fortunes_lm"; "" when none */
  int32_t batch;
  int32_t epochs;
  int32_t seed;
  float lr;
  int32_t schedule;        /* nnrt_schedule */
  const char *train_entry; /* entry that runs one training step, "" when none */
  const char *loss_output; /* name of the train entry's loss output */
  /* Every training step, in the order of the file: the driver's `train` runs them in
   * turn on each batch (one iteration; a GAN's discriminator and generator steps).
   * The first is train_entry. */
  int32_t num_iteration_steps;
  const nnrt_iteration_step *iteration_steps;
  /* The options of the `data` clause, in the order of the file (ABI v5), e.g.
   * {"categories", "computers songs-poems"}, {"vocab", "10000"}. */
  int32_t num_data_options;
  const nnrt_data_option *data_options;
  /* The `warmup N` clause (ABI v8): the first N steps of the run ramp the rate up
   * linearly before `schedule` takes over; 0 when none. */
  int32_t warmup_steps;
} nnrt_train_config;

typedef struct nnrt_model {
  int32_t abi_version; /* NNRT_MODEL_ABI_VERSION */
  const char *name;
  const char *source;  /* path of the .nn file it was compiled from */
  int32_t num_symbols;
  const char *const *symbols; /* e.g. {"B"} */
  int32_t num_inputs;
  const nnrt_input *inputs;
  int32_t num_params;
  const nnrt_param *params;
  int32_t num_entries;
  const nnrt_entry *entries;
  nnrt_train_config train;
  /* The products of symbols the slots' dims name (ABI v7), after the symbols. */
  int32_t num_dim_products;
  const nnrt_dim_product *dim_products;
} nnrt_model;

#ifdef __cplusplus
}
#endif
#endif /* NNRT_MODEL_H */
