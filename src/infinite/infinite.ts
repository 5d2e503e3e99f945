// Infinite-width kernels of any model: lower it once, then every call runs the program on the backend.
import { current } from '../backend/registry.js';
import { type Program, instructionsOf } from '../core/layout.js';
import { needsPositions, opUnit } from '../ops/index.js';
import { booleanOption, checkOptions, functionArgument, requireFiniteResult, shapeOf, signalOption } from '../errors.js';
import { inRowBlocks } from './blocks.js';
import { logisticRule } from './logistic.js';
import { kernelArguments } from '../kernels/classic.js';
import { Matrix, type MatrixInput, outOption, requireNonEmpty, resultInto, toMatrix } from '../matrix.js';
import type { Layer } from '../model/layers.js';
import { type ExamplesInput, exampleRows } from '../model/inputs.js';
import { checkInputShape, lowerProgram } from '../model/program.js';
import { channelsOf, positionsOf } from '../core/shapes.js';
import { patternOption, withGraphs } from '../ops/aggregate.js';
import {
  type KernelGradients,
  type KernelGradientsOptions,
  hyperparametersOf,
  kernelGradientsOf,
  kernelGradientsOptions,
  layersWithValues,
  registerInfiniteModel,
} from './gradients.js';

/** Both infinite-width kernels. */
export interface InfiniteKernels {
  /** The NNGP kernel. */
  nngp: Matrix;
  /** The NTK. */
  ntk: Matrix;
}

/** Options of the infinite-width kernel functions: for long evaluations (large n, or CNTKs). */
export interface KernelEvaluationOptions {
  /**
   * Called about 20 times with the rows of the result done and their total: the kernel is then evaluated in
   * blocks of rows (of equal cost: the lower triangle when x2 is absent).
   */
  onProgress?: (rowsDone: number, rows: number) => void;
  /** Stops between blocks of rows when aborted: the call throws the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
  /**
   * A matrix of the result's shape to write the kernel into (and return) instead of a new one, as a
   * {@link Kernel}'s `out`: repeated evaluations reuse its memory.
   */
  out?: Matrix;
  /**
   * The graphs of the examples for a model with {@link aggregate} layers (neural-tangents' `pattern`): `[p1, p2]`, the
   * patterns of x1's and x2's examples (p2 left out when x2 is); a pattern left out is the identity graph for every example.
   */
  pattern?: readonly [unknown, unknown?];
}

/** Options of {@link InfiniteMlp.kernels}: as {@link KernelEvaluationOptions}, with a matrix to write each kernel into. */
export interface InfiniteKernelsOptions extends Omit<KernelEvaluationOptions, 'out'> {
  /** Matrices of the result's shape to write the NNGP and the NTK into (either or both). */
  out?: Partial<InfiniteKernels>;
}

/** The kernel functions of an infinite-width model. */
export interface InfiniteMlp {
  /** NNGP kernel: the covariance of the outputs at initialization (a Gaussian process). */
  nngp(x1: ExamplesInput, x2?: ExamplesInput, options?: KernelEvaluationOptions): Matrix;
  /** NTK: the fixed tangent kernel of gradient descent at infinite width. */
  ntk(x1: ExamplesInput, x2?: ExamplesInput, options?: KernelEvaluationOptions): Matrix;
  /** Both, from one pass. */
  kernels(x1: ExamplesInput, x2?: ExamplesInput, options?: InfiniteKernelsOptions): InfiniteKernels;
}

/** Options of {@link infinite}. */
export interface InfiniteOptions {
  /** The shape of one input: `[d]` for vectors, `[length, channels]` for sequences, `[height, width, channels]` for images, `[depth, height, width, channels]` for volumes. */
  inputShape: readonly number[];
  /**
   * Take the inputs as centred Gaussian pre-activations (neural-tangents' `Kernel.is_gaussian`), so that the model
   * may start with an activation. Default false.
   */
  inputIsGaussian?: boolean;
}

/** The kernels of the inputs themselves, for {@link InfiniteModel.kernelsFromCovariances} (neural-tangents' `Kernel`). */
export interface InputCovariances {
  /** Σ between the rows' and the columns' inputs (n1 × n2). */
  nngp: MatrixInput;
  /** Θ between them (n1 × n2). Default 0. */
  ntk?: MatrixInput;
  /** Each row input's variance: n1 numbers, or an n1 × n1 covariance whose diagonal is taken. */
  cov1: ArrayLike<number> | MatrixInput;
  /** Each column input's variance (n2, or n2 × n2); absent: the columns are the rows' inputs, and nngp is n1 × n1. */
  cov2?: ArrayLike<number> | MatrixInput;
}

