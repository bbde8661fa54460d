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
from gemm_ref import matrix, write_update_refs  # noqa: E402


def main():
    out, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    write_update_refs(out, matrix(k, 20, 21), matrix(k, n, 22), matrix(20, n, 23))


if __name__ == "__main__":
    main()
