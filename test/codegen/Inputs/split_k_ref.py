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
from gemm_ref import matrix, write_update_refs  # noqa: E402


def main():
    out, k = sys.argv[1], int(sys.argv[2])
    write_update_refs(out, matrix(k, 64, 11), matrix(k, 64, 12), matrix(64, 64, 13))


if __name__ == "__main__":
    main()
