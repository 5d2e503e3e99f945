// An op is a unit: what one kind of layer means lives in one module, src/ops/<op>.ts (its layer factory and checks,
// its lowering with the shape rule and attribute slots by name, what it needs at infinite width, and the TypeScript
// reference passes), beside its WASM passes in assembly/ops/<op>.ts. The interpreters (src/backend/ts/net/,
// assembly/net/) and the lowering (src/model/program.ts) dispatch through the registry (./index.ts) and hold no
// op's name.
import type { GraphFormat, HostPasses, Instruction, Program } from '../core/layout.js';
import { type Padding, sizeOf } from '../core/shapes.js';
import type { MixtureRule } from './activations/unit.js';

/** A value flowing between layers while lowering: its id, shape, and whether it is a mean-zero Gaussian at infinite width. */
export interface Value {
  id: number;
  shape: readonly number[];
  gaussian: boolean;
}

/** What flows out of a layer: one value, or the branches of a fanOut/parallel. */
export interface Flow {
  values: Value[];
  branched: boolean;
}

/** What the lowering (src/model/program.ts) offers a layer's `lower`. */
export interface Lowering {
  /** The public function being called, for messages. */
  readonly fn: string;
  /** Whether the program is for the infinite-width kernels (which need Gaussian inputs to nonlinear ops). */
  readonly infinite: boolean;
  /** Appends an instruction of `op` on `inputs` with the given attribute slots; returns its output's value id. */
  define(op: OpUnit, inputs: number[], shape: readonly number[], attributes: readonly number[], paramOffset?: number): number;
  /** Records that hyperparameter `name` (value `value`) enters the attribute slot `slot` of the instruction defining `id` (as its square: `squared`). */
  hyperparameter(name: string, value: number, id: number, slot: number, squared: boolean): void;
  /** Adds JavaScript passes to the program (an elementwise layer's); returns their index. */
  host(passes: HostPasses): number;
  /** Records the graph an aggregate layer reads (a RangeError when it differs from an earlier one's). */
  graph(format: GraphFormat, where: string): void;
  /** Reserves `count` parameters of θ; returns where they start. */
  parameters(count: number): number;
  /** The one input of a layer (a RangeError when it receives branches). */
  single(flow: Flow, where: string): Value;
  /** Throws at infinite width unless the value is Gaussian. */
  gaussian(value: Value, where: string): void;
  /**
   * A window over the input's spatial axes: the output's spatial shape and the window's attribute slots (`transposed`:
   * a transposed convolution's, whose padding is one of the named three).
   */
  windowed(
    input: Value,
    sizes: readonly number[],
    strides: readonly number[],
    padding: Padding,
    what: string,
    where: string,
    transposed?: boolean,
  ): { spatial: number[]; window: number[] };
  /** Lowers a layer nested in this one (`path` names it in messages). */
  walk(node: unknown, flow: Flow, path: string): Flow;
}

/** A kind of layer: its checks (its factory, applied to a layer object's fields) and its lowering. */
export interface LayerUnit<L extends { readonly kind: string } = { readonly kind: string }> {
  readonly kind: L['kind'];
  /** The layer rebuilt by its factory from its fields, so that one built by hand is checked as the factory checks. */
  rebuild(layer: L): L | { readonly kind: string };
  /** Lowers the layer on `flow` (`where` names it in messages, `path` its place for nested layers). */
  lower(lowering: Lowering, layer: L, flow: Flow, where: string, path: string): Flow;
}

/** The finite-width forward pass over n rows: every value so far, and what ops keep for their backward. */
export interface ForwardPass {
  program: Program;
  params: Float64Array;
  n: number;
  /** The index of the pass's first row among the call's examples, and the training step (0 outside training): what dropout's masks follow. */
  firstRow: number;
  step: number;
  values: Float64Array[];
  /** Per output value, what its op keeps for the backward pass (an activation's φ′, a layerNorm's 1/σ). */
  kept: Float64Array[];
  /** The examples' sides (n × the program's side width: their graphs' adjacencies; empty without). */
  side: Float64Array;
}

