#!/usr/bin/env python3
"""Inputs and exact expected outputs for conv-schedules.test, in plain Python.

  conv_schedules_ref.py DIR B
writes the inputs of conv-schedules.mlir at batch B to DIR/<name>.npy (small integers:
every float32 sum is exact) and the expected DIR/y1.npy, y4, y5 and y6:
  y1 = relu(conv2d(x1 [B, 10, 10, 40], w1 [5, 5, 40, 40], stride 2, "same") + b1)
  y4 = conv2d(x4 [B, 10, 10, 32], w4 [5, 5, 32, 1], "same")
  y5 = conv2d_filter_grad(x2 [B, 9, 12, 32], g5 [B, 7, 10, 1], 3x3, "valid")
  y6 = conv2d(x6 [B, 6, 6, 20], w6 [3, 3, 20, 1], "same")
  y7 = conv2d_filter_grad(x7 [B, 9, 12, 2], g7 [B, 5, 8, 32], 5x5, "valid")
with conv2d y[n, h, w, c] = sum over (kh, kw, f) of x[n, h s + kh - pad, w s + kw - pad,
f] * w[kh, kw, f, c] (zero outside x; pad the "same" padding, or 0), and its filter
gradient dw[kh, kw, f, c] = sum over (n, h, w) of x[n, h + kh, w + kw, f] * g[n, h, w, c].
y2 and y3 are compared with the same model compiled for another target.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conv_transpose_ref import same_pad, values  # noqa: E402
from gemm_ref import write_npy  # noqa: E402


def conv(x, xs, w, ws, s, pad=None):
    """conv2d with stride s and "same" padding, or `pad` on every side."""
    n_, ih, iw, f_ = xs
    kh_, kw_, _, c_ = ws
    if pad is None:
        oh, ow = (ih + s - 1) // s, (iw + s - 1) // s
        ph, pw = same_pad(ih, kh_, s), same_pad(iw, kw_, s)
    else:
        oh, ow = (ih + 2 * pad - kh_) // s + 1, (iw + 2 * pad - kw_) // s + 1
        ph, pw = pad, pad
    y = [0.0] * (n_ * oh * ow * c_)
    for n in range(n_):
        for h in range(oh):
            for q in range(ow):
                acc = [0.0] * c_
                for kh in range(kh_):
                    i = h * s + kh - ph
                    if not 0 <= i < ih:
                        continue
                    for kw in range(kw_):
                        j = q * s + kw - pw
                        if not 0 <= j < iw:
                            continue
                        xi = ((n * ih + i) * iw + j) * f_
                        for f in range(f_):
                            a = x[xi + f]
                            if a == 0.0:
                                continue
                            wi = ((kh * kw_ + kw) * f_ + f) * c_
                            acc = [u + a * v for u, v in zip(acc, w[wi:wi + c_])]
                yi = ((n * oh + h) * ow + q) * c_
                y[yi:yi + c_] = acc
    return y, [n_, oh, ow, c_]


def filter_grad(x, xs, g, gs, k, pad=0):
    """The filter gradient of a stride-1 conv2d with a k x k filter and `pad` on every
    side: dw[kh, kw, f, c] = sum over (n, h, w) of x[n, h + kh - pad, w + kw - pad, f]
    g[n, h, w, c], zero outside x."""
    n_, ih, iw, f_ = xs
    _, oh, ow, c_ = gs
    dw = [0.0] * (k * k * f_ * c_)
    for kh in range(k):
        for kw in range(k):
            acc = [0.0] * (f_ * c_)
            for n in range(n_):
                for h in range(oh):
                    i = h + kh - pad
                    if not 0 <= i < ih:
                        continue
                    for q in range(ow):
                        j = q + kw - pad
                        if not 0 <= j < iw:
                            continue
                        xi = ((n * ih + i) * iw + j) * f_
                        gi = ((n * oh + h) * ow + q) * c_
                        gv = g[gi:gi + c_]
                        for f in range(f_):
                            a = x[xi + f]
                            if a != 0.0:
                                row = acc[f * c_:(f + 1) * c_]
                                acc[f * c_:(f + 1) * c_] = [u + a * v for u, v in zip(row, gv)]
            dw[(kh * k + kw) * f_ * c_:(kh * k + kw + 1) * f_ * c_] = acc
    return dw, [k, k, f_, c_]


def write_inputs(out, shapes, seed):
    """Writes OUT/<name>.npy of each shape, integers from values() seeded `seed`,
    `seed` + 1, ... in order; returns them by name."""
    d = {}
    for i, (name, shape) in enumerate(shapes.items()):
        d[name] = values(math.prod(shape), seed + i)
        write_npy(os.path.join(out, name + ".npy"), shape, d[name])
    return d


def main():
    out, b = sys.argv[1], int(sys.argv[2])
    shapes = {"x1": [b, 10, 10, 40], "w1": [5, 5, 40, 40], "b1": [40],
              "x2": [b, 9, 12, 32], "w2": [3, 3, 32, 64],
              "x3": [b, 48, 16, 32], "w3": [3, 3, 32, 32],
              "x4": [b, 10, 10, 32], "w4": [5, 5, 32, 1], "g5": [b, 7, 10, 1],
              "x6": [b, 6, 6, 20], "w6": [3, 3, 20, 1],
              "x7": [b, 9, 12, 2], "g7": [b, 5, 8, 32]}
    d = write_inputs(out, shapes, 11)
    y, ys = conv(d["x1"], shapes["x1"], d["w1"], shapes["w1"], 2)
    y = [max(v + d["b1"][i % 40], 0.0) for i, v in enumerate(y)]
    write_npy(os.path.join(out, "y1.npy"), ys, y)
    write_npy(os.path.join(out, "y4.npy"), *reversed(conv(d["x4"], shapes["x4"], d["w4"], shapes["w4"], 1)))
    write_npy(os.path.join(out, "y5.npy"), *reversed(filter_grad(d["x2"], shapes["x2"], d["g5"], shapes["g5"], 3)))
    write_npy(os.path.join(out, "y6.npy"), *reversed(conv(d["x6"], shapes["x6"], d["w6"], shapes["w6"], 1)))
    write_npy(os.path.join(out, "y7.npy"), *reversed(filter_grad(d["x7"], shapes["x7"], d["g7"], shapes["g7"], 5)))


if __name__ == "__main__":
    main()
