"""W5: the date-translation seq2seq of examples/seq2seq.nn in PyTorch, from libnnrt's init
and data.

  w5     test/e2e/refs/w5_dates.txt     the first examples of both splits of `data dates`
                                        (this file's generator, which is libnnrt's:
                                        runtime/lib/Dates.cpp)
         test/e2e/refs/w5_losses.txt    the first 100 losses (float64 arithmetic from the
                                        float32 init) of `./seq2seq train`
  w5acc  test/e2e/refs/w5_accuracy.txt  the recipe's 10 epochs in float32: greedy
                                        exact-match accuracy on the held-out dates

The model, as nnc builds it from examples/seq2seq.nn (dense weights [in, out]):
  enc  = GRU_encoder(src_emb.weight[tokens])                       [B, 32, 128] every state
  prev = tgt_emb.weight[target] shifted right by one (zeros first) [B, 10, 32]
  dec  = GRU_decoder(prev, h0 = enc[:, -1])                        [B, 10, 128]
  a    = softmax((dec @ attn_weight) enc^T - 1e9 [tokens == 0])    [B, 10, 32]
  out  = tanh([a enc ; dec] @ combine.weight + combine.bias) @ out.weight + out.bias
  loss = mean cross-entropy against target; Adam(3e-3, eps 1e-7) with the rate decayed
  over the run's K = 10 x 313 planned steps by the cosine schedule (step k: lr (1 +
  cos(pi k / K)) / 2), batch 64, 10 epochs, libnnrt's shuffled order (the batch dim is
  symbolic: the last batch of an epoch is partial). With lr 1e-3 and no schedule the
  model stalls at training loss ~0.017 confusing january, june and july (0.90 exact
  match); 3e-3 with the decay gets past it.
Greedy decoding feeds each step's argmax back in as the next step's previous character.
"""

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from refs.common import REFS_DIR, lr_scheduler, nnrt_init, write_loss_trace, write_text
from refs.recurrent import _splitmix64, batches, cell_from, cell_params

W5_VOCAB, W5_SRC, W5_TGT, W5_EMB, W5_UNITS = 43, 32, 10, 32, 128
W5_SEED, W5_LR, W5_BATCH, W5_EPOCHS, W5_COUNT, W5_STEPS = 0, 3e-3, 64, 10, 20000, 100

ALPHABET = " ,-./0123456789abcdefghijklmnopqrstuvwxyz"
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
FIRST_DAY, DAYS, TEST_STREAM = -7305, 36524, 0xD1B54A32D192ED03


def civil(z):
    """Year, month, day of z days since 1970-01-01 (Hinnant's civil_from_days)."""
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def render(d, f):
    z = FIRST_DAY + d
    y, m, day = civil(z)
    month, weekday = MONTHS[m - 1], WEEKDAYS[((z % 7) + 11) % 7]
    src = [f"{day} {month} {y}", f"{day:02d}/{m:02d}/{y % 100:02d}",
           f"{weekday}, {month} {day}, {y}", f"{month} {day}, {y}",
           f"{day} {month[:3]} {y}", f"{day:02d}.{m:02d}.{y}",
           f"{month[:3]} {day} {y}", f"{weekday} {day} {month} {y}"][f]
    return src, f"{y:04d}-{m:02d}-{day:02d}"


