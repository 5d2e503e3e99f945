// What the windowed ops (conv, avgPool) share: their options, and on one example (positions × channels, row-major)
// the patches of a convolution (im2col) and their transpose (col2im). The reference for assembly/ops/window.ts.
import { enumOption, numberOption } from '../errors.js';
import { SPATIAL_AXES } from '../core/layout.js';
import { type Padding, type Window, tapCount, tapSources } from '../core/shapes.js';

/** The named paddings a window may have. */
export const PADDINGS = ['VALID', 'SAME', 'CIRCULAR'] as const;

/**
 * A padding: one of {@link PADDINGS}, or `rank` pairs [before, after] of non-negative integers (zeros along each
 * spatial axis). Default 'VALID'.
 */
export function paddingOption(fn: string, value: unknown, rank: number): Padding {
  if (value === undefined) return 'VALID';
  if (!Array.isArray(value)) return enumOption(fn, 'padding', value, PADDINGS, 'VALID');
  if (value.length !== rank || value.some((pair) => !Array.isArray(pair) || pair.length !== 2)) {
    throw new TypeError(
      `${fn}: padding must be 'VALID', 'SAME', 'CIRCULAR' or ${rank} pairs [before, after] (one per spatial axis), got ${JSON.stringify(value)}`,
    );
  }
  return Object.freeze(
    (value as unknown[][]).map((pair, axis) =>
      Object.freeze(pair.map((v, side) => numberOption(fn, `padding[${axis}][${side}]`, v, undefined, { integer: true, min: 0 })) as [number, number]),
    ),
  );
}

/** A list of one to {@link SPATIAL_AXES} positive integers (a window), or, with `rank`, a number that fills it. */
export function sizesOption(fn: string, name: string, value: unknown, rank?: number): number[] {
  const list = typeof value === 'number' && rank !== undefined ? new Array<number>(rank).fill(value) : value;
  const expected = rank === undefined ? `an array of 1 to ${SPATIAL_AXES} positive integers` : `a positive integer or an array of ${rank}`;
  if (!Array.isArray(list) || list.length < 1 || list.length > SPATIAL_AXES || (rank !== undefined && list.length !== rank)) {
    throw new TypeError(`${fn}: ${name} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return list.map((v, i) => numberOption(fn, `${name}[${i}]`, v, undefined, { integer: true, min: 1 }));
}

/** Where every tap of a window reads from, for inputs and outputs of the given spatial sizes. */
export interface Taps {
  /** tapSources(): per tap, per output position, the input position or −1. */
  sources: Int32Array;
  taps: number;
  outPositions: number;
}

export function tapsOf(window: Window, inSpatial: readonly number[], outSpatial: readonly number[]): Taps {
  return { sources: tapSources(window, inSpatial, outSpatial), taps: tapCount(window), outPositions: outSpatial.reduce((p, v) => p * v, 1) };
}

/**
 * Patches of one example h (inPositions × c): row p holds, tap by tap, the c channels read by output p (0 in padding);
 * channelMajor (convLocal's rows, neural-tangents' order): channel by channel, the taps.
 */
export function patchesInto({ sources, taps, outPositions }: Taps, h: Float64Array, hOffset: number, c: number, out: Float64Array, channelMajor = false): void {
  const row = taps * c;
  const [tapStride, channelStride] = channelMajor ? [1, taps] : [c, 1];
  out.fill(0, 0, outPositions * row);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      for (let ch = 0; ch < c; ch++) out[p * row + t * tapStride + ch * channelStride] = h[hOffset + source * c + ch];
    }
  }
}

/** Adds the patch cotangents (outPositions × taps·c, ordered as patchesInto's) back onto the positions they were read from. */
export function addPatchesInto(
  { sources, taps, outPositions }: Taps,
  patches: Float64Array,
  c: number,
  target: Float64Array,
  targetOffset: number,
  channelMajor = false,
): void {
  const row = taps * c;
  const [tapStride, channelStride] = channelMajor ? [1, taps] : [c, 1];
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      for (let ch = 0; ch < c; ch++) target[targetOffset + source * c + ch] += patches[p * row + t * tapStride + ch * channelStride];
    }
  }
}
