// Windowed layers (conv, avgPool): the input position every tap reads for every output position, as
// src/core/shapes.ts computes it, and the finite-width patch (im2col) loops on one example (positions × channels,
// row-major). The TypeScript twin is src/ops/window.ts.
import { scratch } from "../heap";
import { axpy } from "../linalg/vector";
import {
  SPATIAL_AXES,
  WINDOW_BEFORE,
  WINDOW_FILTER,
  WINDOW_MODE,
  WINDOW_MODE_CIRCULAR,
  WINDOW_MODE_TRANSPOSED,
  WINDOW_MODE_UNSHARED,
  WINDOW_STRIDES,
} from "../generated/layout";
import { attribute, spatialSizeOf } from "../net/program";

/**
 * The input index of output o at tap t along an axis of `size`, or −1 where it falls in the zero padding: o·stride + t −
 * before, wrapped when circular; transposed, (o + t − before)/stride where whole (wrapped over size·stride when circular).
 */
// @ts-ignore: decorator
@inline export function sourceIndex(o: i32, t: i32, stride: i32, before: i32, size: i32, circular: bool, transposed: bool): i32 {
  if (transposed) {
    const period = size * stride;
    const q = o + t - before;
    const p = circular ? ((q % period) + period) % period : q;
    return p >= 0 && p % stride == 0 && p < period ? p / stride : -1;
  }
  const p = o * stride + t - before;
  if (circular) return ((p % size) + size) % size;
  return p >= 0 && p < size ? p : -1;
}

// The window last decoded by decodeWindow: its instruction's attributes (read per axis by windowFilter, windowStride,
// windowBefore) and mode. Plain globals: the runtime's objects would share memory with the arena (assembly/heap.ts).
let windowAttributes: usize = 0;
let windowInstruction: i32 = 0;
export let windowCircular: bool = false;
export let windowTransposed: bool = false;

/** The decoded window's filter size along spatial axis d. */
// @ts-ignore: decorator
@inline export function windowFilter(d: i32): i32 {
  return <i32>attribute(windowAttributes, windowInstruction, WINDOW_FILTER + d);
}

/** The decoded window's stride along spatial axis d. */
// @ts-ignore: decorator
@inline export function windowStride(d: i32): i32 {
  return <i32>attribute(windowAttributes, windowInstruction, WINDOW_STRIDES + d);
}

/** The decoded window's padding before the first input along spatial axis d. */
// @ts-ignore: decorator
@inline export function windowBefore(d: i32): i32 {
  return <i32>attribute(windowAttributes, windowInstruction, WINDOW_BEFORE + d);
}

/** Makes instruction t's window (per axis filter, stride, padding before; mode: circular, transposed) the decoded one. */
export function decodeWindow(attributes: usize, t: i32): void {
  windowAttributes = attributes;
  windowInstruction = t;
  const mode = <i32>attribute(attributes, t, WINDOW_MODE);
  windowCircular = (mode & WINDOW_MODE_CIRCULAR) != 0;
  windowTransposed = (mode & WINDOW_MODE_TRANSPOSED) != 0;
}

/** Filter taps (the product of the filter sizes) of instruction t's window. */
export function tapCount(attributes: usize, t: i32): i32 {
  let taps = 1;
  for (let d = 0; d < SPATIAL_AXES; d++) taps *= <i32>attribute(attributes, t, WINDOW_FILTER + d);
  return taps;
}

/** Whether instruction t's window reads every input position once in order (a dense layer). */
export function isPointwise(attributes: usize, t: i32): bool {
  for (let d = 0; d < SPATIAL_AXES; d++) {
    if (attribute(attributes, t, WINDOW_FILTER + d) != 1.0 || attribute(attributes, t, WINDOW_STRIDES + d) != 1.0) return false;
    if (attribute(attributes, t, WINDOW_BEFORE + d) != 0.0) return false;
  }
  return true;
}

/** The input index along axis d of output index o at tap index `tap` of the decoded window, or −1 in the padding. */
// @ts-ignore: decorator
@inline function axisSource(d: i32, o: i32, tap: i32, inSize: i32): i32 {
  return sourceIndex(o, tap, windowStride(d), windowBefore(d), inSize, windowCircular, windowTransposed);
}

/**
 * Scratch table (i32, taps × output positions, taps row-major over the filter) of the input position each tap of
 * instruction t reads for each output position, or −1 in the zero padding; t reads value `input`, writes `output`.
 */
