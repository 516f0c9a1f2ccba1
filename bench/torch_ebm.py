#!/usr/bin/python3
"""PyTorch reference for trainer's BenchmarkIteration: one iteration of the
default ebmcpu run (ebm.DefaultConfig's networks, sv + gp, batch 200, float32).

The same work as the Go iteration:
  energy step:    x_data (8gaussians), z ~ N(0, I), G(z) in train mode
                  (its BatchNorm statistics); the negatives x_g = G(z) of the
                  eval-mode generator with self-normalised importance
                  weights w ∝ exp(−E(x_g) + ½‖z‖² + ½ log det JᵀJ)
                  (ebm.WeightedNegatives; J is the gradient penalty's);
                  loss = mean E(x_data) − Σ w·E(x_g) + λ·R with the
                  gradient-penalty bound R = ½ mean (a − b)², a = ∇_x E(x)·Jv,
                  b = v·∇_z(½‖z‖² + ½ log det JᵀJ), J from the eval-mode
                  generator (Jv and b held constant), one Adam step.
  generator step: fresh z, loss = mean E(G(z)) − Ĥ with the exact
                  Ĥ = mean ½ log det(JᵀJ) + const (d = 2), one Adam step.
Energy: Linear(2,100) PReLU, three times Linear(100,100) PReLU, Linear(100,1)
and a learnable scale (ebm.DefaultConfig's four hidden layers); generator: Linear(2,100) PReLU BN Linear(100,100) PReLU BN
Linear(100,2); Adam with eps 1e-6: lr 1e-3 and betas (0.9, 0.999) for the energy
(ebm.DefaultEnergyAdam), lr 2e-4 and betas (0, 0.9) for the generator.

Run with the Debian torch and a BLAS core that recognises this CPU:

    OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_ebm.py 1

Prints the median time per iteration over several repeats.
"""

import math
import sys

import torch

from torchtime import median_ms, time_calls

B = 200


def energy_net():
    return torch.nn.Sequential(
        torch.nn.Linear(2, 100), torch.nn.PReLU(),
        torch.nn.Linear(100, 100), torch.nn.PReLU(),
        torch.nn.Linear(100, 100), torch.nn.PReLU(),
        torch.nn.Linear(100, 100), torch.nn.PReLU(),
        torch.nn.Linear(100, 1), torch.nn.Linear(1, 1, bias=False))


def generator_net():
    return torch.nn.Sequential(
        torch.nn.Linear(2, 100), torch.nn.PReLU(), torch.nn.BatchNorm1d(100),
        torch.nn.Linear(100, 100), torch.nn.PReLU(), torch.nn.BatchNorm1d(100),
        torch.nn.Linear(100, 2))


def eight_gaussians(n):
    k = torch.randint(0, 8, (n,))
    ang = k.float() * math.pi / 4
    c = torch.stack([4 * torch.cos(ang), 4 * torch.sin(ang)], 1)
    return (c + 0.5 * torch.randn(n, 2)) / 1.414


def jacobian(G, z):
    """Per-sample 2×2 Jacobians of G at z (B×2), differentiable."""
    z = z.requires_grad_(True)
    x = G(z)
    rows = [torch.autograd.grad(x[:, k].sum(), z, create_graph=True)[0] for k in range(x.shape[1])]
    return x, torch.stack(rows, 1)  # B × D × d


def half_logdet(J):
    det = J[:, 0, 0] * J[:, 1, 1] - J[:, 0, 1] * J[:, 1, 0]
    return torch.log(det.abs())


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    E, G = energy_net(), generator_net()
    optE = torch.optim.Adam(E.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-6)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.0, 0.9), eps=1e-6)
    lam = 1e-3  # ebm.DefaultGPWeight

    def iteration():
        # Energy step.
        x_data = eight_gaussians(B)
        z = torch.randn(B, 2)
        G.train()
        with torch.no_grad():
            G(z)
        optE.zero_grad()
        G.eval()
        zz = z.clone()
        xg, J = jacobian(G, zz)
        with torch.no_grad():
            f = -E(xg).squeeze(1) + 0.5 * (z * z).sum(1) + half_logdet(J)
            wn = torch.softmax(f, 0)
        loss = E(x_data).mean() - (wn * E(xg.detach()).squeeze(1)).sum()
        v = torch.randn(B, 2)
        ld = half_logdet(J).sum()
        gz = torch.autograd.grad(0.5 * (zz * zz).sum() + ld, zz)[0]
        w = torch.einsum('bij,bj->bi', J, v).detach()
        b = (v * gz).sum(1).detach()
        xe = xg.detach().requires_grad_(True)
        gx = torch.autograd.grad(E(xe).sum(), xe, create_graph=True)[0]
        a = (gx * w).sum(1)
        R = 0.5 * ((a - b) ** 2).mean()
        (loss + lam * R).backward()
        optE.step()
        # Generator step.
        z = torch.randn(B, 2)
        G.train()
        optG.zero_grad()
        eg = E(G(z)).mean()
        G.eval()
        _, J = jacobian(G, z.clone())
        H = half_logdet(J).mean()
        (eg - H).backward()
        optG.step()

    samples, n = time_calls(iteration, warmup=5, min_seconds=0.3, repeats=7)
    print(f"torch {torch.__version__} threads={threads} sv+gp iteration: "
          f"median {median_ms(samples):.3f} ms over 7 repeats of {n}")


if __name__ == "__main__":
    main()
