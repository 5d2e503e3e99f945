import { current } from '../backend/registry.js';
import { checkOptions, enumOption, functionArgument, numberOption, requireFiniteResult, requireFits, shapeOf, signalOption } from '../errors.js';
import { Matrix, type MatrixInput } from '../matrix.js';
import type { TargetsInput } from '../predict/common.js';
import { MLP, type MlpSpec, type TrainOptions, architectureOf, networkFrom } from './mlp.js';

/** How {@link empiricalNtk} computes. */
export type NtkImplementation = 'structured' | 'jacobian';
/** Which output pairs {@link empiricalNtk} returns. */
export type NtkOutputs = 'mean' | 'full';

/** Options of {@link empiricalNtk}. */
export interface EmpiricalNtkOptions {
  /**
   * 'structured' (default): per-layer Gram products of activations and backpropagated signals, never
   * building the Jacobian; 'jacobian': J(x1)·J(x2)ᵀ contracted in blocks of examples (bounded memory).
   */
  implementation?: NtkImplementation;
  /** 'mean' (default): n1 × n2, averaged over outputs; 'full': (n1·k) × (n2·k) with every output pair. */
  outputs?: NtkOutputs;
}

// Jacobian blocks of at most this many doubles (64 MiB each; two live at once).
const JACOBIAN_BLOCK_DOUBLES = 8 * 2 ** 20;

/** @internal The NTK of a network at given parameters. */
export function ntkOf(fn: string, net: MLP, params: Float64Array, x1: MatrixInput, x2: MatrixInput | undefined, options: EmpiricalNtkOptions | undefined): Matrix {
  const opts = checkOptions(fn, options, ['implementation', 'outputs']);
  const implementation = enumOption<NtkImplementation>(fn, 'implementation', opts.implementation, ['structured', 'jacobian'], 'structured');
  const outputs = enumOption<NtkOutputs>(fn, 'outputs', opts.outputs, ['mean', 'full'], 'mean');
  const m1 = net.inputs(fn, 'x1', x1);
  const m2 = x2 === undefined ? null : net.inputs(fn, 'x2', x2);
  const n2 = m2?.rows ?? m1.rows;
  const k = net.outputDim;
  const full = outputs === 'full';
  requireFits(fn, 'the kernel', full ? m1.rows * k : m1.rows, full ? n2 * k : n2);
  const block = Math.max(1, Math.min(Math.max(m1.rows, n2), Math.floor(JACOBIAN_BLOCK_DOUBLES / (k * net.numParams))));
  const data = current().networkNtk(net.program(), params, m1.data, m1.rows, m2?.data ?? null, n2, full, implementation, block);
  requireFiniteResult(fn, 'the kernel', data, full ? n2 * k : n2, 'scale the inputs down');
  return full ? new Matrix(m1.rows * k, n2 * k, data) : new Matrix(m1.rows, n2, data);
}

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
export function empiricalNtk(net: MLP, x1: MatrixInput, x2?: MatrixInput, options?: EmpiricalNtkOptions): Matrix {
  const fn = 'empiricalNtk';
  if (!(net instanceof MLP)) throw new TypeError(`${fn}: net must be an MLP (from mlp() or MLP.fromWeights())`);
  return ntkOf(fn, net, net.checkedParams(fn), x1, x2, options);
}

/** Options of {@link monteCarloNtk}. */
export interface MonteCarloNtkOptions extends EmpiricalNtkOptions {
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
export function monteCarloNtk(spec: Omit<MlpSpec, 'seed'>, x1: MatrixInput, x2?: MatrixInput, options?: MonteCarloNtkOptions): Matrix {
  const fn = 'monteCarloNtk';
  const arch = architectureOf(fn, spec, ['inputDim', 'widths', 'outputDim', 'activation', 'parameterization', 'wStd', 'bStd', 'leak']);
  if (options === undefined) throw new TypeError(`${fn}: options with samples are required`);
  const { samples, seed, onProgress, signal, ...ntkOptions } = checkOptions(fn, options, ['samples', 'seed', 'onProgress', 'signal', 'implementation', 'outputs']);
  const count = numberOption(fn, 'samples', samples, undefined, { integer: true, min: 1 });
  const firstSeed = numberOption(fn, 'seed', seed, 0, { integer: true });
  const progress = onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', onProgress);
  const abort = signalOption(fn, signal);
  let sum: Matrix | undefined;
  for (let s = 0; s < count; s++) {
    abort?.throwIfAborted();
    const net = networkFrom(arch, firstSeed + s);
    const theta = ntkOf(fn, net, net.params, x1, x2, ntkOptions);
    if (sum) for (let i = 0; i < sum.data.length; i++) sum.data[i] += theta.data[i];
    else sum = theta;
    progress?.(s + 1, count);
  }
  const total = sum!;
  for (let i = 0; i < total.data.length; i++) total.data[i] /= count;
  return total;
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
export function trainWithNtkChange(net: MLP, x: MatrixInput, y: TargetsInput, options: TrainOptions): NtkChange {
  const fn = 'trainWithNtkChange';
  if (!(net instanceof MLP)) throw new TypeError(`${fn}: net must be an MLP`);
  const ntkBefore = empiricalNtk(net, x);
  const { loss } = net.train(x, y, options);
  const ntkAfter = empiricalNtk(net, x);
  let difference = 0;
  let reference = 0;
  for (let i = 0; i < ntkBefore.data.length; i++) {
    difference += (ntkAfter.data[i] - ntkBefore.data[i]) ** 2;
    reference += ntkBefore.data[i] ** 2;
  }
  if (ntkBefore.rows !== ntkAfter.rows) throw new RangeError(`${fn}: kernel shapes ${shapeOf(ntkBefore)} and ${shapeOf(ntkAfter)} differ`);
  return { relativeChange: Math.sqrt(difference / reference), loss, ntkBefore, ntkAfter };
}
