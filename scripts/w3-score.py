#!/usr/bin/env python3
"""Scores a W3 generator: the Inception Score of its samples, computed with the W2
classifier (examples/cnn.nn) instead of Inception-v3.

  w3-score.py DCGAN_BINARY WEIGHTS CNN_BINARY CNN_WEIGHTS [--count N] [--seed S]

draws N samples (default 2000) with `DCGAN_BINARY run --entry infer` (the noise comes
from the model and --seed), maps them from tanh's [-1, 1] to the classifier's pixel
range [0, 1], classifies them with `CNN_BINARY predict`, and prints

  IS = exp( mean_i KL( p(y | x_i) || p(y) ) ),   p(y) = mean_i p(y | x_i)

with p(y | x) the classifier's softmax over the 10 Fashion-MNIST classes: 1 when every
sample gets the same class distribution, 10 at most (confident and evenly spread). The
real test images score about 9 with this classifier (printed with --real). Needs
python3-numpy.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np


def inception_score(probs):
    probs = probs.astype(np.float64)
    marginal = probs.mean(axis=0, keepdims=True)
    kl = (probs * (np.log(probs + 1e-12) - np.log(marginal + 1e-12))).sum(axis=1)
    return float(np.exp(kl.mean()))


def classify(cnn, weights, images01, tmp):
    path, out = os.path.join(tmp, "images.npy"), os.path.join(tmp, "probs.npy")
    np.save(path, images01.astype(np.float32))
    subprocess.run([cnn, "predict", "--weights", weights, "--input", f"image={path}",
                    "--output", out], check=True, stdout=subprocess.DEVNULL)
    return np.load(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dcgan")
    ap.add_argument("weights")
    ap.add_argument("cnn")
    ap.add_argument("cnn_weights")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--real", action="store_true", help="also score the first --count "
                    "test images (needs /usr/share/datasets/fashion-mnist)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        zeros, samples = os.path.join(tmp, "zeros.npy"), os.path.join(tmp, "samples.npy")
        np.save(zeros, np.zeros((a.count, 28, 28, 1), np.float32))
        subprocess.run([a.dcgan, "run", "--entry", "infer", "--weights", a.weights,
                        "--seed", str(a.seed), "--input", f"image={zeros}",
                        "--output", samples], check=True, stdout=subprocess.DEVNULL)
        x = (np.load(samples) + 1) / 2
        probs = classify(a.cnn, a.cnn_weights, x, tmp)
        counts = np.bincount(probs.argmax(1), minlength=10)
        print(f"{a.weights}: IS {inception_score(probs):.3f} over {a.count} samples "
              f"(seed {a.seed}); classes {' '.join(map(str, counts))}")
        if a.real:
            import gzip
            raw = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()
            real = np.frombuffer(raw[16:], np.uint8).reshape(-1, 28, 28, 1)[:a.count] / 255.0
            print(f"real test images: IS {inception_score(classify(a.cnn, a.cnn_weights, real, tmp)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
