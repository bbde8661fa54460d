#!/usr/bin/env python3
"""The PyTorch peers of bench/run.sh: W1 (examples/mlp.nn), W2 (examples/cnn.nn,
examples/cnn32.nn), W3 (examples/dcgan.nn) and W4 (examples/lstm.nn), each written the way
a PyTorch user would write it.

Models, exactly as the .nn files (layer sizes, activations, dropout, standardisation
(x - 0.2860) / 0.3530); inference returns softmax(logits) (eval mode, no_grad); a
training step is zero_grad, forward, cross-entropy (mean over the batch), backward,
Adam(lr 1e-3) step. Inputs are NHWC images [B, 28, 28, 1] (W1: [B, 28, 28]) with U(0, 1)
pixels, as nnc's executables take them, and labels uniform in 0..9. Two threads.
  mlp    Flatten -> Linear 784x128 -> ReLU -> Dropout 0.2 -> Linear 128x10
  cnn    nn.Conv2d 1->32 5x5 pad 2, ReLU, MaxPool 2, Conv2d 32->64 5x5 pad 2, ReLU,
         MaxPool 2, Flatten, Linear 3136x1024, ReLU, Dropout 0.4, Linear 1024x10
  cnn32  pad 2 + repeat the channel to 32x32x3, Conv2d 3->32 3x3, ReLU, MaxPool 2,
         Conv2d 32->64 3x3, ReLU, MaxPool 2, Conv2d 64->64 3x3, ReLU, Flatten,
         Linear 1024x64, ReLU, Linear 64x10
The CNNs take the NHWC images as NCHW through a permute (a view; PyTorch's convolutions
want NCHW or channels_last).
  lstm   W4: nn.Embedding 10000x32, nn.LSTM(32, 32, batch_first) (cuDNN-style fused
         cell on CPU), last hidden state, Linear 32x1, sigmoid. Inputs: token ids [B, 100]
         uniform in 0..9999 (int64, as nn.Embedding wants), labels 0/1. Inference returns
         [1 - p, p] as examples/lstm.nn's `probs`; the training step is BCE of p
         (F.binary_cross_entropy, mean) and Adam(lr 1e-3).
  dcgan  Generator and Discriminator of examples/dcgan.nn (GanContender); its tasks are
         `gan` (one iteration at the batch: nnc's d_step then g_step) and `infer` (the
         generator's sample), not `train`; BCE is F.binary_cross_entropy, Adam(lr 1e-4,
         eps 1e-7) as nnc's.

Modes (each contender is one (interpreter, mode) pair):
  eager          plain PyTorch, torch.optim.Adam with its defaults (NCHW activations)
  channels_last  eager with the model and the images in channels_last memory format
                 (NHWC underneath; the CNNs and the DCGAN: oneDNN's preferred layout)
  eager-foreach  eager with Adam(foreach=True) (multi-tensor kernels; training only)
  eager-fused    eager with Adam(fused=True) (PyTorch >= 2.4 on CPU; training only)
  compile        torch.compile (PyTorch 2.x): the module for inference; for training the
                 module and, separately, the optimizer step (default Adam), as in the
                 "compiling the optimizer" recipe
For inference the eager-* modes are the same program as eager.

Usage:
  peers.py [--models mlp,cnn] [--modes eager,compile] [--iters N] [--repeats R]
      standalone: times every model and mode, inference at batch 1/64 (and 256 for mlp)
      and a training step at batch 64, prints one JSON line per (model, mode, task,
      batch) with the median of R repeats.
  peers.py --serve
      for bench/run.py: reads commands `MODEL MODE TASK BATCH ITERS WARMUP` (TASK =
      infer|train, or gan|infer for dcgan) on stdin and answers each with one JSON line {"ok", "ms" (median per
      call), ...}, so that the driver can interleave contenders while each keeps its warm
      state (compiled graphs, thread pools). `quit` ends it.
Every JSON line carries the interpreter, torch version and the thread count. A failure
(for example torch.compile not working) is reported as {"ok": false, "error": ...} and the
process carries on with the other modes.
"""
import argparse
import json
import statistics
import sys
import time
import traceback

