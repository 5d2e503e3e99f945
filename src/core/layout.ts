// The one table of every number both languages must agree on: the program's record widths and the attribute slots
// of its ops, kernel and mode codes, block sizes. scripts/build-wasm.mjs emits assembly/generated/layout.ts from it,
// with the opcodes (src/ops/index.ts) and the activation ids (src/ops/activations/index.ts), so the two sides cannot
// drift apart.

/**
 * Int32 entries per instruction: opcode, input value, second input value (sum; else −1), output value, offset of
 * the layer's parameters in θ (dense; else 0).
 */
export const PROGRAM_WIDTH = 5;

/** Float64 attributes per instruction: an op's own slots ({@link SLOTS}), then from {@link WINDOW} on its window. */
export const PROGRAM_ATTRIBUTES = 17;

/** Where the window of a windowed instruction (dense, avgPool) starts among its attributes. */
export const WINDOW = 7;

/** The most spatial axes a value may have (1-D sequences, 2-D images, 3-D volumes). */
export const SPATIAL_AXES = 3;

/**
 * Int32 entries per value in a program's shape table: the sizes of its {@link SPATIAL_AXES} spatial axes (1 past the
 * value's own: a sequence of length l is l × 1 × 1, a vector 1 × 1 × 1), then its channels.
 */
export const SHAPE_WIDTH = SPATIAL_AXES + 1;

/**
 * The attribute slots of each op, by name. dense: wStd², bStd² (0 without bias), fan-in (filter taps × input
 * channels) when 'standard' (else 0), has a bias (0/1), 'standard' (0/1), the finite-width scales c and s of
 * z = c·h·W + s·b ('ntk': wStd/√fanIn and bStd; 'standard': 1 and 1). activation: its id, then its parameters
 * (leaky_relu's leak, sin's a, b, c, …). layerNorm: eps, over all axes (0/1). avgPool and globalAvgPool: what the sum
 * over the window (or all positions) divides by: its size for a mean, 1 for a sum; avgPool's normalizeEdges (0/1): divide
 * instead by the window's positions inside the input. fanInConcat: the axis (-1 the
 * channels, 0 to 2 a spatial axis) and, along the channels, each input's share of the output's channels.
 * elementwise: the index of its JavaScript passes in the program's hosts, its quadrature's points per axis (0: none).
 * dropout: the keep probability, the network's seed (its masks' key). gather (index): per spatial axis i, at 3·i, the
 * first index, the step and how many are kept, then the channels' first index and step. imageResize: 'nearest' (0/1,
 * else 'linear'), antialias (0/1). aggregate: from `axes` on, the spatial axes it aggregates over (0 to 2) in the pattern's order, −1 after the last. attend
 * (globalSelfAttention): the mechanism ({@link ATTENTION}), wQueryStd·wKeyStd, the key channels per head, the heads.
 * window (dense, avgPool): per spatial axis, from `filter`, `strides` and `before` on, the filter size, the stride and the
 * padding before the first input; then the mode ({@link WINDOW_MODE} flags: circular, transposed).
 */
export const SLOTS = {
  dense: { weightVariance: 0, biasVariance: 1, standardFanIn: 2, hasBias: 3, standard: 4, weightScale: 5, biasScale: 6 },
  activation: { id: 0, firstParameter: 1 },
  layerNorm: { eps: 0, allAxes: 1 },
  avgPool: { divisor: 0, normalizeEdges: 1 },
  globalAvgPool: { divisor: 0 },
  fanInConcat: { axis: 0, firstWeight: 1, secondWeight: 2 },
  elementwise: { host: 0, points: 1 },
  dropout: { rate: 0, seed: 1 },
  imageResize: { nearest: 0, antialias: 1 },
  aggregate: { axes: 0 },
  attend: { mechanism: 0, queryKeyScale: 1, keyChannels: 2, heads: 3 },
  gather: { axes: 0, cStart: 3 * SPATIAL_AXES, cStep: 3 * SPATIAL_AXES + 1 },
  window: { filter: WINDOW, strides: WINDOW + SPATIAL_AXES, before: WINDOW + 2 * SPATIAL_AXES, mode: WINDOW + 3 * SPATIAL_AXES },
} as const;

/**
 * The flags of a window's mode slot: `circular` wraps the input around its edges; `transposed` reads, for output o at
 * tap t, input (o + t − before)/stride where that is a whole number inside the input (a transposed convolution);
 * `unshared` gives every output position weights and a bias of its own (a locally connected layer, convLocal).
 */
export const WINDOW_MODE = { circular: 1, transposed: 2, unshared: 4 } as const;

