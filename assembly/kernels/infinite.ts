// Infinite-width NNGP and NTK of a lowered model (src/model/program.ts), by neural-tangents' layer rules per
// pair of inputs: Σ (the NNGP), Θ (the NTK), and each input's variance q at every value.
// dense ('ntk'):      Σ ← wStd²·Σ + bStd²,  Θ ← Σ′ + wStd²·Θ
// dense ('standard'): Σ ← wStd²·Σ + bStd²,  Θ ← fanIn·Σ + [bias] + wStd²·Θ
// activation φ:       Σ ← E[φ(u)φ(v)],  Θ ← Θ·E[φ′(u)φ′(v)],  (u, v) ~ N(0, [[q1, Σ], [Σ, q2]])
// layerNorm:          Σ, Θ ← Σ, Θ / (√(eps + q1)·√(eps + q2))
// sum (fanInSum):     Σ ← Σa + Σb,  Θ ← Θa + Θb
import { scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { dot } from "../linalg/vector";
import { mapLanes } from "../generated/activations";
import { laneK, laneSlope, useMixture } from "../ops/activations/common";
import { ACTIVATION_FIRST_PARAMETER, ACTIVATION_ID, OP_ACTIVATION, OP_DENSE, OP_FLATTEN, OP_LAYER_NORM, OP_SUM } from "../generated/layout";
import { attribute, attributeAt, field } from "../net/program";

// Results of one activation map on one lane, returned through globals to keep the inner loop allocation-free.
export let mappedK: f64 = 0.0;
export let mappedSlope: f64 = 0.0;

// The maps on two entries, reading q1 (one value for both where q1Shared), q2 and c from memory.
export function mapLanesAt(kind: i32, p: usize, q1: usize, q1Shared: bool, q2: usize, c: usize): void {
  mapLanes(kind, p, q1Shared ? f64x2.splat(load<f64>(q1)) : v128.load(q1), v128.load(q2), v128.load(c));
}

// The same map on one lane, so that diagonals and sweep agree.
export function mapActivation(kind: i32, p: usize, q1: f64, q2: f64, c: f64): void {
  mapLanes(kind, p, f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(c));
  mappedK = f64x2.extract_lane(laneK, 0);
  mappedSlope = f64x2.extract_lane(laneSlope, 0);
}

/**
 * The dense rules on `entries` entries (a whole number of vectors is written, so the arrays hold an even
 * count): Σ ← wStd²·Σ + bStd², Θ ← Σ′ + wStd²·Θ ('ntk') or fanIn·Σ + [bias] + wStd²·Θ ('standard').
 */
export function affineRule(attributes: usize, t: i32, entries: i32, sigmaIn: usize, thetaIn: usize, sigmaOut: usize, thetaOut: usize): void {
  const w2 = f64x2.splat(attribute(attributes, t, 0));
  const b2 = f64x2.splat(attribute(attributes, t, 1));
  const standard = attribute(attributes, t, 4) != 0.0;
  const fanIn = f64x2.splat(attribute(attributes, t, 2));
  const bias = f64x2.splat(attribute(attributes, t, 3));
  for (let e = 0; e < entries; e += 2) {
    const at = <usize>e << 3;
    const k = v128.load(sigmaIn + at);
    const next = f64x2.add(f64x2.mul(w2, k), b2);
    const base = standard ? f64x2.add(f64x2.mul(fanIn, k), bias) : next;
    v128.store(thetaOut + at, f64x2.add(base, f64x2.mul(w2, v128.load(thetaIn + at))));
    v128.store(sigmaOut + at, next);
  }
}

// layerNorm divides Σ and Θ by √(eps + q1)·√(eps + q2); the variances by the same expression at q1 = q2.
// @ts-ignore: decorator
@inline export function normScale(eps: f64, q1: f64, q2: f64): f64 {
  return 1.0 / (Math.sqrt(eps + q1) * Math.sqrt(eps + q2));
}

/**
 * Pass 1: the variance of every input at every value of the program (count instructions, see
 * src/core/opcodes.ts), as each op maps a self pair (q, q, q): table[v·n + i] for value v and input i.
 * scales/weights: the scale-mixture rule of tanh and sigmoid (ruleSize entries each).
 */
export function infiniteVariances(
  program: usize, attributes: usize, count: i32, scales: usize, weights: usize, ruleSize: i32,
  x: usize, n: i32, d: i32, table: usize,
): void {
  useMixture(scales, weights, ruleSize);
  for (let i = 0; i < n; i++) {
    const row = x + (<usize>i * <usize>d << 3);
    store<f64>(table + (<usize>i << 3), dot(row, row, d) / <f64>d);
  }
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    const a = table + (<usize>field(program, t, 1) * <usize>n << 3);
    const b = table + (<usize>max(field(program, t, 2), 0) * <usize>n << 3);
    const out = table + (<usize>field(program, t, 3) * <usize>n << 3);
    const first = attribute(attributes, t, 0);
    const second = attribute(attributes, t, 1);
    for (let i = 0; i < n; i++) {
      const at = <usize>i << 3;
      const v = load<f64>(a + at);
      let next = 0.0;
      if (op == OP_DENSE) next = first * v + second;
      else if (op == OP_ACTIVATION) {
        mapActivation(<i32>first, attributeAt(attributes, t, ACTIVATION_FIRST_PARAMETER), v, v, v);
        next = mappedK;
      } else if (op == OP_LAYER_NORM) next = v * normScale(first, v, v);
      else if (op == OP_FLATTEN) next = v;
      else if (op == OP_SUM) next = v + load<f64>(b + at);
      else abort("unknown opcode");
      store<f64>(out + at, next);
    }
  }
}

