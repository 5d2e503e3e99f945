// Gauss–Hermite quadrature: ∫ f(x) e^{−x²} dx ≈ Σ wᵢ f(xᵢ), exact for polynomials of degree < 2·deg (the rule
// scipy.special.roots_hermite gives, which neural-tangents' ElementwiseNumerical uses).

/** Nodes and weights of a degree, computed once each. */
const RULES = new Map<number, { nodes: Float64Array; weights: Float64Array }>();

/** The largest degree: its nodes reach ±√(2·deg), and the weights there underflow long before. */
export const MAX_HERMITE_DEGREE = 1000;

/**
 * The Gauss–Hermite rule of `deg` points (ascending nodes; the weights sum to √π). The nodes are the eigenvalues of
 * the Jacobi matrix (0 on the diagonal, √(k/2) beside it), found by bisection on Sturm counts, which cannot miss or
 * repeat one; one Newton step on the orthonormal Hermite functions (whose recurrence never overflows) polishes each,
 * and the weights 2/ψ′(x)² come from the same recurrence, so even the smallest keep their relative accuracy.
 */
export function gaussHermite(deg: number): { nodes: Float64Array; weights: Float64Array } {
  const cached = RULES.get(deg);
  if (cached !== undefined) return cached;
  const nodes = new Float64Array(deg);
  const weights = new Float64Array(deg);
  // How many eigenvalues of the Jacobi matrix lie below x: the negative pivots of its LDLᵀ factorization at −x.
  const countBelow = (x: number) => {
    let count = 0;
    let pivot = 1;
    for (let k = 0; k < deg; k++) {
      pivot = -x - (k === 0 ? 0 : k / 2 / pivot);
      if (pivot === 0) pivot = -Number.MIN_VALUE;
      if (pivot < 0) count++;
    }
    return count;
  };
  // ψ_deg(x) and ψ′_deg(x) = √(2·deg)·ψ_{deg−1}(x) for the orthonormal Hermite functions.
  const hermite = (x: number): [value: number, derivative: number] => {
    let [p1, p2] = [Math.PI ** -0.25, 0];
    for (let j = 1; j <= deg; j++) [p1, p2] = [x * Math.sqrt(2 / j) * p1 - Math.sqrt((j - 1) / j) * p2, p1];
    return [p1, Math.sqrt(2 * deg) * p2];
  };
  const edge = Math.sqrt(2 * deg + 1) + 1;
  const half = Math.floor(deg / 2);
  for (let i = deg - half; i < deg; i++) {
    // Node i (ascending) is the point below which i eigenvalues lie; the nodes are symmetric about 0.
    let [low, high] = [0, edge];
    while (high - low > 1e-15 * high) {
      const middle = (low + high) / 2;
      if (middle === low || middle === high) break;
      if (countBelow(middle) > i) high = middle;
      else low = middle;
    }
    let x = (low + high) / 2;
    const [value, derivative] = hermite(x);
    x -= value / derivative;
    const [, slope] = hermite(x);
    nodes[i] = x;
    nodes[deg - 1 - i] = -x;
    weights[i] = weights[deg - 1 - i] = 2 / (slope * slope);
  }
  if (deg % 2 === 1) weights[half] = 2 / hermite(0)[1] ** 2;
  const rule = { nodes, weights };
  RULES.set(deg, rule);
  return rule;
}
