"""PyTorch (float64) time of the NNGP and NTK of a depth-3 ReLU network with their derivatives with respect to its 8
hyperparameters (wStd and bStd of 4 dense layers, neural-tangents' 'ntk' rules), for bench/hyperparameters.ts: the
kernels by the arc-cosine recursion, the derivatives by forward-mode autodiff (functorch's jvp, one per direction:
vmapped over the 8 directions it took 2.6 times longer here), on the rows of x read from stdin as JSON.
Usage: /usr/bin/python3 bench/torch_hyperparameters_peer.py <threads> < x.json   one JSON line {"impl", "firstMs", "ms"}:
the first call, then a second"""
import json
import math
import sys
import time

import torch
from functorch import jvp

torch.set_default_dtype(torch.float64)
THREADS = int(sys.argv[1])
torch.set_num_threads(THREADS)
x = torch.tensor(json.load(sys.stdin))
n, d = x.shape
eye = torch.eye(n, dtype=torch.bool)


def kernels(values):
    w, b = values[:4], values[4:]
    sigma = x @ x.T / d
    sigma = w[0] ** 2 * sigma + b[0] ** 2
    theta = sigma
    for layer in (1, 2, 3):
        q = torch.diagonal(sigma)
        norms = torch.sqrt(q[:, None] * q[None, :])
        rho = torch.clamp(sigma / norms, -1.0, 1.0)
        angle = torch.arccos(torch.where(eye, torch.zeros_like(rho), rho))
        angle = torch.where(eye, torch.zeros_like(angle), angle)
        k = norms / (2 * math.pi) * (torch.sin(angle) + (math.pi - angle) * torch.cos(angle))
        k = torch.where(eye, q[:, None] / 2 + 0 * norms, k)
        slope = (math.pi - angle) / (2 * math.pi)
        sigma = w[layer] ** 2 * k + b[layer] ** 2
        theta = sigma + w[layer] ** 2 * slope * theta
    return sigma, theta


values = torch.tensor([1.4] * 4 + [0.1] * 4)
directions = torch.eye(8)


def run():
    return [jvp(kernels, (values,), (direction,)) for direction in directions]


def timed():
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


first = timed()
print(json.dumps({"impl": f"PyTorch jvp, {THREADS} thread{'s' if THREADS > 1 else ''}", "firstMs": first, "ms": timed()}))
