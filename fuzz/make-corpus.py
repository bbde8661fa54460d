"""Writes the seed corpus of one fuzzer from the project's own small files.

Usage: make-corpus.py TARGET OUTDIR   (TARGET: safetensors npy idx json flags frontend;
another name writes no seeds)

Seeds are generated, not committed: small valid and malformed files from the runtime
tests' generator (test/runtime/Inputs/mkfiles.py), the small reference files of
test/e2e/refs, the header of examples/weights/mlp.safetensors (its data cut off), and
a few Fashion-MNIST images when the dataset is installed; for the frontend, the .nn
files of test/ and examples/ (the small ones, lit lines included). Pure Python.
"""
import gzip
import json
import os
import struct
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "runtime", "Inputs"))
import mkfiles  # noqa: E402

REFS = os.path.join(ROOT, "test", "e2e", "refs")
FASHION = "/usr/share/datasets/fashion-mnist"


def write(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None, data=None, pad=True):
    """tensors: [(name, dtype, shape, nbytes)], laid out in order."""
    header, offset = {}, 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, nbytes in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(header, separators=(",", ":"))
    if pad:
        text += " " * (-len(text) % 8)
    if data is None:
        data = bytes((i * 37) % 251 for i in range(offset))
    return struct.pack("<Q", len(text)) + text.encode() + data


