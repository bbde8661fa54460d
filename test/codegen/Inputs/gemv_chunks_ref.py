#!/usr/bin/env python3
"""Inputs and exact expected outputs for gemv-chunks.test, in plain Python.

  gemv_chunks_ref.py DIR
writes DIR/w.npy [2102, 512] and, for B in 1 and 2, DIR/x{B}.npy [B, 2102] and the
expected DIR/y{B}.npy = x @ w (small integers: every float32 sum is exact in any order).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matmul, matrix, write_npy  # noqa: E402


def main():
    out = sys.argv[1]
    w = matrix(2102, 512, 41)
    write_npy(os.path.join(out, "w.npy"), (2102, 512), [e for r in w for e in r])
    for rows in (1, 2):
        x = matrix(rows, 2102, 42 + rows)
        write_npy(os.path.join(out, f"x{rows}.npy"), (rows, 2102), [e for r in x for e in r])
        y = matmul(x, w)
        write_npy(os.path.join(out, f"y{rows}.npy"), (rows, 512), [e for r in y for e in r])


if __name__ == "__main__":
    main()
