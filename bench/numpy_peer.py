"""numpy/scipy (OpenBLAS) times for workloads of bench/linalg.ts and bench/dense.ts, one workload per process.
Usage: python3 bench/numpy_peer.py --list               the workloads' groups, one per line
       python3 bench/numpy_peer.py <group>              one JSON line {"group", "impl", "firstMs", "ms", "minMs", "maxMs", "calls"}:
                                                        the first call after the inputs are made, then the median,
                                                        min and max of the repeated calls
       python3 bench/numpy_peer.py --serve <group>      {"ready": true}, then for each line n on stdin the times of n
                                                        calls, {"ms": [...]} (bench/check.ts interleaves it with wasm)
bench/run.ts and bench/check.ts run it with OPENBLAS_NUM_THREADS set and without this machine's OPENBLAS_CORETYPE
and OPENBLAS_L2_SIZE, so OpenBLAS picks its own kernels."""
import json
import os
import sys
import time

import numpy as np
import scipy.linalg as sl

# group -> (make, repeats): make() builds the inputs and returns the call to time.
WORKLOADS = {}


def workload(group, repeats):
    def register(make):
        WORKLOADS[group] = (make, repeats)
        return make
    return register


def symmetric(n, seed):
    x = np.random.default_rng(seed).random((n, n))
    return (x + x.T) / 2


def spd(n, seed):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, n))
    return x @ x.T + n * np.eye(n)


@workload('matmul n=1024', 10)
def _():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-1, 1, (1024, 1024)), rng.uniform(-1, 1, (1024, 1024))
    return lambda: a @ b


@workload('cholesky n=1024', 10)
def _():
    a = spd(1024, 4)
    return lambda: np.linalg.cholesky(a)


@workload('eigh n=512', 10)
def _():
    a = spd(512, 7)
    return lambda: np.linalg.eigh(a)


@workload('eigh n=1000', 3)
def _():
    a = symmetric(1000, 1)
    return lambda: np.linalg.eigh(a)


@workload('eigh n=2000', 3)
def _():
    a = symmetric(2000, 1)
    return lambda: np.linalg.eigh(a)


@workload('eigenvalues only n=2000', 3)
def _():
    a = symmetric(2000, 1)
    return lambda: np.linalg.eigvalsh(a)


@workload('cholesky n=2000', 5)
def _():
    a = spd(2000, 4)
    return lambda: np.linalg.cholesky(a)


def mse_problem():
    """gradientDescentMse as neural-tangents computes it: eigh once, then per t two products with V."""
    rng = np.random.default_rng(11)
    n, m = 2000, 500
    features = rng.random((n + m, 64))
    k = features[:n] @ features[:n].T / 64
    k_test = features[n:] @ features[:n].T / 64
    y = rng.random((n, 1))

    def predictions(vals, vecs, t):
        proj = vecs.T @ (-y)
        rate = t / n
        train = y + vecs @ (np.exp(-rate * vals)[:, None] * proj)
        test = k_test @ (vecs @ ((np.expm1(-rate * vals) / vals)[:, None] * proj))
        return train, test

    return k + 1e-6 * np.eye(n), predictions


@workload('gradientDescentMse n=2000 m=500, 10 t', 1)
def _():
    k, predictions = mse_problem()

    def ten():
        vals, vecs = np.linalg.eigh(k)
        for t in np.linspace(1, 10, 10):
            predictions(vals, vecs, t)
    return ten


@workload('gradientDescentMse n=2000 later t', 20)
def _():
    k, predictions = mse_problem()
    vals, vecs = np.linalg.eigh(k)
    return lambda: predictions(vals, vecs, 3.0)


@workload('gradientDescentMseEnsemble n=2000 m=500, 10 t, ntk covariance', 1)
def _():
    # neural-tangents' gradient_descent_mse_ensemble, 'ntk' with covariance on 500 test points at 10 times, its
    # einsums written as the products they reduce to: eigh once, then per t the mean, V·(c ⊙ VᵀΘ_tdᵀ) and the
    # NNGP sandwiched by it (bench/ensemble.ts times the same on both backends).
    rng = np.random.default_rng(17)
    n, m = 2000, 500
    f = rng.random((n + m, 64))
    k = f @ f.T / 64
    ntk = k + k * k
    nngp_dd, nngp_td, nngp_tt = k[:n, :n], k[n:, :n], k[n:, n:]
    ntk_dd, ntk_td = ntk[:n, :n] + 1e-6 * np.eye(n), ntk[n:, :n]
    y = rng.random((n, 1))

    def ten():
        vals, vecs = np.linalg.eigh(ntk_dd)
        a, b, py = vecs.T @ ntk_td.T, vecs.T @ nngp_td.T, vecs.T @ y
        lam = np.maximum(vals, 0)
        for t in range(1, 11):
            c = -np.expm1(-lam * t / n) / vals
            mean = a.T @ (c[:, None] * py)
            ca = c[:, None] * a
            term1 = vecs @ ca
            cross = ca.T @ b
            cov = nngp_tt + term1.T @ (nngp_dd @ term1) - cross - cross.T
        return mean, cov
    return ten


