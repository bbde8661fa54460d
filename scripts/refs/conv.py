"""Convolution and pooling ops, one by one, against PyTorch (make-references.py convops).

Layouts follow nnc: activations NHWC, filters [KH, KW, C_in, C_out]; "same" padding is
Keras' (the odd pixel at the end), done here with an explicit F.pad because PyTorch pads
symmetrically.
"""

import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from refs.common import REFS_DIR, fmt9, write_npy, write_text


def same_pads(size, kernel, stride, dilation=1):
    """Keras' "same" padding of one axis: (before, after)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def pad_nchw(x, kernel, stride, dilation, padding, value=0.0):
    """x NCHW padded for `padding` ("valid" or "same") of a window op."""
    if padding == "valid":
        return x
    top, bottom = same_pads(x.shape[2], kernel[0], stride, dilation)
    left, right = same_pads(x.shape[3], kernel[1], stride, dilation)
    return F.pad(x, (left, right, top, bottom), value=value)


def conv2d(x, w, stride=1, dilation=1, padding="valid"):
    """x NHWC, w [KH, KW, C, F] -> NHWC."""
    xp = pad_nchw(nchw(x), w.shape[:2], stride, dilation, padding)
    return nhwc(F.conv2d(xp, w.permute(3, 2, 0, 1), stride=stride, dilation=dilation))


def max_pool2d(x, size, stride, padding):
    xp = pad_nchw(nchw(x), (size, size), stride, 1, padding, value=-math.inf)
    return nhwc(F.max_pool2d(xp, size, stride))


def avg_pool2d(x, size, stride, padding):
    """Keras' average: the padding is not counted."""
    xp = pad_nchw(nchw(x), (size, size), stride, 1, padding)
    ones = pad_nchw(torch.ones_like(nchw(x)), (size, size), stride, 1, padding)
    return nhwc(F.avg_pool2d(xp, size, stride) / F.avg_pool2d(ones, size, stride))



def cmd_convops():
    print("[convops] conv2d, its gradients, pooling, pad and tile on small random inputs")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 7, 6, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    g = rng.standard_normal((2, 4, 3, 4)).astype(np.float32)   # d(conv_s2)
    xr = (np.round(x * 2) / 2).astype(np.float32)               # ties for max pooling
    gp = rng.standard_normal((2, 4, 3, 3)).astype(np.float32)  # d(pool_s2)
    for name, a in [("conv_x", x), ("conv_w", w), ("conv_g", g), ("conv_xr", xr),
                    ("conv_gp", gp)]:
        write_npy(os.path.join(REFS_DIR, name + ".npy"), a)

    tx, tw, tg = (torch.from_numpy(a).double() for a in (x, w, g))
    txr, tgp = torch.from_numpy(xr).double(), torch.from_numpy(gp).double()
    out = {}
    out["valid"] = conv2d(tx, tw)
    out["same_s2"] = conv2d(tx, tw, stride=2, padding="same")
    out["dilated"] = conv2d(tx, tw, dilation=2)
    # The gradients of same_s2 for the result gradient g (nnc: conv2d_transpose of g with
    # the filter's channels swapped, and conv2d_filter_grad).
    xv, wv = tx.clone().requires_grad_(), tw.clone().requires_grad_()
    dx, dw = torch.autograd.grad(conv2d(xv, wv, stride=2, padding="same"), (xv, wv), tg)
    out["input_grad"], out["filter_grad"] = dx, dw
    out["pool2"] = max_pool2d(txr, 2, 2, "valid")
    out["pool3_s2"] = max_pool2d(txr, 3, 2, "same")
    xv = txr.clone().requires_grad_()
    (out["pool_grad"],) = torch.autograd.grad(max_pool2d(xv, 3, 2, "same"), (xv,), tgp)
    out["avg3_s2"] = avg_pool2d(tx, 3, 2, "same")
    xv = tx.clone().requires_grad_()
    (out["avg_grad"],) = torch.autograd.grad(avg_pool2d(xv, 3, 2, "same"), (xv,), tgp)
    out["padded"] = F.pad(nchw(tx), (0, 1, 2, 0)).permute(0, 2, 3, 1)
    out["tiled"] = tx.repeat(1, 1, 2, 3)
    text = "".join(f"{name}: {fmt9(v)}\n" for name, v in out.items())
    write_text(os.path.join(REFS_DIR, "conv_ops_expected.txt"), text)