import torch
import torch.nn as nn
import torch.nn.functional as F

THREADS = 2
torch.set_num_threads(THREADS)
# Where the peers run: "cpu" (bench/run.sh), or "cuda" (bench/gpu/run.sh: --device cuda,
# for the models of Contender; TF32 off, as nnc computes in f32).
DEVICE = torch.device("cpu")
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass


# Adam keyword arguments per mode.
MODES = {"eager": {}, "channels_last": {}, "eager-foreach": {"foreach": True},
         "eager-fused": {"fused": True}, "compile": {}}


class Standardise(nn.Module):
    """(x - mean) / std of the training pixels, as the first line of examples/mlp.nn."""

    def forward(self, x):
        return (x - 0.2860) / 0.3530


class ToNCHW(nn.Module):
    """NHWC images [B, H, W, C] as PyTorch's NCHW (a view: channels_last strides)."""

    def forward(self, x):
        return x.permute(0, 3, 1, 2)


class Pad32(nn.Module):
    """examples/cnn32.nn's input: pad 2 pixels on every side, repeat the channel 3 times."""

    def forward(self, x):
        return F.pad(x, (2, 2, 2, 2)).repeat(1, 3, 1, 1)


def make_model(name):
    torch.manual_seed(0)
    if name == "mlp":
        return nn.Sequential(Standardise(), nn.Flatten(), nn.Linear(784, 128), nn.ReLU(),
                             nn.Dropout(0.2), nn.Linear(128, 10))
    if name == "cnn":
        return nn.Sequential(
            Standardise(), ToNCHW(),
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 1024), nn.ReLU(), nn.Dropout(0.4),
            nn.Linear(1024, 10))
    if name == "cnn32":
        return nn.Sequential(
            ToNCHW(), Pad32(), Standardise(),
            nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3), nn.ReLU(),
            nn.Flatten(), nn.Linear(1024, 64), nn.ReLU(), nn.Linear(64, 10))
    if name == "lstm":
        return TextLSTM()
    if name == "gpt":
        return TinyGPT()
    raise RuntimeError("unknown model %s" % name)


