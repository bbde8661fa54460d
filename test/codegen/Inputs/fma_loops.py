#!/usr/bin/env python3
"""Summarizes the innermost multiply-add loops of an object, from `objdump -d` output on
stdin: for each loop (a backward branch whose body holds no other backward branch)
with vector FMAs, one line

  fma loop: N FMAs, R registers (xmm|ymm|zmm), S stack accesses

R counts the distinct vector registers the loop names, S its vector loads and stores
relative to %rsp (spills and reloads). Loops are printed once per distinct line, sorted.
"""
import re
import sys

INSN = re.compile(r"^\s*([0-9a-f]+):\s+(\S.*)$")
FUNC = re.compile(r"^[0-9a-f]+ <(.*)>:$")
BRANCH = re.compile(r"^j\w+\s+([0-9a-f]+)\b")


def main():
    funcs = {}
    name = None
    for line in sys.stdin:
        m = FUNC.match(line)
        if m:
            name = m.group(1)
            funcs[name] = []
            continue
        m = INSN.match(line)
        if m and name:
            funcs[name].append((int(m.group(1), 16), m.group(2).strip()))
    out = set()
    for insns in funcs.values():
        loops = []
        for addr, text in insns:
            m = BRANCH.match(text)
            if m and int(m.group(1), 16) < addr:
                loops.append((int(m.group(1), 16), addr))
        for lo, hi in loops:
            if any(lo <= a and b <= hi and (a, b) != (lo, hi) for a, b in loops):
                continue  # not innermost
            body = [t for a, t in insns if lo <= a <= hi]
            fmas = [t for t in body if t.startswith("vfmadd")]
            if not fmas:
                continue
            regs = set(re.findall(r"%([xyz]mm\d+)", " ".join(fmas)))
            kinds = sorted({r[:3] for r in regs})
            used = set(re.findall(r"%([xyz]mm\d+)", " ".join(body)))
            stack = [t for t in body if re.search(r"%[xyz]mm", t) and "(%rsp)" in t]
            out.add("fma loop: %d FMAs, %d registers (%s), %d stack accesses" % (
                len(fmas), len({r[3:] for r in used}), "|".join(kinds), len(stack)))
    for line in sorted(out):
        print(line)


if __name__ == "__main__":
    main()
