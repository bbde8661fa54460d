#!/usr/bin/env bash
# Installs the Debian packages nnc needs to build and test. Idempotent: packages already
# present are skipped, and `apt-get update` runs at most once per invocation, only when
# something is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build python3
  llvm-19-dev libmlir-19-dev mlir-19-tools   # MLIR 19 (all three: MLIRTargets.cmake checks them)
  libhalide14-0-dev                           # Halide 14 (brings its LLVM 14)
  zlib1g-dev                                  # the runtime reads gzipped IDX files
  libpng-dev                                  # the driver writes sample grids as PNG
  clang-19 libclang-rt-19-dev                 # build-asan/ (ASan, UBSan) and fuzz/ (libFuzzer)
  dataset-fashion-mnist                       # default data for the examples
  fortunes                                    # text data (data fortunes, fortunes_lm)
  pkgconf                                     # test/embed: the installed nnrt.pc
  python3-numpy                               # python/nnc and its tests (test/embed)
  libopenmpi-dev openmpi-bin                  # data-parallel training under mpirun (optional)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
