// A linear map over positions, the same on every channel: output position p is Σ_t weights[t·S + p]·input[sources[t·S + p]]
// over its taps t (S output positions; a source −1 reads nothing). Pooling (a window's mean or sum) and image resizing
// are such maps, each op building its own (src/ops/avgPool.ts, imageResize.ts); these are their passes: at finite width
// the map on each example's values and its transpose, at infinite width Σ ← BΣBᵀ. The WASM twin is
// assembly/ops/positionMap.ts.
import type { Instruction, Program } from '../core/layout.js';
import { channelsOf, sizeOf } from '../core/shapes.js';
import { type OpCost, type OpUnit, linearTangent, pairEachDirection } from './unit.js';

/** Taps × output positions: the input position each tap of each output reads (−1: none), and its weight. */
export interface PositionMap {
  sources: Int32Array;
  weights: Float64Array;
  taps: number;
  outPositions: number;
}

/** One example: out[p][ch] = Σ_t weight·h[source][ch]. */
function mapInto(
  { sources, weights, taps, outPositions }: PositionMap,
  h: Float64Array,
  hOffset: number,
  c: number,
  out: Float64Array,
  outOffset: number,
): void {
  out.fill(0, outOffset, outOffset + outPositions * c);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      const weight = weights[t * outPositions + p];
      for (let ch = 0; ch < c; ch++) out[outOffset + p * c + ch] += weight * h[hOffset + source * c + ch];
    }
  }
}

/** The transpose of mapInto: adds weight·g[p] onto every position output p read. */
function addMappedInto(
  { sources, weights, taps, outPositions }: PositionMap,
  g: Float64Array,
  gOffset: number,
  c: number,
  target: Float64Array,
  targetOffset: number,
): void {
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      const weight = weights[t * outPositions + p];
      for (let ch = 0; ch < c; ch++) target[targetOffset + source * c + ch] += weight * g[gOffset + p * c + ch];
    }
  }
}

/** B·M·Bᵀ (M full, inPositions²); the same-position entries only when !outputFull. */
function sandwich(
  { sources, weights, taps, outPositions }: PositionMap,
  input: Float64Array,
  inPositions: number,
  outputFull: boolean,
  out: Float64Array,
): void {
  const half = new Float64Array(inPositions * outPositions); // M·Bᵀ
  for (let t = 0; t < taps; t++) {
    for (let q = 0; q < outPositions; q++) {
      const b = sources[t * outPositions + q];
      if (b < 0) continue;
      const weight = weights[t * outPositions + q];
      for (let a = 0; a < inPositions; a++) half[a * outPositions + q] += weight * input[a * inPositions + b];
    }
  }
  out.fill(0, 0, outputFull ? outPositions * outPositions : outPositions);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const a = sources[t * outPositions + p];
      if (a < 0) continue;
      const weight = weights[t * outPositions + p];
      if (outputFull) for (let q = 0; q < outPositions; q++) out[p * outPositions + q] += weight * half[a * outPositions + q];
      else out[p] += weight * half[a * outPositions + p];
    }
  }
}

/**
 * The op of a position map: `mapOf` builds an instruction's map (for each call, and once per call at infinite width,
 * where its input covariance is read whole). Linear and the same on every row: its tangent is its forward on the
 * tangents, and at infinite width the tangents of its kernels are its rule on theirs.
 */
export function positionMapOp(name: string, mapOf: (program: Program, ins: Instruction) => PositionMap, cost: OpCost): OpUnit {
  const op: OpUnit = {
    name,
    forward({ program, n, values }, instruction) {
      const { a, out } = instruction;
      const map = mapOf(program, instruction);
      const size = sizeOf(program, out);
      const z = new Float64Array(n * size);
      for (let i = 0; i < n; i++) mapInto(map, values[a], i * sizeOf(program, a), channelsOf(program, a), z, i * size);
      return z;
    },
    backward({ program, rows, cotangent }, instruction, g) {
      const { a, out } = instruction;
      const map = mapOf(program, instruction);
      const target = cotangent(a);
      const size = sizeOf(program, out);
      for (let r = 0; r < rows; r++) addMappedInto(map, g, r * size, channelsOf(program, a), target, r * sizeOf(program, a));
    },
    tangent: (pass, ins) => linearTangent(op, pass, ins),
    needsPositions: () => true,
    // The map reads the covariance between positions.
    fullSpatial: (_program, { a }, _full, set) => set(a, 1),
    prepare: mapOf,
    pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, op, prepared),
    pair(pass, { a, out }, map) {
      const source = pass.state(a);
      const target = pass.state(out);
      const size = pass.size(out);
      sandwich(map as PositionMap, source.sigma, pass.positions(a), pass.full(out), pass.scratch.sigma);
      sandwich(map as PositionMap, source.theta, pass.positions(a), pass.full(out), pass.scratch.theta);
      target.sigma.set(pass.scratch.sigma.subarray(0, size));
      target.theta.set(pass.scratch.theta.subarray(0, size));
    },
    cost,
  };
  return op;
}
