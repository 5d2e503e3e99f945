// Function-space gradient descent for any loss (neural-tangents' predict.gradient_descent): the outputs of a model
// whose tangent kernel stays fixed, moved by the loss's gradient through the kernel, with or without momentum,
// integrated by an embedded Runge–Kutta pair (Dormand–Prince 5(4)) whose error per step the caller bounds.
import { checkOptions, describe, functionArgument, numberOption, shapeOf } from '../errors.js';
import { product, symmetricSquare } from '../linalg.js';
import { Matrix, type MatrixInput, toMatrix } from '../matrix.js';
import { initialOutputs, type TargetsInput, testTrainKernel, timesOption, toTargets } from './common.js';

/** A loss of the outputs f (n × k) and targets y: its gradient in f (n × k), and optionally its value. */
export interface CustomLoss {
  /**
   * ∂L/∂f at outputs f (n × k) for targets y: an n × k matrix.
   *
   * @example
   * ```ts
   * const huber: CustomLoss = { gradient: (f, y) => f.toArray().map((row, i) => row.map((v, c) => Math.max(-1, Math.min(1, v - y.get(i, c))) / f.rows)) };
   * ```
   */
  gradient(f: Matrix, y: Matrix): MatrixInput;
  /**
   * L itself, reported as each prediction's `loss` (NaN without it).
   *
   * @example
   * ```ts
   * const halfSquares: CustomLoss = { gradient: (f, y) => f.toArray().map((row, i) => row.map((v, c) => v - y.get(i, c))), value: (f, y) => f.data.reduce((s, v, i) => s + (v - y.data[i]) ** 2, 0) / 2 };
   * ```
   */
  value?(f: Matrix, y: Matrix): number;
}

/**
 * 'mse': ‖f − y‖²/(2N) with N = n·k (as {@link gradientDescentMse}); 'crossEntropy': −(1/n)·Σᵢ Σ_c yᵢc·log softmax(fᵢ)_c
 * (PyTorch's CrossEntropyLoss with probabilities as targets, one-hot or not); or your own gradient.
 */
export type Loss = 'mse' | 'crossEntropy' | CustomLoss;

/** Options of {@link gradientDescent}. */
export interface GradientDescentOptions {
  /** η. Default 1. */
  learningRate?: number;
  /** Momentum in [0, 1) (neural-tangents' momentum); absent: plain gradient flow. */
  momentum?: number;
  /** The integrator's relative and absolute tolerance per step. Default 1e-9. */
  tolerance?: number;
  /** At most this many steps per call before it stops with an error. Default 100000. */
  maxSteps?: number;
}

/** Options of a {@link GradientDescentPredictor} call. */
export interface GradientDescentPredictOptions {
  /** Training time t ≥ 0 (finite). */
  t: number;
  /** Train outputs at t = 0 (n × k, or a number for all). Default 0. */
  fxTrain0?: MatrixInput | number;
  /** Test outputs at t = 0 (m × k, or a number). Default 0. */
  fxTest0?: MatrixInput | number;
  /** Kernel between test and train points (m × n); without it only `train` is returned. */
  kTestTrain?: MatrixInput;
}

/** Options of a {@link GradientDescentPredictor} call at several times. */
export interface GradientDescentPredictTimesOptions extends Omit<GradientDescentPredictOptions, 't'> {
  /** Finite times t ≥ 0 in increasing order: one prediction each, from one integration. */
  t: readonly number[];
}

/** Outputs at time t. */
export interface GradientDescentPrediction {
  /** Train outputs at time t (n × k). */
  train: Matrix;
  /** Test outputs at time t (m × k), when `kTestTrain` was given. */
  test?: Matrix;
  /** The loss on the train outputs. */
  loss: number;
}

