// What the interpreters hand an op's WASM passes (assembly/ops/<op>.ts): unmanaged records in the arena's scratch,
// so that an op reads the program and the state of the pass by name. The dispatch by opcode is generated
// (assembly/generated/ops.ts); no interpreter names an op.
import { scratch } from "../heap";
import { field, positionsOf, sizeOf } from "../net/program";
import { PROGRAM_ATTRIBUTES } from "../generated/layout";

/** The finite-width passes over n rows (assembly/net/network.ts). */
@unmanaged
export class Net {
  program: usize = 0;
  attributes: usize = 0;
  count: i32 = 0;
  shapes: usize = 0;
  output: i32 = 0;
  params: usize = 0;
  /** Examples in the pass, and seeds per example in a backward pass (its rows are n·m). */
  n: i32 = 0;
  m: i32 = 0;
  /** Tables of one pointer per value: the values, what an op keeps for its backward (φ′, 1/σ), the cotangents. */
  values: usize = 0;
  kept: usize = 0;
  cotangents: usize = 0;
  /** Where ∂/∂θ is accumulated (training; else 0). */
  gradient: usize = 0;
  /** The index of the pass's first row among the call's examples, and the training step: what dropout's masks follow. */
  firstRow: i32 = 0;
  step: i32 = 0;
  /** Forward mode (m directions per example, rows i·m + d): the tangents' table, and θ's directions (m rows of P = directionLength). */
  tangents: usize = 0;
  directions: usize = 0;
  directionLength: i32 = 0;
  /** The examples' sides (n rows of the program's side width: their graphs' adjacencies; 0 without). */
  side: usize = 0;
}

/** The tangent of value v in a forward-mode pass. */
// @ts-ignore: decorator
@inline export function tangentOf(net: Net, v: i32): usize {
  return load<usize>(net.tangents + ((<usize>v) << 2));
}

/**
 * A forward-mode pass's rows as a forward pass of their own over its tangents: the tangent of an op linear in its inputs
 * and the same on every row (pooling, gathers, sums) is its forward on them.
 */
export function tangentRows(net: Net): Net {
  const rows = changetype<Net>(scratch(offsetof<Net>()));
  memory.copy(changetype<usize>(rows), changetype<usize>(net), offsetof<Net>());
  const tableBytes = (<usize>(net.count + 1)) << 2;
  rows.n = net.n * net.m;
  rows.m = 1;
  rows.values = net.tangents;
  rows.kept = scratch(tableBytes);
  memory.fill(rows.kept, 0, tableBytes);
  return rows;
}

/**
 * For an op of one input whose Jacobian is symmetric (φ′ or a dropout mask on the diagonal, layerNorm): a backward pass
 * whose only cotangent is its input's, at z (zeroed), so that its backward on the input's tangent writes J·t = Jᵀ·t to z.
 */
export function adjointNet(net: Net, t: i32, z: usize): Net {
  const adjoint = changetype<Net>(scratch(offsetof<Net>()));
  memory.copy(changetype<usize>(adjoint), changetype<usize>(net), offsetof<Net>());
  const tableBytes = (<usize>(net.count + 1)) << 2;
  adjoint.cotangents = scratch(tableBytes);
  memory.fill(adjoint.cotangents, 0, tableBytes);
  memory.fill(z, 0, (<usize>net.n * <usize>net.m * <usize>sizeOf(net.shapes, field(net.program, t, 3))) << 3);
  store<usize>(adjoint.cotangents + ((<usize>field(net.program, t, 1)) << 2), z);
  adjoint.gradient = 0;
  return adjoint;
}

