// Hyperparameters chosen by the data: the Gaussian-process log marginal likelihood of the targets under a kernel plus
// white noise, maximized by L-BFGS on log scales with its exact gradient (the kernel's hyperparameter derivatives, from
// src/infinite/gradients.ts for infinite-width models, in closed form for the RBF kernel), as scikit-learn's
// GaussianProcessRegressor does for its kernels.
import { current } from '../backend/registry.js';
import { minimize } from '../core/lbfgs.js';
import { type Program } from '../core/layout.js';
import { checkOptions, enumOption, functionArgument, numberOption, requireFiniteResult, signalOption } from '../errors.js';
import { type Kernel, kernelArguments, rbfKernel, rbfLengthscaleOf } from '../kernels/classic.js';
import { spdInverseInto } from '../linalg.js';
import { Matrix, type MatrixInput, toMatrix } from '../matrix.js';
import { type ExamplesInput, exampleRows } from '../model/inputs.js';
import { withGraphs } from '../ops/aggregate.js';
import { directionsOf, hyperparameterNames, infiniteModelParts, requireDifferentiable, withValues } from './gradients.js';
import type { InfiniteModel } from './infinite.js';
import { logisticRule } from './logistic.js';

/** Options of {@link fitHyperparameters}. */
export interface FitHyperparametersOptions {
  /**
   * The hyperparameters to fit, by name: of an infinite model, as its `hyperparameters()` lists them (default: every one
   * above 0, the fit working on log scales), an array of names standing for one value they share (every layer's wStd,
   * say; they must start equal); of an RBF kernel, 'lengthscale' (the default).
   */
  hyperparameters?: readonly (string | readonly string[])[];
  /** The noise variance added to the kernel's diagonal (scikit-learn's `WhiteKernel` noise_level): its starting value. Default 1. */
  noise?: number;
  /** Fit the noise too (default true); false keeps it at `noise`. */
  fitNoise?: boolean;
  /** Of an infinite model, the kernel that is the process's covariance: 'nngp' (default, the network at initialization) or 'ntk'. */
  kernel?: 'nngp' | 'ntk';
  /** The graphs of x's examples for a model with {@link aggregate} layers (as the kernels' `pattern[0]`). */
  pattern?: unknown;
  /** L-BFGS iterations at most. Default 200. */
  maxIterations?: number;
  /** Stop when every component of the gradient on log scales is at most this. Default 1e-5 (scipy's L-BFGS-B pgtol). */
  tolerance?: number;
  /** Stop when an iteration raises the log likelihood by at most this fraction of it. Default 2.2e-9 (scipy's factr·ε). */
  relativeTolerance?: number;
  /** Called after each iteration with its number and the log marginal likelihood reached. */
  onProgress?: (iteration: number, logMarginalLikelihood: number) => void;
  /** Stops between iterations when aborted: the call throws the signal's reason. */
  signal?: AbortSignal;
}

/** The fitted hyperparameters, from {@link fitHyperparameters}. */
export interface FitResult {
  /** The fitted values by name (the hyperparameters not fitted are not listed). */
  hyperparameters: Record<string, number>;
  /** The noise variance. */
  noise: number;
  /** log p(y | x) at the optimum (summed over the columns of y). */
  logMarginalLikelihood: number;
  /** L-BFGS iterations. */
  iterations: number;
  /** Evaluations of the likelihood and its gradient (each a kernel with its derivatives and an n × n inverse). */
  evaluations: number;
  /** Whether the gradient reached the tolerance. */
  converged: boolean;
  /** The model with the fitted values (for an infinite model). */
  model?: InfiniteModel;
  /** The kernel with the fitted values (for an RBF kernel). */
  kernel?: Kernel;
}

/**
 * log p(y) of y (n × k) under N(0, K), and W = α·αᵀ − k·K⁻¹ (α = K⁻¹y) for its gradient ½·Σ W∘∂K, in arrays kept
 * across evaluations (fresh memory is slow to touch, and each is n²).
 */
