"""Recurrent layers and the recurrent workloads in PyTorch (make-references.py recurrent,
w4, w6).

nnc's `rnn`, `gru` and `lstm` layers use PyTorch's formulas, gate order and parameter
layouts, so the references are torch.nn.RNN / GRU / LSTM (batch_first, one layer) with
the weights copied in: nnc's `L.weight_ih` is PyTorch's `weight_ih_l0`, and so on. A
`dense` layer is `x @ weight + bias` with weight [in, out] (torch.nn.Linear's transpose);
an `embedding` is `weight[ids]` with weight [vocab, dim], as torch.nn.Embedding.

  recurrent  layer parity: random weights, an input [3, 7, 5], the last state, every
             state and a dense head, and the gradients of two fixed losses, in float64
  w4         examples/{lstm,gru,rnn}.nn trained on nnc's own tokenization, split, init
             and batch order (nnrt-selftest dumps the data); the first 100 losses of the
             LSTM and the test accuracy of each cell
  w6         examples/lm.nn (word language model) trained for a fixed number of epochs;
             held-out perplexity

The text data comes from libnnrt itself: `nnrt-selftest text ...` prints a split's
examples (ids after tokenization, vocabulary and padding), found in $NNRT_SELFTEST, else
$NNC_BUILD_DIR/bin, else build/bin of this repository.
"""

import math
import os
import subprocess
import time

import numpy as np
import torch
import torch.nn as nn

from refs.common import (REFS_DIR, ROOT, fmt9, nnrt_init, write_loss_trace, write_npy,
                         write_safetensors, write_text)

FORTUNES = "/usr/share/games/fortunes"
CELLS = {"lstm": (nn.LSTM, 4), "gru": (nn.GRU, 3), "rnn": (nn.RNN, 1)}
PARAM_SUFFIXES = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]



# --------------------------------------------------------------------------- the data

def selftest_binary():
    for path in [os.environ.get("NNRT_SELFTEST", ""),
                 os.path.join(os.environ.get("NNC_BUILD_DIR", ""), "bin", "nnrt-selftest"),
                 os.path.join(ROOT, "build", "bin", "nnrt-selftest")]:
        if path and os.access(path, os.X_OK):
            return path
    raise SystemExit("nnrt-selftest not found: build nnc (scripts/build.sh) or set "
                     "NNRT_SELFTEST or NNC_BUILD_DIR")


def load_text(task, vocab, length, seed, split, categories, unit="words"):
    """A split of a fortunes dataset as libnnrt makes it: (ids int64 [N, S], targets
    int64 [N] (classify) or [N, S] (lm), header line). Parses the output of
    `nnrt-selftest text`: a header, the vocabulary, then `i: ids... -> targets...`."""
    out = subprocess.run([selftest_binary(), "text", FORTUNES, task, unit, str(vocab),
                          str(length), str(seed), split, categories],
                         check=True, capture_output=True, text=True).stdout
    lines = out.split("\n")
    header = lines[0]
    ids, targets = [], []
    for line in lines[2:]:
        if not line:
            continue
        left, right = line.split(" ->")
        ids.append([int(v) for v in left.split(":")[1].split()])
        targets.append([int(v) for v in right.split()])
    ids = torch.tensor(ids, dtype=torch.int64)
    targets = torch.tensor(targets, dtype=torch.int64)
    if task == "classify":
        targets = targets[:, 0]
    return ids, targets, header


def _splitmix64(state):
    """Generator of libnnrt's SplitMix64 outputs from the raw state (runtime/lib)."""
    mask = (1 << 64) - 1
    while True:
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        yield z ^ (z >> 31)


def epoch_order(n, seed, epoch):
    """The order in which `./m train` visits n examples in epoch `epoch` (0-based):
    Fisher-Yates over 0..n-1 with SplitMix64(seed * 1000003 + epoch)
    (runtime/driver/Train.cpp, shuffle)."""
    order = list(range(n))
    rng = _splitmix64((seed * 1000003 + epoch) & ((1 << 64) - 1))
    for i in range(n - 1, 0, -1):
        j = next(rng) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def batches(n, batch, seed, epochs, drop_last=False):
    """Index tensors of every step of the run: each epoch's order of all n examples cut
    into batches; the last one partial when the batch dim is symbolic, dropped (the
    order's last n % batch positions are not visited) when it is static."""
    end = n - n % batch if drop_last else n
    for epoch in range(epochs):
        order = torch.tensor(epoch_order(n, seed, epoch))
        for start in range(0, end, batch):
            yield order[start:start + batch]