/** The backward pass over n·m rows (m seeds per example; row r belongs to example ⌊r/m⌋). */
export interface BackwardPass {
  program: Program;
  params: Float64Array;
  forward: ForwardPass;
  n: number;
  m: number;
  rows: number;
  /** The cotangent of a value, made (zero) on first use. */
  cotangent(value: number): Float64Array;
  /** With m = 1 (training), ∂/∂θ of ⟨seed, f⟩ is accumulated here. */
  gradient?: Float64Array;
}

/**
 * Forward mode over n examples and m directions of θ (the rows of `directions`, m × P): the tangent of every value,
 * n·m rows with row i·m + d belonging to example i and direction d, as a backward pass's rows with m seeds.
 */
export interface TangentPass {
  program: Program;
  params: Float64Array;
  /** The primal pass over the n examples (values and what ops keep). */
  forward: ForwardPass;
  n: number;
  m: number;
  rows: number;
  directions: Float64Array;
  tangents: Float64Array[];
}

/** The tangent of an op linear in its inputs and the same on every row (pooling, gathers, sums): its forward on the tangents. */
export function linearTangent(unit: OpUnit, pass: TangentPass, ins: Instruction): Float64Array {
  const { program, params, rows, tangents } = pass;
  // Rows here are example × direction: no side, which ops whose map follows the example (aggregate) do not come through.
  return unit.forward({ program, params, n: rows, firstRow: 0, step: 0, values: tangents, kept: [], side: new Float64Array(0) }, ins);
}

/**
 * The tangent of an op of one input whose Jacobian is symmetric (φ′ or a dropout mask on the diagonal, layerNorm): its
 * backward pass carries the input's tangent to the output's, J·t = Jᵀ·t.
 */
export function adjointTangent(unit: OpUnit, pass: TangentPass, ins: Instruction): Float64Array {
  const { program, params, forward, n, m, rows, tangents } = pass;
  const out = new Float64Array(rows * sizeOf(program, ins.out));
  const cotangent = (value: number) => {
    if (value !== ins.a) throw new Error(`adjointTangent: the op writes value ${value}, not its one input ${ins.a}`);
    return out;
  };
  unit.backward({ program, params, forward, n, m, rows, cotangent }, ins, tangents[ins.a]);
  return out;
}

/** The infinite-width pass on whole matrices (inputs with one position): Σ and Θ of every value, each input's variances. */
export interface VectorPass {
  program: Program;
  n1: number;
  n2: number;
  /** Entries computed in row i: the lower triangle when x2 is x1. */
  rowEnd(i: number): number;
  sigma(value: number): Float64Array;
  theta(value: number): Float64Array;
  /** The variance of every row input (q1) and column input (q2) at every value. */
  q1: Float64Array[];
  q2: Float64Array[];
}

/**
 * Forward mode of the pass on vectors along hyperparameters (src/infinite/gradients.ts): for each direction h, the
 * tangents of Σ, Θ and the variances, and the tangent of the instruction's attributes (zero where h does not enter it).
 */
export interface VectorTangentPass extends VectorPass {
  directions: number;
  dSigma(value: number, h: number): Float64Array;
  dTheta(value: number, h: number): Float64Array;
  /** dq1[h][v], dq2[h][v]: the tangents of q1[v], q2[v] (one table when x2 is x1). */
  dq1: Float64Array[][];
  dq2: Float64Array[][];
  /** The tangent of the running instruction's attributes along direction h. */
  dAttrs(h: number): Float64Array;
}

/**
 * The tangent pass of an op whose rule on vectors is linear in Σ and Θ and reads nothing else that moves with the
 * hyperparameters (sums, concatenation, flatten, gather, dropout): its own rule on each direction's tangents.
 */
