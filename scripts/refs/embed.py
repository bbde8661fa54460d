"""Gather (embedding lookup) and its scatter-add gradient against PyTorch
(make-references.py embed).

nnc's gather gives a row of zeros for an index outside [0, V) and its gradient ignores
such positions; PyTorch's F.embedding rejects them, so the reference clamps the indices
and masks the rows out, which gives both behaviours through autograd. The embedding
layer's weight is [V, D] as in torch.nn.Embedding; the dense layer is `x @ W + b` with W
[in, out]. Initial weights are libnnrt's for seed 1234 (refs.common.nnrt_init), so none
are stored.
"""

import os

import numpy as np
import torch
import torch.nn.functional as F

from refs.common import REFS_DIR, fmt9, nnrt_init, sgd_trace, write_npy, write_text

TRAIN_SEED = 1234
TRAIN_LR = 0.5
VOCAB, DIM, CLASSES = 12, 4, 3


def gather(table, ids):
    """Rows of table at ids, zeros where an id is outside [0, V) (nnc's nn.gather)."""
    valid = (ids >= 0) & (ids < table.shape[0])
    rows = F.embedding(ids.clamp(0, table.shape[0] - 1), table)
    return torch.where(valid[..., None], rows, torch.zeros_like(rows))


def scatter_add(grad, ids, rows):
    """The gradient of gather w.r.t. the table for the result gradient `grad`."""
    table = torch.zeros(rows, grad.shape[-1], dtype=grad.dtype, requires_grad=True)
    (d,) = torch.autograd.grad(gather(table, ids), (table,), grad)
    return d



def model_loss(p, tokens, labels):
    """test/e2e/Inputs/embedding-train.nn: embedding -> flatten -> dense -> cross-entropy."""
    e = gather(p["embedding0.weight"], tokens)
    logits = e.reshape(e.shape[0], -1) @ p["dense0.weight"] + p["dense0.bias"]
    return F.cross_entropy(logits, labels)


def cmd_embed():
    print("[embed] gather and scatter_add kernels; two SGD steps of an embedding + dense")
    rng = np.random.default_rng(11)
    t = rng.standard_normal((7, 5)).astype(np.float32)
    ids = np.array([[3, 0, 3, -1, 6, 3], [7, 0, 100, 5, 5, 2]], np.int32)
    g = rng.standard_normal((2, 6, 5)).astype(np.float32)
    # A wide row (520 = 2 x 256 + 8: the scatter's parallel slices and a tail), values
    # in steps of 1/8 so that the file stays small and every sum is exact.
    tw = (np.round(rng.standard_normal((4, 520)) * 8) / 8).astype(np.float32)
    idw = np.array([[1, 3, 1], [-2, 1, 4]], np.int32)
    gw = (np.round(rng.standard_normal((2, 3, 520)) * 8) / 8).astype(np.float32)
    for name, a in [("emb_t", t), ("emb_ids", ids), ("emb_g", g), ("emb_tw", tw),
                    ("emb_idw", idw), ("emb_gw", gw)]:
        write_npy(os.path.join(REFS_DIR, name + ".npy"), a)
    tids, tidw = torch.from_numpy(ids).long(), torch.from_numpy(idw).long()
    tt, tg, ttw, tgw = (torch.from_numpy(a).double() for a in (t, g, tw, gw))
    out = {}
    out["gather"] = gather(tt, tids)
    out["gather_tanh"] = torch.tanh(gather(tt, tids))
    out["scatter"] = scatter_add(tg, tids, 7)
    out["gather_wide"] = gather(ttw, tidw)
    out["scatter_wide"] = scatter_add(tgw, tidw, 4)
    text = "".join(f"{name}: {fmt9(v)}\n" for name, v in out.items())
    write_text(os.path.join(REFS_DIR, "embed_ops_expected.txt"), text)

    # Training: two SGD steps on one batch with repeated ids and ids outside the
    # vocabulary (12, -1), in float64 from libnnrt's float32 initialization.
    tokens = np.array([[1, 5, 5, 11, 0], [5, 2, 12, -1, 1], [7, 7, 7, 3, 5],
                       [0, 9, 1, 5, 10]], np.int32)
    labels = np.array([0, 2, 1, 2], np.int32)
    write_npy(os.path.join(REFS_DIR, "emb_tokens.npy"), tokens)
    write_npy(os.path.join(REFS_DIR, "emb_labels.npy"), labels)
    init = {
        "embedding0.weight": nnrt_init("embedding0.weight", (VOCAB, DIM), "uniform",
                                       TRAIN_SEED, (-0.05, 0.05)),
        "dense0.weight": nnrt_init("dense0.weight", (5 * DIM, CLASSES), "glorot_uniform",
                                   TRAIN_SEED),
        "dense0.bias": nnrt_init("dense0.bias", (CLASSES,), "zeros", TRAIN_SEED),
    }
    p = {k: torch.from_numpy(v).double().requires_grad_() for k, v in init.items()}
    tt, tl = torch.from_numpy(tokens).long(), torch.from_numpy(labels).long()
    lines = sgd_trace(p, lambda: model_loss(p, tt, tl), 2, TRAIN_LR)
    write_text(os.path.join(REFS_DIR, "embed_train_expected.txt"), "".join(lines))