/** Integrates the dynamics to given times; see {@link gradientDescent}. */
export interface GradientDescentPredictor {
  /**
   * Outputs at each of several times, in increasing order, from one integration.
   *
   * @example
   * ```ts
   * const flow = gradientDescent('crossEntropy', [[2, 1], [1, 2]], [[1, 0], [0, 1]]);
   * flow.predict({ t: [1, 3] }).map((p) => p.loss);
   * ```
   */
  predict(options: GradientDescentPredictTimesOptions): GradientDescentPrediction[];
  /**
   * Outputs at time `t` from initial outputs `fxTrain0` (and `fxTest0` with `kTestTrain`). (This signature comes
   * last: a remote proxy's type, src/remote, takes an overloaded method's last.)
   *
   * @example
   * ```ts
   * const flow = gradientDescent('crossEntropy', [[2, 1], [1, 2]], [[1, 0], [0, 1]]);
   * flow.predict({ t: 3 }).train.toArray();
   * ```
   */
  predict(options: GradientDescentPredictOptions): GradientDescentPrediction;
}

/**
 * The outputs of a model trained by continuous gradient descent on `loss` while its tangent kernel stays
 * `kTrainTrain` (neural-tangents' `predict.gradient_descent`): `df/dt = −η·K·∇L(f)` on the train points and
 * `−η·K_td·∇L(f)` on test points. With momentum μ, as neural-tangents takes its continuous limit: time runs as
 * t·√η and `d²f/dt² = −K·∇L(f) + ((μ − 1)/√η)·df/dt`. Integrated by Dormand–Prince 5(4) with step control to
 * `tolerance` (relative and absolute, per step); the predictions at several times come from one integration.
 *
 * @example
 * ```ts
 * const k = [[2, 1, 0], [1, 2, 1], [0, 1, 2]];
 * const y = [[1, 0], [0, 1], [1, 0]];
 * const flow = gradientDescent('crossEntropy', k, y, { learningRate: 1, momentum: 0.9 });
 * const [early, late] = flow.predict({ t: [1, 20], kTestTrain: [[0.5, 1, 0.5]] });
 * late.loss < early.loss; // true
 * ```
 */
export function gradientDescent(loss: Loss, kTrainTrain: MatrixInput, yTrain: TargetsInput, options?: GradientDescentOptions): GradientDescentPredictor {
  const fn = 'gradientDescent';
  const opts = checkOptions(fn, options, ['learningRate', 'momentum', 'tolerance', 'maxSteps']);
  const learningRate = numberOption(fn, 'learningRate', opts.learningRate, 1, { above: 0 });
  const momentum = opts.momentum === undefined ? undefined : numberOption(fn, 'momentum', opts.momentum, undefined, { min: 0 });
  if (momentum !== undefined && momentum >= 1) throw new RangeError(`${fn}: momentum must be < 1, got ${momentum}`);
  const tolerance = numberOption(fn, 'tolerance', opts.tolerance, 1e-9, { above: 0 });
  const maxSteps = numberOption(fn, 'maxSteps', opts.maxSteps, 100_000, { integer: true, min: 1 });
  const k = symmetricSquare(fn, 'kTrainTrain', kTrainTrain);
  const y = toTargets(fn, 'yTrain', yTrain, k.rows, 'kTrainTrain');
  const gradientOf = lossGradient(fn, loss, y);
  const n = k.rows;
  const outputs = y.cols;
  // neural-tangents' momentum form: time scaled by √η, friction (μ − 1)/√η.
  const timeScale = momentum === undefined ? learningRate : Math.sqrt(learningRate);
  const friction = momentum === undefined ? 0 : (momentum - 1) / Math.sqrt(learningRate);

  return {
    predict(predictOptions) {
      const pfn = `${fn}.predict`;
      if (predictOptions === undefined) throw new TypeError(`${pfn}: options with t are required`);
      const p = checkOptions(pfn, predictOptions, ['t', 'fxTrain0', 'fxTest0', 'kTestTrain']);
      if (p.t === undefined) throw new TypeError(`${pfn}: t is required (the flow of a general loss has no closed form at t = ∞)`);
      const times = timesOption(pfn, p.t);
      times.forEach((t, i) => {
        if (t === Infinity) throw new RangeError(`${pfn}: t${Array.isArray(p.t) ? `[${i}]` : ''} is Infinity; the integration needs finite times`);
        if (i > 0 && t < times[i - 1]) throw new RangeError(`${pfn}: t must be in increasing order, got ${times[i - 1]} before ${t}`);
      });
      const fxTrain0 = initialOutputs(pfn, 'fxTrain0', p.fxTrain0, n, outputs);
      const kTest = p.kTestTrain === undefined ? undefined : testTrainKernel(pfn, 'kTestTrain', p.kTestTrain, n);
      const m = kTest?.rows ?? 0;
      const fxTest0 = kTest ? initialOutputs(pfn, 'fxTest0', p.fxTest0, m, outputs) : undefined;
      // The state: f on the train points, f on the test points, then (with momentum) their velocities.
      const block = (n + m) * outputs;
      const state = new Float64Array(momentum === undefined ? block : 2 * block);
      state.set(fxTrain0.data);
      if (fxTest0) state.set(fxTest0.data, n * outputs);
      const derivative = (s: Float64Array, into: Float64Array) => {
        const g = gradientOf(pfn, new Matrix(n, outputs, s.subarray(0, n * outputs)));
        const trainMove = product(pfn, k, g);
        for (let i = 0; i < n * outputs; i++) into[i] = -trainMove.data[i];
        if (kTest) {
          const testMove = product(pfn, kTest, g);
          for (let i = 0; i < m * outputs; i++) into[n * outputs + i] = -testMove.data[i];
        }
        if (momentum === undefined) return;
        // d(f, q)/dt = (q, −K·∇L + friction·q).
        for (let i = 0; i < block; i++) {
          into[block + i] = into[i] + friction * s[block + i];
          into[i] = s[block + i];
        }
      };
      const integrator = dormandPrince(pfn, state, derivative, tolerance, maxSteps);
      const results = times.map((t) => {
        integrator.advanceTo(t * timeScale);
        const train = new Matrix(n, outputs, integrator.state.slice(0, n * outputs));
        const test = kTest ? new Matrix(m, outputs, integrator.state.slice(n * outputs, block)) : undefined;
        return { train, ...(test ? { test } : {}), loss: lossValue(loss, train, y) };
      });
      return (Array.isArray(p.t) ? results : results[0]) as GradientDescentPrediction & GradientDescentPrediction[];
    },
  };
}

