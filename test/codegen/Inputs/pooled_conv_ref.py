#!/usr/bin/env python3
"""Inputs and exact expected outputs for pooled-conv.test, in plain Python.

  pooled_conv_ref.py DIR B
writes the inputs of pooled-conv.mlir at batch B to DIR/<name>.npy (small integers:
every float32 sum is exact) and the expected DIR/y1.npy and y2.npy:
  y1 = max_pool(relu(conv2d(x1 [B, 9, 10, 3], w1 [3, 3, 3, 32], "valid") + b1), 2)
  y2 = max_pool(conv2d(x2 [B, 11, 11, 2], w2 [3, 3, 2, 16], "same"), 3, stride 2)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conv_schedules_ref import conv, write_inputs  # noqa: E402
from gemm_ref import write_npy  # noqa: E402


def max_pool(y, ys, k, s):
    """Valid k x k windows at stride s over y [N, H, W, C]."""
    n_, h_, w_, c_ = ys
    oh, ow = (h_ - k) // s + 1, (w_ - k) // s + 1
    out = []
    for n in range(n_):
        for h in range(oh):
            for q in range(ow):
                for c in range(c_):
                    out.append(max(y[((n * h_ + h * s + i) * w_ + q * s + j) * c_ + c]
                                   for i in range(k) for j in range(k)))
    return out, [n_, oh, ow, c_]


def main():
    out, b = sys.argv[1], int(sys.argv[2])
    shapes = {"x1": [b, 9, 10, 3], "w1": [3, 3, 3, 32], "b1": [32],
              "x2": [b, 11, 11, 2], "w2": [3, 3, 2, 16]}
    d = write_inputs(out, shapes, 5)
    y, ys = conv(d["x1"], shapes["x1"], d["w1"], shapes["w1"], 1, pad=0)
    y = [max(v + d["b1"][i % 32], 0.0) for i, v in enumerate(y)]
    write_npy(os.path.join(out, "y1.npy"), *reversed(max_pool(y, ys, 2, 2)))
    y, ys = conv(d["x2"], shapes["x2"], d["w2"], shapes["w2"], 1)
    write_npy(os.path.join(out, "y2.npy"), *reversed(max_pool(y, ys, 3, 2)))


if __name__ == "__main__":
    main()