/** The attention mechanisms' codes: what turns an attention logit into a weight (softmax over the key positions). */
export const ATTENTION = { softmax: 0, identity: 1, abs: 2, relu: 3 } as const;

/** Parameters an activation may have (its attribute slots after the id). */
export const ACTIVATION_PARAMETERS = PROGRAM_ATTRIBUTES - SLOTS.activation.firstParameter;

/**
 * How the structured empirical NTK computes an affine layer's term: `dense` for one output position,
 * (c²·HHᵀ + s²) ⊙ GGᵀ; `jacobian`, per-example weight gradients c·Pᵢᵀ·Gᵢ and their Gram matrix; `pairs`, the
 * position-pair form c²·Σ_{p,p′}(PᵢPⱼᵀ)[p, p′]·(GᵢGⱼᵀ)[p, p′] + s²·⟨1ᵀGᵢ, 1ᵀGⱼ⟩.
 */
export const TERM = { dense: 0, jacobian: 1, pairs: 2 } as const;

/** The classic kernels' map codes. */
export const CLASSIC_KIND = { linear: 0, polynomial: 1, rbf: 2 } as const;

/** What a pass over rows of K(x, C) computes: K·v, Kᵀ·u, or both in turn (Kᵀ·K·v). */
export const NYSTROM_MODE = { times: 0, transpose: 1, normal: 2 } as const;

/**
 * The training losses' codes: ‖f − y‖²/(2·rows·k), the mean cross-entropy of softmax(f) against y, and a loss given in
 * JavaScript (its value and gradient on the whole minibatch).
 */
export const LOSS = { mse: 0, crossEntropy: 1, custom: 2 } as const;

/** The optimizers' codes (PyTorch's SGD, SGD with momentum, Adam; weight decay added to the gradient). */
export const OPTIMIZER = { sgd: 0, momentum: 1, adam: 2 } as const;

/** Block sizes both backends use, so that they run the same algorithm step for step. */
export const BLOCKS = {
  /** Reflectors per block of the Householder tridiagonalization and of its back-transformation. */
  householder: 32,
  /** Tridiagonal blocks up to this size are solved by QL; larger ones by divide and conquer. */
  dcLeaf: 32,
  /** Columns per block step of the Cholesky factorization. */
  cholesky: 128,
} as const;

/** How an activation's dual map is computed: a closed form per entry, or a sum over the scale-mixture rule. */
export type DualRule = 'closed' | 'mixture';

/** One decoded instruction of a program: its opcode, input values (b = −1 unless a sum), output, θ offset, attributes. */
export interface Instruction {
  op: number;
  a: number;
  b: number;
  out: number;
  offset: number;
  attrs: Float64Array;
}

/** The instructions of a program (see {@link PROGRAM_WIDTH} and {@link PROGRAM_ATTRIBUTES}), in order. */
export function instructionsOf(program: { instructions: Int32Array; attributes: Float64Array }): Instruction[] {
  return Array.from({ length: program.instructions.length / PROGRAM_WIDTH }, (_, t) => {
    const [op, a, b, out, offset] = program.instructions.subarray(t * PROGRAM_WIDTH, (t + 1) * PROGRAM_WIDTH);
    return { op, a, b, out, offset, attrs: program.attributes.subarray(t * PROGRAM_ATTRIBUTES, (t + 1) * PROGRAM_ATTRIBUTES) };
  });
}

/**
 * A lowered model (src/model/program.ts): instructions of PROGRAM_WIDTH Int32s and PROGRAM_ATTRIBUTES Float64s
 * each (below) over SSA values; value 0 is the input.
 */
export interface Program {
  instructions: Int32Array;
  attributes: Float64Array;
  /**
   * Shape of every value, SHAPE_WIDTH Int32s each: the spatial axes' sizes, then the channels; then one Int32, the
   * side width: the doubles each example carries after its input's (its graph's adjacency, see {@link GraphFormat}),
   * 0 for most models. Rows of inputs given to a backend are the input's entries followed by the side's.
   */
  shapes: Int32Array;
  /** Number of values (the input and one per instruction). */
  values: number;
  /** The value the outputs or kernels are read from. */
  output: number;
  /** Infinite width: whether the output is a centred Gaussian (what a layer after it may take). */
  outputGaussian: boolean;
  /** Parameters of the finite network: every dense or conv layer's W (fanIn × out, row-major; HWIO for conv) then b, in order. */
  paramCount: number;
  /** Storage slot of every value; values whose lives do not overlap share one. */
  slots: Int32Array;
  /**
   * Infinite width, per value: 1 where its covariance is kept for every pair of positions, 0 where the
   * same-position entries suffice (always 0 for values with one position).
   */
  fullSpatial: Int32Array;
  /** What the program's elementwise layers run in JavaScript (the user's φ and dual map), by the index in their attributes. */
  hosts: readonly HostPasses[];
  /** Where each hyperparameter of its layers enters: one entry per instruction it sets (a repeated layer's, several). */
  hyperparameters: readonly ProgramHyperparameter[];
  /** How the model's aggregate layers take each example's graph (null: it has none, and its examples carry no side). */
  graph: GraphFormat | null;
}

