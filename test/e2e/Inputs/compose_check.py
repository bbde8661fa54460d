"""Checks model composition against NumPy (test/e2e/compose.test).

  compose_check.py net WEIGHTS X.npy Y.npy
      Y = Block_b(Block_b(X)) + Block_Block2(X), one weight set per instance name
  compose_check.py step BEFORE AFTER UPDATED FROZEN
      the parameters under prefix UPDATED changed, those under FROZEN did not
Exits 1 on a mismatch.
"""
import json
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        assert info["dtype"] == "F32", name
        out[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"])
    return out


def block(w, prefix, x):
    h = np.maximum(x @ w[prefix + ".dense0.weight"] + w[prefix + ".dense0.bias"], 0)
    return h @ w[prefix + ".dense1.weight"] + w[prefix + ".dense1.bias"]


def net(weights, x_path, y_path):
    w = {k: v.astype(np.float64) for k, v in read_safetensors(weights).items()}
    expected_names = {f"{p}.dense{i}.{t}" for p in ("b", "Block2") for i in (0, 1)
                      for t in ("weight", "bias")}
    if set(w) != expected_names:
        sys.exit(f"parameters {sorted(w)}, expected {sorted(expected_names)}")
    x = np.load(x_path).astype(np.float64)
    y = np.load(y_path).astype(np.float64)
    ref = block(w, "b", block(w, "b", x)) + block(w, "Block2", x)
    # f32 products of 4 and 8 terms against float64: 1e-5 relative is ~100 ulp.
    err = np.abs(y - ref) / (1e-6 + np.abs(ref))
    print(f"net: {y.shape} max relative error {err.max():.2e}")
    if y.shape != ref.shape or err.max() > 1e-5:
        sys.exit("mismatch")


def step(before, after, updated, frozen):
    a, b = read_safetensors(before), read_safetensors(after)
    for name in sorted(a):
        if name.endswith((".m", ".v", ".step")):
            continue
        changed = not np.array_equal(a[name], b[name])
        print(f"{name}: {'changed' if changed else 'unchanged'}")
        if name.startswith(updated + ".") and not changed:
            sys.exit(f"{name} was not updated")
        if name.startswith(frozen + ".") and changed:
            sys.exit(f"{name} changed, but the step is not over it")


if __name__ == "__main__":
    {"net": net, "step": step}[sys.argv[1]](*sys.argv[2:])
