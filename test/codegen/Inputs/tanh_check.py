"""Writes float32 inputs for tanh and checks a float32 tanh against math.tanh (in
float64) in units in the last place, without numpy (lit's python may lack it).

  tanh_check.py write X.npy        x: -12..12 by 0.001, tiny values, +-0, +-inf, NaN
  tanh_check.py check X.npy Y.npy  prints whether every error is within 4 ulp, and NaN,
                                   infinities and signed zeros came out right
"""
import math
import struct
import sys


def write_npy(path, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % len(values)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def read_npy(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<H", data[8:10])
    body = data[10 + n:]
    return list(struct.unpack("<%df" % (len(body) // 4), body))


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def ulp(v):
    """The spacing of float32 numbers at |v|."""
    v = abs(f32(v))
    if v == 0:
        return 2.0 ** -149
    return max(2.0 ** (math.frexp(v)[1] - 24), 2.0 ** -149)


def inputs():
    xs = [f32(i / 1000.0) for i in range(-12000, 12001)]
    xs += [f32(s * 10.0 ** -e) for e in range(3, 40) for s in (1, -1)]
    xs += [0.0, -0.0, math.inf, -math.inf, math.nan]
    return xs


def main():
    if sys.argv[1] == "write":
        write_npy(sys.argv[2], inputs())
    else:
        xs, ys = read_npy(sys.argv[2]), read_npy(sys.argv[3])
        worst, at = 0.0, None
        special = True
        for x, y in zip(xs, ys):
            if math.isnan(x):
                special &= math.isnan(y)
                continue
            want = math.tanh(x)
            if math.isinf(x) or x == 0:
                special &= y == want and math.copysign(1, y) == math.copysign(1, want)
                continue
            err = abs(y - want) / ulp(want)
            if err > worst:
                worst, at = err, x
        print("tanh: %d values, %s (max %.1f ulp, at %.9g); nan, inf and zeros %s"
              % (len(xs), "within 4 ulp" if worst <= 4 else "MORE than 4 ulp", worst, at,
                 "right" if special else "WRONG"))


if __name__ == "__main__":
    main()
