#!/usr/bin/env python3
"""Inputs and expected output of causal-attention.test, in plain Python (float64).

  causal_attention_ref.py DIR [S]
writes DIR/{q,k,v}.npy ([2, 2, S, 16], S 64 unless given; integers in -3..3 over 4,
exact in float32) and DIR/o.npy, softmax(q k^T / 4 + causal mask) v per batch entry
and head.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gemm_ref import matrix, matmul, transpose, write_npy  # noqa: E402

B, H, S, D = 2, 2, 64, 16


def main():
    global S
    out = sys.argv[1]
    if len(sys.argv) > 2:
        S = int(sys.argv[2])
    heads = {name: [[[x / 4 for x in row] for row in matrix(S, D, seed + 10 * i)]
                    for i in range(B * H)]
             for name, seed in (("q", 1), ("k", 2), ("v", 3))}
    o = []
    for q, k, v in zip(heads["q"], heads["k"], heads["v"]):
        scores = matmul(q, transpose(k))
        p = []
        for r, row in enumerate(scores):
            kept = [s * 0.25 for s in row[:r + 1]]
            m = max(kept)
            e = [math.exp(s - m) for s in kept]
            total = sum(e)
            p.append([x / total for x in e] + [0.0] * (S - r - 1))
        o.append(matmul(p, v))
    heads["o"] = o
    for name, t in heads.items():
        write_npy(os.path.join(out, name + ".npy"), (B, H, S, D),
                  [x for m in t for r in m for x in r])


if __name__ == "__main__":
    main()
