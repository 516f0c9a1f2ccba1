#!/usr/bin/python3
"""PyTorch reference for nn's BenchmarkMLPStep: one training step of an MLP.

Same step as the Go benchmark: an MLP with SiLU activations, float32, batch
256, MSE loss to random targets, Adam (torch defaults); each step is
zero_grad, forward, loss, backward, optimizer step. Prints the median time per
step over several repeats for each network.

Run with the Debian torch and a BLAS core that recognises this CPU:

    OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_mlp.py 1

Usage: torch_mlp.py THREADS [NET ...]   (NET like 2-256-256-1; default both)
"""

import statistics
import sys

import torch

from torchtime import time_calls


def build(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.SiLU())
    return torch.nn.Sequential(*layers)


def bench(widths, batch=256, repeats=7, min_seconds=0.3):
    torch.manual_seed(0)
    net = build(widths)
    opt = torch.optim.Adam(net.parameters())
    loss_fn = torch.nn.MSELoss()
    x = torch.randn(batch, widths[0])
    target = torch.randn(batch, widths[-1])

    def step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(x), target)
        loss.backward()
        opt.step()

    times, _ = time_calls(step, warmup=3, min_seconds=min_seconds, repeats=repeats)
    return statistics.median(times), min(times), max(times)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    nets = sys.argv[2:] or ["2-256-256-1", "784-512-512-1"]
    for name in nets:
        widths = [int(w) for w in name.split("-")]
        med, lo, hi = bench(widths)
        print(f"torch {torch.__version__} {name} threads={threads}: "
              f"{med * 1e3:.3f} ms/step (median; range {lo * 1e3:.3f}-{hi * 1e3:.3f})", flush=True)


if __name__ == "__main__":
    main()
