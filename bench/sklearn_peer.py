"""scikit-learn's Nystroem + Ridge on the problem of bench/scale.ts, printed as JSON lines {"group", "impl", "ms"} and
{"group", "impl", "peakMB"}: Nystroem(rbf, n_components=2000) fitted on the data (it draws its centers uniformly, as
Falkon does), its features of all n rows, Ridge(alpha=ridge, fit_intercept=False) on them (a Cholesky solve of the
2000 x 2000 normal equations), then the features and predictions of the n rows. bench/run.ts runs it in the same
benchmark run with Debian's python (apt-get install python3-sklearn), OPENBLAS_NUM_THREADS 1 and 2, each n in a
process of its own so that the peak resident set is that of one size.
Usage: /usr/bin/python3 bench/sklearn_peer.py <n>"""
import json
import os
import resource
import sys
import time

import numpy as np
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import Ridge

n = int(sys.argv[1])
d, m, lengthscale, ridge = 8, 2000, 2.0, 1.0
impl = f"sklearn Nystroem+Ridge {os.environ.get('OPENBLAS_NUM_THREADS', '?')}t"
rng = np.random.default_rng(1)
x = rng.standard_normal((n, d))
y = np.sin(x[:, 0]) + x[:, 1] * x[:, 2] / 2 + rng.standard_normal(n) / 10


def report(group, **values):
    print(json.dumps({"group": group, "impl": impl, **values}), flush=True)


start = time.perf_counter()
features = Nystroem(kernel="rbf", gamma=1 / (2 * lengthscale**2), n_components=m, random_state=0).fit(x)
model = Ridge(alpha=ridge, fit_intercept=False, solver="cholesky").fit(features.transform(x), y)
report(f"scale n={n} d=8 m=2000 fit", ms=(time.perf_counter() - start) * 1000)
start = time.perf_counter()
model.predict(features.transform(x))
report(f"scale n={n} d=8 m=2000 predict n rows", ms=(time.perf_counter() - start) * 1000)
report(f"scale n={n} d=8 m=2000 fit+predict", peakMB=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
