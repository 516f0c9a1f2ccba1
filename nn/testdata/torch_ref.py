#!/usr/bin/python3
"""Writes torch_ref.json: a PyTorch reference run for TestTorchReference.

A float64 network with every stateful piece of SPEC §5,

    Linear(3,5)+SN → PReLU → BatchNorm1d(5) → Linear(5,4)+SN → PReLU →
    BatchNorm1d(4) → Linear(4,1)+SN → Linear(1,1, bias=False)

(nn.MLPSpec{Widths: 3,5,4,1; prelu; BatchNorm; SpectralNorm; OutputScale}),
trained for a few Adam steps (betas (0, 0.9), eps 1e-6, weight decay) on MSE
to fixed targets in train mode, then evaluated in eval mode. The JSON holds
the initial state, the batches, the state after training and the eval
outputs, with torch's names mapped to nn's (weight_orig → weight).

Regenerate with: /usr/bin/python3 nn/testdata/torch_ref.py > nn/testdata/torch_ref.json
"""

import json

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(1)
sn = torch.nn.utils.spectral_norm
net = torch.nn.Sequential(
    sn(torch.nn.Linear(3, 5)), torch.nn.PReLU(), torch.nn.BatchNorm1d(5),
    sn(torch.nn.Linear(5, 4)), torch.nn.PReLU(), torch.nn.BatchNorm1d(4),
    sn(torch.nn.Linear(4, 1)), torch.nn.Linear(1, 1, bias=False),
)
# Generic PReLU slopes and BN affine parameters.
with torch.no_grad():
    net[1].weight.fill_(0.2)
    net[4].weight.fill_(0.3)
    net[2].weight.uniform_(0.5, 1.5)
    net[2].bias.uniform_(-0.5, 0.5)
    net[5].weight.uniform_(0.5, 1.5)
    net[5].bias.uniform_(-0.5, 0.5)


def state():
    out = {}
    for k, v in net.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        out[k.replace("weight_orig", "weight")] = v.flatten().tolist()
    return out


initial = state()
opt = torch.optim.Adam(net.parameters(), lr=0.05, betas=(0.0, 0.9), eps=1e-6, weight_decay=0.01)
B, steps = 6, 4
xs = [torch.randn(B, 3) for _ in range(steps)]
ts = [torch.randn(B, 1) for _ in range(steps)]
losses = []
net.train()
for x, t in zip(xs, ts):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(net(x), t)
    loss.backward()
    opt.step()
    losses.append(loss.item())
net.eval()
xe = torch.randn(B, 3)
with torch.no_grad():
    ye = net(xe)

json.dump({
    "initial": initial,
    "xs": [x.flatten().tolist() for x in xs],
    "targets": [t.flatten().tolist() for t in ts],
    "losses": losses,
    "final": state(),
    "x_eval": xe.flatten().tolist(),
    "y_eval": ye.flatten().tolist(),
    "adam": {"lr": 0.05, "beta1": 0.0, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.01},
    "torch": torch.__version__,
}, __import__("sys").stdout, indent=1)