/** ∇L(f) as an n × k matrix, checked. */
function lossGradient(fn: string, loss: Loss, y: Matrix): (pfn: string, f: Matrix) => Matrix {
  if (loss === 'mse') {
    const size = y.rows * y.cols;
    return (_pfn, f) =>
      new Matrix(
        f.rows,
        f.cols,
        f.data.map((v, i) => (v - y.data[i]) / size),
      );
  }
  if (loss === 'crossEntropy') {
    return (_pfn, f) => {
      const g = softmaxRows(f);
      const totals = rowSums(y);
      for (let i = 0; i < f.rows; i++)
        for (let c = 0; c < f.cols; c++) g.data[i * f.cols + c] = (g.data[i * f.cols + c] * totals[i] - y.data[i * f.cols + c]) / f.rows;
      return g;
    };
  }
  if (loss === null || typeof loss !== 'object') {
    throw new TypeError(`${fn}: loss must be 'mse', 'crossEntropy' or { gradient(f, y), value?(f, y) }, got ${describe(loss)}`);
  }
  const gradient = functionArgument(fn, 'loss.gradient', loss.gradient);
  if (loss.value !== undefined) functionArgument(fn, 'loss.value', loss.value);
  return (pfn, f) => {
    // Copies: f is a view of the integrator's state, and neither is the function's to change.
    const g = toMatrix(pfn, 'the loss gradient', gradient(new Matrix(f.rows, f.cols, f.data.slice()), new Matrix(y.rows, y.cols, y.data.slice())));
    if (g.rows !== f.rows || g.cols !== f.cols) throw new RangeError(`${pfn}: loss.gradient returned ${shapeOf(g)} for outputs ${shapeOf(f)}`);
    if (!g.data.every(Number.isFinite)) throw new RangeError(`${pfn}: loss.gradient returned a non-finite entry`);
    return g;
  };
}

