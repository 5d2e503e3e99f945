// Finite-width networks of any model: parameters, outputs, Jacobians, training and the empirical NTK, all by
// the lowered program on the active backend.
import { current } from '../backend/registry.js';
import type { NtkBlocks, NtkImplementationName, TrainPlan, TrainingLoss } from '../backend/types.js';
import type { CustomLoss } from '../predict/gradientDescent.js';
import { LOSS, OPTIMIZER, type Program } from '../core/layout.js';
import { learningRateHint, runInChunks } from '../chunks.js';
import { checkOptions, enumOption, functionArgument, numberOption, requireFiniteResult, requireFits, shapeOf, signalOption } from '../errors.js';
import { Matrix, type MatrixInput, outOption, requireNonEmpty, resultInto, toMatrix } from '../matrix.js';
import { type TargetsInput, toTargets } from '../predict/common.js';
import { maxLearningRate } from '../predict/gradientDescentMse.js';
import { product } from '../linalg.js';
import { Random } from '../random.js';
import type { Layer } from '../model/layers.js';
import { instructionsOf } from '../core/layout.js';
import { OP_UNITS } from '../ops/index.js';
import { tangentFlops } from '../ops/cost.js';
import { affineOf, denseOp } from '../ops/dense.js';
import { type ExamplesInput, type NestedNumbers, exampleRows, flattenNested, nestedShape } from '../model/inputs.js';
import { checkInputShape, lowerProgram } from '../model/program.js';
import { patternOption, withGraphs } from '../ops/aggregate.js';
import type { GlobalSelfAttentionLayer } from '../ops/attention.js';
import { channelsOf, sizeOf, spatialOf } from '../core/shapes.js';

/** Options of {@link Network.train}. */
export interface TrainOptions {
  /** Step size η. Required. */
  learningRate: number;
  /** Number of optimizer steps (each on one minibatch, or on every example without `batchSize` and `batches`). Required. */
  steps: number;
  /**
   * 'mse' (default): ‖f − y‖²/(2·rows·k) over the minibatch; 'crossEntropy': the mean over the minibatch of
   * −Σ_o y_o·log softmax(f)_o (PyTorch's `CrossEntropyLoss` with probabilities as targets), for y one-hot or
   * probabilities (rows of non-negative numbers summing to 1) and at least 2 outputs; or a loss of your own,
   * `{ value(f, y), gradient(f, y) }` of a minibatch's outputs f (rows × k) and targets y: the loss and its gradient
   * in f (rows × k). It runs in JavaScript on the calling thread, once per step on the whole minibatch.
   */
  loss?: 'mse' | 'crossEntropy' | Required<CustomLoss>;
  /**
   * As PyTorch's: 'sgd' (default) θ ← θ − η·g; 'momentum' (`SGD(momentum=μ)`) b ← μ·b + g (b = g at the first
   * step), θ ← θ − η·b; 'adam' (`Adam`, bias-corrected moments). g is the loss's gradient plus weightDecay·θ.
   */
  optimizer?: 'sgd' | 'momentum' | 'adam';
  /** μ of 'momentum' (default 0.9). */
  momentum?: number;
  /** β1 of 'adam' (default 0.9), in [0, 1). */
  beta1?: number;
  /** β2 of 'adam' (default 0.999), in [0, 1). */
  beta2?: number;
  /** ε of 'adam' (default 1e-8). */
  eps?: number;
  /** L2 weight decay added to the gradient, as PyTorch's `weight_decay` (default 0). */
  weightDecay?: number;
  /**
   * Minibatches of this many examples: every epoch a fresh seeded permutation of the examples, cut in order (the last
   * batch of an epoch takes what is left, as PyTorch's `DataLoader` with `drop_last=False`). From 1 to n.
   */
  batchSize?: number;
  /** Seed of the permutations of `batchSize` (default 0): the same seed gives the same minibatches. */
  seed?: number;
  /** The minibatches themselves, as lists of example indices; step s trains on batches[s mod batches.length]. */
  batches?: readonly (readonly number[])[];
  /** The graphs of x's examples for a model with {@link aggregate} layers (as {@link PatternOptions.pattern}). */
  pattern?: unknown;
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
  /**
   * Length steps + 1: entry s is the loss of step s's minibatch before its update, the last entry the loss of the
   * last step's minibatch after it. Full batch (the default) it is the loss before the first step and after each.
   */
  loss: Float64Array;
}

/**
 * 'structured' (per-layer Gram products, no Jacobian), 'jacobian' (J(x1)·J(x2)ᵀ in blocks), 'ntkVectorProducts'
 * (forward mode along x2's Jacobian rows, never holding a Jacobian of more than a block of x2), or 'auto'.
 */
export type NtkImplementation = 'auto' | 'structured' | 'jacobian' | 'ntkVectorProducts';
/** 'mean' (n1 × n2, averaged over outputs) or 'full' ((n1·k) × (n2·k)). */
export type NtkOutputs = 'mean' | 'full';

/** The graphs a model with {@link aggregate} layers reads, for a call on one set of examples. */
export interface PatternOptions {
  /**
   * neural-tangents' `pattern` for the examples: per example its graph's adjacency ('DENSE', `p[n][i][j]` the weight of
   * the edge i → j, or n flat rows of V²) or edge list ('SPARSE', `[tail, head]` pairs), as the model's aggregate
   * layers take it. Left out: the identity graph for every example.
   */
  pattern?: unknown;
}

/** Options of {@link Network.apply}: other parameters, and the examples' graphs. */
export interface ApplyOptions extends PatternOptions {
  /** Parameters to use instead of the network's own (numParams entries). */
  params?: ArrayLike<number>;
}

/** Options of {@link empiricalNtk}. */
export interface EmpiricalNtkOptions {
  /**
   * 'structured': per-layer Gram products of activations and backpropagated signals, never building the Jacobian;
   * its tables grow with n·k (times the parameters for layers whose Gram products would cost more).
   * 'jacobian': J(x1)·J(x2)ᵀ contracted in blocks of examples, k·P (or k²·P for 'full') flops per pair of examples.
   * 'ntkVectorProducts': neural-tangents' `NTK_VECTOR_PRODUCTS`: for blocks of x2's examples, their Jacobian rows
   * are pushed through the network by forward mode (jvp) on x1, about k times twice a forward pass per pair of
   * examples, in memory bounded by blocks (of x2's Jacobian rows and of x1's tangents) whatever n and P.
   * 'auto' (default): 'structured' when its tables fit in 1 GiB (2^27 doubles), else whichever of
   * the other two costs fewer flops ('ntkVectorProducts' for 'full' outputs of dense networks with several outputs).
   */
  implementation?: NtkImplementation;
  /** 'mean' (default): n1 × n2, averaged over outputs; 'full': (n1·k) × (n2·k) with every output pair. */
  outputs?: NtkOutputs;
  /**
   * A matrix of the result's shape to write the kernel into (and return) instead of a new one: repeated calls
   * reuse its memory. It must not share entries with x1 or x2; after an error its entries are unspecified.
   */
  out?: Matrix;
  /** The graphs of x1's and x2's examples, `[p1, p2]` (p2 left out without x2), for a model with {@link aggregate} layers. */
  pattern?: readonly [unknown, unknown?];
}

