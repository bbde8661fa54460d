#!/usr/bin/env python3
"""Trains W1 (examples/mlp.nn) from Python, then checks the test accuracy.

    nnc examples/mlp.nn --emit=shared -o libmlp.so
    PYTHONPATH=python python3 python/examples/train_mlp.py libmlp.so [--epochs N] [--limit N]

The recipe is the `train` loop of the compiled executable (`./mlp train`), step for
step: parameters initialized from the seed, each epoch visits the examples in a
splitmix64 Fisher-Yates order of (seed, epoch), one train step per batch at the
scheduled rate, test accuracy through `infer` after each epoch. With the same flags it
prints the same losses and accuracies as `./mlp train` (the lines differ only in the
throughput figures).
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nnc  # noqa: E402

MASK = (1 << 64) - 1


def splitmix64(state):
    """Yields the splitmix64 stream of `state` (runtime/lib/SplitMix64.h)."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def epoch_order(n, seed, epoch):
    """The visiting order of an epoch, as the driver's shuffle computes it."""
    order = list(range(n))
    rng = splitmix64((seed * 1000003 + epoch) & MASK)
    for i in range(n - 1, 0, -1):
        j = next(rng) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def accuracy(model, images, labels, batch):
    """Test accuracy through `infer`, batch by batch as `./mlp eval` runs it."""
    correct = 0
    for start in range(0, len(images), batch):
        probs = model.run("infer", image=images[start:start + batch], copy=False)["probs"]
        correct += int(np.sum(np.argmax(probs, axis=1) == labels[start:start + batch]))
    return correct, len(images)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("library", help="the model compiled with --emit=shared")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--schedule", choices=["constant", "linear", "cosine"])
    ap.add_argument("--warmup", type=int, help="steps of linear warm-up (default: the model's)")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--limit", type=int, help="use only the first N examples of each split")
    ap.add_argument("--save", help="write the trained weights (safetensors)")
    ap.add_argument("--data", default=None, help="the Fashion-MNIST directory")
    args = ap.parse_args()

    model = nnc.Model(args.library)
    cfg = model.train_config
    epochs = args.epochs or cfg["epochs"]
    batch = args.batch or cfg["batch"]
    lr = cfg["lr"] if args.lr is None else args.lr
    schedule = args.schedule or cfg["schedule"]
    warmup = cfg["warmup"] if args.warmup is None else args.warmup
    seed = cfg["seed"] if args.seed is None else args.seed
    print(f"model {model.name}: entries {', '.join(model.entries)}; inputs "
          + ", ".join(f"{i.name} {i.dtype}{list(i.shape)}" for i in model.inputs)
          + f"; {sum(p.trainable for p in model.params)} parameters")

    train_x, train_y = model.load_fashion_mnist("train", args.data)
    test_x, test_y = model.load_fashion_mnist("t10k", args.data)
    if args.limit is not None:
        train_x, train_y = train_x[:args.limit], train_y[:args.limit]
        test_x, test_y = test_x[:args.limit], test_y[:args.limit]
    n = len(train_x)
    steps_per_epoch = (n + batch - 1) // batch
    total = epochs * steps_per_epoch
    if not 0 <= warmup <= total:
        sys.exit(f"error: the warm-up ({warmup} steps) is not within the run ({total} steps)")

    model.init_params(seed)
    plural = "s" if epochs != 1 else ""
    ramp = f", warm-up {warmup} steps" if warmup else ""
    print(f"train: {epochs} epoch{plural} of {steps_per_epoch} steps, batch {batch}, lr {lr:g} "
          f"({schedule} schedule{ramp}), seed {seed}")
    step = 0
    for epoch in range(epochs):
        order = epoch_order(n, seed, epoch)
        t0, losses = time.perf_counter(), 0.0
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            rate = model.schedule_lr(step, total, lr, schedule, warmup)
            losses += model.train_step(rate, seed, image=train_x[rows], label=train_y[rows])
            step += 1
        secs = time.perf_counter() - t0
        correct, count = accuracy(model, test_x, test_y, batch)
        print(f"epoch {epoch + 1}/{epochs}: loss {losses / steps_per_epoch:.4f}, {n} samples, "
              f"{n / secs:.0f} samples/s, test accuracy {correct / count:.4f} "
              f"({correct}/{count})", flush=True)
    print(f"final test accuracy: {correct / count:.4f} ({correct}/{count}) after {step} steps")
    if args.save:
        model.save(args.save, {"step": step})
        print(f"saved {args.save}")


if __name__ == "__main__":
    main()
