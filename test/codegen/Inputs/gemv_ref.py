#!/usr/bin/env python3
"""Inputs and exact expected outputs for gemv.test, in plain Python.

  gemv_ref.py DIR
writes DIR/w.npy [1748, 300] and, for B in 1, 3, 9 and 40, DIR/x{B}.npy [B, 1748] and the
expected DIR/y{B}.npy = x @ w and DIR/z{B}.npy = y @ w^T (small integers: every float32
sum is exact, |z| < 2^24), and DIR/x0.npy [0, 1748].
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matmul, matrix, transpose, write_npy  # noqa: E402


def main():
    out = sys.argv[1]
    w = matrix(1748, 300, 31)
    write_npy(os.path.join(out, "w.npy"), (1748, 300), [e for r in w for e in r])
    write_npy(os.path.join(out, "x0.npy"), (0, 1748), [])  # a call of no rows
    for rows in (1, 3, 9, 40):
        x = matrix(rows, 1748, 32 + rows)
        y = matmul(x, w)
        write_npy(os.path.join(out, f"x{rows}.npy"), (rows, 1748), [e for r in x for e in r])
        write_npy(os.path.join(out, f"y{rows}.npy"), (rows, 300), [e for r in y for e in r])
        z = matmul(y, transpose(w))
        write_npy(os.path.join(out, f"z{rows}.npy"), (rows, 1748), [e for r in z for e in r])


if __name__ == "__main__":
    main()
