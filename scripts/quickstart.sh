#!/usr/bin/env bash
# The main job on a fresh machine: install the Debian packages, build nnc, compile the
# W1 MLP (examples/mlp.nn), evaluate the PyTorch-trained weights shipped in the repo on
# the Fashion-MNIST test set, then train W1 from scratch with the file's defaults
# (Adam, 5 epochs, batch 32, the rate decaying linearly) and report the test accuracy
# after each epoch and at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

out="$build/examples"
mkdir -p "$out"
echo "== nnc examples/mlp.nn -o $out/mlp"
"$build/bin/nnc" "$root/examples/mlp.nn" -o "$out/mlp"
echo "== mlp eval --weights examples/weights/mlp.safetensors (trained by PyTorch)"
"$out/mlp" eval --weights "$root/examples/weights/mlp.safetensors"
echo "== mlp train (defaults from examples/mlp.nn), checkpoint in $out/mlp.safetensors"
"$out/mlp" train --save "$out/mlp.safetensors"
