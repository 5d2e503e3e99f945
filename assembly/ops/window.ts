// Windowed layers (conv, avgPool): the input position every tap reads for every output position, as
// src/core/shapes.ts computes it, and the finite-width patch (im2col) loops on one example (positions × channels,
// row-major). The TypeScript twin is src/ops/window.ts.
import { scratch } from "../heap";
import { axpy } from "../linalg/vector";
import { WINDOW, WINDOW_MODE_CIRCULAR, WINDOW_MODE_TRANSPOSED } from "../generated/layout";
import { attribute, heightOf, spatialWidthOf } from "../net/program";

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

// The window last decoded by decodeWindow (globals, so that decoding allocates nothing).
export let windowKh: i32 = 1;
export let windowKw: i32 = 1;
export let windowSh: i32 = 1;
export let windowSw: i32 = 1;
export let windowTop: i32 = 0;
export let windowLeft: i32 = 0;
export let windowCircular: bool = false;
export let windowTransposed: bool = false;

/** Reads instruction t's window (filter, strides, padding before, mode: circular, transposed) into the window globals. */
export function decodeWindow(attributes: usize, t: i32): void {
  windowKh = <i32>attribute(attributes, t, WINDOW);
  windowKw = <i32>attribute(attributes, t, WINDOW + 1);
  windowSh = <i32>attribute(attributes, t, WINDOW + 2);
  windowSw = <i32>attribute(attributes, t, WINDOW + 3);
  windowTop = <i32>attribute(attributes, t, WINDOW + 4);
  windowLeft = <i32>attribute(attributes, t, WINDOW + 5);
  const mode = <i32>attribute(attributes, t, WINDOW + 6);
  windowCircular = (mode & WINDOW_MODE_CIRCULAR) != 0;
  windowTransposed = (mode & WINDOW_MODE_TRANSPOSED) != 0;
}

/** Filter taps (kh·kw) of instruction t's window. */
// @ts-ignore: decorator
@inline export function tapCount(attributes: usize, t: i32): i32 {
  return <i32>attribute(attributes, t, WINDOW) * <i32>attribute(attributes, t, WINDOW + 1);
}

/** Whether instruction t's window reads every input position once in order (a dense layer). */
export function isPointwise(attributes: usize, t: i32): bool {
  return (
    attribute(attributes, t, WINDOW) == 1.0 &&
    attribute(attributes, t, WINDOW + 1) == 1.0 &&
    attribute(attributes, t, WINDOW + 2) == 1.0 &&
    attribute(attributes, t, WINDOW + 3) == 1.0 &&
    attribute(attributes, t, WINDOW + 4) == 0.0 &&
    attribute(attributes, t, WINDOW + 5) == 0.0
  );
}

/**
 * Scratch table (i32, taps × output positions, taps row-major over kh × kw) of the input position each tap of
 * instruction t reads for each output position, or −1 in the zero padding; a reads value `input`, writes `output`.
 */
export function tapSources(attributes: usize, t: i32, shapes: usize, input: i32, output: i32): usize {
  decodeWindow(attributes, t);
  const inH = heightOf(shapes, input);
  const inW = spatialWidthOf(shapes, input);
  const outH = heightOf(shapes, output);
  const outW = spatialWidthOf(shapes, output);
  const table = scratch((<usize>(windowKh * windowKw * outH * outW)) << 2);
  let at: usize = table;
  for (let th = 0; th < windowKh; th++) {
    for (let tw = 0; tw < windowKw; tw++) {
      for (let oh = 0; oh < outH; oh++) {
        const h = sourceIndex(oh, th, windowSh, windowTop, inH, windowCircular, windowTransposed);
        for (let ow = 0; ow < outW; ow++) {
          const w = sourceIndex(ow, tw, windowSw, windowLeft, inW, windowCircular, windowTransposed);
          store<i32>(at, h < 0 || w < 0 ? -1 : h * inW + w);
          at += 4;
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

/** Patches of one example h (positions × c) into out (outPositions × taps·c): tap by tap, the channels each output reads (0 in padding). */
export function patchesInto(sources: usize, taps: i32, outPositions: i32, h: usize, c: i32, out: usize): void {
  const row = (<usize>(taps * c)) << 3;
  const channelBytes = (<usize>c) << 3;
  for (let p = 0; p < outPositions; p++) {
    for (let tap = 0; tap < taps; tap++) {
      const dst = out + <usize>p * row + <usize>tap * channelBytes;
      const source = sourceAt(sources, outPositions, tap, p);
      if (source < 0) memory.fill(dst, 0, channelBytes);
      else memory.copy(dst, h + <usize>source * channelBytes, channelBytes);
    }
  }
}

/** Adds patch cotangents (outPositions × taps·c) back onto the positions of target (positions × c) they were read from. */
export function addPatchesInto(sources: usize, taps: i32, outPositions: i32, patches: usize, c: i32, target: usize): void {
  const row = (<usize>(taps * c)) << 3;
  const channelBytes = (<usize>c) << 3;
  for (let p = 0; p < outPositions; p++) {
    for (let tap = 0; tap < taps; tap++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (source >= 0) axpy(c, 1.0, patches + <usize>p * row + <usize>tap * channelBytes, target + <usize>source * channelBytes);
    }
  }
}
