#!/usr/bin/env python3
"""PyTorch's time for W3's 5x5, 128 -> 128 channel convolutions alone (the peer of the
per-kernel medians of `./dcgan bench`; docs/design.md, "Convolutions").

  NNC_BENCH_VENV/bin/python bench/torch-conv.py

prints, per layer, the median of 10 calls (after 2) of torch.nn.Conv2d (stride 2,
padding 2) and torch.nn.ConvTranspose2d (stride 2, padding 2, output_padding 1) at
batch 64, channels_last, 2 threads, under no_grad, with its GFLOP/s.
"""
import time

import torch


def median_ms(f, calls=10):
    f()
    f()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return sorted(times)[calls // 2] * 1e3


def main():
    torch.set_num_threads(2)
    cl = torch.channels_last
    for size in (28, 14):
        out = size // 2
        flops = 2 * 64 * out * out * 128 * 128 * 25
        conv = torch.nn.Conv2d(128, 128, 5, stride=2, padding=2).to(memory_format=cl)
        convt = torch.nn.ConvTranspose2d(128, 128, 5, stride=2, padding=2,
                                         output_padding=1).to(memory_format=cl)
        x = torch.randn(64, 128, size, size).to(memory_format=cl)
        xt = torch.randn(64, 128, out, out).to(memory_format=cl)
        with torch.no_grad():
            for name, f in ((f"conv2d {size} -> {out}", lambda: conv(x)),
                            (f"conv2d_transpose {out} -> {size}", lambda: convt(xt))):
                ms = median_ms(f)
                print(f"{name:26s} {ms:8.2f} ms {flops / ms / 1e6:6.0f} GFLOP/s")


if __name__ == "__main__":
    main()
