"""Values a kernel derives from a parameter alone and keeps across calls (a Winograd
convolution's transformed filter, keyed by nnrt_step.key_arg) follow every change of
the parameters: each `infer` below must equal that of a fresh model holding the same
weights. Usage: py_param_keys.py LIB OUTDIR"""
import os
import sys

import numpy as np

import nnc

lib, out = sys.argv[1:3]
x = np.random.default_rng(0).standard_normal((1, 28, 28, 1)).astype(np.float32)


def infer(m):
    return m.run("infer", image=x)[m.entries["infer"].outputs[0]]


def fresh(path):
    with nnc.Model(lib) as f:
        f.load(path)
        return infer(f)


a, b = os.path.join(out, "a.safetensors"), os.path.join(out, "b.safetensors")
m = nnc.Model(lib)
m.init_params(1)
ya = infer(m)
m.save(a)
m.init_params(2)  # new weights: the kept transform of seed 1's filter is not used
yb = infer(m)
m.save(b)
print("init:", not np.array_equal(ya, yb), np.array_equal(yb, fresh(b)))
m.load(a)
print("load:", np.array_equal(infer(m), ya))
other = nnc.Model(lib)  # a second context, other weights, calls interleaved
other.load(b)
print("two contexts:", np.array_equal(infer(other), yb), np.array_equal(infer(m), ya),
      np.array_equal(infer(other), yb))
labels = np.array([3], np.int32)
m.train_step(1e-3, image=x, label=labels)  # updates the filter in place
c = os.path.join(out, "c.safetensors")
m.save(c)
yc = infer(m)
print("train step:", not np.array_equal(yc, ya), np.array_equal(yc, fresh(c)))
w = m.param("conv2d1.weight")  # writes through a view, at any time
yc2 = infer(m)
w[...] *= 0.5
d = os.path.join(out, "d.safetensors")
m.save(d)
print("view:", np.array_equal(yc2, yc), np.array_equal(infer(m), fresh(d)))
