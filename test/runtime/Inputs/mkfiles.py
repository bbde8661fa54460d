"""Writes small valid and malformed .npy and IDX files for the runtime tests.

Usage: mkfiles.py KIND PATH [ARGS...]. Pure Python (no numpy), so tests need nothing else.
fuzz/make-corpus.py also draws its seeds from here.
"""
import gzip
import struct
import sys


def npy(path, descr, shape, payload, version=1, fortran=False, magic=b"\x93NUMPY"):
    shape_text = "(" + "".join(f"{d}, " for d in shape).rstrip(" ") + ")"
    if len(shape) == 1:
        shape_text = f"({shape[0]},)"
    order = "True" if fortran else "False"
    header = f"{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape_text}, }}"
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    with open(path, "wb") as f:
        f.write(magic + bytes([version, 0]) + size + header.encode() + payload)


def idx(path, magic, dims, payload, compress=True):
    data = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload
    opener = gzip.open if compress else open
    with opener(path, "wb") as f:
        f.write(data)


def fashion_dir(path, train, test, bad):
    """A small dataset in Fashion-MNIST's layout: `train` and `test` 28x28 images whose
    pixels follow their label (so a linear model can learn them), labels i % 10.
    `bad` entries SPLIT:INDEX:LABEL replace one label."""
    import os
    os.makedirs(path, exist_ok=True)
    for split, n in (("train", train), ("t10k", test)):
        labels = [i % 10 for i in range(n)]
        for b in bad:
            s, i, v = b.split(":")
            if s == split:
                labels[int(i)] = int(v)
        pixels = bytearray()
        for i in range(n):
            c = i % 10
            pixels += bytes(((p * 7 + i * 13) % 64 + (160 if p % 10 == c else 0)) % 256
                            for p in range(784))
        idx(f"{path}/{split}-images-idx3-ubyte.gz", 0x803, (n, 28, 28), bytes(pixels))
        idx(f"{path}/{split}-labels-idx1-ubyte.gz", 0x801, (n,), bytes(labels))


def main():
    kind, path = sys.argv[1], sys.argv[2]
    f32 = lambda xs: struct.pack(f"<{len(xs)}f", *xs)
    if kind == "npy-image-zeros":  # a valid f32 [2, 28, 28] input
        npy(path, "<f4", (2, 28, 28), f32([0.0] * 2 * 784))
    elif kind == "npy-v2":
        npy(path, "<i4", (3, 2), struct.pack("<6i", *range(6)), version=2)
    elif kind == "npy-f8":
        npy(path, "<f8", (2,), struct.pack("<2d", 1.0, 2.0))
    elif kind == "npy-fortran":
        npy(path, "<f4", (2, 2), f32([1, 2, 3, 4]), fortran=True)
    elif kind == "npy-short-data":
        npy(path, "<f4", (4,), f32([1, 2, 3]))
    elif kind == "npy-bad-magic":
        npy(path, "<f4", (1,), f32([1]), magic=b"\x93NUMPZ")
    elif kind == "npy-bad-header":
        with open(path, "wb") as f:
            header = "{'descr': '<f4', 'shape': (2,), 'fortran_order': Maybe}\n"
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    elif kind == "npy-header-past-eof":
        with open(path, "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", 5000) + b"{'descr'")
    elif kind == "idx-valid":  # 3 images 2x2 (plain) and 3 labels (gzip)
        idx(path, 0x803, (3, 2, 2), bytes([255, 0, 51, 102] * 3), compress=False)
        idx(sys.argv[3], 0x801, (3,), bytes([7, 1, 2]))
    elif kind == "idx-bad-magic":
        idx(path, 0x802, (3, 2, 2), bytes(12))
        idx(sys.argv[3], 0x801, (3,), bytes(3))
    elif kind == "idx-truncated":
        idx(path, 0x803, (3, 2, 2), bytes(11))
        idx(sys.argv[3], 0x801, (3,), bytes(3))
    elif kind == "idx-count-mismatch":
        idx(path, 0x803, (3, 2, 2), bytes(12))
        idx(sys.argv[3], 0x801, (4,), bytes(4))
    elif kind == "idx-huge-dims":  # no images of 2^32-1 x 2^32-1 pixels: sizes overflow
        idx(path, 0x803, (0, 0xFFFFFFFF, 0xFFFFFFFF), b"")
        idx(sys.argv[3], 0x801, (0,), b"")
    elif kind == "idx-huge-example":  # each dim fits, one example does not
        idx(path, 0x803, (0, 65536, 65536), b"")
        idx(sys.argv[3], 0x801, (0,), b"")
    elif kind == "idx-huge-count":  # each example fits, all of them do not
        idx(path, 0x803, (65536, 65536, 1), b"")
        idx(sys.argv[3], 0x801, (65536,), bytes(65536))
    elif kind == "idx-labels":  # 3 images 2x2 and the labels given (0..255)
        idx(path, 0x803, (3, 2, 2), bytes(12), compress=False)
        idx(sys.argv[3], 0x801, (3,), bytes(int(x) for x in sys.argv[4].split(",")))
    elif kind == "npy-f32":  # npy-f32 PATH 2x3 v0,v1,...
        shape = tuple(int(d) for d in sys.argv[3].split("x"))
        npy(path, "<f4", shape, f32([float(v) for v in sys.argv[4].split(",")]))
    elif kind == "npy-i32":
        shape = tuple(int(d) for d in sys.argv[3].split("x"))
        vals = [int(v) for v in sys.argv[4].split(",")]
        npy(path, "<i4", shape, struct.pack(f"<{len(vals)}i", *vals))
    elif kind == "fashion-dir":
        fashion_dir(path, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:])
    elif kind == "idx-corrupt-gzip":
        idx(path, 0x803, (3, 2, 2), bytes(12))
        with open(sys.argv[3], "wb") as f:
            f.write(b"\x1f\x8b\x08\x00" + b"\xff" * 40)
    else:
        sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
