#!/usr/bin/env python3
"""Compiles the fenced code blocks of a Markdown file (docs/language.md) with nnc.

Usage: check-doc-examples.py DOC.md OUTDIR [--nnc PATH]

Rule for the blocks (a fence is a line that starts, after indentation, with ```;
the indentation of the opening fence is removed from the block's lines):

- A block preceded by the marker line `<!-- not-a-test -->` (the nearest non-blank
  line before the opening fence) is skipped: grammar, compiler output, statement
  fragments and deliberately wrong snippets.
- Every other block must be a program: it has a top-level declaration, i.e. a line
  starting in column 0 (of the block) with `model NAME` or `fn NAME`. A block that
  is neither a program nor marked fails, so a new block must be either valid or
  marked on purpose.
- A program preceded by `<!-- expect-error: MESSAGE -->` must be rejected: nnc
  --emit=nn exits with status 1 and prints `error: MESSAGE`.
- Any other program must compile: `nnc --emit=nn` and `nnc --emit=nn-opt` (the pass
  pipeline) both exit with status 0. A block with functions but no model (a library
  fragment) gets a small stub model appended, since a file without a model is an
  error; Sema checks the functions no model calls with f32 arguments.

Block i is written to OUTDIR/block<i>.nn; the outputs of a valid block are
OUTDIR/block<i>.mlir (--emit=nn) and OUTDIR/block<i>.opt.mlir (--emit=nn-opt), the
stdout of nnc.
Prints one line per block and the summary `N blocks checked, M failed`; exits with
status 1 if a block failed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

FENCE = re.compile(r"^(\s*)```")
MARKER = re.compile(r"^<!--\s*(not-a-test|expect-error:\s*(.+?))\s*-->$")
TOP_DECL = re.compile(r"^(model|fn)\s+[A-Za-z_][A-Za-z0-9_]*")
STUB_MODEL = """
# Appended by test/docs/check-doc-examples.py: the block declares no model.
model DocExampleStub {
  input doc_example_x: f32[2]
  infer doc_example_y = doc_example_x
}
"""
TIMEOUT_S = 120


def extract_blocks(path):
    """Returns (line of the opening fence, marker text or None, block text)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent = m.group(1)
        start = i
        marker = None
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and MARKER.match(lines[j].strip()):
            marker = lines[j].strip()
        body = []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i == len(lines):
            sys.exit(f"{path}:{start + 1}: unclosed code fence")
        blocks.append((start + 1, marker, "\n".join(body) + "\n"))
        i += 1
    return blocks


def run_nnc(nnc, src, emit, out):
    """Runs nnc with its stdout (the text output) in the file `out`; returns the
    exit status and the diagnostics (stderr)."""
    try:
        with open(out, "w", encoding="utf-8") as f:
            proc = subprocess.run([nnc, src, f"--emit={emit}"], stdout=f,
                                  stderr=subprocess.PIPE, text=True,
                                  errors="replace", timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {TIMEOUT_S} s"
    return proc.returncode, proc.stderr


def indented(text, limit=12):
    lines = text.rstrip("\n").split("\n")
    if len(lines) > limit:
        lines = lines[:limit] + ["..."]
    return "\n".join("    | " + l for l in lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("doc")
    parser.add_argument("outdir")
    parser.add_argument("--nnc", default="nnc")
    args = parser.parse_args()

    nnc = shutil.which(args.nnc)
    if not nnc:
        sys.exit(f"error: cannot find nnc ('{args.nnc}')")
    os.makedirs(args.outdir, exist_ok=True)

    blocks = extract_blocks(args.doc)
    checked = failed = skipped = 0
    for n, (line, marker, text) in enumerate(blocks, 1):
        where = f"block {n} (line {line})"
        kind = MARKER.match(marker) if marker else None
        if kind and kind.group(1) == "not-a-test":
            skipped += 1
            print(f"{where}: skipped (not-a-test)")
            continue
        checked += 1
        decls = [m.group(1) for m in map(TOP_DECL.match, text.split("\n")) if m]
        if not decls:
            failed += 1
            print(f"{where}: FAIL: not a program (no top-level 'model' or 'fn'); "
                  "mark it <!-- not-a-test --> if it is not meant to compile")
            continue
        stub = "model" not in decls and not kind
        src = os.path.join(args.outdir, f"block{n}.nn")
        with open(src, "w", encoding="utf-8") as f:
            f.write(text + (STUB_MODEL if stub else ""))

        if kind:  # expect-error
            message = kind.group(2)
            rc, out = run_nnc(nnc, src, "nn", os.devnull)
            if rc == 1 and f"error: {message}" in out:
                print(f"{where}: ok (error: {message})")
            else:
                failed += 1
                print(f"{where}: FAIL: expected exit status 1 and 'error: {message}', "
                      f"got status {rc}:\n{indented(out or '(no output)')}")
            continue

        problem = None
        for emit, suffix in (("nn", ".mlir"), ("nn-opt", ".opt.mlir")):
            rc, out = run_nnc(nnc, src, emit, os.path.join(args.outdir, f"block{n}{suffix}"))
            if rc != 0:
                problem = f"--emit={emit} exited with status {rc}:\n{indented(out)}"
                break
        if problem:
            failed += 1
            print(f"{where}: FAIL: {problem}")
        else:
            note = ", functions only: checked with a stub model" if stub else ""
            print(f"{where}: ok (--emit=nn, --emit=nn-opt{note})")

    print(f"{len(blocks)} fenced blocks, {skipped} skipped")
    print(f"{checked} blocks checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