/** Options of {@link network}. */
export interface NetworkOptions {
  /** The shape of one input: `[d]` for vectors, `[length, channels]` for sequences, `[height, width, channels]` for images, `[depth, height, width, channels]` for volumes. */
  inputShape: readonly number[];
  /** Seed of the initial parameters, and of the masks of dropout layers. Default 0. */
  seed?: number;
}

/**
 * One dense or conv layer's weights for {@link Network.fromWeights}: W and, when the layer has a bias, b
 * (neural-tangents' layout).
 */
export interface LayerWeights {
  /**
   * Dense: in × out; conv: HWIO, `[kh][kw][in][out]` (`[k][in][out]` for 1-D, `[kd][kh][kw][in][out]` for 3-D), or its
   * rows as (taps·in) × out; convLocal: per output position, `[oh][ow][in·taps][out]` (the input channel the slower
   * index of a row), or its rows as (positions·in·taps) × out. Nested arrays or flat row-major.
   */
  W: MatrixInput | ArrayLike<number> | NestedNumbers;
  /** Length out; convLocal: one per output position and output, flat or nested `[oh][ow][out]`. */
  b?: ArrayLike<number> | NestedNumbers;
}

/**
 * A globalSelfAttention layer's weights in neural-tangents' layout: `key` [nHeads][in][nChanKey], `value`
 * [nHeads][in][nChanVal], `out` [nChanVal·nHeads][nChanOut] (row v·nHeads + h), `b` of length nChanOut where it has a bias.
 */
export interface AttentionWeights {
  /** The keys' weights, [nHeads][in][nChanKey]. */
  key: NestedNumbers;
  /** The values' weights, [nHeads][in][nChanVal]. */
  value: NestedNumbers;
  /** The output's weights, (nChanVal·nHeads) × nChanOut, row v·nHeads + h. */
  out: MatrixInput | NestedNumbers;
  /** The output's bias, nChanOut entries (only where the layer has one). */
  b?: ArrayLike<number>;
}

/** Options of {@link Network.fromWeights}. */
export interface FromWeightsOptions {
  /** The shape of one input: `[d]` for vectors, `[length, channels]` for sequences, `[height, width, channels]` for images, `[depth, height, width, channels]` for volumes. */
  inputShape: readonly number[];
  /** One entry per dense, conv or globalSelfAttention layer, in the order they appear in the model. */
  weights: readonly (LayerWeights | AttentionWeights)[];
}

// Jacobian blocks of at most this many doubles (64 MiB each; two live at once).
const JACOBIAN_BLOCK_DOUBLES = 8 * 2 ** 20;
/** The most doubles (1 GiB) the structured empirical NTK's tables may take before 'auto' computes it in blocks. */
const STRUCTURED_NTK_DOUBLES = 2 ** 27;
// Blocks of the NTK by vector products: at most this many doubles (8 MiB) of directions and of tangents. Measured on
// bench/ntk.ts's MLP: faster than 64 MiB blocks (0.90 against 1.13 s warm, 0.95 against 1.33 s for a first call that
// must grow the memory), the products' operands staying in cache.
const VECTOR_PRODUCT_BLOCK_DOUBLES = 2 ** 20;
// Networks with more parameters cannot be held by wasm32 memory (2 GiB of doubles).
const MAX_PARAMETERS = 2 ** 28;

/** Examples per block of x1 (rows) and of x2 (columns) for an implementation of the empirical NTK. */
function ntkBlocks(program: Program, implementation: NtkImplementationName, n1: number, n2: number): NtkBlocks {
  const k = channelsOf(program, program.output);
  const p = program.paramCount;
  if (implementation !== 'ntkVectorProducts') {
    const block = Math.max(1, Math.min(Math.max(n1, n2), Math.floor(JACOBIAN_BLOCK_DOUBLES / (k * p))));
    return { rows: block, columns: block };
  }
  // Directions (columns·k·P) and tangents (rows·columns·k per entry of every value) each within the block bound,
  // rows and columns alike where both are free.
  let values = 0;
  for (let v = 0; v < program.values; v++) values += sizeOf(program, v);
  const columns = Math.max(
    1,
    Math.min(n2, Math.floor(VECTOR_PRODUCT_BLOCK_DOUBLES / (k * p)), Math.floor(Math.sqrt(VECTOR_PRODUCT_BLOCK_DOUBLES / (k * values)))),
  );
  // At least 16 blocks of x1, the unit threads share (so that every block, and so every product, has the same shape
  // whatever the number of threads).
  const rows = Math.max(1, Math.min(Math.ceil(n1 / 16), Math.floor(VECTOR_PRODUCT_BLOCK_DOUBLES / (columns * k * values))));
  return { rows, columns };
}

/** @internal 'structured' when its tables fit, else the cheaper in flops per pair of examples of 'jacobian' and 'ntkVectorProducts'. */
export function automaticImplementation(program: Program, n1: number, n2: number, full: boolean): NtkImplementationName {
  const k = channelsOf(program, program.output);
  let tables = 0;
  for (const ins of instructionsOf(program)) {
    const layout = OP_UNITS[ins.op].parameters?.termLayout(program, ins, k, full);
    if (layout) tables += (n1 + n2) * layout.widths.reduce((sum, width) => sum + width, 0);
  }
  if (tables <= STRUCTURED_NTK_DOUBLES) return 'structured';
  // The Jacobian blocks' products are thin (few examples, k·P long) and stream from memory: measured at about a third
  // of the forward-mode products' flop rate (bench/ntk.ts).
  const jacobianFlops = 3 * 2 * k * program.paramCount * (full ? k : 1);
  return k * tangentFlops(program) < jacobianFlops ? 'ntkVectorProducts' : 'jacobian';
}

