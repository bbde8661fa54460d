#!/usr/bin/python3
"""PyTorch reference data for nnc's end-to-end tests.

Produces (paths relative to the repository root):

  mlp      examples/weights/mlp.safetensors       W1 MLP trained in PyTorch (5 epochs Adam,
                                                  learning rate decayed linearly to 0)
           test/e2e/refs/mlp_test_accuracy.txt    "<accuracy 4 decimals> <number correct>"
           test/e2e/refs/mlp_test_predictions.npy int32 [10000] argmax of the logits
  fwd      test/e2e/refs/mlp_fwd_input.npy        f32 [16,28,28] first 16 test images
           test/e2e/refs/mlp_fwd_probs.npy        f32 [16,10] softmax of the trained MLP,
                                                  computed in float64 from the f32 weights
                                                  (needs mlp.safetensors: run `mlp` first)
  w8       test/e2e/refs/w8.safetensors           layer.weight [3,2], layer.bias [2]
           test/e2e/refs/w8_x.npy                 f32 [1,3] = [[1,2,3]]
           test/e2e/refs/w8_expected.txt          y_hat, MSE, gradients, SGD step (float64)
  parity   test/e2e/refs/mlp_init.safetensors     Glorot-uniform init, numpy default_rng(1234)
           test/e2e/refs/mlp_losses.txt           first 100 Adam losses, float32 arithmetic
           test/e2e/refs/mlp_losses_f64.txt       same in float64 arithmetic
           test/e2e/refs/mlp_losses_linear.txt    same 100 steps (float32), lr decayed
                                                  linearly over K = 100 steps
  dcgan    test/e2e/refs/dcgan_noise.npy          f32 [320,8] the noise of 20 iterations
           test/e2e/refs/dcgan_{d,g}_step_losses.txt  losses of the parity DCGAN
                                                  (test/e2e/Inputs/dcgan-parity.nn)
  embed    test/e2e/refs/emb_*.npy                inputs of gather/scatter_add and of two
                                                  SGD steps of an embedding + dense
           test/e2e/refs/embed_ops_expected.txt   gather, scatter_add (float64)
           test/e2e/refs/embed_train_expected.txt losses and weights of the two steps
  loops    test/e2e/refs/loops_*.npy, loops_expected.txt  lstm/gru/rnn layers (PyTorch's
                                                  modules): forward at two lengths, two
                                                  SGD steps (test/e2e/recurrent.test)
  recurrent test/e2e/refs/rec_x.npy              f32 [3,7,5] input of the rnn/gru/lstm layer parity
           test/e2e/refs/rec_g_{head,seq}.npy     f32 fixed result gradients [3,2], [3,7,4]
           test/e2e/refs/rec_{lstm,gru,rnn}.safetensors  random weights, nnc's names
                                                  (<kind>0.weight_ih ..., dense0.*)
           test/e2e/refs/rec_<kind>_{last,seq,head}.npy  float64 outputs cast to f32
           test/e2e/refs/rec_<kind>_expected.txt  outputs and gradients (float64)
  w4       test/e2e/refs/w4_losses.txt            first 100 float32 losses of examples/lstm.nn
                                                  from libnnrt's seed-0 init and batch order
           test/e2e/refs/w4_accuracy.txt          test accuracy of lstm/gru/rnn, 5 epochs
                                                  (needs nnrt-selftest: scripts/refs/recurrent.py)
  w6       test/e2e/refs/w6_perplexity.txt        examples/lm.nn trained 2 epochs: held-out
                                                  perplexity and next-token accuracy after
                                                  each (~10 min on 2 cores)
  w7       test/e2e/refs/w7_losses.txt            first 100 losses of examples/gpt.nn (W7,
                                                  character GPT, AdamW) from libnnrt's init,
                                                  in file order (needs nnrt-selftest)
  w7val    test/e2e/refs/w7_validation.txt        one epoch of examples/gpt.nn: training and
                                                  held-out loss (~15 min on 2 cores)
  w5       test/e2e/refs/w5_dates.txt            the first examples of `data dates` (W5)
           test/e2e/refs/w5_losses.txt           first 100 losses of examples/seq2seq.nn
                                                  from libnnrt's seed-0 init and order
  w5acc    test/e2e/refs/w5_accuracy.txt         greedy exact-match accuracy of the W5
                                                  recipe (10 epochs, ~15 min on 2 cores)
  dcgantrain  W3 (examples/dcgan.nn) trained in PyTorch for $NNC_W3_ITERATIONS iterations,
           weights to $NNC_W3_OUT in nnc's layout (writes nothing in the repository)
  all      all of the above but w5, w5acc, dcgantrain, w4, w6, w7 and w7val, in that order (the default)

Run (from anywhere; paths are resolved against this script's repository):

  OPENBLAS_CORETYPE=SkylakeX ATEN_CPU_CAPABILITY=avx512 \
      /usr/bin/python3 scripts/make-references.py [all|mlp|fwd|w8|parity ...]
          [--seed N] [--schedule linear|cosine|constant]

--seed and --schedule change the `mlp` training run only (defaults: seed 0, linear, the
recipe of examples/mlp.nn). Any other recipe is trained and its accuracy printed, but
nothing is written: the checked-in files always hold the default recipe.

Needs Debian's python3-torch (PyTorch 1.13) and python3-numpy; no torchvision and no
safetensors package (safetensors files are read and written by hand below).

nnc conventions followed here:
  * dense layer: y = x @ weight + bias, weight of shape [in, out] (the transpose of
    torch.nn.Linear.weight); checkpoint names "<layer>.weight", "<layer>.bias", all F32.
  * W1: image f32[B,28,28] -> standardise (x - 0.2860) / 0.3530 -> flatten
        -> dense0 (784->128) -> relu -> dropout 0.2 -> dense1 (128->10) -> softmax.
  * learning-rate schedules: training step k (0-based, counted over the whole run) uses
    lr * f(k/K), K = epochs * ceil(N / batch) the planned number of steps;
    linear f(t) = 1 - t, cosine f(t) = 0.5 * (1 + cos(pi t)), constant f(t) = 1; with a
    warm-up of W steps (W7), lr * (k+1)/W for k < W, then lr * f((k-W)/(K-W)).
  * images are float32 x/255 in [0,1], shape [N,28,28]; labels are integers.

Everything is deterministic: fixed seeds, 2 threads, fixed data order.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(2)

from refs import attention, cnn, conv, dcgan, embed, gpt, loops, mlp, recurrent, seq2seq  # noqa: E402

COMMANDS = {"mlp": mlp.cmd_mlp, "fwd": mlp.cmd_fwd, "w8": mlp.cmd_w8,
            "parity": mlp.cmd_parity, "convops": conv.cmd_convops, "cnn": cnn.cmd_cnn,
            "cnntrain": cnn.cmd_cnntrain, "dcgan": dcgan.cmd_dcgan,
            "dcgantrain": dcgan.cmd_dcgantrain, "embed": embed.cmd_embed,
            "loops": loops.cmd_loops, "recurrent": recurrent.cmd_recurrent,
            "w4": recurrent.cmd_w4, "w6": recurrent.cmd_w6, "w7": gpt.cmd_w7, "w7val": gpt.cmd_w7val,
            "attnops": attention.cmd_attnops, "attntrain": attention.cmd_attntrain,
            "w5": seq2seq.cmd_w5, "w5acc": seq2seq.cmd_w5acc}
ALL = ["mlp", "fwd", "w8", "parity", "convops", "cnn", "dcgan", "embed", "loops",
       "recurrent", "attnops", "attntrain"]


def main(argv):
    ap = argparse.ArgumentParser(description="PyTorch reference data for nnc's tests")
    ap.add_argument("names", nargs="*", default=["all"],
                    help="all (default), " + ", ".join(COMMANDS))
    ap.add_argument("--seed", type=int, default=mlp.MLP_SEED,
                    help="mlp: torch.manual_seed and shuffle seed; not 0: print only")
    ap.add_argument("--schedule", choices=sorted(mlp.SCHEDULES), default=mlp.MLP_SCHEDULE,
                    help="mlp: learning-rate schedule; not linear: print only")
    args = ap.parse_args(argv)
    mlp.recipe.update(seed=args.seed, schedule=args.schedule)
    names = args.names or ["all"]
    if "all" in names:
        names = ALL
    for name in names:
        if name not in COMMANDS:
            sys.exit(f"unknown reference '{name}'; choose from all, {', '.join(COMMANDS)}")
    print(f"torch {torch.__version__}, numpy {np.__version__}, "
          f"threads {torch.get_num_threads()}")
    for name in names:
        COMMANDS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
