"""Helpers shared by the reference generators: paths, file writers and readers
(.npy, safetensors, IDX), the Fashion-MNIST loader and learning-rate schedules."""

import gzip
import json
import math
import os
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = "/usr/share/datasets/fashion-mnist"
WEIGHTS_DIR = os.path.join(ROOT, "examples", "weights")
REFS_DIR = os.path.join(ROOT, "test", "e2e", "refs")

# --------------------------------------------------------------------------- I/O helpers

def rel(path):
    return os.path.relpath(path, ROOT)


def report(path):
    print(f"  wrote {rel(path)} ({os.path.getsize(path)} bytes)")


def fmt9(t):
    """A tensor (or array) as space-separated values, 9 significant digits."""
    return " ".join(f"{v:.9g}" for v in torch.as_tensor(t).detach().reshape(-1).tolist())


def sgd_trace(params, loss_fn, steps, lr):
    """Takes `steps` SGD steps (lr) on the float64 tensors `params` (name -> leaf) from
    loss_fn(); returns the lines `loss<k>: X` and `<name>_<k+1>: values` of each step."""
    lines = []
    for step in range(steps):
        loss = loss_fn()
        grads = torch.autograd.grad(loss, list(params.values()))
        with torch.no_grad():
            for v, g in zip(params.values(), grads):
                v -= lr * g
        lines.append(f"loss{step}: {loss.item():.9g}\n")
        lines += [f"{k}_{step + 1}: {fmt9(v)}\n" for k, v in params.items()]
        print(f"  step {step}: loss {loss.item():.9g}")
    return lines


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    report(path)


def write_loss_trace(path, header, l32, l64):
    """Prints how far a float32 loss trace is from the float64 one of the same run and
    writes the float64 trace, one loss a line after `header`. The float64 trace is the
    reference because PyTorch's float32 one moves by ~1e-7 between runs (its CPU
    kernels' summation order follows the thread count and more)."""
    rel = [abs(a - b) / abs(b) for a, b in zip(l32, l64)]
    print(f"  losses: loss[0] {l32[0]:.9g} (f64 {l64[0]:.17g}), loss[{len(l32) - 1}] "
          f"{l32[-1]:.9g}; float32 vs float64 relative difference: max {max(rel):.3e} "
          f"(step {rel.index(max(rel))}), first 10 steps max {max(rel[:10]):.3e}")
    write_text(path, header + "".join(f"{v:.17g}\n" for v in l64))


def write_npy(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(array))
    report(path)


_ST_DTYPES = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i4"): "I32",
              np.dtype("<i8"): "I64"}


def write_safetensors(path, tensors):
    """tensors: list of (name, numpy array). Written in the given order:
    u64 LE header length N, N bytes of JSON (space-padded to a multiple of 8),
    then the raw little-endian C-order data; data_offsets are relative to the data start."""
    header, blobs, offset = {}, [], 0
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr)
        arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
        raw = arr.tobytes(order="C")
        header[name] = {"dtype": _ST_DTYPES[arr.dtype], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)
    report(path)


def read_safetensors(path):
    """Returns {name: numpy array} (arrays are copies, C order)."""
    inv = {v: k for k, v in _ST_DTYPES.items()}
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
        out[name] = np.frombuffer(data[b:e], dtype=inv[info["dtype"]]).reshape(
            info["shape"]).copy()
    return out


def load_idx(name):
    """Reads an IDX gz file: uint8 images [N,28,28] or uint8 labels [N]."""
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist(split):
    """split 'train' or 't10k' -> (images f32 [N,28,28] in [0,1], labels int64 [N])."""
    x = load_idx(f"{split}-images-idx3-ubyte.gz").astype(np.float32) / np.float32(255.0)
    y = load_idx(f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return x, y



# Standardisation constants of the Fashion-MNIST examples: the mean and (population)
# standard deviation of all training pixels /255, 0.28604 and 0.35302 in float64
# (pixel_stats), rounded to 4 decimals as written in the model files.
PIXEL_MEAN = 0.2860
PIXEL_STD = 0.3530


def standardise(x):
    """(x - MEAN) / STD in x's own dtype: torch rounds the Python-float constants to
    float32 for a float32 x (exactly what an f32 model computes: f32 subtract, f32
    divide) and keeps them float64 for a float64 x."""
    return (x - PIXEL_MEAN) / PIXEL_STD


SCHEDULES = {
    "constant": lambda t: 1.0,
    "linear": lambda t: 1.0 - t,
    "cosine": lambda t: 0.5 * (1.0 + math.cos(math.pi * t)),
}


def lr_scheduler(opt, schedule, total_steps, warmup=0):
    """LambdaLR giving step k (0-based) of K = total_steps lr * (k + 1) / N while k < N =
    warmup, then lr * f((k - N) / (K - N)): nnrt_schedule_lr (runtime/lib/Schedule.cpp).
    LambdaLR sets the lr for k = 0 when built; call .step() after every optimizer step to
    move to k + 1."""
    f = SCHEDULES[schedule]
    assert 0 <= warmup <= total_steps
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: (k + 1) / warmup if k < warmup
        else f((k - warmup) / (total_steps - warmup)))


def pixel_stats():
    """float64 mean and population std of all training pixels /255: where PIXEL_MEAN and
    PIXEL_STD come from."""
    x = load_idx("train-images-idx3-ubyte.gz").astype(np.float64) / 255.0
    return float(x.mean()), float(x.std())


def fmt(values):
    """8 significant digits, row-major flattened, space separated."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    return " ".join(f"{v:.8g}" for v in flat)



# --------------------------------------------------------------------------- libnnrt init

def _fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _splitmix64(state, n):
    """The first n outputs of splitmix64 from `state` (libnnrt's SplitMix64)."""
    with np.errstate(over="ignore"):
        z = np.uint64(state) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(
            0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def nnrt_init(name, shape, init, seed, bounds=None):
    """What libnnrt's nnrt_params_init gives parameter `name` of `shape` (f32) for `init`
    "zeros", "ones", "glorot_uniform" or "uniform" (`bounds` = (lo, hi), the init_args) and
    `seed`, bit for bit (runtime/lib/Init.cpp): a splitmix64 stream seeded with
    splitmix64(seed ^ fnv1a64(name)), U(lo, hi) in float32 with 24-bit draws; Glorot's
    bounds are -l and l, l = sqrt(6 / (fan_in + fan_out)) with Keras' fans."""
    if init == "zeros":
        return np.zeros(shape, np.float32)
    if init == "ones":
        return np.ones(shape, np.float32)
    if init == "uniform":
        lo, hi = np.float32(bounds[0]), np.float32(bounds[1])
    else:
        assert init == "glorot_uniform"
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in = receptive * shape[-2] if len(shape) >= 2 else 1
        fan_out = receptive * shape[-1]
        lim = math.sqrt(6.0 / (fan_in + fan_out))
        lo, hi = np.float32(-lim), np.float32(lim)
    first = _splitmix64((seed ^ _fnv1a64(name)) & 0xFFFFFFFFFFFFFFFF, 1)[0]
    bits = _splitmix64(int(first), int(np.prod(shape)))
    u = (bits >> np.uint64(40)).astype(np.float32) * np.float32(1.0 / 16777216.0)
    return (lo + (hi - lo) * u).astype(np.float32).reshape(shape)
