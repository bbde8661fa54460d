#!/usr/bin/env python3
"""Inputs and exact expected outputs for row-loop-outputs.test, in plain Python.

  row_loop_ref.py DIR B
writes DIR/x.npy (small integers) and the expected DIR/{y,s}.npy of row-loop-outputs.mlir
with B rows: s = the root of each row's mean squared deviation [B, 1], y = the row's
deviations divided by it [B, 64]. Every float32 step is exact (sums of small integers,
divisions by 64) or one correctly rounded operation (the root, the quotients), which
float64 followed by a rounding to float32 reproduces.
"""
import math
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matrix, write_npy  # noqa: E402


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def main():
    out, rows = sys.argv[1], int(sys.argv[2])
    x = matrix(rows, 64, 31)
    y, s = [], []
    for r in x:
        mean = sum(r) / 64
        dev = [e - mean for e in r]
        root = f32(math.sqrt(sum(d * d for d in dev) / 64))
        s.append(root)
        y.extend(f32(d / root) for d in dev)  # no row of these inputs is constant
    write_npy(os.path.join(out, "x.npy"), (rows, 64), [e for r in x for e in r])
    write_npy(os.path.join(out, "y.npy"), (rows, 64), y)
    write_npy(os.path.join(out, "s.npy"), (rows, 1), s)


if __name__ == "__main__":
    main()
