#!/usr/bin/env python3
"""Compares two training runs for the data-parallel tests, in plain Python.

  mpi_compare.py losses A.log B.log --rtol R [--count N]
      the `step K loss X` lines of two logs: the same steps, |a - b| <= R |b|
  mpi_compare.py weights A.safetensors B.safetensors --rtol R
      every f32 tensor of B is in A with its shape, and
      max |a - b| <= R max |b| over each tensor (a tensor's largest difference relative to
      its largest value: elementwise relative errors of values near 0 say nothing)
Prints what it compared and the largest relative error; exits 1 on a mismatch.
"""
import argparse
import json
import re
import struct
import sys


def losses(path):
    text = open(path).read()
    return {int(k): float(v) for k, v in re.findall(r"^step (\d+) loss (\S+)$", text, re.M)}


def tensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        begin, end = info["data_offsets"]
        body = data[8 + n + begin:8 + n + end]
        out[name] = (info["shape"], struct.unpack(f"<{len(body) // 4}f", body))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["losses", "weights"])
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--rtol", type=float, required=True)
    p.add_argument("--count", type=int, default=0)
    args = p.parse_args()
    ok = True
    if args.mode == "losses":
        a, b = losses(args.a), losses(args.b)
        if sorted(a) != sorted(b) or (args.count and len(b) != args.count):
            sys.exit(f"steps differ: {len(a)} and {len(b)} loss lines")
        worst = max(abs(a[k] - b[k]) / abs(b[k]) for k in b)
        ok = worst <= args.rtol
        print(f"losses: {len(b)} steps, largest relative difference {worst:.3g} "
              f"(rtol {args.rtol:g}): {'ok' if ok else 'MISMATCH'}")
    else:
        a, b = tensors(args.a), tensors(args.b)
        worst, worst_name = 0.0, ""
        for name, (shape, values) in sorted(b.items()):
            if name not in a or a[name][0] != shape:
                print(f"{name}: missing or of another shape in {args.a}")
                ok = False
                continue
            scale = max(abs(v) for v in values) or 1.0
            diff = max(abs(x - y) for x, y in zip(a[name][1], values)) / scale
            if diff > worst:
                worst, worst_name = diff, name
            if diff > args.rtol:
                print(f"{name}: max |a - b| / max |b| = {diff:.3g} > {args.rtol:g}")
                ok = False
        print(f"weights: {len(b)} tensors, largest max|a - b| / max|b| {worst:.3g} "
              f"({worst_name}; rtol {args.rtol:g}): {'ok' if ok else 'MISMATCH'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
