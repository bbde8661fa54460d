#!/usr/bin/env python3
"""Inputs and exact expected outputs for staged-panels.test, in plain Python.

  staged_panels_ref.py DIR K N
writes DIR/{x,g,w}.npy (small integers: every float32 sum is exact) and the expected
DIR/{y0,y1,y2}.npy of staged-panels.mlir with K rows and N columns: y0 = x^T g
(x [K, 20], g [K, N]), y1 = w - y0, y2 = w + y0 (w [20, N]).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matrix, write_npy  # noqa: E402


def main():
    out, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    x, g, w = matrix(k, 20, 21), matrix(k, n, 22), matrix(20, n, 23)
    y0 = [[0.0] * n for _ in range(20)]
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
