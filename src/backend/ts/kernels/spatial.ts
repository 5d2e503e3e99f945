// Reference version of assembly/kernels/spatial.ts: the infinite-width NNGP and NTK of a model on spatial inputs
// (sequences, images), by neural-tangents' layer rules on the covariance of every pair of positions (or of the
// same positions only, where the program's fullSpatial flag allows), one pair of examples at a time, each op run by
// its unit (src/ops/<op>.ts, pair): memory is O(n·S) for the variances and O(S²) per pair, never n²·S². The input's
// state is Σ[p, p′] = x·x′/C over channels.
import { PROGRAM_ATTRIBUTES, type Program, instructionsOf } from '../../../core/layout.js';
import { channelsOf, positionsOf, rowWidthOf, sizeOf } from '../../../core/shapes.js';
import { opUnit } from '../../../ops/index.js';
import type { MixtureRule } from '../../../ops/activations/unit.js';
import type { PairState, PairTangentPass } from '../../../ops/unit.js';
import type { HyperparameterDirections } from '../../types.js';

export function spatialInfinite(
  program: Program,
  rule: MixtureRule,
  x1: Float64Array,
  n1: number,
  x2: Float64Array | null,
  n2: number,
  gradients?: HyperparameterDirections,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean; dNngp?: Float64Array; dNtk?: Float64Array } {
  const instructions = instructionsOf(program);
  const units = instructions.map(({ op }) => opUnit(op, 'infinite (positions)'));
  const prepared = instructions.map((instruction, t) => units[t].prepare(program, instruction, rule));
  const full = program.fullSpatial;
  const positions = (v: number) => positionsOf(program, v);
  const stateSize = (v: number) => (full[v] ? positions(v) ** 2 : positions(v));
  const largest = Math.max(...Array.from({ length: program.values }, (_, v) => stateSize(v)));
  const slotCount = Math.max(...program.slots) + 1;
  const newState = (): PairState => ({ sigma: new Float64Array(largest), theta: new Float64Array(largest) });
  const states = Array.from({ length: slotCount }, newState);
  const channels = channelsOf(program, 0);
  const inputSize = sizeOf(program, 0);
  // A row of the inputs: the input's entries, then the example's side.
  const rowWidth = rowWidthOf(program);
  const directions = gradients?.directions ?? 0;
  // Forward mode: each slot's state per direction, and the attributes' tangents of the running instruction.
  const tangentStates = Array.from({ length: slotCount * directions }, newState);
  let running = 0;
  const pass: PairTangentPass = {
    program,
    positions,
    full: (v) => full[v] === 1,
    size: stateSize,
    state: (v) => states[program.slots[v]],
    scratch: newState(),
    windowed: -1,
    // Entry e of a full state is the position pair (⌊e/S⌋, e mod S); of a diagonal one, (e, e).
    row: (v, e) => (full[v] ? Math.floor(e / positions(v)) : e),
    column: (v, e) => (full[v] ? e % positions(v) : e),
    i: 0,
    j: 0,
    sideA: new Float64Array(0),
    sideB: new Float64Array(0),
    recording: false,
    examples1: [],
    examples2: [],
    q1: [],
    q2: [],
    directions,
    rule,
    dState: (v, h) => tangentStates[program.slots[v] * directions + h],
    dq1: [],
    dq2: [],
    dAttrs: (h) =>
      gradients!.dAttributes.subarray((h * instructions.length + running) * PROGRAM_ATTRIBUTES, (h * instructions.length + running + 1) * PROGRAM_ATTRIBUTES),
    tangentScratch: newState(),
  };
  /** Pass 1: value v's same-position entries (of the state `of`) become example i's variances in q[v]. */
  const record = (q: Float64Array[], v: number, i: number, of: PairState) => {
    const s = positions(v);
    for (let p = 0; p < s; p++) q[v][i * s + p] = of.sigma[full[v] ? p * (s + 1) : p];
  };

  /**
   * Runs the program on the pair (x[i], x′[j]) with the variances (per value, n × S) of both and their tangents, and
   * what ops keep of each example; with `recording`, writes the same-position entries of every value and their tangents
   * into q1 and dq1, and ops fill their example tables (pass 1, where x = x′ and i = j).
   */
  const runPair = (
    xa: Float64Array,
    i: number,
    xb: Float64Array,
    j: number,
    variances: { q1: Float64Array[]; q2: Float64Array[]; dq1: Float64Array[][]; dq2: Float64Array[][]; examples1: Float64Array[]; examples2: Float64Array[] },
    recording: boolean,
  ): void => {
    const sideA = xa.subarray(i * rowWidth + inputSize, (i + 1) * rowWidth);
    const sideB = xb.subarray(j * rowWidth + inputSize, (j + 1) * rowWidth);
    Object.assign(pass, { i, j, sideA, sideB, recording }, variances);
    const input = pass.state(0);
    const s0 = positions(0);
    for (let p = 0; p < s0; p++) {
      for (let p2 = full[0] ? 0 : p, last = full[0] ? s0 : p + 1; p2 < last; p2++) {
        let dot = 0;
        for (let c = 0; c < channels; c++) dot += xa[i * rowWidth + p * channels + c] * xb[j * rowWidth + p2 * channels + c];
        input.sigma[full[0] ? p * s0 + p2 : p] = dot / channels;
        input.theta[full[0] ? p * s0 + p2 : p] = 0;
      }
    }
    // No hyperparameter moves the inputs.
    for (let h = 0; h < directions; h++) {
      pass.dState(0, h).sigma.fill(0);
      pass.dState(0, h).theta.fill(0);
    }
    const recordAll = (v: number) => {
      if (!recording) return;
      record(pass.q1, v, i, pass.state(v));
      for (let h = 0; h < directions; h++) record(pass.dq1[h], v, i, pass.dState(v, h));
    };
    recordAll(0);
    instructions.forEach((instruction, t) => {
      running = t;
      // The tangents first: they read the inputs' states, which the op's own rule may overwrite.
      if (directions > 0) units[t].pairTangent!(pass, instruction, prepared[t]);
      units[t].pair(pass, instruction, prepared[t]);
      recordAll(instruction.out);
    });
  };

  // What ops keep of each example for pass 2 (attention's weights), per value.
  const exampleDoubles = Array.from({ length: program.values }, () => 0);
  instructions.forEach((ins, t) => (exampleDoubles[ins.out] = units[t].exampleDoubles?.(program, ins) ?? 0));
  const variances = (x: Float64Array, n: number) => {
    const table = () => Array.from({ length: program.values }, (_, v) => new Float64Array(n * positions(v)));
    const q = table();
    const dq = Array.from({ length: directions }, table);
    const examples = exampleDoubles.map((doubles) => new Float64Array(n * doubles));
    for (let i = 0; i < n; i++) runPair(x, i, x, i, { q1: q, q2: q, dq1: dq, dq2: dq, examples1: examples, examples2: examples }, true);
    return { q, dq, examples };
  };
  const symmetric = x2 === null;
  const rows = variances(x1, n1);
  const columns = symmetric ? rows : variances(x2, n2);
  const both = { q1: rows.q, q2: columns.q, dq1: rows.dq, dq2: columns.dq, examples1: rows.examples, examples2: columns.examples };
  const size = n1 * n2;
  const nngp = new Float64Array(size);
  const ntk = new Float64Array(size);
  const [dNngp, dNtk] = [new Float64Array(directions * size), new Float64Array(directions * size)];
  let finite = true;
  // Entry (i, j) of every result (and (j, i) when symmetric) from the output's state.
  const store = (results: Float64Array, offset: number, i: number, j: number, value: number) => {
    results[offset + i * n2 + j] = value;
    if (symmetric) results[offset + j * n2 + i] = value;
    finite &&= Number.isFinite(value);
  };
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < (symmetric ? i + 1 : n2); j++) {
      runPair(x1, i, x2 ?? x1, j, both, false);
      const { sigma, theta } = pass.state(program.output);
      store(nngp, 0, i, j, sigma[0]);
      store(ntk, 0, i, j, theta[0]);
      for (let h = 0; h < directions; h++) {
        store(dNngp, h * size, i, j, pass.dState(program.output, h).sigma[0]);
        store(dNtk, h * size, i, j, pass.dState(program.output, h).theta[0]);
      }
    }
  }
  return gradients === undefined ? { nngp, ntk, finite } : { nngp, ntk, dNngp, dNtk, finite };
}
