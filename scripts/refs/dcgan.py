"""W3 DCGAN reference: the losses of the first iterations of test/e2e/Inputs/dcgan-parity.nn
(a small DCGAN without dropout whose noise is an input) in PyTorch, from libnnrt's
initialization for seed 1234, batches of 16 in file order, and the noise written for
nnc's `train --feed z=...`.

nnc conventions followed: conv2d weight [KH, KW, C, F] (Keras), conv2d_transpose weight
[KH, KW, F, C] (Keras' Conv2DTranspose), "same" padding as TensorFlow computes it (for a
stride-2 3x3 convolution of an even size: 0 before, 1 after; a transposed convolution
crops its full output the same way), binary cross-entropy on probabilities clamped to
[1e-7, 1 - 1e-7], Adam with eps 1e-7 and beta1 0.5, one optimizer state per step.
"""
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from refs.common import (REFS_DIR, load_fashion_mnist, nnrt_init, write_npy,
                         write_safetensors, write_text)

SEED = 1234
BATCH = 16
ITERATIONS = 20
LATENT = 8

GEN = [("gen.dense0.weight", (8, 392)), ("gen.dense0.bias", (392,)),
       ("gen.conv2d_transpose0.weight", (3, 3, 8, 8)), ("gen.conv2d_transpose0.bias", (8,)),
       ("gen.conv2d_transpose1.weight", (3, 3, 4, 8)), ("gen.conv2d_transpose1.bias", (4,)),
       ("gen.conv2d0.weight", (3, 3, 4, 1)), ("gen.conv2d0.bias", (1,))]
DISC = [("disc.conv2d0.weight", (3, 3, 1, 8)), ("disc.conv2d0.bias", (8,)),
        ("disc.conv2d1.weight", (3, 3, 8, 8)), ("disc.conv2d1.bias", (8,)),
        ("disc.dense0.weight", (392, 1)), ("disc.dense0.bias", (1,))]


def same_pads(size, k, s):
    """TensorFlow's "same" padding of a convolution over `size`: (before, after)."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def conv(p, name, x, stride):
    """conv2d, NCHW activations, 'same' padding as nnc (TensorFlow's)."""
    w = p[name + ".weight"].permute(3, 2, 0, 1)
    k = w.shape[-1]
    (t, b), (l, r) = same_pads(x.shape[2], k, stride), same_pads(x.shape[3], k, stride)
    return F.conv2d(F.pad(x, (l, r, t, b)), w, p[name + ".bias"], stride=stride)


def conv_t(p, name, x, stride):
    """conv2d_transpose with 'same' padding: the input gradient of the convolution of an
    input of size H * stride, i.e. the full transposed convolution cropped by that
    convolution's padding."""
    w = p[name + ".weight"].permute(3, 2, 0, 1)  # [C_in, C_out, KH, KW]
    k = w.shape[-1]
    h, wd = x.shape[2] * stride, x.shape[3] * stride
    full = F.conv_transpose2d(x, w, stride=stride)
    t, l = same_pads(h, k, stride)[0], same_pads(wd, k, stride)[0]
    return full[:, :, t:t + h, l:l + wd] + p[name + ".bias"].view(1, -1, 1, 1)


def generator(p, z):
    h = (z @ p["gen.dense0.weight"] + p["gen.dense0.bias"]).view(-1, 7, 7, 8)
    h = h.permute(0, 3, 1, 2)
    h = F.leaky_relu(conv_t(p, "gen.conv2d_transpose0", h, 2), 0.2)
    h = F.leaky_relu(conv_t(p, "gen.conv2d_transpose1", h, 2), 0.2)
    return torch.tanh(conv(p, "gen.conv2d0", h, 1))  # NCHW [B, 1, 28, 28]


def discriminator(p, image):
    """image NCHW in [-1, 1]."""
    h = F.leaky_relu(conv(p, "disc.conv2d0", image, 2), 0.2)
    h = F.leaky_relu(conv(p, "disc.conv2d1", h, 2), 0.2)
    h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)  # nnc flattens NHWC
    return torch.sigmoid(h @ p["disc.dense0.weight"] + p["disc.dense0.bias"])


