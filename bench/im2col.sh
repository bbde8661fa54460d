#!/usr/bin/env bash
# Direct convolution against im2col + GEMM for W2's forward convolutions at batch 64
# (issue 9: keep the faster formulation per shape class). Interleaved, 3 rounds:
#   direct  nnc's kernels of examples/cnn.nn and cnn32.nn (`bench --entry infer --batch
#           64`, the per-kernel medians of the convolution kernels, epilogue included);
#   im2col  the GEMM patches[B*OH*OW, KH*KW*C] x filter[KH*KW*C, F] of each layer, by nnc
#           (bench/gemm/matmul.mlir with a static M) and by OpenBLAS (gemm_bench). The copy
#           that builds the patches is not timed, so these are lower bounds for im2col.
# Needs build/bin/nnc and build/bench/gemm_bench (bench/run.sh builds it).
#   bench/im2col.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
out=$build/bench/im2col
mkdir -p "$out"
nnc=$build/bin/nnc
gemm=$build/bench/gemm_bench
rounds=${1:-3}
[ -x "$gemm" ] || { echo "im2col.sh: $gemm missing (run bench/run.sh once)" >&2; exit 1; }
export HL_NUM_THREADS=2 OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-$(grep -q avx512f /proc/cpuinfo && echo SkylakeX || echo Haswell)}
for m in cnn cnn32; do "$nnc" "$root/examples/$m.nn" -o "$out/$m"; done
# label kernel M K N: the layer, its direct kernel, its im2col GEMM
layers=("cnn.conv1 FashionCNN_infer_k0 50176 25 32" "cnn.conv2 FashionCNN_infer_k2 12544 800 64"
        "cnn32.conv1 FashionCNN32_infer_k0 57600 27 32" "cnn32.conv2 FashionCNN32_infer_k2 10816 288 64"
        "cnn32.conv3 FashionCNN32_infer_k4 1024 576 64")
for l in "${layers[@]}"; do
  set -- $l
  sed "s/@M@/$3/g; s/@MD@//g; s/@K@/$4/g; s/@N@/$5/g" "$root/bench/gemm/matmul.mlir" > "$out/mm_$1.mlir"
  "$nnc" "$out/mm_$1.mlir" -o "$out/mm_$1"
done
log=$out/rounds.txt
: > "$log"
for ((r = 1; r <= rounds; r++)); do
  for m in cnn cnn32; do
    "$out/$m" bench --entry infer --batch 64 --iters 30 --warmup 5 2>/dev/null |
      awk '$2 ~ /_infer_k/ {print "direct", $2, $3}' >> "$log"
  done
  for l in "${layers[@]}"; do
    set -- $l
    t=$("$out/mm_$1" bench --entry infer --iters 30 --warmup 5 2>/dev/null | sed -nE 's/.*median ([0-9.]+) ms.*/\1/p')
    b=$("$gemm" openblas "$3" "$4" "$5" 20 | sed -nE 's/.*"median_ms": ([0-9.]+).*/\1/p')
    echo "nnc-gemm $1 $t" >> "$log"
    echo "openblas $1 $b" >> "$log"
  done
done
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf "%-12s %8s %8s %10s %10s %12s\n" layer "M" "KxN" "direct ms" "nnc GEMM" "OpenBLAS"
for l in "${layers[@]}"; do
  set -- $l
  d=$(awk -v k="$2" '$1 == "direct" && $2 == k {print $3}' "$log" | median)
  g=$(awk -v k="$1" '$1 == "nnc-gemm" && $2 == k {print $3}' "$log" | median)
  b=$(awk -v k="$1" '$1 == "openblas" && $2 == k {print $3}' "$log" | median)
  printf "%-12s %8s %8s %10s %10s %12s\n" "$1" "$3" "$4x$5" "$d" "$g" "$b"
done
echo "medians of $rounds interleaved rounds; im2col columns: the GEMM alone (patch copy not timed)"
