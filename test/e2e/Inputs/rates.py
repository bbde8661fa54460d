"""Prints the learning rate each step of a training log was fed, for a model whose
losses are its parameters under SGD on a loss of gradient 1 (Inputs/warmup-rates.nn):
the fall of a step's loss from iteration k to k+1 is its rate at iteration k.
Usage: rates.py LOG (the `step K NAME LOSS ...` lines of `train --log-every 1`)."""
import sys

losses = {}
for line in open(sys.argv[1]):
    words = line.split()
    if words and words[0] == "step":
        for name, value in zip(words[2::2], words[3::2]):
            losses.setdefault(name, []).append(float(value))
for name, seq in losses.items():
    print(name + ":", " ".join(f"{a - b:.4f}" for a, b in zip(seq, seq[1:])))
