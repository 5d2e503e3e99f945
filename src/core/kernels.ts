// Codes of the classic kernels and of the Nyström products, shared with assembly/kernels/classic.ts and
// assembly/kernels/nystrom.ts (test/core/boundary.test.ts checks that the files agree).

/** The classic kernels' map codes. */
export const CLASSIC_KIND = { linear: 0, polynomial: 1, rbf: 2 } as const;

/** What a pass over rows of K(x, C) computes: K·v, Kᵀ·u, or both in turn (Kᵀ·K·v). */
export const NYSTROM_MODE = { times: 0, transpose: 1, normal: 2 } as const;

/**
 * The centers as the Nyström passes take them, transposed (d × m) so that every loop runs along the centers;
 * for the RBF times 2γ, with `offsets` γ‖c_j‖²: then x·(2γc) − γ‖x‖² − γ‖c‖² is the exponent −γ‖x − c‖².
 */
export function nystromCenters(spec: { kind: string; gamma: number }, centers: Float64Array, m: number, d: number): { centersT: Float64Array; offsets: Float64Array } {
  const rbf = spec.kind === 'rbf';
  const factor = rbf ? 2 * spec.gamma : 1;
  const centersT = new Float64Array(d * m);
  const offsets = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    for (let p = 0; p < d; p++) {
      const value = centers[j * d + p];
      centersT[p * m + j] = factor * value;
      offsets[j] += value * value;
    }
    if (rbf) offsets[j] *= spec.gamma;
  }
  return { centersT, offsets };
}
