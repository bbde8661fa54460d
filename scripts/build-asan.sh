#!/usr/bin/env bash
# Configures (once) and builds the sanitized tree: clang-19, -O1 with line tables,
# -fsanitize=address,undefined on every target, and the libFuzzer harnesses of fuzz/.
# scripts/test.sh runs the lit suite on it; scripts/fuzz.sh runs its fuzzers.
# Usage: scripts/build-asan.sh [NINJA TARGETS...]   (default: everything)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_ASAN_BUILD_DIR:-$root/build-asan}
if [ ! -f "$build/build.ninja" ]; then
  CC=clang-19 CXX=clang++-19 cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    -DNNC_SANITIZE=address,undefined -DNNC_FUZZ=ON \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py
fi
cmake --build "$build" -- "$@"
