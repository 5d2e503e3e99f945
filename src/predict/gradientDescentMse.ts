import { checkOptions, numberOption } from '../errors.js';
import { eigenvaluesOf, type Factor, factorOf, product, type Spectrum, spectrumOf, symmetricSquare } from '../linalg.js';
import { Matrix, type MatrixInput } from '../matrix.js';
import {
  addDiagonal,
  addScaled,
  disposeWhenCollected,
  forgetHeld,
  initialOutputs,
  type TargetsInput,
  testTrainKernel,
  timesOption,
  toTargets,
} from './common.js';

/** Options of {@link gradientDescentMse}. */
export interface GradientDescentMseOptions {
  /** η. Default 1. Only η·t matters. */
  learningRate?: number;
  /** Diagonal regularizer, as in neural-tangents: `diagReg·trace(K)/n` added to the diagonal. Default 0. */
  diagReg?: number;
  /** Add `diagReg` itself instead of scaling it by the mean diagonal. Default false. */
  diagRegAbsoluteScale?: boolean;
}

/** Options of a {@link GradientDescentMsePredictor} call. */
export interface MsePredictOptions {
  /** Continuous training time t ≥ 0; `Infinity` (default) is the converged model. */
  t?: number;
  /** Train outputs at t = 0 (n × k, or a number for all). Default 0. */
  fxTrain0?: MatrixInput | number;
  /** Test outputs at t = 0 (m × k, or a number). Default 0. */
  fxTest0?: MatrixInput | number;
  /** Kernel between test and train points (m × n); without it only `train` is returned. */
  kTestTrain?: MatrixInput;
}

/** Options of a {@link GradientDescentMsePredictor} call at several times. */
export interface MsePredictTimesOptions extends Omit<MsePredictOptions, 't'> {
  /** Times t ≥ 0 (`Infinity` allowed): one prediction each, from one eigendecomposition. */
  t: readonly number[];
}

/** Outputs at time t. */
export interface MsePrediction {
  /** Train outputs at time t (n × k). */
  train: Matrix;
  /** Test outputs at time t (m × k), when `kTestTrain` was given. */
  test?: Matrix;
}

/** Predicts the outputs of gradient flow at any time; see {@link gradientDescentMse}. */
export interface GradientDescentMsePredictor {
  /**
   * Outputs at time `t` from initial outputs `fxTrain0` (and `fxTest0` with `kTestTrain`). The first finite
   * `t` computes the eigendecomposition of the kernel, which the backend keeps (the WASM backend in its
   * memory), so each later finite `t` costs two products with the eigenvectors.
   *
   * @example
   * ```ts
   * const model = gradientDescentMse([[2, 1], [1, 2]], [1, -1]);
   * model.predict({ t: 0.5 }).train.toArray();
   * ```
   */
  predict(options: MsePredictTimesOptions): MsePrediction[];
  /**
   * Outputs at one time `t`. (This signature comes last: a remote proxy's type, src/remote, takes an overloaded
   * method's last.)
   *
   * @example
   * ```ts
   * const model = gradientDescentMse([[2, 1], [1, 2]], [1, -1]);
   * model.predict({ t: [0.5, 2] })[1].train.toArray();
   * ```
   */
  predict(options?: MsePredictOptions): MsePrediction;
  /**
   * Frees the kept eigendecomposition and Cholesky factor (n² doubles each) now rather than when the predictor
   * is collected; a later predict computes them again.
   *
   * @example
   * ```ts
   * const model = gradientDescentMse([[2, 1], [1, 2]], [1, -1]);
   * model.predict({ t: 1 });
   * model.dispose();
   * ```
   */
  dispose(): void;
}