export function forEachDirection(pass: VectorTangentPass, ins: Instruction, unit: OpUnit, rule: MixtureRule): void {
  const tangentPass = (h: number): VectorPass => ({ ...pass, sigma: (v) => pass.dSigma(v, h), theta: (v) => pass.dTheta(v, h) });
  for (let h = 0; h < pass.directions; h++) unit.vector!(tangentPass(h), ins, rule);
}

/** The per-pair state of one value on positions: Σ and Θ over its positions (S² entries when full, else S). */
export interface PairState {
  sigma: Float64Array;
  theta: Float64Array;
}

/** The infinite-width pass on positions for one pair of inputs (i of the rows, j of the columns). */
export interface PairPass {
  program: Program;
  /** Positions of a value. */
  positions(value: number): number;
  /** Whether a value's state is kept for every pair of positions. */
  full(value: number): boolean;
  /** Entries of a value's state. */
  size(value: number): number;
  state(value: number): PairState;
  /** The positions of entry e of a value's state: (⌊e/S⌋, e mod S) when full, else (e, e). */
  row(value: number, e: number): number;
  column(value: number, e: number): number;
  /** A state-sized scratch pair, for ops that cannot write over their input. */
  scratch: PairState;
  /** The output value whose op has its input's window in `scratch` (a convolution's pairTangent leaves it for its pair), else −1. */
  windowed: number;
  i: number;
  j: number;
  /** The sides of examples i and j (their graphs' adjacencies; empty without). */
  sideA: Float64Array;
  sideB: Float64Array;
  /** Pass 1 (each input with itself): ops with example tables fill theirs. */
  recording: boolean;
  /** Per value, what its op keeps of each example (n × its exampleDoubles): the rows' and the columns'. */
  examples1: Float64Array[];
  examples2: Float64Array[];
  /** Variances per value, n × positions (the rows' and the columns'). */
  q1: Float64Array[];
  q2: Float64Array[];
}

/**
 * Forward mode of the pass on positions along hyperparameters (src/backend/ts/kernels/spatial.ts): for each direction h,
 * the tangents of every value's state and of the variances, and of the running instruction's attributes.
 */
export interface PairTangentPass extends PairPass {
  directions: number;
  rule: MixtureRule;
  dState(value: number, h: number): PairState;
  /** dq1[h][v], dq2[h][v]: the tangents of q1[v], q2[v] along direction h. */
  dq1: Float64Array[][];
  dq2: Float64Array[][];
  dAttrs(h: number): Float64Array;
  /** A state-sized scratch pair for one direction's tangents (a convolution's window on them). */
  tangentScratch: PairState;
}

/** The tangent pass on positions of an op linear in Σ and Θ that reads nothing the hyperparameters move: its own rule on each direction's tangents. */
export function pairEachDirection(pass: PairTangentPass, ins: Instruction, unit: OpUnit, prepared: unknown): void {
  for (let h = 0; h < pass.directions; h++) unit.pair({ ...pass, state: (v) => pass.dState(v, h) }, ins, prepared);
}

/**
 * The entries of a tangent pass as ops that act entry by entry sweep them, on vectors or on positions alike: Σ, Θ and
 * their tangents of every value, and where each entry's inputs' variances are.
 */
export interface TangentEntries {
  directions: number;
  sigma(v: number): Float64Array;
  theta(v: number): Float64Array;
  dSigma(v: number, h: number): Float64Array;
  dTheta(v: number, h: number): Float64Array;
  /** The variance tables of value v (the rows' and the columns' inputs), read at the r and c that forEach gives, and their tangents. */
  q1(v: number): Float64Array;
  q2(v: number): Float64Array;
  dq1(v: number, h: number): Float64Array;
  dq2(v: number, h: number): Float64Array;
  dAttrs(h: number): Float64Array;
  /** visit(o, r, c) for every entry o computed of value v's state: its row input's variance is q1(·)[r], its column input's q2(·)[c]. */
  forEach(v: number, visit: (o: number, r: number, c: number) => void): void;
}

