#!/usr/bin/env python3
"""Inputs and exact expected outputs for conv-transpose.test, in plain Python.

  conv_transpose_ref.py DIR B
writes DIR/{x1,w1,b1,x2,w2,x3,w3,x4,w4,x5,w5}.npy (small integers: every float32 sum is
exact) and the expected DIR/{y1,...,y5}.npy of conv-transpose.mlir, batch B. Each
y is conv2d_transpose (stride s, "same" padding as Keras' Conv2DTranspose):
  y[n, h, w, c] = sum over (i, j, kh, kw, f) with h = i s + kh - pad_h,
                  w = j s + kw - pad_w of x[n, i, j, f] * w[kh, kw, f, c]
where pad is the "same" padding of the conv2d from [H, W] to x's [ceil(H/s), ceil(W/s)].
  y1 = leaky_relu(conv_t(x1 [B, 7, 7, 24], w1 [5, 5, 24, 40], s 2) + b1, 0.25): [B, 14, 14, 40]
  y2 = conv_t(x2 [B, 4, 4, 8], w2 [4, 4, 8, 20], s 2): [B, 8, 8, 20]  (even filter)
  y3 = conv_t(x3 [B, 4, 4, 8], w3 [5, 5, 8, 16], s 3): [B, 11, 12, 16]  (three phases)
  y4 = conv_t(x4 [B, 4, 4, 8], w4 [3, 3, 8, 16], s 2): [B, 7, 7, 16]  (odd width)
  y5 = conv_t(x5 [B, 13, 13, 16], w5 [3, 3, 16, 32], s 1, "valid": pad 0): [B, 15, 15, 32]
       (conv2d's input gradient, 15 columns)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import write_npy  # noqa: E402


def values(count, seed):
    """Integers in -2..2 from a linear congruential sequence."""
    s, out = seed, []
    for _ in range(count):
        s = (s * 1103515245 + 12345) % (1 << 31)
        out.append(float((s >> 16) % 5 - 2))
    return out


def same_pad(size, k, s):
    out = (size + s - 1) // s
    return max((out - 1) * s + k - size, 0) // 2


def conv_t(x, xs, w, ws, out_hw, s, padding="same"):
    n_, ih, iw, f_ = xs
    kh_, kw_, _, c_ = ws
    oh, ow = out_hw
    ph, pw = same_pad(oh, kh_, s), same_pad(ow, kw_, s)
    if padding == "valid":
        ph, pw = 0, 0
    y = [0.0] * (n_ * oh * ow * c_)
    for n in range(n_):
        for i in range(ih):
            for j in range(iw):
                xi = ((n * ih + i) * iw + j) * f_
                for kh in range(kh_):
                    h = i * s + kh - ph
                    if not 0 <= h < oh:
                        continue
                    for kw in range(kw_):
                        q = j * s + kw - pw
                        if not 0 <= q < ow:
                            continue
                        yi = ((n * oh + h) * ow + q) * c_
                        for f in range(f_):
                            a = x[xi + f]
                            if a == 0.0:
                                continue
                            wi = ((kh * kw_ + kw) * f_ + f) * c_
                            for c in range(c_):
                                y[yi + c] += a * w[wi + c]
    return y, [n_, oh, ow, c_]


def main():
    out, b = sys.argv[1], int(sys.argv[2])
    cases = [  # name, x shape, w shape, output [H, W], stride, padding
        ("1", [b, 7, 7, 24], [5, 5, 24, 40], [14, 14], 2, "same"),
        ("2", [b, 4, 4, 8], [4, 4, 8, 20], [8, 8], 2, "same"),
        ("3", [b, 4, 4, 8], [5, 5, 8, 16], [11, 12], 3, "same"),
        ("4", [b, 4, 4, 8], [3, 3, 8, 16], [7, 7], 2, "same"),
        ("5", [b, 13, 13, 16], [3, 3, 16, 32], [15, 15], 1, "valid"),
    ]
    for seed, (name, xs, ws, hw, s, padding) in enumerate(cases):
        count = lambda shape: shape[0] * shape[1] * shape[2] * shape[3]
        x, w = values(count(xs), 7 + seed), values(count(ws), 101 + seed)
        write_npy(os.path.join(out, "x%s.npy" % name), xs, x)
        write_npy(os.path.join(out, "w%s.npy" % name), ws, w)
        y, ys = conv_t(x, xs, w, ws, hw, s, padding)
        if name == "1":
            bias = values(ws[3], 5)
            write_npy(os.path.join(out, "b1.npy"), [ws[3]], bias)
            y = [v + bias[i % ws[3]] for i, v in enumerate(y)]
            y = [v if v > 0 else 0.25 * v for v in y]
        write_npy(os.path.join(out, "y%s.npy" % name), ys, y)


if __name__ == "__main__":
    main()