/** The dense and conv layers of a program, with their sizes (in the order of their parameters). */
function affineLayers(program: Program) {
  return instructionsOf(program)
    .filter(({ op }) => OP_UNITS[op] === denseOp)
    .map((instruction) => {
      const { offset, fanIn, inChannels, outChannels, hasBias, copies } = affineOf(program, instruction);
      return { offset, fanIn, inChannels, width: outChannels, hasBias, copies, outSpatial: spatialOf(program, instruction.out) };
    });
}

/** A model's layers with weights, as `fromWeights` names them: the kind and the filter (none for dense). */
interface AffineKind {
  kind: 'dense' | 'conv' | 'convTranspose' | 'convLocal';
  filter: readonly number[];
}

/** The dense and conv layers of a model, in the order lowering places their parameters (attention's three dense layers). */
function affineKinds(layer: Layer): AffineKind[] {
  if (layer.kind === 'dense') return [{ kind: layer.kind, filter: [] }];
  if (layer.kind === 'globalSelfAttention') return new Array<AffineKind>(3).fill({ kind: 'dense', filter: [] });
  if (layer.kind === 'conv' || layer.kind === 'convTranspose' || layer.kind === 'convLocal') return [{ kind: layer.kind, filter: layer.filter }];
  if (layer.kind === 'repeat') return new Array<AffineKind[]>(layer.count).fill(affineKinds(layer.layer)).flat();
  return layer.kind === 'serial' || layer.kind === 'parallel' ? layer.layers.flatMap(affineKinds) : [];
}

/**
 * The weights list with every globalSelfAttention entry as its three dense layers' (keys, values, output), checked in
 * its own layout first so that errors name what was given: key and value [h][c][k] become the columns h·k of an
 * in × (heads·k) W; out and b stay. `origins[e]` is the given entry that expanded entry e comes from.
 */
function expandAttentionWeights(fn: string, model: Layer, program: Program, weights: unknown): { weights: unknown; origins?: number[] } {
  if (!Array.isArray(weights)) return { weights };
  const attention: (GlobalSelfAttentionLayer | null)[] = [];
  const visit = (layer: Layer): void => {
    if (layer.kind === 'globalSelfAttention') attention.push(layer);
    else if (layer.kind === 'dense' || layer.kind === 'conv' || layer.kind === 'convTranspose' || layer.kind === 'convLocal') attention.push(null);
    else if (layer.kind === 'repeat') for (let r = 0; r < layer.count; r++) visit(layer.layer);
    else if (layer.kind === 'serial' || layer.kind === 'parallel') layer.layers.forEach(visit);
  };
  visit(model);
  if (attention.every((layer) => layer === null)) return { weights };
  if (weights.length !== attention.length)
    throw new RangeError(`${fn}: weights has ${weights.length} entries but the model has ${attention.length} layers with weights`);
  const layers = affineLayers(program);
  const origins: number[] = [];
  const expanded = weights.flatMap((entry: unknown, l) => {
    const layer = attention[l];
    const at = origins.length;
    if (layer === null) {
      origins.push(l);
      return [entry];
    }
    origins.push(l, l, l);
    if (entry === null || typeof entry !== 'object') throw new TypeError(`${fn}: weights[${l}] must be { key, value, out, b? } (a globalSelfAttention layer)`);
    const given = checkOptions(fn, entry as AttentionWeights, ['key', 'value', 'out', 'b']);
    const inputs = layers[at].fanIn;
    const columns = (name: 'key' | 'value', perHead: number) => {
      const needs = [layer.nHeads, inputs, perHead];
      const shape = nestedShape(given[name]);
      if (shape.join('x') !== needs.join('x')) {
        throw new RangeError(
          `${fn}: weights[${l}].${name} is ${shape.join('x') || typeof given[name]} but globalSelfAttention layer ${l} needs ${needs.join('x')}`,
        );
      }
      const flat = flattenNested(fn, `weights[${l}].${name}`, given[name], needs, `globalSelfAttention layer ${l}'s ${name} (${needs.join('x')})`);
      const w = new Float64Array(flat.length);
      for (let h = 0; h < layer.nHeads; h++)
        for (let c = 0; c < inputs; c++) for (let k = 0; k < perHead; k++) w[(c * layer.nHeads + h) * perHead + k] = flat[(h * inputs + c) * perHead + k];
      return new Matrix(inputs, layer.nHeads * perHead, w);
    };
    const [keyW, valueW] = [columns('key', layer.nChanKey), columns('value', layer.nChanVal)];
    const outNeeds = [layer.nChanVal * layer.nHeads, layer.nChanOut];
    const out = given.out instanceof Matrix ? toMatrix(fn, `weights[${l}].out`, given.out) : given.out;
    const outShape = out instanceof Matrix ? [out.rows, out.cols] : nestedShape(out);
    if (outShape.join('x') !== outNeeds.join('x')) {
      throw new RangeError(`${fn}: weights[${l}].out is ${outShape.join('x') || typeof out} but globalSelfAttention layer ${l} needs ${outNeeds.join('x')}`);
    }
    const outW =
      out instanceof Matrix
        ? out
        : new Matrix(
            outNeeds[0],
            outNeeds[1],
            flattenNested(fn, `weights[${l}].out`, out, outNeeds, `globalSelfAttention layer ${l}'s out (${outNeeds.join('x')})`),
          );
    if ((given.b === undefined) !== (layer.bStd === null)) {
      throw new RangeError(
        `${fn}: weights[${l}] ${given.b === undefined ? 'has no b but globalSelfAttention layer ' + l + ' has a bias' : 'has b but globalSelfAttention layer ' + l + ' has no bias (bStd null)'}`,
      );
    }
    return [{ W: keyW }, { W: valueW }, { W: outW, ...(given.b === undefined ? {} : { b: given.b }) }];
  });
  return { weights: expanded, origins };
}

/** @internal Lowers a model for finite width, refusing networks too large for memory. */
export function lowerNetwork(fn: string, model: Layer, inputShape: readonly number[]): Program {
  if (model === null || typeof model !== 'object' || typeof (model as { kind?: unknown }).kind !== 'string') {
    throw new TypeError(`${fn}: model must be a layer (dense(), serial(), …)`);
  }
  const program = lowerProgram(fn, model, inputShape, false);
  if (program.paramCount > MAX_PARAMETERS) {
    throw new RangeError(
      `${fn}: the network would have ${program.paramCount.toExponential(2)} parameters ` +
        `(${((program.paramCount * 8) / 2 ** 30).toFixed(1)} GiB); at most 2^28 (2 GiB) fit in wasm32 memory on both backends; use narrower layers`,
    );
  }
  return program;
}

