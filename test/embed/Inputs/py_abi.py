"""The Python binding's view of the model table ABI. Without arguments: its version and
the sizes and offsets of its ctypes copies of nnrt_iteration_step, nnrt_train_config and
nnrt_model, in the format of `nnrt-selftest abi` (the C layout), for a diff. With LIB (a
model compiled with --emit=shared): the model's training configuration and the rates
schedule_lr gives the steps of a 10-step run by default."""
import ctypes
import sys

import nnc

if len(sys.argv) == 1:
    T, M = nnc._TrainConfig, nnc._Model
    print("abi", nnc.ABI_VERSION)
    S = nnc._IterationStep
    print(f"nnrt_iteration_step {ctypes.sizeof(S)}, micro_batch at {S.micro_batch.offset}")
    print(f"nnrt_train_config {ctypes.sizeof(T)}, warmup_steps at {T.warmup_steps.offset}")
    print(f"nnrt_model {ctypes.sizeof(M)}, train at {M.train.offset}, dim_products at "
          f"{M.dim_products.offset}")
else:
    m = nnc.Model(sys.argv[1])
    c = m.train_config
    print("config:", c["schedule"], "warmup", c["warmup"], "epochs", c["epochs"],
          "steps", [s["entry"] for s in c["steps"]])
    print("rates:", " ".join(f"{m.schedule_lr(k, 10):.6f}" for k in range(10)))