# --------------------------------------------------------------------------- the models

def cell_from(kind, params, prefix, dtype):
    """torch.nn.LSTM/GRU/RNN (batch first) holding nnc's parameters `prefix.weight_ih` ..."""
    cls, gates = CELLS[kind]
    w = params[prefix + ".weight_ih"]
    cell = cls(w.shape[1], w.shape[0] // gates, batch_first=True).to(dtype)
    with torch.no_grad():
        for s in PARAM_SUFFIXES:
            getattr(cell, s + "_l0").copy_(torch.as_tensor(params[prefix + "." + s]))
    return cell


def cell_params(cell, prefix):
    return {prefix + "." + s: getattr(cell, s + "_l0") for s in PARAM_SUFFIXES}


def bce(p, t):
    """nnc's binary_cross_entropy: p clamped to [1e-7, 1 - 1e-7] (Keras), mean."""
    p = p.clamp(1e-7, 1 - 1e-7)
    return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()


class Classifier(nn.Module):
    """examples/{lstm,gru,rnn}.nn: embedding0 [V, 32] -> <cell>0 (32 units, last h) ->
    dense0 [32, 1] -> sigmoid: the probability of category 1 (songs-poems)."""

    def __init__(self, kind, params, dtype):
        super().__init__()
        self.kind = kind
        self.emb = nn.Parameter(torch.as_tensor(params["embedding0.weight"]).to(dtype).clone())
        self.cell = cell_from(kind, params, kind + "0", dtype)
        self.w = nn.Parameter(torch.as_tensor(params["dense0.weight"]).to(dtype).clone())
        self.b = nn.Parameter(torch.as_tensor(params["dense0.bias"]).to(dtype).clone())

    def forward(self, tokens):
        seq, _ = self.cell(self.emb[tokens])
        return torch.sigmoid(seq[:, -1] @ self.w + self.b)[:, 0]

    def nnc_params(self):
        return dict([("embedding0.weight", self.emb)] +
                    list(cell_params(self.cell, self.kind + "0").items()) +
                    [("dense0.weight", self.w), ("dense0.bias", self.b)])


# --------------------------------------------------------------------------- recurrent

REC_B, REC_S, REC_D, REC_H, REC_OUT = 3, 7, 5, 4, 2
REC_SEED = 21


def cmd_recurrent():
    print(f"[recurrent] rnn/gru/lstm layer parity: x [{REC_B}, {REC_S}, {REC_D}], "
          f"{REC_H} units, dense head {REC_OUT}; float64 from float32 weights")
    rng = np.random.default_rng(REC_SEED)
    x = rng.standard_normal((REC_B, REC_S, REC_D)).astype(np.float32)
    g_head = rng.standard_normal((REC_B, REC_OUT)).astype(np.float32)
    g_seq = rng.standard_normal((REC_B, REC_S, REC_H)).astype(np.float32)
    for name, a in [("rec_x", x), ("rec_g_head", g_head), ("rec_g_seq", g_seq)]:
        write_npy(os.path.join(REFS_DIR, name + ".npy"), a)
    for kind, (_, gates) in CELLS.items():
        g = gates * REC_H
        p = [(f"{kind}0.weight_ih", (g, REC_D)), (f"{kind}0.weight_hh", (g, REC_H)),
             (f"{kind}0.bias_ih", (g,)), (f"{kind}0.bias_hh", (g,)),
             ("dense0.weight", (REC_H, REC_OUT)), ("dense0.bias", (REC_OUT,))]
        # Weights U(-0.8, 0.8), a bit wider than PyTorch's init (0.5 for 4 units), so
        # that the gates are neither linear nor saturated.
        params = [(n, rng.uniform(-0.8, 0.8, s).astype(np.float32)) for n, s in p]
        write_safetensors(os.path.join(REFS_DIR, f"rec_{kind}.safetensors"), params)
        outs = {}
        for dtype in (torch.float64, torch.float32):
            pd = {n: torch.from_numpy(v) for n, v in params}
            cell = cell_from(kind, pd, kind + "0", dtype)
            w = pd["dense0.weight"].to(dtype).requires_grad_()
            b = pd["dense0.bias"].to(dtype).requires_grad_()
            seq, _ = cell(torch.from_numpy(x).to(dtype))
            last = seq[:, -1]
            head = last @ w + b
            cp = cell_params(cell, kind + "0")
            loss_last = (head * torch.from_numpy(g_head).to(dtype)).sum()
            d_last = torch.autograd.grad(loss_last, list(cp.values()) + [w, b],
                                         retain_graph=True)
            loss_seq = (seq * torch.from_numpy(g_seq).to(dtype)).sum()
            d_seq = torch.autograd.grad(loss_seq, list(cp.values()))
            outs[dtype] = {"last": last, "seq": seq, "head": head,
                           "loss_last": loss_last, "loss_seq": loss_seq}
            outs[dtype].update({f"dlast_{n}": d for n, d in zip(list(cp) + [
                "dense0.weight", "dense0.bias"], d_last)})
            outs[dtype].update({f"dseq_{n}": d for n, d in zip(cp, d_seq)})
        ref, f32 = outs[torch.float64], outs[torch.float32]
        for name in ("last", "seq", "head"):
            write_npy(os.path.join(REFS_DIR, f"rec_{kind}_{name}.npy"),
                      ref[name].detach().numpy().astype(np.float32))
        text = "".join(f"{n}: {fmt9(v)}\n" for n, v in ref.items())
        write_text(os.path.join(REFS_DIR, f"rec_{kind}_expected.txt"), text)
        worst = max(((f32[n].detach().double() - v.detach()).abs().max()
                     / v.detach().abs().max()).item() for n, v in ref.items())
        print(f"  {kind}: loss_last {ref['loss_last'].item():.9g} loss_seq "
              f"{ref['loss_seq'].item():.9g}; PyTorch float32 vs float64: max |diff| / "
              f"max |value| over all outputs and gradients {worst:.2e}")


# --------------------------------------------------------------------------- W4

W4_CATEGORIES = "computers songs-poems"
W4_VOCAB, W4_LENGTH, W4_DIM, W4_UNITS = 10000, 100, 32, 32
W4_BATCH, W4_LR, W4_SEED = 64, 1e-3, 0
W4_EPOCHS = 5
W4_LOSS_STEPS = 100


def w4_init(kind, seed):
    """What libnnrt initializes examples/<kind>.nn with for `seed` (bit for bit)."""
    g, bound = CELLS[kind][1] * W4_UNITS, 1.0 / math.sqrt(W4_UNITS)
    p = {"embedding0.weight": nnrt_init("embedding0.weight", (W4_VOCAB, W4_DIM),
                                        "uniform", seed, (-0.05, 0.05))}
    for s, shape in zip(PARAM_SUFFIXES, [(g, W4_DIM), (g, W4_UNITS), (g,), (g,)]):
        p[f"{kind}0.{s}"] = nnrt_init(f"{kind}0.{s}", shape, "uniform", seed,
                                      (-bound, bound))
    p["dense0.weight"] = nnrt_init("dense0.weight", (W4_UNITS, 1), "glorot_uniform", seed)
    p["dense0.bias"] = nnrt_init("dense0.bias", (1,), "zeros", seed)
    return p


def w4_train(kind, data, epochs, dtype=torch.float32, max_steps=None, log=None):
    """Trains examples/<kind>.nn as `./m train` would: libnnrt's init for the model's
    seed, each epoch in libnnrt's shuffled order, Adam (eps 1e-7), BCE. Returns the model
    and the losses of every step."""
    xtr, ytr, xte, yte = data
    model = Classifier(kind, w4_init(kind, W4_SEED), dtype)
    opt = torch.optim.Adam(model.parameters(), lr=W4_LR, betas=(0.9, 0.999), eps=1e-7)
    losses = []
    steps_per_epoch = math.ceil(len(xtr) / W4_BATCH)
    for step, idx in enumerate(batches(len(xtr), W4_BATCH, W4_SEED, epochs)):
        if max_steps is not None and step >= max_steps:
            break
        loss = bce(model(xtr[idx]), ytr[idx].to(dtype))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if log and (step + 1) % steps_per_epoch == 0:
            epoch = (step + 1) // steps_per_epoch
            n = steps_per_epoch
            print(f"  {kind} epoch {epoch}: mean loss {sum(losses[-n:]) / n:.4f}, "
                  f"test accuracy {w4_accuracy(model, xte, yte)[0]:.4f}")
    return model, losses


def w4_accuracy(model, x, y):
    """Accuracy of p > 0.5 (nnc's argmax of [1 - p, p]; a tie goes to class 0)."""
    with torch.no_grad():
        pred = (model(x) > 0.5).long()
    correct = int((pred == y).sum())
    return correct / len(y), correct


def w4_data():
    xtr, ytr, htr = load_text("classify", W4_VOCAB, W4_LENGTH, W4_SEED, "train",
                              W4_CATEGORIES)
    xte, yte, hte = load_text("classify", W4_VOCAB, W4_LENGTH, W4_SEED, "test",
                              W4_CATEGORIES)
    print(f"  train: {htr}\n  test: {hte}")
    return xtr, ytr, xte, yte


def cmd_w4():
    print(f"[w4] examples/{{lstm,gru,rnn}}.nn in PyTorch: fortunes '{W4_CATEGORIES}', vocab "
          f"{W4_VOCAB}, length {W4_LENGTH}, batch {W4_BATCH}, Adam {W4_LR} eps 1e-7, "
          f"seed {W4_SEED}, {W4_EPOCHS} epochs")
    data = w4_data()
    xtr, ytr, xte, yte = data
    majority = max(int((yte == 0).sum()), int((yte == 1).sum()))
    print(f"  test split: {len(yte)} entries, majority class {majority}/{len(yte)} = "
          f"{majority / len(yte):.4f}; training split: {int((ytr == 0).sum())} and "
          f"{int((ytr == 1).sum())}")

    # Loss parity: the first 100 steps of the LSTM from libnnrt's seed-0 init, in
    # libnnrt's order, in float64 (written) and float32 (compared). The float64 trace is
    # written because PyTorch's float32 one moves by ~1e-7 between runs (its CPU kernels'
    # summation order follows the thread count and more), while the float64 one is the
    # same to 17 digits.
    _, l32 = w4_train("lstm", data, 5, torch.float32, W4_LOSS_STEPS)
    _, l64 = w4_train("lstm", data, 5, torch.float64, W4_LOSS_STEPS)
    header = (f"# examples/lstm.nn, first {W4_LOSS_STEPS} losses (before each step's update),"
              f" float64 arithmetic from the float32 init; init: libnnrt's for seed "
              f"{W4_SEED}; batches: libnnrt's epoch orders for seed {W4_SEED} (23 steps an "
              f"epoch, the last of 9 examples); Adam lr {W4_LR} eps 1e-7\n")
    write_loss_trace(os.path.join(REFS_DIR, "w4_losses.txt"), header, l32, l64)

    lines = [f"# test accuracy after {W4_EPOCHS} epochs (seed {W4_SEED}, PyTorch "
             f"{torch.__version__}, float32): cell accuracy correct/total\n",
             f"majority {majority / len(yte):.4f} {majority}/{len(yte)}\n"]
    for kind in CELLS:
        t0 = time.time()
        model, _ = w4_train(kind, data, W4_EPOCHS, log=True)
        acc, correct = w4_accuracy(model, xte, yte)
        print(f"  {kind}: test accuracy {acc:.4f} ({correct}/{len(yte)}), "
              f"{time.time() - t0:.1f} s")
        lines.append(f"{kind} {acc:.4f} {correct}/{len(yte)}\n")
    write_text(os.path.join(REFS_DIR, "w4_accuracy.txt"), "".join(lines))



# --------------------------------------------------------------------------- W6

W6_VOCAB, W6_LENGTH, W6_DIM, W6_UNITS = 10000, 35, 64, 128
W6_BATCH, W6_LR, W6_SEED = 32, 1e-3, 0
W6_EPOCHS = 2


class LanguageModel(nn.Module):
    """examples/lm.nn: embedding0 [V, 64] -> lstm0 (128 units, every h) -> dense0
    [128, V]: the logits of the next token at every position."""

    def __init__(self, params):
        super().__init__()
        self.emb = nn.Parameter(torch.from_numpy(params["embedding0.weight"]).clone())
        self.cell = cell_from("lstm", params, "lstm0", torch.float32)
        self.w = nn.Parameter(torch.from_numpy(params["dense0.weight"]).clone())
        self.b = nn.Parameter(torch.from_numpy(params["dense0.bias"]).clone())

    def forward(self, tokens):
        seq, _ = self.cell(self.emb[tokens])
        return seq @ self.w + self.b


def w6_init(seed):
    bound = 1.0 / math.sqrt(W6_UNITS)
    g = 4 * W6_UNITS
    p = {"embedding0.weight": nnrt_init("embedding0.weight", (W6_VOCAB, W6_DIM), "uniform",
                                        seed, (-0.05, 0.05))}
    for s, shape in zip(PARAM_SUFFIXES, [(g, W6_DIM), (g, W6_UNITS), (g,), (g,)]):
        p["lstm0." + s] = nnrt_init("lstm0." + s, shape, "uniform", seed, (-bound, bound))
    p["dense0.weight"] = nnrt_init("dense0.weight", (W6_UNITS, W6_VOCAB), "glorot_uniform",
                                   seed)
    p["dense0.bias"] = nnrt_init("dense0.bias", (W6_VOCAB,), "zeros", seed)
    return p


def w6_evaluate(model, x, y):
    """(perplexity, accuracy): exp of the mean cross-entropy over every position of every
    window, and how often the argmax of the logits is the next token (what `./lm eval`
    prints for a fortunes_lm model)."""
    total, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), 256):
            logits = model(x[start:start + 256]).reshape(-1, W6_VOCAB)
            target = y[start:start + 256].reshape(-1)
            total += nn.functional.cross_entropy(logits, target, reduction="sum").item()
            correct += int((logits.argmax(-1) == target).sum())
    return math.exp(total / y.numel()), correct / y.numel()