/**
 * Closed-form outputs of continuous gradient descent on `L = ‖f − y‖²/(2N)` (`N = y.rows·y.cols`) for a
 * model whose tangent kernel stays `kTrainTrain` (`du/dt = −(η/N)·K·(u − y)`), as in
 * neural-tangents' `predict.gradient_descent_mse`. With `K = V·Λ·Vᵀ`:
 * `f_train(t) = y + V·e^{−ηΛt/N}·Vᵀ·(f₀ − y)` and
 * `f_test(t) = f₀,test + K_test,train·K⁻¹·(e^{−ηKt/N} − I)·(f₀ − y)`. Finite t uses `eigh` (computed once),
 * t = ∞ uses Cholesky (computed once). Multi-output `yTrain` uses the kernel per column (K ⊗ I).
 *
 * @example
 * ```ts
 * const k = [[2, 1], [1, 2]];
 * const model = gradientDescentMse(k, [[1], [-1]], { learningRate: 1 });
 * model.predict({ t: 0 }).train.toArray();        // [[0], [0]] (fxTrain0 = 0)
 * model.predict({ t: Infinity }).train.toArray(); // [[1], [-1]]
 * model.predict({ t: 1, kTestTrain: [[1, 0]] }).test;
 * ```
 */
export function gradientDescentMse(kTrainTrain: MatrixInput, yTrain: TargetsInput, options?: GradientDescentMseOptions): GradientDescentMsePredictor {
  const fn = 'gradientDescentMse';
  const opts = checkOptions(fn, options, ['learningRate', 'diagReg', 'diagRegAbsoluteScale']);
  const learningRate = numberOption(fn, 'learningRate', opts.learningRate, 1, { above: 0 });
  const k = symmetricSquare(fn, 'kTrainTrain', kTrainTrain);
  const y = toTargets(fn, 'yTrain', yTrain, k.rows, 'kTrainTrain');
  const kReg = addDiagonal(fn, k, opts.diagReg, opts.diagRegAbsoluteScale);
  const n = k.rows;
  const size = n * y.cols;
  let spectrum: Spectrum | undefined;
  let factor: Factor | undefined;
  // Vᵀ(f₀ − y) of the last call: the same initial outputs (the default 0, say) need no pass over V.
  let lastProjection: { residual: Float64Array; projected: Float64Array } | undefined;
  const predictor: GradientDescentMsePredictor = {
    predict(predictOptions) {
      const pfn = `${fn}.predict`;
      const p = checkOptions(pfn, predictOptions, ['t', 'fxTrain0', 'fxTest0', 'kTestTrain']);
      const times = timesOption(pfn, p.t);
      const fxTrain0 = initialOutputs(pfn, 'fxTrain0', p.fxTrain0, n, y.cols);
      const kTest = p.kTestTrain === undefined ? undefined : testTrainKernel(pfn, 'kTestTrain', p.kTestTrain, n);
      const fxTest0 = kTest ? initialOutputs(pfn, 'fxTest0', p.fxTest0, kTest.rows, y.cols) : undefined;
      const residual0 = addScaled(fxTrain0, y, -1); // f₀ − y
      const at = (t: number): MsePrediction => {
        if (t === Infinity) {
          if (!factor) {
            factor = factorOf(pfn, 'kTrainTrain (+ diagReg)', kReg);
            disposeWhenCollected(predictor, factor);
          }
          const train = new Matrix(n, y.cols, y.data.slice());
          if (!kTest || !fxTest0) return { train };
          return { train, test: addScaled(fxTest0, product(pfn, kTest, factor.solve(pfn, residual0)), -1) };
        }
        if (!spectrum) {
          spectrum = requirePositiveSemidefinite(pfn, 'kTrainTrain (+ diagReg)', spectrumOf(pfn, 'kTrainTrain (+ diagReg)', kReg));
          disposeWhenCollected(predictor, spectrum.session);
          lastProjection = undefined;
        }
        const { values, session } = spectrum;
        const k = y.cols;
        if (!lastProjection || !sameEntries(lastProjection.residual, residual0.data)) {
          lastProjection = { residual: residual0.data, projected: session.transposeTimes(pfn, residual0.data, k) }; // Vᵀ(f₀ − y)
        }
        const { projected } = lastProjection;
        const rate = (learningRate * t) / size;
        // One pass over V for both: e^{−rate·λ} on each eigenvector (train) and, for the test outputs,
        // K⁻¹(e^{−ηKt/N} − I), that is expm1(−rate·λ)/λ, whose limit at λ = 0 is −rate.
        const columns = kTest ? 2 * k : k;
        const coefficients = new Float64Array(n * columns);
        for (let i = 0; i < n; i++) {
          const lambda = values[i];
          const decay = Math.exp(-rate * lambda);
          const inverseExpm1 = lambda === 0 ? -rate : Math.expm1(-rate * lambda) / lambda;
          for (let c = 0; c < k; c++) {
            coefficients[i * columns + c] = decay * projected[i * k + c];
            if (kTest) coefficients[i * columns + k + c] = inverseExpm1 * projected[i * k + c];
          }
        }
        const combined = session.times(pfn, coefficients, columns);
        const train = new Matrix(n, k);
        for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) train.data[i * k + c] = y.data[i * k + c] + combined[i * columns + c];
        if (!kTest || !fxTest0) return { train };
        const testDirection = new Matrix(n, k);
        for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) testDirection.data[i * k + c] = combined[i * columns + k + c];
        return { train, test: addScaled(fxTest0, product(pfn, kTest, testDirection), 1) };
      };
      const results = times.map(at);
      return (Array.isArray(p.t) ? results : results[0]) as MsePrediction & MsePrediction[];
    },
    dispose() {
      forgetHeld(predictor);
      spectrum?.session.dispose();
      factor?.dispose();
      spectrum = undefined;
      factor = undefined;
    },
  };
  return predictor;
}

