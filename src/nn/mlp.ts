import { current } from '../backend/registry.js';
import type { Program } from '../backend/types.js';
import { MAX_RESULT_DOUBLES, checkOptions, enumOption, functionArgument, numberOption, requireFiniteResult, requireFits, shapeOf, signalOption } from '../errors.js';
import { learningRateHint, runInChunks } from '../chunks.js';
import { Matrix, type MatrixInput, requireNonEmpty, toMatrix } from '../matrix.js';
import { type TargetsInput, toTargets } from '../predict/common.js';
import { maxLearningRate } from '../predict/gradientDescentMse.js';
import { Random } from '../random.js';
import { empiricalNtk } from './ntk.js';
import { ACTIVATIONS, type Activation } from './activations.js';
import { activation as activationLayer, dense, serial, type Layer } from '../stax/layers.js';
import { lowerProgram } from '../stax/program.js';

/** How weights are scaled, as in neural-tangents' `Dense`. */
export type Parameterization = 'ntk' | 'standard';

/** The architecture of {@link mlp} (and of {@link monteCarloNtk}, without `seed`). */
export interface MlpSpec {
  /** Input dimension d. */
  inputDim: number;
  /** Hidden layer widths (may be empty: a linear model). */
  widths: readonly number[];
  /** Outputs k. Default 1. */
  outputDim?: number;
  /** Nonlinearity after every hidden layer. Default 'relu'. */
  activation?: Activation;
  /** 'ntk' (default): z = (wStd/√fanIn)·x·W + bStd·b with W, b ~ N(0, 1); 'standard': z = x·W + b with W ~ N(0, wStd²/fanIn), b ~ N(0, bStd²). */
  parameterization?: Parameterization;
  /** Weight standard deviation. Default 1. */
  wStd?: number;
  /** Bias standard deviation; null: layers without bias. Default 0. */
  bStd?: number | null;
  /** Initialization seed: the same seed gives the same parameters on every backend and platform. Default 0. */
  seed?: number;
  /** Negative slope of 'leaky_relu'. Default 0.01. */
  leak?: number;
}

/** Options of {@link MLP.train}. */
export interface TrainOptions {
  /** Step size η. Required. */
  learningRate: number;
  /** Number of full-batch steps. Required. */
  steps: number;
  /** Called during training with the steps done and the total. */
  onProgress?: (stepsDone: number, steps: number) => void;
  /**
   * Stops training between chunks of steps (about 20 per run) when aborted: the call throws the signal's
   * reason (an `AbortError`) and the parameters stay as they were before the call.
   */
  signal?: AbortSignal;
}

/** The loss curve of a training run. */
export interface TrainResult {
  /** L = ‖f(X) − Y‖²/(2N) before the first step and after each (length steps + 1). */
  loss: Float64Array;
}

interface Architecture {
  sizes: number[];
  activation: Activation;
  parameterization: Parameterization;
  wStd: number;
  bStd: number | null;
  leak: number;
}

/** The layers of an architecture: [dense → φ] per hidden width, then the output dense. */
function architectureModel(arch: Architecture): Layer {
  const { sizes, activation, parameterization, wStd, bStd, leak } = arch;
  const denseOptions = { wStd, bStd, parameterization };
  const hidden = sizes.slice(1, -1).flatMap((width) => [dense(width, denseOptions), activationLayer(activation, activation === 'leaky_relu' ? { leak } : {})]);
  return serial(...hidden, dense(sizes[sizes.length - 1], denseOptions));
}

const SPEC_KEYS = ['inputDim', 'widths', 'outputDim', 'activation', 'parameterization', 'wStd', 'bStd', 'seed', 'leak'];