/** The kernel functions of a model built from layers, which can also start from given input covariances. */
export interface InfiniteModel extends InfiniteMlp {
  /**
   * The NNGP and NTK of the model for inputs known only by their covariances (a model on vectors): the kernels
   * propagate from Σ = `nngp`, Θ = `ntk` and the variances `cov1`, `cov2`, as neural-tangents' `kernel_fn` does
   * from a `Kernel`. A phase diagram or a fixed-point analysis needs no inputs.
   *
   * @example
   * ```ts
   * // The correlation map of a deep tanh network: from two unit-variance inputs at correlation 0.5.
   * const deep = infinite(serial(dense(1, { wStd: 1.5, bStd: 0.05 }), tanh()), { inputShape: [1], inputIsGaussian: false });
   * const { nngp } = deep.kernelsFromCovariances({ nngp: [[1, 0.5], [0.5, 1]], cov1: [1, 1] });
   * ```
   */
  kernelsFromCovariances(covariances: InputCovariances): InfiniteKernels;
  /**
   * The NNGP and NTK after each layer of the model (each element of a top-level `serial`; a model of one layer has
   * one), on vector models: the kernels as they stand after that layer, computed in one pass through the layers
   * (each starting from the kernels before it, as {@link InfiniteModel.kernelsFromCovariances}). A top-level
   * `fanOut` must come grouped with its branches (`residual()`, or a `serial` of its own).
   *
   * @example
   * ```ts
   * const model = serial(dense(512), relu(), dense(512), relu(), dense(1));
   * for (const { layer, nngp } of infinite(model, { inputShape: [2] }).kernelsPerLayer([[1, 0], [0.6, 0.8]])) console.log(layer, nngp.get(0, 1));
   * ```
   */
  kernelsPerLayer(x1: ExamplesInput, x2?: ExamplesInput): LayerKernels[];
  /**
   * The hyperparameters of the model's layers and their values, by name: every dense and conv layer's `wStd` and `bStd`
   * (one without a bias has no bStd) and the parameters of its activations that shape the kernels (erf's, sin's and
   * cos's a, b and c; exp's and gaussian's a and b; rbf's gamma; leaky_relu's leak; ab_relu's a and b; exp_normalized's
   * gamma and shift; polynomial's coefficients up to its degree, coef0, coef1, …), named by their place,
   * `model.serial[0].wStd`, `model.serial[1].b` (a repeated layer's once, as `model.repeat.wStd`: its applications
   * share it).
   *
   * @example
   * ```ts
   * infinite(serial(dense(512, { wStd: 1.5, bStd: 0.1 }), relu(), dense(1)), { inputShape: [3] }).hyperparameters();
   * // { 'model.serial[0].wStd': 1.5, 'model.serial[0].bStd': 0.1, 'model.serial[2].wStd': 1, 'model.serial[2].bStd': 0 }
   * ```
   */
  hyperparameters(): Record<string, number>;
  /**
   * The NNGP and NTK with their exact derivatives with respect to the hyperparameters (all, or those named): forward
   * mode through every layer's kernel rule, the activations' dual maps by their partial derivatives, on models on
   * vectors. Each derivative costs a few multiply-adds per entry and layer beside the kernel; the dual maps run once.
   *
   * @throws RangeError for a model on positions, a layer with a JavaScript dual map, or a name that is not a hyperparameter.
   * @example
   * ```ts
   * const model = infinite(serial(dense(512, { wStd: 1.5, bStd: 0.1 }), relu(), dense(1, { wStd: 1.5 })), { inputShape: [2] });
   * const { nngp, gradients } = model.kernelGradients([[1, 0], [0.6, 0.8]]);
   * gradients['model.serial[0].wStd'].nngp.get(0, 1); // ∂NNGP(x₀, x₁)/∂wStd of the first layer
   * ```
   */
  kernelGradients(x1: ExamplesInput, x2?: ExamplesInput, options?: KernelGradientsOptions): KernelGradients;
  /**
   * The model with other hyperparameter values (by name, as {@link InfiniteModel.hyperparameters} lists them; the others
   * kept), and its layers as `layers`.
   *
   * @example
   * ```ts
   * const wider = infinite(serial(dense(512), relu(), dense(1)), { inputShape: [2] }).withHyperparameters({ 'model.serial[0].wStd': 2 });
   * ```
   */
  withHyperparameters(values: Record<string, number>): InfiniteModel;
  /** The model's layers, as given (or as {@link InfiniteModel.withHyperparameters} changed them). */
  readonly layers: Layer;
}

