#!/bin/bash
# The CUDA target on a GPU machine (issue: the CUDA target). Two halves:
#
#   bench/gpu/run.sh --prepare DIR   (here, where nnc is built) compiles W1
#       (examples/mlp.nn) for the CPU, W1, W2 (cnn, cnn32), W4 (lstm) and W7 (gpt) for
#       --target=host-cuda, and the f32 GEMM 4096^3 (bench/gemm/matmul.mlir) for CUDA,
#       and copies this script, bench/peers.py, cublas.py and Fashion-MNIST into DIR
#       (about 40 MB), so DIR can travel to a machine that has a GPU, PyTorch and no
#       package registry.
#   DIR/run.sh --run DIR             (there) prints, in order:
#       1. loss parity: the first 100 training steps of W1 (batch 32, no shuffle, seed 0)
#          on the GPU and on the CPU, and the largest relative difference of the losses
#          (the goal: <= 1e-4);
#       2. accuracy: one epoch trained on the GPU, evaluated on the test split by the
#          GPU binary and by the CPU binary with the same weights;
#       3. timings: each model's inference and training step at batch 64 (nnc `bench`,
#          median) against PyTorch eager and torch.compile on the same GPU
#          (bench/peers.py --device cuda: the same models as the CPU benchmark);
#       4. the f32 GEMM 4096^3: nnc against torch.matmul (cuBLAS), as a ratio.
# Without a usable GPU the CUDA binaries stop with an error (no hang), and so does this
# script at step 1.
set -euo pipefail
mode=${1:-}
dir=${2:-}
[ -n "$mode" ] && [ -n "$dir" ] || { echo "usage: $0 --prepare DIR | --run DIR" >&2; exit 2; }

if [ "$mode" = --prepare ]; then
  root=$(cd "$(dirname "$0")/../.." && pwd)
  nnc=${NNC:-$root/build/bin/nnc}
  mkdir -p "$dir/data"
  "$nnc" "$root/examples/mlp.nn" -o "$dir/mlp_cpu"
  for m in mlp cnn cnn32 lstm gpt; do
    "$nnc" "$root/examples/$m.nn" --target=host-cuda -o "$dir/${m}_cuda"
  done
  sed "s/@M@/4096/g; s/@MD@//g; s/@K@/4096/g; s/@N@/4096/g" "$root/bench/gemm/matmul.mlir" \
    > "$dir/gemm_4096.mlir"
  "$nnc" "$dir/gemm_4096.mlir" --target=host-cuda -o "$dir/gemm_cuda_4096"
  cp "$root/bench/gpu/run.sh" "$root/bench/gpu/cublas.py" "$root/bench/peers.py" "$dir/"
  cp /usr/share/datasets/fashion-mnist/*.gz "$dir/data/"
  echo "prepared $dir: $(ls "$dir" | tr '\n' ' ')"
  exit 0
fi
[ "$mode" = --run ] || { echo "usage: $0 --prepare DIR | --run DIR" >&2; exit 2; }
cd "$dir"
data=$PWD/data
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

echo "== 1. loss parity, W1, 100 steps, batch 32"
./mlp_cuda train --data "$data" --steps 100 --batch 32 --no-shuffle --seed 0 \
  --log-csv gpu.csv > gpu-train.log
./mlp_cpu train --data "$data" --steps 100 --batch 32 --no-shuffle --seed 0 \
  --log-csv cpu.csv > cpu-train.log
python3 - <<'PY'
import csv
def losses(path):
    rows = list(csv.DictReader(open(path)))
    key = [k for k in rows[0] if k not in ("step", "epoch", "iteration")][0]
    return [float(r[key]) for r in rows]
g, c = losses("gpu.csv"), losses("cpu.csv")
worst = max(abs(a - b) / max(abs(b), 1e-12) for a, b in zip(g, c))
print(f"steps {len(g)}: first loss gpu {g[0]:.6f} cpu {c[0]:.6f}, last gpu {g[-1]:.6f} "
      f"cpu {c[-1]:.6f}; max relative difference {worst:.3e} "
      f"({'within' if worst <= 1e-4 else 'OVER'} 1e-4)")
PY

echo "== 2. accuracy, W1, one epoch on the GPU"
/usr/bin/time -f "gpu epoch: %e s" ./mlp_cuda train --data "$data" --epochs 1 --seed 0 \
  --save w1.safetensors | tail -2
echo -n "gpu eval: "; ./mlp_cuda eval --data "$data" --weights w1.safetensors | tail -1
echo -n "cpu eval: "; ./mlp_cpu eval --data "$data" --weights w1.safetensors | tail -1

echo "== 3. inference and training step at batch 64 (ms, median): nnc, then PyTorch"
for m in mlp cnn cnn32 lstm gpt; do
  for entry in infer train; do
    echo -n "nnc $m $entry: "
    ./${m}_cuda bench --entry $entry --batch 64 --iters 100 --warmup 10 | grep "^entry" || true
  done
done
python3 peers.py --device cuda --models mlp,cnn,cnn32,lstm,gpt --modes eager,compile \
  --iters 100 --repeats 3

echo "== 4. f32 GEMM 4096^3"
./gemm_cuda_4096 bench --entry infer --iters 20 --warmup 3 | grep "^entry"
python3 cublas.py
