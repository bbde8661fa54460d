#!/usr/bin/env bash
# Installs the benchmark peers (never part of the product build or tests). Idempotent.
#   Debian: python3-torch (PyTorch 1.13) python3-numpy libopenblas-dev libdnnl-dev
#   PyPI:   torch 2.x in a venv under $NNC_BUILD_DIR/bench-venv (default build/bench-venv)
# Only PyPI itself is reachable, so `pip install torch` gets PyPI's default Linux wheel
# (the CUDA-bundled one, ~1 GB plus the nvidia-* wheels, several GB on disk). It runs on
# the CPU as well; the disk check below refuses to start with under 12 GB free.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
venv=$build/bench-venv

need=()
for p in python3-torch python3-numpy libopenblas-dev libdnnl-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: apt-get install ${need[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
else
  echo "setup: Debian packages present"
fi

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import torch, sys; sys.exit(0 if int(torch.__version__.split(".")[0]) >= 2 else 1)' 2>/dev/null; then
  echo "setup: $venv has torch $("$venv/bin/python" -c 'import torch; print(torch.__version__)')"
  exit 0
fi
avail_kb=$(df -Pk "$(dirname "$build")" | awk 'NR==2 {print $4}')
if [ "$avail_kb" -lt $((12 * 1024 * 1024)) ]; then
  echo "setup: under 12 GB free on disk: not installing PyPI torch (PyTorch 2.x rows will be skipped)" >&2
  exit 0
fi
mkdir -p "$build"
# Any CPython >= 3.9 with venv; prefer the one on PATH (pyenv here), then Debian's.
py=$(command -v python3)
"$py" -c 'import venv, ensurepip' 2>/dev/null || py=/usr/bin/python3
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
start=$(date +%s)
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet torch numpy
echo "setup: pip install torch took $(( $(date +%s) - start )) s; venv size $(du -sh "$venv" | cut -f1)"
"$venv/bin/python" -c 'import torch; print("setup: torch", torch.__version__, "cuda build", torch.version.cuda)'