function marginalLikelihood(fn: string, n: number, y: Matrix) {
  const k = y.cols;
  const identity = new Float64Array(n * n);
  for (let i = 0; i < n; i++) identity[i * n + i] = 1;
  const weights = new Float64Array(n * n);
  const alpha = new Float64Array(n * k);
  return (kernel: Float64Array): { value: number; weights: Float64Array } => {
    const logDeterminant = spdInverseInto(fn, 'the kernel matrix plus the noise', kernel, n, y.data, k, identity, weights, alpha);
    let fit = 0;
    for (let e = 0; e < n * k; e++) fit += y.data[e] * alpha[e];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let outer = 0;
        for (let c = 0; c < k; c++) outer += alpha[i * k + c] * alpha[j * k + c];
        weights[i * n + j] = outer - k * weights[i * n + j];
      }
    }
    return { value: -0.5 * fit - 0.5 * k * logDeterminant - 0.5 * n * k * Math.log(2 * Math.PI), weights };
  };
}

/** ½·Σᵢⱼ Wᵢⱼ·Dᵢⱼ: the derivative of log p(y) along a change D of the kernel matrix. */
function contract(weights: Float64Array, derivative: Float64Array): number {
  let sum = 0;
  for (let e = 0; e < weights.length; e++) sum += weights[e] * derivative[e];
  return 0.5 * sum;
}

/**
 * Fits the hyperparameters of an infinite-width model (every dense layer's `wStd` and `bStd`) or of an RBF kernel
 * (its length scale), and a white noise variance, by maximizing the Gaussian-process log marginal likelihood of the
 * targets: log p(y | x) = −½·yᵀ(K + σ²I)⁻¹y − ½·log det(K + σ²I) − (n/2)·log 2π per column of y, with K the NNGP (or
 * NTK) of the model or the RBF kernel matrix. L-BFGS works on the logarithms of the values with the exact gradient
 * ½·tr((ααᵀ − (K + σ²I)⁻¹)·∂K/∂θ), the kernels' derivatives from {@link InfiniteModel.kernelGradients}; for the RBF
 * kernel it finds scikit-learn's `GaussianProcessRegressor(RBF() + WhiteKernel())` optimum from the same start. Each
 * evaluation costs the kernel with its derivatives and about n³ flops of triangular solves (K⁻¹).
 *
 * @throws RangeError for y whose rows are not x's, a name that is not a hyperparameter (or is 0, which no log scale
 * reaches), a starting noise that is not above 0, or a likelihood that is not finite.
 * @example
 * ```ts
 * const x = randomMatrix(40, 2, { seed: 0 });
 * const y = new Matrix(40, 1, x.data.filter((_, i) => i % 2 === 0).map((v) => Math.sin(3 * v)));
 * const model = infinite(serial(dense(512, { wStd: 1.5, bStd: 0.1 }), relu(), dense(1, { wStd: 1.5, bStd: 0.1 })), { inputShape: [2] });
 * const fit = fitHyperparameters(model, x, y, { noise: 0.1 });
 * fit.hyperparameters; // { 'model.serial[0].wStd': …, 'model.serial[0].bStd': …, … }
 * fit.model!.nngp(x);  // the kernel with the fitted values
 * ```
 */