/** A tangent pass on vectors as entries: o = i·n2 + j, r = i, c = j. */
export function vectorEntries(pass: VectorTangentPass): TangentEntries {
  const { n1, n2, rowEnd, q1, q2, dq1, dq2 } = pass;
  return {
    directions: pass.directions,
    sigma: pass.sigma,
    theta: pass.theta,
    dSigma: pass.dSigma,
    dTheta: pass.dTheta,
    q1: (v) => q1[v],
    q2: (v) => q2[v],
    dq1: (v, h) => dq1[h][v],
    dq2: (v, h) => dq2[h][v],
    dAttrs: pass.dAttrs,
    forEach(_v, visit) {
      for (let i = 0; i < n1; i++) for (let j = 0; j < rowEnd(i); j++) visit(i * n2 + j, i, j);
    },
  };
}

/** A tangent pass on positions as entries: o = e, r and c the positions of e in examples i and j's blocks of the tables. */
export function pairEntries(pass: PairTangentPass): TangentEntries {
  const { i, j, q1, q2, dq1, dq2 } = pass;
  return {
    directions: pass.directions,
    sigma: (v) => pass.state(v).sigma,
    theta: (v) => pass.state(v).theta,
    dSigma: (v, h) => pass.dState(v, h).sigma,
    dTheta: (v, h) => pass.dState(v, h).theta,
    q1: (v) => q1[v],
    q2: (v) => q2[v],
    dq1: (v, h) => dq1[h][v],
    dq2: (v, h) => dq2[h][v],
    dAttrs: pass.dAttrs,
    forEach(v, visit) {
      const s = pass.positions(v);
      for (let e = 0; e < pass.size(v); e++) visit(e, i * s + pass.row(v, e), j * s + pass.column(v, e));
    },
  };
}

/** The passes of an op that carries parameters (θ): its Jacobian blocks and its term of the structured NTK. */
export interface ParameterPasses {
  /** Parameters of instruction `ins`. */
  count(program: Program, ins: Instruction): number;
  /** Seeded initial values (neural-tangents' initialization), drawn in θ's order. */
  initialize(program: Program, ins: Instruction, normal: () => number, into: Float64Array): void;
  /**
   * Rows of the per-example Jacobian of this op's parameters for n examples with k outputs each, from its input
   * values h and its output's signals g ((n·k) rows): row r of `out` (leading dimension ld) from column `column` on.
   */
  jacobianInto(program: Program, ins: Instruction, h: Float64Array, g: Float64Array, n: number, k: number, out: Float64Array, ld: number, column: number): void;
  /** This op's part of the structured empirical NTK on n examples ('full': every output pair), from h and g. */
  term(program: Program, ins: Instruction, h: Float64Array, g: Float64Array, n: number, k: number, full: boolean): unknown;
  /** The layout and costs of this op's term for k outputs ('full': every output pair), as the WASM passes build it. */
  termLayout(program: Program, ins: Instruction, k: number, full: boolean): TermLayout;
  /** Adds the products of two terms (rows' and columns' examples) into the NTK; the lower triangle when symmetric. */
  addTerm(t1: unknown, t2: unknown, n1: number, n2: number, k: number, full: boolean, symmetric: boolean, out: Float64Array): void;
}

/** How an op's term of the structured empirical NTK is laid out and what it costs, for the WASM backend. */
export interface TermLayout {
  /** TERM (src/core/layout.ts): one output position, a Jacobian block, or position pairs. */
  form: number;
  /** Doubles per example of its three arrays (0: absent); `input`: the first array is the op's input itself, not copied. */
  widths: readonly [number, number, number];
  input: boolean;
  /** Flops of pass 1 per example, of pass 2 per pair of examples (per output pair for 'full'); doubles pass 2 works in. */
  signalFlops: number;
  pairFlops: number;
  pairScratch: number;
}

/**
 * What the WASM backend must know of an op to size its memory and split its work across threads (its passes live in
 * assembly/ops/<op>.ts; these are their costs).
 */