def bce(prob, target):
    p = prob.clamp(1e-7, 1 - 1e-7)
    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()


def init(names, dtype):
    return {n: torch.from_numpy(nnrt_init(n, s, "zeros" if n.endswith(".bias")
                                          else "glorot_uniform", SEED)).to(dtype)
            .requires_grad_() for n, s in names}


def parity_losses(xtr, noise, dtype=torch.float32):
    """ITERATIONS iterations: D's step on the real batch and a generated one (one update
    of the summed losses), then G's step through D with target 1; each step draws its
    fake batch from the same noise rows."""
    g, d = init(GEN, dtype), init(DISC, dtype)
    opt_d = torch.optim.Adam(d.values(), lr=1e-3, betas=(0.5, 0.999), eps=1e-7)
    opt_g = torch.optim.Adam(g.values(), lr=1e-3, betas=(0.5, 0.999), eps=1e-7)
    p = {**g, **d}
    out = []
    for k in range(ITERATIONS):
        real = torch.from_numpy(xtr[k * BATCH:(k + 1) * BATCH, None]).to(dtype) * 2 - 1
        z = torch.from_numpy(noise[k * BATCH:(k + 1) * BATCH]).to(dtype)
        d_loss = bce(discriminator(p, real), 1) + bce(discriminator(p, generator(p, z).detach()), 0)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = bce(discriminator(p, generator(p, z)), 1)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        out.append((d_loss.item(), g_loss.item()))
    return out


def cmd_dcgan():
    print(f"[dcgan] {ITERATIONS} iterations of the parity DCGAN, batch {BATCH}, from "
          f"libnnrt's init for seed {SEED}")
    xtr, _ = load_fashion_mnist("train")
    noise = np.random.default_rng(SEED).standard_normal(
        (ITERATIONS * BATCH, LATENT)).astype(np.float32)
    write_npy(os.path.join(REFS_DIR, "dcgan_noise.npy"), noise)
    losses = parity_losses(xtr, noise)
    for i, step in enumerate(("d_step", "g_step")):
        write_text(os.path.join(REFS_DIR, f"dcgan_{step}_losses.txt"),
                   "".join(f"{v[i]:.9g}\n" for v in losses))
    l64 = np.array(parity_losses(xtr, noise, torch.float64))
    rel = np.abs(np.array(losses) - l64) / np.abs(l64)
    print(f"  d_step {losses[0][0]:.7g} .. {losses[-1][0]:.7g}, g_step {losses[0][1]:.7g} .. "
          f"{losses[-1][1]:.7g}; f32 vs f64 max relative {rel.max():.2g}", flush=True)


# ---------------------------------------------------------------------------- W3 recipe

W3_GEN = [("gen.dense0.weight", (100, 6272)), ("gen.dense0.bias", (6272,)),
          ("gen.conv2d_transpose0.weight", (5, 5, 128, 128)),
          ("gen.conv2d_transpose0.bias", (128,)),
          ("gen.conv2d_transpose1.weight", (5, 5, 128, 128)),
          ("gen.conv2d_transpose1.bias", (128,)),
          ("gen.conv2d_transpose2.weight", (5, 5, 128, 128)),
          ("gen.conv2d_transpose2.bias", (128,)),
          ("gen.conv2d0.weight", (5, 5, 128, 1)), ("gen.conv2d0.bias", (1,))]
W3_DISC = [("disc.conv2d0.weight", (5, 5, 1, 128)), ("disc.conv2d0.bias", (128,)),
           ("disc.conv2d1.weight", (5, 5, 128, 128)), ("disc.conv2d1.bias", (128,)),
           ("disc.conv2d2.weight", (5, 5, 128, 128)), ("disc.conv2d2.bias", (128,)),
           ("disc.dense0.weight", (6272, 1)), ("disc.dense0.bias", (1,))]


