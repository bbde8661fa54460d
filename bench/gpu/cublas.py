"""cuBLAS through PyTorch, for bench/gpu/run.sh: an f32 4096^3 matmul (TF32 off), the
median of CUDA-event-timed calls after a warm-up, in milliseconds and TFLOP/s."""
import statistics

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


def gemm():
    a = torch.rand(4096, 4096, device=dev)
    b = torch.rand(4096, 4096, device=dev)
    ms = median_ms(lambda: torch.matmul(a, b), iters=20, warmup=3)
    print(f"cuBLAS (torch.matmul) 4096^3: {ms:.3f} ms, {2 * 4096**3 / ms / 1e9:.1f} TFLOP/s")


gemm()