/** Row i of the infinite-width pass on vectors (assembly/kernels/infinite.ts): Σ and Θ rows per storage slot. */
@unmanaged
export class Row {
  program: usize = 0;
  attributes: usize = 0;
  slots: usize = 0;
  /** Σ of slot s at rows + 2·s·rowBytes, Θ right after. */
  rows: usize = 0;
  rowBytes: usize = 0;
  /** Each input's variance at every value (table[v·n + i]): the rows' and the columns'. */
  table1: usize = 0;
  columnTable: usize = 0;
  n1: i32 = 0;
  n2: i32 = 0;
  i: i32 = 0;
  /** Entries of the row computed (the lower triangle when symmetric), and where the lanes stop (before the diagonal). */
  end: i32 = 0;
  laneEnd: i32 = 0;
  /**
   * Forward mode along hyperparameters (assembly/kernels/gradients.ts; no directions otherwise): Σ's tangent of slot s
   * along direction h at tangents + 2·(h·slotCount + s)·rowBytes (Θ's right after); the attributes' tangents
   * (directions × count × PROGRAM_ATTRIBUTES); the variances' tangents dTable[(h·values + v)·n + i], the rows' and the
   * columns'; one Row per direction whose rows are that direction's tangents.
   */
  directions: i32 = 0;
  slotCount: i32 = 0;
  count: i32 = 0;
  values: i32 = 0;
  tangents: usize = 0;
  dAttributes: usize = 0;
  dTable1: usize = 0;
  dColumnTable: usize = 0;
  directionRows: usize = 0;
  /** An activation's parameter partials at one entry (two doubles per parameter slot), and the slots that move. */
  parameterPartials: usize = 0;
  movedSlots: usize = 0;
}

/** Σ's tangent of value v along direction h in a row pass (Θ's right after, at + rowBytes). */
// @ts-ignore: decorator
@inline export function tangentSigma(row: Row, v: i32, h: i32): usize {
  return row.tangents + (<usize>h * <usize>row.slotCount + <usize>load<i32>(row.slots + ((<usize>v) << 2))) * 2 * row.rowBytes;
}

/** The tangents of the attributes along direction h, laid out as the attributes (read with attribute()). */
// @ts-ignore: decorator
@inline export function directionAttributes(row: Row, h: i32): usize {
  return row.dAttributes + ((<usize>h * <usize>row.count * <usize>PROGRAM_ATTRIBUTES) << 3);
}

/** The tangent of the row input's variance at value v along direction h. */
// @ts-ignore: decorator
@inline export function rowVarianceTangent(row: Row, v: i32, h: i32): f64 {
  return load<f64>(row.dTable1 + (((<usize>h * <usize>row.values + <usize>v) * <usize>row.n1 + <usize>row.i) << 3));
}

/** The tangents of the column inputs' variances at value v along direction h (n2 of them). */
// @ts-ignore: decorator
@inline export function columnVarianceTangents(row: Row, v: i32, h: i32): usize {
  return row.dColumnTable + (((<usize>h * <usize>row.values + <usize>v) * <usize>row.n2) << 3);
}

/** Direction h's tangents as a row pass of their own: the tangent pass of an op linear in Σ and Θ is its row pass on them. */
export function directionRow(row: Row, h: i32): Row {
  const direction = changetype<Row>(row.directionRows + <usize>h * offsetof<Row>());
  memory.copy(changetype<usize>(direction), changetype<usize>(row), offsetof<Row>());
  direction.rows = row.tangents + <usize>h * <usize>row.slotCount * 2 * row.rowBytes;
  direction.directions = 0;
  return direction;
}

/** One pair of inputs on positions (assembly/kernels/spatial.ts). */
@unmanaged
export class Pair {
  program: usize = 0;
  attributes: usize = 0;
  count: i32 = 0;
  shapes: usize = 0;
  output: i32 = 0;
  /** Per value: 1 where its state is kept for every pair of positions. */
  full: usize = 0;
  slots: usize = 0;
  /** Slot s: Σ at states + 2·s·stateBytes, Θ right after. */
  states: usize = 0;
  stateBytes: usize = 0;
  /** Σ and Θ of a windowed op's result before it lands in its slot; a full input's same-position entries for a convolution. */
  work: usize = 0;
  between: usize = 0;
  /** The output value whose op has its input's window in work (a convolution's pairTangent leaves it for its pair), else −1. */
  windowed: i32 = -1;
  /** What an op's pair pass works in, sized by its cost in src/ops/<op>.ts (avgPool: M·Bᵀ). */
  opWork: usize = 0;
  /** Per instruction: what its preparePair made for the call (avgPool: its tap table; 0 elsewhere). */
  taps: usize = 0;
  /** Per value: where its variances start within an example's block of a variance table; doubles per example. */
  qOffsets: usize = 0;
  qStride: i32 = 0;
  /** The pair: example i of the rows (variances qa), example j of the columns (qb). */
  i: i32 = 0;
  j: i32 = 0;
  qa: usize = 0;
  qb: usize = 0;
  /** The sides of examples i and j (their graphs' adjacencies; 0 without). */
  sideA: usize = 0;
  sideB: usize = 0;
  /** Pass 1 (each input with itself): ops with example tables fill theirs. */
  recording: bool = false;
  /**
   * Forward mode along hyperparameters (0 directions otherwise): slot s's tangent state along direction h at
   * tangents + 2·(h·slotCount + s)·stateBytes; the attributes' tangents (directions × count × PROGRAM_ATTRIBUTES); the
   * variances' tangents dqa and dqb (example i's, direction h's block at (i·directions + h)·qStride); one Pair per
   * direction whose states are that direction's tangents; a state pair for a window over one direction's tangents.
   */
  directions: i32 = 0;
  slotCount: i32 = 0;
  tangents: usize = 0;
  dAttributes: usize = 0;
  dqa: usize = 0;
  dqb: usize = 0;
  directionPairs: usize = 0;
  tangentWork: usize = 0;
  /** As Row's. */
  parameterPartials: usize = 0;
  movedSlots: usize = 0;
}