export function fitHyperparameters(target: InfiniteModel | Kernel, x: ExamplesInput, y: MatrixInput, options: FitHyperparametersOptions = {}): FitResult {
  const fn = 'fitHyperparameters';
  const opts = checkOptions(fn, options, [
    'hyperparameters',
    'noise',
    'fitNoise',
    'kernel',
    'pattern',
    'maxIterations',
    'tolerance',
    'relativeTolerance',
    'onProgress',
    'signal',
  ]);
  const fitNoise = opts.fitNoise === undefined ? true : opts.fitNoise;
  if (typeof fitNoise !== 'boolean') throw new TypeError(`${fn}: fitNoise must be a boolean, got ${JSON.stringify(fitNoise)}`);
  const maxIterations = numberOption(fn, 'maxIterations', opts.maxIterations, 200, { integer: true, min: 1 });
  const tolerance = numberOption(fn, 'tolerance', opts.tolerance, 1e-5, { above: 0 });
  const relativeTolerance = numberOption(fn, 'relativeTolerance', opts.relativeTolerance, 2.2e-9, { min: 0 });
  const onProgress = opts.onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', opts.onProgress);
  const signal = signalOption(fn, opts.signal);
  const objective = gpObjective(fn, target, x, y, opts, true);
  const { names, noise } = objective;
  for (const group of names) {
    const start = objective.start[names.indexOf(group)];
    if (!(start > 0)) {
      throw new RangeError(`${fn}: ${group[0]} is ${start}; the fit works on log scales, so start it above 0 (withHyperparameters) or leave it out`);
    }
  }
  // −log p(y) on η = log(values) (the noise last, when fitted): d/dη = value·d/dθ.
  const evaluate = (eta: Float64Array) => {
    const values = eta.subarray(0, names.length).map(Math.exp);
    const noiseValue = fitNoise ? Math.exp(eta[names.length]) : noise;
    const { value, gradient, noiseGradient } = objective.at(values, noiseValue);
    const etaGradient = new Float64Array(eta.length);
    gradient.forEach((g, h) => (etaGradient[h] = -values[h] * g));
    if (fitNoise) etaGradient[names.length] = -noiseValue * noiseGradient;
    return { value: -value, gradient: etaGradient };
  };
  const start = Float64Array.from([...objective.start, ...(fitNoise ? [noise] : [])], Math.log);
  const result = minimize(evaluate, start, {
    maxIterations,
    tolerance,
    relativeTolerance,
    onIteration(iteration, value) {
      signal?.throwIfAborted();
      onProgress?.(iteration, -value);
    },
  });
  const fitted = objective.valuesAt(result.x.map(Math.exp));
  return {
    hyperparameters: fitted,
    noise: fitNoise ? Math.exp(result.x[names.length]) : noise,
    logMarginalLikelihood: -result.value,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
    ...objective.fitted(fitted),
  };
}

/** Options of {@link logMarginalLikelihood}. */
export interface LogMarginalLikelihoodOptions {
  /** The noise variance added to the kernel's diagonal. Default 1. */
  noise?: number;
  /** Of an infinite model, 'nngp' (default) or 'ntk'. */
  kernel?: 'nngp' | 'ntk';
  /** The graphs of x's examples for a model with {@link aggregate} layers (as the kernels' `pattern[0]`). */
  pattern?: unknown;
}

/** The log marginal likelihood with its gradient, from {@link logMarginalLikelihood}. */
export interface LogMarginalLikelihood {
  /** log p(y | x), summed over the columns of y. */
  value: number;
  /** ∂ log p/∂θ for every hyperparameter, by name (an infinite model's, as its hyperparameters() lists them; an RBF kernel's lengthscale). */
  gradient: Record<string, number>;
  /** ∂ log p/∂σ² for the noise variance. */
  noise: number;
}

/**
 * The Gaussian-process log marginal likelihood of targets y at inputs x under an infinite-width model's NNGP (or NTK) or
 * an RBF kernel, plus white noise of variance `noise`, with its exact gradient with respect to every hyperparameter and
 * the noise: what {@link fitHyperparameters} maximizes, at the values the model or kernel has.
 *
 * @example
 * ```ts
 * const model = infinite(serial(dense(512, { wStd: 1.5, bStd: 0.1 }), relu(), dense(1)), { inputShape: [1] });
 * const { value, gradient } = logMarginalLikelihood(model, [[-1], [0], [1]], [[0.5], [0], [0.5]], { noise: 0.01 });
 * gradient['model.serial[0].wStd']; // ∂ log p/∂wStd of the first layer
 * ```
 */
export function logMarginalLikelihood(
  target: InfiniteModel | Kernel,
  x: ExamplesInput,
  y: MatrixInput,
  options: LogMarginalLikelihoodOptions = {},
): LogMarginalLikelihood {
  const fn = 'logMarginalLikelihood';
  const opts = checkOptions(fn, options, ['noise', 'kernel', 'pattern']);
  const objective = gpObjective(fn, target, x, y, opts, false);
  const { value, gradient, noiseGradient } = objective.at(objective.start, objective.noise);
  return { value, gradient: objective.valuesAt(gradient), noise: noiseGradient };
}

