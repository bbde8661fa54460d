#!/bin/sh
# ptxas-all.sh DIR: assembles every DIR/*.ptx (nnc --emit=ptx, split by split-file) for
# sm_80 and sm_90; prints "N PTX files assembled for sm_80 and sm_90", or the first
# failure and exits 1. An empty DIR is a failure.
dir=$1
ptxas=${PTXAS:-/usr/local/cuda/bin/ptxas}
n=0
for f in "$dir"/*.ptx; do
  [ -f "$f" ] || { echo "no PTX files in $dir"; exit 1; }
  for arch in sm_80 sm_90; do
    "$ptxas" -arch=$arch "$f" -o /dev/null || { echo "ptxas -arch=$arch failed on $f"; exit 1; }
  done
  n=$((n + 1))
done
echo "$n PTX files assembled for sm_80 and sm_90"