class GPTBlock(nn.Module):
    """One block of examples/gpt.nn: LayerNorm, causal self-attention (4 heads of 16; q, k
    and v from one Linear, as nanoGPT writes it; F.scaled_dot_product_attention where
    PyTorch has it), residual, LayerNorm, Linear 256, exact GELU, Linear 64, residual."""

    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(64), nn.LayerNorm(64)
        self.qkv, self.proj = nn.Linear(64, 192), nn.Linear(64, 64)
        self.fc, self.out = nn.Linear(64, 256), nn.Linear(256, 64)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, s, 3, 4, 16).permute(2, 0, 3, 1, 4)
        if hasattr(F, "scaled_dot_product_attention"):
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            mask = torch.triu(torch.full((s, s), float("-inf")), 1)
            a = torch.softmax(q @ k.transpose(-1, -2) * 0.25 + mask, dim=-1) @ v
        x = x + self.proj(a.transpose(1, 2).reshape(b, s, d))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class TinyGPT(nn.Module):
    """W7 (examples/gpt.nn): byte embedding 96x64 plus a position embedding [64, 64], two
    blocks, LayerNorm, Linear to 96: the logits [B, 64, 96]."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(96, 64)
        self.pos = nn.Parameter(torch.zeros(64, 64))
        self.blocks = nn.ModuleList([GPTBlock(), GPTBlock()])
        self.lnf, self.head = nn.LayerNorm(64), nn.Linear(64, 96)

    def forward(self, tokens):
        x = self.emb(tokens) + self.pos
        for block in self.blocks:
            x = block(x)
        return self.head(self.lnf(x))


SAMPLE_TOKENS = 63  # W7's "sample" task: positions 0 .. 62 of the window of 64


@torch.no_grad()
def sample_with_cache(model, tokens=SAMPLE_TOKENS):
    """Greedy generation with a TinyGPT, one position per step from a key/value cache of
    each block's keys and values (the loop PyTorch users write: nanoGPT-style blocks,
    F.scaled_dot_product_attention over the cache's filled part, no mask needed), from
    token 0 at position 0; the softmax of the last logits and its argmax choose the next
    token, as `generate` does. Returns the tokens."""
    blocks = model.blocks
    ks = [torch.zeros(1, 4, 64, 16, device=DEVICE) for _ in blocks]
    vs = [torch.zeros(1, 4, 64, 16, device=DEVICE) for _ in blocks]
    tok = torch.zeros(1, 1, dtype=torch.long, device=DEVICE)
    out = []
    for t in range(tokens):
        x = model.emb(tok) + model.pos[t]
        for i, blk in enumerate(blocks):
            q, k, v = blk.qkv(blk.ln1(x)).view(1, 1, 3, 4, 16).permute(2, 0, 3, 1, 4)
            ks[i][:, :, t:t + 1] = k
            vs[i][:, :, t:t + 1] = v
            kc, vc = ks[i][:, :, :t + 1], vs[i][:, :, :t + 1]
            if hasattr(F, "scaled_dot_product_attention"):
                a = F.scaled_dot_product_attention(q, kc, vc)
            else:
                a = torch.softmax(q @ kc.transpose(-1, -2) * 0.25, dim=-1) @ vc
            x = x + blk.proj(a.transpose(1, 2).reshape(1, 1, 64))
            x = x + blk.out(F.gelu(blk.fc(blk.ln2(x))))
        probs = torch.softmax(model.head(model.lnf(x)), dim=-1)
        tok = probs[:, -1].argmax(dim=-1, keepdim=True)
        out.append(tok)
    return out


class TextLSTM(nn.Module):
    """W4 (examples/lstm.nn): the logit of P(label 1), [B, 1]."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10000, 32)
        self.lstm = nn.LSTM(32, 32, batch_first=True)
        self.dense = nn.Linear(32, 1)

    def forward(self, tokens):
        seq, _ = self.lstm(self.emb(tokens))
        return self.dense(seq[:, -1])


