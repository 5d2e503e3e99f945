import { checkOptions, functionArgument, numberOption, shapeOf, signalOption } from '../errors.js';
import type { Matrix } from '../matrix.js';
import type { ExamplesInput } from '../model/inputs.js';
import type { TargetsInput } from '../predict/common.js';
import type { Layer } from '../model/layers.js';
import { type EmpiricalNtkOptions, Network, type NtkOutputs, type TrainOptions, initialParameters, lowerNetwork } from './network.js';
import { checkInputShape } from '../model/program.js';
import { type MlpSpec, architectureOf, networkFrom } from './mlp.js';

export type { EmpiricalNtkOptions, NtkImplementation, NtkOutputs } from './network.js';

/**
 * The empirical neural tangent kernel `Θ(x, x′) = ∇θ f(x)·∇θ f(x′)` of a network at its current
 * parameters: how a gradient step on an error at x′ moves f(x). With k outputs, 'mean' is
 * `(1/k)·Σ_o ∇f_o(x)·∇f_o(x′)` (neural-tangents' `trace_axes=(-1,)`), 'full' gives the block
 * `[i·k + a][j·k + b] = ∇f_a(x1_i)·∇f_b(x2_j)`.
 *
 * @example
 * ```ts
 * const net = mlp({ inputDim: 2, widths: [256], seed: 0 });
 * const theta = empiricalNtk(net, [[1, 0], [0, 1]]);            // 2 × 2, symmetric PSD
 * const same = empiricalNtk(net, [[1, 0], [0, 1]], undefined, { implementation: 'jacobian' });
 * ```
 */
export function empiricalNtk(net: Network, x1: ExamplesInput, x2?: ExamplesInput, options?: EmpiricalNtkOptions): Matrix {
  const fn = 'empiricalNtk';
  if (!(net instanceof Network)) throw new TypeError(`${fn}: net must be a Network (from network(), mlp() or fromWeights())`);
  return net.kernel(fn, net.checkedParams(fn), x1, x2, options);
}

