#!/usr/bin/env python3
"""Numeric checks for nnc's end-to-end tests, in plain Python (no numpy, no torch).

  check.py npy ACTUAL.npy EXPECTED.npy --rtol R --atol A
      elementwise |a - e| <= atol + rtol * |e|
  check.py values ACTUAL.txt EXPECTED.txt NAME[=EXPECTED_NAME] ... --rtol R --atol A
      compares `name: v v ...` lines (as printed by `model run --print`)
  check.py write-npy OUT.npy DIMS V [V ...]
      writes a float32 .npy (DIMS like 1,2)
  check.py rows IN.npy OUT.npy START COUNT
      writes rows START..START+COUNT-1 (of the first dim) of a float32 .npy
  check.py losses ACTUAL.txt EXPECTED.txt N --rtol R
      compares the first N `loss` values of a training log with one value per line
  check.py accuracy LOG --min A
      the last `test accuracy X` (train) or `accuracy: X` (eval) in LOG is >= A
  check.py translations OUTPUT REFS SPLIT
      the `SOURCE -> GOT (right|WANT)` lines of `translate --test --show N` have the
      sources and answers of REFS' `SPLIT SOURCE -> ANSWER` lines, in order
  check.py count ACTUAL.npy EXPECTED.npy --max-diff K
      counts differing int32 elements (e.g. predicted classes); fails above K
Prints what it compared and the largest errors; exits 1 on a mismatch.
"""
import argparse
import ast
import struct
import sys


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header["fortran_order"]:
        sys.exit(f"{path}: Fortran order is not supported")
    code = {"<f4": "f", "<i4": "i"}.get(header["descr"])
    if code is None:
        sys.exit(f"{path}: unsupported dtype {header['descr']}")
    shape = tuple(header["shape"])
    count = 1
    for d in shape:
        count *= d
    body = data[start + hlen:start + hlen + 4 * count]
    return shape, list(struct.unpack(f"<{count}{code}", body))


def write_npy(path, shape, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (tuple(shape),)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack(f"<{len(values)}f", *values))


def compare(name, actual, expected, rtol, atol):
    if len(actual) != len(expected):
        print(f"{name}: MISMATCH: {len(actual)} values vs {len(expected)} expected")
        return False
    worst_abs = worst_rel = 0.0
    bad = None
    for i, (a, e) in enumerate(zip(actual, expected)):
        err = abs(a - e)
        worst_abs = max(worst_abs, err)
        if e != 0:
            worst_rel = max(worst_rel, err / abs(e))
        if err > atol + rtol * abs(e) and bad is None:
            bad = (i, a, e)
    status = "OK" if bad is None else "MISMATCH at %d: %.9g vs %.9g" % bad
    print(f"{name}: {len(actual)} values, max abs err {worst_abs:.3g}, "
          f"max rel err {worst_rel:.3g}: {status}")
    return bad is None


def read_values(path):
    values = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or ":" not in line:
                continue
            name, rest = line.split(":", 1)
            try:
                values[name.strip()] = [float(v) for v in rest.split()]
            except ValueError:
                pass
    return values


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("args", nargs="*")
    p.add_argument("--rtol", type=float, default=0.0)
    p.add_argument("--atol", type=float, default=0.0)
    p.add_argument("--max-diff", type=int, default=0)
    p.add_argument("--min", type=float, default=0.0)
    o = p.parse_args()
    ok = True
    if o.mode == "npy":
        (sa, a), (se, e) = read_npy(o.args[0]), read_npy(o.args[1])
        if sa != se:
            print(f"shape MISMATCH: {sa} vs {se}")
            return 1
        ok = compare("values", a, e, o.rtol, o.atol)
    elif o.mode == "values":
        actual, expected = read_values(o.args[0]), read_values(o.args[1])
        for spec in o.args[2:]:
            name, _, ref = spec.partition("=")
            if name not in actual or (ref or name) not in expected:
                print(f"{name}: MISSING")
                ok = False
                continue
            ok &= compare(name, actual[name], expected[ref or name], o.rtol, o.atol)
    elif o.mode == "write-npy":
        dims = [int(d) for d in o.args[1].split(",") if d]
        write_npy(o.args[0], dims, [float(v) for v in o.args[2:]])
    elif o.mode == "rows":
        shape, values = read_npy(o.args[0])
        start, count = int(o.args[2]), int(o.args[3])
        if start < 0 or count < 1 or start + count > shape[0]:
            sys.exit(f"rows {start}..{start + count - 1} outside the {shape[0]} of {o.args[0]}")
        row = len(values) // shape[0]
        write_npy(o.args[1], (count,) + shape[1:], values[start * row:(start + count) * row])
    elif o.mode == "losses":
        n = int(o.args[2])
        actual = [float(l.split("loss")[1].split()[0].strip(":= ,"))
                  for l in open(o.args[0]) if "loss" in l][:n]
        expected = [float(l) for l in open(o.args[1]) if not l.startswith("#")][:n]
        ok = compare(f"first {n} losses", actual, expected, o.rtol, o.atol)
    elif o.mode == "accuracy":
        found = [float(l.split("accuracy")[1].strip(" :").split()[0])
                 for l in open(o.args[0]) if "accuracy" in l]
        ok = bool(found) and found[-1] >= o.min
        print(f"accuracy {found[-1] if found else 'missing'} (at least {o.min}): "
              f"{'OK' if ok else 'TOO LOW'}")
    elif o.mode == "translations":
        shown = []
        for line in open(o.args[0]):
            if " -> " in line and line.rstrip().endswith(")"):
                src, _, rest = line.rstrip().partition(" -> ")
                got, _, verdict = rest.partition(" (")
                verdict = verdict[:-1]
                shown.append((src.rstrip(), got if verdict == "right" else verdict))
        refs = [tuple(l[len(o.args[2]) + 1:].rstrip("\n").split(" -> "))
                for l in open(o.args[1]) if l.startswith(o.args[2] + " ")]
        ok = bool(shown) and shown == refs[:len(shown)]
        print(f"{len(shown)} {o.args[2]} examples against {len(refs)} references: "
              f"{'OK' if ok else 'MISMATCH'}")
        if not ok:
            print(f"  shown {shown}\n  refs {refs[:len(shown)]}")
    elif o.mode == "count":
        (sa, a), (se, e) = read_npy(o.args[0]), read_npy(o.args[1])
        diff = sum(1 for x, y in zip(a, e) if x != y) + abs(len(a) - len(e))
        ok = diff <= o.max_diff
        print(f"{diff} of {len(e)} differ (at most {o.max_diff} allowed): "
              f"{'OK' if ok else 'MISMATCH'}")
    else:
        sys.exit(f"unknown mode {o.mode}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
