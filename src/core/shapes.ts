// Shape and padding arithmetic of windowed layers (conv, avgPool), in one place for both widths and the TS
// backend; assembly/net/window.ts computes the same source positions.
import { SHAPE_WIDTH, SLOTS, SPATIAL_AXES, TERM, WINDOW_MODE } from './layout.js';

/** How a window meets the edges: neural-tangents' `Padding`, or explicit zeros before and after along each spatial axis. */
export type Padding = 'SAME' | 'VALID' | 'CIRCULAR' | readonly (readonly [before: number, after: number])[];

/** A shape as messages write it: [3, 4]. */
export const describeShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Output size and padding before the first element along spatial axis `axis`: 'VALID' has ⌊(size − k)/stride⌋ + 1
 * outputs and no padding; explicit pairs ⌊(before + size + after − k)/stride⌋ + 1 outputs over zeros before and
 * after; 'SAME' and 'CIRCULAR' have ⌈size/stride⌉, with total padding max((out − 1)·stride + k − size, 0), the
 * smaller half before (zeros for 'SAME', the wrapped input for 'CIRCULAR'). The caller checks that a window fits.
 */
export function windowAxis(size: number, k: number, stride: number, padding: Padding, axis: number): { out: number; before: number } {
  if (padding === 'VALID') return { out: Math.floor((size - k) / stride) + 1, before: 0 };
  if (typeof padding !== 'string') {
    const [before, after] = padding[axis];
    return { out: Math.floor((before + size + after - k) / stride) + 1, before };
  }
  const out = Math.ceil(size / stride);
  return { out, before: Math.floor(Math.max((out - 1) * stride + k - size, 0) / 2) };
}

/**
 * Output size and padding before along one axis of a transposed convolution (neural-tangents' `ConvTranspose`, JAX's
 * `conv_transpose`: the input dilated by the stride, then padded): 'VALID' has size·stride + max(k − stride, 0)
 * outputs over k − 1 zeros before; 'SAME' size·stride over k − 1 (stride > k − 1) or ⌈(k + stride − 2)/2⌉;
 * 'CIRCULAR' is 'VALID' folded periodically onto 'SAME''s size·stride outputs, centred: ⌊max(k − stride, 0)/2⌋ fewer
 * before.
 */
export function transposedWindowAxis(size: number, k: number, stride: number, padding: 'VALID' | 'SAME' | 'CIRCULAR'): { out: number; before: number } {
  if (padding === 'VALID') return { out: size * stride + Math.max(k - stride, 0), before: k - 1 };
  if (padding === 'CIRCULAR') return { out: size * stride, before: k - 1 - Math.floor(Math.max(k - stride, 0) / 2) };
  return { out: size * stride, before: stride > k - 1 ? k - 1 : Math.ceil((k + stride - 2) / 2) };
}

/** A decoded window: per spatial axis ({@link SPATIAL_AXES}, 1 past the value's own) the filter size, stride and padding before; its mode flags. */
export interface Window {
  filter: number[];
  strides: number[];
  before: number[];
  circular: boolean;
  transposed: boolean;
  /** Weights and bias per output position (convLocal). */
  unshared: boolean;
}

const axesOf = (attrs: Float64Array, first: number): number[] => Array.from(attrs.subarray(first, first + SPATIAL_AXES));

/** The window of a dense (conv) or avgPool instruction's attributes. */
export function windowOf(attrs: Float64Array): Window {
  const mode = attrs[SLOTS.window.mode];
  return {
    filter: axesOf(attrs, SLOTS.window.filter),
    strides: axesOf(attrs, SLOTS.window.strides),
    before: axesOf(attrs, SLOTS.window.before),
    circular: (mode & WINDOW_MODE.circular) !== 0,
    transposed: (mode & WINDOW_MODE.transposed) !== 0,
    unshared: (mode & WINDOW_MODE.unshared) !== 0,
  };
}

/** Taps of a window: the product of its filter sizes. */
export const tapCount = (window: Window): number => window.filter.reduce((p, k) => p * k, 1);

/**
 * The input index of output o at tap t along an axis of `size`, or −1 where it falls in the zero padding: o·stride + t −
 * before, wrapped when circular; transposed, (o + t − before)/stride where whole (wrapped over size·stride when circular).
 */