export function tapSources(attributes: usize, t: i32, shapes: usize, input: i32, output: i32): usize {
  decodeWindow(attributes, t);
  const i0 = spatialSizeOf(shapes, input, 0);
  const i1 = spatialSizeOf(shapes, input, 1);
  const i2 = spatialSizeOf(shapes, input, 2);
  const o0 = spatialSizeOf(shapes, output, 0);
  const o1 = spatialSizeOf(shapes, output, 1);
  const o2 = spatialSizeOf(shapes, output, 2);
  const k0 = windowFilter(0);
  const k1 = windowFilter(1);
  const k2 = windowFilter(2);
  const table = scratch((<usize>(k0 * k1 * k2 * o0 * o1 * o2)) << 2);
  let at: usize = table;
  for (let t0 = 0; t0 < k0; t0++) {
    for (let t1 = 0; t1 < k1; t1++) {
      for (let t2 = 0; t2 < k2; t2++) {
        for (let p0 = 0; p0 < o0; p0++) {
          const s0 = axisSource(0, p0, t0, i0);
          for (let p1 = 0; p1 < o1; p1++) {
            const s1 = axisSource(1, p1, t1, i1);
            for (let p2 = 0; p2 < o2; p2++) {
              const s2 = axisSource(2, p2, t2, i2);
              store<i32>(at, s0 < 0 || s1 < 0 || s2 < 0 ? -1 : (s0 * i1 + s1) * i2 + s2);
              at += 4;
            }
          }
        }
      }
    }
  }
  return table;
}

// @ts-ignore: decorator
@inline export function sourceAt(sources: usize, outPositions: i32, tap: i32, p: i32): i32 {
  return load<i32>(sources + ((<usize>(tap * outPositions + p)) << 2));
}

/**
 * Patches of one example h (positions × c) into out (outPositions × taps·c): tap by tap, the channels each output reads
 * (0 in padding); channelMajor (convLocal's rows, neural-tangents' order): channel by channel, the taps.
 */
export function patchesInto(sources: usize, taps: i32, outPositions: i32, h: usize, c: i32, out: usize, channelMajor: bool = false): void {
  const row = (<usize>(taps * c)) << 3;
  const channelBytes = (<usize>c) << 3;
  for (let p = 0; p < outPositions; p++) {
    for (let tap = 0; tap < taps; tap++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (!channelMajor) {
        const dst = out + <usize>p * row + <usize>tap * channelBytes;
        if (source < 0) memory.fill(dst, 0, channelBytes);
        else memory.copy(dst, h + <usize>source * channelBytes, channelBytes);
        continue;
      }
      const dst = out + <usize>p * row + ((<usize>tap) << 3);
      for (let ch = 0; ch < c; ch++)
        store<f64>(dst + ((<usize>(ch * taps)) << 3), source < 0 ? 0.0 : load<f64>(h + <usize>source * channelBytes + ((<usize>ch) << 3)));
    }
  }
}

/** Adds patch cotangents (outPositions × taps·c, ordered as patchesInto's) back onto the positions of target (positions × c) they were read from. */
export function addPatchesInto(sources: usize, taps: i32, outPositions: i32, patches: usize, c: i32, target: usize, channelMajor: bool = false): void {
  const row = (<usize>(taps * c)) << 3;
  const channelBytes = (<usize>c) << 3;
  for (let p = 0; p < outPositions; p++) {
    for (let tap = 0; tap < taps; tap++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (source < 0) continue;
      if (!channelMajor) {
        axpy(c, 1.0, patches + <usize>p * row + <usize>tap * channelBytes, target + <usize>source * channelBytes);
        continue;
      }
      const from = patches + <usize>p * row + ((<usize>tap) << 3);
      const to = target + <usize>source * channelBytes;
      for (let ch = 0; ch < c; ch++) {
        const at = to + ((<usize>ch) << 3);
        store<f64>(at, load<f64>(at) + load<f64>(from + ((<usize>(ch * taps)) << 3)));
      }
    }
  }
}

/** Whether instruction t's window gives every output position weights of its own (convLocal). */
export function isUnshared(attributes: usize, t: i32): bool {
  return ((<i32>attribute(attributes, t, WINDOW_MODE)) & WINDOW_MODE_UNSHARED) != 0;
}
