import { checkOptions, functionArgument, numberOption, requireFits, shapeOf } from '../errors.js';
import { type Kernel, rbfGramSpec } from '../kernels/classic.js';
import { kernelResult } from '../kernels/rows.js';
import { product, rbfRidgeSolve, spdSolve } from '../linalg.js';
import { Matrix, type MatrixInput, requireNonEmpty, toMatrix } from '../matrix.js';
import { addDiagonal, type TargetsInput, toTargets } from './common.js';

/** Options of {@link KernelRidge}. */
export interface KernelRidgeOptions {
  /** Added to the diagonal of K before solving (scikit-learn's `alpha`). Default 0. */
  ridge?: number;
}

/**
 * Kernel ridge regression: `alpha = (K(X, X) + ridge·I)⁻¹ y` by Cholesky, predictions
 * `f(x) = K(x, X)·alpha` (kernel regression `f(x) = K(x, X) K(X, X)⁻¹ y` when `ridge = 0`). Multi-output `y`
 * (n × k) fits every column with the same factorization.
 *
 * @example
 * ```ts
 * const model = new KernelRidge(rbfKernel({ lengthscale: 0.5 }), { ridge: 1e-3 });
 * model.fit([[0], [0.5], [1]], [0, 1, 0]);
 * model.predict([[0.25]]).get(0, 0);
 * ```
 */
export class KernelRidge {
  /** The kernel. */
  readonly kernel: Kernel;
  /** The diagonal regularizer. */
  readonly ridge: number;
  private xTrain: Matrix | undefined;
  private dual: Matrix | undefined;

  constructor(kernel: Kernel, options?: KernelRidgeOptions) {
    functionArgument('KernelRidge', 'kernel', kernel);
    const opts = checkOptions('KernelRidge', options, ['ridge']);
    this.kernel = kernel;
    this.ridge = numberOption('KernelRidge', 'ridge', opts.ridge, 0, { min: 0 });
  }

  /**
   * Fits to inputs `x` (n × d) and targets `y` (n × k, or n numbers).
   *
   * @throws RangeError when K + ridge·I is not positive definite (raise `ridge`).
   * @example
   * ```ts
   * new KernelRidge(linearKernel({ bias: 1 }), { ridge: 0.1 }).fit([[1], [2]], [[1], [2]]);
   * ```
   */
  fit(x: MatrixInput, y: TargetsInput): this {
    const fn = 'KernelRidge.fit';
    const mx = toMatrix(fn, 'x', x);
    requireNonEmpty(fn, 'x', mx);
    const my = toTargets(fn, 'y', y, mx.rows, 'x');
    const name = 'K(x, x) + ridge·I';
    const spec = rbfGramSpec(this.kernel, mx);
    if (spec !== null) {
      // Built, regularized, factored and solved where the backend keeps it: no n × n copy in JavaScript.
      requireFits(fn, 'the Gram matrix', mx.rows, mx.rows);
      this.dual = rbfRidgeSolve(fn, name, spec, mx, my, this.ridge);
    } else {
      const k = addDiagonal(fn, kernelResult(fn, this.kernel(mx), mx, mx), this.ridge, true);
      this.dual = spdSolve(fn, name, k, my);
    }
    this.xTrain = mx;
    return this;
  }

  /**
   * Predictions `K(x, X)·alpha` at the rows of `x`.
   *
   * @example
   * ```ts
   * const model = new KernelRidge(linearKernel({ bias: 1 }), { ridge: 1e-6 }).fit([[0], [1]], [1, 3]);
   * model.predict([[2]]).get(0, 0); // ≈ 5
   * ```
   */
  predict(x: MatrixInput): Matrix {
    const fn = 'KernelRidge.predict';
    const { xTrain, dual } = this.fitted(fn);
    const mx = toMatrix(fn, 'x', x);
    requireNonEmpty(fn, 'x', mx);
    if (mx.cols !== xTrain.cols) throw new RangeError(`${fn}: x is ${shapeOf(mx)} but the model was fitted to ${xTrain.cols} features`);
    return product(fn, kernelResult(fn, this.kernel(mx, xTrain), mx, xTrain), dual);
  }

  /** The dual coefficients `(K + ridge·I)⁻¹ y` (n × k). */
  get alpha(): Matrix {
    return this.fitted('KernelRidge.alpha').dual;
  }

  private fitted(fn: string): { xTrain: Matrix; dual: Matrix } {
    if (!this.xTrain || !this.dual) throw new Error(`${fn}: call fit(x, y) first`);
    return { xTrain: this.xTrain, dual: this.dual };
  }
}
