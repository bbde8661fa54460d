#!/usr/bin/env bash
# nnc benchmarks: W1 (examples/mlp.nn) inference at batch 1/64/256 and W2 (examples/cnn.nn,
# examples/cnn32.nn) at batch 1/64, a training step at batch 64, W3 (examples/dcgan.nn) one
# GAN iteration (d_step + g_step) at batch 64 and the generator's sample at batch 1/64
# (in the first 3 rounds only: --w3-rounds N), W4 (examples/lstm.nn) inference at batch
# 1/64 and a training step at 64, W7 (examples/gpt.nn) inference at batch 1/32 and a
# training step at 32, against
# PyTorch 2.x (eager,
# channels_last, torch.compile) and Debian's PyTorch 1.13, plus
# SGEMM at 256..2048 and at W1's layer shapes against OpenBLAS and oneDNN, with the
# host's measured FMA peak. Runs on AVX-512 and AVX2-only x86 hosts alike: the CPU's
# features (/proc/cpuinfo) choose the peers' settings (bench/run.py, cpu_info) and the
# FMA probe is built for the host. Everything runs with 2 threads, interleaved
# round-robin (bench/run.py); reported numbers are medians. Timings are reported,
# never asserted. The one command for a benchmark run:
#
#   bench/run.sh [--rounds N] [--skip-gemm] [--skip-w1] [--skip-w2] [--skip-w3] [--skip-w4]
#                [--skip-w7] [--w3-rounds N]
#
# A skipped workload's models (and with --skip-gemm the GEMM programs) are not compiled.
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
skip_models=" "; skip_gemm=
for a in "$@"; do
  case $a in
    --skip-w1) skip_models="$skip_models mlp " ;;
    --skip-w2) skip_models="$skip_models cnn cnn32 " ;;
    --skip-w3) skip_models="$skip_models dcgan " ;;
    --skip-w4) skip_models="$skip_models lstm " ;;
    --skip-w7) skip_models="$skip_models gpt " ;;
    --skip-gemm) skip_gemm=1 ;;
  esac
done
skipped() { case $skip_models in *" $1 "*) return 0 ;; esac; return 1; }

# 1. nnc itself.
[ -x "$build/bin/nnc" ] || scripts/build.sh
nnc=$build/bin/nnc

# 2. The models (W1: examples/mlp.nn, W2: examples/cnn.nn, examples/cnn32.nn), timing
#    each compile: once without nnc's cache of the Halide runtime (NNC_CACHE_DIR empty),
#    then 3 runs with it (bench/run.py reports the median), into $out/compile.json.
#    W3 (examples/dcgan.nn, ~20 s a compile) is compiled and timed once, with the cache.
now() { date +%s.%N; }
json="{"
for model in mlp cnn cnn32; do
  skipped "$model" && continue
  t0=$(now); NNC_CACHE_DIR= "$nnc" "examples/$model.nn" -o "$out/$model"; t1=$(now)
  cold=$(awk "BEGIN { print $t1 - $t0 }")
  samples=""
  for i in 1 2 3; do
    t0=$(now); "$nnc" "examples/$model.nn" -o "$out/$model"; t1=$(now)
    samples="$samples${samples:+, }$(awk "BEGIN { print $t1 - $t0 }")"
  done
  json="$json\"$model\": {\"cold\": $cold, \"samples\": [$samples]}, "
done
if ! skipped dcgan; then
  t0=$(now); "$nnc" examples/dcgan.nn -o "$out/dcgan"; t1=$(now)
  json="$json\"dcgan\": {\"samples\": [$(awk "BEGIN { print $t1 - $t0 }")]}, "
fi
# W4 (examples/lstm.nn): nnc cannot compile its loop yet, so a failure is not fatal: the
# message goes to $out/lstm.error and bench/run.py reports nnc as "not compiled yet".
if ! skipped lstm; then
  rm -f "$out/lstm" "$out/lstm.error"
  t0=$(now)
  if "$nnc" examples/lstm.nn -o "$out/lstm" 2> "$out/lstm.error"; then
    t1=$(now); rm -f "$out/lstm.error"
    json="$json\"lstm\": {\"samples\": [$(awk "BEGIN { print $t1 - $t0 }")]}, "
  else
    rm -f "$out/lstm"
  fi
fi
if ! skipped gpt; then
  t0=$(now); "$nnc" examples/gpt.nn -o "$out/gpt"; t1=$(now)
  json="$json\"gpt\": {\"samples\": [$(awk "BEGIN { print $t1 - $t0 }")]}, "
  # W7's "sample" task needs a checkpoint with the vocabulary: one training step.
  "$out/gpt" train --steps 1 --limit 64 --warmup 0 --save "$out/gpt-sample.safetensors" > /dev/null
fi
echo "${json%, }}" > "$out/compile.json"

# 3. The GEMM executables (bench/run.py's GEMM_SHAPES, listed by its --gemm-builds: static
#    N^3, and W1's and W7's layers with a dynamic batch dim, and W7's weight gradients
#    C = A^T B over a dynamic K) and the peer programs.
gemm() { # label template M K N ('?' for the dynamic dim)
  local dims=""; [ "$3" = "?" ] && dims=B
  sed "s/@M@/$3/g; s/@MD@/$dims/g; s/@K@/$4/g; s/@N@/$5/g" "bench/gemm/$2.mlir" \
    > "$out/matmul_$1.mlir"
  "$nnc" "$out/matmul_$1.mlir" -o "$out/gemm_nnc_$1"
}
if [ -z "$skip_gemm" ]; then
  builds=$(/usr/bin/python3 bench/run.py --gemm-builds)
  while read -r label template m k n; do
    gemm "$label" "$template" "$m" "$k" "$n"
  done <<< "$builds"
  if [ ! -x "$out/gemm_bench" ] || [ bench/gemm/gemm.cpp -nt "$out/gemm_bench" ]; then
    g++ -O2 -std=c++17 bench/gemm/gemm.cpp -lopenblas -ldnnl -o "$out/gemm_bench"
  fi
fi
# The probe is built for this host every time (the build folder may move between hosts).
g++ -O2 -march=native -pthread bench/gemm/peak.cpp -o "$out/fma_peak"

# 4. Interleaved runs and the table.
echo "nproc: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
/usr/bin/python3 bench/run.py --build "$build" --compile-times "$out/compile.json" "$@" \
  | tee "$out/table.txt"
echo "raw results: $out/results.json; nnc per-kernel times: $out/nnc-kernels-*.txt" >&2
