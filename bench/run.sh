#!/usr/bin/env bash
# nnc benchmarks: W1 (examples/mlp.nn) inference at batch 1/64/256 and a training step at
# batch 64 against PyTorch 2.x (eager, torch.compile) and Debian's PyTorch 1.13, plus an
# SGEMM microbenchmark of nnc's GEMM kernel against OpenBLAS (SkylakeX) and oneDNN.
# Everything runs with 2 threads, interleaved round-robin (bench/run.py); reported numbers
# are medians. Timings are reported, never asserted.
#
#   bench/run.sh [--rounds N] [--skip-gemm] [--skip-w1]
#
# Environment: NNC_BUILD_DIR (default build/), NNC_BENCH_VENV (default
# $NNC_BUILD_DIR/bench-venv, made by bench/setup.sh).
# Needs the peers from bench/setup.sh (run it once; it is not run here so that a
# benchmark never installs anything). Without build/bench-venv the PyTorch 2.x rows are
# skipped and named under "errors".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
out=$build/bench
mkdir -p "$out"
cd "$root"

# 1. nnc itself.
[ -x "$build/bin/nnc" ] || scripts/build.sh
nnc=$build/bin/nnc

# 2. W1, timing the compile of examples/mlp.nn (3 runs, median).
samples=()
for i in 1 2 3; do
  t0=$(date +%s.%N)
  "$nnc" examples/mlp.nn -o "$out/mlp"
  t1=$(date +%s.%N)
  samples+=("$(awk "BEGIN { print $t1 - $t0 }")")
done
compile_s=$(printf '%s\n' "${samples[@]}" | sort -g | sed -n 2p)
compile_list=$(printf '%.2f ' "${samples[@]}")

# 3. The GEMM modules (N = 256, 512, 1024) and the peer GEMM program.
for n in 256 512 1024; do
  sed "s/1024/$n/g" bench/gemm/matmul.mlir > "$out/matmul_$n.mlir"
  "$nnc" "$out/matmul_$n.mlir" -o "$out/gemm_nnc_$n"
done
if [ ! -x "$out/gemm_bench" ] || [ bench/gemm/gemm.cpp -nt "$out/gemm_bench" ]; then
  g++ -O2 -std=c++17 bench/gemm/gemm.cpp -lopenblas -ldnnl -o "$out/gemm_bench"
fi
if [ ! -x "$out/fma_peak" ] || [ bench/gemm/peak.cpp -nt "$out/fma_peak" ]; then
  g++ -O2 -mavx512f -pthread bench/gemm/peak.cpp -o "$out/fma_peak"
fi

# 4. Interleaved runs and the table.
echo "nproc: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
/usr/bin/python3 bench/run.py --build "$build" --compile-seconds "$compile_s" \
  --compile-samples "${compile_list% }" "$@" | tee "$out/table.txt"
echo "raw results: $out/results.json; nnc per-kernel times: $out/nnc-kernels-*.txt" >&2
