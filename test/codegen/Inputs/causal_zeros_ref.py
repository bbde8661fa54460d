#!/usr/bin/env python3
"""Inputs and exact expected outputs for causal-zeros.test, in plain Python.

  causal_zeros_ref.py DIR
writes DIR/{p,q,v,d,l,r}.npy (small integers, so every float32 sum is exact; p zero
where its column exceeds its row, q where it exceeds its row + 3, l its row + 5) and
the expected DIR/{o,g,s,k}.npy of Inputs/causal-zeros.mlir at batch 2:
  o = p @ v,  g = p^T @ d,  s = q @ v   (per batch entry and head),  k = l @ r
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matmul, transpose, write_npy  # noqa: E402

B, H, S, D = 2, 2, 19, 8


def matrices(rows, cols, seed, lower=None, count=B * H):
    """`count` matrices of integers in -3..3; zero where column > row + lower."""
    s, out = seed, []
    for _ in range(count):
        m = []
        for r in range(rows):
            row = []
            for c in range(cols):
                s = (s * 1103515245 + 12345) % (1 << 31)
                row.append(0.0 if lower is not None and c > r + lower else float((s >> 16) % 7 - 3))
            m.append(row)
        out.append(m)
    return out


def main():
    out = sys.argv[1]
    p, q = matrices(S, S, 1, lower=0), matrices(S, S, 2, lower=3)
    v, d = matrices(S, D, 3), matrices(S, D, 4)
    tensors = {"p": p, "q": q, "v": v, "d": d,
               "o": [matmul(a, b) for a, b in zip(p, v)],
               "g": [matmul(transpose(a), b) for a, b in zip(p, d)],
               "s": [matmul(a, b) for a, b in zip(q, v)]}
    for name, t in tensors.items():
        write_npy(os.path.join(out, name + ".npy"), (B, H, len(t[0]), len(t[0][0])),
                  [x for m in t for r in m for x in r])
    [l], [r] = matrices(64, 1030, 5, lower=5, count=1), matrices(1030, 64, 6, count=1)
    for name, t in {"l": l, "r": r, "k": matmul(l, r)}.items():
        write_npy(os.path.join(out, name + ".npy"), (len(t), len(t[0])), [x for row in t for x in row])


if __name__ == "__main__":
    main()
