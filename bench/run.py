#!/usr/bin/env python3
"""Interleaved benchmark driver behind bench/run.sh (stdlib only).

Contenders, each timed on the same task one after the other within a round, in an order
rotated every round, over --rounds rounds; the result of a contender is the median of
its per-round medians (each per-round value is itself a median over --iters calls after
warm-up calls). All use 2 threads. A contender that fails (a crash, a dead process, a
wrong result) is reported under "errors" and left out of the following rounds; the run
goes on.

The host is read from /proc/cpuinfo (cpu_info): its ISA (AVX-512, AVX2 + FMA3, or
neither) sets OPENBLAS_CORETYPE (SkylakeX / Haswell) for OpenBLAS and for PyTorch 1.13,
and ATEN_CPU_CAPABILITY (avx512 / avx2 / default) for PyTorch 1.13, whose own detection
is not trusted on either machine kind (shared/TOOLCHAIN.md).

  nnc             the executable compiled from the model: `bench --entry E --batch B`
                  (a fresh process per measurement; HL_NUM_THREADS=2)
  torch2-eager         PyPI PyTorch 2.x in build/bench-venv, bench/peers.py --serve (one
  torch2-eager-fused   warm process for all modes and models; eager-fused is training
  torch2-channels_last only: Adam(fused=True); channels_last: the CNNs only)
  torch2-compile
  torch1.13-eager      Debian's PyTorch 1.13, /usr/bin/python3 bench/peers.py --serve with
  torch1.13-eager-foreach  the host's OPENBLAS_CORETYPE and ATEN_CPU_CAPABILITY and
  torch1.13-channels_last  OMP_WAIT_POLICY=passive (eager-foreach: Adam(foreach=True),
                       training)
The models (WORKLOADS): W1 = examples/mlp.nn, W2 = examples/cnn.nn and examples/cnn32.nn,
W3 = examples/dcgan.nn, nnc's executables build/bench/<model> (made by run.sh), the peers
bench/peers.py. W3's tasks: "gan", one GAN iteration at batch 64 (nnc: the sum of the
d_step and g_step entries' medians; PyTorch: the same computation, peers.py GanContender),
and "infer", the generator's sample at batch 1 and 64; W3 runs in the first --w3-rounds
rounds only (default 3, 3 iterations per round at batch 64), --skip-w3 leaves it out.
W4 = examples/lstm.nn (--skip-w4): inference at batch 1 and 64, a training step at 64,
sequences of 100 tokens; if nnc rejects the model, run.sh leaves no executable and the
nnc column says "not compiled yet" (with nnc's message) under "errors".
W7 = examples/gpt.nn (--skip-w7): inference at batch 1 and 32 (a whole window of 64
bytes, what one sampled token costs without a key/value cache), a training step at 32,
and "sample": the time per token of greedy generation at batch 1 from a key/value cache,
positions 0 .. 62 (nnc: `generate --tokens 63 --stats`, one process per iteration, with
the checkpoint build/bench/gpt-sample.safetensors that run.sh saves after one training
step; PyTorch eager: bench/peers.py sample_with_cache, the loop with its own cache).
GEMM (GEMM_SHAPES: N^3 for N = 256 .. 2048, W1's layers at batch 64 and 256, and W7's
products at 32 sequences of 64 tokens: 2048 rows through [64, 64], [64, 256] and
[256, 64] weights, and the weight gradients x^T g over those 2048 rows):
  nnc             build/bench/gemm_nnc_<shape> compiled from bench/gemm/matmul.mlir,
                  `bench --entry infer --batch M` (W1's and W7's layers with a dynamic
                  batch dim, as the examples compile them), or for a weight gradient from
                  bench/gemm/matmul_ta.mlir, `--batch K`
  openblas        build/bench/gemm_bench openblas M K N [2 ta] (the host's OPENBLAS_CORETYPE)
  onednn          build/bench/gemm_bench onednn M K N [2 ta] (OMP_NUM_THREADS=2, passive wait)
  fma_peak        build/bench/fma_peak: 2-thread FMA throughput on the host's widest
                  vectors, 3 times before the benchmark and once per GEMM round: the
                  measured peak that the tables quote, and a probe of how much of the
                  shared machine the run got

Prints one table; writes every raw measurement to build/bench/results.json and nnc's
per-kernel medians (last round) to build/bench/nnc-kernels-*.txt.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def conv_macs(h, w, c, f, k):
    """Multiply-adds of a k x k convolution with an [h, w, f] output from c channels."""
    return h * w * f * k * k * c


# Workloads: (title, model, executable/peer model name, tasks, forward MACs per image,
# MACs per image of the first layer's input gradient, which training never computes).
# A task is (task, batch, iters, warmup). FLOPs count the products (dense and conv)
# only: inference 2 * B * fwd; a training step 2 * B * (3 fwd - first) (forward, the
# weight gradients, the input gradients of every layer but the first).
WORKLOADS = [
    ("W1 (examples/mlp.nn)", "mlp",
     [("infer", 1, 1000, 100), ("infer", 64, 300, 30), ("infer", 256, 100, 10),
      ("train", 64, 200, 20)],
     784 * 128 + 128 * 10, 784 * 128),
    ("W2 (examples/cnn.nn, 28x28x1, two 5x5 convs)", "cnn",
     [("infer", 1, 200, 20), ("infer", 64, 20, 3), ("train", 64, 10, 2)],
     conv_macs(28, 28, 1, 32, 5) + conv_macs(14, 14, 32, 64, 5) + 3136 * 1024 + 1024 * 10,
     conv_macs(28, 28, 1, 32, 5)),
    ("W2 (examples/cnn32.nn, 32x32x3, three 3x3 convs)", "cnn32",
     [("infer", 1, 300, 30), ("infer", 64, 30, 3), ("train", 64, 20, 3)],
     conv_macs(30, 30, 3, 32, 3) + conv_macs(13, 13, 32, 64, 3) + conv_macs(4, 4, 64, 64, 3)
     + 1024 * 64 + 64 * 10, conv_macs(30, 30, 3, 32, 3)),
]
# W3 (examples/dcgan.nn): the generator's and the discriminator's multiply-adds per image
# (a transposed convolution counted over its input pixels: no inserted zeros).
W3_G_FIRST = 100 * 6272
W3_G = (W3_G_FIRST + conv_macs(7, 7, 128, 128, 5) + conv_macs(7, 7, 128, 128, 5)
        + conv_macs(14, 14, 128, 128, 5) + conv_macs(28, 28, 128, 1, 5))
W3_D_FIRST = conv_macs(28, 28, 1, 128, 5)
W3_D = W3_D_FIRST + conv_macs(14, 14, 128, 128, 5) + conv_macs(7, 7, 128, 128, 5) + 6272
# The task "gan" is one GAN iteration: nnc's d_step + g_step (the sum of the two entries'
# medians in a round), PyTorch's the same computation (bench/peers.py, GanContender).
# d_step: G forward, D forward, weight and input gradients on real and fake batches
# (but the first layer's input gradient); g_step: G forward, D forward, D's input
# gradients (all layers, no weight gradients), G's weight and input gradients (but the
# dense layer's input gradient).
W3_GAN_MACS = (W3_G + 2 * (3 * W3_D - W3_D_FIRST)) + (3 * W3_G - W3_G_FIRST + 2 * W3_D)
GAN_STEPS = ("d_step", "g_step")
WORKLOADS.append(
    ("W3 (examples/dcgan.nn, DCGAN 28x28x1: d_step + g_step, the generator's sample)", "dcgan",
     [("gan", 64, 3, 1), ("infer", 1, 20, 3), ("infer", 64, 3, 1)],
     W3_G, W3_G_FIRST))
# W4 (examples/lstm.nn): Embedding(10000, 32) -> LSTM(32) over S = 100 -> Dense 1. The
# LSTM's products per example are S * 4H * (D + H) multiply-adds (the input and the
# recurrent product of each step, D = H = 32), plus the dense head's H; the embedding is a
# gather (no products). A training step is 3x the forward: the LSTM's input gradient is
# computed (it feeds the embedding's gradient), so no first-layer product is left out.
W4_S, W4_D, W4_H = 100, 32, 32
WORKLOADS.append(
    ("W4 (examples/lstm.nn, Embedding 10000x32 -> LSTM 32 over 100 tokens -> Dense 1)", "lstm",
     [("infer", 1, 100, 10), ("infer", 64, 20, 3), ("train", 64, 10, 2)],
     W4_S * 4 * W4_H * (W4_D + W4_H) + W4_H, 0))
# W7 (examples/gpt.nn): per example (S = 64 positions, D = 64, F = 256, V = 96), each of
# the 2 blocks multiplies 4 S D^2 for q, k, v and proj, 2 S D F for the MLP and 2 S^2 D
# for the scores and the weighted sum (all of the [S, S] square, as both compute it), and
# the head S D V. A training step is 3x the forward (the embedding is a gather).
W7_S, W7_D, W7_F, W7_V = 64, 64, 256, 96
W7_BLOCK = 4 * W7_S * W7_D * W7_D + 2 * W7_S * W7_D * W7_F + 2 * W7_S * W7_S * W7_D
WORKLOADS.append(
    ("W7 (examples/gpt.nn, character GPT: 2 blocks, 4 heads of 16, window 64)", "gpt",
     [("infer", 1, 50, 5), ("infer", 32, 10, 2), ("train", 32, 10, 2), ("sample", 1, 10, 2)],
     2 * W7_BLOCK + W7_S * W7_D * W7_V, 0))
# W3's rounds are slow (a GAN iteration is seconds): it runs in the first --w3-rounds
# rounds only (default 3).
W3_ROUNDS = 3

# Targets, reported and never asserted: {model: {(task, batch): ratio}}, and compile times.
TARGETS = {"mlp": {("infer", 64): 2.0, ("infer", 256): 1.5, ("train", 64): 3.0},
           "cnn": {("infer", 1): 5.0, ("infer", 64): 1.5, ("train", 64): 1.5},
           "cnn32": {("infer", 1): 5.0, ("infer", 64): 1.5, ("train", 64): 1.5},
           "dcgan": {("gan", 64): 1.5}, "gpt": {("train", 32): 2.0, ("sample", 1): 3.0}}
COMPILE_TARGETS = {"mlp": 3.0, "cnn": 10.0}
# A contender whose fastest and slowest rounds differ by more than this is reported as
# unsteady under its workload's table.
UNSTEADY_SPREAD = 1.4
# An nnc round whose 2 threads used fewer cores than this over its timed calls (`bench`
# prints the figure; idle workers spin, so a quiet machine gives about 2) is listed
# under its workload's table, unless none of its kernels ran a parallel loop.
FEW_CORES = 1.5
# GEMM shapes: (label, M, K, N, dynamic, reps, transposed). `dynamic`: nnc's executable
# has a dynamic row count, M (W1's and W7's layers, as the examples compile them: one
# executable per (K, N), run at each batch), or K when `transposed` (C = A^T B with A
# stored K x M: a weight gradient, one executable per (M, N)).
GEMM_SHAPES = [("256", 256, 256, 256, False, 100, False),
               ("512", 512, 512, 512, False, 30, False),
               ("1024", 1024, 1024, 1024, False, 10, False),
               ("2048", 2048, 2048, 2048, False, 3, False),
               ("64x784x128", 64, 784, 128, True, 300, False),
               ("256x784x128", 256, 784, 128, True, 100, False),
               ("64x128x10", 64, 128, 10, True, 2000, False),
               ("256x128x10", 256, 128, 10, True, 1000, False),
               ("2048x64x64", 2048, 64, 64, True, 1000, False),
               ("2048x64x256", 2048, 64, 256, True, 300, False),
               ("2048x256x64", 2048, 256, 64, True, 300, False),
               ("64x2048x64T", 64, 2048, 64, True, 1000, True),
               ("64x2048x256T", 64, 2048, 256, True, 300, True),
               ("256x2048x64T", 256, 2048, 64, True, 300, True)]


def gemm_build(label, m, k, n, dynamic, transposed):
    """What bench/run.sh compiles for a GEMM shape: (executable label, template, M, K, N),
    M (or K when transposed) '?' for a dynamic dim, as `--gemm-builds` prints it."""
    if transposed:
        return ("%dxBx%dT" % (m, n), "matmul_ta", str(m), "?", str(n))
    if dynamic:
        return ("Bx%dx%d" % (k, n), "matmul", "?", str(k), str(n))
    return (label, "matmul", str(m), str(k), str(n))


def gemm_exe(out, label, m, k, n, dynamic, transposed):
    """The nnc executable bench/run.sh built for a GEMM shape."""
    return os.path.join(out, "gemm_nnc_" + gemm_build(label, m, k, n, dynamic, transposed)[0])


def cpu_info(path="/proc/cpuinfo"):
    """Model name, flags and the settings that follow from them."""
    info = {"model": "unknown CPU", "flags": set()}
    try:
        with open(path) as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and info["model"] == "unknown CPU":
                    info["model"] = value.strip()
                elif key == "flags" and not info["flags"]:
                    info["flags"] = set(value.split())
    except OSError:
        pass
    fl = info["flags"]
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= fl:
        info.update(isa="AVX-512", coretype="SkylakeX", aten="avx512", lanes=16)
    elif {"avx2", "fma"} <= fl:
        info.update(isa="AVX2+FMA3", coretype="Haswell", aten="avx2", lanes=8)
    else:
        info.update(isa="no AVX2", coretype=None, aten="default", lanes=4)
    return info


def torch113_env(cpu):
    env = {"ATEN_CPU_CAPABILITY": cpu["aten"], "OMP_WAIT_POLICY": "passive",
           "OMP_NUM_THREADS": "2"}
    if cpu["coretype"]:
        env["OPENBLAS_CORETYPE"] = cpu["coretype"]
    return env


def fma_peak(out):
    """One run of the FMA probe: GFLOP/s, or None."""
    try:
        p = subprocess.run([os.path.join(out, "fma_peak"), "5000000"], capture_output=True,
                           text=True, timeout=120)
        if p.returncode == 0:
            return json.loads(p.stdout)["fma_peak_gflops"]
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    return None


def flops(workload, task, b):
    """Product FLOPs of one call (elementwise work ignored); None for "sample"."""
    fwd, first = workload[3], workload[4]
    if task == "sample":
        return None
    if task == "gan":
        return 2 * b * W3_GAN_MACS
    return 2 * b * (fwd if task == "infer" else 3 * fwd - first)


def train_only(name):
    """eager-foreach / eager-fused differ from eager only in the optimizer."""
    return name.endswith("-eager-foreach") or name.endswith("-eager-fused")


def short(name):
    """torch2.15.0+cu132-eager -> torch2.15.0-eager (the CUDA tag says nothing on a CPU run)."""
    return re.sub(r"\+cu\d+", "", name)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class NncExe:
    """An nnc-compiled executable timed through its `bench` subcommand."""

    median_re = re.compile(r"^entry (\S+) \(batch (\d+), (\d+) iters\): median ([0-9.]+) ms, min ([0-9.]+) ms")
    cores_re = re.compile(r"^  cpu: ([0-9.]+) cores used over the timed calls"
                          r" \(([0-9]+) of [0-9]+ kernels ran parallel loops\)$", re.M)

    def __init__(self, path, env, first_call_ms=1.0):
        self.path = path
        self.env = env
        # The guess of a call's time before the first measurement (it sizes the warm-up):
        # 1 ms would give W3's multi-second entries 50 warm-up calls.
        self.first_call_ms = first_call_ms
        self.kernels = {}
        self.last_ms = {}
        self.last_min = {}

    # A fresh process per measurement starts cold: for its first few milliseconds the
    # Halide worker often shares a core with the calling thread, and a short run then
    # times one core (seen: 0.118 instead of 0.063 ms for W1 infer at batch 64). The
    # PyTorch contenders are warm servers, so nnc warms up at least this long too.
    WARMUP_SECONDS = 0.05

    def time(self, entry, batch, iters, warmup):
        if not os.path.exists(self.path):
            # run.sh leaves <exe>.error when nnc rejected the model.
            try:
                with open(self.path + ".error") as f:
                    why = " ".join(f.read().split())[:300]
            except OSError:
                why = "no executable %s" % self.path
            return {"ok": False, "error": "not compiled yet: " + why}
        per_call_ms = self.last_ms.get((entry, batch), self.first_call_ms)
        warmup = max(warmup, int(self.WARMUP_SECONDS * 1000 / max(per_call_ms, 1e-3)))
        p = subprocess.run([self.path, "bench", "--entry", entry, "--batch", str(batch),
                            "--iters", str(iters), "--warmup", str(warmup)],
                           env=self.env, capture_output=True, text=True)
        # The cores the process used over its timed calls (its idle workers spin, so
        # about 2 when nothing else took one); none when no kernel ran a parallel loop
        # (W7 at one sequence: then one core is all it uses on any machine).
        cores = self.cores_re.search(p.stdout)
        if cores and cores.group(2) == "0":
            cores = None
        if p.returncode != 0:
            return {"ok": False, "error": (p.stderr or p.stdout).strip()[:300]}
        lines = p.stdout.splitlines()
        for line in lines:
            m = self.median_re.match(line)
            if m:
                self.kernels[(entry, batch)] = p.stdout
                self.last_ms[(entry, batch)] = float(m.group(4))
                self.last_min[(entry, batch)] = float(m.group(5))
                return {"ok": True, "ms": float(m.group(4)), "min_ms": float(m.group(5)),
                        "cores": float(cores.group(1)) if cores else None}
        return {"ok": False, "error": "unparsed bench output: " + p.stdout[:200]}


    SAMPLE_RE = re.compile(r"generate: \d+ tokens in [\d.]+ ms, ([\d.]+) ms per token")

    def sample(self, iters):
        """W7's "sample": `generate --stats` of 63 tokens, one process per iteration; the
        median and minimum of its ms per token."""
        ckpt = self.path + "-sample.safetensors"
        if not os.path.exists(ckpt):
            return {"ok": False, "error": "no %s (run.sh saves it)" % ckpt}
        per = []
        for _ in range(iters):
            p = subprocess.run([self.path, "generate", "--weights", ckpt, "--tokens", "63",
                                "--stats"], env=self.env, capture_output=True, text=True)
            m = self.SAMPLE_RE.search(p.stderr)
            if p.returncode != 0 or not m:
                return {"ok": False, "error": (p.stderr or p.stdout).strip()[:300]}
            per.append(float(m.group(1)))
        return {"ok": True, "ms": statistics.median(per), "min_ms": min(per)}

    def time_task(self, task, batch, iters, warmup):
        """`task` is an entry, "sample" (W7's generation from the key/value cache), or
        "gan": the sum of GAN_STEPS' medians (and of their mins)."""
        if task == "sample":
            return self.sample(iters)
        if task != "gan":
            return self.time(task, batch, iters, warmup)
        parts = {}
        for entry in GAN_STEPS:
            r = self.time(entry, batch, iters, warmup)
            if not r["ok"]:
                return {"ok": False, "error": "%s: %s" % (entry, r["error"])}
            parts[entry] = r["ms"]
        return {"ok": True, "ms": sum(parts.values()),
                "min_ms": sum(self.last_min[e, batch] for e in GAN_STEPS), "parts": parts}


class TorchServer:
    """A warm bench/peers.py --serve process."""

    def __init__(self, python, env, name):
        self.name = name
        self.proc = subprocess.Popen([python, os.path.join(ROOT, "bench", "peers.py"), "--serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=None,  # torch warnings pass through
                                     env=env, text=True, bufsize=1)
        hello = self.proc.stdout.readline()
        if not hello:
            raise RuntimeError("%s: peers.py --serve did not start" % name)
        self.info = json.loads(hello)

    def time(self, model, mode, task, batch, iters, warmup):
        try:
            self.proc.stdin.write("%s %s %s %d %d %d\n" % (model, mode, task, batch, iters, warmup))
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (OSError, ValueError) as e:  # BrokenPipeError: the server is gone
            line = ""
            self.error = "%s: %s" % (self.name, e)
        if not line:
            rc = self.proc.poll()
            return {"ok": False, "error": getattr(self, "error", None) or
                    "%s: process died (exit status %s)" % (self.name, rc)}
        try:
            return json.loads(line)
        except ValueError:
            return {"ok": False, "error": "%s: unparsed reply %r" % (self.name, line[:200])}

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def run_gemm_bench(exe, lib, m, k, n, reps, transposed, env):
    try:
        p = subprocess.run([exe, lib, str(m), str(k), str(n), str(reps), "2"] +
                           (["ta"] if transposed else []), env=env,
                           capture_output=True, text=True)
    except OSError as e:
        return {"ok": False, "error": str(e)}
    try:
        r = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ok": False, "error": "exit status %d: %s" % (p.returncode, (p.stderr or p.stdout).strip()[:300])}
    r["ok"] = p.returncode == 0
    if not r["ok"]:
        r["error"] = "wrong result (max_err %s)" % r.get("max_err")
    r["ms"] = r["median_ms"]
    return r


def fmt_ms(x):
    return "-" if x is None else ("%.4f" % x if x < 1 else "%.3f" % x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--venv", default=os.environ.get("NNC_BENCH_VENV"),
                    help="venv with PyTorch 2.x (default: $NNC_BENCH_VENV, else BUILD/bench-venv)")
    ap.add_argument("--compile-times", default=None,
                    help="JSON file of run.sh's compile times: {model: {cold, samples}}")
    ap.add_argument("--skip-gemm", action="store_true")
    ap.add_argument("--skip-w1", action="store_true")
    ap.add_argument("--skip-w2", action="store_true")
    ap.add_argument("--skip-w3", action="store_true",
                    help="skip W3 (examples/dcgan.nn; its rounds take minutes)")
    ap.add_argument("--skip-w4", action="store_true",
                    help="skip W4 (examples/lstm.nn)")
    ap.add_argument("--skip-w7", action="store_true",
                    help="skip W7 (examples/gpt.nn)")
    ap.add_argument("--w3-rounds", type=int, default=W3_ROUNDS,
                    help="W3 runs in the first N rounds only (default %d; at most --rounds)" % W3_ROUNDS)
    ap.add_argument("--cpuinfo", default="/proc/cpuinfo",
                    help="read the CPU's model and flags from this file (to check the settings "
                         "chosen for another machine kind)")
    ap.add_argument("--gemm-builds", action="store_true",
                    help="print the GEMM executables to compile, one per line (label template M "
                         "K N, '?' for a dynamic dim; bench/run.sh reads them), and exit")
    args = ap.parse_args()
    if args.gemm_builds:
        seen = set()
        for shape in GEMM_SHAPES:
            build = gemm_build(*shape[:5], shape[6])
            if build not in seen:
                seen.add(build)
                print(" ".join(build))
        return 0
    out = os.path.join(args.build, "bench")
    cpu = cpu_info(args.cpuinfo)

    base = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "ATEN_CPU_CAPABILITY", "OPENBLAS_CORETYPE",
              "HL_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        base.pop(k, None)
    nnc_env = dict(base, HL_NUM_THREADS="2")

    results = {"rounds": args.rounds, "cpu": {k: v for k, v in cpu.items() if k != "flags"},
               "models": {}, "gemm": {}, "errors": {}, "fma_peak": [], "parts": {},
               "cores": {}}

    def record(table, key, who, r, err_key=None):
        slot = results[table].setdefault(key, {}).setdefault(who, [])
        if r.get("ok"):
            slot.append(r["ms"])
        else:
            results["errors"].setdefault(err_key or who, r.get("error", "?"))

    def probe():
        g = fma_peak(out)
        if g is not None:
            results["fma_peak"].append(g)

    log("host: %s, %s; OPENBLAS_CORETYPE=%s, ATEN_CPU_CAPABILITY=%s for PyTorch 1.13" % (
        cpu["model"], cpu["isa"], cpu["coretype"] or "(OpenBLAS's choice)", cpu["aten"]))
    for _ in range(3):
        probe()

    # ---- W1, W2 ----------------------------------------------------------------
    skipped = set()
    if args.skip_w1:
        skipped.add("mlp")
    if args.skip_w2:
        skipped.update(("cnn", "cnn32"))
    if args.skip_w3:
        skipped.add("dcgan")
    if args.skip_w4:
        skipped.add("lstm")
    if args.skip_w7:
        skipped.add("gpt")
    w3_rounds = min(args.w3_rounds, args.rounds)
    workloads = [w for w in WORKLOADS if w[1] not in skipped]
    contenders = []  # (name, callable(model, task, batch, iters, warmup))
    servers = []
    exes = {}
    if workloads:
        for w in workloads:
            exes[w[1]] = NncExe(os.path.join(out, w[1]), nnc_env,
                                first_call_ms=100.0 if w[1] == "dcgan" else 1.0)
        contenders.append(("nnc", lambda model, t, b, i, w: exes[model].time_task(t, b, i, w)))
        venv_py = os.path.join(args.venv or os.path.join(args.build, "bench-venv"), "bin", "python")
        if os.path.exists(venv_py):
            env2 = dict(base, OMP_NUM_THREADS="2")
            try:
                s2 = TorchServer(venv_py, env2, "torch2")
                servers.append(s2)
                v = short(s2.info["torch"])
                for mode in ("eager", "channels_last", "eager-fused", "compile"):
                    contenders.append(("torch%s-%s" % (v, mode),
                                       lambda model, t, b, i, w, s=s2, m=mode: s.time(model, m, t, b, i, w)))
            except Exception as e:  # noqa: BLE001
                results["errors"]["torch2"] = str(e)
        else:
            results["errors"]["torch2"] = "no %s (run bench/setup.sh)" % venv_py
        if os.path.exists("/usr/bin/python3"):
            try:
                s1 = TorchServer("/usr/bin/python3", dict(base, **torch113_env(cpu)), "torch1.13")
                servers.append(s1)
                v = short(s1.info["torch"])
                for mode in ("eager", "channels_last", "eager-foreach"):
                    contenders.append(("torch%s-%s" % (v, mode),
                                       lambda model, t, b, i, w, s=s1, m=mode: s.time(model, m, t, b, i, w)))
            except Exception as e:  # noqa: BLE001
                results["errors"]["torch1.13"] = str(e)

        def applies(name, model, task):
            """eager-foreach/-fused time training only; channels_last the CNNs only;
            sampling is an eager loop."""
            if task == "sample":
                return name == "nnc" or name.endswith("-eager")
            if task == "infer" and train_only(name):
                return False
            return not (name.endswith("-channels_last") and model in ("mlp", "lstm", "gpt"))

        def err_key(name, model):
            return "%s %s" % (name, model)

        # Priming pass (not recorded): torch.compile compiles here, caches warm up.
        log("priming (torch.compile compiles now) ...")
        for _, model, tasks, _, _ in workloads:
            for task, b, iters, warm in tasks:
                for name, fn in contenders:
                    if not applies(name, model, task):
                        continue
                    t0 = time.time()
                    # W3's calls take seconds: one warm-up and one timed call prime it.
                    r = fn(model, task, b, *((1, 1) if model == "dcgan" else (max(iters // 10, 2), 2)))
                    if not r.get("ok"):
                        results["errors"].setdefault(err_key(name, model), r.get("error", "?"))
                    log("  %-28s %-5s %s b%-3d %.1f s%s" % (
                        name, model, task, b, time.time() - t0,
                        "" if r.get("ok") else "  FAILED: " + r.get("error", "?")[:200]))
        for rnd in range(args.rounds):
            log("models round %d/%d" % (rnd + 1, args.rounds))
            for _, model, tasks, _, _ in workloads:
                if model == "dcgan" and rnd >= w3_rounds:
                    continue
                if model == "dcgan":
                    probe()  # a W3 round takes minutes: one probe of the machine per round
                for task, b, iters, warm in tasks:
                    # A failure drops that contender for that model.
                    live = [(n, f) for n, f in contenders
                            if err_key(n, model) not in results["errors"] and applies(n, model, task)]
                    k = rnd % max(len(live), 1)
                    for name, fn in live[k:] + live[:k]:
                        t0 = time.time()
                        r = fn(model, task, b, iters, warm)
                        record("models", "%s %s %d" % (model, task, b), name, r, err_key(name, model))
                        if r.get("cores") is not None:
                            results["cores"].setdefault("%s %s %d" % (model, task, b),
                                                        []).append(r["cores"])
                        if r.get("parts"):
                            for part, ms in r["parts"].items():
                                results["parts"].setdefault("%s %s %d" % (model, part, b), {}) \
                                    .setdefault(name, []).append(ms)
                        if model == "dcgan":
                            log("  %-28s %s b%-3d %s ms (%.0f s)" % (
                                name, task, b, fmt_ms(r["ms"]) if r.get("ok") else "FAILED",
                                time.time() - t0))
                        time.sleep(0.02)
        for s in servers:
            s.close()
        for model, exe in exes.items():
            for (entry, b), text in exe.kernels.items():
                with open(os.path.join(out, "nnc-kernels-%s-%s-b%d.txt" % (model, entry, b)), "w") as f:
                    f.write(text)

    # ---- GEMM -------------------------------------------------------------------
    if not args.skip_gemm:
        blas_env = dict(base, OPENBLAS_NUM_THREADS="2")
        if cpu["coretype"]:
            blas_env["OPENBLAS_CORETYPE"] = cpu["coretype"]
        dnnl_env = dict(base, OMP_NUM_THREADS="2", OMP_WAIT_POLICY="passive")
        gb = os.path.join(out, "gemm_bench")

        def nnc_gemm(label, m, k, n, dyn, reps, ta):
            return NncExe(gemm_exe(out, label, m, k, n, dyn, ta), nnc_env).time(
                "infer", k if ta else m, reps, 3)

        gcont = [("nnc", nnc_gemm),
                 ("openblas", lambda label, m, k, n, dyn, reps, ta:
                  run_gemm_bench(gb, "openblas", m, k, n, reps, ta, blas_env)),
                 ("onednn", lambda label, m, k, n, dyn, reps, ta:
                  run_gemm_bench(gb, "onednn", m, k, n, reps, ta, dnnl_env))]
        for rnd in range(args.rounds):
            log("GEMM round %d/%d" % (rnd + 1, args.rounds))
            probe()
            for shape in GEMM_SHAPES:
                # A failure drops that contender for that shape only.
                live = [(n, f) for n, f in gcont
                        if "%s gemm %s" % (n, shape[0]) not in results["errors"]]
                k = rnd % max(len(live), 1)
                for name, fn in live[k:] + live[:k]:
                    record("gemm", shape[0], name, fn(*shape), "%s gemm %s" % (name, shape[0]))
                    time.sleep(0.02)

    # ---- report -------------------------------------------------------------------
    med = lambda xs: statistics.median(xs) if xs else None  # noqa: E731
    peak = med(results["fma_peak"])
    lines = []
    P = lines.append
    machine = "%s (%s), %d cores; measured FP32 FMA peak %s GFLOP/s (2 threads, median of %d probes)" % (
        cpu["model"], cpu["isa"], os.cpu_count(), "%.0f" % peak if peak else "?",
        len(results["fma_peak"]))
    P("nnc benchmark: 2 threads each, interleaved, median of %d rounds (each round: median over its iterations)" % args.rounds)
    P("")
    for w in workloads:
        title, model, tasks = w[0], w[1], w[2]
        P("%s on %s" % (title, machine))
        P("times in ms per call; ratio = best PyTorch / nnc (> 1: nnc faster)")
        P("ratio(min): the same from each contender's fastest round (less sensitive to machine contention)")
        hdr = "%-10s %5s %9s %10s  %-30s %6s %10s %8s %7s %7s   %s" % (
            "task", "batch", "nnc ms", "best pt ms", "best PyTorch", "ratio", "ratio(min)", "nnc GF/s",
            "%peak", "target", "all PyTorch (ms)")
        P(hdr)
        P("-" * len(hdr))
        unsteady = []
        for task, b, _, _ in tasks:
            row = results["models"].get("%s %s %d" % (model, task, b), {})
            label = {"infer": "inference", "gan": "GAN iter", "sample": "sample/tok"}.get(
                task, "train step")
            # Rounds of one contender that differ by more than UNSTEADY_SPREAD: the
            # machine's slow periods (this project's VMs run a 2-thread program at one
            # core's speed for seconds at a time); the medians then compare moments.
            for n, v in row.items():
                if v and min(v) > 0 and max(v) / min(v) > UNSTEADY_SPREAD:
                    unsteady.append("%s %d %s %s-%s ms" % (label, b, short(n), fmt_ms(min(v)),
                                                            fmt_ms(max(v))))
            nnc = med(row.get("nnc", []))
            peers = {n: med(v) for n, v in row.items() if n != "nnc" and v}
            best = min(peers.items(), key=lambda kv: kv[1]) if peers else (None, None)
            ratio = best[1] / nnc if nnc and best[1] else None
            mins = {n: min(v) for n, v in row.items() if v}
            pmin = [v for n, v in mins.items() if n != "nnc"]
            rmin = min(pmin) / mins["nnc"] if pmin and "nnc" in mins else None
            fl = flops(w, task, b)
            gf = fl / (nnc * 1e-3) * 1e-9 if nnc and fl else None
            target = TARGETS.get(model, {}).get((task, b))
            others = ", ".join("%s %s" % (short(n), fmt_ms(v)) for n, v in sorted(peers.items()))
            P("%-10s %5d %9s %10s  %-30s %6s %10s %8s %7s %7s   %s" % (
                label, b, fmt_ms(nnc), fmt_ms(best[1]),
                best[0] or "-", "%.2fx" % ratio if ratio else "-", "%.2fx" % rmin if rmin else "-",
                "%.1f" % gf if gf else "-", "%.0f%%" % (100 * gf / peak) if gf and peak else "-",
                ">=%.1fx" % target if target else "-", others))
        if unsteady:
            P("unsteady rounds (fastest-slowest over %.1fx; ratio(min) is the better guide): %s" % (
                UNSTEADY_SPREAD, "; ".join(unsteady)))
        # nnc's rounds whose 2 threads had less than FEW_CORES cores between them.
        few = ["%s %d round %d: %.2f" % (task, b, rnd, c)
               for task, b, _, _ in tasks
               for rnd, c in enumerate(results["cores"].get("%s %s %d" % (model, task, b), []), 1)
               if c < FEW_CORES]
        if few:
            P("nnc rounds on fewer cores (cores its 2 threads used over the timed calls; "
              "another process or the hypervisor had the rest): %s" % "; ".join(few))
        if model == "lstm":
            P("(GF/s here counts the LSTM's products, 2 B S 4H (D + H) per call forward, and "
              "the dense head's; a training step 3x)")
            # While nnc has no time here, the peers' rate by the same count.
            rates = []
            for task, b, _, _ in tasks:
                row = results["models"].get("%s %s %d" % (model, task, b), {})
                peers = {n: med(v) for n, v in row.items() if n != "nnc" and v}
                if peers:
                    n, ms = min(peers.items(), key=lambda kv: kv[1])
                    rates.append("%s b%d %.1f (%s)" % (task, b, flops(w, task, b) / (ms * 1e-3) * 1e-9,
                                                       short(n)))
            if rates:
                P("best PyTorch GF/s: " + ", ".join(rates))
        elif model == "gpt":
            P("(GF/s here counts the blocks' products and attention, 2 x (4 S D^2 + 2 S D F "
              "+ 2 S^2 D), and the head's, per example forward; a training step 3x)")
        else:
            P("(nnc GF/s counts the products' FLOPs only: dense and convolution layers)")
        if model == "dcgan":
            P("W3 ran in the first %d of the %d rounds (one FMA probe before each); GAN iter = one d_step + one g_step at batch 64 "
              "(nnc: the sum of the two entries' medians; PyTorch: bench/peers.py GanContender)" % (
                  w3_rounds, args.rounds))
            for part in GAN_STEPS:
                xs = results["parts"].get("dcgan %s 64" % part, {}).get("nnc", [])
                if xs:
                    P("  nnc %s at batch 64: %s ms (median of %d rounds: %s)" % (
                        part, fmt_ms(med(xs)), len(xs), " ".join(fmt_ms(x) for x in xs)))
        P("")
    if results["gemm"]:
        P("SGEMM C[M x N] = A[M x K] B[K x N] on %s" % machine)
        P("GFLOP/s = 2 M N K / median time; %peak = nnc GFLOP/s / measured FMA peak; "
          "MxKxN rows: W1's layers and W7's products (2048 rows: 32 sequences of 64), nnc "
          "with a dynamic batch dim; T: C = A^T B, A stored K x M (a weight gradient)")
        hdr = "%-12s %9s %9s %9s %9s %9s %9s %12s %10s %7s" % (
            "shape", "nnc ms", "nnc GF/s", "OpenBLAS", "GF/s", "oneDNN", "GF/s", "nnc/OpenBLAS",
            "nnc/oneDNN", "%peak")
        P(hdr)
        P("-" * len(hdr))
        for label, m, k, n, _, _, _ in GEMM_SHAPES:
            row = results["gemm"].get(label, {})
            t = {c: med(row.get(c, [])) for c in ("nnc", "openblas", "onednn")}
            gf = {c: (2.0 * m * n * k / (v * 1e-3) * 1e-9 if v else None) for c, v in t.items()}
            frac = gf["nnc"] / gf["openblas"] if gf["nnc"] and gf["openblas"] else None
            fracd = gf["nnc"] / gf["onednn"] if gf["nnc"] and gf["onednn"] else None
            P("%-12s %9s %9s %9s %9s %9s %9s %12s %10s %7s" % (
                label, fmt_ms(t["nnc"]), "%.1f" % gf["nnc"] if gf["nnc"] else "-",
                fmt_ms(t["openblas"]), "%.1f" % gf["openblas"] if gf["openblas"] else "-",
                fmt_ms(t["onednn"]), "%.1f" % gf["onednn"] if gf["onednn"] else "-",
                "%.0f%%" % (100 * frac) if frac else "-", "%.0f%%" % (100 * fracd) if fracd else "-",
                "%.0f%%" % (100 * gf["nnc"] / peak) if gf["nnc"] and peak else "-"))
        P("")
    pk = results["fma_peak"]
    if pk:
        P("FMA peak probes, 2 threads, this run (GFLOP/s): %s" % " ".join("%.0f" % x for x in pk))
    P("OPENBLAS_CORETYPE=%s; PyTorch 1.13: ATEN_CPU_CAPABILITY=%s" % (
        cpu["coretype"] or "(unset)", cpu["aten"]))
    try:
        P("load average at the end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    except OSError:
        pass
    if args.compile_times:
        try:
            with open(args.compile_times) as f:
                ct = json.load(f)
        except (OSError, ValueError):
            ct = {}
        results["compile"] = ct
        for model, c in sorted(ct.items()):
            xs = sorted(c.get("samples", []))
            if not xs:
                continue
            P("nnc compile time of examples/%s.nn: %.2f s (median of %s)%s%s" % (
                  model, statistics.median(xs), " ".join("%.2f" % x for x in c["samples"]),
                  "; %.2f s without the runtime cache (NNC_CACHE_DIR=)" % c["cold"] if "cold" in c else "",
                  "; target <= %.0f s" % COMPILE_TARGETS[model] if model in COMPILE_TARGETS else ""))
    P("targets (reported, not asserted): SGEMM 256..2048 >= 90% of OpenBLAS; the ratios in the "
      "target column")
    if results["errors"]:
        P("")
        P("errors (these contenders were dropped from later rounds):")
        for k, v in results["errors"].items():
            P("  %s: %s" % (k, v))
    text = "\n".join(lines)
    print(text)
    results["table"] = text
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