/** Validates the architecture fields of a spec (everything but the seed). */
export function architectureOf(fn: string, spec: Partial<MlpSpec>, allowed = SPEC_KEYS): Architecture {
  if (spec === undefined || spec === null || typeof spec !== 'object') throw new TypeError(`${fn}: a spec object is required`);
  checkOptions(fn, spec, allowed);
  const inputDim = numberOption(fn, 'inputDim', spec.inputDim, undefined, { integer: true, min: 1 });
  if (!Array.isArray(spec.widths)) throw new TypeError(`${fn}: widths must be an array of positive integers`);
  const widths = spec.widths.map((w, i) => numberOption(fn, `widths[${i}]`, w, undefined, { integer: true, min: 1 }));
  const outputDim = numberOption(fn, 'outputDim', spec.outputDim, 1, { integer: true, min: 1 });
  const activation = enumOption<Activation>(fn, 'activation', spec.activation, ACTIVATIONS, 'relu');
  const parameterization = enumOption<Parameterization>(fn, 'parameterization', spec.parameterization, ['ntk', 'standard'], 'ntk');
  const wStd = numberOption(fn, 'wStd', spec.wStd, 1, { min: 0 });
  const bStd = spec.bStd === null ? null : numberOption(fn, 'bStd', spec.bStd, 0, { min: 0 });
  if (spec.leak !== undefined && activation !== 'leaky_relu') throw new TypeError(`${fn}: leak applies to activation 'leaky_relu' only`);
  const leak = numberOption(fn, 'leak', spec.leak, 0.01);
  const arch = { sizes: [inputDim, ...widths, outputDim], activation, parameterization, wStd, bStd, leak };
  const count = countParams(arch);
  if (count > MAX_RESULT_DOUBLES) {
    throw new RangeError(`${fn}: the network would have ${count.toExponential(2)} parameters (${((count * 8) / 2 ** 30).toFixed(1)} GiB); ` +
      `at most 2^28 (2 GiB) fit in wasm32 memory on both backends; use narrower layers`);
  }
  return arch;
}

/** Parameter count of an architecture. */
function countParams(arch: Architecture): number {
  let count = 0;
  for (let l = 1; l < arch.sizes.length; l++) count += arch.sizes[l - 1] * arch.sizes[l] + (arch.bStd === null ? 0 : arch.sizes[l]);
  return count;
}

/** Seeded parameters: layer by layer, W (row-major fanIn × fanOut) then b, as the parameterization says. */
function initialParams(arch: Architecture, seed: number): Float64Array {
  const random = new Random(seed);
  const params = new Float64Array(countParams(arch));
  let p = 0;
  for (let l = 1; l < arch.sizes.length; l++) {
    const fanIn = arch.sizes[l - 1];
    const standard = arch.parameterization === 'standard';
    const wScale = standard ? arch.wStd / Math.sqrt(fanIn) : 1;
    for (let i = 0; i < fanIn * arch.sizes[l]; i++) params[p++] = wScale * random.normal();
    if (arch.bStd !== null) {
      const bScale = standard ? arch.bStd : 1;
      for (let i = 0; i < arch.sizes[l]; i++) params[p++] = bScale * random.normal();
    }
  }
  return params;
}

/**
 * A fully connected network `f(x) = z_L`, `z_l = c_l·h_{l−1}·W_l + s_l·b_l`, `h_l = φ(z_l)`, with
 * neural-tangents' parameterizations. Its parameters are one flat vector θ, layer by layer.
 *
 * @example
 * ```ts
 * const net = mlp({ inputDim: 2, widths: [64], outputDim: 1, seed: 1 });
 * net.apply([[1, 0]]);            // 1 × 1
 * net.jacobian([[1, 0]]).cols;    // net.numParams
 * net.train([[1, 0], [0, 1]], [[1], [-1]], { learningRate: 1, steps: 100 });
 * ```
 */
export class MLP {
  /** Flat parameters θ: per layer W (fanIn × fanOut, row-major) then b. Replaced by {@link MLP.train}. */
  params: Float64Array;
  private readonly arch: Architecture;
  private lowered: Program | undefined;

  /** @internal Use {@link mlp} or {@link MLP.fromWeights}. */
  constructor(arch: Architecture, params: Float64Array) {
    this.arch = arch;
    this.params = params;
  }

