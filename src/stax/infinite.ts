// Infinite-width kernels of any model: lower it once, then every call runs the program on the backend.
import { current } from '../backend/registry.js';
import type { Program } from '../backend/types.js';
import { checkOptions, requireFiniteResult } from '../errors.js';
import { logisticRule } from '../infinite/logistic.js';
import type { InfiniteKernels, InfiniteMlp } from '../infinite/mlp.js';
import { kernelArguments } from '../kernels/classic.js';
import { Matrix, type MatrixInput } from '../matrix.js';
import type { Layer } from './layers.js';
import { type ExamplesInput, exampleRows } from './inputs.js';
import { checkInputShape, lowerProgram } from './program.js';

/** Options of {@link infinite}. */
export interface InfiniteOptions {
  /** The shape of one input: `[d]` for vectors, `[length, channels]` for sequences, `[height, width, channels]` for images. */
  inputShape: readonly number[];
}

/**
 * The NNGP kernel and the NTK of `model` at infinite width, equal to neural-tangents' `kernel_fn` for the
 * same layers: dense layers in both parameterizations, every activation, layerNorm, and residual branches
 * (`fanOut`, `parallel`, `fanInSum`). Each call evaluates the lowered program on the active backend.
 * `nngp` and `ntk` are also {@link Kernel}s, so `new KernelRidge(infinite(model, …).ntk, { ridge })` works.
 *
 * @example
 * ```ts
 * const model = serial(dense(512, { wStd: 1.2, bStd: 0.1 }), residual(relu(), dense(512, { wStd: 1.5, bStd: 0.1 })), relu(), dense(1));
 * const { nngp, ntk } = infinite(model, { inputShape: [3] }).kernels([[1, 2, 3], [0.5, -1, 0]]);
 * ```
 */
export function infinite(model: Layer, options: InfiniteOptions): InfiniteMlp {
  const fn = 'infinite';
  if (options === undefined) throw new TypeError(`${fn}: options with inputShape are required`);
  const opts = checkOptions(fn, options, ['inputShape']);
  const inputShape = checkInputShape(fn, opts.inputShape);
  if (model === null || typeof model !== 'object' || typeof (model as { kind?: unknown }).kind !== 'string') {
    throw new TypeError(`${fn}: model must be a layer (dense(), serial(), …)`);
  }
  const program = lowerProgram(fn, model, inputShape, true);
  const features = inputShape.reduce((p, v) => p * v, 1);
  return programKernels(fn, (d) => {
    if (d !== features) throw new RangeError(`${fn}: the inputs have ${d} features but inputShape is [${inputShape.join(', ')}]${inputShape.length > 1 ? ` (${features} per row)` : ''}`);
    return program;
  }, inputShape);
}

/**
 * @internal The kernel functions of the program `lower(d)` gives for inputs of d features (it may throw
 * when d does not fit the model).
 */
export function programKernels(fn: string, lower: (d: number) => Program, inputShape?: readonly number[]): InfiniteMlp {
  const rows = (name: string, x: ExamplesInput | undefined) => (x === undefined ? x : inputShape === undefined ? (x as MatrixInput) : exampleRows(fn, name, x, inputShape));
  const kernels = (x1: ExamplesInput, x2?: ExamplesInput): InfiniteKernels => {
    const { m1, m2 } = kernelArguments(fn, rows('x1', x1)!, rows('x2', x2));
    const program = lower(m1.cols);
    const n2 = m2?.rows ?? m1.rows;
    const { nngp, ntk, finite } = current().infinite(fn, program, logisticRule(), m1.data, m1.rows, m2?.data ?? null, n2, m1.cols);
    if (!finite) {
      const hint = 'the inputs or the weight variance are too large for float64 at this depth';
      requireFiniteResult(fn, 'the NNGP', nngp, n2, hint);
      requireFiniteResult(fn, 'the NTK', ntk, n2, hint);
    }
    return { nngp: new Matrix(m1.rows, n2, nngp), ntk: new Matrix(m1.rows, n2, ntk) };
  };
  return { nngp: (x1, x2) => kernels(x1, x2).nngp, ntk: (x1, x2) => kernels(x1, x2).ntk, kernels };
}