@workload('KernelRidge n=10000 d=64 fit+predict 1000', 1)
def _():
    # Kernel ridge n = 10,000 (RBF, d = 64): Gram, ridge, Cholesky solve, predict 1000 rows.
    def rbf(a, b, gamma):
        d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
        return np.exp(-gamma * np.maximum(d2, 0))

    rng = np.random.default_rng(13)
    x, y, x_test = rng.random((10_000, 64)), rng.random((10_000, 1)), rng.random((1000, 64))

    def ridge():
        k = rbf(x, x, 1 / 64)
        k[np.diag_indices_from(k)] += 1e-3
        alpha = sl.cho_solve(sl.cho_factor(k, lower=True, overwrite_a=True), y)
        return rbf(x_test, x, 1 / 64) @ alpha
    return ridge


@workload('GNTK n=500', 3)
def _():
    """The GNTK of bench/graphs.ts by neural-tangents' rules: (dense(64) → relu → aggregate) × 2 → globalSumPool → dense(1),
    'ntk' parameterization with wStd 1 and bStd 0, on 500 random graphs of 10 to 30 vertices (about 3 edges each and a
    self-loop, padded to 30) with 8 features; per block of 25 rows against every column, Σ and Θ as (rows, n, V, V)."""
    rng = np.random.default_rng(29)
    n, v, c = 500, 30, 8
    x = np.zeros((n, v, c))
    a = np.zeros((n, v, v))
    for i in range(n):
        size = 10 + int(rng.integers(0, v - 9))
        x[i, :size] = rng.normal(size=(size, c))
        for u in range(size):
            a[i, u, u] = 1
            for w in rng.integers(0, size, 3):
                a[i, u, w] = a[i, w, u] = 1

    def relu(q1, q2, s, t):
        norm = np.sqrt(q1 * q2)
        cos = np.clip(np.divide(s, norm, out=np.zeros_like(s), where=norm > 0), -1, 1)
        angle = np.arccos(cos)
        return norm * (np.sin(angle) + (np.pi - angle) * cos) / (2 * np.pi), t * (np.pi - angle) / (2 * np.pi)

    def blocks(s, t, q1, q2, a1, a2):
        """Two blocks from the input Σ (Θ = 0): every layer on (rows, columns, V, V); q1, q2 the variances per layer."""
        for layer in range(2):
            t = s + t  # dense, wStd 1, bStd 0: Σ ← Σ, Θ ← Σ + Θ
            s, t = relu(q1[layer][:, None, :, None], q2[layer][None, :, None, :], s, t)
            s = np.swapaxes(a1, 1, 2)[:, None] @ s @ a2[None]
            t = np.swapaxes(a1, 1, 2)[:, None] @ t @ a2[None]
        # globalSumPool, then dense(1): Σ ← 1ᵀΣ1, Θ ← 1ᵀΣ1 + 1ᵀΘ1.
        return s.sum(axis=(2, 3)), t.sum(axis=(2, 3)) + s.sum(axis=(2, 3))

    def kernels():
        # Pass 1: every graph's self-covariance through the blocks, its diagonal the variances at each relu.
        sigma = np.einsum('ipc,iqc->ipq', x, x) / c
        q = []
        for layer in range(2):
            q.append(np.einsum('ipp->ip', sigma).copy())
            norm = np.sqrt(q[-1][:, :, None] * q[-1][:, None, :])
            cos = np.clip(np.divide(sigma, norm, out=np.zeros_like(sigma), where=norm > 0), -1, 1)
            angle = np.arccos(cos)
            sigma = norm * (np.sin(angle) + (np.pi - angle) * cos) / (2 * np.pi)
            sigma = np.swapaxes(a, 1, 2) @ sigma @ a
        nngp, ntk = np.zeros((n, n)), np.zeros((n, n))
        for r0 in range(0, n, 25):
            r1 = min(n, r0 + 25)
            s = np.einsum('ipc,jqc->ijpq', x[r0:r1], x) / c
            nngp[r0:r1], ntk[r0:r1] = blocks(s, np.zeros_like(s), [qq[r0:r1] for qq in q], q, a[r0:r1], a)
        return nngp, ntk
    return kernels


