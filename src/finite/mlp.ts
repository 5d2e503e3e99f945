import { MAX_RESULT_DOUBLES, checkOptions, enumOption, numberOption, shapeOf } from '../errors.js';
import { type MatrixInput, requireNonEmpty, toMatrix } from '../matrix.js';
import { type Layer, serial } from '../model/layers.js';
import { type Parameterization, activation as activationLayer, dense } from '../ops/index.js';
import { type FromWeightsOptions, Network, initialParameters, lowerNetwork } from './network.js';
import { ACTIVATIONS, type Activation } from '../ops/activations/index.js';

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
  const count = arch.sizes.slice(1).reduce((sum, width, l) => sum + (arch.sizes[l] + (bStd === null ? 0 : 1)) * width, 0);
  if (count > MAX_RESULT_DOUBLES) {
    throw new RangeError(
      `${fn}: the network would have ${count.toExponential(2)} parameters (${((count * 8) / 2 ** 30).toFixed(1)} GiB); ` +
        `at most 2^28 (2 GiB) fit in wasm32 memory on both backends; use narrower layers`,
    );
  }
  return arch;
}

/** Parameter count of an architecture. */
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
export class MLP extends Network {
  private readonly arch: Architecture;

  /** @internal Use {@link mlp} or {@link MLP.fromWeights}. */
  constructor(arch: Architecture, params: Float64Array) {
    super(lowerNetwork('mlp', architectureModel(arch), [arch.sizes[0]]), [arch.sizes[0]], params, 'MLP');
    this.arch = arch;
  }

  /**
   * An MLP from given trainable weights, one `{ W, b? }` per layer in neural-tangents' layout (W is in × out);
   * the architecture follows from their shapes. (Given a model instead, it is {@link Network.fromWeights}.)
   *
   * @example
   * ```ts
   * const net = MLP.fromWeights([{ W: [[1], [1]], b: [0] }], { activation: 'relu', parameterization: 'standard' });
   * net.apply([[1, 2]]).get(0, 0); // 3
   * ```
   */
  static override fromWeights(layers: readonly { W: MatrixInput; b?: ArrayLike<number> }[], options?: MlpWeightsOptions): MLP;
  static override fromWeights(model: Layer, options: FromWeightsOptions): Network;
  static override fromWeights(
    layers: readonly { W: MatrixInput; b?: ArrayLike<number> }[] | Layer,
    options: MlpWeightsOptions | FromWeightsOptions = {},
  ): Network {
    const isModel = layers !== null && typeof layers === 'object' && typeof (layers as { kind?: unknown }).kind === 'string';
    if (isModel) return Network.fromWeights(layers as Layer, options as FromWeightsOptions);
    return mlpFromWeights(layers as readonly { W: MatrixInput; b?: ArrayLike<number> }[], options as MlpWeightsOptions);
  }

  /** Input dimension. */
  get inputDim(): number {
    return this.arch.sizes[0];
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

  /**
   * An independent copy (same architecture and parameters).
   *
   * @example
   * ```ts
   * const before = net.clone(); net.train(x, y, { learningRate: 1, steps: 10 });
   * ```
   */
  override clone(): MLP {
    return new MLP(this.arch, this.params.slice());
  }
}

/** Options of {@link MLP.fromWeights}: the architecture beyond the weights' shapes. */
export interface MlpWeightsOptions {
  /** The nonlinearity. Default 'relu'. */
  activation?: Activation;
  /** 'ntk' (default) or 'standard'. */
  parameterization?: Parameterization;
  /** Weight standard deviation (scales the forward pass under 'ntk'). Default 1. */
  wStd?: number;
  /** Bias standard deviation; null: no biases. Default 0 when biases are given, else null. */
  bStd?: number | null;
  /** Negative slope for 'leaky_relu'. Default 0.01. */
  leak?: number;
}

function mlpFromWeights(layers: readonly { W: MatrixInput; b?: ArrayLike<number> }[], options: MlpWeightsOptions): MLP {
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
      throw new RangeError(
        `${fn}: layers[${l - 1}].W is ${shapeOf(weights[l - 1])} but layers[${l}].W is ${shapeOf(w)}; ` +
          `each W needs as many rows as the previous has columns`,
      );
    }
  });
  const hasBias = layers[0].b !== undefined;
  const bStd = options.bStd === undefined ? (hasBias ? 0 : null) : options.bStd;
  if (hasBias !== (bStd !== null)) {
    throw new RangeError(
      `${fn}: ${hasBias ? 'biases are given but bStd is null' : `no biases are given but bStd is ${bStd}`}; pass b for every layer with a numeric bStd, or neither`,
    );
  }
  const arch = architectureOf(fn, {
    inputDim: weights[0].rows,
    widths: weights.slice(0, -1).map((w) => w.cols),
    outputDim: weights[weights.length - 1].cols,
    activation: options.activation,
    parameterization: options.parameterization,
    wStd: options.wStd,
    bStd,
    leak: options.leak,
  });
  const params = new Float64Array(weights.reduce((sum, w) => sum + w.data.length + (hasBias ? w.cols : 0), 0));
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
  return networkFrom(arch, seed);
}

/** @internal Fresh initial parameters of an architecture (for Monte Carlo averages). */
export function networkFrom(arch: Architecture, seed: number): MLP {
  const net = new MLP(arch, new Float64Array(0));
  net.params = initialParameters(net.program(), seed);
  return net;
}