function lossValue(loss: Loss, f: Matrix, y: Matrix): number {
  if (loss === 'mse') return f.data.reduce((sum, v, i) => sum + (v - y.data[i]) ** 2, 0) / (2 * y.data.length);
  if (loss === 'crossEntropy') {
    let sum = 0;
    for (let i = 0; i < f.rows; i++) {
      const row = f.data.subarray(i * f.cols, (i + 1) * f.cols);
      const top = Math.max(...row);
      const logTotal = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
      for (let c = 0; c < f.cols; c++) sum -= y.data[i * f.cols + c] * (row[c] - logTotal);
    }
    return sum / f.rows;
  }
  return loss.value === undefined ? NaN : loss.value(f, y);
}

function softmaxRows(f: Matrix): Matrix {
  const out = new Matrix(f.rows, f.cols);
  for (let i = 0; i < f.rows; i++) {
    const row = f.data.subarray(i * f.cols, (i + 1) * f.cols);
    const top = Math.max(...row);
    let total = 0;
    for (let c = 0; c < f.cols; c++) total += out.data[i * f.cols + c] = Math.exp(row[c] - top);
    for (let c = 0; c < f.cols; c++) out.data[i * f.cols + c] /= total;
  }
  return out;
}

function rowSums(y: Matrix): Float64Array {
  return Float64Array.from({ length: y.rows }, (_, i) => y.data.subarray(i * y.cols, (i + 1) * y.cols).reduce((s, v) => s + v, 0));
}

// Dormand–Prince 5(4) (Hairer, Nørsett and Wanner, Solving ODEs I, table 5.2) for an autonomous system: the stages' weights, the
// fifth-order solution and the difference from the embedded fourth-order one (its error estimate).
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const ERROR = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

/**
 * An adaptive integrator of y′ = f(y) from `state` at time 0: each step is taken when its error estimate, measured
 * as the root mean square of error / (tolerance·(1 + max(|y|, |y_new|))), is at most 1; steps end exactly on the
 * times asked.
 */
function dormandPrince(fn: string, state: Float64Array, f: (y: Float64Array, into: Float64Array) => void, tolerance: number, maxSteps: number) {
  const size = state.length;
  const stages = Array.from({ length: 7 }, () => new Float64Array(size));
  const trial = new Float64Array(size);
  const next = new Float64Array(size);
  let time = 0;
  let steps = 0;
  let h = 0;
  f(state, stages[0]);
  const scaleOf = (a: number, b: number) => tolerance * (1 + Math.max(Math.abs(a), Math.abs(b)));
  const norm = (v: Float64Array, reference: Float64Array) => Math.sqrt(v.reduce((sum, x, i) => sum + (x / scaleOf(reference[i], reference[i])) ** 2, 0) / size);
  return {
    state,
    advanceTo(target: number) {
      if (h === 0) {
        // Hairer's starting step: 1% of the state's scale over its rate of change.
        const d0 = norm(state, state);
        const d1 = norm(stages[0], state);
        h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
      }
      while (time < target) {
        if (++steps > maxSteps)
          throw new RangeError(`${fn}: no convergence in ${maxSteps} steps at t = ${time} (tolerance ${tolerance}); raise maxSteps or tolerance`);
        const step = Math.min(h, target - time);
        for (let s = 1; s < 7; s++) {
          for (let i = 0; i < size; i++) {
            let sum = state[i];
            for (let j = 0; j < s; j++) sum += step * A[s][j] * stages[j][i];
            trial[i] = sum;
          }
          f(trial, stages[s]);
        }
        next.set(trial); // stage 7 is evaluated at the fifth-order solution (first same as last)
        let error = 0;
        for (let i = 0; i < size; i++) {
          let e = 0;
          for (let j = 0; j < 7; j++) e += ERROR[j] * stages[j][i];
          error += ((step * e) / scaleOf(state[i], next[i])) ** 2;
        }
        error = Math.sqrt(error / size);
        if (!Number.isFinite(error)) throw new RangeError(`${fn}: the outputs are no longer finite at t = ${time}; lower learningRate`);
        if (error <= 1) {
          time = step === target - time ? target : time + step;
          state.set(next);
          stages[0].set(stages[6]);
        }
        const proposed = step * Math.min(5, Math.max(0.2, 0.9 * (error === 0 ? 5 : error ** -0.2)));
        // A step cut short to land on the target says nothing against the longer one before it.
        h = error <= 1 && step < h ? Math.max(h, proposed) : proposed;
      }
    },
  };
}
