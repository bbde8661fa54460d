"""Writes small valid and malformed .npy and IDX files for the runtime tests.

Usage: mkfiles.py KIND PATH [PATH2]. Pure Python (no numpy), so tests need nothing else.
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
    elif kind == "idx-corrupt-gzip":
        idx(path, 0x803, (3, 2, 2), bytes(12))
        with open(sys.argv[3], "wb") as f:
            f.write(b"\x1f\x8b\x08\x00" + b"\xff" * 40)
    else:
        sys.exit(f"unknown kind {kind}")


main()
