"""W7: the small GPT of examples/gpt.nn in PyTorch, from libnnrt's init and data.

  w7     test/e2e/refs/w7_losses.txt      the first 100 losses (float64 arithmetic from
                                          the float32 init) of `./gpt train --no-shuffle`
  w7val  test/e2e/refs/w7_validation.txt  one epoch (987 steps) in float32, file order: the
                                          mean training loss and the held-out loss (mean
                                          cross-entropy over every test position)

The model, as nnc builds it from examples/gpt.nn (dense weights [in, out]):
  x = embedding0.weight[tokens] + pos                        [B, 64, 64]
  2 x Block (prefixes h0., h1.):
    h = layer_norm(x; ln1)                                   eps 1e-5
    q, k, v = h @ {q,k,v}.weight + bias, split_heads(., 4):  view(B, S, 4, 16).transpose(1, 2)
    a = x + merge_heads(softmax(q k^T * 0.25 + causal) v) @ proj.weight + proj.bias
    y = a + gelu(layer_norm(a; ln2) @ fc.weight + fc.bias) @ out.weight + out.bias  (exact gelu)
  logits = layer_norm(y; lnf) @ head.weight + head.bias      [B, 64, 96]
  loss = mean cross-entropy of logits against next (every position)
  AdamW(lr 3e-4, betas (0.9, 0.999), eps 1e-7, weight_decay 0.1 on the 2-D tensors, none
  on biases and layer norms), as nnc's adamw with decay_1d = 0 (p *= 1 - lr wd, then
  the Adam step).
  Learning rate (`warmup 100 schedule cosine`, nnrt_schedule_lr): step k of the run's K
  (one epoch: ceil(windows / 32) = 987 steps) at 3e-4 (k+1)/100 for k < 100, then at
  3e-4 (1 + cos(pi (k-100)/(K-100))) / 2 (LambdaLR, refs.common.lr_scheduler). The
  first 100 losses (w7) are all in the warm-up, but the schedule is the run's.
Data: fortunes_lm over characters (vocabulary of the 94 most frequent bytes of the
training split plus padding and out-of-vocabulary), windows of 64, batch 32 in file order
(`--no-shuffle`), from `nnrt-selftest text` (libnnrt's own tokenizer and windows).
Init: libnnrt's for seed 0 (refs.common.nnrt_init): embedding U(-0.05, 0.05), pos
U(-0.02, 0.02), dense Glorot-uniform weights and zero biases, layer norms ones and zeros.
"""

import os

import torch
import torch.nn.functional as F

from refs.common import REFS_DIR, lr_scheduler, nnrt_init, write_loss_trace, write_text
from refs.recurrent import load_text

W7_VOCAB, W7_LENGTH, W7_DIM, W7_HEADS, W7_FF, W7_BATCH = 96, 64, 64, 4, 256, 32
W7_SEED, W7_LR, W7_WD, W7_STEPS = 0, 3e-4, 0.1, 100
W7_WARMUP, W7_SCHEDULE = 100, "cosine"
BLOCKS = ["h0", "h1"]


def w7_init(seed):
    """Every parameter of examples/gpt.nn as libnnrt initialises it for `seed`."""
    d, f, v = W7_DIM, W7_FF, W7_VOCAB
    p = {"embedding0.weight": nnrt_init("embedding0.weight", (v, d), "uniform", seed,
                                        (-0.05, 0.05)),
         "pos": nnrt_init("pos", (W7_LENGTH, d), "uniform", seed, (-0.02, 0.02))}

    def dense(name, n_in, n_out):
        p[name + ".weight"] = nnrt_init(name + ".weight", (n_in, n_out), "glorot_uniform",
                                        seed)
        p[name + ".bias"] = nnrt_init(name + ".bias", (n_out,), "zeros", seed)

    def norm(name):
        p[name + ".weight"] = nnrt_init(name + ".weight", (d,), "zeros", seed) + 1
        p[name + ".bias"] = nnrt_init(name + ".bias", (d,), "zeros", seed)

    for b in BLOCKS:
        norm(b + ".ln1")
        for n in ["q", "k", "v", "proj"]:
            dense(f"{b}.{n}", d, d)
        norm(b + ".ln2")
        dense(b + ".fc", d, f)
        dense(b + ".out", f, d)
    norm("lnf")
    dense("head", d, v)
    return p


