#!/usr/bin/env python3
"""The PyTorch peers of bench/run.sh: W1 (examples/mlp.nn) and W2 (examples/cnn.nn,
examples/cnn32.nn), each written the way a PyTorch user would write it.

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

Modes (each contender is one (interpreter, mode) pair):
  eager          plain PyTorch, torch.optim.Adam with its defaults (NCHW activations)
  channels_last  eager with the model and the images in channels_last memory format
                 (NHWC underneath; the CNNs only: oneDNN's preferred layout)
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
      infer|train) on stdin and answers each with one JSON line {"ok", "ms" (median per
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
    raise RuntimeError("unknown model %s" % name)


class Infer(nn.Module):
    """Inference graph: the eval-mode model followed by softmax."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return F.softmax(self.model(x), dim=-1)


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
        if mode == "channels_last" and model == "mlp":
            raise RuntimeError("channels_last is for the CNNs")
        self.model = model
        self.inputs = {}
        # Inference model (eval: dropout off).
        self.infer_model = Infer(make_model(model)).eval()
        # Training model (train mode: dropout on), Adam lr 1e-3.
        self.train_model = make_model(model).train()
        if mode == "channels_last":
            self.infer_model = self.infer_model.to(memory_format=torch.channels_last)
            self.train_model = self.train_model.to(memory_format=torch.channels_last)
        self.infer_fn = self.infer_model
        self.opt = torch.optim.Adam(self.train_model.parameters(), lr=1e-3, **MODES[mode])
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
            gen = torch.Generator().manual_seed(b)
            shape = (b, 28, 28) if self.model == "mlp" else (b, 28, 28, 1)
            x = torch.rand(*shape, generator=gen)
            self.inputs[b] = (x, torch.randint(0, 10, (b,), generator=gen))
        return self.inputs[b]

    def infer(self, batch):
        x, _ = self.batch(batch)
        with torch.no_grad():
            return self.infer_fn(x)

    def train(self, batch):
        x, y = self.batch(batch)
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.fwd(x), y)
        loss.backward()
        self.opt_step()
        return loss

    def time(self, task, batch, iters, warmup):
        fn = self.infer if task == "infer" else self.train
        for _ in range(warmup):
            fn(batch)
        ts = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn(batch)
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1e3, min(ts) * 1e3


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
            if mode == "channels_last" and model == "mlp":
                continue
            for task, b in tasks + [("train", 64)]:
                if mode.startswith("eager-") and task == "infer":
                    continue
                meds = []
                r = None
                for _ in range(args.repeats):
                    r = pool.run(model, mode, task, b, args.iters, 3)
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
    ap.add_argument("--models", default="mlp,cnn,cnn32")
    ap.add_argument("--modes", default="eager,channels_last,eager-foreach,eager-fused,compile")
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if args.serve:
        serve()
    else:
        standalone(args)


if __name__ == "__main__":
    main()