/** Scratch for an activation's parameter partials and moved slots in a pass with directions (Row's and Pair's fields). */
// @ts-ignore: decorator
@inline export function parameterPartialsScratch(): usize {
  return scratch((<usize>PROGRAM_ATTRIBUTES) << 4);
}

/** Value v's tangent state along direction h in a pair pass (Σ's; Θ's right after, at + stateBytes). */
// @ts-ignore: decorator
@inline export function pairTangentSigma(pair: Pair, v: i32, h: i32): usize {
  return pair.tangents + 2 * (<usize>h * <usize>pair.slotCount + <usize>load<i32>(pair.slots + ((<usize>v) << 2))) * pair.stateBytes;
}

/** Where the tangents along direction h of the variances of value v of example i start in the tangent table dq. */
// @ts-ignore: decorator
@inline export function varianceTangentAt(pair: Pair, dq: usize, v: i32, i: i32, h: i32): usize {
  return dq + (((<usize>i * <usize>pair.directions + <usize>h) * <usize>pair.qStride + <usize>load<i32>(pair.qOffsets + ((<usize>v) << 2))) << 3);
}

/** The tangents of the attributes along direction h in a pair pass. */
// @ts-ignore: decorator
@inline export function pairDirectionAttributes(pair: Pair, h: i32): usize {
  return pair.dAttributes + ((<usize>h * <usize>pair.count * <usize>PROGRAM_ATTRIBUTES) << 3);
}

/**
 * A pair rule linear in the state and the same for Σ and Θ: `output` from `input` (each a state, Σ's or Θ's) for
 * instruction t with what its preparePair made.
 */
export type LinearStateRule = (pair: Pair, prepared: usize, t: i32, input: usize, output: usize) => void;

/** The pair pass of such a rule: Σ and Θ each through the work states (the output may take the input's storage). */
export function linearStatePair(pair: Pair, t: i32, rule: LinearStateRule): void {
  const prepared = load<usize>(pair.taps + ((<usize>t) << 2));
  const sigmaA = pairSigma(pair, field(pair.program, t, 1));
  const out = field(pair.program, t, 3);
  const sigmaOut = pairSigma(pair, out);
  const entries = stateSize(pair, out);
  rule(pair, prepared, t, sigmaA, pair.work);
  rule(pair, prepared, t, sigmaA + pair.stateBytes, pair.work + pair.stateBytes);
  memory.copy(sigmaOut, pair.work, (<usize>entries) << 3);
  memory.copy(sigmaOut + pair.stateBytes, pair.work + pair.stateBytes, (<usize>entries) << 3);
}

/** Its tangent pass: nothing the hyperparameters move is read, so the same rule on each direction's tangents. */
export function linearStateTangent(pass: Pair, t: i32, rule: LinearStateRule): void {
  for (let h = 0; h < pass.directions; h++) linearStatePair(directionPair(pass, h), t, rule);
}

/** Direction h's tangents as a pair pass of their own: the tangent pass of an op linear in Σ and Θ is its pair pass on them. */
export function directionPair(pair: Pair, h: i32): Pair {
  const direction = changetype<Pair>(pair.directionPairs + <usize>h * offsetof<Pair>());
  memory.copy(changetype<usize>(direction), changetype<usize>(pair), offsetof<Pair>());
  direction.states = pair.tangents + <usize>h * <usize>pair.slotCount * 2 * pair.stateBytes;
  direction.directions = 0;
  return direction;
}