class Infer(nn.Module):
    """Inference graph: the eval-mode model followed by softmax (W4: [1 - p, p] of the
    sigmoid, as examples/lstm.nn's `probs`)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        if isinstance(self.model, TextLSTM):
            p = torch.sigmoid(self.model(x))
            return torch.cat([1 - p, p], dim=-1)
        return F.softmax(self.model(x), dim=-1)


# ---- W3: the DCGAN of examples/dcgan.nn --------------------------------------------

class Generator(nn.Module):
    """examples/dcgan.nn's Generator: Dense 100->6272, reshape 7x7x128 (NHWC, as nnc),
    ConvTranspose 128 k5 s1, 2x ConvTranspose 128 k5 s2 (to 28x28), LeakyReLU 0.2 after
    each, Conv 1 k5, tanh. Keras' 'same' for the stride-2 transposed convolutions is
    ConvTranspose2d(padding=2, output_padding=1) here (the same shapes; timing only)."""

    def __init__(self, channels_last=False):
        super().__init__()
        self.channels_last = channels_last
        self.dense = nn.Linear(100, 6272)
        self.net = nn.Sequential(
            nn.ConvTranspose2d(128, 128, 5, stride=1, padding=2), nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(128, 128, 5, stride=2, padding=2, output_padding=1),
            nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(128, 128, 5, stride=2, padding=2, output_padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(128, 1, 5, padding=2), nn.Tanh())

    def forward(self, z):
        # reshape to [B, 7, 7, 128] as nnc does; the permute is a view with channels_last
        # strides, made NCHW-contiguous unless the mode is channels_last.
        h = self.dense(z).view(-1, 7, 7, 128).permute(0, 3, 1, 2)
        if not self.channels_last:
            h = h.contiguous()
        return self.net(h)


class Discriminator(nn.Module):
    """examples/dcgan.nn's Discriminator on NCHW images: Conv 128 k5 same, 2x Conv 128 k5
    s2 same, each with LeakyReLU 0.2 and Dropout 0.3, Flatten, Dense 6272->1, sigmoid."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 128, 5, padding=2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
            nn.Conv2d(128, 128, 5, stride=2, padding=2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
            nn.Conv2d(128, 128, 5, stride=2, padding=2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
            nn.Flatten(), nn.Linear(6272, 1), nn.Sigmoid())

    def forward(self, x):
        return self.net(x)


class GanContender:
    """Warm state of the DCGAN in one mode. Tasks:
      gan    one iteration at the batch, as examples/dcgan.nn's d_step then g_step:
             D step: z ~ N(0, 1), fake = G(z) under no_grad (detached), BCE(D(2x - 1), 1)
             + BCE(D(fake), 0), backward, Adam step of D; G step: D frozen
             (requires_grad off, as nnc's g_step computes no gradient of D), a new z,
             BCE(D(G(z)), 1), backward, Adam step of G. Adam(lr 1e-4, eps 1e-7), one
             optimizer each; D in training mode (dropout 0.3).
      infer  the generator's sample: z ~ N(0, 1), G(z) in eval mode under no_grad."""

    def __init__(self, mode):
        self.mode = mode
        self.inputs = {}
        cl = mode == "channels_last"
        torch.manual_seed(0)
        self.G = Generator(cl).train()
        self.D = Discriminator().train()
        self.G_infer = Generator(cl).eval()
        if cl:
            self.G = self.G.to(memory_format=torch.channels_last)
            self.D = self.D.to(memory_format=torch.channels_last)
            self.G_infer = self.G_infer.to(memory_format=torch.channels_last)
        kw = dict(lr=1e-4, eps=1e-7, **MODES[mode])
        self.opt_d = torch.optim.Adam(self.D.parameters(), **kw)
        self.opt_g = torch.optim.Adam(self.G.parameters(), **kw)
        self.g, self.d, self.g_infer = self.G, self.D, self.G_infer
        self.step_d, self.step_g = self.opt_d.step, self.opt_g.step
        if mode == "compile":
            self.g = torch.compile(self.G, dynamic=False)
            self.d = torch.compile(self.D, dynamic=False)
            self.g_infer = torch.compile(self.G_infer, dynamic=False)

            @torch.compile(fullgraph=False)
            def step_d():
                self.opt_d.step()

            @torch.compile(fullgraph=False)
            def step_g():
                self.opt_g.step()

            self.step_d, self.step_g = step_d, step_g

    def batch(self, b):
        if b not in self.inputs:
            gen = torch.Generator().manual_seed(b)
            x = torch.rand(b, 28, 28, 1, generator=gen).permute(0, 3, 1, 2)  # NHWC as NCHW
            if self.mode == "channels_last":
                x = x.contiguous(memory_format=torch.channels_last)
            self.inputs[b] = (x, torch.ones(b, 1), torch.zeros(b, 1))
        return self.inputs[b]

    def set_d_trainable(self, on):
        for p in self.D.parameters():
            p.requires_grad_(on)

    def gan(self, b):
        x, ones, zeros = self.batch(b)
        # D step
        self.set_d_trainable(True)
        self.opt_d.zero_grad(set_to_none=True)
        with torch.no_grad():
            fake = self.g(torch.randn(b, 100))
        loss_d = (F.binary_cross_entropy(self.d(x * 2 - 1), ones)
                  + F.binary_cross_entropy(self.d(fake), zeros))
        loss_d.backward()
        self.step_d()
        # G step through the frozen D
        self.set_d_trainable(False)
        self.opt_g.zero_grad(set_to_none=True)
        loss_g = F.binary_cross_entropy(self.d(self.g(torch.randn(b, 100))), ones)
        loss_g.backward()
        self.step_g()
        return loss_d, loss_g

    def infer(self, b):
        with torch.no_grad():
            return self.g_infer(torch.randn(b, 100))

    def time(self, task, batch, iters, warmup):
        if task not in ("gan", "infer"):
            raise RuntimeError("dcgan tasks are gan and infer, not %s" % task)
        return time_calls(self.infer if task == "infer" else self.gan, batch, iters, warmup)


def time_calls(fn, batch, iters, warmup):
    """`warmup` untimed calls of fn(batch), then the median and minimum of `iters` timed
    ones, in ms."""
    for _ in range(warmup):
        fn(batch)
    sync = torch.cuda.synchronize if DEVICE.type == "cuda" else (lambda: None)
    sync()
    ts = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn(batch)
        sync()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3, min(ts) * 1e3


def has_compile():
    return hasattr(torch, "compile") and int(torch.__version__.split(".")[0]) >= 2


class Contender:
    """Warm state of one (model, mode): modules, optimizer, compiled callables, inputs."""

    def __init__(self, model, mode):
        self.mode = mode
        if mode not in MODES:
            raise RuntimeError("unknown mode %s" % mode)
        if mode == "compile" and not has_compile():
            raise RuntimeError("torch.compile needs PyTorch 2.x (this is %s)" % torch.__version__)
        if mode == "channels_last" and model in ("mlp", "lstm", "gpt"):
            raise RuntimeError("channels_last is for the CNNs")
        self.model = model
        self.inputs = {}
        # Inference model (eval: dropout off).
        self.infer_model = Infer(make_model(model)).eval().to(DEVICE)
        # Training model (train mode: dropout on), Adam lr 1e-3.
        self.train_model = make_model(model).train().to(DEVICE)
        if mode == "channels_last":
            self.infer_model = self.infer_model.to(memory_format=torch.channels_last)
            self.train_model = self.train_model.to(memory_format=torch.channels_last)
        self.infer_fn = self.infer_model
        # W7 trains with AdamW (examples/gpt.nn's optimizer), the others with Adam.
        optimizer = torch.optim.AdamW if model == "gpt" else torch.optim.Adam
        self.opt = optimizer(self.train_model.parameters(), lr=1e-3, **MODES[mode])
        self.fwd = self.train_model
        self.opt_step = self.opt.step
        if mode == "compile":
            self.infer_fn = torch.compile(self.infer_model, dynamic=False)
            self.fwd = torch.compile(self.train_model, dynamic=False)

            @torch.compile(fullgraph=False)
            def opt_step():
                self.opt.step()

            self.opt_step = opt_step

    def batch(self, b):
        if b not in self.inputs:
            self.inputs[b] = tuple(t.to(DEVICE) for t in self.make_batch(b))
        return self.inputs[b]

    def make_batch(self, b):
        """The inputs at batch b, made on the CPU (the same numbers on every device)."""
        gen = torch.Generator().manual_seed(b)
        if self.model == "gpt":
            x = torch.randint(0, 96, (b, 64), generator=gen)
            return x, torch.randint(0, 96, (b, 64), generator=gen)
        if self.model == "lstm":
            x = torch.randint(0, 10000, (b, 100), generator=gen)
            return x, torch.randint(0, 2, (b, 1), generator=gen).float()
        shape = (b, 28, 28) if self.model == "mlp" else (b, 28, 28, 1)
        x = torch.rand(*shape, generator=gen)
        return x, torch.randint(0, 10, (b,), generator=gen)

    def infer(self, batch):
        x, _ = self.batch(batch)
        with torch.no_grad():
            return self.infer_fn(x)

    def train(self, batch):
        x, y = self.batch(batch)
        self.opt.zero_grad(set_to_none=True)
        if self.model == "lstm":
            loss = F.binary_cross_entropy(torch.sigmoid(self.fwd(x)), y)
        elif self.model == "gpt":
            loss = F.cross_entropy(self.fwd(x).reshape(-1, 96), y.reshape(-1))
        else:
            loss = F.cross_entropy(self.fwd(x), y)
        loss.backward()
        self.opt_step()
        return loss

    def time(self, task, batch, iters, warmup):
        if task == "sample":
            if self.model != "gpt" or batch != 1 or self.mode != "eager":
                raise RuntimeError("sample is W7's key/value-cache loop at batch 1, eager")
            med, mn = time_calls(lambda b: sample_with_cache(self.infer_model.model), batch,
                                 iters, warmup)
            return med / SAMPLE_TOKENS, mn / SAMPLE_TOKENS
        return time_calls(self.infer if task == "infer" else self.train, batch, iters, warmup)


def tag():
    return {
        "python": sys.executable,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }


class Pool:
    """Contenders created on first use; a mode whose setup failed keeps its error."""

    def __init__(self):
        self.c = {}

    def get(self, model, mode):
        if (model, mode) not in self.c:
            try:
                if mode not in MODES:
                    raise RuntimeError("unknown mode %s" % mode)
                if mode == "compile" and not has_compile():
                    raise RuntimeError("torch.compile needs PyTorch 2.x (this is %s)" % torch.__version__)
                if model == "dcgan":
                    self.c[model, mode] = GanContender(mode)
                else:
                    self.c[model, mode] = Contender(model, mode)
            except Exception as e:  # noqa: BLE001 - reported, not fatal
                self.c[model, mode] = e
        return self.c[model, mode]

    def run(self, model, mode, task, batch, iters, warmup):
        out = dict(tag(), model=model, mode=mode, task=task, batch=batch)
        c = self.get(model, mode)
        if isinstance(c, Exception):
            return dict(out, ok=False, error="%s: %s" % (type(c).__name__, c))
        try:
            med, mn = c.time(task, batch, iters, warmup)
            return dict(out, ok=True, ms=med, min_ms=mn, iters=iters)
        except Exception as e:  # noqa: BLE001
            msg = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e) else "")
            traceback.print_exc(file=sys.stderr)
            # Do not retry a broken mode for every command.
            self.c[model, mode] = RuntimeError(msg)
            return dict(out, ok=False, error=msg)


