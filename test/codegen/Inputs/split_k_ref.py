#!/usr/bin/env python3
"""Inputs and exact expected outputs for split-k.test, in plain Python.

  split_k_ref.py DIR K
writes DIR/{x,g,w}.npy (small integers: every float32 sum is exact) and the expected
DIR/{y0,y1,y2}.npy of split-k.mlir with K rows: y0 = x^T g (x, g [K, 64]),
y1 = w - y0, y2 = w + y0 (w [64, 64]).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matrix, write_npy  # noqa: E402


def main():
    out, k = sys.argv[1], int(sys.argv[2])
    x, g, w = matrix(k, 64, 11), matrix(k, 64, 12), matrix(64, 64, 13)
    y0 = [[0.0] * 64 for _ in range(64)]
    for xr, gr in zip(x, g):
        for i, a in enumerate(xr):
            if a:
                row = y0[i]
                for j, b in enumerate(gr):
                    row[j] += a * b
    tensors = {"x": x, "g": g, "w": w, "y0": y0,
               "y1": [[p - q for p, q in zip(r, s)] for r, s in zip(w, y0)],
               "y2": [[p + q for p, q in zip(r, s)] for r, s in zip(w, y0)]}
    for name, t in tensors.items():
        write_npy(os.path.join(out, name + ".npy"), (len(t), len(t[0])), [v for r in t for v in r])


if __name__ == "__main__":
    main()
