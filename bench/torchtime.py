"""The timing loop the PyTorch reference scripts share (torch_ebm.py,
torch_image.py, torch_mlp.py): warm up, size a repeat of n calls to last at
least min_seconds, then time `repeats` repeats."""

import statistics
import time


def time_calls(step, warmup, min_seconds, repeats):
    """Returns the per-call seconds of each repeat and n, the calls per repeat."""
    for _ in range(warmup):
        step()
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            step()
        if time.perf_counter() - t >= min_seconds:
            break
        n *= 2
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            step()
        samples.append((time.perf_counter() - t) / n)
    return samples, n


def median_ms(samples):
    return statistics.median(samples) * 1e3