/** Options of {@link monteCarloNtk}. */
export interface MonteCarloNtkOptions extends Omit<EmpiricalNtkOptions, 'out'> {
  /** The input shape, when the architecture is a model built from layers (`[d]` for vectors). */
  inputShape?: readonly number[];
  /** Number of random initializations to average. Required. */
  samples: number;
  /** Seed of the first sample; sample s uses seed + s. Default 0. */
  seed?: number;
  /** Called after each sample with the samples done and the total. */
  onProgress?: (samplesDone: number, samples: number) => void;
  /** Stops between samples when aborted: the call throws the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
}

/**
 * The average of empirical NTKs over `samples` seeded initializations: the Monte Carlo estimate of
 * `E[∇f(x)·∇f(x′)]` over initialization, which tends to the infinite-width NTK as widths grow.
 *
 * @example
 * ```ts
 * const estimate = monteCarloNtk({ inputDim: 2, widths: [512] }, [[1, 0], [0, 1]], undefined, { samples: 8 });
 * ```
 */
export function monteCarloNtk(architecture: Omit<MlpSpec, 'seed'> | Layer, x1: ExamplesInput, x2?: ExamplesInput, options?: MonteCarloNtkOptions): Matrix {
  return monteCarlo('monteCarloNtk', architecture, options, (fn, net, ntkOptions) => ({ ntk: net.kernel(fn, net.params, x1, x2, ntkOptions) })).ntk;
}

/** Both kernels of a network or an architecture. */
export interface KernelMatrices {
  /** The NNGP (outputs' products). */
  nngp: Matrix;
  /** The NTK (gradients' products). */
  ntk: Matrix;
}

/** Options of {@link monteCarloKernels}: those of {@link monteCarloNtk}. */
export type MonteCarloKernelsOptions = MonteCarloNtkOptions;

/**
 * The Monte Carlo estimates of both kernels over `samples` seeded initializations (neural-tangents'
 * `monte_carlo_kernel_fn`): the average of the empirical NNGPs f(x)·f(x′)ᵀ and of the empirical NTKs, which tend
 * to the infinite-width NNGP and NTK as widths grow.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), relu(), dense(1));
 * const { nngp, ntk } = monteCarloKernels(model, [[1, 0], [0, 1]], undefined, { inputShape: [2], samples: 8 });
 * ```
 */
export function monteCarloKernels(
  architecture: Omit<MlpSpec, 'seed'> | Layer,
  x1: ExamplesInput,
  x2?: ExamplesInput,
  options?: MonteCarloKernelsOptions,
): KernelMatrices {
  return monteCarlo('monteCarloKernels', architecture, options, (fn, net, ntkOptions) => ({
    nngp: net.nngpKernel(fn, net.params, x1, x2, ntkOptions.outputs, ntkOptions.pattern),
    ntk: net.kernel(fn, net.params, x1, x2, ntkOptions),
  }));
}

/** The average over `samples` seeded networks of the kernels `draw` computes for each. */
function monteCarlo<K extends string>(
  fn: string,
  architecture: Omit<MlpSpec, 'seed'> | Layer,
  options: MonteCarloNtkOptions | undefined,
  draw: (fn: string, net: Network, ntkOptions: Omit<EmpiricalNtkOptions, 'out'>) => Record<K, Matrix>,
): Record<K, Matrix> {
  if (options === undefined) throw new TypeError(`${fn}: options with samples are required`);
  const { samples, seed, onProgress, signal, inputShape, ...ntkOptions } = checkOptions(fn, options, [
    'samples',
    'seed',
    'onProgress',
    'signal',
    'implementation',
    'outputs',
    'inputShape',
    'pattern',
  ]);
  const isModel = architecture !== null && typeof architecture === 'object' && typeof (architecture as { kind?: unknown }).kind === 'string';
  if (!isModel && inputShape !== undefined) throw new TypeError(`${fn}: inputShape applies to a model built from layers; an MLP spec has inputDim`);
  // One lowering (or architecture check) for every sample; each sample draws fresh parameters (and dropout masks).
  const sample: (seed: number) => Network = isModel
    ? (() => {
        if (inputShape === undefined) throw new TypeError(`${fn}: inputShape is required with a model built from layers`);
        const shape = checkInputShape(fn, inputShape);
        const program = lowerNetwork(fn, architecture as Layer, shape);
        return (s: number) => new Network(program, shape, initialParameters(program, s), 'Network', s);
      })()
    : (
        (arch) => (s: number) =>
          networkFrom(arch, s)
      )(
        architectureOf(fn, architecture as Omit<MlpSpec, 'seed'>, [
          'inputDim',
          'widths',
          'outputDim',
          'activation',
          'parameterization',
          'wStd',
          'bStd',
          'leak',
        ]),
      );
  const count = numberOption(fn, 'samples', samples, undefined, { integer: true, min: 1 });
  const firstSeed = numberOption(fn, 'seed', seed, 0, { integer: true });
  const progress = onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', onProgress);
  const abort = signalOption(fn, signal);
  let sums: Record<K, Matrix> | undefined;
  for (let s = 0; s < count; s++) {
    abort?.throwIfAborted();
    const kernels = draw(fn, sample(firstSeed + s), ntkOptions);
    if (sums) {
      for (const key of Object.keys(kernels) as K[]) for (let i = 0; i < sums[key].data.length; i++) sums[key].data[i] += kernels[key].data[i];
    } else sums = kernels;
    progress?.(s + 1, count);
  }
  for (const total of Object.values<Matrix>(sums!)) for (let i = 0; i < total.data.length; i++) total.data[i] /= count;
  return sums!;
}

/** Options of {@link empiricalNngp}. */
export interface EmpiricalNngpOptions {
  /** 'mean' (default): n1 × n2, f(x)·f(x′)/k; 'full': (n1·k) × (n2·k), every output pair. */
  outputs?: NtkOutputs;
  /** The graphs of x1's and x2's examples, `[p1, p2]` (p2 left out without x2), for a model with {@link aggregate} layers. */
  pattern?: readonly [unknown, unknown?];
}

/**
 * The empirical NNGP of a network at its current parameters (neural-tangents' `empirical_nngp_fn`): the outputs'
 * products `f(x)·f(x′)ᵀ`, divided by the k outputs for 'mean' (`trace_axes=(-1,)`), or `[i·k + a][j·k + b] =
 * f_a(x1_i)·f_b(x2_j)` for 'full'. Averaged over initializations it is the NNGP of the architecture.
 *
 * @example
 * ```ts
 * const net = network(serial(dense(256), relu(), dense(2)), { inputShape: [2], seed: 0 });
 * const k = empiricalNngp(net, [[1, 0], [0, 1]]); // 2 × 2
 * ```
 */
export function empiricalNngp(net: Network, x1: ExamplesInput, x2?: ExamplesInput, options?: EmpiricalNngpOptions): Matrix {
  const fn = 'empiricalNngp';
  if (!(net instanceof Network)) throw new TypeError(`${fn}: net must be a Network (from network(), mlp() or fromWeights())`);
  const opts = checkOptions(fn, options, ['outputs', 'pattern']);
  return net.nngpKernel(fn, net.checkedParams(fn), x1, x2, opts.outputs, opts.pattern);
}

/** Options of {@link empiricalKernels}. */
export interface EmpiricalKernelsOptions extends Omit<EmpiricalNtkOptions, 'out'> {
  /** Which kernels: 'nngp', 'ntk' or both (default). */
  get?: readonly ('nngp' | 'ntk')[];
}

/**
 * The empirical NNGP and NTK of a network at its current parameters, as asked by `get` (neural-tangents'
 * `empirical_kernel_fn`); see {@link empiricalNngp} and {@link empiricalNtk}.
 *
 * @example
 * ```ts
 * const net = network(serial(dense(256), relu(), dense(1)), { inputShape: [2], seed: 0 });
 * const { nngp, ntk } = empiricalKernels(net, [[1, 0], [0, 1]]);
 * ```
 */
export function empiricalKernels(net: Network, x1: ExamplesInput, x2?: ExamplesInput, options?: EmpiricalKernelsOptions): Partial<KernelMatrices> {
  const fn = 'empiricalKernels';
  if (!(net instanceof Network)) throw new TypeError(`${fn}: net must be a Network (from network(), mlp() or fromWeights())`);
  const { get, ...ntkOptions } = checkOptions(fn, options, ['get', 'implementation', 'outputs', 'pattern']);
  const kinds = get ?? ['nngp', 'ntk'];
  if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((kind) => kind !== 'nngp' && kind !== 'ntk')) {
    throw new TypeError(`${fn}: get must be a non-empty array of 'nngp' and 'ntk', got ${JSON.stringify(get)}`);
  }
  const params = net.checkedParams(fn);
  return {
    ...(kinds.includes('nngp') ? { nngp: net.nngpKernel(fn, params, x1, x2, ntkOptions.outputs, ntkOptions.pattern) } : {}),
    ...(kinds.includes('ntk') ? { ntk: net.kernel(fn, params, x1, x2, ntkOptions) } : {}),
  };
}

