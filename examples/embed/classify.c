/* classify.c - embeds a model compiled by nnc into a C program.
 *
 * Build with CMake against an installed nnc (CMakeLists.txt, README.md in this folder):
 *   cmake -S examples/embed -B build -DCMAKE_PREFIX_PATH=<prefix> && cmake --build build
 *   build/classify weights.safetensors images.npy
 *
 * Prints the predicted class and its probability for every image of a [N, 28, 28]
 * float32 .npy file, using the model's `infer` entry through the nnrt C API.
 */
#include "mlp.h"

#include <stdio.h>

static const char *const kClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                         "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                         "Bag",         "Ankle boot"};

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s WEIGHTS.safetensors IMAGES.npy\n", argv[0]);
    return 2;
  }
  nnrt_error err;
  nnrt_context *ctx = NULL;
  if (nnrt_context_create(FashionMLP_model_get(), &ctx, &err) != NNRT_OK) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  nnrt_tensor images;
  int status = 1;
  if (nnrt_load_safetensors(ctx, argv[1]) != NNRT_OK) {
    fprintf(stderr, "error: %s\n", nnrt_context_last_error(ctx));
    goto done;
  }
  if (nnrt_npy_read(argv[2], &images, &err) != NNRT_OK) {
    fprintf(stderr, "error: %s\n", err.message);
    goto done;
  }
  nnrt_tensor probs;
  if (nnrt_run(ctx, "infer", &images, 1, &probs, 1) != NNRT_OK) {
    fprintf(stderr, "error: %s\n", nnrt_context_last_error(ctx));
  } else {
    const float *p = (const float *)probs.data;
    for (int64_t i = 0; i < probs.shape.dims[0]; ++i) {
      int best = 0;
      for (int c = 1; c < 10; ++c)
        if (p[i * 10 + c] > p[i * 10 + best])
          best = c;
      printf("image %lld: %s (class %d, p = %.4f)\n", (long long)i, kClasses[best], best,
             p[i * 10 + best]);
    }
    status = 0;
  }
  nnrt_free(images.data);
done:
  nnrt_context_destroy(ctx);
  return status;
}
