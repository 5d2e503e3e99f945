"""numpy/scipy (OpenBLAS) times for the dense workloads of bench/dense.ts, printed as JSON lines
{"group", "impl", "ms"}. bench/run.ts runs it in the same benchmark run, with OPENBLAS_NUM_THREADS set to 1
and to 2 and without this machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, so OpenBLAS picks its own kernels."""
import json
import os
import sys
import time

import numpy as np
import scipy.linalg as sl

threads = os.environ.get('OPENBLAS_NUM_THREADS', '?')
impl = f'numpy {threads}t'


def median_ms(f, repeat):
    f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]


def report(group, ms):
    print(json.dumps({'group': group, 'impl': impl, 'ms': ms}), flush=True)


rng = np.random.default_rng(1)
for n in (1000, 2000):
    x = rng.random((n, n))
    a = (x + x.T) / 2
    report(f'eigh n={n}', median_ms(lambda: np.linalg.eigh(a), 3))
    if n == 2000:
        report(f'eigenvalues only n={n}', median_ms(lambda: np.linalg.eigvalsh(a), 3))
x = rng.random((2000, 2000))
spd = x @ x.T + 2000 * np.eye(2000)
report('cholesky n=2000', median_ms(lambda: np.linalg.cholesky(spd), 5))

# gradientDescentMse as neural-tangents computes it: eigh once, then per t two products with V.
n, m = 2000, 500
features = rng.random((n + m, 64))
k = features[:n] @ features[:n].T / 64
k_test = features[n:] @ features[:n].T / 64
y = rng.random((n, 1))
times = np.linspace(1, 10, 10)


def mse_predictions(vals, vecs, t):
    proj = vecs.T @ (-y)
    rate = t / n
    train = y + vecs @ (np.exp(-rate * vals)[:, None] * proj)
    test = k_test @ (vecs @ ((np.expm1(-rate * vals) / vals)[:, None] * proj))
    return train, test


def mse_ten():
    vals, vecs = np.linalg.eigh(k + 1e-6 * np.eye(n))
    for t in times:
        mse_predictions(vals, vecs, t)


report('gradientDescentMse n=2000 m=500, 10 t', median_ms(mse_ten, 1))
vals, vecs = np.linalg.eigh(k + 1e-6 * np.eye(n))
report('gradientDescentMse n=2000 later t', median_ms(lambda: mse_predictions(vals, vecs, 3.0), 20))

if '--ridge' in sys.argv:
    # Kernel ridge n = 10,000 (RBF, d = 64): Gram, ridge, Cholesky solve, predict 1000 rows.
    def rbf(a, b, gamma):
        d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
        return np.exp(-gamma * np.maximum(d2, 0))

    xr = rng.random((10_000, 64))
    yr = rng.random((10_000, 1))
    xt = rng.random((1000, 64))

    def ridge():
        kk = rbf(xr, xr, 1 / 64)
        kk[np.diag_indices_from(kk)] += 1e-3
        alpha = sl.cho_solve(sl.cho_factor(kk, lower=True, overwrite_a=True), yr)
        return rbf(xt, xr, 1 / 64) @ alpha

    report('KernelRidge n=10000 d=64 fit+predict 1000', median_ms(ridge, 1))
