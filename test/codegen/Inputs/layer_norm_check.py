"""Checks `y` against PyTorch's layer norm of `x` (eps 1e-5, weight 1, bias 0) per row of
WIDTH, both as `run --print` prints them (`name: v v ...`), in float64:
  layer_norm_check.py PRINTED WIDTH RTOL"""
import math
import sys

values = {}
for line in open(sys.argv[1]):
    name, _, rest = line.partition(":")
    if rest.strip():
        values[name.strip()] = [float(v) for v in rest.split()]
width, rtol = int(sys.argv[2]), float(sys.argv[3])
x, y = values["x"], values["y"]
assert len(x) == len(y) and len(x) % width == 0, (len(x), len(y))
worst = 0.0
for r in range(0, len(x), width):
    row = x[r:r + width]
    mean = sum(row) / width
    var = sum((v - mean) ** 2 for v in row) / width
    for v, got in zip(row, y[r:r + width]):
        want = (v - mean) / math.sqrt(var + 1e-5)
        worst = max(worst, abs(got - want) / max(abs(want), 1.0))
print(f"{len(x) // width} rows of {width}: largest error {worst:.2e}:",
      "OK" if worst <= rtol else "MISMATCH")
sys.exit(0 if worst <= rtol else 1)
