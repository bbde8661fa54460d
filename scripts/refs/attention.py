"""Attention ops, one by one, against PyTorch (make-references.py attnops).

Inputs are small random tensors (B=2, S=5, 2 heads of 8); the model is
test/e2e/Inputs/attention-ops.nn. nnc's conventions: masks are additive with -1e9
(PyTorch's masked_fill with -inf gives the same float32 probabilities where a row keeps
a key); layer_norm is torch.nn.functional.layer_norm over the last dim with weight
ones and bias zeros (the layer's initial parameters); the causal mask aligns the
queries with the last keys (square here: the lower triangle).
"""

import os

import numpy as np
import torch
import torch.nn.functional as F

from refs.common import REFS_DIR, fmt9, nnrt_init, sgd_trace, write_npy, write_text


def outputs(q, k, v, x, w, tokens):
    """The outputs of test/e2e/Inputs/attention-ops.nn, in float64."""
    s = q.shape[2]
    tq, tk, tv, tx, tw = (torch.from_numpy(a).double() for a in (q, k, v, x, w))
    out = {}
    scores = tq @ tk.transpose(-1, -2) * 0.35355339
    out["scores"] = scores
    causal = torch.triu(torch.ones(s, s, dtype=torch.bool), diagonal=1)
    out["causal"] = torch.softmax(scores.masked_fill(causal, -1e9), -1) @ tv
    pad = torch.from_numpy(tokens == 0)[:, None, None, :]
    out["padded"] = torch.softmax(scores.masked_fill(pad, -1e9), -1)
    out["kq"] = tk.transpose(-1, -2) @ tq
    out["proj"] = tx @ tw
    out["gram"] = tx @ tx.transpose(-1, -2)
    out["ln"] = F.layer_norm(tx, (16,), eps=1e-5)
    out["ge"] = F.gelu(tx)
    out["gt"] = F.gelu(tx, approximate="tanh")
    out["am"] = torch.argmax(tx, -1)
    out["mid"] = tx[:, :, 4:12]
    out["last"] = tx[:, -1:, :]
    out["joined"] = torch.cat([tx, tx @ tw], -1)
    b = x.shape[0]
    xh = tx.view(b, s, 4, 4).transpose(1, 2)  # split_heads(x, 4): [B, 4, S, 4]
    out["sh"] = xh
    hs = (xh @ xh.transpose(-1, -2) * 0.5).masked_fill(causal, -1e9)
    out["mh"] = (torch.softmax(hs, -1) @ xh).transpose(1, 2).reshape(b, s, 16)
    return out


def gradients(q, k, x, g, gx):
    """PyTorch's gradients of q k^T (for g), of x[..., 4:12] (for gx) and of a
    concatenation of 10 and 6 features (for x as the result gradient)."""
    tq, tk, tx, tg, tgx = (torch.from_numpy(a).double().requires_grad_() for a in (q, k, x, g, gx))
    out = {}
    out["dq"], out["dk"] = torch.autograd.grad(tq @ tk.transpose(-1, -2), (tq, tk), tg)
    (out["dslice"],) = torch.autograd.grad(tx[:, :, 4:12], (tx,), tgx)
    a, b = torch.zeros(2, 5, 10, dtype=torch.double, requires_grad=True), \
        torch.zeros(2, 5, 6, dtype=torch.double, requires_grad=True)
    out["dcat_a"], out["dcat_b"] = torch.autograd.grad(torch.cat([a, b], -1), (a, b), tx)
    return out


def inputs(rng, prefix, b, s, tokens):
    """Random inputs [B, 2, S, 8] and [B, S, 16], written as <prefix>_<name>.npy."""
    h, d = 2, 8
    arrays = {"q": rng.standard_normal((b, h, s, d)), "k": rng.standard_normal((b, h, s, d)),
              "v": rng.standard_normal((b, h, s, d)), "x": rng.standard_normal((b, s, 16)),
              "w": rng.standard_normal((16, 12))}
    arrays = {n: a.astype(np.float32) for n, a in arrays.items()}
    arrays["tokens"] = tokens
    for name, a in arrays.items():
        write_npy(os.path.join(REFS_DIR, f"{prefix}_{name}.npy"), a)
    return [arrays[n] for n in ("q", "k", "v", "x", "w", "tokens")]


