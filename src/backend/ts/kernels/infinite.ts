// Reference version of assembly/kernels/infinite.ts: the program on whole matrices, each op run by its unit
// (src/ops/<op>.ts, vector and variance).
import { PROGRAM_ATTRIBUTES, PROGRAM_WIDTH, type Program, instructionsOf } from '../../../core/layout.js';
import { allFinite } from '../../../core/numeric.js';
import { opUnit } from '../../../ops/index.js';
import type { MixtureRule } from '../../../ops/activations/unit.js';
import type { Instruction } from '../../../core/layout.js';
import type { OpUnit, VectorPass, VectorTangentPass } from '../../../ops/unit.js';
import type { HyperparameterDirections, InputKernels } from '../../types.js';
import { dense, gemmInto } from '../linalg/gemm.js';
import { mirrorLower, syrkLowerInto } from '../linalg/syrk.js';

/**
 * The program on whole matrices (with `gradients`, also the kernels' tangents: see propagate): every slot holds the n1 × n2 Σ (NNGP) and Θ (NTK) of a value; q1[v], q2[v]
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
  gradients?: HyperparameterDirections,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean; dNngp?: Float64Array; dNtk?: Float64Array } {
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
  return propagate(program, rule, { sigma: input, theta: null, q1, q2: x2 === null ? null : squaredNorms(x2, n2), n1, n2 }, gradients);
}

/**
 * The program on whole matrices from the inputs' kernels; with `gradients`, also forward mode along `directions`
 * hyperparameters (the attributes' tangents, directions × the program's attributes): their tangents of the NNGP and the
 * NTK, one n1 × n2 block per direction.
 */
export function propagate(
  program: Program,
  rule: MixtureRule,
  start: InputKernels,
  gradients?: HyperparameterDirections,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean; dNngp?: Float64Array; dNtk?: Float64Array } {
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
  const tangents = gradients === undefined ? null : tangentPass(pass, gradients, slotCount);
  for (const instruction of instructionsOf(program)) {
    const { op, a, b, out } = instruction;
    const unit = opUnit(op, 'infinite (vectors)');
    if (unit.vector === undefined || unit.variance === undefined) throw new Error(`infinite (vectors): op '${unit.name}' has no rule on vectors`);
    if (tangents !== null) tangents.run(unit, instruction, rule);
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
  if (tangents === null) return { nngp, ntk, finite: allFinite(nngp) && allFinite(ntk) };
  const { dNngp, dNtk } = tangents.results(program.output, symmetric);
  return { nngp, ntk, dNngp, dNtk, finite: allFinite(nngp) && allFinite(ntk) && allFinite(dNngp) && allFinite(dNtk) };
}

/**
 * The forward-mode state beside a pass on vectors: each slot's Σ and Θ tangents per direction (zero at the input, which
 * no hyperparameter moves), each value's variance tangents; `run` takes one instruction (before its primal rule, which
 * may overwrite the input it reads).
 */
function tangentPass(pass: VectorPass, { dAttributes, directions }: HyperparameterDirections, slotCount: number) {
  const { program, n1, n2, q1, q2 } = pass;
  const symmetric = q1 === q2;
  const matrices = () => Array.from({ length: slotCount * directions }, () => new Float64Array(n1 * n2));
  const [dSigma, dTheta] = [matrices(), matrices()];
  const table = (n: number) => Array.from({ length: directions }, () => [new Float64Array(n)]);
  const dq1 = table(n1);
  const dq2 = symmetric ? dq1 : table(n2);
  const instructionCount = program.instructions.length / PROGRAM_WIDTH;
  let t = 0; // the running instruction
  const attributesOf = (h: number) =>
    dAttributes.subarray((h * instructionCount + t) * PROGRAM_ATTRIBUTES, (h * instructionCount + t + 1) * PROGRAM_ATTRIBUTES);
  const at = (v: number, h: number) => program.slots[v] * directions + h;
  const tangent: VectorTangentPass = {
    ...pass,
    directions,
    dSigma: (v, h) => dSigma[at(v, h)],
    dTheta: (v, h) => dTheta[at(v, h)],
    dq1,
    dq2,
    dAttrs: attributesOf,
  };
  return {
    run(unit: OpUnit, ins: Instruction, rule: MixtureRule) {
      t = ins.out - 1;
      if (unit.vectorTangent === undefined || unit.varianceTangent === undefined) throw new Error(`infinite (vectors): op '${unit.name}' has no forward mode`);
      unit.vectorTangent(tangent, ins, rule);
      const { a, b, out } = ins;
      const varianceTangent = unit.varianceTangent.bind(unit);
      for (let h = 0; h < directions; h++) {
        const dAttrs = attributesOf(h);
        const tableTangent = (q: Float64Array[], dq: Float64Array[]) =>
          q[a].map((v, i) => varianceTangent(program, ins, v, dq[a][i], b >= 0 ? q[b][i] : 0, b >= 0 ? dq[b][i] : 0, dAttrs, rule));
        dq1[h][out] = tableTangent(q1, dq1[h]);
        if (!symmetric) dq2[h][out] = tableTangent(q2, dq2[h]);
      }
    },
    results(output: number, mirror: boolean) {
      const dNngp = new Float64Array(directions * n1 * n2);
      const dNtk = new Float64Array(directions * n1 * n2);
      for (let h = 0; h < directions; h++) {
        const [s, th] = [dSigma[at(output, h)], dTheta[at(output, h)]];
        if (mirror) {
          mirrorLower(s, n1);
          mirrorLower(th, n1);
        }
        dNngp.set(s, h * n1 * n2);
        dNtk.set(th, h * n1 * n2);
      }
      return { dNngp, dNtk };
    },
  };
}
