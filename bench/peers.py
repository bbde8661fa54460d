#!/usr/bin/env python3
"""W1 (examples/mlp.nn) in PyTorch: the peer side of bench/run.sh.

Model, exactly as examples/mlp.nn: standardise ((x - 0.2860) / 0.3530) -> Flatten(28x28)
-> Linear 784x128 -> ReLU -> Dropout 0.2 -> Linear 128x10; inference returns softmax(logits) (eval mode, no_grad); a training step
is zero_grad, forward, cross-entropy (mean over the batch), backward, Adam(lr 1e-3) step.
Inputs: U(0, 1) images [B, 28, 28], labels uniform in 0..9. Two threads.

Modes (each contender is one (interpreter, mode) pair):
  eager          plain PyTorch, torch.optim.Adam with its defaults
  eager-foreach  the same with Adam(foreach=True) (multi-tensor kernels; training only)
  eager-fused    the same with Adam(fused=True) (PyTorch >= 2.4 on CPU; training only)
  compile        torch.compile (PyTorch 2.x): the module for inference; for training the
                 module and, separately, the optimizer step (default Adam), as in the
                 "compiling the optimizer" recipe
For inference the eager-* modes are the same program as eager.

Usage:
  w1.py [--modes eager,compile] [--iters N] [--repeats R]
      standalone: times every mode, inference at batch 1/64/256 and a training step at
      batch 64, prints one JSON line per (mode, task, batch) with the median of R repeats.
  w1.py --serve
      for bench/run.py: reads commands `MODE TASK BATCH ITERS WARMUP` (TASK = infer|train)
      on stdin and answers each with one JSON line {"ok", "ms" (median per call), ...}, so
      that the driver can interleave contenders while each keeps its warm state
      (compiled graphs, thread pools). `quit` ends it.
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
MODES = {"eager": {}, "eager-foreach": {"foreach": True}, "eager-fused": {"fused": True},
         "compile": {}}


class Standardise(nn.Module):
    """(x - mean) / std of the training pixels, as the first line of examples/mlp.nn."""

    def forward(self, x):
        return (x - 0.2860) / 0.3530


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(
        Standardise(),
        nn.Flatten(),
        nn.Linear(784, 128),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(128, 10),
    )


class Infer(nn.Module):
    """Inference graph: eval-mode MLP followed by softmax."""

    def __init__(self, mlp):
        super().__init__()
        self.mlp = mlp

    def forward(self, x):
        return F.softmax(self.mlp(x), dim=-1)


def has_compile():
    return hasattr(torch, "compile") and int(torch.__version__.split(".")[0]) >= 2


class Contender:
    """Warm state of one mode: models, optimizer, compiled callables, inputs per batch."""

    def __init__(self, mode):
        self.mode = mode
        if mode not in MODES:
            raise RuntimeError("unknown mode %s" % mode)
        if mode == "compile" and not has_compile():
            raise RuntimeError("torch.compile needs PyTorch 2.x (this is %s)" % torch.__version__)
        gen = torch.Generator().manual_seed(1)
        self.inputs = {}
        for b in (1, 64, 256):
            x = torch.rand(b, 28, 28, generator=gen)
            y = torch.randint(0, 10, (b,), generator=gen)
            self.inputs[b] = (x, y)
        # Inference model (eval: dropout off).
        self.infer_model = Infer(make_model()).eval()
        self.infer_fn = self.infer_model
        # Training model (train mode: dropout on), Adam lr 1e-3.
        self.train_model = make_model().train()
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

    def infer(self, batch):
        x, _ = self.inputs[batch]
        with torch.no_grad():
            return self.infer_fn(x)

    def train(self, batch):
        x, y = self.inputs[batch]
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

    def get(self, mode):
        if mode not in self.c:
            try:
                self.c[mode] = Contender(mode)
            except Exception as e:  # noqa: BLE001 - reported, not fatal
                self.c[mode] = e
        return self.c[mode]

    def run(self, mode, task, batch, iters, warmup):
        out = dict(tag(), mode=mode, task=task, batch=batch)
        c = self.get(mode)
        if isinstance(c, Exception):
            return dict(out, ok=False, error="%s: %s" % (type(c).__name__, c))
        try:
            med, mn = c.time(task, batch, iters, warmup)
            return dict(out, ok=True, ms=med, min_ms=mn, iters=iters)
        except Exception as e:  # noqa: BLE001
            msg = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e) else "")
            traceback.print_exc(file=sys.stderr)
            # Do not retry a broken mode for every command.
            self.c[mode] = RuntimeError(msg)
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
        mode, task, batch, iters, warmup = parts[0], parts[1], int(parts[2]), int(parts[3]), int(parts[4])
        print(json.dumps(pool.run(mode, task, batch, iters, warmup)), flush=True)


def standalone(args):
    pool = Pool()
    modes = args.modes.split(",")
    if not has_compile() and "compile" in modes:
        modes.remove("compile")
        print(json.dumps(dict(tag(), mode="compile", ok=False,
                              error="torch.compile needs PyTorch 2.x")), flush=True)
    tasks = [("infer", 1), ("infer", 64), ("infer", 256), ("train", 64)]
    for mode in modes:
        for task, b in tasks:
            if mode.startswith("eager-") and task == "infer":
                continue
            meds = []
            r = None
            for _ in range(args.repeats):
                r = pool.run(mode, task, b, args.iters, 10)
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
    ap.add_argument("--modes", default="eager,eager-foreach,eager-fused,compile")
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if args.serve:
        serve()
    else:
        standalone(args)


if __name__ == "__main__":
    main()
