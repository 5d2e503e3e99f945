// Reference version of assembly/kernels/infinite.ts: the program on whole matrices, each op run by its unit
// (src/ops/<op>.ts, vector and variance).
import { type Program, instructionsOf } from '../../../core/layout.js';
import { allFinite } from '../../../core/numeric.js';
import { opUnit } from '../../../ops/index.js';
import type { MixtureRule } from '../../../ops/activations/unit.js';
import type { VectorPass } from '../../../ops/unit.js';
import type { InputKernels } from '../../types.js';
import { dense, gemmInto } from '../linalg/gemm.js';
import { mirrorLower, syrkLowerInto } from '../linalg/syrk.js';

/**
 * The program on whole matrices: every slot holds the n1 × n2 Σ (NNGP) and Θ (NTK) of a value; q1[v], q2[v]
 * hold the variances of every input at value v (pass 1, the program on the diagonal). The input's Σ is x·x′/d.
 */
export function infinite(
  program: Program,
  rule: MixtureRule,
  x1: Float64Array,
  n1: number,
  x2: Float64Array | null,
  n2: number,
  d: number,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean } {
  const symmetric = x2 === null;
  const input = new Float64Array(n1 * n2);
  // When symmetric only the lower triangle is computed, and mirrored at the end.
  if (symmetric) syrkLowerInto(x1, n1, d, input);
  else gemmInto(false, true, n1, n2, d, 1, dense(x1, d), dense(x2, d), 0, dense(input, n2));
  const squaredNorms = (x: Float64Array, rows: number) =>
    Float64Array.from({ length: rows }, (_, i) => {
      let s = 0;
      for (let p = 0; p < d; p++) s += x[i * d + p] * x[i * d + p];
      return s / d;
    });
  for (let i = 0; i < input.length; i++) input[i] /= d;
  const q1 = squaredNorms(x1, n1);
  return propagate(program, rule, { sigma: input, theta: null, q1, q2: x2 === null ? null : squaredNorms(x2, n2), n1, n2 });
}

/** The program on whole matrices from the inputs' kernels. */
export function propagate(program: Program, rule: MixtureRule, start: InputKernels): { nngp: Float64Array; ntk: Float64Array; finite: boolean } {
  const { n1, n2 } = start;
  const symmetric = start.q2 === null;
  const size = n1 * n2;
  const slotCount = Math.max(...program.slots) + 1;
  const sigma = Array.from({ length: slotCount }, () => new Float64Array(size));
  const theta = Array.from({ length: slotCount }, () => new Float64Array(size));
  const input = sigma[program.slots[0]];
  const rowEnd = (i: number) => (symmetric ? i + 1 : n2);
  const q1 = [start.q1];
  const q2 = start.q2 === null ? q1 : [start.q2];
  // The diagonal takes q itself, so correlations of a point with itself are exactly 1.
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < rowEnd(i); j++) {
      input[i * n2 + j] = symmetric && i === j ? q1[0][i] : start.sigma[i * n2 + j];
      theta[program.slots[0]][i * n2 + j] = start.theta?.[i * n2 + j] ?? 0;
    }
  }
  const pass: VectorPass = { program, n1, n2, rowEnd, sigma: (v) => sigma[program.slots[v]], theta: (v) => theta[program.slots[v]], q1, q2 };
  for (const instruction of instructionsOf(program)) {
    const { op, a, b, out } = instruction;
    const unit = opUnit(op, 'infinite (vectors)');
    if (unit.vector === undefined || unit.variance === undefined) throw new Error(`infinite (vectors): op '${unit.name}' has no rule on vectors`);
    unit.vector(pass, instruction, rule);
    // Pass 1 for this value: each input's variance, as the op maps a self pair (q, q, q).
    const variance = unit.variance.bind(unit);
    q1[out] = q1[a].map((v, i) => variance(program, instruction, v, b >= 0 ? q1[b][i] : 0, rule));
    if (!symmetric) q2[out] = q2[a].map((v, i) => variance(program, instruction, v, b >= 0 ? q2[b][i] : 0, rule));
  }
  const nngp = sigma[program.slots[program.output]];
  const ntk = theta[program.slots[program.output]];
  if (symmetric) {
    mirrorLower(nngp, n1);
    mirrorLower(ntk, n1);
  }
  return { nngp, ntk, finite: allFinite(nngp) && allFinite(ntk) };
}
