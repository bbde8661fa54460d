"""The recurrent layers (nn.scan loops) against PyTorch's nn.LSTM, nn.GRU and nn.RNN
(make-references.py loops): test/e2e/Inputs/recurrent.nn, forward at two sequence
lengths from one binary (the RNN from a given initial state), and two SGD steps through
backpropagation through time.

Initial weights are libnnrt's for seed 1234 (refs.common.nnrt_init: nnc's layers take
PyTorch's U(-1/sqrt(H), 1/sqrt(H)) bounds), copied into the modules' own parameters
(weight_ih_l0, ...: nnc's names and layouts load unchanged); everything is computed in
float64 from them.
"""

import os

import numpy as np
import torch
import torch.nn.functional as F

from refs.common import REFS_DIR, fmt9, nnrt_init, sgd_trace, write_npy, write_text

SEED = 1234
LR = 0.5
LAYERS = [("lstm0", torch.nn.LSTM, 3, 4, 4), ("gru0", torch.nn.GRU, 4, 5, 3),
          ("rnn0", torch.nn.RNN, 3, 2, 1)]



def init_params():
    """PyTorch's modules holding libnnrt's initial weights, and nnc's name of each of
    their parameters (the module's own tensors, so autograd and updates reach them)."""
    modules, p = {}, {}
    for name, cls, d, h, g in LAYERS:
        m = cls(d, h, batch_first=True).double()
        b = float(np.float32(1.0 / np.sqrt(np.float32(h))))
        for suffix, shape in [("weight_ih", (g * h, d)), ("weight_hh", (g * h, h)),
                              ("bias_ih", (g * h,)), ("bias_hh", (g * h,))]:
            t = getattr(m, suffix + "_l0")
            with torch.no_grad():
                t.copy_(torch.from_numpy(nnrt_init(f"{name}.{suffix}", shape, "uniform",
                                                   SEED, (-b, b))).double())
            p[f"{name}.{suffix}"] = t
        modules[name] = m
    p["dense0.weight"] = torch.from_numpy(
        nnrt_init("dense0.weight", (5, 3), "glorot_uniform", SEED)).double().requires_grad_()
    p["dense0.bias"] = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    return modules, p


def forward(modules, p, x, h0):
    s, _ = modules["lstm0"](x)
    h = modules["gru0"](s)[0][:, -1]
    r, _ = modules["rnn0"](x, h0.unsqueeze(0))
    logits = h @ p["dense0.weight"] + p["dense0.bias"]
    return logits, r


def cmd_loops():
    print("[loops] lstm -> gru -> dense and rnn: forward at S = 7 and 4, two SGD steps")
    rng = np.random.default_rng(17)
    x = rng.uniform(-1, 1, (3, 7, 3)).astype(np.float32)
    x2 = rng.uniform(-1, 1, (2, 4, 3)).astype(np.float32)
    labels = np.array([2, 0, 1], np.int32)
    h0 = rng.uniform(-1, 1, (3, 2)).astype(np.float32)
    h02 = rng.uniform(-1, 1, (2, 2)).astype(np.float32)
    for name, a in [("loops_x", x), ("loops_x2", x2), ("loops_labels", labels),
                    ("loops_h0", h0), ("loops_h02", h02)]:
        write_npy(os.path.join(REFS_DIR, name + ".npy"), a)
    modules, p = init_params()
    lines = []
    for tag, a, a0 in [("s7", x, h0), ("s4", x2, h02)]:
        logits, r = forward(modules, p, torch.from_numpy(a).double(),
                            torch.from_numpy(a0).double())
        lines.append(f"probs_{tag}: {fmt9(F.softmax(logits, -1))}\n")
        lines.append(f"seq_{tag}: {fmt9(r)}\n")
    tx, tl = torch.from_numpy(x).double(), torch.from_numpy(labels).long()
    th0 = torch.from_numpy(h0).double()

    def loss_fn():
        logits, r = forward(modules, p, tx, th0)
        return F.cross_entropy(logits, tl) + r.mean()

    lines += sgd_trace(p, loss_fn, 2, LR)
    write_text(os.path.join(REFS_DIR, "loops_expected.txt"), "".join(lines))
