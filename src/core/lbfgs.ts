// Limited-memory BFGS (Nocedal and Wright, "Numerical Optimization", 2nd ed., algorithms 7.4 and 7.5) with a
// backtracking line search on the Armijo condition; a curvature pair is kept only when sᵀy > 0, so the inverse Hessian
// estimate stays positive definite without a Wolfe search.

/** What an objective returns at a point: its value and gradient. */
export interface Evaluation {
  value: number;
  gradient: Float64Array;
}

/** How the minimization went. */
export interface MinimizeResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  /**
   * The gradient fell below the tolerance, an iteration decreased the value by less than the relative tolerance, or the
   * decrease left along the search direction is below the rounding of the value; false: the iterations ran out, or no
   * step decreased the value.
   */
  converged: boolean;
}

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  maxIterations: number;
  /** Stop when every gradient component is at most this. */
  tolerance: number;
  /** Stop when an iteration decreases the value by at most this fraction of it (scipy's L-BFGS-B: factr·ε). */
  relativeTolerance: number;
  /** Curvature pairs kept. */
  memory?: number;
  /** Called after each iteration; may throw to stop (an aborted signal). */
  onIteration?: (iteration: number, value: number) => void;
}

/** Minimizes `objective` from x0 (a trial step whose value is not finite, or that throws a RangeError, is shortened). */
export function minimize(objective: (x: Float64Array) => Evaluation, x0: Float64Array, options: MinimizeOptions): MinimizeResult {
  const m = options.memory ?? 10;
  const dim = x0.length;
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
  const norm = (a: Float64Array) => a.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
  let x = x0.slice();
  let current = objective(x);
  let evaluations = 1;
  const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  let iteration = 0;
  while (iteration < options.maxIterations && norm(current.gradient) > options.tolerance) {
    // Two-loop recursion: the direction −H·g.
    const q = current.gradient.slice();
    const alphas: number[] = [];
    for (let k = pairs.length - 1; k >= 0; k--) {
      const { s, y, rho } = pairs[k];
      const alpha = rho * dot(s, q);
      alphas[k] = alpha;
      for (let i = 0; i < dim; i++) q[i] -= alpha * y[i];
    }
    const last = pairs[pairs.length - 1];
    // The initial scale: sᵀy/yᵀy of the last pair; before any, a first step of length at most 1 in the largest component.
    const gamma = last !== undefined ? dot(last.s, last.y) / dot(last.y, last.y) : 1 / Math.max(1, norm(current.gradient));
    for (let i = 0; i < dim; i++) q[i] *= gamma;
    for (let k = 0; k < pairs.length; k++) {
      const { s, y, rho } = pairs[k];
      const beta = rho * dot(y, q);
      for (let i = 0; i < dim; i++) q[i] += (alphas[k] - beta) * s[i];
    }
    const direction = q.map((v) => -v);
    let slope = dot(direction, current.gradient);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in the pairs): restart from steepest descent.
      pairs.length = 0;
      for (let i = 0; i < dim; i++) direction[i] = -current.gradient[i] / Math.max(1, norm(current.gradient));
      slope = dot(direction, current.gradient);
    }
    // What the quadratic model promises (−½·gᵀHg) below the value's rounding: nothing left to find.
    if (-0.5 * slope <= 4 * Number.EPSILON * Math.abs(current.value)) {
      return { x, value: current.value, gradient: current.gradient, iterations: iteration, evaluations, converged: true };
    }
    let step = 1;
    let trial: Evaluation | null = null;
    let trialX = x;
    for (let shrink = 0; shrink < 40; shrink++) {
      trialX = x.map((v, i) => v + step * direction[i]);
      const candidate = tryObjective(objective, trialX);
      evaluations++;
      if (Number.isFinite(candidate.value) && candidate.value <= current.value + 1e-4 * step * slope) {
        trial = candidate;
        break;
      }
      step *= 0.5;
    }
    if (trial === null) return { x, value: current.value, gradient: current.gradient, iterations: iteration, evaluations, converged: false };
    const s = trialX.map((v, i) => v - x[i]);
    const y = trial.gradient.map((v, i) => v - current.gradient[i]);
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > m) pairs.shift();
    }
    const decrease = current.value - trial.value;
    x = trialX;
    current = trial;
    iteration++;
    options.onIteration?.(iteration, current.value);
    if (decrease <= options.relativeTolerance * Math.max(Math.abs(current.value), Math.abs(current.value + decrease), 1)) {
      return { x, value: current.value, gradient: current.gradient, iterations: iteration, evaluations, converged: true };
    }
  }
  return { x, value: current.value, gradient: current.gradient, iterations: iteration, evaluations, converged: norm(current.gradient) <= options.tolerance };
}

/** The objective at a trial point, or an infinite value where it cannot be evaluated (overflow, a kernel not positive definite). */
function tryObjective(objective: (x: Float64Array) => Evaluation, x: Float64Array): Evaluation {
  try {
    return objective(x);
  } catch (error) {
    if (error instanceof RangeError) return { value: Infinity, gradient: new Float64Array(x.length) };
    throw error;
  }
}