export interface OpCost {
  /** Flops per entry of the output's state in the infinite-width passes (ruleSize: pairs of the scale-mixture rule). */
  entryFlops(program: Program, ins: Instruction, ruleSize: number): number;
  /** Doubles a finite-width pass over n rows with k seeds keeps for this op besides its values and cotangents. */
  passDoubles?(program: Program, ins: Instruction, n: number, k: number): number;
  /** Flops of its tangent pass per example and direction (default: one per output entry). */
  tangentFlops?(program: Program, ins: Instruction): number;
  /** Doubles its pair pass keeps per thread: `prepared` for the whole call (its preparePair), `work` while it runs. */
  pairScratch?(program: Program, ins: Instruction): { prepared: number; work: number };
}

/** One operation of a program, with every pass the TypeScript backend runs for it. */
export interface OpUnit {
  readonly name: string;
  /** Finite width: the output value of `ins` for the n rows of the pass (what its backward needs into pass.kept). */
  forward(pass: ForwardPass, ins: Instruction): Float64Array;
  /** Adds the cotangents of the inputs of `ins` from its output's, g (with parameters, also the gradient). */
  backward(pass: BackwardPass, ins: Instruction, g: Float64Array): void;
  /** Forward mode: the tangent of the output of `ins` from its inputs' tangents and θ's directions. */
  tangent(pass: TangentPass, ins: Instruction): Float64Array;
  /**
   * Infinite width: whether `ins` needs the interpreter over positions even on one position (pooling, or a
   * window whose padding scales by the share of taps inside the input). Ops that do not have vector passes.
   */
  needsPositions(program: Program, ins: Instruction): boolean;
  /** Infinite width: sets the values whose covariance must be kept for every pair of positions, from the output's flag. */
  fullSpatial(program: Program, ins: Instruction, full: Int32Array, set: (value: number, flag: number) => void): void;
  /** Pass 1 on vectors: an input's variance at the output, from its variances at the inputs (second: at ins.b). */
  variance?(program: Program, ins: Instruction, q: number, second: number, rule: MixtureRule): number;
  /** Pass 2 on vectors: Σ and Θ of the output from those of the inputs. */
  vector?(pass: VectorPass, ins: Instruction, rule: MixtureRule): void;
  /** Forward mode of `variance`: the tangent of the output's variance from the inputs' (dq, dSecond) and the attributes' (dAttrs). */
  varianceTangent?(program: Program, ins: Instruction, q: number, dq: number, second: number, dSecond: number, dAttrs: Float64Array, rule: MixtureRule): number;
  /**
   * Forward mode of `vector`, run before it (it reads the inputs' Σ and Θ): every direction's tangents of the output's Σ and
   * Θ. The output's tangents may share the storage of the input's, so each entry reads its inputs before it writes.
   */
  vectorTangent?(pass: VectorTangentPass, ins: Instruction, rule: MixtureRule): void;
  /** What `pair` reads for an instruction, computed once per call (tap tables, dual maps). */
  prepare(program: Program, ins: Instruction, rule: MixtureRule): unknown;
  /** On positions: the output state of one pair from its inputs'. */
  pair(pass: PairPass, ins: Instruction, prepared: unknown): void;
  /** Forward mode of `pair`, run before it (it reads the inputs' states): every direction's tangents of the output's state. */
  pairTangent?(pass: PairTangentPass, ins: Instruction, prepared: unknown): void;
  /** For ops that carry parameters. */
  readonly parameters?: ParameterPasses;
  /** Infinite width: doubles it keeps per example from pass 1 for pass 2 (attention's weights), in the pair pass's examples tables. */
  exampleDoubles?(program: Program, ins: Instruction): number;
  /** Why it has no hyperparameter derivatives (no pairTangent or vectorTangent), for the error that says so. */
  readonly withoutDerivatives?: string;
  /** Infinite width: whether its kernel at a pair depends on the pair being one input twice (dropout). */
  readonly selfPairs?: boolean;
  /** Finite width: takes the network's seed into its attributes (ops that draw random numbers as they run). */
  reseed?(attrs: Float64Array, seed: number): void;
  readonly cost: OpCost;
}