function sameEntries(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Eigenvalues of a PSD matrix computed in float64 can be negative by about n·ε·λ_max; more is not rounding.
const PSD_TOLERANCE = 1e-10;

/**
 * The eigenpairs of a kernel matrix, or a RangeError when it has a negative eigenvalue beyond rounding: the
 * flow `du/dt = −ηK(u − y)` then grows without bound along it instead of converging.
 */
function requirePositiveSemidefinite(fn: string, name: string, spectrum: Spectrum): Spectrum {
  let smallest = Infinity;
  let largest = 0;
  for (const v of spectrum.values) {
    smallest = Math.min(smallest, v);
    largest = Math.max(largest, Math.abs(v));
  }
  if (smallest < -PSD_TOLERANCE * largest) {
    spectrum.session.dispose();
    throw new RangeError(
      `${fn}: ${name} is not positive semidefinite: its smallest eigenvalue is ${smallest.toPrecision(4)} ` +
        `(largest magnitude ${largest.toPrecision(4)}), so gradient descent diverges along it; a tangent kernel is positive semidefinite: ` +
        `check how the kernel was computed, or add diagReg`,
    );
  }
  return spectrum;
}

/** Options of {@link maxLearningRate}. */
export interface MaxLearningRateOptions {
  /** Outputs per training point, so that N = n·outputs. Default 1. */
  outputs?: number;
  /** The momentum of {@link gradientDescent}, which allows (1 + momentum) times the rate. Default 0. */
  momentum?: number;
}

/**
 * The largest stable learning rate of full-batch gradient descent on `‖f − y‖²/(2N)` with tangent kernel
 * K: `2·(1 + momentum)·N/λ_max(K)`, with `N = n·outputs` (neural-tangents' `max_learning_rate`). Above it the step
 * `u ← u − (η/N)·K·(u − y)` diverges along the top eigenvector.
 *
 * @example
 * ```ts
 * maxLearningRate([[2, 1], [1, 2]]); // 2·2/3
 * ```
 */
export function maxLearningRate(kTrainTrain: MatrixInput, options?: MaxLearningRateOptions): number {
  const fn = 'maxLearningRate';
  const opts = checkOptions(fn, options, ['outputs', 'momentum']);
  const outputs = numberOption(fn, 'outputs', opts.outputs, 1, { integer: true, min: 1 });
  const momentum = numberOption(fn, 'momentum', opts.momentum, 0, { min: 0 });
  const k = symmetricSquare(fn, 'kTrainTrain', kTrainTrain);
  const values = eigenvaluesOf(fn, 'kTrainTrain', k);
  const top = values[values.length - 1];
  if (!(top > 0)) throw new RangeError(`${fn}: kTrainTrain has no positive eigenvalue (largest ${top})`);
  return (2 * (1 + momentum) * k.rows * outputs) / top;
}