/**
 * Pass 2: rows [r0, r1) of the NNGP and NTK (n1 × n2; x2 = 0 means x1 with itself: the lower triangle, then
 * mirrored), so threads can share one pair of matrices. Each row runs the whole program on row vectors,
 * one Σ row and one Θ row per storage slot (slots: the slot of every value; slotCount of them, in scratch).
 * table1/table2: the variances of pass 1. rowFinite[i]: 0 when row i of both results is finite.
 */
export function infiniteRows(
  program: usize, attributes: usize, count: i32, slots: usize, slotCount: i32, output: i32,
  scales: usize, weights: usize, ruleSize: i32, x1: usize, n1: i32, x2: usize, n2: i32, d: i32,
  table1: usize, table2: usize, nngp: usize, ntk: usize, r0: i32, r1: i32, rowFinite: usize,
): void {
  useMixture(scales, weights, ruleSize);
  const symmetric = x2 == 0;
  const columnTable = symmetric ? table1 : table2;
  // x·x′ into nngp (lower triangle only when symmetric), read back as each row's input.
  if (symmetric) syrkLower(n1, d, x1, nngp, r0, r1);
  else gemm(0, 1, r1 - r0, n2, d, 1.0, x1 + (<usize>r0 * <usize>d << 3), d, x2, d, 0.0, nngp + (<usize>r0 * <usize>n2 << 3), n2);
  // An even number of doubles per row, so whole vectors may run one entry past the end of a row.
  const rowBytes = <usize>((n2 + 1) & ~1) << 3;
  const rows = scratch(<usize>slotCount * 2 * rowBytes);
  for (let i = r0; i < r1; i++) {
    const end = symmetric ? i + 1 : n2;
    // Lanes stop before the diagonal, which takes the scalar path as the variances did.
    const laneEnd = symmetric ? i : n2;
    const inputSigma = rows + <usize>load<i32>(slots) * 2 * rowBytes;
    const rowOffset = <usize>i * <usize>n2 << 3;
    for (let j = 0; j < end; j++) {
      const at = <usize>j << 3;
      store<f64>(inputSigma + at, symmetric && j == i ? load<f64>(table1 + (<usize>i << 3)) : load<f64>(nngp + rowOffset + at) / <f64>d);
      store<f64>(inputSigma + rowBytes + at, 0.0);
    }
    for (let t = 0; t < count; t++) {
      const op = field(program, t, 0);
      const a = field(program, t, 1);
      const sigmaA = rows + <usize>load<i32>(slots + (<usize>a << 2)) * 2 * rowBytes;
      const thetaA = sigmaA + rowBytes;
      const sigmaOut = rows + <usize>load<i32>(slots + (<usize>field(program, t, 3) << 2)) * 2 * rowBytes;
      const thetaOut = sigmaOut + rowBytes;
      const first = attribute(attributes, t, 0);
      const second = attribute(attributes, t, 1);
      const q1 = load<f64>(table1 + ((<usize>a * <usize>n1 + <usize>i) << 3));
      const q2Row = columnTable + (<usize>a * <usize>n2 << 3);
      let j = 0;
      if (op == OP_DENSE) {
        affineRule(attributes, t, end, sigmaA, thetaA, sigmaOut, thetaOut);
      } else if (op == OP_ACTIVATION) {
        const kind = <i32>first;
        const parameters = attributeAt(attributes, t, ACTIVATION_FIRST_PARAMETER);
        const q1v = f64x2.splat(q1);
        for (; j + 2 <= laneEnd; j += 2) {
          const at = <usize>j << 3;
          mapLanes(kind, parameters, q1v, v128.load(q2Row + at), v128.load(sigmaA + at));
          v128.store(thetaOut + at, f64x2.mul(v128.load(thetaA + at), laneSlope));
          v128.store(sigmaOut + at, laneK);
        }
        for (; j < end; j++) {
          const at = <usize>j << 3;
          mapActivation(kind, parameters, q1, load<f64>(q2Row + at), load<f64>(sigmaA + at));
          store<f64>(thetaOut + at, load<f64>(thetaA + at) * mappedSlope);
          store<f64>(sigmaOut + at, mappedK);
        }
      } else if (op == OP_LAYER_NORM) {
        for (; j < end; j++) {
          const at = <usize>j << 3;
          const scale = normScale(first, q1, load<f64>(q2Row + at));
          store<f64>(sigmaOut + at, load<f64>(sigmaA + at) * scale);
          store<f64>(thetaOut + at, load<f64>(thetaA + at) * scale);
        }
      } else if (op == OP_FLATTEN) {
        // One position: the flattened vector has the same kernel.
        memory.copy(sigmaOut, sigmaA, <usize>end << 3);
        memory.copy(thetaOut, thetaA, <usize>end << 3);
      } else if (op == OP_SUM) {
        const sigmaB = rows + <usize>load<i32>(slots + (<usize>field(program, t, 2) << 2)) * 2 * rowBytes;
        const thetaB = sigmaB + rowBytes;
        for (; j < end; j += 2) {
          const at = <usize>j << 3;
          v128.store(sigmaOut + at, f64x2.add(v128.load(sigmaA + at), v128.load(sigmaB + at)));
          v128.store(thetaOut + at, f64x2.add(v128.load(thetaA + at), v128.load(thetaB + at)));
        }
      } else {
        abort("unknown opcode");
      }
    }
    // The output row, and x − x summed over it: 0 when every entry is finite, NaN otherwise.
    const sigmaResult = rows + <usize>load<i32>(slots + (<usize>output << 2)) * 2 * rowBytes;
    let finite = 0.0;
    for (let j = 0; j < end; j++) {
      const at = <usize>j << 3;
      const sigma = load<f64>(sigmaResult + at);
      const theta = load<f64>(sigmaResult + rowBytes + at);
      store<f64>(nngp + rowOffset + at, sigma);
      store<f64>(ntk + rowOffset + at, theta);
      finite += (sigma - sigma) + (theta - theta);
    }
    store<f64>(rowFinite + (<usize>i << 3), finite);
  }
  if (symmetric) {
    mirrorLower(n1, nngp, r0, r1);
    mirrorLower(n1, ntk, r0, r1);
  }
}
