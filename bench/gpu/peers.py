"""PyTorch on the GPU, for bench/gpu/run.sh: `python3 peers.py w1` times W1's training
step (784-128-10 ReLU MLP, Adam, batch 64, cross-entropy) eagerly and with
torch.compile; `python3 peers.py gemm` times an f32 4096^3 matmul (cuBLAS). Medians of
CUDA-event-timed calls after a warm-up, in milliseconds."""
import statistics
import sys

import torch

dev = torch.device("cuda")
torch.backends.cuda.matmul.allow_tf32 = False  # nnc computes in f32: compare like with like
torch.backends.cudnn.allow_tf32 = False


def median_ms(fn, iters=200, warmup=20):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def w1():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(64, 28, 28, device=dev)
    y = torch.randint(0, 10, (64,), device=dev)

    def step(m):
        def run():
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(m(x), y)
            loss.backward()
            opt.step()
        return run

    print(f"torch {torch.__version__} eager train step: {median_ms(step(model)):.4f} ms")
    try:
        compiled = torch.compile(model)
        print(f"torch.compile train step: {median_ms(step(compiled)):.4f} ms")
    except Exception as e:  # no compiler toolchain on the machine
        print(f"torch.compile: unavailable ({type(e).__name__}: {e})")


def gemm():
    a = torch.rand(4096, 4096, device=dev)
    b = torch.rand(4096, 4096, device=dev)
    ms = median_ms(lambda: torch.matmul(a, b), iters=20, warmup=3)
    print(f"cuBLAS (torch.matmul) 4096^3: {ms:.3f} ms, {2 * 4096**3 / ms / 1e9:.1f} TFLOP/s")


{"w1": w1, "gemm": gemm}[sys.argv[1]]()