/** The kernels after one layer, from {@link InfiniteModel.kernelsPerLayer}. */
export interface LayerKernels extends InfiniteKernels {
  /** The layer's place and kind, as errors name it: `model.serial[2] (activation)`. */
  layer: string;
}

/**
 * The NNGP kernel and the NTK of `model` at infinite width, equal to neural-tangents' `kernel_fn` for the
 * same layers: dense layers in both parameterizations, every activation, layerNorm, residual branches
 * (`fanOut`, `parallel`, `fanInSum`), and on sequences, images and volumes (`inputShape` `[length, channels]`,
 * `[height, width, channels]` or `[depth, height, width, channels]`) convolutions, pooling and `flatten`: the convolutional NTK (CNTK). Each call
 * evaluates the lowered program on the active backend. `nngp` and `ntk` are also {@link Kernel}s, so
 * `new KernelRidge(infinite(model, …).ntk, { ridge })` works.
 *
 * @example A dense network with a residual branch, on vectors of 3
 * ```ts
 * const model = serial(dense(512, { wStd: 1.2, bStd: 0.1 }), residual(relu(), dense(512, { wStd: 1.5, bStd: 0.1 })), relu(), dense(1));
 * const { nngp, ntk } = infinite(model, { inputShape: [3] }).kernels([[1, 2, 3], [0.5, -1, 0]]);
 * ```
 *
 * @example A convolutional network on 8 × 8 grey images (the CNTK), one flat row per image, channels last
 * ```ts
 * const images = randomMatrix(3, 8 * 8 * 1, { seed: 0 });
 * const cnn = serial(
 *   conv(64, [3, 3], { padding: 'SAME' }), relu(),
 *   conv(64, [3, 3], { padding: 'SAME' }), relu(),
 *   globalAvgPool(), dense(1),
 * );
 * const cntk = infinite(cnn, { inputShape: [8, 8, 1] });
 * const { nngp, ntk } = cntk.kernels(images); // 3 × 3 each
 * const across = cntk.ntk(randomMatrix(2, 8 * 8 * 1, { seed: 1 }), images); // 2 × 3: two new images against these
 * ```
 */
export function infinite(model: Layer, options: InfiniteOptions): InfiniteModel {
  const fn = 'infinite';
  if (options === undefined) throw new TypeError(`${fn}: options with inputShape are required`);
  const opts = checkOptions(fn, options, ['inputShape', 'inputIsGaussian']);
  const inputIsGaussian = booleanOption(fn, 'inputIsGaussian', opts.inputIsGaussian, false);
  const inputShape = checkInputShape(fn, opts.inputShape);
  if (model === null || typeof model !== 'object' || typeof (model as { kind?: unknown }).kind !== 'string') {
    throw new TypeError(`${fn}: model must be a layer (dense(), serial(), …)`);
  }
  const program = lowerProgram(fn, model, inputShape, true, inputIsGaussian);
  requirePairStateFits(fn, program);
  const features = inputShape.reduce((p, v) => p * v, 1);
  const kernels = programKernels(
    fn,
    (d) => {
      if (d !== features)
        throw new RangeError(
          `${fn}: the inputs have ${d} features but inputShape is [${inputShape.join(', ')}]${inputShape.length > 1 ? ` (${features} per row)` : ''}`,
        );
      return program;
    },
    inputShape,
  );
  const built: InfiniteModel = {
    ...kernels,
    kernelsFromCovariances: (covariances) => fromCovariances(program, covariances),
    kernelsPerLayer: (x1, x2) => perLayer(program, model, inputShape, inputIsGaussian, x1, x2),
    hyperparameters: () => hyperparametersOf(program),
    kernelGradients(x1, x2, options) {
      const gradientsFn = 'kernelGradients';
      const request = kernelGradientsOptions(gradientsFn, program, options);
      const { m1, m2 } = kernelArguments(
        gradientsFn,
        exampleRows(gradientsFn, 'x1', x1, inputShape),
        x2 === undefined ? undefined : exampleRows(gradientsFn, 'x2', x2, inputShape),
      );
      if (m1.cols !== features) throw new RangeError(`${gradientsFn}: the inputs have ${m1.cols} features but inputShape is [${inputShape.join(', ')}]`);
      // The examples' rows followed by their graphs, for models with aggregate layers.
      const [pattern1, pattern2] = patternOption(gradientsFn, program, request.pattern, x2 !== undefined);
      const graphs2 = m2 === null ? null : withGraphs(gradientsFn, 'pattern[1]', program, m2, pattern2);
      return kernelGradientsOf(gradientsFn, program, withGraphs(gradientsFn, 'pattern[0]', program, m1, pattern1), graphs2, request);
    },
    withHyperparameters: (values) => infinite(layersWithValues('withHyperparameters', model, program, values), { inputShape, inputIsGaussian }),
    layers: model,
  };
  return registerInfiniteModel(built, { program, inputShape, withHyperparameters: built.withHyperparameters });
}

