#!/usr/bin/env python3
"""Inputs and exact expected outputs for row-reduction.test, in plain Python.

  row_reduction_ref.py DIR B
writes DIR/{x,v}.npy (small integers: every float32 sum is exact) and the expected
DIR/{s,m,c,t}.npy of row-reduction.mlir with B rows: s = row sums of x [B, 96],
m = row maxima [B, 1], c = sums of each row minus its maximum [B, 1], t = sum of v [64].
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matrix, write_npy  # noqa: E402


def main():
    out, rows = sys.argv[1], int(sys.argv[2])
    x, v = matrix(rows, 96, 21), matrix(1, 64, 22)[0]
    m = [max(r) for r in x]
    tensors = {"x": ((rows, 96), [e for r in x for e in r]), "v": ((64,), v),
               "s": ((rows,), [sum(r) for r in x]), "m": ((rows, 1), m),
               "c": ((rows, 1), [sum(e - mr for e in r) for r, mr in zip(x, m)]),
               "t": ((), [sum(v)])}
    for name, (shape, values) in tensors.items():
        write_npy(os.path.join(out, name + ".npy"), shape, values)


if __name__ == "__main__":
    main()
