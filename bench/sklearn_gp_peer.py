"""scikit-learn's GaussianProcessRegressor fitting RBF() + WhiteKernel() by its marginal likelihood (its default
L-BFGS-B, no restarts) on {"x", "y"} read from stdin as JSON, for bench/hyperparameters.ts.
Usage: /usr/bin/python3 bench/sklearn_gp_peer.py < data.json   one JSON line {"impl", "firstMs", "note"}"""
import json
import sys
import time

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, WhiteKernel

data = json.load(sys.stdin)
x, y = np.array(data["x"]), np.array(data["y"])
start = time.perf_counter()
gpr = GaussianProcessRegressor(kernel=RBF() + WhiteKernel(noise_level=0.5), alpha=0.0).fit(x, y)
ms = (time.perf_counter() - start) * 1000
kernel = gpr.kernel_
note = f"RBF ℓ {kernel.k1.length_scale:.3f}, noise {kernel.k2.noise_level:.3f}, log p(y) {gpr.log_marginal_likelihood_value_:.2f}"
print(json.dumps({"impl": "scikit-learn RBF + WhiteKernel", "firstMs": ms, "note": note}))