def cmd_w6():
    print(f"[w6] examples/lm.nn in PyTorch: fortunes_lm (every category), vocab {W6_VOCAB}, "
          f"length {W6_LENGTH}, embedding {W6_DIM}, LSTM {W6_UNITS}, batch {W6_BATCH}, Adam "
          f"{W6_LR} eps 1e-7, seed {W6_SEED}, {W6_EPOCHS} epochs")
    xtr, ytr, htr = load_text("lm", W6_VOCAB, W6_LENGTH, W6_SEED, "train", "")
    xte, yte, hte = load_text("lm", W6_VOCAB, W6_LENGTH, W6_SEED, "test", "")
    print(f"  train: {htr.split(';')[0]}\n  test: {hte.split(';')[0]}")
    model = LanguageModel(w6_init(W6_SEED))
    opt = torch.optim.Adam(model.parameters(), lr=W6_LR, betas=(0.9, 0.999), eps=1e-7)
    lines = [f"# examples/lm.nn in PyTorch {torch.__version__} (make-references.py w6): "
             f"held-out perplexity exp(mean cross-entropy over all {yte.numel()} test "
             f"positions) and next-token accuracy (argmax), before training and after "
             f"each epoch\n"]
    ppl, acc = w6_evaluate(model, xte, yte)
    lines.append(f"initial {ppl:.2f} {acc:.4f}\n")
    print("  " + lines[-1].strip())
    steps_per_epoch = len(xtr) // W6_BATCH
    t0, run = time.time(), 0.0
    for step, idx in enumerate(batches(len(xtr), W6_BATCH, W6_SEED, W6_EPOCHS, True)):
        loss = nn.functional.cross_entropy(model(xtr[idx]).reshape(-1, W6_VOCAB),
                                           ytr[idx].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item()
        if (step + 1) % steps_per_epoch == 0:
            epoch = (step + 1) // steps_per_epoch
            ppl, acc = w6_evaluate(model, xte, yte)
            lines.append(f"epoch {epoch} {ppl:.2f} {acc:.4f}\n")
            print(f"  epoch {epoch}: mean training loss {run / steps_per_epoch:.4f} "
                  f"(perplexity {math.exp(run / steps_per_epoch):.1f}), held-out "
                  f"perplexity {ppl:.2f}, next-token accuracy {acc:.4f}, "
                  f"{time.time() - t0:.0f} s")
            run = 0.0
    write_text(os.path.join(REFS_DIR, "w6_perplexity.txt"), "".join(lines))
