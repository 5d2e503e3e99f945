// Euler steps of the gradient flow du/dt = −η·K·(u − y), as assembly/flow/euler.ts.
import type { EulerSession } from '../../types.js';
import { dense, gemmInto } from '../linalg/gemm.js';

export function eulerFlow(
  kernel: Float64Array,
  kTest: Float64Array | null,
  y: Float64Array,
  u0: Float64Array,
  fTest0: Float64Array | null,
  n: number,
  m: number,
  k: number,
  rate: number,
): EulerSession {
  const u = u0.slice();
  const fTest = fTest0?.slice() ?? null;
  const residual = new Float64Array(n * k);
  return {
    advance(steps) {
      for (let s = 0; s < steps; s++) {
        for (let i = 0; i < residual.length; i++) residual[i] = u[i] - y[i];
        // Both updates read the residual of u before the step.
        if (kTest !== null && fTest !== null) {
          gemmInto(false, false, m, k, n, -rate, dense(kTest, n), dense(residual, k), 1, dense(fTest, k));
        }
        gemmInto(false, false, n, k, n, -rate, dense(kernel, n), dense(residual, k), 1, dense(u, k));
      }
    },
    read: () => ({ train: u.slice(), test: fTest?.slice() ?? null }),
    dispose() {},
  };
}
