#!/usr/bin/env python3
"""Inputs and exact expected outputs for gemm-numeric.test, in plain Python.

  gemm_ref.py DIR B
writes DIR/{a,b,c,w,x,g,t,u,v,e,h}.npy (small integers, so every float32 sum is exact)
and the expected DIR/{y0,...,y6}.npy of gemm-numeric.mlir with the batch dim B:
  y0 = a @ b    a [130, 300], b [300, 70]
  y1 = c @ w^T  c [B, 10], w [70, 10]
  y2 = x^T @ g  x [B, 100], g [B, 70]
  y3 = t @ e    t [2, 20, 300], e [300, 220] (a batch of two products sharing e)
  y4 = c @ u^T + x @ v   u [70, 10], v [100, 70] (two products sharing one kernel's tiles)
  y5 = t @ h^T  h [70, 300] (a batch of two products sharing a transposed h)
  y6 = t @ b    (a batch of two products sharing b)
"""
import os
import struct
import sys


def write_npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (tuple(shape),)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack(f"<{len(values)}f", *values))


def matrix(rows, cols, seed):
    """Integers in -3..3 from a linear congruential sequence."""
    s, out = seed, []
    for _ in range(rows * cols):
        s = (s * 1103515245 + 12345) % (1 << 31)
        out.append(float((s >> 16) % 7 - 3))
    return [out[r * cols:(r + 1) * cols] for r in range(rows)]


def matmul(a, b):
    bt = list(zip(*b))
    return [[sum(x * y for x, y in zip(row, col)) for col in bt] for row in a]


def transpose(a):
    return [list(r) for r in zip(*a)]


def write_update_refs(out, x, g, w):
    """Writes OUT/{x,g,w}.npy and the expected y0 = x^T g, y1 = w - y0, y2 = w + y0 (a
    weight gradient and two updates of w by it; split_k_ref.py, staged_panels_ref.py)."""
    y0 = [[0.0] * len(g[0]) for _ in range(len(x[0]))]
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


def main():
    out, batch = sys.argv[1], int(sys.argv[2])
    a, b = matrix(130, 300, 1), matrix(300, 70, 2)
    c, w = matrix(batch, 10, 3), matrix(70, 10, 4)
    x, g = matrix(batch, 100, 5), matrix(batch, 70, 6)
    t0, t1 = matrix(20, 300, 7), matrix(20, 300, 8)
    u, v = matrix(70, 10, 9), matrix(100, 70, 10)
    e, h = matrix(300, 220, 11), matrix(70, 300, 12)
    y4 = [[p + q for p, q in zip(r, s)] for r, s in zip(matmul(c, transpose(u)), matmul(x, v))]
    tensors = {"a": a, "b": b, "c": c, "w": w, "x": x, "g": g, "u": u, "v": v, "e": e, "h": h,
               "y0": matmul(a, b), "y1": matmul(c, transpose(w)), "y2": matmul(transpose(x), g),
               "y4": y4}
    for name, t in tensors.items():
        write_npy(os.path.join(out, name + ".npy"), (len(t), len(t[0])), [v for r in t for v in r])
    batched = {"t": (t0, t1), "y3": (matmul(t0, e), matmul(t1, e)),
               "y5": (matmul(t0, transpose(h)), matmul(t1, transpose(h))),
               "y6": (matmul(t0, b), matmul(t1, b))}
    for name, (u, v) in batched.items():
        write_npy(os.path.join(out, name + ".npy"), (2, len(u), len(u[0])),
                  [e for m in (u, v) for r in m for e in r])


if __name__ == "__main__":
    main()
