// Small numeric helpers shared by the ops and the TypeScript backend.
import { LOSS } from './layout.js';

/** Whether every entry is finite (x − x is 0 for finite x, NaN otherwise; four sums keep the loop short). */
export function allFinite(data: Float64Array): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const end = data.length & ~3;
  for (let i = 0; i < end; i += 4) {
    a += data[i] - data[i];
    b += data[i + 1] - data[i + 1];
    c += data[i + 2] - data[i + 2];
    d += data[i + 3] - data[i + 3];
  }
  for (let i = end; i < data.length; i++) a += data[i] - data[i];
  return a + b + c + d === 0;
}

/**
 * What a training step's summed loss and gradient are multiplied by for a minibatch of `rows` examples of k outputs
 * (LOSS in src/core/layout.ts): ‖f − y‖²/(2·rows·k) and its gradient for mse, the mean cross-entropy for crossEntropy; a
 * custom loss gives its own.
 */
export function lossScales(loss: number, rows: number, k: number): { loss: number; gradient: number } {
  if (loss === LOSS.custom) return { loss: 1, gradient: 1 };
  return loss === LOSS.mse ? { loss: 1 / (2 * rows * k), gradient: 1 / (rows * k) } : { loss: 1 / rows, gradient: 1 / rows };
}

/** 2·Σ log Lᵢᵢ of a Cholesky factor: log det(L·Lᵀ). */
export function logDiagonal(factor: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.log(factor[i * n + i]);
  return 2 * sum;
}