  /**
   * A network from given trainable weights, in neural-tangents' layout (W is in × out).
   *
   * @example
   * ```ts
   * const net = MLP.fromWeights([{ W: [[1], [1]], b: [0] }], { activation: 'relu', parameterization: 'standard' });
   * net.apply([[1, 2]]).get(0, 0); // 3
   * ```
   */
  static fromWeights(
    layers: readonly { W: MatrixInput; b?: ArrayLike<number> }[],
    options: { activation?: Activation; parameterization?: Parameterization; wStd?: number; bStd?: number | null; leak?: number } = {},
  ): MLP {
    const fn = 'MLP.fromWeights';
    if (!Array.isArray(layers) || layers.length === 0) throw new TypeError(`${fn}: layers must be a non-empty array of { W, b? }`);
    checkOptions(fn, options, ['activation', 'parameterization', 'wStd', 'bStd', 'leak']);
    const weights = layers.map((layer, l) => {
      const w = toMatrix(fn, `layers[${l}].W`, layer?.W);
      requireNonEmpty(fn, `layers[${l}].W`, w);
      return w;
    });
    weights.forEach((w, l) => {
      if (l > 0 && w.rows !== weights[l - 1].cols) {
        throw new RangeError(`${fn}: layers[${l - 1}].W is ${shapeOf(weights[l - 1])} but layers[${l}].W is ${shapeOf(w)}; ` +
          `each W needs as many rows as the previous has columns`);
      }
    });
    const hasBias = layers[0].b !== undefined;
    const bStd = options.bStd === undefined ? (hasBias ? 0 : null) : options.bStd;
    if (hasBias !== (bStd !== null)) {
      throw new RangeError(`${fn}: ${hasBias ? 'biases are given but bStd is null' : `no biases are given but bStd is ${bStd}`}; pass b for every layer with a numeric bStd, or neither`);
    }
    const arch = architectureOf(fn, {
      inputDim: weights[0].rows, widths: weights.slice(0, -1).map((w) => w.cols), outputDim: weights[weights.length - 1].cols,
      activation: options.activation, parameterization: options.parameterization, wStd: options.wStd, bStd, leak: options.leak,
    });
    const params = new Float64Array(countParams(arch));
    let p = 0;
    layers.forEach((layer, l) => {
      params.set(weights[l].data, p);
      p += weights[l].data.length;
      if (hasBias) {
        if (layer.b === undefined || layer.b.length !== weights[l].cols) {
          throw new RangeError(`${fn}: layers[${l}].b has ${layer.b?.length ?? 'no'} entries but layers[${l}].W has ${weights[l].cols} columns`);
        }
        for (let j = 0; j < layer.b.length; j++) {
          if (typeof layer.b[j] !== 'number' || !Number.isFinite(layer.b[j])) {
            throw new TypeError(`${fn}: layers[${l}].b[${j}] is ${layer.b[j]}; entries must be finite numbers`);
          }
          params[p++] = layer.b[j];
        }
      } else if (layer.b !== undefined) {
        throw new RangeError(`${fn}: layers[${l}] has b but layers[0] has none; give b for every layer or none`);
      }
    });
    return new MLP(arch, params);
  }

  /** Input dimension. */
  get inputDim(): number {
    return this.arch.sizes[0];
  }

  /** Number of outputs. */
  get outputDim(): number {
    return this.arch.sizes[this.arch.sizes.length - 1];
  }

  /** Hidden widths. */
  get widths(): number[] {
    return this.arch.sizes.slice(1, -1);
  }

  /** The activation. */
  get activation(): Activation {
    return this.arch.activation;
  }

  /** The parameterization. */
  get parameterization(): Parameterization {
    return this.arch.parameterization;
  }

  /** Number of trainable parameters. */
  get numParams(): number {
    return this.params.length;
  }

  /** @internal The lowered program the backends run (the same for every MLP of this architecture). */
  program(): Program {
    this.lowered ??= lowerProgram('mlp', architectureModel(this.arch), [this.arch.sizes[0]], false);
    return this.lowered;
  }

  /** @internal Validated inputs (n × inputDim) for `fn`. */
  inputs(fn: string, name: string, x: MatrixInput): Matrix {
    const m = toMatrix(fn, name, x);
    requireNonEmpty(fn, name, m);
    if (m.cols !== this.inputDim) {
      throw new RangeError(`${fn}: ${name} is ${shapeOf(m)} but the network takes ${this.inputDim} inputs`);
    }
    return m;
  }