export function sourceIndex(o: number, t: number, stride: number, before: number, size: number, circular: boolean, transposed: boolean): number {
  if (transposed) {
    const period = size * stride;
    const p = circular ? (((o + t - before) % period) + period) % period : o + t - before;
    return p >= 0 && p % stride === 0 && p < period ? p / stride : -1;
  }
  const p = o * stride + t - before;
  if (circular) return ((p % size) + size) % size;
  return p >= 0 && p < size ? p : -1;
}

/**
 * For every tap (row-major over the filter, the order of HWIO / DHWIO weights) and output position (row-major over
 * the output's spatial axes), the input position it reads (row-major over the input's), or −1 in the zero padding.
 */
export function tapSources(window: Window, inSpatial: readonly number[], outSpatial: readonly number[]): Int32Array {
  const outPositions = outSpatial.reduce((p, v) => p * v, 1);
  const sources = new Int32Array(tapCount(window) * outPositions);
  // Per axis, per tap and output index along it, the input index along it (−1 in the padding).
  const axes = window.filter.map((k, d) =>
    Array.from({ length: k }, (_, t) =>
      Array.from({ length: outSpatial[d] }, (_, o) => sourceIndex(o, t, window.strides[d], window.before[d], inSpatial[d], window.circular, window.transposed)),
    ),
  );
  const [k0, k1, k2] = window.filter;
  const [o0, o1, o2] = outSpatial;
  const [, i1, i2] = inSpatial;
  let at = 0;
  for (let t0 = 0; t0 < k0; t0++) {
    for (let t1 = 0; t1 < k1; t1++) {
      for (let t2 = 0; t2 < k2; t2++) {
        for (let p0 = 0; p0 < o0; p0++) {
          const s0 = axes[0][t0][p0];
          for (let p1 = 0; p1 < o1; p1++) {
            const s1 = axes[1][t1][p1];
            for (let p2 = 0; p2 < o2; p2++) {
              const s2 = axes[2][t2][p2];
              sources[at++] = s0 < 0 || s1 < 0 || s2 < 0 ? -1 : (s0 * i1 + s1) * i2 + s2;
            }
          }
        }
      }
    }
  }
  return sources;
}

/** Whether a window reads every input position once in order (a dense layer: filter 1, stride 1, no padding). */
export function isPointwise(window: Window): boolean {
  return window.filter.every((k, d) => k === 1 && window.strides[d] === 1 && window.before[d] === 0);
}

/** Channels of value v of a program. */
export const channelsOf = (program: { shapes: Int32Array }, v: number): number => program.shapes[v * SHAPE_WIDTH + SPATIAL_AXES];

/** Sizes of the spatial axes of value v of a program ({@link SPATIAL_AXES} of them, 1 past its own). */
export const spatialOf = (program: { shapes: Int32Array }, v: number): number[] =>
  Array.from(program.shapes.subarray(v * SHAPE_WIDTH, v * SHAPE_WIDTH + SPATIAL_AXES));

/** Positions (the product of the spatial sizes) of value v of a program: 1 for vectors. */
export const positionsOf = ({ shapes }: { shapes: Int32Array }, v: number): number =>
  shapes[v * SHAPE_WIDTH] * shapes[v * SHAPE_WIDTH + 1] * shapes[v * SHAPE_WIDTH + 2];

/** Numbers per example of value v of a program: positions × channels. */
export const sizeOf = (program: { shapes: Int32Array }, v: number): number => positionsOf(program, v) * channelsOf(program, v);

/** Doubles each example carries after its input (its graph's adjacency; 0 without aggregate layers). */
export const sideWidthOf = (program: { shapes: Int32Array; values: number }): number => program.shapes[program.values * SHAPE_WIDTH];

/** Doubles per row of the inputs a backend takes: the input's entries, then the side's. */
export const rowWidthOf = (program: { shapes: Int32Array; values: number }): number => sizeOf(program, 0) + sideWidthOf(program);

/**
 * The cheaper form for a layer with `positions` output positions, fan-in F (taps × input channels) and C
 * output channels, for k outputs: per pair of examples the Gram of weight gradients costs m·F·C and the
 * position pairs S²·(F + m·C), with m = k ('mean', the outputs summed inside) or k² ('full').
 */
export function termForm(positions: number, fanIn: number, channels: number, k: number, full: boolean): number {
  if (positions === 1) return TERM.dense;
  const m = full ? k * k : k;
  return positions * positions * (fanIn + m * channels) < m * fanIn * channels ? TERM.pairs : TERM.jacobian;
}
