import { current } from '../backend/registry.js';
import { learningRateHint, runInChunks } from '../chunks.js';
import { checkOptions, enumOption, numberOption, shapeOf } from '../errors.js';
import { gramOf, product, spdSolve, symmetricSquare } from '../linalg.js';
import { Matrix, type MatrixInput, requireNonEmpty, toMatrix } from '../matrix.js';
import { addDiagonal, type TargetsInput, toTargets } from './common.js';
import { maxLearningRate } from './gradientDescentMse.js';

/** Options of {@link dualGradientDescent}. */
export interface DualGradientDescentOptions {
  /** Step size η. Required. */
  learningRate: number;
  /** Number of steps. Required. */
  steps: number;
  /** L2 penalty on θ = Φᵀα (as in {@link KernelRidge}). Default 0. */
  ridge?: number;
}

/** Dual coefficients after gradient descent and the loss curve. */
export interface DualGradientDescentResult {
  /** α after the last step (n × k); predictions are K(x, X)·α. */
  alpha: Matrix;
  /** `‖K·α − y‖²/(2N)` before the first step and after each (length steps + 1). */
  loss: Float64Array;
}

/**
 * Gradient descent in the dual: with θ = Φᵀα, a gradient step on
 * `L = ‖Φθ − y‖²/(2N) + ridge·‖θ‖²/(2N)` is `α ← α − (η/N)·(K·α − y + ridge·α)`, starting from α = 0.
 * It converges to KernelRidge's `(K + ridge·I)⁻¹ y` for η below {@link maxLearningRate}.
 *
 * @example
 * ```ts
 * const k = linearKernel({ bias: 1 })([[0], [1], [2]]);
 * const { alpha, loss } = dualGradientDescent(k, [1, 3, 5], { learningRate: 0.5, steps: 200 });
 * loss[200]; // ≈ 0
 * ```
 */
export function dualGradientDescent(k: MatrixInput, y: TargetsInput, options: DualGradientDescentOptions): DualGradientDescentResult {
  const fn = 'dualGradientDescent';
  if (options === undefined) throw new TypeError(`${fn}: options with learningRate and steps are required`);
  const opts = checkOptions(fn, options, ['learningRate', 'steps', 'ridge']);
  const learningRate = numberOption(fn, 'learningRate', opts.learningRate, undefined, { above: 0 });
  const steps = numberOption(fn, 'steps', opts.steps, undefined, { integer: true, min: 0 });
  const ridge = numberOption(fn, 'ridge', opts.ridge, 0, { min: 0 });
  const mk = symmetricSquare(fn, 'k', k);
  const my = toTargets(fn, 'y', y, mk.rows, 'k');
  const size = my.rows * my.cols;
  let alpha!: Float64Array;
  const loss = runInChunks(
    fn,
    steps,
    undefined,
    undefined,
    (count) => {
      const result = current().dualDescent(fn, mk.data, my.data, my.rows, my.cols, count, learningRate / size, ridge, 1 / (2 * size));
      alpha = result.params;
      return result.losses;
    },
    () => learningRateHint(learningRate, () => maxLearningRate(mk, { outputs: my.cols })),
  );
  return { alpha: new Matrix(my.rows, my.cols, alpha), loss };
}

/** How {@link linearRegression} finds θ. */
export type LinearSolver = 'normal' | 'gradientDescent';

/** Options of {@link linearRegression}. */
export interface LinearRegressionOptions {
  /** `'normal'` (default): θ = (ΦᵀΦ + ridge·I)⁻¹Φᵀy by Cholesky; `'gradientDescent'`: from θ = 0. */
  solver?: LinearSolver;
  /** L2 penalty: minimizes (‖Φθ − y‖² + ridge·‖θ‖²)/(2N). Default 0. */
  ridge?: number;
  /** Step size η, for `'gradientDescent'`. */
  learningRate?: number;
  /** Number of steps, for `'gradientDescent'`. */
  steps?: number;
}

/** A fitted linear model in feature space. */
export interface LinearRegressionResult {
  /** Weights (p × k). */
  theta: Matrix;
  /** `'gradientDescent'` only: `‖Φθ − y‖²/(2N)` before the first step and after each. */
  loss?: Float64Array;
  /** Φ·θ for features Φ (m × p). */
  predict(features: MatrixInput): Matrix;
}

/**
 * Linear regression `f(x) = θᵀφ(x)` on given features, by the normal equations or by
 * full-batch gradient descent `θ ← θ − (η/N)·(Φᵀ(Φθ − y) + ridge·θ)`. With features
 * {@link polynomialFeatures} it reaches the same predictions as {@link KernelRidge} with the
 * polynomial kernel, the kernel trick seen from the primal side.
 *
 * @example
 * ```ts
 * const phi = polynomialFeatures([[0], [1], [2], [3]], 2);
 * const model = linearRegression(phi, [1, 2, 5, 10], { ridge: 1e-9 });
 * model.predict(polynomialFeatures([[4]], 2)).get(0, 0); // ≈ 17 (y = x² + 1)
 * ```
 */
export function linearRegression(features: MatrixInput, y: TargetsInput, options?: LinearRegressionOptions): LinearRegressionResult {
  const fn = 'linearRegression';
  const opts = checkOptions(fn, options, ['solver', 'ridge', 'learningRate', 'steps']);
  const solver = enumOption<LinearSolver>(fn, 'solver', opts.solver, ['normal', 'gradientDescent'], 'normal');
  const ridge = numberOption(fn, 'ridge', opts.ridge, 0, { min: 0 });
  const phi = toMatrix(fn, 'features', features);
  requireNonEmpty(fn, 'features', phi);
  const my = toTargets(fn, 'y', y, phi.rows, 'features');
  const p = phi.cols;
  let theta: Matrix;
  let loss: Float64Array | undefined;
  if (solver === 'normal') {
    if (opts.learningRate !== undefined || opts.steps !== undefined) {
      throw new TypeError(`${fn}: learningRate and steps apply to solver 'gradientDescent' only`);
    }
    const normal = addDiagonal(fn, product(fn, phi, phi, true), ridge, true);
    theta = spdSolve(fn, 'ΦᵀΦ + ridge·I', normal, product(fn, phi, my, true));
  } else {
    const learningRate = numberOption(fn, 'learningRate', opts.learningRate, undefined, { above: 0 });
    const steps = numberOption(fn, 'steps', opts.steps, undefined, { integer: true, min: 0 });
    const size = my.rows * my.cols;
    let params: Float64Array | null = null;
    loss = runInChunks(
      fn,
      steps,
      undefined,
      undefined,
      (count) => {
        const result = current().primalDescent(fn, phi.data, my.data, phi.rows, p, my.cols, count, learningRate / size, ridge, 1 / (2 * size), params);
        params = result.params;
        return result.losses;
      },
      () => learningRateHint(learningRate, () => maxLearningRate(gramOf(fn, phi), { outputs: my.cols })),
    );
    theta = new Matrix(p, my.cols, params!);
  }
  return {
    theta,
    loss,
    predict(x) {
      const mx = toMatrix(`${fn}.predict`, 'features', x);
      if (mx.cols !== p) {
        throw new RangeError(`${fn}.predict: features is ${shapeOf(mx)} but the model has ${p} features`);
      }
      return product(`${fn}.predict`, mx, theta);
    },
  };
}
