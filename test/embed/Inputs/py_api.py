"""Exercises the Python binding on a model compiled with --emit=shared: lists the model,
runs `infer` on a .npy file (written for comparison with `predict`), round-trips a
checkpoint, and reports errors as NnrtError. Usage: py_api.py LIB WEIGHTS INPUT.npy OUTDIR"""
import os
import sys

import numpy as np

import nnc

lib, weights, images, out = sys.argv[1:5]
m = nnc.Model(lib)
print("model", m.name)
for name, e in m.entries.items():
    print(f"entry {name}: inputs {', '.join(e.inputs)}; outputs {', '.join(e.outputs)}")
for i in m.inputs:
    print(f"input {i.name}: {i.dtype} {list(i.shape)}")
for p in m.params:
    print(f"param {p.name}: {p.dtype} {list(p.shape)}{'' if p.trainable else ' (state)'}")

m.load(weights)
x = np.load(images)
probs = m.run("infer", image=x)["probs"]
np.save(os.path.join(out, "py_probs.npy"), probs)
view = m.run("infer", x, copy=False)["probs"]
print("positional, no copy: equal", np.array_equal(view, probs), "owns data", view.flags.owndata)

# Parameters are views of the model's memory; a checkpoint round-trips them.
w = m.param(m.params[0].name)
saved = w.copy()
ckpt = os.path.join(out, "py.safetensors")
m.save(ckpt, {"note": "from python"})
w[...] = 0
m.load(ckpt)
print("checkpoint round trip: equal", np.array_equal(m.param(m.params[0].name), saved),
      "metadata", m.metadata("note"))

for bad in (lambda: m.run("nope", x), lambda: m.load(os.path.join(out, "missing.st")),
            lambda: m.run("infer", image=np.zeros((2, 5, 5), np.float32))):
    try:
        bad()
    except nnc.NnrtError as e:
        print(f"error (status {e.status}): {e}")