def serve():
    pool = Pool()
    print(json.dumps(dict(tag(), ready=True, compile=has_compile())), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        model, mode, task = parts[0], parts[1], parts[2]
        batch, iters, warmup = int(parts[3]), int(parts[4]), int(parts[5])
        print(json.dumps(pool.run(model, mode, task, batch, iters, warmup)), flush=True)


def standalone(args):
    pool = Pool()
    modes = args.modes.split(",")
    if not has_compile() and "compile" in modes:
        modes.remove("compile")
        print(json.dumps(dict(tag(), mode="compile", ok=False,
                              error="torch.compile needs PyTorch 2.x")), flush=True)
    for model in args.models.split(","):
        tasks = [("infer", 1), ("infer", 64)] + ([("infer", 256)] if model == "mlp" else [])
        for mode in modes:
            if mode == "channels_last" and model in ("mlp", "lstm", "gpt"):
                continue
            for task, b in tasks + [("gan" if model == "dcgan" else "train", 64)]:
                if mode.startswith("eager-") and task == "infer":
                    continue
                meds = []
                r = None
                iters = args.iters if model != "dcgan" else max(1, min(args.iters, 3 if b > 1 else 20))
                for _ in range(args.repeats):
                    r = pool.run(model, mode, task, b, iters, 1 if model == "dcgan" else 3)
                    if not r["ok"]:
                        break
                    meds.append(r["ms"])
                if r["ok"]:
                    r["ms"] = statistics.median(meds)
                    r["repeats"] = args.repeats
                print(json.dumps(r), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--models", default="mlp,cnn,cnn32", help="of mlp,cnn,cnn32,dcgan,lstm,gpt")
    ap.add_argument("--modes", default="eager,channels_last,eager-foreach,eager-fused,compile")
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda (not for dcgan)")
    args = ap.parse_args()
    global DEVICE
    DEVICE = torch.device(args.device)
    if DEVICE.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    if args.serve:
        serve()
    else:
        standalone(args)


if __name__ == "__main__":
    main()