// @ts-ignore: decorator
@inline export function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + ((<usize>i) << 3));
}

// @ts-ignore: decorator
@inline export function rowAt(base: usize, row: i32, width: i32): usize {
  return base + ((<usize>row * <usize>width) << 3);
}

/** The cotangent of value v (rows × its size), zeroed on first use. */
export function cotangentOf(net: Net, v: i32, bytes: usize): usize {
  let g = load<usize>(net.cotangents + ((<usize>v) << 2));
  if (g == 0) {
    g = scratch(bytes);
    memory.fill(g, 0, bytes);
    store<usize>(net.cotangents + ((<usize>v) << 2), g);
  }
  return g;
}

/** Σ of value v in a row pass (Θ right after, at + rowBytes). */
// @ts-ignore: decorator
@inline export function rowSigma(row: Row, v: i32): usize {
  return row.rows + <usize>load<i32>(row.slots + ((<usize>v) << 2)) * 2 * row.rowBytes;
}

/** Instruction t's output row as its input row (Σ and Θ): the row pass of ops that leave vectors' kernels as they are. */
export function copyRow(row: Row, t: i32): void {
  const sigmaA = rowSigma(row, field(row.program, t, 1));
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  memory.copy(sigmaOut, sigmaA, (<usize>row.end) << 3);
  memory.copy(sigmaOut + row.rowBytes, sigmaA + row.rowBytes, (<usize>row.end) << 3);
}

// @ts-ignore: decorator
@inline export function isFull(pair: Pair, v: i32): bool {
  return load<i32>(pair.full + ((<usize>v) << 2)) != 0;
}

/** Σ of value v in a pair pass (Θ right after, at + stateBytes). */
// @ts-ignore: decorator
@inline export function pairSigma(pair: Pair, v: i32): usize {
  return pair.states + 2 * <usize>load<i32>(pair.slots + ((<usize>v) << 2)) * pair.stateBytes;
}

/** Entries of value v's per-pair state: S² when full, else S. */
// @ts-ignore: decorator
@inline export function stateSize(pair: Pair, v: i32): i32 {
  const s = positionsOf(pair.shapes, v);
  return isFull(pair, v) ? s * s : s;
}

/** Where the variances of value v of example i start in table q. */
// @ts-ignore: decorator
@inline export function varianceAt(pair: Pair, q: usize, v: i32, i: i32): usize {
  return q + ((<usize>i * <usize>pair.qStride + <usize>load<i32>(pair.qOffsets + ((<usize>v) << 2))) << 3);
}

/**
 * Where what value v's op keeps of example i starts in table q (attention's weights): after the variances, at the
 * offset qOffsets gives it past the values' variance offsets.
 */
// @ts-ignore: decorator
@inline export function exampleTableAt(pair: Pair, q: usize, v: i32, i: i32): usize {
  return q + ((<usize>i * <usize>pair.qStride + <usize>load<i32>(pair.qOffsets + ((<usize>(pair.count + 1 + v)) << 2))) << 3);
}

/** The sum of `entries` doubles from base, `stride` apart (a state's entries, or its same-position ones). */
export function entrySum(base: usize, entries: i32, stride: i32): f64 {
  let sum = 0.0;
  for (let e = 0; e < entries; e++) sum += f64At(base, e * stride);
  return sum;
}

/** Pass 2 of the structured empirical NTK (netNtkRows): the term tables of both sides and the rows to compute. */
@unmanaged
export class Terms {
  program: usize = 0;
  attributes: usize = 0;
  shapes: usize = 0;
  /** Three pointers per instruction with parameters (term d at d, D + d, 2D + d; D = count), rows' and columns'. */
  rows: usize = 0;
  columns: usize = 0;
  count: i32 = 0;
  n1: i32 = 0;
  n2: i32 = 0;
  /** Outputs of the model; 'full' keeps every pair of them, else their mean. */
  k: i32 = 0;
  full: bool = false;
  /** The columns are the rows' examples: the lower triangle is computed. */
  symmetric: bool = false;
  out: usize = 0;
  r0: i32 = 0;
  r1: i32 = 0;
}