/**
 * The graph an example carries for a program's aggregate layers (neural-tangents' `pattern`, one per example, shared
 * by every aggregate layer): its vertices are the positions of the aggregated axes, `nodeShape` their sizes. Given as
 * 'DENSE' adjacencies (an entry per (tail, head) pair) or 'SPARSE' edge lists, made dense by `toDense` when given; the
 * side of an example is its V × V adjacency A (V vertices), A[i·V + j] the weight of the edge i → j.
 */
export interface GraphFormat {
  nodeShape: readonly number[];
  implementation: 'DENSE' | 'SPARSE';
  toDense: ((pattern: unknown) => unknown) | null;
}

/**
 * A hyperparameter of a layer as the program holds it: a dense layer's wStd or bStd as its square in one attribute slot
 * of one instruction (`squared`), an activation's parameter as itself. `name` is its place in the model, as
 * `model.serial[0].wStd` (a repeated layer's without the index).
 */
export interface ProgramHyperparameter {
  name: string;
  value: number;
  instruction: number;
  slot: number;
  squared: boolean;
}

/**
 * The passes of an op whose function is JavaScript the user gave (elementwise): both backends call them on whole
 * blocks, the TypeScript one directly, the WASM one through its module's imports (src/backend/wasm/hosts.ts).
 */
export interface HostPasses {
  /** Finite width: z = φ(h) and slope = φ′(h), entry by entry. */
  apply(h: Float64Array, z: Float64Array, slope: Float64Array): void;
  /** Infinite width, pass 1: E[φ(u)²] for u ~ N(0, q). */
  variance(q: number): number;
  /**
   * Infinite width: for every entry e, Σ ← E[φ(u)φ(v)] and Θ ← Θ·E[φ′(u)φ′(v)] for (u, v) ~ N(0, [[q₁, c], [c, q₂]]),
   * with q₁ = q1[e·q1Step], q₂ = q2[e], c = sigma[e]; sigmaOut and thetaOut may be sigma and theta themselves.
   */
  dual(q1: Float64Array, q1Step: number, q2: Float64Array, sigma: Float64Array, theta: Float64Array, sigmaOut: Float64Array, thetaOut: Float64Array): void;
}

/** `UPPER_SNAKE` of a camelCase name, as the generated AssemblyScript constants spell it. */
export const constantName = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The AssemblyScript constants of the table and the opcodes, as `[NAME, value]` pairs (scripts/build-wasm.mjs writes them). */
export function layoutConstants(opcodes: readonly string[]): [string, number][] {
  const constants: [string, number][] = opcodes.map((name, code) => [`OP_${constantName(name)}`, code]);
  constants.push(['PROGRAM_WIDTH', PROGRAM_WIDTH], ['PROGRAM_ATTRIBUTES', PROGRAM_ATTRIBUTES], ['WINDOW', WINDOW], ['SHAPE_WIDTH', SHAPE_WIDTH]);
  constants.push(['SPATIAL_AXES', SPATIAL_AXES]);
  for (const [op, slots] of Object.entries(SLOTS)) {
    for (const [slot, index] of Object.entries(slots)) constants.push([`${constantName(op)}_${constantName(slot)}`, index]);
  }
  for (const [name, flag] of Object.entries(WINDOW_MODE)) constants.push([`WINDOW_MODE_${constantName(name)}`, flag]);
  for (const [name, code] of Object.entries(TERM)) constants.push([`TERM_${constantName(name)}`, code]);
  for (const [name, code] of Object.entries(CLASSIC_KIND)) constants.push([`KERNEL_${constantName(name)}`, code]);
  for (const [name, code] of Object.entries(NYSTROM_MODE)) constants.push([`NYSTROM_${constantName(name)}`, code]);
  for (const [name, code] of Object.entries(LOSS)) constants.push([`LOSS_${constantName(name)}`, code]);
  for (const [name, code] of Object.entries(ATTENTION)) constants.push([`ATTENTION_${constantName(name)}`, code]);
  for (const [name, code] of Object.entries(OPTIMIZER)) constants.push([`OPTIMIZER_${constantName(name)}`, code]);
  for (const [name, size] of Object.entries(BLOCKS)) constants.push([`${constantName(name)}_BLOCK`, size]);
  return constants;
}