def dates(split, count=W5_COUNT, seed=W5_SEED):
    """(sources, ISO targets) of `data dates(count)`'s split, as libnnrt generates them."""
    test = split == "test"
    n = max(count // 10, 1) if test else count
    rng = _splitmix64(seed ^ (TEST_STREAM if test else 0))
    out = []
    while len(out) < n:
        d = next(rng) % DAYS
        while (d % 10 == 7) != test:
            d = next(rng) % DAYS
        out.append(render(d, next(rng) % 8))
    return out


def encode(text, length):
    ids = [ALPHABET.index(c) + 2 if c in ALPHABET else 1 for c in text]
    return [0] * (length - len(ids)) + ids


def tensors(pairs):
    src = torch.tensor([encode(s, W5_SRC) for s, _ in pairs])
    tgt = torch.tensor([encode(t, W5_TGT) for _, t in pairs])
    return src, tgt


def w5_init(seed):
    """Every parameter of examples/seq2seq.nn as libnnrt initialises it for `seed`."""
    h, bound = W5_UNITS, 1.0 / math.sqrt(W5_UNITS)
    p = {}
    for emb in ["src_emb", "tgt_emb"]:
        p[emb + ".weight"] = nnrt_init(emb + ".weight", (W5_VOCAB, W5_EMB), "uniform", seed,
                                       (-0.05, 0.05))
    for cell in ["encoder", "decoder"]:
        for s, shape in [("weight_ih", (3 * h, W5_EMB)), ("weight_hh", (3 * h, h)),
                         ("bias_ih", (3 * h,)), ("bias_hh", (3 * h,))]:
            p[f"{cell}.{s}"] = nnrt_init(f"{cell}.{s}", shape, "uniform", seed,
                                         (-bound, bound))
    p["attn_weight"] = nnrt_init("attn_weight", (h, h), "glorot_uniform", seed)
    for name, n_in, n_out in [("combine", 2 * h, h), ("out", h, W5_VOCAB)]:
        p[name + ".weight"] = nnrt_init(name + ".weight", (n_in, n_out), "glorot_uniform",
                                        seed)
        p[name + ".bias"] = nnrt_init(name + ".bias", (n_out,), "zeros", seed)
    return p


class Seq2Seq(nn.Module):
    def __init__(self, params, dtype):
        super().__init__()
        t = {k: nn.Parameter(torch.as_tensor(v).to(dtype).clone()) for k, v in params.items()}
        self.src_emb, self.tgt_emb = t["src_emb.weight"], t["tgt_emb.weight"]
        self.encoder = cell_from("gru", params, "encoder", dtype)
        self.decoder = cell_from("gru", params, "decoder", dtype)
        self.attn = t["attn_weight"]
        self.cw, self.cb, self.ow, self.ob = (t["combine.weight"], t["combine.bias"],
                                              t["out.weight"], t["out.bias"])

    def encode(self, tokens):
        enc, _ = self.encoder(self.src_emb[tokens])
        mask = (tokens == 0).to(enc.dtype)[:, None, :] * -1e9
        return enc, mask

    def step_out(self, dec, enc, mask):
        a = torch.softmax((dec @ self.attn) @ enc.transpose(1, 2) + mask, dim=-1)
        return torch.tanh(torch.cat([a @ enc, dec], -1) @ self.cw + self.cb) @ self.ow + self.ob

    def forward(self, tokens, target):
        enc, mask = self.encode(tokens)
        prev = F.pad(self.tgt_emb[target][:, :-1], (0, 0, 1, 0))
        dec, _ = self.decoder(prev, enc[:, -1:].transpose(0, 1).contiguous())
        return self.step_out(dec, enc, mask)

    @torch.no_grad()
    def greedy(self, tokens):
        enc, mask = self.encode(tokens)
        h = enc[:, -1:].transpose(0, 1).contiguous()
        x = torch.zeros(tokens.shape[0], 1, W5_EMB, dtype=enc.dtype)
        out = []
        for _ in range(W5_TGT):
            dec, h = self.decoder(x, h)
            tok = self.step_out(dec, enc, mask).argmax(-1)
            out.append(tok)
            x = self.tgt_emb[tok]
        return torch.cat(out, 1)

    def nnc_params(self):
        return dict([("src_emb.weight", self.src_emb), ("tgt_emb.weight", self.tgt_emb),
                     ("attn_weight", self.attn)] +
                    list(cell_params(self.encoder, "encoder").items()) +
                    list(cell_params(self.decoder, "decoder").items()) +
                    [("combine.weight", self.cw), ("combine.bias", self.cb),
                     ("out.weight", self.ow), ("out.bias", self.ob)])


def w5_train(dtype, epochs=W5_EPOCHS, max_steps=None, log=False):
    xtr, ytr = tensors(dates("train"))
    model = Seq2Seq(w5_init(W5_SEED), dtype)
    opt = torch.optim.Adam(model.parameters(), lr=W5_LR, betas=(0.9, 0.999), eps=1e-7)
    losses = []
    per_epoch = math.ceil(len(xtr) / W5_BATCH)
    sched = lr_scheduler(opt, "cosine", epochs * per_epoch)
    for step, idx in enumerate(batches(len(xtr), W5_BATCH, W5_SEED, epochs)):
        if max_steps is not None and step >= max_steps:
            break
        logits = model(xtr[idx], ytr[idx])
        loss = F.cross_entropy(logits.reshape(-1, W5_VOCAB), ytr[idx].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if log and (step + 1) % per_epoch == 0:
            print(f"  epoch {(step + 1) // per_epoch}: mean loss "
                  f"{sum(losses[-per_epoch:]) / per_epoch:.4f}, exact match "
                  f"{w5_accuracy(model)[0]:.4f}", flush=True)
    return model, losses


def w5_accuracy(model):
    xte, yte = tensors(dates("test"))
    pred = torch.cat([model.greedy(xte[i:i + 256]) for i in range(0, len(xte), 256)])
    right = int((pred == yte).all(1).sum())
    return right / len(yte), right, len(yte)


def cmd_w5():
    print(f"[w5] examples/seq2seq.nn in PyTorch: data dates({W5_COUNT}), batch {W5_BATCH}, "
          f"Adam {W5_LR}")
    lines = ["# the first 5 examples of each split of `data dates(count = 20000)`, seed 0 "
             "(make-references.py w5): source -> ISO date\n"]
    for split in ["train", "test"]:
        lines += [f"{split} {s} -> {t}\n" for s, t in dates(split)[:5]]
    write_text(os.path.join(REFS_DIR, "w5_dates.txt"), "".join(lines))
    _, l32 = w5_train(torch.float32, max_steps=W5_STEPS)
    _, l64 = w5_train(torch.float64, max_steps=W5_STEPS)
    header = (f"# examples/seq2seq.nn, first {W5_STEPS} losses (before each step's update), "
              f"float64 arithmetic from the float32 init; init: libnnrt's for seed "
              f"{W5_SEED}; batches of {W5_BATCH} in libnnrt's shuffled order; Adam lr "
              f"{W5_LR} eps 1e-7, cosine decay over {W5_EPOCHS} epochs\n")
    write_loss_trace(os.path.join(REFS_DIR, "w5_losses.txt"), header, l32, l64)


def cmd_w5acc():
    print(f"[w5acc] examples/seq2seq.nn in PyTorch, {W5_EPOCHS} epochs (float32)")
    model, losses = w5_train(torch.float32, log=True)
    acc, right, n = w5_accuracy(model)
    print(f"  greedy exact match on the held-out dates: {acc:.4f} ({right}/{n})")
    write_text(os.path.join(REFS_DIR, "w5_accuracy.txt"),
               f"# examples/seq2seq.nn in PyTorch {torch.__version__}, float32, "
               f"{W5_EPOCHS} epochs from libnnrt's seed-{W5_SEED} init in its shuffled "
               f"order (make-references.py w5acc): greedy exact-match accuracy on the "
               f"{n} held-out dates, number right\n{acc:.4f} {right}\n")
