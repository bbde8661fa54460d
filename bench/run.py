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

  nnc             the executable compiled from examples/mlp.nn: `bench --entry E --batch B`
                  (a fresh process per measurement; HL_NUM_THREADS=2)
  torch2-eager         PyPI PyTorch 2.x in build/bench-venv, bench/w1.py --serve (one
  torch2-eager-fused   warm process for all three modes; eager-fused is training only:
  torch2-compile       Adam(fused=True))
  torch1.13-eager      Debian's PyTorch 1.13, /usr/bin/python3 bench/w1.py --serve with
  torch1.13-eager-foreach  the host's OPENBLAS_CORETYPE and ATEN_CPU_CAPABILITY and
                       OMP_WAIT_POLICY=passive (eager-foreach: Adam(foreach=True), training)
GEMM (GEMM_SHAPES: N^3 for N = 256 .. 2048, and W1's layers at batch 64 and 256):
  nnc             build/bench/gemm_nnc_<shape> compiled from bench/gemm/matmul.mlir,
                  `bench --entry infer --batch M` (W1's layers with a dynamic batch dim,
                  as examples/mlp.nn compiles them)
  openblas        build/bench/gemm_bench openblas M K N (the host's OPENBLAS_CORETYPE)
  onednn          build/bench/gemm_bench onednn M K N (OMP_NUM_THREADS=2, passive wait)
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

# (task, batch, iters, warmup) for W1.
W1_TASKS = [("infer", 1, 1000, 100), ("infer", 64, 300, 30), ("infer", 256, 100, 10),
            ("train", 64, 200, 20)]
# GEMM shapes: (label, M, K, N, dynamic M, reps). W1's layers are compiled with a dynamic
# batch dim (as in examples/mlp.nn): one executable per (K, N), run at each batch.
GEMM_SHAPES = [("256", 256, 256, 256, False, 100), ("512", 512, 512, 512, False, 30),
               ("1024", 1024, 1024, 1024, False, 10), ("2048", 2048, 2048, 2048, False, 3),
               ("64x784x128", 64, 784, 128, True, 300), ("256x784x128", 256, 784, 128, True, 100),
               ("64x128x10", 64, 128, 10, True, 2000), ("256x128x10", 256, 128, 10, True, 1000)]


def gemm_exe(out, label, m, k, n, dynamic):
    """The nnc executable bench/run.sh built for a GEMM shape."""
    return os.path.join(out, "gemm_nnc_%s" % ("Bx%dx%d" % (k, n) if dynamic else label))


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


def w1_flops(task, b):
    """Matmul FLOPs of W1 per call (elementwise work ignored)."""
    fwd = 2 * b * (784 * 128 + 128 * 10)
    if task == "infer":
        return fwd
    # forward + dW1 + dh + dW0 (no gradient w.r.t. the images)
    return fwd + 2 * b * (128 * 10 + 128 * 10 + 784 * 128)


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

    def __init__(self, path, env):
        self.path = path
        self.env = env
        self.kernels = {}
        self.last_ms = {}

    # A fresh process per measurement starts cold: for its first few milliseconds the
    # Halide worker often shares a core with the calling thread, and a short run then
    # times one core (seen: 0.118 instead of 0.063 ms for W1 infer at batch 64). The
    # PyTorch contenders are warm servers, so nnc warms up at least this long too.
    WARMUP_SECONDS = 0.05

    def time(self, entry, batch, iters, warmup):
        per_call_ms = self.last_ms.get((entry, batch), 1.0)
        warmup = max(warmup, int(self.WARMUP_SECONDS * 1000 / max(per_call_ms, 1e-3)))
        p = subprocess.run([self.path, "bench", "--entry", entry, "--batch", str(batch),
                            "--iters", str(iters), "--warmup", str(warmup)],
                           env=self.env, capture_output=True, text=True)
        if p.returncode != 0:
            return {"ok": False, "error": (p.stderr or p.stdout).strip()[:300]}
        lines = p.stdout.splitlines()
        for line in lines:
            m = self.median_re.match(line)
            if m:
                self.kernels[(entry, batch)] = p.stdout
                self.last_ms[(entry, batch)] = float(m.group(4))
                return {"ok": True, "ms": float(m.group(4)), "min_ms": float(m.group(5))}
        return {"ok": False, "error": "unparsed bench output: " + p.stdout[:200]}


class TorchServer:
    """A warm bench/w1.py --serve process."""

    def __init__(self, python, env, name):
        self.name = name
        self.proc = subprocess.Popen([python, os.path.join(ROOT, "bench", "w1.py"), "--serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=None,  # torch warnings pass through
                                     env=env, text=True, bufsize=1)
        hello = self.proc.stdout.readline()
        if not hello:
            raise RuntimeError("%s: w1.py --serve did not start" % name)
        self.info = json.loads(hello)

    def time(self, mode, task, batch, iters, warmup):
        try:
            self.proc.stdin.write("%s %s %d %d %d\n" % (mode, task, batch, iters, warmup))
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


def run_gemm_bench(exe, lib, m, k, n, reps, env):
    try:
        p = subprocess.run([exe, lib, str(m), str(k), str(n), str(reps), "2"], env=env,
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
    ap.add_argument("--compile-seconds", type=float, default=None,
                    help="median compile time of examples/mlp.nn measured by run.sh")
    ap.add_argument("--compile-samples", default="")
    ap.add_argument("--compile-cold", type=float, default=None,
                    help="compile time of examples/mlp.nn without nnc's runtime cache")
    ap.add_argument("--skip-gemm", action="store_true")
    ap.add_argument("--skip-w1", action="store_true")
    ap.add_argument("--cpuinfo", default="/proc/cpuinfo",
                    help="read the CPU's model and flags from this file (to check the settings "
                         "chosen for another machine kind)")
    args = ap.parse_args()
    out = os.path.join(args.build, "bench")
    cpu = cpu_info(args.cpuinfo)

    base = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "ATEN_CPU_CAPABILITY", "OPENBLAS_CORETYPE",
              "HL_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        base.pop(k, None)
    nnc_env = dict(base, HL_NUM_THREADS="2")

    results = {"rounds": args.rounds, "cpu": {k: v for k, v in cpu.items() if k != "flags"},
               "w1": {}, "gemm": {}, "errors": {}, "fma_peak": []}

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

    # ---- W1 -------------------------------------------------------------------
    contenders = []  # (name, callable(task, batch, iters, warmup))
    servers = []
    if not args.skip_w1:
        mlp = NncExe(os.path.join(out, "mlp"), nnc_env)
        contenders.append(("nnc", lambda t, b, i, w: mlp.time(t, b, i, w)))
        venv_py = os.path.join(args.venv or os.path.join(args.build, "bench-venv"), "bin", "python")
        if os.path.exists(venv_py):
            env2 = dict(base, OMP_NUM_THREADS="2")
            try:
                s2 = TorchServer(venv_py, env2, "torch2")
                servers.append(s2)
                v = short(s2.info["torch"])
                for mode in ("eager", "eager-fused", "compile"):
                    contenders.append(("torch%s-%s" % (v, mode),
                                       lambda t, b, i, w, s=s2, m=mode: s.time(m, t, b, i, w)))
            except Exception as e:  # noqa: BLE001
                results["errors"]["torch2"] = str(e)
        else:
            results["errors"]["torch2"] = "no %s (run bench/setup.sh)" % venv_py
        if os.path.exists("/usr/bin/python3"):
            try:
                s1 = TorchServer("/usr/bin/python3", dict(base, **torch113_env(cpu)), "torch1.13")
                servers.append(s1)
                v = short(s1.info["torch"])
                for mode in ("eager", "eager-foreach"):
                    contenders.append(("torch%s-%s" % (v, mode),
                                       lambda t, b, i, w, s=s1, m=mode: s.time(m, t, b, i, w)))
            except Exception as e:  # noqa: BLE001
                results["errors"]["torch1.13"] = str(e)

        # Priming pass (not recorded): torch.compile compiles here, caches warm up.
        log("priming (torch.compile compiles now) ...")
        for task, b, iters, warm in W1_TASKS:
            for name, fn in contenders:
                if task == "infer" and train_only(name):
                    continue
                t0 = time.time()
                r = fn(task, b, max(iters // 10, 5), 3)
                if not r.get("ok"):
                    results["errors"].setdefault(name, r.get("error", "?"))
                log("  %-24s %s b%-3d %.1f s%s" % (name, task, b, time.time() - t0,
                                                   "" if r.get("ok") else "  FAILED: " + r.get("error", "?")[:200]))
        for rnd in range(args.rounds):
            log("W1 round %d/%d" % (rnd + 1, args.rounds))
            for task, b, iters, warm in W1_TASKS:
                live = [(n, f) for n, f in contenders if n not in results["errors"]]
                k = rnd % max(len(live), 1)
                for name, fn in live[k:] + live[:k]:
                    if task == "infer" and train_only(name):
                        continue
                    record("w1", "%s %d" % (task, b), name, fn(task, b, iters, warm))
                    time.sleep(0.02)
        for s in servers:
            s.close()
        for (entry, b), text in mlp.kernels.items():
            with open(os.path.join(out, "nnc-kernels-%s-b%d.txt" % (entry, b)), "w") as f:
                f.write(text)

    # ---- GEMM -------------------------------------------------------------------
    if not args.skip_gemm:
        blas_env = dict(base, OPENBLAS_NUM_THREADS="2")
        if cpu["coretype"]:
            blas_env["OPENBLAS_CORETYPE"] = cpu["coretype"]
        dnnl_env = dict(base, OMP_NUM_THREADS="2", OMP_WAIT_POLICY="passive")
        gb = os.path.join(out, "gemm_bench")

        def nnc_gemm(label, m, k, n, dyn, reps):
            return NncExe(gemm_exe(out, label, m, k, n, dyn), nnc_env).time("infer", m, reps, 3)

        gcont = [("nnc", nnc_gemm),
                 ("openblas", lambda label, m, k, n, dyn, reps:
                  run_gemm_bench(gb, "openblas", m, k, n, reps, blas_env)),
                 ("onednn", lambda label, m, k, n, dyn, reps:
                  run_gemm_bench(gb, "onednn", m, k, n, reps, dnnl_env))]
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
    if results["w1"]:
        P("W1 (examples/mlp.nn) on %s" % machine)
        P("times in ms per call; ratio = best PyTorch / nnc (> 1: nnc faster)")
        P("ratio(min): the same from each contender's fastest round (less sensitive to machine contention)")
        hdr = "%-10s %5s %9s %10s  %-30s %6s %10s %8s %7s   %s" % (
            "task", "batch", "nnc ms", "best pt ms", "best PyTorch", "ratio", "ratio(min)", "nnc GF/s",
            "%peak", "all PyTorch (ms)")
        P(hdr)
        P("-" * len(hdr))
        for task, b, _, _ in W1_TASKS:
            row = results["w1"].get("%s %d" % (task, b), {})
            nnc = med(row.get("nnc", []))
            peers = {n: med(v) for n, v in row.items() if n != "nnc" and v}
            best = min(peers.items(), key=lambda kv: kv[1]) if peers else (None, None)
            ratio = best[1] / nnc if nnc and best[1] else None
            mins = {n: min(v) for n, v in row.items() if v}
            pmin = [v for n, v in mins.items() if n != "nnc"]
            rmin = min(pmin) / mins["nnc"] if pmin and "nnc" in mins else None
            gf = w1_flops(task, b) / (nnc * 1e-3) * 1e-9 if nnc else None
            others = ", ".join("%s %s" % (short(n), fmt_ms(v)) for n, v in sorted(peers.items()))
            P("%-10s %5d %9s %10s  %-30s %6s %10s %8s %7s   %s" % (
                "inference" if task == "infer" else "train step", b, fmt_ms(nnc), fmt_ms(best[1]),
                best[0] or "-", "%.2fx" % ratio if ratio else "-", "%.2fx" % rmin if rmin else "-",
                "%.1f" % gf if gf else "-", "%.0f%%" % (100 * gf / peak) if gf and peak else "-", others))
        P("(nnc GF/s counts matmul FLOPs only)")
        P("")
    if results["gemm"]:
        P("SGEMM C[M x N] = A[M x K] B[K x N] on %s" % machine)
        P("GFLOP/s = 2 M N K / median time; %peak = nnc GFLOP/s / measured FMA peak; "
          "MxKxN rows: W1's layers, nnc with a dynamic batch dim")
        hdr = "%-12s %9s %9s %9s %9s %9s %9s %12s %10s %7s" % (
            "shape", "nnc ms", "nnc GF/s", "OpenBLAS", "GF/s", "oneDNN", "GF/s", "nnc/OpenBLAS",
            "nnc/oneDNN", "%peak")
        P(hdr)
        P("-" * len(hdr))
        for label, m, k, n, _, _ in GEMM_SHAPES:
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
    if args.compile_seconds is not None:
        P("nnc compile time of examples/mlp.nn: %.2f s (median of %s)%s" % (
            args.compile_seconds, args.compile_samples or "?",
            "; %.2f s without the runtime cache (NNC_CACHE_DIR=)" % args.compile_cold
            if args.compile_cold is not None else ""))
    P("targets (reported, not asserted): SGEMM 256..2048 >= 90% of OpenBLAS; W1 inference b64 >= 2x and "
      "b256 >= 1.5x, train step b64 >= 3x the fastest PyTorch; compile <= 3 s")
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
