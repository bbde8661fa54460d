"""Prints the class and probability of each row of a probabilities .npy file as
examples/embed/classify.c does, so that the output of `predict` can be compared with it."""
import sys

import numpy as np

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
           "Sneaker", "Bag", "Ankle boot"]

probs = np.load(sys.argv[1])
for i, row in enumerate(probs):
    best = int(np.argmax(row))
    print(f"image {i}: {CLASSES[best]} (class {best}, p = {row[best]:.4f})")