  /** @internal Validated parameters (this network's by default). */
  checkedParams(fn: string, params: ArrayLike<number> = this.params): Float64Array {
    if (params.length !== this.numParams) {
      throw new RangeError(`${fn}: params has ${params.length} entries but the network has ${this.numParams}`);
    }
    const out = params instanceof Float64Array ? params : Float64Array.from(params);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i])) throw new TypeError(`${fn}: params[${i}] is ${out[i]}; parameters must be finite`);
    }
    return out;
  }

  /**
   * Outputs f(x; θ) for the rows of x (n × outputDim), with this network's parameters or `params`.
   *
   * @example
   * ```ts
   * const net = mlp({ inputDim: 3, widths: [16], seed: 2 });
   * net.apply([[0.1, 0.2, 0.3]]).get(0, 0);
   * ```
   */
  apply(x: MatrixInput, params?: ArrayLike<number>): Matrix {
    const fn = 'MLP.apply';
    const mx = this.inputs(fn, 'x', x);
    const theta = this.checkedParams(fn, params);
    const outputs = current().networkForward(this.program(), theta, mx.data, mx.rows);
    return new Matrix(mx.rows, this.outputDim, requireFiniteResult(fn, 'the outputs', outputs, this.outputDim, 'scale the inputs down'));
  }

  /**
   * Per-example Jacobian ((n·outputDim) × numParams): row i·outputDim + o is ∂f_o(x_i)/∂θ.
   *
   * @example
   * ```ts
   * const net = mlp({ inputDim: 2, widths: [8], seed: 3 });
   * const j = net.jacobian([[1, 2], [3, 4]]); // 2 × net.numParams
   * ```
   */
  jacobian(x: MatrixInput): Matrix {
    const fn = 'MLP.jacobian';
    const mx = this.inputs(fn, 'x', x);
    requireFits(fn, 'the Jacobian', mx.rows * this.outputDim, this.numParams);
    const theta = this.checkedParams(fn);
    const jacobian = current().networkJacobian(this.program(), theta, mx.data, mx.rows);
    return new Matrix(mx.rows * this.outputDim, this.numParams, requireFiniteResult(fn, 'the Jacobian', jacobian, this.numParams, 'scale the inputs down'));
  }

  /**
   * Full-batch gradient descent on `L = ‖f(X) − Y‖²/(2N)`, `N = Y.rows·Y.cols`, updating the parameters.
   *
   * @example
   * ```ts
   * const net = mlp({ inputDim: 1, widths: [128], seed: 4 });
   * const { loss } = net.train([[-1], [0], [1]], [1, 0, 1], { learningRate: 1, steps: 500 });
   * loss[500] < loss[0]; // true
   * ```
   */
  train(x: MatrixInput, y: TargetsInput, options: TrainOptions): TrainResult {
    const fn = 'MLP.train';
    const mx = this.inputs(fn, 'x', x);
    const my = toTargets(fn, 'y', y, mx.rows, 'x');
    if (my.cols !== this.outputDim) throw new RangeError(`${fn}: y is ${shapeOf(my)} but the network has ${this.outputDim} outputs`);
    const { learningRate, steps, onProgress, signal } = trainOptions(fn, options);
    const size = my.rows * my.cols;
    const program = this.program();
    let params = this.checkedParams(fn);
    const loss = runInChunks(fn, steps, onProgress, signal, (chunk) => {
      const result = current().networkTrain(program, params, mx.data, my.data, mx.rows, chunk, learningRate / size, 1 / (2 * size));
      params = result.params;
      return result.losses;
    }, () => learningRateHint(learningRate, () => maxLearningRate(empiricalNtk(this, mx), { outputs: my.cols })));
    this.params = params;
    return { loss };
  }

  /**
   * An independent copy (same architecture and parameters).
   *
   * @example
   * ```ts
   * const before = net.clone(); net.train(x, y, { learningRate: 1, steps: 10 });
   * ```
   */
  clone(): MLP {
    return new MLP(this.arch, this.params.slice());
  }
}

/** Validated {@link TrainOptions}. */
export function trainOptions(fn: string, options: TrainOptions): Required<Omit<TrainOptions, 'onProgress' | 'signal'>> & Pick<TrainOptions, 'onProgress' | 'signal'> {
  if (options === undefined) throw new TypeError(`${fn}: options with learningRate and steps are required`);
  const opts = checkOptions(fn, options, ['learningRate', 'steps', 'onProgress', 'signal']);
  return {
    learningRate: numberOption(fn, 'learningRate', opts.learningRate, undefined, { above: 0 }),
    steps: numberOption(fn, 'steps', opts.steps, undefined, { integer: true, min: 0 }),
    onProgress: opts.onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', opts.onProgress),
    signal: signalOption(fn, opts.signal),
  };
}

/**
 * A network with seeded initial parameters.
 *
 * @example
 * ```ts
 * const net = mlp({ inputDim: 3, widths: [512, 512], outputDim: 2, activation: 'erf', wStd: 1.5, bStd: 0.1, seed: 0 });
 * net.numParams; // 3·512 + 512 + 512·512 + 512 + 512·2 + 2
 * ```
 */
export function mlp(spec: MlpSpec): MLP {
  const fn = 'mlp';
  const arch = architectureOf(fn, spec);
  const seed = numberOption(fn, 'seed', spec.seed, 0, { integer: true });
  return new MLP(arch, initialParams(arch, seed));
}

/** @internal Fresh initial parameters of an architecture (for Monte Carlo averages). */
export function networkFrom(arch: Architecture, seed: number): MLP {
  return new MLP(arch, initialParams(arch, seed));
}
