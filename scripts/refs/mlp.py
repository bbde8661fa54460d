"""W1 (the Fashion-MNIST MLP) and W8 (the worked numbers): trained weights, forward
outputs, loss traces. See scripts/make-references.py for what each command writes."""

import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from refs.common import (PIXEL_MEAN, PIXEL_STD, REFS_DIR, SCHEDULES, WEIGHTS_DIR, fmt,
                         load_fashion_mnist, lr_scheduler, pixel_stats, read_safetensors,
                         rel, standardise, write_npy, write_safetensors, write_text)

MLP_NAMES = ["dense0.weight", "dense0.bias", "dense1.weight", "dense1.bias"]


def mlp_logits(params, x, dropout_p=0.0, training=False):
    """params: dict of torch tensors in nnc layout (weight [in,out]); x [B,28,28]
    raw pixels /255 (standardised here, as the model does)."""
    x = standardise(x)
    h = x.reshape(x.shape[0], -1) @ params["dense0.weight"] + params["dense0.bias"]
    h = torch.relu(h)
    if training and dropout_p > 0:
        h = F.dropout(h, p=dropout_p, training=True)  # inverted dropout, like Keras
    return h @ params["dense1.weight"] + params["dense1.bias"]


def mlp_params_to_numpy(params):
    return [(n, params[n].detach().to(torch.float32).numpy()) for n in MLP_NAMES]


# --------------------------------------------------------------------------- 1. mlp

MLP_EPOCHS = 5
MLP_BATCH = 32
MLP_LR = 1e-3
MLP_ADAM_EPS = 1e-7     # Keras' default epsilon (nnc follows Keras); torch's default is 1e-8
MLP_DROPOUT = 0.2
MLP_SEED = 0            # "seed 0" of examples/mlp.nn: torch.manual_seed and the shuffle
MLP_SCHEDULE = "linear"  # "schedule linear" of examples/mlp.nn

# Training recipe of the `mlp` command; main() overrides these from --seed / --schedule.
# Only the default recipe writes files (see cmd_mlp).
recipe = {"seed": MLP_SEED, "schedule": MLP_SCHEDULE}