def real_header(path, keep=64):
    """A real file's header with its data cut to `keep` bytes (a small, truncated seed)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return struct.pack("<Q", n) + f.read(n) + f.read(keep)


def safetensors_seeds(out):
    # The fuzz model: w f32[2, 3], b f32[3], steps i32[] (fuzz/safetensors.cpp).
    model = [("w", "F32", [2, 3], 24), ("b", "F32", [3], 12), ("steps", "I32", [], 4)]
    write(out, "valid", safetensors(model, {"format": "nnrt", "model": "fuzz", "step": "70"}))
    write(out, "no-state", safetensors(model[:2], {"format": "pt"}))
    write(out, "extra", safetensors(model + [("x", "F16", [2], 4), ("y", "BF16", [0], 0)]))
    write(out, "unpadded", safetensors(model, pad=False))
    write(out, "gap", safetensors(model, data=bytes(44)))
    write(out, "w8", open(os.path.join(REFS, "w8.safetensors"), "rb").read())
    write(out, "mlp-header", real_header(os.path.join(ROOT, "examples", "weights",
                                                      "mlp.safetensors")))


def npy_seeds(out):
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "x.npy")
        f32 = lambda xs: struct.pack(f"<{len(xs)}f", *xs)
        cases = {
            "f32": ("<f4", (2, 3), f32([0.5 * k - 1 for k in range(6)]), 1),
            "i32-v2": ("<i4", (3, 2), struct.pack("<6i", *range(6)), 2),
            "scalar": ("<f4", (), f32([3.5]), 1),
            "empty": ("<f4", (0, 4), b"", 1),
            "rank8": ("<i4", (1,) * 8, struct.pack("<i", 7), 1),
            "f8": ("<f8", (2,), struct.pack("<2d", 1.0, 2.0), 1),
        }
        for name, (descr, shape, payload, version) in cases.items():
            mkfiles.npy(p, descr, shape, payload, version=version)
            write(out, name, open(p, "rb").read())
        mkfiles.npy(p, "<f4", (2, 2), f32([1, 2, 3, 4]), fortran=True)
        write(out, "fortran", open(p, "rb").read())
    for name in os.listdir(REFS):
        path = os.path.join(REFS, name)
        if name.endswith(".npy") and os.path.getsize(path) <= 4096:
            write(out, name, open(path, "rb").read())


def idx_bytes(magic, dims, payload, compress):
    data = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload
    return gzip.compress(data, mtime=0) if compress else data


def idx_pair(images, labels):
    """The fuzz/idx.cpp input: image file length (u32 LE), image file, label file."""
    return struct.pack("<I", len(images)) + images + labels


def idx_seeds(out):
    for gz in (False, True):
        tag = "gz" if gz else "plain"
        img = idx_bytes(0x803, (3, 2, 2), bytes([255, 0, 51, 102] * 3), gz)
        write(out, f"valid-{tag}", idx_pair(img, idx_bytes(0x801, (3,), bytes([7, 1, 2]), gz)))
        write(out, f"bad-label-{tag}",
              idx_pair(img, idx_bytes(0x801, (3,), bytes([7, 200, 2]), gz)))
        write(out, f"empty-{tag}", idx_pair(idx_bytes(0x803, (0, 28, 28), b"", gz),
                                            idx_bytes(0x801, (0,), b"", gz)))
    write(out, "count-mismatch", idx_pair(idx_bytes(0x803, (3, 2, 2), bytes(12), False),
                                          idx_bytes(0x801, (4,), bytes(4), False)))
    write(out, "huge-dims", idx_pair(idx_bytes(0x803, (0, 0xFFFFFFFF, 0xFFFFFFFF), b"", False),
                                     idx_bytes(0x801, (0,), b"", False)))
    two = gzip.compress(b"\x00\x00\x08", mtime=0) + gzip.compress(b"\x01\x00\x00\x00\x01\x07",
                                                                  mtime=0)
    write(out, "two-members", idx_pair(idx_bytes(0x803, (1, 1, 1), b"\x80", True), two))
    if os.path.isdir(FASHION):  # three real images and labels
        with gzip.open(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")) as f:
            pixels = f.read(16 + 3 * 784)[16:]
        with gzip.open(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz")) as f:
            labels = f.read(8 + 3)[8:]
        write(out, "fashion-3", idx_pair(idx_bytes(0x803, (3, 28, 28), pixels, True),
                                         idx_bytes(0x801, (3,), labels, True)))


def text_seeds(out):
    # 4 option bytes (bit 0: language model, bit 1: chars; vocab; length; bit 0: test
    # split, the rest the seed), then category files separated by 0xff.
    alpha = b"The cat sat.\n%\nA cat, a DOG!\n%\nDon't panic.\n%\n"
    beta = b"Dogs bark; cats don't.\n%\nThe dog\nran far.\n%\n%\nx\n"
    write(out, "classify-words", bytes([0, 7, 3, 0]) + alpha + b"\xff" + beta)
    write(out, "lm-words-test", bytes([1, 3, 2, 1]) + beta + b"\xff" + alpha)
    write(out, "classify-chars", bytes([2, 60, 15, 6]) + alpha + b"\xff" + beta)
    write(out, "vocabulary", bytes([0, 5, 4, 0]) + b"the\ncat\n\\x41b\n\xffThe CAT sat")
    write(out, "empty-category", bytes([0, 5, 4, 0]) + alpha + b"\xff%\n%\n")


def json_seeds(out):
    snippets = {
        "object": b'{"a":[1,2.5e3,-0.0,true,false,null],"b":{"c":"\\u00e9\\ud83d\\ude00\\n"}}',
        "numbers": b"[0,-1,18446744073709551615,18446744073709551616,1e999,-1E-7,0.5]",
        "utf8": '{"caf\u00e9":"\u6f22\u5b57 \U0001f600"}'.encode(),
        "nested": b"[[[[[[[[[[{}]]]]]]]]]]",
        "escapes": b'"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000"',
    }
    for name, text in snippets.items():
        write(out, name, text)
    with open(os.path.join(REFS, "w8.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        write(out, "w8-header", f.read(n))
    with open(os.path.join(ROOT, "examples", "weights", "mlp.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        write(out, "mlp-header", f.read(n))


def flags_seeds(out):
    lines = [
        ["info"], ["info", "--batch", "20"], ["info", "--plan"], ["info", "--batch=7"],
        ["--help"], ["train", "--help"], ["eval", "--help", "--batch", "300"],
        ["predict", "--help", "--input", "image=x.npy", "--output", "y.npy"],
        ["run", "--help", "--entry", "add", "--lr=0.5", "--print"],
        ["bench", "--help", "--batch", "16777216", "--iters", "3"],
        ["info", "--batch", "x"], ["info", "--bogus"], ["info", "--plan=1"], ["frob"],
    ]
    for i, args in enumerate(lines):
        write(out, f"cmd{i}", b"\0".join(a.encode() for a in args))


def frontend_seeds(out):
    for top in ("test", "examples"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for name in sorted(names):
                path = os.path.join(dirpath, name)
                if name.endswith(".nn") and os.path.getsize(path) <= 16384:
                    rel = os.path.relpath(path, ROOT).replace(os.sep, "_")
                    write(out, rel, open(path, "rb").read())


def main():
    target, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    seeds = globals().get(target + "_seeds")  # a new fuzzer adds its own NAME_seeds
    if seeds:
        seeds(out)


if __name__ == "__main__":
    main()
