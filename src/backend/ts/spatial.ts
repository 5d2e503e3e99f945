// Reference version of assembly/kernels/spatial.ts: the infinite-width NNGP and NTK of a model on spatial
// inputs (sequences, images), by neural-tangents' layer rules on the covariance of every pair of positions
// (or of the same positions only, where the program's fullSpatial flag allows), one pair of examples at a time:
// memory is O(n·S) for the variances and O(S²) per pair, never n²·S².
//   input:          Σ[p, p′] = x·x′/C over channels
//   conv:           U(M)[p, p′] = (1/T)·Σ_t M[src(p, t), src(p′, t)] (weights are independent across taps), then
//                   the dense rules on U(Σ), U(Θ); a dense layer is the case U = identity
//   avgPool:        Σ ← BΣBᵀ with B the window mean;  globalAvgPool: the mean of all entries;
//   flatten:        the mean of the same-position entries
//   activation:     the dual maps with q1 = var(x, p), q2 = var(x′, p′);  layerNorm, sum: as for vectors
import { OP, instructionsOf, unknownOp } from '../../core/layout.js';
import { channelsOf, isPointwise, positionsOf, sizeOf, spatialOf, windowOf } from '../../core/shapes.js';
import type { MixtureRule } from '../../ops/activations/unit.js';
import type { Program } from '../../core/layout.js';
import { activationMap, normScale } from './infinite.js';
import { type Taps, tapsOf } from './net/window.js';

/** The per-pair state of one value: Σ and Θ over its positions (S² entries when full, else S). */
interface State {
  sigma: Float64Array;
  theta: Float64Array;
}

/** U(M): the tap average of a convolution window (full: every position pair; else same positions). */
function convolve({ sources, taps, outPositions }: Taps, input: Float64Array, inPositions: number, inputFull: boolean, outputFull: boolean, out: Float64Array): void {
  const diagonalStride = inputFull ? inPositions + 1 : 1;
  out.fill(0, 0, outputFull ? outPositions * outPositions : outPositions);
  for (let t = 0; t < taps; t++) {
    const row = sources.subarray(t * outPositions, (t + 1) * outPositions);
    for (let p = 0; p < outPositions; p++) {
      const a = row[p];
      if (a < 0) continue;
      if (!outputFull) {
        out[p] += input[a * diagonalStride] / taps;
        continue;
      }
      for (let q = 0; q < outPositions; q++) if (row[q] >= 0) out[p * outPositions + q] += input[a * inPositions + row[q]] / taps;
    }
  }
}

/** B·M·Bᵀ for the window mean B of an avgPool (M full); the same-position entries only when !outputFull. */
function pool({ sources, taps, outPositions }: Taps, input: Float64Array, inPositions: number, outputFull: boolean, out: Float64Array): void {
  const half = new Float64Array(inPositions * outPositions); // M·Bᵀ
  for (let t = 0; t < taps; t++) {
    for (let q = 0; q < outPositions; q++) {
      const b = sources[t * outPositions + q];
      if (b < 0) continue;
      for (let a = 0; a < inPositions; a++) half[a * outPositions + q] += input[a * inPositions + b] / taps;
    }
  }
  out.fill(0, 0, outputFull ? outPositions * outPositions : outPositions);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const a = sources[t * outPositions + p];
      if (a < 0) continue;
      if (outputFull) for (let q = 0; q < outPositions; q++) out[p * outPositions + q] += half[a * outPositions + q] / taps;
      else out[p] += half[a * outPositions + p] / taps;
    }
  }
}