/** The program with `seed` in the attributes of the ops that draw random numbers as they run (dropout); itself when none does. */
function seeded(program: Program, seed: number): Program {
  if (!instructionsOf(program).some((ins) => OP_UNITS[ins.op].reseed !== undefined)) return program;
  const copy = { ...program, attributes: program.attributes.slice() };
  for (const ins of instructionsOf(copy)) OP_UNITS[ins.op].reseed?.(ins.attrs, seed);
  return copy;
}

/** @internal Seeded parameters: every parameterized layer's, in order, as its op draws them (neural-tangents' initialization). */
export function initialParameters(program: Program, seed: number): Float64Array {
  const random = new Random(seed);
  const params = new Float64Array(program.paramCount);
  const normal = () => random.normal();
  for (const instruction of instructionsOf(program)) OP_UNITS[instruction.op].parameters?.initialize(program, instruction, normal, params);
  return params;
}

/**
 * A network of finite width built from layers: `f(x; θ)` with θ one flat vector holding every dense or conv
 * layer's W (in × out, row-major; HWIO for conv) then b, in the order the layers appear, initialized as
 * neural-tangents does for the parameterization ('ntk': standard normals, scaled in the forward pass;
 * 'standard': N(0, wStd²/fanIn), fanIn = filter taps × input channels for conv).
 *
 * @example
 * ```ts
 * const net = network(serial(dense(64), residual(relu(), dense(64)), relu(), dense(1)), { inputShape: [3], seed: 0 });
 * net.apply([[1, 2, 3]]).get(0, 0);
 * ```
 */
export class Network {
  /** Flat parameters θ. Replaced by {@link Network.train}. */
  params: Float64Array;
  /** The shape of one input. */
  readonly inputShape: readonly number[];
  /** @internal The name errors use ('Network' or 'MLP'). */
  protected readonly label: string;
  private readonly lowered: Program;
  /** What keys the masks of its dropout layers: the seed it was made with (0 from fromWeights). */
  private readonly seed: number;

  /** @internal Use {@link network} or {@link Network.fromWeights}. */
  constructor(program: Program, inputShape: readonly number[], params: Float64Array, label = 'Network', seed = 0) {
    this.lowered = seeded(program, seed);
    this.seed = seed;
    this.inputShape = inputShape;
    this.params = params;
    this.label = label;
  }

  /**
   * A network with given weights, in neural-tangents' layout: one `{ W, b? }` per dense or conv layer, in order,
   * W as nested arrays (what `W.tolist()` gives: in × out for dense, HWIO for conv) or flat row-major, b of
   * length out.
   *
   * @example
   * ```ts
   * const net = Network.fromWeights(serial(dense(1, { parameterization: 'standard' })), { inputShape: [2], weights: [{ W: [[1], [1]], b: [0] }] });
   * net.apply([[1, 2]]).get(0, 0); // 3
   * ```
   */
  static fromWeights(model: Layer, options: FromWeightsOptions): Network {
    const fn = 'Network.fromWeights';
    if (options === undefined) throw new TypeError(`${fn}: options with inputShape and weights are required`);
    const opts = checkOptions(fn, options, ['inputShape', 'weights']);
    const inputShape = checkInputShape(fn, opts.inputShape);
    const program = lowerNetwork(fn, model, inputShape);
    const { weights, origins } = expandAttentionWeights(fn, model, program, opts.weights);
    return new Network(program, inputShape, parametersFromWeights(fn, program, affineKinds(model), weights, origins));
  }

  /** Number of trainable parameters. */
  get numParams(): number {
    return this.params.length;
  }

  /** Number of outputs. */
  get outputDim(): number {
    return channelsOf(this.lowered, this.lowered.output);
  }

  /** @internal The lowered program the backends run. */
  program(): Program {
    return this.lowered;
  }

