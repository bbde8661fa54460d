#!/usr/bin/env python3
"""Statistical and determinism checks of nnc's noise builtins (noise.test).

  check_noise.py zeros X.npy ROWS   writes a float32 [ROWS, 1] input of zeros
  check_noise.py stats OUT.npy       OUT.npy is `normal`; OUT.<name>.npy the others
  check_noise.py same A.npy B.npy    bitwise equal
  check_noise.py differ A.npy B.npy  most elements differ

Tolerances are 5 standard errors of each statistic for n = 64 x 1000 = 64000 samples,
so a correct generator fails with probability below 1e-6 per check, while a biased or
mis-scaled one (e.g. stddev off by 2%, a mean shift of 0.02) fails.
"""
import sys

import numpy as np

N = 64 * 1000


def check(name, value, expected, tol):
    ok = abs(value - expected) <= tol
    print(f"{name}: {value:.5f} (expected {expected} +- {tol:.5f}) {'ok' if ok else 'FAIL'}")
    return ok


def stats(path):
    base = path[:-len(".npy")]
    z = np.load(path).astype(np.float64)
    u = np.load(base + ".uniform.npy").astype(np.float64)
    s = np.load(base + ".scaled.npy").astype(np.float64)
    r = np.load(base + ".ranged.npy").astype(np.float64)
    assert z.shape == u.shape == s.shape == r.shape == (64, 1000), (z.shape, u.shape)
    se = 1 / np.sqrt(N)
    ok = True
    # N(0, 1): the mean has standard error 1/sqrt(n), the std sqrt(1/(2n)), the
    # fraction within one sigma (p = 0.6827) sqrt(p(1-p)/n).
    ok &= check("normal mean", z.mean(), 0.0, 5 * se)
    ok &= check("normal std", z.std(), 1.0, 5 * np.sqrt(1 / (2 * N)))
    p = 0.682689
    ok &= check("normal P(|z|<1)", np.mean(np.abs(z) < 1), p, 5 * np.sqrt(p * (1 - p) / N))
    # Box-Muller pairs (elements 2k, 2k+1) are independent: correlation ~ 1/sqrt(n/2).
    flat = z.reshape(-1)
    ok &= check("pair correlation", np.corrcoef(flat[0::2], flat[1::2])[0, 1], 0.0,
                5 / np.sqrt(N / 2))
    # Rows are not copies of each other (the batch dim is part of the index).
    ok &= check("rows 0, 1 equal", float(np.mean(z[0] == z[1])), 0.0, 0.0)
    # U[0, 1): mean 1/2 with standard error sqrt(1/12/n); every value in [0, 1).
    ok &= check("uniform mean", u.mean(), 0.5, 5 * np.sqrt(1 / 12 / N))
    # The std of U[0, 1) has standard error sqrt((mu4 - sigma^4) / n) / (2 sigma), mu4 = 1/80.
    ok &= check("uniform std", u.std(), np.sqrt(1 / 12),
                5 * np.sqrt(1 / 180 / N) / (2 * np.sqrt(1 / 12)))
    inside = bool((u >= 0).all() and (u < 1).all())
    print(f"uniform in [0, 1): min {u.min():.7f} max {u.max():.7f} {'ok' if inside else 'FAIL'}")
    ok &= inside
    # N(3, 2^2) and U[-2, 6): the same statistics, scaled.
    ok &= check("scaled mean", s.mean(), 3.0, 5 * 2 * se)
    ok &= check("scaled std", s.std(), 2.0, 5 * 2 * np.sqrt(1 / (2 * N)))
    ok &= check("ranged mean", r.mean(), 2.0, 5 * 8 * np.sqrt(1 / 12 / N))
    inside = bool((r >= -2).all() and (r <= 6).all())
    print(f"ranged in [-2, 6]: min {r.min():.5f} max {r.max():.5f} {'ok' if inside else 'FAIL'}")
    ok &= inside
    return ok


def zeros(path, rows):
    np.save(path, np.zeros((int(rows), 1), np.float32))
    return True


def same(a, b):
    x, y = np.load(a), np.load(b)
    ok = x.shape == y.shape and np.array_equal(x, y)
    print(f"same: {'ok' if ok else 'FAIL'}")
    return ok


def differ(a, b):
    x, y = np.load(a), np.load(b)
    frac = float(np.mean(x != y)) if x.shape == y.shape else 1.0
    ok = frac > 0.99
    print(f"differ: {frac:.4f} of the elements differ {'ok' if ok else 'FAIL'}")
    return ok


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    ok = {"zeros": zeros, "stats": stats, "same": same, "differ": differ}[cmd](*args)
    sys.exit(0 if ok else 1)