export function spatialInfinite(
  program: Program, rule: MixtureRule, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean } {
  const instructions = instructionsOf(program);
  const full = program.fullSpatial;
  const positions = (v: number) => positionsOf(program, v);
  const stateSize = (v: number) => (full[v] ? positions(v) ** 2 : positions(v));
  const largest = Math.max(...Array.from({ length: program.values }, (_, v) => stateSize(v)));
  const slotCount = Math.max(...program.slots) + 1;
  const states: State[] = Array.from({ length: slotCount }, () => ({ sigma: new Float64Array(largest), theta: new Float64Array(largest) }));
  const scratch: State = { sigma: new Float64Array(largest), theta: new Float64Array(largest) };
  const taps = instructions.map((ins) => (ins.op === OP.dense || ins.op === OP.avgPool
    ? tapsOf(windowOf(ins.attrs), ...spatialOf(program, ins.a), ...spatialOf(program, ins.out)) : null));
  const pointwise = instructions.map(({ op, attrs }) => op === OP.dense && isPointwise(windowOf(attrs)));
  const maps = instructions.map(({ op, attrs }) => (op === OP.activation ? activationMap(attrs, rule) : null));
  const channels = channelsOf(program, 0);
  const inputSize = sizeOf(program, 0);

  /**
   * Runs the program on the pair (x[i], x′[j]) with the variances q (per value, n × S) of both; with
   * `record`, writes the same-position entries of every value into q1 (pass 1, where x = x′ and i = j).
   */
  const runPair = (xa: Float64Array, i: number, xb: Float64Array, j: number, q1: Float64Array[], q2: Float64Array[], record: boolean): State => {
    const input = states[program.slots[0]];
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
      const { op, a, b, out, attrs } = instruction;
      const source = states[program.slots[a]];
      const target = states[program.slots[out]];
      const sa = positions(a);
      const so = positions(out);
      const size = stateSize(out);
      // Entry e of a full state is the position pair (⌊e/S⌋, e mod S); of a diagonal one, (e, e).
      const row = (e: number) => (full[out] ? Math.floor(e / so) : e);
      const column = (e: number) => (full[out] ? e % so : e);
      if (op === OP.dense) {
        const [w2, b2, fanIn, hasBias, standard] = attrs;
        const sigmaIn = pointwise[t] ? source.sigma : scratch.sigma;
        const thetaIn = pointwise[t] ? source.theta : scratch.theta;
        if (!pointwise[t]) {
          convolve(taps[t]!, source.sigma, sa, full[a] === 1, full[out] === 1, scratch.sigma);
          convolve(taps[t]!, source.theta, sa, full[a] === 1, full[out] === 1, scratch.theta);
        }
        for (let e = 0; e < size; e++) {
          const k = sigmaIn[e];
          const next = w2 * k + b2;
          target.theta[e] = (standard ? fanIn * k + hasBias : next) + w2 * thetaIn[e];
          target.sigma[e] = next;
        }
      } else if (op === OP.activation) {
        const map = maps[t]!;
        for (let e = 0; e < size; e++) {
          const [k, slope] = map(q1[a][i * sa + row(e)], q2[a][j * sa + column(e)], source.sigma[e]);
          target.theta[e] = source.theta[e] * slope;
          target.sigma[e] = k;
        }
      } else if (op === OP.layerNorm) {
        const mean = (q: Float64Array, example: number) => q.subarray(example * sa, (example + 1) * sa).reduce((s, v) => s + v, 0) / sa;
        const all = attrs[1] !== 0;
        const [mean1, mean2] = all ? [mean(q1[a], i), mean(q2[a], j)] : [0, 0];
        for (let e = 0; e < size; e++) {
          const scale = normScale(attrs[0], all ? mean1 : q1[a][i * sa + row(e)], all ? mean2 : q2[a][j * sa + column(e)]);
          target.sigma[e] = source.sigma[e] * scale;
          target.theta[e] = source.theta[e] * scale;
        }
      } else if (op === OP.avgPool) {
        pool(taps[t]!, source.sigma, sa, full[out] === 1, scratch.sigma);
        pool(taps[t]!, source.theta, sa, full[out] === 1, scratch.theta);
        target.sigma.set(scratch.sigma.subarray(0, size));
        target.theta.set(scratch.theta.subarray(0, size));
      } else if (op === OP.globalAvgPool) {
        const total = (m: Float64Array) => m.subarray(0, sa * sa).reduce((s, v) => s + v, 0) / (sa * sa);
        [target.sigma[0], target.theta[0]] = [total(source.sigma), total(source.theta)];
      } else if (op === OP.flatten) {
        const stride = full[a] ? sa + 1 : 1;
        const trace = (m: Float64Array) => {
          let sum = 0;
          for (let p = 0; p < sa; p++) sum += m[p * stride];
          return sum / sa;
        };
        [target.sigma[0], target.theta[0]] = [trace(source.sigma), trace(source.theta)];
      } else if (op === OP.sum) {
        const other = states[program.slots[b]];
        for (let e = 0; e < size; e++) {
          target.sigma[e] = source.sigma[e] + other.sigma[e];
          target.theta[e] = source.theta[e] + other.theta[e];
        }
      } else {
        throw unknownOp('infinite (positions)', op);
      }
      if (record) for (let p = 0; p < so; p++) q1[out][i * so + p] = target.sigma[full[out] ? p * (so + 1) : p];
    });
    return states[program.slots[program.output]];
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
