#!/usr/bin/env python3
"""Inputs and expected outputs for winograd.test, in plain Python (float64 sums).

  winograd_ref.py DIR B [grad]
writes the inputs of winograd.mlir (with "grad": winograd-grad.mlir) at batch B to
DIR/<name>.npy (small integers) and DIR/y1.npy ... y6.npy, y9.npy (y7.npy, y8.npy):
  y1 = relu(conv2d(x1 [B, 13, 13, 24], w1 [3, 3, 24, 40], "same") + b1)
  y2 = conv2d(x2 [B, 11, 10, 16], w2 [3, 3, 16, 32], "valid")
  y3 = conv2d(x3 [B, 9, 11, 16], w3 [5, 5, 16, 16], "same")
  y4 = conv2d_transpose(x4 [B, 9, 8, 32], w4 [3, 3, 32, 16], stride 1, "valid"): [B, 11, 10, 16]
  y5 = conv2d_transpose(x5 [B, 8, 8, 16], w5 [5, 5, 16, 24], stride 1, "same"): [B, 8, 8, 24]
  y6 = conv2d(x6 [B, 5, 5, 16], w6 [3, 3, 16, 16], "same")
  y9 = conv2d(x9 [B, 7, 7, 16], w9 [5, 5, 16, 16], "same")
conv2d: y[n, h, w, c] = sum over (kh, kw, f) of x[n, h + kh - pad, w + kw - pad, f] *
w[kh, kw, f, c], zero outside x (pad: (k - 1) / 2 for "same", 0 for "valid");
conv2d_transpose as in conv_transpose_ref.py;
  y7 = conv2d_filter_grad(x7 [B, 11, 10, 16], g7 [B, 9, 8, 32], 3x3, "valid")
  y8 = conv2d_filter_grad(x8 [B, 9, 11, 16], g8 [B, 9, 11, 16], 5x5, "same")
dw[kh, kw, f, c] = sum over (n, h, w) of x[n, h + kh - pad, w + kw - pad, f] g[n, h, w, c].
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conv_schedules_ref import conv, filter_grad, write_inputs  # noqa: E402
from conv_transpose_ref import conv_t  # noqa: E402
from gemm_ref import write_npy  # noqa: E402


def grads(out, b):
    shapes = {"x7": [b, 11, 10, 16], "g7": [b, 9, 8, 32],
              "x8": [b, 9, 11, 16], "g8": [b, 9, 11, 16]}
    d = write_inputs(out, shapes, 71)
    write_npy(os.path.join(out, "y7.npy"), *reversed(filter_grad(d["x7"], shapes["x7"], d["g7"], shapes["g7"], 3, 0)))
    write_npy(os.path.join(out, "y8.npy"), *reversed(filter_grad(d["x8"], shapes["x8"], d["g8"], shapes["g8"], 5, 2)))


def main():
    out, b = sys.argv[1], int(sys.argv[2])
    if sys.argv[3:] == ["grad"]:
        return grads(out, b)
    shapes = {"x1": [b, 13, 13, 24], "w1": [3, 3, 24, 40], "b1": [40],
              "x2": [b, 11, 10, 16], "w2": [3, 3, 16, 32],
              "x3": [b, 9, 11, 16], "w3": [5, 5, 16, 16],
              "x4": [b, 9, 8, 32], "w4": [3, 3, 32, 16],
              "x5": [b, 8, 8, 16], "w5": [5, 5, 16, 24],
              "x6": [b, 5, 5, 16], "w6": [3, 3, 16, 16],
              "x9": [b, 7, 7, 16], "w9": [5, 5, 16, 16]}
    d = write_inputs(out, shapes, 31)
    y, ys = conv(d["x1"], shapes["x1"], d["w1"], shapes["w1"], 1, 1)
    y = [max(v + d["b1"][i % 40], 0.0) for i, v in enumerate(y)]
    write_npy(os.path.join(out, "y1.npy"), ys, y)
    write_npy(os.path.join(out, "y2.npy"), *reversed(conv(d["x2"], shapes["x2"], d["w2"], shapes["w2"], 1, 0)))
    write_npy(os.path.join(out, "y3.npy"), *reversed(conv(d["x3"], shapes["x3"], d["w3"], shapes["w3"], 1, 2)))
    write_npy(os.path.join(out, "y4.npy"), *reversed(conv_t(d["x4"], shapes["x4"], d["w4"], shapes["w4"], [11, 10], 1, "valid")))
    write_npy(os.path.join(out, "y5.npy"), *reversed(conv_t(d["x5"], shapes["x5"], d["w5"], shapes["w5"], [8, 8], 1, "same")))
    write_npy(os.path.join(out, "y6.npy"), *reversed(conv(d["x6"], shapes["x6"], d["w6"], shapes["w6"], 1, 1)))
    write_npy(os.path.join(out, "y9.npy"), *reversed(conv(d["x9"], shapes["x9"], d["w9"], shapes["w9"], 1, 2)))


if __name__ == "__main__":
    main()
