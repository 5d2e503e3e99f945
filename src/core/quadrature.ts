// Gauss–Hermite quadrature: ∫ f(x) e^{−x²} dx ≈ Σ wᵢ f(xᵢ), exact for polynomials of degree < 2·deg (the rule
// scipy.special.roots_hermite gives, which neural-tangents' ElementwiseNumerical uses).

/** Nodes and weights of a degree, computed once each. */
const RULES = new Map<number, { nodes: Float64Array; weights: Float64Array }>();

/** The largest degree: its nodes reach ±√(2·deg), and the weights there underflow long before. */
export const MAX_HERMITE_DEGREE = 1000;

/**
 * The Gauss–Hermite rule of `deg` points (ascending nodes; the weights sum to √π), by Newton's method on the
 * orthonormal Hermite functions (their three-term recurrence never overflows), from the usual asymptotic guesses.
 */
export function gaussHermite(deg: number): { nodes: Float64Array; weights: Float64Array } {
  const cached = RULES.get(deg);
  if (cached !== undefined) return cached;
  const nodes = new Float64Array(deg);
  const weights = new Float64Array(deg);
  const half = Math.floor((deg + 1) / 2);
  const PI_QUARTER = Math.PI ** -0.25;
  let z = 0;
  for (let i = 0; i < half; i++) {
    // Guesses for the largest roots first (Numerical Recipes' gauher), then each from the two before it.
    if (i === 0) z = Math.sqrt(2 * deg + 1) - 1.85575 * (2 * deg + 1) ** -0.16667;
    else if (i === 1) z -= (1.14 * deg ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * nodes[deg - 1];
    else if (i === 3) z = 1.91 * z - 0.91 * nodes[deg - 2];
    else z = 2 * z - nodes[deg - i + 1];
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = PI_QUARTER;
      let p2 = 0;
      for (let j = 1; j <= deg; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      derivative = Math.sqrt(2 * deg) * p2;
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    nodes[deg - 1 - i] = z;
    nodes[i] = -z;
    weights[deg - 1 - i] = 2 / (derivative * derivative);
    weights[i] = weights[deg - 1 - i];
  }
  if (deg % 2 === 1) nodes[half - 1] = 0;
  const rule = { nodes, weights };
  RULES.set(deg, rule);
  return rule;
}