@workload('attention n=200', 3)
def _():
    """The kernels of bench/attention.ts by neural-tangents' GlobalSelfAttention rule (linear scaling, softmax, wStd 1, no
    bias): (attention → relu) × 2 → globalAvgPool → dense(1) on 200 sequences of 32 positions with 16 features; each
    example's weights G from its own covariance (pass 1), then per block of 25 rows against every column
    Σ ← GᵢΣGⱼᵀ, Θ ← GᵢΘGⱼᵀ + 2·GᵢΣGⱼᵀ as (rows, n, S, S) batched matmuls."""
    rng = np.random.default_rng(32)
    n, s, c = 200, 32, 16
    x = rng.normal(size=(n, s, c))
    return lambda: attention_kernels(x)


def softmax_rows(m):
    e = np.exp(m - m.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def relu_dual(q1, q2, sigma, theta):
    norm = np.sqrt(q1 * q2)
    cos = np.clip(np.divide(sigma, norm, out=np.zeros_like(sigma), where=norm > 0), -1, 1)
    angle = np.arccos(cos)
    return norm * (np.sin(angle) + (np.pi - angle) * cos) / (2 * np.pi), theta * (np.pi - angle) / (2 * np.pi)


def attention_kernels(x, blocks=2, rows=25):
    n, s, c = x.shape
    # Pass 1: each example's own covariance through the blocks: its weights G per block and its variances at each relu.
    own = np.einsum('ipc,iqc->ipq', x, x) / c
    weights, variances = [], []
    for _ in range(blocks):
        g = softmax_rows(own)
        weights.append(g)
        own = g @ own @ np.swapaxes(g, 1, 2)
        variances.append(np.einsum('ipp->ip', own).copy())
        own = relu_dual(variances[-1][:, :, None], variances[-1][:, None, :], own, own)[0]
    nngp, ntk = np.zeros((n, n)), np.zeros((n, n))
    for r0 in range(0, n, rows):
        r1 = min(n, r0 + rows)
        sigma = np.einsum('ipc,jqc->ijpq', x[r0:r1], x) / c
        theta = np.zeros_like(sigma)
        for b in range(blocks):
            gi, gj = weights[b][r0:r1][:, None], np.swapaxes(weights[b], 1, 2)[None]
            sigma, theta = gi @ sigma @ gj, gi @ theta @ gj
            theta = theta + 2 * sigma
            q = variances[b]
            sigma, theta = relu_dual(q[r0:r1][:, None, :, None], q[None, :, None, :], sigma, theta)
        # globalAvgPool, then dense(1): Σ ← mean Σ, Θ ← mean Σ + mean Θ.
        nngp[r0:r1] = sigma.mean(axis=(2, 3))
        ntk[r0:r1] = theta.mean(axis=(2, 3)) + nngp[r0:r1]
    return nngp, ntk


def ms(call):
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main(args):
    if args == ['--list']:
        print('\n'.join(WORKLOADS))
        return
    serve = args[:1] == ['--serve']
    group = args[-1] if len(args) == 1 + serve else None
    if group not in WORKLOADS:
        sys.exit(f'usage: numpy_peer.py --list | [--serve] <group>, a group one of {list(WORKLOADS)}')
    make, repeats = WORKLOADS[group]
    call = make()
    if serve:
        print(json.dumps({'ready': True}), flush=True)
        for line in sys.stdin:
            print(json.dumps({'ms': [ms(call) for _ in range(int(line))]}), flush=True)
        return
    first = ms(call)
    times = sorted(ms(call) for _ in range(repeats))
    impl = f"numpy {os.environ.get('OPENBLAS_NUM_THREADS', '?')}t"
    print(json.dumps({'group': group, 'impl': impl, 'firstMs': first, 'ms': times[len(times) // 2], 'minMs': times[0], 'maxMs': times[-1], 'calls': repeats}))


main(sys.argv[1:])