def w7_loss(p, tokens, targets):
    d, h = W7_DIM, W7_HEADS
    x = p["embedding0.weight"][tokens] + p["pos"]
    b, s, _ = x.shape
    causal = torch.triu(torch.full((s, s), -1e9, dtype=x.dtype), diagonal=1)

    def ln(t, name):
        return F.layer_norm(t, (d,), p[name + ".weight"], p[name + ".bias"], 1e-5)

    def dense(t, name):
        return t @ p[name + ".weight"] + p[name + ".bias"]

    def heads(t):
        return t.view(b, s, h, d // h).transpose(1, 2)

    for blk in BLOCKS:
        n = ln(x, blk + ".ln1")
        q, k, v = (heads(dense(n, f"{blk}.{c}")) for c in "qkv")
        att = torch.softmax(q @ k.transpose(-1, -2) * 0.25 + causal, dim=-1) @ v
        a = x + dense(att.transpose(1, 2).reshape(b, s, d), blk + ".proj")
        x = a + dense(F.gelu(dense(ln(a, blk + ".ln2"), blk + ".fc")), blk + ".out")
    logits = dense(ln(x, "lnf"), "head")
    return F.cross_entropy(logits.reshape(-1, W7_VOCAB), targets.reshape(-1))


def w7_losses(tokens, targets, dtype, steps=W7_STEPS, params=None):
    """The losses of the first `steps` steps of the run over `tokens` (one epoch of
    batches in file order: the schedule's length, whatever `steps` is)."""
    params = params if params is not None else {
        k: torch.tensor(v, dtype=dtype, requires_grad=True)
        for k, v in w7_init(W7_SEED).items()}
    # nanoGPT's groups (examples/gpt.nn's decay_1d = 0): decay on 2-D tensors only.
    groups = [{"params": [p for p in params.values() if p.dim() >= 2]},
              {"params": [p for p in params.values() if p.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=W7_LR, betas=(0.9, 0.999), eps=1e-7,
                            weight_decay=W7_WD)
    total = (len(tokens) + W7_BATCH - 1) // W7_BATCH
    sched = lr_scheduler(opt, W7_SCHEDULE, total, W7_WARMUP)
    losses = []
    for step in range(steps):
        rows = slice(step * W7_BATCH, (step + 1) * W7_BATCH)
        loss = w7_loss(params, tokens[rows], targets[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return losses


def cmd_w7val():
    print(f"[w7val] examples/gpt.nn in PyTorch, one epoch in file order (float32)")
    tokens, targets, _ = load_text("lm", W7_VOCAB, W7_LENGTH, W7_SEED, "train", "",
                                   unit="chars")
    xte, yte, header = load_text("lm", W7_VOCAB, W7_LENGTH, W7_SEED, "test", "",
                                 unit="chars")
    print(f"  test: {header}")
    params = {k: torch.tensor(v, requires_grad=True) for k, v in w7_init(W7_SEED).items()}
    steps = (len(tokens) + W7_BATCH - 1) // W7_BATCH
    losses = w7_losses(tokens, targets, torch.float32, steps, params)
    with torch.no_grad():
        total = sum(w7_loss(params, xte[i:i + 256], yte[i:i + 256]).item() *
                    yte[i:i + 256].numel() for i in range(0, len(xte), 256))
    val = total / yte.numel()
    print(f"  {steps} steps: mean training loss {sum(losses) / steps:.4f}, held-out loss "
          f"{val:.4f} (perplexity {torch.tensor(val).exp().item():.2f})")
    write_text(os.path.join(REFS_DIR, "w7_validation.txt"),
               f"# examples/gpt.nn in PyTorch {torch.__version__}, float32, one epoch of "
               f"{steps} steps in file order from libnnrt's seed-{W7_SEED} init, lr "
               f"warmed up over {W7_WARMUP} steps, then {W7_SCHEDULE} "
               f"(make-references.py w7val): mean training loss, held-out loss (mean "
               f"cross-entropy over all {yte.numel()} test positions)\n"
               f"{sum(losses) / steps:.4f} {val:.4f}\n")


def cmd_w7():
    print(f"[w7] examples/gpt.nn in PyTorch: fortunes_lm characters, vocab {W7_VOCAB}, "
          f"length {W7_LENGTH}, batch {W7_BATCH} in file order, AdamW {W7_LR} wd {W7_WD}, "
          f"warm-up {W7_WARMUP} then {W7_SCHEDULE}")
    tokens, targets, header = load_text("lm", W7_VOCAB, W7_LENGTH, W7_SEED, "train", "",
                                        unit="chars")
    print(f"  train: {header}")
    l32 = w7_losses(tokens, targets, torch.float32)
    l64 = w7_losses(tokens, targets, torch.float64)
    header = (f"# examples/gpt.nn, first {W7_STEPS} losses (before each step's update), "
              f"float64 arithmetic from the float32 init; init: libnnrt's for seed "
              f"{W7_SEED}; batches of {W7_BATCH} windows in file order; AdamW lr {W7_LR} "
              f"eps 1e-7 weight decay {W7_WD} on 2-D tensors; lr warmed up over "
              f"{W7_WARMUP} steps, then {W7_SCHEDULE} over the rest of the epoch\n")
    write_loss_trace(os.path.join(REFS_DIR, "w7_losses.txt"), header, l32, l64)
