#!/usr/bin/env python3
"""Inputs and exact expected outputs for conv-tasks.test, in plain Python.

  conv_tasks_ref.py DIR B
writes DIR/{x1,w1,b1,x2,w2,x3,w3}.npy (small integers: every float32 sum is exact) and
the expected DIR/y1.npy of conv-tasks.mlir, batch B:
  y1 = relu(conv2d(x1 [B, 10, 10, 40], w1 [5, 5, 40, 40], stride 2, "same") + b1)
with y[n, h, w, c] = sum over (kh, kw, f) of x[n, h s + kh - pad, w s + kw - pad, f] *
w[kh, kw, f, c] (zero outside x; pad = the "same" padding, 1 here). y2 and y3 are
compared with the same model compiled for a target whose schedule is another one.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conv_transpose_ref import same_pad, values  # noqa: E402
from gemm_ref import write_npy  # noqa: E402


def conv(x, xs, w, ws, s):
    n_, ih, iw, f_ = xs
    kh_, kw_, _, c_ = ws
    oh, ow = (ih + s - 1) // s, (iw + s - 1) // s
    ph, pw = same_pad(ih, kh_, s), same_pad(iw, kw_, s)
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
                            row = w[wi:wi + c_]
                            acc = [u + a * v for u, v in zip(acc, row)]
                yi = ((n * oh + h) * ow + q) * c_
                y[yi:yi + c_] = acc
    return y, [n_, oh, ow, c_]


def main():
    out, b = sys.argv[1], int(sys.argv[2])
    shapes = {"x1": [b, 10, 10, 40], "w1": [5, 5, 40, 40], "b1": [40],
              "x2": [b, 9, 12, 32], "w2": [3, 3, 32, 64],
              "x3": [b, 48, 16, 32], "w3": [3, 3, 32, 32]}
    data = {}
    for seed, (name, shape) in enumerate(shapes.items()):
        count = 1
        for d in shape:
            count *= d
        data[name] = values(count, 11 + seed)
        write_npy(os.path.join(out, name + ".npy"), shape, data[name])
    y, ys = conv(data["x1"], shapes["x1"], data["w1"], shapes["w1"], 2)
    y = [max(v + data["b1"][i % 40], 0.0) for i, v in enumerate(y)]
    write_npy(os.path.join(out, "y1.npy"), ys, y)


if __name__ == "__main__":
    main()