/** What {@link trainWithNtkChange} measured. */
export interface NtkChange {
  /** ‖Θ_t − Θ_0‖_F / ‖Θ_0‖_F on the training inputs. */
  relativeChange: number;
  /** The training loss curve. */
  loss: Float64Array;
  /** The empirical NTK before training. */
  ntkBefore: Matrix;
  /** The empirical NTK after training. */
  ntkAfter: Matrix;
}

/**
 * Trains `net` in place (as {@link MLP.train}) and reports how much its empirical NTK on the training
 * inputs moved: in the lazy regime (Chizat, Oyallon and Bach 2019) wide networks barely change their kernel.
 *
 * @example
 * ```ts
 * const narrow = trainWithNtkChange(mlp({ inputDim: 1, widths: [64] }), x, y, { learningRate: 1, steps: 200 });
 * const wide = trainWithNtkChange(mlp({ inputDim: 1, widths: [1024] }), x, y, { learningRate: 1, steps: 200 });
 * wide.relativeChange < narrow.relativeChange; // true
 * ```
 */
export function trainWithNtkChange(net: Network, x: ExamplesInput, y: TargetsInput, options: TrainOptions): NtkChange {
  const fn = 'trainWithNtkChange';
  if (!(net instanceof Network)) throw new TypeError(`${fn}: net must be a Network (from network(), mlp() or fromWeights())`);
  const run = net.trainArguments(fn, x, y, options);
  run.signal?.throwIfAborted();
  // The training rows as the backends take them (with their examples' graphs).
  const ntkBefore = net.rowsKernel('empiricalNtk', net.checkedParams(fn), run.mx, null, {});
  const { loss } = net.trainChecked(run);
  const ntkAfter = net.rowsKernel('empiricalNtk', net.checkedParams(fn), run.mx, null, {});
  let difference = 0;
  let reference = 0;
  for (let i = 0; i < ntkBefore.data.length; i++) {
    difference += (ntkAfter.data[i] - ntkBefore.data[i]) ** 2;
    reference += ntkBefore.data[i] ** 2;
  }
  if (ntkBefore.rows !== ntkAfter.rows) throw new RangeError(`${fn}: kernel shapes ${shapeOf(ntkBefore)} and ${shapeOf(ntkAfter)} differ`);
  return { relativeChange: Math.sqrt(difference / reference), loss, ntkBefore, ntkAfter };
}
