// Shape and padding arithmetic of windowed layers (conv, avgPool), in one place for both widths and the TS
// backend; assembly/net/window.ts computes the same source positions.
import { SHAPE_WIDTH, TERM, WINDOW, WINDOW_MODE } from './layout.js';

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

/** A decoded window: filter height and width, strides, padding before (top, left), circular, transposed. */
export interface Window {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
  circular: boolean;
  transposed: boolean;
}

/** The window of a dense (conv) or avgPool instruction's attributes. */
export function windowOf(attrs: Float64Array): Window {
  const [kh, kw, sh, sw, top, left, mode] = attrs.subarray(WINDOW, WINDOW + 7);
  return { kh, kw, sh, sw, top, left, circular: (mode & WINDOW_MODE.circular) !== 0, transposed: (mode & WINDOW_MODE.transposed) !== 0 };
}

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
 * For every tap (row-major over kh × kw, the order of HWIO weights) and output position (row-major over
 * outH × outW), the input position it reads (row-major over inH × inW), or −1 in the zero padding.
 */
export function tapSources(window: Window, inH: number, inW: number, outH: number, outW: number): Int32Array {
  const sources = new Int32Array(window.kh * window.kw * outH * outW);
  let at = 0;
  for (let th = 0; th < window.kh; th++) {
    for (let tw = 0; tw < window.kw; tw++) {
      for (let oh = 0; oh < outH; oh++) {
        const h = sourceIndex(oh, th, window.sh, window.top, inH, window.circular, window.transposed);
        for (let ow = 0; ow < outW; ow++) {
          const w = sourceIndex(ow, tw, window.sw, window.left, inW, window.circular, window.transposed);
          sources[at++] = h < 0 || w < 0 ? -1 : h * inW + w;
        }
      }
    }
  }
  return sources;
}

/** Whether a window reads every input position once in order (a dense layer: 1×1, stride 1, no padding). */
export function isPointwise(window: Window): boolean {
  return window.kh === 1 && window.kw === 1 && window.sh === 1 && window.sw === 1 && window.top === 0 && window.left === 0;
}

/** Channels of value v of a program. */
export const channelsOf = (program: { shapes: Int32Array }, v: number): number => program.shapes[v * SHAPE_WIDTH + 2];

/** Positions (height × width) of value v of a program: 1 for vectors. */
export const positionsOf = (program: { shapes: Int32Array }, v: number): number => program.shapes[v * SHAPE_WIDTH] * program.shapes[v * SHAPE_WIDTH + 1];

/** Numbers per example of value v of a program: positions × channels. */
export const sizeOf = (program: { shapes: Int32Array }, v: number): number => positionsOf(program, v) * channelsOf(program, v);

/** Height and width of value v of a program. */
export const spatialOf = (program: { shapes: Int32Array }, v: number): [number, number] => [
  program.shapes[v * SHAPE_WIDTH],
  program.shapes[v * SHAPE_WIDTH + 1],
];

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