def w3_generator(p, z):
    """examples/dcgan.nn's Generator: z [B, 100] -> images NCHW [B, 1, 28, 28]."""
    h = (z @ p["gen.dense0.weight"] + p["gen.dense0.bias"]).view(-1, 7, 7, 128)
    h = h.permute(0, 3, 1, 2)
    for i, stride in enumerate((1, 2, 2)):
        h = F.leaky_relu(conv_t(p, f"gen.conv2d_transpose{i}", h, stride), 0.2)
    return torch.tanh(conv(p, "gen.conv2d0", h, 1))


def w3_discriminator(p, image, training):
    """examples/dcgan.nn's Discriminator: images NCHW in [-1, 1] -> probabilities [B, 1]."""
    h = image
    for i, stride in enumerate((1, 2, 2)):
        h = F.leaky_relu(conv(p, f"disc.conv2d{i}", h, stride), 0.2)
        h = F.dropout(h, 0.3, training=training)
    h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)
    return torch.sigmoid(h @ p["disc.dense0.weight"] + p["disc.dense0.bias"])


def w3_train(iterations, seed=0, batch=64):
    """examples/dcgan.nn's recipe in PyTorch: libnnrt's init for `seed`, per batch the
    discriminator's step (real images scaled to [-1, 1] with target 1 and generated ones
    with target 0, one Adam update of the summed losses) and the generator's (target 1
    through the discriminator), Adam lr 1e-4 (eps 1e-7) each, dropout 0.3 in the
    discriminator, a new shuffle each epoch, noise from torch.randn. Returns the
    parameters (nnc's names and layouts)."""
    torch.manual_seed(seed)
    xtr, _ = load_fashion_mnist("train")
    xtr = torch.from_numpy(xtr[:, None])
    p = {n: torch.from_numpy(nnrt_init(n, s, "zeros" if n.endswith(".bias")
                                       else "glorot_uniform", seed)).requires_grad_()
         for n, s in W3_GEN + W3_DISC}
    opt_d = torch.optim.Adam([p[n] for n, _ in W3_DISC], lr=1e-4, eps=1e-7)
    opt_g = torch.optim.Adam([p[n] for n, _ in W3_GEN], lr=1e-4, eps=1e-7)
    gen = torch.Generator().manual_seed(seed)
    per_epoch = len(xtr) // batch
    order, t0 = None, time.time()
    for k in range(iterations):
        if k % per_epoch == 0:
            order = torch.randperm(len(xtr), generator=gen)
        real = xtr[order[(k % per_epoch) * batch:(k % per_epoch + 1) * batch]] * 2 - 1
        fake = w3_generator(p, torch.randn(batch, 100))
        d_loss = (bce(w3_discriminator(p, real, True), 1) +
                  bce(w3_discriminator(p, fake.detach(), True), 0))
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = bce(w3_discriminator(p, w3_generator(p, torch.randn(batch, 100)), True), 1)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        if (k + 1) % 10 == 0:
            print(f"  iteration {k + 1}: d_step {d_loss.item():.4f} g_step {g_loss.item():.4f}"
                  f" ({time.time() - t0:.0f} s)", flush=True)
    return {n: t.detach().numpy() for n, t in p.items()}


def cmd_dcgantrain():
    """Trains W3 in PyTorch for $NNC_W3_ITERATIONS iterations (default 200) and writes the
    weights, in nnc's names and layouts, to $NNC_W3_OUT (default dcgan-torch.safetensors
    in the current directory), so that the compiled examples/dcgan.nn can draw and score
    PyTorch's generator (`./dcgan sample --weights ...`). Writes nothing in the repository."""
    iterations = int(os.environ.get("NNC_W3_ITERATIONS", "200"))
    out = os.environ.get("NNC_W3_OUT", "dcgan-torch.safetensors")
    print(f"[dcgantrain] W3 in PyTorch, {iterations} iterations of batch 64 -> {out}")
    write_safetensors(out, list(w3_train(iterations).items()))
