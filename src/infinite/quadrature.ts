// Gauss–Hermite rules for ∫ f(t)·e^{−t²} dt, by Golub–Welsch: the nodes are the eigenvalues of the
// Jacobi matrix of the Hermite recurrence (off-diagonal √(k/2)), the weights √π·v₀² from its eigenvectors.
// Computed with the TypeScript reference eigh, so both backends use bit-identical rules.
import { eigh } from '../backend/ts/linalg.js';

/** Rule sizes available to the kernels; each entry picks the smallest with m ≥ 64·(its largest variance). */
export const RULE_SIZES = [64, 128, 256, 512] as const;

/** Nodes (ascending) and weights of the m-point Gauss–Hermite rule; the weights sum to √π. */
export function gaussHermite(m: number): { nodes: Float64Array; weights: Float64Array } {
  const jacobi = new Float64Array(m * m);
  for (let k = 1; k < m; k++) jacobi[k * m + k - 1] = jacobi[(k - 1) * m + k] = Math.sqrt(k / 2);
  const { values, vectorsT, converged } = eigh(jacobi, m);
  if (!converged) throw new Error(`gaussHermite: no convergence for m = ${m}`);
  const order = Array.from(values.keys()).sort((i, j) => values[i] - values[j]);
  const nodes = Float64Array.from(order, (i) => values[i]);
  const weights = Float64Array.from(order, (i) => Math.sqrt(Math.PI) * vectorsT[i * m] ** 2);
  // Symmetrize: the exact rule is symmetric, and this keeps odd moments at zero.
  for (let i = 0; i < m >> 1; i++) {
    const node = 0.5 * (nodes[m - 1 - i] - nodes[i]);
    const weight = 0.5 * (weights[i] + weights[m - 1 - i]);
    nodes[i] = -node;
    nodes[m - 1 - i] = node;
    weights[i] = weights[m - 1 - i] = weight;
  }
  if (m % 2 === 1) nodes[m >> 1] = 0;
  return { nodes, weights };
}

let rules: { nodes: Float64Array; weights: Float64Array } | undefined;

/** All rules of {@link RULE_SIZES}, concatenated in that order. */
export function quadratureRules(): { nodes: Float64Array; weights: Float64Array } {
  if (!rules) {
    const all = RULE_SIZES.map(gaussHermite);
    rules = {
      nodes: Float64Array.from(all.flatMap((r) => Array.from(r.nodes))),
      weights: Float64Array.from(all.flatMap((r) => Array.from(r.weights))),
    };
  }
  return rules;
}