/**
 * The kernels after each top-level layer: the rows of x1 and x2 in one symmetric pass (so that every input's
 * variances come along), each layer's program starting from the kernels the one before left; the x1 × x2 block of
 * each.
 */
function perLayer(
  whole: Program,
  model: Layer,
  inputShape: readonly number[],
  inputIsGaussian: boolean,
  x1: ExamplesInput,
  x2: ExamplesInput | undefined,
): LayerKernels[] {
  const fn = 'kernelsPerLayer';
  if (needsPositions(whole)) throw new RangeError(`${fn}: the model works on positions; the kernels per layer are for models on vectors`);
  const { m1, m2 } = kernelArguments(fn, exampleRows(fn, 'x1', x1, inputShape), x2 === undefined ? undefined : exampleRows(fn, 'x2', x2, inputShape));
  const joint = m2 === null ? m1 : new Matrix(m1.rows + m2.rows, m1.cols);
  if (m2 !== null) {
    joint.data.set(m1.data);
    joint.data.set(m2.data, m1.data.length);
  }
  const total = joint.rows;
  const layers = model.kind === 'serial' ? model.layers : [model];
  const rule = logisticRule();
  let [shape, gaussian] = [inputShape, inputIsGaussian];
  let state: { nngp: Float64Array; ntk: Float64Array } | undefined;
  return layers.map((layer, i) => {
    const where = model.kind === 'serial' ? `model.serial[${i}] (${layer.kind})` : `model (${layer.kind})`;
    const program = lowerProgram(fn, layer, shape, true, gaussian);
    const result =
      state === undefined
        ? current().infinite(fn, program, rule, joint.data, total, null, total, joint.cols)
        : current().infiniteFromKernels(fn, program, rule, {
            sigma: state.nngp,
            theta: state.ntk,
            q1: Float64Array.from({ length: total }, (_, r) => state!.nngp[r * total + r]),
            q2: null,
            n1: total,
            n2: total,
          });
    if (!result.finite) {
      const hint = 'the inputs or the weight variance are too large for float64 at this depth';
      requireFiniteResult(fn, `the NNGP after ${where}`, result.nngp, total, hint);
      requireFiniteResult(fn, `the NTK after ${where}`, result.ntk, total, hint);
    }
    state = result;
    [shape, gaussian] = [[channelsOf(program, program.output)], program.outputGaussian];
    const block = (data: Float64Array) =>
      m2 === null
        ? new Matrix(total, total, data.slice())
        : new Matrix(
            m1.rows,
            m2.rows,
            Float64Array.from({ length: m1.rows * m2.rows }, (_, e) => data[Math.floor(e / m2.rows) * total + m1.rows + (e % m2.rows)]),
          );
    return { layer: where, nngp: block(result.nngp), ntk: block(result.ntk) };
  });
}