/**
 * The log marginal likelihood of y under `target` as a function of its hyperparameters (groups of names sharing a value;
 * `positive`: those above 0 by default, for a log scale) and the noise, checked: `at` gives the value and its gradient.
 */
function gpObjective(
  fn: string,
  target: InfiniteModel | Kernel,
  x: ExamplesInput,
  y: MatrixInput,
  opts: { hyperparameters?: FitHyperparametersOptions['hyperparameters']; noise?: number; kernel?: 'nngp' | 'ntk'; pattern?: unknown },
  positive: boolean,
) {
  const noise = numberOption(fn, 'noise', opts.noise, 1, { above: 0 });
  const parts = typeof target === 'object' && target !== null ? infiniteModelParts(target) : undefined;
  const lengthscale = typeof target === 'function' ? rbfLengthscaleOf(target) : null;
  if (parts === undefined && lengthscale === null) {
    throw new TypeError(`${fn}: the target must be an infinite-width model (infinite(…)) or an RBF kernel (rbfKernel(…))`);
  }
  const rows = parts === undefined ? (x as MatrixInput) : exampleRows(fn, 'x', x, parts.inputShape);
  let { m1: mx } = kernelArguments(fn, rows, undefined);
  const my = toMatrix(fn, 'y', y);
  if (my.rows !== mx.rows) throw new RangeError(`${fn}: x has ${mx.rows} rows but y is ${my.rows}x${my.cols}; y needs one row per example`);
  if (my.cols === 0) throw new RangeError(`${fn}: y has no columns`);
  requireFiniteResult(fn, 'y', my.data, my.cols, 'the targets must be finite');
  const n = mx.rows;
  let names: string[][];
  let start: Float64Array;
  let kernelAt: (values: Float64Array) => { kernel: Float64Array; derivatives: Float64Array[] };
  let fitted: (values: Record<string, number>) => { model: InfiniteModel } | { kernel: Kernel };
  if (parts !== undefined) {
    const { program, inputShape } = parts;
    if (mx.cols !== inputShape.reduce((p, v) => p * v, 1)) {
      throw new RangeError(`${fn}: x has ${mx.cols} features but inputShape is [${inputShape.join(', ')}]`);
    }
    requireDifferentiable(fn, program);
    // The examples' rows followed by their graphs, for models with aggregate layers.
    if (opts.pattern !== undefined && program.graph === null) throw new RangeError(`${fn}: pattern is given but the model has no aggregate layer to read it`);
    mx = withGraphs(fn, 'pattern', program, mx, opts.pattern);
    const valueOf = (name: string) => program.hyperparameters.find((h) => h.name === name)!.value;
    const all = [...new Set(program.hyperparameters.filter(({ value }) => !positive || value > 0).map(({ name }) => name))];
    names = opts.hyperparameters === undefined ? all.map((name) => [name]) : groupsOption(fn, program, opts.hyperparameters);
    for (const group of names) {
      for (const name of group) {
        if (valueOf(name) !== valueOf(group[0])) {
          throw new RangeError(
            `${fn}: ${group[0]} (${valueOf(group[0])}) and ${name} (${valueOf(name)}) share one value in the fit but start apart; start them equal`,
          );
        }
      }
    }
    const which = enumOption<'nngp' | 'ntk'>(fn, 'kernel', opts.kernel, ['nngp', 'ntk'], 'nngp');
    start = Float64Array.from(names, (group) => valueOf(group[0]));
    kernelAt = modelKernels(fn, program, mx, names, which);
    fitted = (values) => ({ model: parts.withHyperparameters(values) });
  } else {
    if (opts.kernel !== undefined) throw new TypeError(`${fn}: kernel applies to an infinite-width model`);
    if (opts.pattern !== undefined) throw new TypeError(`${fn}: pattern applies to an infinite-width model with aggregate layers`);
    const given = opts.hyperparameters ?? ['lengthscale'];
    if (given.length !== 1 || given[0] !== 'lengthscale') {
      throw new RangeError(`${fn}: an RBF kernel has one hyperparameter, 'lengthscale'; got ${JSON.stringify(given)}`);
    }
    names = [['lengthscale']];
    start = Float64Array.of(lengthscale!);
    kernelAt = rbfKernels(mx);
    fitted = (values) => ({ kernel: rbfKernel({ lengthscale: values.lengthscale }) });
  }
  const marginal = marginalLikelihood(fn, n, my);
  const valuesAt = (values: Float64Array) => Object.fromEntries(names.flatMap((group, h) => group.map((name) => [name, values[h]])));
  return {
    names,
    start,
    noise,
    valuesAt,
    fitted,
    /** log p(y), its gradient in the values of the groups, and in the noise variance. */
    at(values: Float64Array, noiseValue: number) {
      const { kernel, derivatives } = kernelAt(values);
      for (let i = 0; i < n; i++) kernel[i * n + i] += noiseValue;
      const { value, weights } = marginal(kernel);
      const gradient = Float64Array.from(derivatives, (derivative) => contract(weights, derivative));
      let trace = 0;
      for (let i = 0; i < n; i++) trace += weights[i * n + i];
      const noiseGradient = 0.5 * trace;
      if (!Number.isFinite(value) || !gradient.every(Number.isFinite) || !Number.isFinite(noiseGradient)) {
        throw new RangeError(`${fn}: the log marginal likelihood is not finite at ${JSON.stringify(valuesAt(values))}, noise ${noiseValue}`);
      }
      return { value, gradient, noiseGradient };
    },
  };
}