  /**
   * @internal Validated inputs for `fn`, as the backends take them: n rows of the input's entries, each followed by its
   * example's graph from `pattern` for a model with aggregate layers (`patternName` names it in errors).
   */
  inputs(fn: string, name: string, x: ExamplesInput, pattern?: unknown, patternName = 'pattern'): Matrix {
    const m = toMatrix(fn, name, exampleRows(fn, name, x, this.inputShape));
    requireNonEmpty(fn, name, m);
    const features = this.inputShape.reduce((p, v) => p * v, 1);
    if (m.cols !== features) {
      const shape = this.inputShape.length > 1 ? ` (inputShape [${this.inputShape.join(', ')}])` : '';
      throw new RangeError(`${fn}: ${name} is ${shapeOf(m)} but the network takes ${features} inputs${shape}`);
    }
    if (pattern !== undefined && this.lowered.graph === null)
      throw new RangeError(`${fn}: ${patternName} is given but the model has no aggregate layer to read it`);
    return withGraphs(fn, patternName, this.lowered, m, pattern);
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
   * const net = network(serial(dense(16), relu(), dense(1)), { inputShape: [3], seed: 2 });
   * net.apply([[0.1, 0.2, 0.3]]).get(0, 0);
   * ```
   */
  apply(x: ExamplesInput, params?: ArrayLike<number> | ApplyOptions): Matrix {
    const fn = `${this.label}.apply`;
    const given = applyOptions(fn, params);
    const mx = this.inputs(fn, 'x', x, given.pattern);
    return this.outputs(fn, this.checkedParams(fn, given.params), mx);
  }

  /** @internal Outputs at parameters `theta` for inputs as {@link Network.inputs} gives them. */
  outputs(fn: string, theta: Float64Array, mx: Matrix): Matrix {
    const outputs = current().networkForward(fn, this.lowered, theta, mx.data, mx.rows);
    return new Matrix(mx.rows, this.outputDim, requireFiniteResult(fn, 'the outputs', outputs, this.outputDim, 'scale the inputs down'));
  }

  /**
   * Per-example Jacobian ((n·outputDim) × numParams): row i·outputDim + o is ∂f_o(x_i)/∂θ.
   *
   * @example
   * ```ts
   * const net = network(serial(dense(8), tanh(), dense(1)), { inputShape: [2], seed: 3 });
   * const j = net.jacobian([[1, 2], [3, 4]]); // 2 × net.numParams
   * ```
   */
  jacobian(x: ExamplesInput, options?: PatternOptions): Matrix {
    const fn = `${this.label}.jacobian`;
    const mx = this.inputs(fn, 'x', x, checkOptions(fn, options, ['pattern']).pattern);
    requireFits(fn, 'the Jacobian', mx.rows * this.outputDim, this.numParams);
    const theta = this.checkedParams(fn);
    const jacobian = current().networkJacobian(fn, this.lowered, theta, mx.data, mx.rows);
    return new Matrix(mx.rows * this.outputDim, this.numParams, requireFiniteResult(fn, 'the Jacobian', jacobian, this.numParams, 'scale the inputs down'));
  }

  /**
   * J(x)·v: how the outputs move along a direction `v` of θ (numParams entries), n × outputDim, by forward mode
   * (jax.jvp in θ) without forming the Jacobian: about twice a forward pass.
   *
   * @example
   * ```ts
   * const net = network(serial(dense(8), tanh(), dense(1)), { inputShape: [2], seed: 3 });
   * const v = new Float64Array(net.numParams).fill(0.01);
   * const moved = net.jvp([[1, 2], [3, 4]], v); // 2 × 1, equal to net.jacobian(x)·v
   * ```
   */
  jvp(x: ExamplesInput, v: ArrayLike<number>, options?: PatternOptions): Matrix {
    const fn = `${this.label}.jvp`;
    const mx = this.inputs(fn, 'x', x, checkOptions(fn, options, ['pattern']).pattern);
    const theta = this.checkedParams(fn);
    if (v === null || typeof v !== 'object' || typeof (v as { length?: unknown }).length !== 'number') {
      throw new TypeError(`${fn}: v must be an array of ${this.numParams} numbers (a direction of θ)`);
    }
    if (v.length !== this.numParams) throw new RangeError(`${fn}: v has ${v.length} entries but the network has ${this.numParams} parameters`);
    const direction = Float64Array.from(v);
    direction.forEach((value, i) => {
      if (!Number.isFinite(value)) throw new TypeError(`${fn}: v[${i}] is ${v[i]}; a direction must be finite`);
    });
    return this.tangents(fn, theta, mx, direction);
  }

  /** @internal J(x)·v at parameters `theta` for a checked direction. */
  tangents(fn: string, theta: Float64Array, mx: Matrix, direction: Float64Array): Matrix {
    const moved = current().networkTangents(fn, this.lowered, theta, mx.data, mx.rows, direction, 1);
    return new Matrix(mx.rows, this.outputDim, requireFiniteResult(fn, 'the tangents', moved, this.outputDim, 'scale the inputs or v down'));
  }

  /**
   * Trains the network, updating its parameters: by default full-batch gradient descent on `L = ‖f(X) − Y‖²/(2N)`,
   * `N = Y.rows·Y.cols`; the options choose the loss, the optimizer and minibatches (see {@link TrainOptions}). A run
   * that diverges throws a RangeError naming the step and `maxLearningRate`, and leaves θ as it was.
   *
   * @example
   * ```ts
   * const net = network(serial(dense(128), relu(), dense(1)), { inputShape: [1], seed: 4 });
   * const { loss } = net.train([[-1], [0], [1]], [1, 0, 1], { learningRate: 1, steps: 500 });
   * loss[500] < loss[0]; // true
   * // Classes: cross-entropy on one-hot targets, Adam on minibatches of 2.
   * const classifier = network(serial(dense(64), relu(), dense(2)), { inputShape: [1], seed: 1 });
   * classifier.train([[-1], [0], [1], [2]], [[1, 0], [0, 1], [1, 0], [0, 1]], { learningRate: 0.01, steps: 40, loss: 'crossEntropy', optimizer: 'adam', batchSize: 2 });
   * // A loss of your own: the mean absolute error, its value and its gradient in f.
   * const mae = {
   *   value: (f: Matrix, y: Matrix) => f.data.reduce((sum, v, i) => sum + Math.abs(v - y.data[i]), 0) / f.data.length,
   *   gradient: (f: Matrix, y: Matrix) => new Matrix(f.rows, f.cols, f.data.map((v, i) => Math.sign(v - y.data[i]) / f.data.length)),
   * };
   * net.train([[-1], [0], [1]], [1, 0, 1], { learningRate: 0.1, steps: 10, loss: mae, optimizer: 'momentum' });
   * ```
   */
  train(x: ExamplesInput, y: TargetsInput, options: TrainOptions): TrainResult {
    return this.trainChecked(this.trainArguments(`${this.label}.train`, x, y, options));
  }

  /** @internal The arguments of a training run, checked in the name of `fn`. */
  trainArguments(fn: string, x: ExamplesInput, y: TargetsInput, options: TrainOptions): TrainArguments {
    const mx = this.inputs(fn, 'x', x, (options as TrainOptions | undefined)?.pattern);
    const my = toTargets(fn, 'y', y, mx.rows, 'x');
    if (my.cols !== this.outputDim) throw new RangeError(`${fn}: y is ${shapeOf(my)} but the network has ${this.outputDim} outputs`);
    return checkedTraining(fn, mx, my, trainOptions(fn, options));
  }

  /** @internal Trains on checked arguments (see {@link Network.train}). */
  trainChecked(run: TrainArguments): TrainResult {
    const { params, loss } = this.trainFrom(run, this.checkedParams(run.fn), null);
    this.params = params;
    return { loss };
  }

  /**
   * @internal Trains from parameters `start` (a copy is returned), the network itself or, with `base`, its
   * linearization at θ0 = base.
   */
  trainFrom(run: TrainArguments, start: Float64Array, base: Float64Array | null): { params: Float64Array; loss: Float64Array } {
    const { fn, mx, my, learningRate, steps, onProgress, signal } = run;
    let params = start;
    const state = new Float64Array((run.optimizer === 'adam' ? 2 : 1) * this.numParams);
    let done = 0;
    const loss = runInChunks(
      fn,
      steps,
      onProgress,
      signal,
      (chunk) => {
        const { indices, starts } = minibatches(run, mx.rows, done, chunk);
        const plan: TrainPlan = {
          loss: LOSS[run.loss],
          optimizer: OPTIMIZER[run.optimizer],
          learningRate,
          momentum: run.momentum,
          beta1: run.beta1,
          beta2: run.beta2,
          eps: run.eps,
          weightDecay: run.weightDecay,
          indices,
          starts,
          state,
          stepsBefore: done,
          base,
          customLoss: run.customLoss,
        };
        const result = current().networkTrain(fn, this.lowered, params, mx.data, my.data, mx.rows, plan);
        params = result.params;
        done += chunk;
        return result.losses;
      },
      () => learningRateHint(learningRate, () => maxLearningRate(this.rowsKernel('empiricalNtk', base ?? this.params, mx, null, {}), { outputs: my.cols })),
    );
    return { params, loss };
  }

  /**
   * An independent copy (same model and parameters).
   *
   * @example
   * ```ts
   * const before = net.clone(); net.train(x, y, { learningRate: 1, steps: 10 });
   * ```
   */
  clone(): Network {
    return new Network(this.lowered, this.inputShape, this.params.slice(), this.label, this.seed);
  }

  /** @internal The empirical NNGP f(x1)·f(x2)ᵀ: divided by the outputs ('mean', default) or every output pair ('full'). */
  nngpKernel(fn: string, params: Float64Array, x1: ExamplesInput, x2: ExamplesInput | undefined, outputs: unknown, pattern?: unknown): Matrix {
    const full = enumOption<NtkOutputs>(fn, 'outputs', outputs, ['mean', 'full'], 'mean') === 'full';
    const [pattern1, pattern2] = this.patterns(fn, pattern, x2 !== undefined);
    const m1 = this.inputs(fn, 'x1', x1, pattern1, 'pattern[0]');
    const m2 = x2 === undefined ? null : this.inputs(fn, 'x2', x2, pattern2, 'pattern[1]');
    const k = this.outputDim;
    requireFits(fn, 'the kernel', full ? m1.rows * k : m1.rows, full ? (m2 ?? m1).rows * k : (m2 ?? m1).rows);
    const f = (m: Matrix) =>
      requireFiniteResult(fn, 'the outputs', current().networkForward(fn, this.lowered, params, m.data, m.rows), k, 'scale the inputs down');
    const f1 = f(m1);
    const f2 = m2 === null ? f1 : f(m2);
    const [n1, n2] = [m1.rows, (m2 ?? m1).rows];
    if (full) return product(fn, new Matrix(n1 * k, 1, f1), new Matrix(n2 * k, 1, f2), false, true);
    const dot = product(fn, new Matrix(n1, k, f1), new Matrix(n2, k, f2), false, true);
    for (let i = 0; i < dot.data.length; i++) dot.data[i] /= k;
    return dot;
  }

  /** @internal The `pattern` option of a kernel: the graphs of x1's and x2's examples. */
  patterns(fn: string, pattern: unknown, second: boolean): [unknown, unknown] {
    return patternOption(fn, this.lowered, pattern, second);
  }

  /** @internal The empirical NTK with parameters `params`, for `fn`. */
  kernel(fn: string, params: Float64Array, x1: ExamplesInput, x2: ExamplesInput | undefined, options: EmpiricalNtkOptions | undefined): Matrix {
    const opts = checkOptions(fn, options, ['implementation', 'outputs', 'out', 'pattern']);
    const [pattern1, pattern2] = this.patterns(fn, opts.pattern, x2 !== undefined);
    const m1 = this.inputs(fn, 'x1', x1, pattern1, 'pattern[0]');
    const m2 = x2 === undefined ? null : this.inputs(fn, 'x2', x2, pattern2, 'pattern[1]');
    return this.rowsKernel(fn, params, m1, m2, opts);
  }

  /** @internal The empirical NTK of inputs as {@link Network.inputs} gives them (rows with their examples' graphs). */
  rowsKernel(fn: string, params: Float64Array, m1: Matrix, m2: Matrix | null, opts: Omit<EmpiricalNtkOptions, 'pattern'>): Matrix {
    const implementation = enumOption<NtkImplementation>(
      fn,
      'implementation',
      opts.implementation,
      ['auto', 'structured', 'jacobian', 'ntkVectorProducts'],
      'auto',
    );
    const outputs = enumOption<NtkOutputs>(fn, 'outputs', opts.outputs, ['mean', 'full'], 'mean');
    const n2 = m2?.rows ?? m1.rows;
    const k = this.outputDim;
    const full = outputs === 'full';
    const [rows, cols] = full ? [m1.rows * k, n2 * k] : [m1.rows, n2];
    requireFits(fn, 'the kernel', rows, cols);
    const out = outOption(fn, opts.out, rows, cols, [m1, m2]);
    const chosen = implementation === 'auto' ? automaticImplementation(this.lowered, m1.rows, n2, full) : implementation;
    const data = current().networkNtk(
      fn,
      this.lowered,
      params,
      m1.data,
      m1.rows,
      m2?.data ?? null,
      n2,
      full,
      chosen,
      ntkBlocks(this.lowered, chosen, m1.rows, n2),
      out?.data,
    );
    return resultInto(out, rows, cols, requireFiniteResult(fn, 'the kernel', data, cols, 'scale the inputs down'));
  }
}

/** @internal The second argument of an apply: parameters, or options that may hold them and the examples' graphs. */
export function applyOptions(fn: string, params: ArrayLike<number> | ApplyOptions | undefined): ApplyOptions {
  return params === undefined || isArrayLike(params) ? { params } : checkOptions(fn, params, ['params', 'pattern']);
}

/** Whether a value is array-like (parameters), not an options object. */
const isArrayLike = (value: unknown): value is ArrayLike<number> =>
  Array.isArray(value) ||
  ArrayBuffer.isView(value) ||
  (typeof value === 'object' && value !== null && typeof (value as { length?: unknown }).length === 'number');

/** @internal A training run's checked arguments: the name errors use, inputs, targets and options. */
export type TrainArguments = { fn: string; mx: Matrix; my: Matrix } & Omit<ReturnType<typeof trainOptions>, 'batches'> & { batches?: Int32Array[] };

/** Training options checked against the data: the batch size, the batches' indices, cross-entropy's targets. */
function checkedTraining(fn: string, mx: Matrix, my: Matrix, options: ReturnType<typeof trainOptions>): TrainArguments {
  const n = mx.rows;
  if (options.batchSize !== undefined && options.batchSize > n) throw new RangeError(`${fn}: batchSize is ${options.batchSize} but x has ${n} examples`);
  let batches: Int32Array[] | undefined;
  if (options.batches !== undefined) {
    if (!Array.isArray(options.batches) || options.batches.length === 0)
      throw new TypeError(`${fn}: batches must be a non-empty array of arrays of example indices`);
    batches = options.batches.map((batch, b) => {
      if (!Array.isArray(batch) || batch.length === 0) throw new TypeError(`${fn}: batches[${b}] must be a non-empty array of example indices`);
      return Int32Array.from(batch, (index, i) => numberOption(fn, `batches[${b}][${i}]`, index, undefined, { integer: true, min: 0, max: n - 1 }));
    });
  }
  if (options.loss === 'crossEntropy') {
    const k = my.cols;
    if (k < 2) throw new RangeError(`${fn}: loss 'crossEntropy' needs at least 2 outputs (a softmax over them), but y is ${shapeOf(my)}`);
    for (let i = 0; i < my.rows; i++) {
      let sum = 0;
      for (let o = 0; o < k; o++) {
        const v = my.data[i * k + o];
        if (v < 0) throw new RangeError(`${fn}: y[${i}][${o}] is ${v}; loss 'crossEntropy' takes one-hot rows or probabilities`);
        sum += v;
      }
      if (Math.abs(sum - 1) > 1e-9)
        throw new RangeError(`${fn}: y[${i}] sums to ${sum}; loss 'crossEntropy' takes one-hot rows or probabilities (summing to 1)`);
    }
  }
  return { fn, mx, my, ...options, batches };
}

/**
 * The minibatches of steps [first, first + count) as one index list and each step's start in it; indices null when
 * every step takes every example (full batch, without a list of steps × n indices).
 */
function minibatches(run: TrainArguments, n: number, first: number, count: number): { indices: Int32Array | null; starts: Int32Array } {
  const starts = new Int32Array(count + 1);
  if (run.batches === undefined && run.batchSize === undefined) {
    for (let s = 0; s < count; s++) starts[s + 1] = starts[s] + n;
    return { indices: null, starts };
  }
  const batches: ArrayLike<number>[] = [];
  const orders = new Map<number, Int32Array>();
  for (let s = first; s < first + count; s++) {
    if (run.batches !== undefined) batches.push(run.batches[s % run.batches.length]);
    else {
      // Epoch e's permutation, cut in batches of batchSize; the last of the epoch takes what is left.
      const size = run.batchSize!;
      const perEpoch = Math.ceil(n / size);
      const epoch = Math.floor(s / perEpoch);
      if (!orders.has(epoch)) orders.set(epoch, epochOrder(run.seed, epoch, n));
      const start = (s % perEpoch) * size;
      batches.push(orders.get(epoch)!.subarray(start, Math.min(n, start + size)));
    }
  }
  batches.forEach((batch, s) => (starts[s + 1] = starts[s] + batch.length));
  const indices = new Int32Array(starts[count]);
  batches.forEach((batch, s) => indices.set(batch, starts[s]));
  return { indices, starts };
}

const everyExample = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** A seeded Fisher–Yates permutation of n examples for epoch `epoch`. */
function epochOrder(seed: number, epoch: number, n: number): Int32Array {
  const random = new Random((Math.imul(seed | 0, 1_000_003) + epoch) | 0);
  const order = everyExample(n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The loss of {@link TrainOptions}: a built-in one by name, or the user's functions as a {@link TrainingLoss}. */
function lossOption(fn: string, loss: TrainOptions['loss']): { loss: keyof typeof LOSS; customLoss: TrainingLoss | null } {
  if (loss === undefined || typeof loss === 'string') return { loss: enumOption(fn, 'loss', loss, ['mse', 'crossEntropy'] as const, 'mse'), customLoss: null };
  if (loss === null || typeof loss !== 'object') {
    throw new TypeError(`${fn}: loss must be 'mse', 'crossEntropy' or { value(f, y), gradient(f, y) }, got ${typeof loss}`);
  }
  const { value, gradient } = checkOptions(fn, loss, ['value', 'gradient']);
  const valueOf = functionArgument(fn, 'loss.value', value) as Required<CustomLoss>['value'];
  const gradientOf = functionArgument(fn, 'loss.gradient', gradient) as CustomLoss['gradient'];
  const customLoss: TrainingLoss = (f, y, rows, k, out) => {
    const [fm, ym] = [new Matrix(rows, k, f.slice()), new Matrix(rows, k, y.slice())];
    const g = toMatrix(fn, 'loss.gradient(f, y)', gradientOf(fm, ym) as MatrixInput);
    if (g.rows !== rows || g.cols !== k) throw new RangeError(`${fn}: loss.gradient(f, y) is ${shapeOf(g)} for a minibatch of ${rows}x${k} outputs`);
    const loss = valueOf(new Matrix(rows, k, f.slice()), new Matrix(rows, k, y.slice()));
    if (typeof loss !== 'number') throw new TypeError(`${fn}: loss.value(f, y) must return a number, got ${typeof loss}`);
    out.set(g.data);
    return loss;
  };
  return { loss: 'custom', customLoss };
}

/** Validated {@link TrainOptions}. */
export function trainOptions(fn: string, options: TrainOptions) {
  if (options === undefined) throw new TypeError(`${fn}: options with learningRate and steps are required`);
  const opts = checkOptions(fn, options, [
    'learningRate',
    'steps',
    'loss',
    'optimizer',
    'momentum',
    'beta1',
    'beta2',
    'eps',
    'weightDecay',
    'batchSize',
    'seed',
    'batches',
    'pattern',
    'onProgress',
    'signal',
  ]);
  const optimizer = enumOption(fn, 'optimizer', opts.optimizer, ['sgd', 'momentum', 'adam'] as const, 'sgd');
  if (opts.momentum !== undefined && optimizer !== 'momentum') throw new TypeError(`${fn}: momentum applies to optimizer 'momentum', not '${optimizer}'`);
  for (const name of ['beta1', 'beta2', 'eps'] as const) {
    if (opts[name] !== undefined && optimizer !== 'adam') throw new TypeError(`${fn}: ${name} applies to optimizer 'adam', not '${optimizer}'`);
  }
  if (opts.batches !== undefined && (opts.batchSize !== undefined || opts.seed !== undefined)) {
    throw new TypeError(`${fn}: give either batches or batchSize (with its seed), not both`);
  }
  if (opts.seed !== undefined && opts.batchSize === undefined) throw new TypeError(`${fn}: seed shuffles the minibatches of batchSize, which is not given`);
  return {
    learningRate: numberOption(fn, 'learningRate', opts.learningRate, undefined, { above: 0 }),
    steps: numberOption(fn, 'steps', opts.steps, undefined, { integer: true, min: 0 }),
    ...lossOption(fn, opts.loss),
    optimizer,
    momentum: numberOption(fn, 'momentum', opts.momentum, 0.9, { min: 0 }),
    beta1: numberOption(fn, 'beta1', opts.beta1, 0.9, { min: 0, max: 1 - Number.EPSILON / 2 }),
    beta2: numberOption(fn, 'beta2', opts.beta2, 0.999, { min: 0, max: 1 - Number.EPSILON / 2 }),
    eps: numberOption(fn, 'eps', opts.eps, 1e-8, { above: 0 }),
    weightDecay: numberOption(fn, 'weightDecay', opts.weightDecay, 0, { min: 0 }),
    batchSize: opts.batchSize === undefined ? undefined : numberOption(fn, 'batchSize', opts.batchSize, undefined, { integer: true, min: 1 }),
    seed: numberOption(fn, 'seed', opts.seed, 0, { integer: true }),
    batches: opts.batches,
    onProgress: opts.onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', opts.onProgress),
    signal: signalOption(fn, opts.signal),
  };
}

/** θ from one `{ W, b? }` per dense layer of the program, checked against its shapes. */
function parametersFromWeights(fn: string, program: Program, kinds: readonly AffineKind[], weights: unknown, origins?: readonly number[]): Float64Array {
  const layers = affineLayers(program);
  if (!Array.isArray(weights)) throw new TypeError(`${fn}: weights must be an array of { W, b? }, one per dense or conv layer`);
  if (weights.length !== layers.length) {
    const what = kinds.some(({ kind }) => kind !== 'dense') ? 'dense and conv' : 'dense';
    throw new RangeError(`${fn}: weights has ${weights.length} entries but the model has ${layers.length} ${what} layers`);
  }
  const params = new Float64Array(program.paramCount);
  layers.forEach(({ offset, fanIn, inChannels, width, hasBias, copies, outSpatial }, l) => {
    const entry = weights[l] as LayerWeights | undefined;
    // The entry as given (an attention layer's three dense layers are one entry).
    const u = origins?.[l] ?? l;
    const { kind, filter } = kinds[l];
    // convLocal: a W and a b per output position, neural-tangents' [oh][ow][c·taps][out] and [oh][ow][out].
    const positions = outSpatial.slice(0, filter.length);
    if (entry === null || typeof entry !== 'object') throw new TypeError(`${fn}: weights[${u}] must be { W, b? }`);
    // W: a Matrix or nested arrays of in × out (in = taps·channels for conv), HWIO ([kh][kw][in][out], [k][in][out]
    // for 1-D, [kd][kh][kw][in][out] for 3-D) for conv, or flat row-major.
    const name = `weights[${u}].W`;
    const hwio = kind === 'convLocal' ? [...positions, fanIn, width] : [...filter, inChannels, width];
    const needs = kind === 'dense' ? `${fanIn}x${width}` : hwio.join('x');
    const rows = copies * fanIn;
    let w: Float64Array;
    if (entry.W instanceof Matrix) {
      const m = toMatrix(fn, name, entry.W);
      if (m.rows !== rows || m.cols !== width) throw new RangeError(`${fn}: ${name} is ${shapeOf(m)} but ${kind} layer ${u} needs ${rows}x${width}`);
      w = m.data;
    } else if (nestedShape(entry.W).length > 1) {
      const shape = nestedShape(entry.W);
      const target = [hwio, [rows, width]].find((candidate) => candidate.join('x') === shape.join('x'));
      if (target === undefined) throw new RangeError(`${fn}: ${name} is ${shape.join('x')} but ${kind} layer ${u} needs ${needs}`);
      w = flattenNested(fn, name, entry.W, target, `${kind} layer ${u} (${target.join('x')})`);
    } else {
      const flat = entry.W as ArrayLike<unknown> | undefined;
      if (flat === undefined || flat === null || typeof flat.length !== 'number')
        throw new TypeError(`${fn}: ${name} must be a Matrix, nested arrays or a flat array`);
      if (flat.length !== rows * width) throw new RangeError(`${fn}: ${name} is ${flat.length} entries but ${kind} layer ${u} needs ${needs}`);
      w = flattenNested(fn, name, Array.from(flat), [rows * width], `${kind} layer ${u}`);
    }
    params.set(w, offset);
    if (!hasBias) {
      if (entry.b !== undefined) throw new RangeError(`${fn}: weights[${u}] has b but ${kind} layer ${u} has no bias (bStd null)`);
      return;
    }
    // One bias per output (convLocal: per output position and output, flat or nested [oh][ow][out]).
    const biasShape = copies > 1 ? [...positions, width] : [width];
    const b = entry.b === undefined ? undefined : nestedShape(entry.b).length > 1 ? entry.b : Array.from(entry.b as ArrayLike<unknown>);
    const count = copies * width;
    if (b === undefined || (nestedShape(b).length <= 1 && (b as unknown[]).length !== count)) {
      throw new RangeError(
        `${fn}: weights[${u}].b has ${(b as unknown[] | undefined)?.length ?? 'no'} entries but ${kind} layer ${u} has ` +
          (copies > 1 ? `${count} biases (${biasShape.join('x')})` : `${width} outputs`),
      );
    }
    const biases =
      nestedShape(b).length > 1 ? flattenNested(fn, `weights[${u}].b`, b, biasShape, `${kind} layer ${u}'s biases (${biasShape.join('x')})`) : null;
    for (let j = 0; j < count; j++) {
      const v = biases === null ? (b as unknown[])[j] : biases[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${fn}: weights[${u}].b[${j}] is ${v}; entries must be finite numbers`);
      params[offset + rows * width + j] = v;
    }
  });
  return params;
}

/**
 * A network of the given model with seeded initial parameters (neural-tangents' initialization for each
 * dense layer's parameterization).
 *
 * @example
 * ```ts
 * const net = network(serial(dense(512, { wStd: 1.5 }), erf(), dense(1, { wStd: 1.5 })), { inputShape: [3], seed: 0 });
 * net.numParams; // 3·512 + 512 + 512 + 1
 * ```
 */
export function network(model: Layer, options: NetworkOptions): Network {
  const fn = 'network';
  if (options === undefined) throw new TypeError(`${fn}: options with inputShape are required`);
  const opts = checkOptions(fn, options, ['inputShape', 'seed']);
  const inputShape = checkInputShape(fn, opts.inputShape);
  const seed = numberOption(fn, 'seed', opts.seed, 0, { integer: true });
  const program = lowerNetwork(fn, model, inputShape);
  return new Network(program, inputShape, initialParameters(program, seed), 'Network', seed);
}