def cmd_attnops():
    print("[attnops] batched matmul, masked softmax, layer_norm, gelu, argmax, slice, concat")
    rng = np.random.default_rng(12)
    # B=2, S=5 (narrower than a register tile); tokens 0 are padding.
    tokens = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 0]], dtype=np.int32)
    out = outputs(*inputs(rng, "attn", 2, 5, tokens))
    text = "".join(f"{name}: {fmt9(t)}\n" for name, t in out.items())
    write_text(os.path.join(REFS_DIR, "attention_ops_expected.txt"), text)
    # Gradient kernels (Inputs/attention-grads.mlir) on the first set's q, k and x.
    g = rng.standard_normal((2, 2, 5, 5)).astype(np.float32)
    gx = rng.standard_normal((2, 5, 8)).astype(np.float32)
    for name, a in [("attn_g", g), ("attn_gx", gx)]:
        write_npy(os.path.join(REFS_DIR, name + ".npy"), a)
    grads = gradients(*(np.load(os.path.join(REFS_DIR, f"attn_{n}.npy")) for n in "qkx"), g, gx)
    text = "".join(f"{name}: {fmt9(t)}\n" for name, t in grads.items())
    write_text(os.path.join(REFS_DIR, "attention_grads_expected.txt"), text)
    # B=1, S=19 (several tiles and a partial one), the same binary; a few outputs only.
    tokens = np.array([[5] * 15 + [0] * 4], dtype=np.int32)
    out = outputs(*inputs(rng, "attn19", 1, 19, tokens))
    text = "".join(f"{name}: {fmt9(out[name])}\n" for name in ("scores", "causal", "padded",
                                                                 "gram", "ln", "mh"))
    write_text(os.path.join(REFS_DIR, "attention_ops19_expected.txt"), text)


TRAIN_SEED = 1234
TRAIN_LR = 0.1
# test/e2e/Inputs/attention-train.nn: (name, shape, init) of its parameters.
TRAIN_PARAMS = [("layer_norm0.weight", (8,), "ones"), ("layer_norm0.bias", (8,), "zeros"),
                ("q.weight", (8, 8), "glorot_uniform"), ("q.bias", (8,), "zeros"),
                ("k.weight", (8, 8), "glorot_uniform"), ("k.bias", (8,), "zeros"),
                ("v.weight", (8, 8), "glorot_uniform"), ("v.bias", (8,), "zeros"),
                ("layer_norm1.weight", (8,), "ones"), ("layer_norm1.bias", (8,), "zeros"),
                ("fc.weight", (8, 16), "glorot_uniform"), ("fc.bias", (16,), "zeros"),
                ("proj.weight", (16, 8), "glorot_uniform"), ("proj.bias", (8,), "zeros"),
                ("head.weight", (8, 3), "glorot_uniform"), ("head.bias", (3,), "zeros")]


def attention_train_loss(p, x, labels):
    """The loss of test/e2e/Inputs/attention-train.nn: a pre-norm causal attention block
    with 2 heads and an exact-GELU MLP, the mean over positions, a dense head, cross-entropy."""
    b, s = x.shape[0], x.shape[1]
    h = F.layer_norm(x, (8,), p["layer_norm0.weight"], p["layer_norm0.bias"], 1e-5)
    # Two heads of 4: split_heads is view(B, S, 2, 4).transpose(1, 2).
    q, k, v = ((h @ p[f"{n}.weight"] + p[f"{n}.bias"]).view(b, s, 2, 4).transpose(1, 2)
               for n in "qkv")
    scores = q @ k.transpose(-1, -2) * 0.5
    causal = torch.triu(torch.ones(s, s, dtype=torch.bool), diagonal=1)
    o = torch.softmax(scores.masked_fill(causal, -1e9), -1) @ v
    a = x + o.transpose(1, 2).reshape(b, s, 8)
    n = F.layer_norm(a, (8,), p["layer_norm1.weight"], p["layer_norm1.bias"], 1e-5)
    y = a + F.gelu(n @ p["fc.weight"] + p["fc.bias"]) @ p["proj.weight"] + p["proj.bias"]
    logits = y.mean(1) @ p["head.weight"] + p["head.bias"]
    return F.cross_entropy(logits, labels)


def cmd_attntrain():
    print("[attntrain] two SGD steps of a causal attention block, libnnrt's initial weights")
    rng = np.random.default_rng(13)
    x = rng.standard_normal((3, 6, 8)).astype(np.float32)
    labels = np.array([2, 0, 1], dtype=np.int32)
    write_npy(os.path.join(REFS_DIR, "attn_train_x.npy"), x)
    write_npy(os.path.join(REFS_DIR, "attn_train_labels.npy"), labels)
    p = {name: torch.from_numpy(nnrt_init(name, shape, init, TRAIN_SEED)).double()
         .requires_grad_() for name, shape, init in TRAIN_PARAMS}
    tx, tl = torch.from_numpy(x).double(), torch.from_numpy(labels).long()
    lines = sgd_trace(p, lambda: attention_train_loss(p, tx, tl), 2, TRAIN_LR)
    write_text(os.path.join(REFS_DIR, "attention_train_expected.txt"), "".join(lines))