/** The kernels of a program on vectors from its inputs' covariances, checked: shapes, finiteness, |Σᵢⱼ| ≤ √(qᵢqⱼ). */
function fromCovariances(program: Program, covariances: InputCovariances): InfiniteKernels {
  const fn = 'kernelsFromCovariances';
  if (needsPositions(program)) {
    throw new RangeError(`${fn}: the model works on positions; covariances between every pair of positions are not taken, only models on vectors`);
  }
  const given = checkOptions(fn, covariances, ['nngp', 'ntk', 'cov1', 'cov2']);
  if (given.nngp === undefined || given.cov1 === undefined) throw new TypeError(`${fn}: nngp and cov1 are required`);
  const sigma = toMatrix(fn, 'nngp', given.nngp);
  requireNonEmpty(fn, 'nngp', sigma);
  const [n1, n2] = [sigma.rows, sigma.cols];
  const symmetric = given.cov2 === undefined;
  if (symmetric && n1 !== n2) throw new RangeError(`${fn}: without cov2 the columns are the rows' inputs, but nngp is ${shapeOf(sigma)}`);
  const theta = given.ntk === undefined ? null : toMatrix(fn, 'ntk', given.ntk);
  if (theta && (theta.rows !== n1 || theta.cols !== n2)) throw new RangeError(`${fn}: ntk is ${shapeOf(theta)} but nngp is ${shapeOf(sigma)}`);
  const q1 = variancesOf(fn, 'cov1', given.cov1, n1);
  const q2 = symmetric ? null : variancesOf(fn, 'cov2', given.cov2, n2);
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < (symmetric ? i + 1 : n2); j++) {
      const c = sigma.data[i * n2 + j];
      const bound = Math.sqrt(q1[i] * (q2 ?? q1)[j]);
      if (!Number.isFinite(c) || Math.abs(c) > bound * (1 + 1e-12)) {
        throw new RangeError(
          `${fn}: nngp[${i}][${j}] = ${c} is not within ±√(cov1[${i}]·${symmetric ? 'cov1' : 'cov2'}[${j}]) = ±${bound}: no Gaussian inputs have it`,
        );
      }
      if (theta && !Number.isFinite(theta.data[i * n2 + j])) throw new RangeError(`${fn}: ntk[${i}][${j}] is ${theta.data[i * n2 + j]}`);
    }
  }
  const result = current().infiniteFromKernels(fn, program, logisticRule(), { sigma: sigma.data, theta: theta?.data ?? null, q1, q2, n1, n2 });
  if (!result.finite) {
    const hint = 'the variances or the weight variance are too large for float64 at this depth';
    requireFiniteResult(fn, 'the NNGP', result.nngp, n2, hint);
    requireFiniteResult(fn, 'the NTK', result.ntk, n2, hint);
  }
  return { nngp: new Matrix(n1, n2, result.nngp), ntk: new Matrix(n1, n2, result.ntk) };
}