def cmd_mlp():
    seed, schedule = recipe["seed"], recipe["schedule"]
    write = (seed, schedule) == (MLP_SEED, MLP_SCHEDULE)
    print("[mlp] training W1 in PyTorch "
          f"(Adam lr={MLP_LR} eps={MLP_ADAM_EPS}, {schedule} schedule, {MLP_EPOCHS} epochs, "
          f"batch {MLP_BATCH}, dropout {MLP_DROPOUT}, seed {seed})"
          + ("" if write else ": not the checked-in recipe, nothing is written"))
    mean, std = pixel_stats()
    print(f"  training pixels /255: mean {mean:.5f} std {std:.5f} "
          f"(the model standardises with {PIXEL_MEAN:.4f} and {PIXEL_STD:.4f})")
    torch.manual_seed(seed)
    xtr, ytr = load_fashion_mnist("train")
    xte, yte = load_fashion_mnist("t10k")
    xtr, ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)

    # Initialisation as in Keras (whose recipe W1 follows): Glorot-uniform weights
    # U(-l, l), l = sqrt(6/(fan_in+fan_out)), zero biases, drawn with torch's RNG under
    # torch.manual_seed(0) directly in nnc's [in,out] layout (dense0 first, then dense1).
    # (torch.nn.Linear's default Kaiming-uniform init gave test accuracy 0.8733 here.)
    params = {}
    for name, (fi, fo) in [("dense0", (784, 128)), ("dense1", (128, 10))]:
        w = torch.empty(fi, fo)
        torch.nn.init.xavier_uniform_(w)
        params[f"{name}.weight"] = w.requires_grad_()
        params[f"{name}.bias"] = torch.zeros(fo, requires_grad=True)
    opt = torch.optim.Adam([params[n] for n in MLP_NAMES], lr=MLP_LR,
                           betas=(0.9, 0.999), eps=MLP_ADAM_EPS, foreach=False)
    shuffle = torch.Generator().manual_seed(seed)
    n = xtr.shape[0]
    steps_per_epoch = -(-n // MLP_BATCH)            # ceil: a short last batch is a step
    sched = lr_scheduler(opt, schedule, MLP_EPOCHS * steps_per_epoch)   # K = 5 * 1875
    for epoch in range(MLP_EPOCHS):
        perm = torch.randperm(n, generator=shuffle)
        total, correct, seen = 0.0, 0, 0
        for i in range(0, n, MLP_BATCH):   # 60000 / 32 = 1875 batches, last one full
            idx = perm[i:i + MLP_BATCH]
            xb, yb = xtr[idx], ytr[idx]
            logits = mlp_logits(params, xb, MLP_DROPOUT, training=True)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            last_lr = opt.param_groups[0]["lr"]
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
            seen += len(idx)
        with torch.no_grad():
            acc_te = float((mlp_logits(params, torch.from_numpy(xte)).argmax(1).numpy()
                            == yte).mean())
        print(f"  epoch {epoch + 1}: train loss {total / seen:.4f} "
              f"train acc {correct / seen:.4f} test acc {acc_te:.4f} "
              f"(last step's lr {last_lr:.3e})")

    if not write:
        tensors = {n: torch.from_numpy(a) for n, a in mlp_params_to_numpy(params)}
        with torch.no_grad():
            pred = mlp_logits(tensors, torch.from_numpy(xte)).argmax(1).numpy()
        ncorrect = int((pred == yte).sum())
        print(f"  test accuracy {ncorrect / len(yte):.4f} ({ncorrect}/{len(yte)}) "
              f"[seed {seed}, {schedule}]")
        return

    tensors = mlp_params_to_numpy(params)
    write_safetensors(os.path.join(WEIGHTS_DIR, "mlp.safetensors"), tensors)

    # Evaluate exactly what was saved: the f32 weights, f32 arithmetic, argmax of logits.
    saved = {k: torch.from_numpy(v) for k, v in
             read_safetensors(os.path.join(WEIGHTS_DIR, "mlp.safetensors")).items()}
    with torch.no_grad():
        logits = mlp_logits(saved, torch.from_numpy(xte))
    pred = logits.argmax(1).numpy().astype(np.int32)
    ncorrect = int((pred == yte).sum())
    acc = ncorrect / len(yte)
    write_text(os.path.join(REFS_DIR, "mlp_test_accuracy.txt"), f"{acc:.4f} {ncorrect}\n")
    write_npy(os.path.join(REFS_DIR, "mlp_test_predictions.npy"), pred)
    # How close are the top-2 logits? (predictions with tiny margins may flip under
    # a different but correct summation order)
    top2 = torch.topk(logits, 2, dim=1).values
    margin = (top2[:, 0] - top2[:, 1]).numpy()
    print(f"  test accuracy {acc:.4f} ({ncorrect}/{len(yte)}); "
          f"test images with top-2 logit margin < 1e-4: {int((margin < 1e-4).sum())}, "
          f"< 1e-3: {int((margin < 1e-3).sum())}")


# --------------------------------------------------------------------------- 2. fwd

def cmd_fwd():
    print("[fwd] float64 forward of the trained MLP on the first 16 test images")
    path = os.path.join(WEIGHTS_DIR, "mlp.safetensors")
    if not os.path.exists(path):
        sys.exit(f"{rel(path)} missing: run the 'mlp' subcommand first")
    w = {k: torch.from_numpy(v.astype(np.float64)) for k, v in read_safetensors(path).items()}
    xte, _ = load_fashion_mnist("t10k")
    x = np.ascontiguousarray(xte[:16])                      # f32 [16,28,28]
    with torch.no_grad():
        probs = torch.softmax(mlp_logits(w, torch.from_numpy(x.astype(np.float64))), dim=1)
    probs32 = probs.numpy().astype(np.float32)
    write_npy(os.path.join(REFS_DIR, "mlp_fwd_input.npy"), x)
    write_npy(os.path.join(REFS_DIR, "mlp_fwd_probs.npy"), probs32)
    print(f"  argmax of the 16 rows: {probs32.argmax(1).tolist()}")
    print(f"  min/max prob {probs32.min():.3e} / {probs32.max():.6f}; "
          f"row sums within {np.abs(probs.sum(1).numpy() - 1).max():.1e} of 1")


# --------------------------------------------------------------------------- 3. w8
def cmd_w8():
    print("[w8] the worked numbers: single dense + sigmoid, MSE, one SGD step (lr 0.1)")
    # W chosen so that sigmoid(x @ W + b) = [0.4, 0.6]: only the first row is non-zero,
    # x[0] = 1, so W[0,j] = logit(target_j) - b_j.
    logit = lambda p: math.log(p / (1.0 - p))
    b = np.array([0.5, 0.5], dtype=np.float32)
    W = np.zeros((3, 2), dtype=np.float32)
    W[0, 0] = logit(0.4) - 0.5
    W[0, 1] = logit(0.6) - 0.5
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    y = np.array([[0.8, 0.2]])
    lr = 0.1

    write_safetensors(os.path.join(REFS_DIR, "w8.safetensors"),
                      [("layer.weight", W), ("layer.bias", b)])
    write_npy(os.path.join(REFS_DIR, "w8_x.npy"), x)

    # float64 autograd from the f32 values that were written (what nnc will load).
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    y_hat = torch.sigmoid(xt @ Wt + bt)
    mse = ((y_hat - yt) ** 2).mean()          # mean over the 2 outputs (batch of 1)
    mse.backward()
    with torch.no_grad():
        W_new = Wt - lr * Wt.grad
        b_new = bt - lr * bt.grad

    # WORKLOADS toy update: theta - lr * grad.
    theta = torch.tensor([1.0, 2.0], dtype=torch.float64)
    theta_grad = torch.tensor([-0.5, -1.0], dtype=torch.float64)
    theta_new = theta - lr * theta_grad
    assert abs(mse.item() - 0.16) < 1e-7, mse.item()
    assert torch.allclose(theta_new, torch.tensor([1.05, 2.1], dtype=torch.float64))

    lines = [
        "# W8 worked numbers (nnc dense: z = x @ W + b, W [in,out] = [3,2]); y_hat = sigmoid(z)",
        "# mse = mean over the 2 outputs of (y_hat - y)^2; SGD: p_new = p - lr * grad, lr 0.1",
        "# computed with torch autograd in float64 from the float32 W and b of w8.safetensors;",
        "# matrices are row-major, flattened; 8 significant digits",
        f"x: {fmt(x)}",
        f"W: {fmt(W)}",
        f"b: {fmt(b)}",
        f"y: {fmt(y)}",
        f"y_hat: {fmt(y_hat.detach())}",
        f"mse: {fmt(mse.detach())}",
        f"grad_W: {fmt(Wt.grad)}",
        f"grad_b: {fmt(bt.grad)}",
        f"W_new: {fmt(W_new)}",
        f"b_new: {fmt(b_new)}",
        "# toy SGD update from WORKLOADS.md: theta_new = theta - 0.1 * theta_grad",
        f"theta: {fmt(theta)}",
        f"theta_grad: {fmt(theta_grad)}",
        f"theta_new: {fmt(theta_new)}",
    ]
    write_text(os.path.join(REFS_DIR, "w8_expected.txt"), "\n".join(lines) + "\n")
    for line in lines[4:]:
        if not line.startswith("#"):
            print("  " + line)


# --------------------------------------------------------------------------- 4. parity

PARITY_SEED = 1234
PARITY_STEPS = 100
PARITY_LR = 1e-3
PARITY_BETAS = (0.9, 0.999)
PARITY_EPS = 1e-7


def glorot_init(seed):
    """Glorot-uniform weights U(-l, l), l = sqrt(6/(fan_in+fan_out)), zero biases.
    Drawn with numpy default_rng(seed) in this order: dense0.weight [784,128] (row-major),
    then dense1.weight [128,10]; float64 draws cast to float32."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, (fi, fo) in [("dense0", (784, 128)), ("dense1", (128, 10))]:
        lim = math.sqrt(6.0 / (fi + fo))
        out[f"{name}.weight"] = rng.uniform(-lim, lim, size=(fi, fo)).astype(np.float32)
        out[f"{name}.bias"] = np.zeros((fo,), dtype=np.float32)
    return out


def parity_losses(init, xtr, ytr, dtype, schedule="constant"):
    """PARITY_STEPS Adam steps, no dropout, batch i = images [32i, 32i+32) in file order,
    the learning rate following `schedule` over K = PARITY_STEPS steps.
    Returns the loss of each batch, computed before that batch's update."""
    params = {n: torch.tensor(init[n], dtype=dtype).requires_grad_() for n in MLP_NAMES}
    opt = torch.optim.Adam([params[n] for n in MLP_NAMES], lr=PARITY_LR,
                           betas=PARITY_BETAS, eps=PARITY_EPS, foreach=False)
    sched = lr_scheduler(opt, schedule, PARITY_STEPS)
    losses = []
    for i in range(PARITY_STEPS):
        xb = torch.from_numpy(xtr[32 * i:32 * i + 32]).to(dtype)
        yb = torch.from_numpy(ytr[32 * i:32 * i + 32])
        loss = F.cross_entropy(mlp_logits(params, xb), yb)   # mean over the batch
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return np.array(losses)


def print_parity_summary(what, l32, l64):
    reld = np.abs(l32 - l64) / np.abs(l64)
    print(f"  {what}: loss[0] {l32[0]:.9g} (f64 {l64[0]:.17g}), loss[99] {l32[-1]:.9g}")
    print(f"  {what}: f32 vs f64 relative difference: max {reld.max():.3e} "
          f"(at step {reld.argmax()}), first 10 steps max {reld[:10].max():.3e}, "
          f"median {np.median(reld):.3e}")


def cmd_parity():
    print(f"[parity] Glorot init (numpy default_rng({PARITY_SEED})) and the first "
          f"{PARITY_STEPS} Adam losses, f32 and f64; and f32 with linear lr decay")
    init = glorot_init(PARITY_SEED)
    write_safetensors(os.path.join(REFS_DIR, "mlp_init.safetensors"),
                      [(n, init[n]) for n in MLP_NAMES])
    xtr, ytr = load_fashion_mnist("train")
    l32 = parity_losses(init, xtr, ytr, torch.float32)
    l64 = parity_losses(init, xtr, ytr, torch.float64)
    header = (
        f"# first {PARITY_STEPS} training losses of W1 (input standardised as "
        f"(x - {PIXEL_MEAN:.4f}) / {PIXEL_STD:.4f}) from mlp_init.safetensors; "
        f"Adam lr={PARITY_LR:g} beta1={PARITY_BETAS[0]} beta2={PARITY_BETAS[1]} "
        f"eps={PARITY_EPS:g} (torch.optim.Adam: p -= lr/(1-b1^t) * m / "
        f"(sqrt(v)/sqrt(1-b2^t) + eps)); batch 32, dropout disabled, batch i = train "
        f"images [32i,32i+32) in file order; loss = mean sparse cross-entropy of the logits "
        f"over the batch, before step i's update; ")
    constant = "constant lr; "
    linear = (f"linear schedule: step i uses lr * (1 - i/{PARITY_STEPS}), "
              f"i.e. K = {PARITY_STEPS}; ")
    write_text(os.path.join(REFS_DIR, "mlp_losses.txt"),
               header + constant + "torch.float32 arithmetic, 9 significant digits\n"
               + "".join(f"{np.float32(v):.9g}\n" for v in l32))
    write_text(os.path.join(REFS_DIR, "mlp_losses_f64.txt"),
               header + constant + "torch.float64 arithmetic (from the same f32 init), "
                                   "17 significant digits\n"
               + "".join(f"{v:.17g}\n" for v in l64))
    print_parity_summary("constant lr", l32, l64)

    # The same run with the linear schedule, so a test can check nnc's per-step lr (the
    # float64 run is only for the printed f32-vs-f64 spread: no file).
    lin32 = parity_losses(init, xtr, ytr, torch.float32, "linear")
    lin64 = parity_losses(init, xtr, ytr, torch.float64, "linear")
    write_text(os.path.join(REFS_DIR, "mlp_losses_linear.txt"),
               header + linear + "torch.float32 arithmetic, 9 significant digits\n"
               + "".join(f"{np.float32(v):.9g}\n" for v in lin32))
    print_parity_summary("linear schedule", lin32, lin64)
    d = np.abs(lin32 - l32) / np.abs(l32)
    print(f"  linear vs constant (f32): step 0 and 1 identical: {bool(d[:2].max() == 0)}, "
          f"relative difference at step 99 {d[-1]:.3e}, max {d.max():.3e}")


