"""Writes float32 inputs for erf and checks a float32 erf against math.erf (in float64),
without numpy (lit's python may lack it).

  erf_check.py write X.npy              x: -6..6 by 0.001, tiny values, +-0, +-inf, NaN
  erf_check.py check X.npy Y.npy ULP ABS
      prints whether every error is within ULP units in the last place or ABS absolute
      (whichever is larger), and whether NaN and the infinities came out right
"""
import math
import sys

from tanh_check import f32, read_npy, ulp, write_npy


def inputs():
    xs = [f32(i / 1000.0) for i in range(-6000, 6001)]
    xs += [f32(s * 10.0 ** -e) for e in range(3, 40) for s in (1, -1)]
    xs += [0.0, -0.0, math.inf, -math.inf, math.nan]
    return xs


if sys.argv[1] == "write":
    write_npy(sys.argv[2], inputs())
else:
    xs, ys = read_npy(sys.argv[2]), read_npy(sys.argv[3])
    max_ulp, max_abs = float(sys.argv[4]), float(sys.argv[5])
    worst_ulp = worst_abs = 0.0
    ok, special = True, True
    for x, y in zip(xs, ys):
        if math.isnan(x):
            special &= math.isnan(y)
            continue
        want = math.erf(x)
        if math.isinf(x):
            special &= y == want
            continue
        e_abs = abs(y - want)
        e_ulp = e_abs / ulp(want)
        worst_ulp, worst_abs = max(worst_ulp, e_ulp), max(worst_abs, e_abs)
        ok &= e_ulp <= max_ulp or e_abs <= max_abs
    print("erf: %d values, %s (max %.1f ulp, max %.2g absolute); nan and inf %s"
          % (len(xs), "within bounds" if ok else "OUT OF bounds", worst_ulp, worst_abs,
             "right" if special else "WRONG"))
