// Reference version of assembly/kernels/spatial.ts: the infinite-width NNGP and NTK of a model on spatial inputs
// (sequences, images), by neural-tangents' layer rules on the covariance of every pair of positions (or of the
// same positions only, where the program's fullSpatial flag allows), one pair of examples at a time, each op run by
// its unit (src/ops/<op>.ts, pair): memory is O(n·S) for the variances and O(S²) per pair, never n²·S². The input's
// state is Σ[p, p′] = x·x′/C over channels.
import { type Program, instructionsOf } from '../../../core/layout.js';
import { channelsOf, positionsOf, sizeOf } from '../../../core/shapes.js';
import { opUnit } from '../../../ops/index.js';
import type { MixtureRule } from '../../../ops/activations/unit.js';
import type { PairPass, PairState } from '../../../ops/unit.js';

export function spatialInfinite(
  program: Program,
  rule: MixtureRule,
  x1: Float64Array,
  n1: number,
  x2: Float64Array | null,
  n2: number,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean } {
  const instructions = instructionsOf(program);
  const units = instructions.map(({ op }) => opUnit(op, 'infinite (positions)'));
  const prepared = instructions.map((instruction, t) => units[t].prepare(program, instruction, rule));
  const full = program.fullSpatial;
  const positions = (v: number) => positionsOf(program, v);
  const stateSize = (v: number) => (full[v] ? positions(v) ** 2 : positions(v));
  const largest = Math.max(...Array.from({ length: program.values }, (_, v) => stateSize(v)));
  const slotCount = Math.max(...program.slots) + 1;
  const states: PairState[] = Array.from({ length: slotCount }, () => ({ sigma: new Float64Array(largest), theta: new Float64Array(largest) }));
  const channels = channelsOf(program, 0);
  const inputSize = sizeOf(program, 0);
  const pass: PairPass = {
    program,
    positions,
    full: (v) => full[v] === 1,
    size: stateSize,
    state: (v) => states[program.slots[v]],
    scratch: { sigma: new Float64Array(largest), theta: new Float64Array(largest) },
    // Entry e of a full state is the position pair (⌊e/S⌋, e mod S); of a diagonal one, (e, e).
    row: (v, e) => (full[v] ? Math.floor(e / positions(v)) : e),
    column: (v, e) => (full[v] ? e % positions(v) : e),
    i: 0,
    j: 0,
    q1: [],
    q2: [],
  };

  /**
   * Runs the program on the pair (x[i], x′[j]) with the variances q (per value, n × S) of both; with
   * `record`, writes the same-position entries of every value into q1 (pass 1, where x = x′ and i = j).
   */
  const runPair = (xa: Float64Array, i: number, xb: Float64Array, j: number, q1: Float64Array[], q2: Float64Array[], record: boolean): PairState => {
    Object.assign(pass, { i, j, q1, q2 });
    const input = pass.state(0);
    const s0 = positions(0);
    for (let p = 0; p < s0; p++) {
      for (let p2 = full[0] ? 0 : p, last = full[0] ? s0 : p + 1; p2 < last; p2++) {
        let dot = 0;
        for (let c = 0; c < channels; c++) dot += xa[i * inputSize + p * channels + c] * xb[j * inputSize + p2 * channels + c];
        input.sigma[full[0] ? p * s0 + p2 : p] = dot / channels;
        input.theta[full[0] ? p * s0 + p2 : p] = 0;
      }
    }
    if (record) for (let p = 0; p < s0; p++) q1[0][i * s0 + p] = input.sigma[full[0] ? p * (s0 + 1) : p];
    instructions.forEach((instruction, t) => {
      units[t].pair(pass, instruction, prepared[t]);
      const { out } = instruction;
      const so = positions(out);
      const target = pass.state(out);
      if (record) for (let p = 0; p < so; p++) q1[out][i * so + p] = target.sigma[full[out] ? p * (so + 1) : p];
    });
    return pass.state(program.output);
  };

  const variances = (x: Float64Array, n: number) => {
    const q = Array.from({ length: program.values }, (_, v) => new Float64Array(n * positions(v)));
    for (let i = 0; i < n; i++) runPair(x, i, x, i, q, q, true);
    return q;
  };
  const symmetric = x2 === null;
  const q1 = variances(x1, n1);
  const q2 = symmetric ? q1 : variances(x2, n2);
  const nngp = new Float64Array(n1 * n2);
  const ntk = new Float64Array(n1 * n2);
  let finite = true;
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < (symmetric ? i + 1 : n2); j++) {
      const { sigma, theta } = runPair(x1, i, x2 ?? x1, j, q1, q2, false);
      nngp[i * n2 + j] = sigma[0];
      ntk[i * n2 + j] = theta[0];
      if (symmetric) [nngp[j * n2 + i], ntk[j * n2 + i]] = [sigma[0], theta[0]];
      finite &&= Number.isFinite(sigma[0]) && Number.isFinite(theta[0]);
    }
  }
  return { nngp, ntk, finite };
}
