// Reference version of assembly/kernels/infinite.ts: the same program interpreter and maps.
import { allFinite } from '../../core/numeric.js';
import { OP, SLOTS, instructionsOf, unknownOp } from '../../core/layout.js';
import { activationUnit } from '../../ops/activations/index.js';
import type { DualMap } from '../../ops/activations/unit.js';
import type { Program } from '../../core/layout.js';
import type { MixtureRule } from '../../ops/activations/unit.js';
import { dense, gemmInto } from './gemm.js';
import { mirrorLower, syrkLowerInto } from './linalg.js';

/** layerNorm divides Σ and Θ by √(eps + q1)·√(eps + q2), and the variances by the same expression. */
export function normScale(eps: number, q1: number, q2: number): number {
  return 1 / (Math.sqrt(eps + q1) * Math.sqrt(eps + q2));
}

/** The dual map of an activation instruction's attributes (its id, then its parameters). */
export const activationMap = (attrs: Float64Array, rule: MixtureRule): DualMap =>
  activationUnit(attrs[SLOTS.activation.id]).dual(attrs.subarray(SLOTS.activation.firstParameter), rule);

/**
 * The program on whole matrices: every slot holds the n1 × n2 Σ (NNGP) and Θ (NTK) of a value; q1[v], q2[v]
 * hold the variances of every input at value v (pass 1, the program on the diagonal).
 */
export function infinite(
  program: Program, rule: MixtureRule, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, d: number,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean } {
  const symmetric = x2 === null;
  const size = n1 * n2;
  const slotCount = Math.max(...program.slots) + 1;
  const sigma = Array.from({ length: slotCount }, () => new Float64Array(size));
  const theta = Array.from({ length: slotCount }, () => new Float64Array(size));
  const input = sigma[program.slots[0]];
  // When symmetric only the lower triangle is computed, and mirrored at the end.
  const rowEnd = (i: number) => (symmetric ? i + 1 : n2);
  if (symmetric) syrkLowerInto(x1, n1, d, input);
  else gemmInto(false, true, n1, n2, d, 1, dense(x1, d), dense(x2, d), 0, dense(input, n2));
  const squaredNorms = (x: Float64Array, rows: number) =>
    Float64Array.from({ length: rows }, (_, i) => {
      let s = 0;
      for (let p = 0; p < d; p++) s += x[i * d + p] * x[i * d + p];
      return s / d;
    });
  const q1 = [squaredNorms(x1, n1)];
  const q2 = x2 === null ? q1 : [squaredNorms(x2, n2)];
  // The diagonal takes q itself, so correlations of a point with itself are exactly 1.
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < rowEnd(i); j++) input[i * n2 + j] = symmetric && i === j ? q1[0][i] : input[i * n2 + j] / d;
  }
  for (const { op, a, b, out, attrs } of instructionsOf(program)) {
    const [sIn, tIn, sOut, tOut] = [sigma[program.slots[a]], theta[program.slots[a]], sigma[program.slots[out]], theta[program.slots[out]]];
    // Pass 1 for this value: each input's variance, as the op maps a self pair (q, q, q).
    const map = op === OP.activation ? activationMap(attrs, rule) : undefined;
    const variances = (q: Float64Array[]) => q[a].map((v, i) => {
      switch (op) {
        case OP.dense: return attrs[0] * v + attrs[1];
        case OP.activation: return map!(v, v, v)[0];
        case OP.layerNorm: return v * normScale(attrs[0], v, v);
        case OP.flatten: return v;
        case OP.sum: return v + q[b][i];
        default: throw unknownOp('infinite (vectors)', op);
      }
    });
    const qA1 = q1[a];
    const qA2 = q2[a];
    switch (op) {
      case OP.dense: {
        const [w2, b2, fanIn, hasBias, standard] = attrs;
        for (let i = 0; i < n1; i++) {
          for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
            const k = sIn[o];
            const next = w2 * k + b2;
            tOut[o] = (standard ? fanIn * k + hasBias : next) + w2 * tIn[o];
            sOut[o] = next;
          }
        }
        break;
      }
      case OP.activation: {
        for (let i = 0; i < n1; i++) {
          for (let j = 0; j < rowEnd(i); j++) {
            const o = i * n2 + j;
            const [k, slope] = map!(qA1[i], qA2[j], sIn[o]);
            tOut[o] = tIn[o] * slope;
            sOut[o] = k;
          }
        }
        break;
      }
      case OP.layerNorm: {
        const eps = attrs[0];
        for (let i = 0; i < n1; i++) {
          for (let j = 0; j < rowEnd(i); j++) {
            const o = i * n2 + j;
            const scale = normScale(eps, qA1[i], qA2[j]);
            sOut[o] = sIn[o] * scale;
            tOut[o] = tIn[o] * scale;
          }
        }
        break;
      }
      case OP.flatten: {
        // One position: the flattened vector has the same kernel.
        for (let i = 0; i < n1; i++) {
          for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
            sOut[o] = sIn[o];
            tOut[o] = tIn[o];
          }
        }
        break;
      }
      case OP.sum: {
        const [sB, tB] = [sigma[program.slots[b]], theta[program.slots[b]]];
        for (let i = 0; i < n1; i++) {
          for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
            sOut[o] = sIn[o] + sB[o];
            tOut[o] = tIn[o] + tB[o];
          }
        }
        break;
      }
      default:
        throw unknownOp('infinite (vectors)', op);
    }
    q1[out] = variances(q1);
    if (!symmetric) q2[out] = variances(q2);
  }
  const nngp = sigma[program.slots[program.output]];
  const ntk = theta[program.slots[program.output]];
  if (symmetric) {
    mirrorLower(nngp, n1);
    mirrorLower(ntk, n1);
  }
  return { nngp, ntk, finite: allFinite(nngp) && allFinite(ntk) };
}
