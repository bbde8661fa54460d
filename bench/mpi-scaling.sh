#!/usr/bin/env bash
# Data-parallel scaling of a model (default W1, examples/mlp.nn) from 1 to 2 ranks on
# this machine: compiles it with nnc --data-parallel, then trains it for EPOCHS epochs
# (default 2) of the training split (its first LIMIT examples when given), at the
# model's batch (W1: 32), ROUNDS times (default 3) in each configuration, alternating:
#   1 process, HL_NUM_THREADS=2          the fused step on both cores
#   1 process, HL_NUM_THREADS=1          the fused step on one core
#   mpirun -np 2, HL_NUM_THREADS=1       2 ranks x 1 thread (the split step + the sum)
# and prints each configuration's samples/s (median over rounds of the mean of its
# epochs' `samples/s`, test evaluation excluded) and the 2-rank efficiency
# (samples/s on 2 ranks / (2 x samples/s of one process on one core)).
# Usage: bench/mpi-scaling.sh [MODEL.nn] [ROUNDS] [EPOCHS] [LIMIT] [BATCH]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
model=${1:-$root/examples/mlp.nn} rounds=${2:-3} epochs=${3:-2} limit=${4:-} batch=${5:-}
name=$(basename "$model" .nn)
out=$build/bench/mpi-$name
mkdir -p "$out"
"$build/bin/nnc" --data-parallel "$model" -o "$out/model"
args=(train --epochs "$epochs")
[ -z "$limit" ] || args+=(--limit "$limit")
[ -z "$batch" ] || args+=(--batch "$batch")
mpirun=(mpirun --oversubscribe --mca btl self,vader -np 2)
[ "$(id -u)" -ne 0 ] || mpirun+=(--allow-run-as-root)
rate() { sed -nE 's/^epoch [0-9]+\/[0-9]+: .* ([0-9]+) samples\/s.*/\1/p' "$1" |
           awk '{s += $1; n++} END {printf "%.0f\n", s / n}'; }
declare -A runs
for r in $(seq "$rounds"); do
  HL_NUM_THREADS=2 "$out/model" "${args[@]}" > "$out/one-2t.$r.log"
  HL_NUM_THREADS=1 "$out/model" "${args[@]}" > "$out/one-1t.$r.log"
  HL_NUM_THREADS=1 "${mpirun[@]}" -x HL_NUM_THREADS "$out/model" "${args[@]}" \
    > "$out/two-1t.$r.log"
  for c in one-2t one-1t two-1t; do runs[$c]+="$(rate "$out/$c.$r.log") "; done
  echo "round $r: 1 process 2 threads $(rate "$out/one-2t.$r.log"); 1 process 1 thread" \
       "$(rate "$out/one-1t.$r.log"); 2 ranks x 1 thread $(rate "$out/two-1t.$r.log") samples/s"
done
median() { tr ' ' '\n' <<< "$1" | sed '/^$/d' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
a=$(median "${runs[one-2t]}") b=$(median "${runs[one-1t]}") c=$(median "${runs[two-1t]}")
echo "$name, $epochs epochs${limit:+ of $limit examples}${batch:+, batch $batch}, median of $rounds rounds (samples/s):"
echo "  1 process, 2 threads:   $a"
echo "  1 process, 1 thread:    $b"
echo "  2 ranks x 1 thread:     $c"
awk -v b="$b" -v c="$c" -v a="$a" 'BEGIN {printf "  2-rank efficiency: %.2f of 2 x (1 process, 1 thread); %.2f x 1 process on 2 threads\n", c / (2 * b), c / a}'
grep -h "final test accuracy" "$out/one-2t.$rounds.log" "$out/two-1t.$rounds.log" | sed 's/^/  /'