/** The hyperparameters option: names, or arrays of names that share a value; each a hyperparameter, none twice. */
function groupsOption(fn: string, program: Program, given: unknown): string[][] {
  if (!Array.isArray(given) || given.length === 0)
    throw new TypeError(`${fn}: hyperparameters must be a non-empty array of names (or of arrays of names), got ${JSON.stringify(given)}`);
  const groups = given.map((entry: unknown) => (typeof entry === 'string' ? [entry] : entry)) as unknown[];
  hyperparameterNames(fn, program, groups.flat());
  return groups.map((group) => {
    if (!Array.isArray(group) || group.length === 0)
      throw new TypeError(`${fn}: a group of hyperparameters must be a non-empty array of names, got ${JSON.stringify(group)}`);
    return group as string[];
  });
}

/** The NNGP (or NTK) of a program on x at given values of the groups of names, with its derivatives, in reused arrays. */
function modelKernels(fn: string, program: Program, x: Matrix, names: readonly string[][], which: 'nngp' | 'ntk') {
  const [n, d] = [x.rows, x.cols];
  const kernels = { nngp: new Float64Array(n * n), ntk: new Float64Array(n * n) };
  const derivatives = names.map(() => new Float64Array(n * n));
  // The kernel plus the noise, written over by the marginal likelihood's caller each time.
  const work = new Float64Array(n * n);
  const out = { ...kernels, dNngp: which === 'nngp' ? derivatives : null, dNtk: which === 'ntk' ? derivatives : null };
  return (values: Float64Array) => {
    const at = withValues(program, Object.fromEntries(names.flatMap((group, h) => group.map((name) => [name, values[h]]))));
    const result = current().infiniteGradients(fn, at, logisticRule(), x.data, n, null, n, d, directionsOf(at, names), out);
    if (!result.finite) throw new RangeError(`${fn}: the kernel or its derivatives overflow at these hyperparameters`);
    work.set(kernels[which]);
    return { kernel: work, derivatives };
  };
}

/** The RBF kernel matrix of x at a length scale ℓ, with ∂K/∂ℓ = K·‖xᵢ − xⱼ‖²/ℓ³. */
function rbfKernels(x: Matrix) {
  const [n, d] = [x.rows, x.cols];
  const distances = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += (x.data[i * d + p] - x.data[j * d + p]) ** 2;
      distances[i * n + j] = distances[j * n + i] = s;
    }
  }
  return (values: Float64Array) => {
    const l = values[0];
    const kernel = distances.map((s) => Math.exp(-s / (2 * l * l)));
    const derivative = kernel.map((k, e) => (k * distances[e]) / (l * l * l));
    return { kernel, derivatives: [derivative] };
  };
}