/** n variances, finite and ≥ 0: given as n numbers, or the diagonal of an n × n covariance. */
function variancesOf(fn: string, name: string, value: unknown, n: number): Float64Array {
  const asMatrix = Array.isArray(value) && Array.isArray(value[0]) ? toMatrix(fn, name, value as MatrixInput) : value instanceof Matrix ? value : null;
  if (asMatrix && (asMatrix.rows !== n || asMatrix.cols !== n))
    throw new RangeError(`${fn}: ${name} is ${shapeOf(asMatrix)} but the kernel needs ${n} variances`);
  const values = asMatrix ? Float64Array.from({ length: n }, (_, i) => asMatrix.data[i * n + i]) : Float64Array.from(value as ArrayLike<number>);
  if (values.length !== n) throw new RangeError(`${fn}: ${name} has ${values.length} variances but the kernel needs ${n}`);
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${fn}: ${name}[${i}] is ${v}; variances are finite and ≥ 0`);
  });
  return values;
}

/** Whether some op's kernel tells a pair that is one input twice apart from two equal inputs (dropout). */
const selfPairs = (program: Program) => instructionsOf(program).some((ins) => opUnit(ins.op, 'infinite').selfPairs === true);

/** Whether two matrices hold the same entries. */
const sameEntries = (a: Matrix, b: Matrix) => a.rows === b.rows && a.cols === b.cols && a.data.every((v, i) => v === b.data[i]);

// The per-pair state one thread keeps for a spatial model (every storage slot, and the scratch of windowed
// ops), at most this many bytes: a quarter of wasm32 memory, so both threads fit beside the inputs.
const MAX_PAIR_STATE_BYTES = 2 ** 30;

/**
 * Refuses, before any work, a spatial model whose covariance for one pair of inputs cannot be held: with
 * pooling after the convolutions the state of a pair is S² entries per value (S positions).
 */
function requirePairStateFits(fn: string, program: Program): void {
  let largest = 1;
  for (let v = 0; v < program.values; v++) largest = Math.max(largest, positionsOf(program, v) ** (program.fullSpatial[v] ? 2 : 1));
  const bytes = 16 * (Math.max(...program.slots) + 3) * largest;
  if (bytes > MAX_PAIR_STATE_BYTES) {
    const side = Math.round(Math.sqrt(largest));
    throw new RangeError(
      `${fn}: the kernel of one pair of inputs needs the covariance of every pair of positions (${side}² = ${largest} entries ` +
        `per value, ${(bytes / 2 ** 30).toFixed(1)} GiB per thread); at most 1 GiB fits. Average-pool the inputs or stride the first convolution, ` +
        'or read out with flatten(), which needs the same-position entries only',
    );
  }
}

/**
 * @internal The kernel functions of the program `lower(d)` gives for inputs of d features (it may throw
 * when d does not fit the model).
 */
export function programKernels(fn: string, lower: (d: number) => Program, inputShape?: readonly number[]): InfiniteMlp {
  const rows = (name: string, x: ExamplesInput | undefined) =>
    x === undefined ? x : inputShape === undefined ? (x as MatrixInput) : exampleRows(fn, name, x, inputShape);
  const kernels = (x1: ExamplesInput, x2: ExamplesInput | undefined, options: InfiniteKernelsOptions | undefined): InfiniteKernels => {
    const opts = checkOptions(fn, options, ['onProgress', 'signal', 'out', 'pattern']);
    const onProgress = opts.onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', opts.onProgress);
    const signal = signalOption(fn, opts.signal);
    const given2 = kernelArguments(fn, rows('x1', x1)!, rows('x2', x2));
    const program = lower(given2.m1.cols);
    // The examples' rows followed by their graphs, for models with aggregate layers.
    const [pattern1, pattern2] = patternOption(fn, program, opts.pattern, x2 !== undefined);
    const m1 = withGraphs(fn, 'pattern[0]', program, given2.m1, pattern1);
    const withSecond = given2.m2 === null ? null : withGraphs(fn, 'pattern[1]', program, given2.m2, pattern2);
    // As neural-tangents (x1_is_x2), x2 equal to x1 is x1 itself for ops whose kernel tells one input twice apart.
    const m2 = withSecond !== null && selfPairs(program) && sameEntries(m1, withSecond) ? null : withSecond;
    const n1 = m1.rows;
    const n2 = m2?.rows ?? n1;
    const given = checkOptions(fn, opts.out, ['nngp', 'ntk']);
    const out = {
      nngp: outOption(fn, given.nngp, n1, n2, [m1, m2], 'out.nngp'),
      ntk: outOption(fn, given.ntk, n1, n2, [m1, m2, given.nngp ?? null], 'out.ntk'),
    };
    const d = m1.cols;
    const rule = logisticRule();
    // Rows [r0, r1) of x1 against `columns` rows of x2 (null: x1 itself, symmetric).
    const evaluate = (r0: number, r1: number, second: Float64Array | null, columns: number, into?: { nngp: Float64Array; ntk: Float64Array }) =>
      current().infinite(fn, program, rule, m1.data.subarray(r0 * d, r1 * d), r1 - r0, second, columns, d, into);
    let result: { nngp: Float64Array; ntk: Float64Array; finite: boolean };
    if (onProgress === undefined && signal === undefined) {
      const into =
        out.nngp === undefined && out.ntk === undefined
          ? undefined
          : { nngp: out.nngp?.data ?? new Float64Array(n1 * n2), ntk: out.ntk?.data ?? new Float64Array(n1 * n2) };
      result = evaluate(0, n1, m2?.data ?? null, n2, into);
    } else {
      const blocks = inRowBlocks(
        n1,
        n2,
        m2 === null,
        2,
        (r0, r1, c0, columns, self) => {
          const block = evaluate(r0, r1, self ? null : (m2 ?? m1).data.subarray(c0 * d, (c0 + columns) * d), columns);
          return { results: [block.nngp, block.ntk], finite: block.finite };
        },
        onProgress,
        signal,
      );
      result = { nngp: blocks.results[0], ntk: blocks.results[1], finite: blocks.finite };
    }
    if (!result.finite) {
      const hint = 'the inputs or the weight variance are too large for float64 at this depth';
      requireFiniteResult(fn, 'the NNGP', result.nngp, n2, hint);
      requireFiniteResult(fn, 'the NTK', result.ntk, n2, hint);
    }
    return { nngp: resultInto(out.nngp, n1, n2, result.nngp), ntk: resultInto(out.ntk, n1, n2, result.ntk) };
  };
  // One kernel's `out` is the kernels' out for it.
  const single = (which: 'nngp' | 'ntk') => (x1: ExamplesInput, x2?: ExamplesInput, options?: KernelEvaluationOptions) => {
    const { out, ...rest } = checkOptions(fn, options, ['onProgress', 'signal', 'out', 'pattern']);
    return kernels(x1, x2, { ...rest, ...(out === undefined ? {} : { out: { [which]: out } }) })[which];
  };
  return { nngp: single('nngp'), ntk: single('ntk'), kernels };
}
