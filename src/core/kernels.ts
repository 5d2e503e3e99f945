// The centers of the Nyström passes as both backends take them.

/**
 * The centers as the Nyström passes take them, transposed (d × m) so that every loop runs along the centers;
 * for the RBF times 2γ, with `offsets` γ‖c_j‖²: then x·(2γc) − γ‖x‖² − γ‖c‖² is the exponent −γ‖x − c‖².
 */
export function nystromCenters(
  spec: { kind: string; gamma: number },
  centers: Float64Array,
  m: number,
  d: number,
): { centersT: Float64Array; offsets: Float64Array } {
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
