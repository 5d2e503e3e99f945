"""PyTorch (functorch, float64) times of the empirical NTK for bench/ntk.ts: the two methods of PyTorch's "Neural Tangent
Kernels" tutorial, Jacobian contraction (jacrev, then einsum of the per-layer Jacobians) and NTK-vector products (vjp
of f(x2) for every output basis vector, then jvp on x1, vmapped), on the same MLP shape as bench/ntk.ts.
Usage: /usr/bin/python3 bench/torch_ntk_peer.py <threads>   one JSON line per case:
       {"group", "impl", "firstMs", "ms"} (the first call, then the median of the repeated calls)"""
import json
import sys
import time

import torch
from functorch import jacrev, jvp, make_functional, vjp, vmap

torch.set_default_dtype(torch.float64)
THREADS = int(sys.argv[1])
torch.set_num_threads(THREADS)
torch.manual_seed(0)

D, WIDTH, K, N = 32, 256, 10, 100
model = torch.nn.Sequential(torch.nn.Linear(D, WIDTH), torch.nn.ReLU(), torch.nn.Linear(WIDTH, WIDTH), torch.nn.ReLU(), torch.nn.Linear(WIDTH, K))
fnet, params = make_functional(model)
x = torch.rand(N, D)


def f_single(p, xi):
    return fnet(p, xi.unsqueeze(0)).squeeze(0)


def jacobian_contraction(x1, x2, full):
    j1 = [j.flatten(2) for j in vmap(jacrev(f_single), (None, 0))(params, x1)]
    j2 = [j.flatten(2) for j in vmap(jacrev(f_single), (None, 0))(params, x2)]
    spec = 'Naf,Mbf->NMab' if full else 'Naf,Maf->NM'
    return sum(torch.einsum(spec, a, b) for a, b in zip(j1, j2))


def ntk_vector_products(x1, x2, full):
    def f1(p):
        return fnet(p, x1)

    def f2(p):
        return fnet(p, x2)

    def column(v):
        # J(x1)·J(x2)ᵀ·v: a vjp at x2, then a jvp at x1.
        _, pull = vjp(f2, params)
        return jvp(f1, (params,), pull(v))[1]

    basis = torch.eye(N * K).view(N * K, N, K)
    result = vmap(column)(basis).view(N, K, N, K)  # [j, o, i, a]
    result = result.permute(2, 0, 3, 1)  # [i, j, a, o]
    return result if full else torch.diagonal(result, dim1=-2, dim2=-1).sum(-1) / K


CASES = [
    ('jacobian contraction', jacobian_contraction),
    ('ntk vector products', ntk_vector_products),
]

for full in (True, False):
    group = f"empiricalNtk MLP {D}-{WIDTH}-{WIDTH}-{K} n={N} {'full' if full else 'mean'}"
    for name, method in CASES:
        start = time.perf_counter()
        method(x, x, full)
        first = (time.perf_counter() - start) * 1000
        times = []
        for _ in range(3):  # the median of 3
            start = time.perf_counter()
            method(x, x, full)
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps({'group': group, 'impl': f'PyTorch {name} {THREADS}t', 'firstMs': first, 'ms': sorted(times)[1]}), flush=True)
