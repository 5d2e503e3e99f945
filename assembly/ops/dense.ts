// An affine layer z = c·h·W + s·b over a window of positions (dense, conv): a dense layer is a pointwise (1×1)
// convolution whose patches are its input rows; a conv layer builds the patches of one example at a time (im2col)
// for a gemm. At infinite width, the dense rules on the tap average U of a convolution:
//   Σ ← wStd²·U(Σ) + bStd²,  Θ ← Σ′ + wStd²·U(Θ) ('ntk') or fanIn·U(Σ) + [bias] + wStd²·U(Θ) ('standard').
// Its parameter passes give the Jacobian blocks and its term of the structured empirical NTK. The TypeScript twin
// is src/ops/dense.ts.
import { mark, release, scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { syrkLower } from "../linalg/syrk";
import { axpy, dot } from "../linalg/vector";
import {
  DENSE_BIAS_SCALE,
  DENSE_BIAS_VARIANCE,
  DENSE_HAS_BIAS,
  DENSE_STANDARD,
  DENSE_STANDARD_FAN_IN,
  DENSE_WEIGHT_SCALE,
  DENSE_WEIGHT_VARIANCE,
  SPATIAL_AXES,
  TERM_JACOBIAN,
  TERM_PAIRS,
} from "../generated/layout";
import { attribute, channelsOf, field, positionsOf, sizeOf, spatialSizeOf } from "../net/program";
import {
  addPatchesInto,
  decodeWindow,
  isPointwise,
  isUnshared,
  patchesInto,
  sourceIndex,
  tapCount,
  tapSources,
  windowBefore,
  windowCircular,
  windowFilter,
  windowStride,
  windowTransposed,
} from "./window";
import {
  Net,
  Pair,
  Row,
  Terms,
  cotangentOf,
  directionAttributes,
  f64At,
  isFull,
  pairDirectionAttributes,
  pairSigma,
  pairTangentSigma,
  rowAt,
  rowSigma,
  stateSize,
  tangentOf,
  tangentSigma,
} from "./unit";

/** Rows of W: filter taps × input channels. */
// @ts-ignore: decorator
@inline function fanInOf(program: usize, attributes: usize, shapes: usize, t: i32): i32 {
  return tapCount(attributes, t) * channelsOf(shapes, field(program, t, 1));
}

// @ts-ignore: decorator
@inline function hasBias(attributes: usize, t: i32): bool {
  return attribute(attributes, t, DENSE_HAS_BIAS) != 0.0;
}

// @ts-ignore: decorator
@inline function valueOf(net: Net, v: i32): usize {
  return load<usize>(net.values + ((<usize>v) << 2));
}

/** Sets of weights and bias of instruction t: one per output position when unshared (convLocal), else 1. */
// @ts-ignore: decorator
@inline function copiesOf(program: usize, attributes: usize, shapes: usize, t: i32): i32 {
  return isUnshared(attributes, t) ? positionsOf(shapes, field(program, t, 3)) : 1;
}

/** Parameters of instruction t: W then b (every position's W, then every position's b, when unshared). */
export function parameterCount(program: usize, attributes: usize, shapes: usize, t: i32): i32 {
  const width = channelsOf(shapes, field(program, t, 3));
  return copiesOf(program, attributes, shapes, t) * (fanInOf(program, attributes, shapes, t) * width + (hasBias(attributes, t) ? width : 0));
}

/** z (outPositions × width) ← c·patches·W + beta·z on one example: each position by its own W when unshared. */
function productInto(unshared: bool, outPositions: i32, width: i32, fanIn: i32, c: f64, patches: usize, w: usize, beta: f64, z: usize): void {
  if (!unshared) {
    gemm(0, 0, outPositions, width, fanIn, c, patches, fanIn, w, width, beta, z, width);
    return;
  }
  for (let p = 0; p < outPositions; p++) {
    gemm(0, 0, 1, width, fanIn, c, rowAt(patches, p, fanIn), fanIn, rowAt(w, p, fanIn * width), width, beta, rowAt(z, p, width), width);
  }
}

/** target ← c·patchesᵀ·g + beta·target on one example: the weights' gradient (or Jacobian block), per position when unshared. */
function weightGradientInto(unshared: bool, outPositions: i32, width: i32, fanIn: i32, c: f64, patches: usize, g: usize, beta: f64, target: usize): void {
  if (!unshared) {
    gemm(1, 0, fanIn, width, outPositions, c, patches, fanIn, g, width, beta, target, width);
    return;
  }
  for (let p = 0; p < outPositions; p++) {
    gemm(1, 0, fanIn, width, 1, c, rowAt(patches, p, fanIn), fanIn, rowAt(g, p, width), width, beta, rowAt(target, p, fanIn * width), width);
  }
}

/** out ← c·g·Wᵀ + beta·out on one example: the patches' cotangents, per position when unshared. */
function patchCotangentsInto(unshared: bool, outPositions: i32, width: i32, fanIn: i32, c: f64, g: usize, w: usize, beta: f64, out: usize): void {
  if (!unshared) {
    gemm(0, 1, outPositions, fanIn, width, c, g, width, w, width, beta, out, fanIn);
    return;
  }
  for (let p = 0; p < outPositions; p++) {
    gemm(0, 1, 1, fanIn, width, c, rowAt(g, p, width), width, rowAt(w, p, fanIn * width), width, beta, rowAt(out, p, fanIn), fanIn);
  }
}

/** z = c·patches(h)·W on `rows` rows of instruction t's input (no bias). */
function linearInto(net: Net, t: i32, h: usize, rows: i32, w: usize, z: usize): void {
  const attributes = net.attributes;
  const shapes = net.shapes;
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const inChannels = channelsOf(shapes, a);
  const width = channelsOf(shapes, out);
  const outPositions = positionsOf(shapes, out);
  const taps = tapCount(attributes, t);
  const fanIn = taps * inChannels;
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const pointwise = isPointwise(attributes, t);
  const unshared = isUnshared(attributes, t);
  if (pointwise && !unshared) {
    gemm(0, 0, rows * outPositions, width, fanIn, c, h, fanIn, w, width, 0.0, z, width);
    return;
  }
  const saved = mark();
  const sources: usize = pointwise ? 0 : tapSources(attributes, t, shapes, a, out);
  const buffer: usize = pointwise ? 0 : scratch((<usize>outPositions * <usize>fanIn) << 3);
  for (let i = 0; i < rows; i++) {
    let patches = rowAt(h, i, sizeOf(shapes, a));
    if (!pointwise) {
      patchesInto(sources, taps, outPositions, patches, inChannels, buffer, unshared);
      patches = buffer;
    }
    productInto(unshared, outPositions, width, fanIn, c, patches, w, 0.0, rowAt(z, i, sizeOf(shapes, out)));
  }
  release(saved);
}

/** Adds the bias scale times the bias at `parameters` (θ's layout: W then b) to each of z's `rows` rows, `stride` bytes on per row. */
function addBias(net: Net, t: i32, parameters: usize, stride: usize, rows: i32, z: usize): void {
  const out = field(net.program, t, 3);
  const width = channelsOf(net.shapes, out);
  const outPositions = positionsOf(net.shapes, out);
  const copies = copiesOf(net.program, net.attributes, net.shapes, t);
  const b = parameters + ((<usize>(copies * fanInOf(net.program, net.attributes, net.shapes, t) * width)) << 3);
  const s = attribute(net.attributes, t, DENSE_BIAS_SCALE);
  for (let r = 0; r < rows; r++) {
    const bias = b + <usize>r * stride;
    // Unshared: position p's bias.
    for (let p = 0; p < outPositions; p++) axpy(width, s, copies > 1 ? rowAt(bias, p, width) : bias, rowAt(z, r * outPositions + p, width));
  }
}

export function forward(net: Net, t: i32, z: usize): void {
  const w = net.params + ((<usize>field(net.program, t, 4)) << 3);
  linearInto(net, t, valueOf(net, field(net.program, t, 1)), net.n, w, z);
  if (hasBias(net.attributes, t)) addBias(net, t, w, 0, net.n, z);
}

/** W·t_h + Δw·h + Δb: the input's tangent through the weights, and each direction's weights and bias on the example. */
export function tangent(net: Net, t: i32, z: usize): void {
  const attributes = net.attributes;
  const shapes = net.shapes;
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const n = net.n;
  const m = net.m;
  const rows = n * m;
  const outSize = sizeOf(shapes, out);
  const inChannels = channelsOf(shapes, a);
  const width = channelsOf(shapes, out);
  const outPositions = positionsOf(shapes, out);
  const taps = tapCount(attributes, t);
  const fanIn = taps * inChannels;
  const offset = (<usize>field(net.program, t, 4)) << 3;
  const directionBytes = (<usize>net.directionLength) << 3;
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const h = valueOf(net, a);
  // The network's input has no tangent.
  if (a != 0) linearInto(net, t, tangentOf(net, a), rows, net.params + offset, z);
  else memory.fill(z, 0, (<usize>rows * <usize>outSize) << 3);
  const unshared = isUnshared(attributes, t);
  if (isPointwise(attributes, t) && outPositions == 1) {
    // Example i's row of direction d is row i·m + d: one product per direction over every example.
    for (let d = 0; d < m; d++) {
      gemm(0, 0, n, width, fanIn, c, h, fanIn, net.directions + <usize>d * directionBytes + offset, width, 1.0, rowAt(z, d, outSize), m * outSize);
    }
  } else {
    const saved = mark();
    const pointwise = isPointwise(attributes, t);
    const sources = pointwise ? 0 : tapSources(attributes, t, shapes, a, out);
    const buffer = pointwise ? 0 : scratch((<usize>outPositions * <usize>fanIn) << 3);
    for (let i = 0; i < n; i++) {
      let patches = rowAt(h, i, sizeOf(shapes, a));
      if (!pointwise) {
        patchesInto(sources, taps, outPositions, patches, inChannels, buffer, unshared);
        patches = buffer;
      }
      for (let d = 0; d < m; d++) {
        productInto(unshared, outPositions, width, fanIn, c, patches, net.directions + <usize>d * directionBytes + offset, 1.0, rowAt(z, i * m + d, outSize));
      }
    }
    release(saved);
  }
  if (hasBias(attributes, t)) {
    // Row i·m + d takes direction d's bias.
    for (let i = 0; i < n; i++) addBias(net, t, net.directions + offset, directionBytes, m, rowAt(z, i * m, outSize));
  }
}

export function backward(net: Net, t: i32, g: usize): void {
  const program = net.program;
  const attributes = net.attributes;
  const shapes = net.shapes;
  const n = net.n;
  const rows = n * net.m;
  const a = field(program, t, 1);
  const out = field(program, t, 3);
  const outSize = sizeOf(shapes, out);
  const inSize = sizeOf(shapes, a);
  const inChannels = channelsOf(shapes, a);
  const width = channelsOf(shapes, out);
  const outPositions = positionsOf(shapes, out);
  const taps = tapCount(attributes, t);
  const fanIn = taps * inChannels;
  const offset = field(program, t, 4);
  const w = net.params + ((<usize>offset) << 3);
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const pointwise = isPointwise(attributes, t);
  const unshared = isUnshared(attributes, t);
  // The input's cotangent is needed only if something below it carries parameters.
  const target = a != 0 ? cotangentOf(net, a, (<usize>rows * <usize>inSize) << 3) : 0;
  const saved = mark();
  const sources: usize = pointwise ? 0 : tapSources(attributes, t, shapes, a, out);
  const buffer: usize = pointwise ? 0 : scratch((<usize>outPositions * <usize>fanIn) << 3);
  if (net.gradient != 0) {
    const gw = net.gradient + ((<usize>offset) << 3);
    const h = valueOf(net, a);
    if (pointwise && !unshared) gemm(1, 0, fanIn, width, n * outPositions, c, h, fanIn, g, width, 1.0, gw, width);
    else {
      for (let i = 0; i < n; i++) {
        let patches = rowAt(h, i, inSize);
        if (!pointwise) {
          patchesInto(sources, taps, outPositions, patches, inChannels, buffer, unshared);
          patches = buffer;
        }
        weightGradientInto(unshared, outPositions, width, fanIn, c, patches, rowAt(g, i, outSize), 1.0, gw);
      }
    }
    if (hasBias(attributes, t)) {
      const copies = copiesOf(program, attributes, shapes, t);
      const gb = net.gradient + ((<usize>(offset + copies * fanIn * width)) << 3);
      const s = attribute(attributes, t, DENSE_BIAS_SCALE);
      // Unshared: position p's bias takes the signals at p.
      for (let r = 0; r < n * outPositions; r++) axpy(width, s, rowAt(g, r, width), copies > 1 ? rowAt(gb, r % outPositions, width) : gb);
    }
  }
  if (target != 0) {
    if (pointwise && !unshared) gemm(0, 1, rows * outPositions, fanIn, width, c, g, width, w, width, 1.0, target, fanIn);
    else if (pointwise) {
      for (let r = 0; r < rows; r++) patchCotangentsInto(true, outPositions, width, fanIn, c, rowAt(g, r, outSize), w, 1.0, rowAt(target, r, inSize));
    } else {
      for (let r = 0; r < rows; r++) {
        patchCotangentsInto(unshared, outPositions, width, fanIn, c, rowAt(g, r, outSize), w, 0.0, buffer);
        addPatchesInto(sources, taps, outPositions, buffer, inChannels, rowAt(target, r, inSize), unshared);
      }
    }
  }
  release(saved);
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return attribute(attributes, t, DENSE_WEIGHT_VARIANCE) * v + attribute(attributes, t, DENSE_BIAS_VARIANCE);
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  return (
    attribute(attributes, t, DENSE_WEIGHT_VARIANCE) * dv + attribute(dAttributes, t, DENSE_WEIGHT_VARIANCE) * v + attribute(dAttributes, t, DENSE_BIAS_VARIANCE)
  );
}

// The product rule on the affine rule, `entries` entries (a whole number of vectors): wStd² and bStd² carry their own
// tangents (dAttributes, the attributes' along one direction; src/ops/dense.ts).
function affineTangent(
  attributes: usize,
  dAttributes: usize,
  t: i32,
  entries: i32,
  sigmaIn: usize,
  thetaIn: usize,
  dSigmaIn: usize,
  dThetaIn: usize,
  dSigmaOut: usize,
  dThetaOut: usize,
): void {
  const w2 = f64x2.splat(attribute(attributes, t, DENSE_WEIGHT_VARIANCE));
  const standard = attribute(attributes, t, DENSE_STANDARD) != 0.0;
  const fanIn = f64x2.splat(attribute(attributes, t, DENSE_STANDARD_FAN_IN));
  const dw2 = f64x2.splat(attribute(dAttributes, t, DENSE_WEIGHT_VARIANCE));
  const db2 = f64x2.splat(attribute(dAttributes, t, DENSE_BIAS_VARIANCE));
  for (let e = 0; e < entries; e += 2) {
    const at = (<usize>e) << 3;
    const ds = v128.load(dSigmaIn + at);
    const next = f64x2.add(f64x2.add(f64x2.mul(w2, ds), f64x2.mul(dw2, v128.load(sigmaIn + at))), db2);
    const base = standard ? f64x2.mul(fanIn, ds) : next;
    const theta = f64x2.add(base, f64x2.add(f64x2.mul(w2, v128.load(dThetaIn + at)), f64x2.mul(dw2, v128.load(thetaIn + at))));
    v128.store(dThetaOut + at, theta);
    v128.store(dSigmaOut + at, next);
  }
}

export function rowTangent(row: Row, t: i32): void {
  const a = field(row.program, t, 1);
  const out = field(row.program, t, 3);
  const sigmaA = rowSigma(row, a);
  const bytes = row.rowBytes;
  for (let h = 0; h < row.directions; h++) {
    const dSigmaA = tangentSigma(row, a, h);
    const dSigmaOut = tangentSigma(row, out, h);
    affineTangent(row.attributes, directionAttributes(row, h), t, row.end, sigmaA, sigmaA + bytes, dSigmaA, dSigmaA + bytes, dSigmaOut, dSigmaOut + bytes);
  }
}

/** The dense rules on `entries` entries (a whole number of vectors is written, so the arrays hold an even count). */
function affineRule(attributes: usize, t: i32, entries: i32, sigmaIn: usize, thetaIn: usize, sigmaOut: usize, thetaOut: usize): void {
  const w2 = f64x2.splat(attribute(attributes, t, DENSE_WEIGHT_VARIANCE));
  const b2 = f64x2.splat(attribute(attributes, t, DENSE_BIAS_VARIANCE));
  const standard = attribute(attributes, t, DENSE_STANDARD) != 0.0;
  const fanIn = f64x2.splat(attribute(attributes, t, DENSE_STANDARD_FAN_IN));
  const bias = f64x2.splat(attribute(attributes, t, DENSE_HAS_BIAS));
  for (let e = 0; e < entries; e += 2) {
    const at = (<usize>e) << 3;
    const k = v128.load(sigmaIn + at);
    const next = f64x2.add(f64x2.mul(w2, k), b2);
    const base = standard ? f64x2.add(f64x2.mul(fanIn, k), bias) : next;
    v128.store(thetaOut + at, f64x2.add(base, f64x2.mul(w2, v128.load(thetaIn + at))));
    v128.store(sigmaOut + at, next);
  }
}

export function row(row: Row, t: i32): void {
  const sigmaA = rowSigma(row, field(row.program, t, 1));
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  affineRule(row.attributes, t, row.end, sigmaA, sigmaA + row.rowBytes, sigmaOut, sigmaOut + row.rowBytes);
}

/** dst[0..len) += w·src[0..len) for Σ and Θ (Θ skipped when thetaSrc is 0). */
// @ts-ignore: decorator
@inline function addRun(len: i32, w: f64, sigmaSrc: usize, thetaSrc: usize, sigmaDst: usize, thetaDst: usize): void {
  const w2 = f64x2.splat(w);
  let q = 0;
  for (; q + 2 <= len; q += 2) {
    const at = (<usize>q) << 3;
    v128.store(sigmaDst + at, f64x2.add(v128.load(sigmaDst + at), f64x2.mul(w2, v128.load(sigmaSrc + at))));
    if (thetaSrc != 0) v128.store(thetaDst + at, f64x2.add(v128.load(thetaDst + at), f64x2.mul(w2, v128.load(thetaSrc + at))));
  }
  for (; q < len; q++) {
    const at = (<usize>q) << 3;
    store<f64>(sigmaDst + at, load<f64>(sigmaDst + at) + w * load<f64>(sigmaSrc + at));
    if (thetaSrc != 0) store<f64>(thetaDst + at, load<f64>(thetaDst + at) + w * load<f64>(thetaSrc + at));
  }
}

/**
 * One axis of a convolution's tap average on position-pair (`pairs`) or same-position states laid out as
 * [outer][axis][inner] per side: the window along `axis` (size `inSize` → `outSize`, filter k, stride, padding
 * before, circular) averages entries displaced by the same tap on both sides. A 2-D or 3-D convolution is one pass
 * per axis, the last first (the taps of the filter are tuples of axis taps): S²·(kh + kw) work instead of S²·kh·kw.
 */
function axisPass(
  pairs: bool,
  outer: i32,
  inSize: i32,
  outSize: i32,
  inner: i32,
  k: i32,
  stride: i32,
  before: i32,
  circular: bool,
  transposed: bool,
  sigmaIn: usize,
  thetaIn: usize,
  sigmaOut: usize,
  thetaOut: usize,
): void {
  const weight = 1.0 / <f64>k;
  const inSide = outer * inSize * inner;
  const outSide = outer * outSize * inner;
  const entries = pairs ? outSide * outSide : outSide;
  memory.fill(sigmaOut, 0, (<usize>entries) << 3);
  if (thetaIn != 0) memory.fill(thetaOut, 0, (<usize>entries) << 3);
  // With stride 1 and no wrapping, outputs [lo, hi) of a row read contiguous inputs: one run per row.
  const contiguous = stride == 1 && !circular;
  for (let tap = 0; tap < k; tap++) {
    const lo = max(0, before - tap);
    const hi = min(outSize, inSize + before - tap);
    const runLength = (hi - lo) * inner;
    for (let o = 0; o < outer; o++) {
      if (!pairs && contiguous) {
        if (runLength > 0) {
          const from = (<usize>((o * inSize + lo + tap - before) * inner)) << 3;
          const to = (<usize>((o * outSize + lo) * inner)) << 3;
          addRun(runLength, weight, sigmaIn + from, thetaIn == 0 ? 0 : thetaIn + from, sigmaOut + to, thetaOut + to);
        }
        continue;
      }
      for (let p = 0; p < outSize; p++) {
        const a = sourceIndex(p, tap, stride, before, inSize, circular, transposed);
        if (a < 0) continue;
        // Row (o, p, ·) of one side reads row (o, a, ·): `inner` contiguous entries.
        const from = <usize>((o * inSize + a) * inner);
        const to = <usize>((o * outSize + p) * inner);
        if (!pairs) {
          addRun(inner, weight, sigmaIn + (from << 3), thetaIn == 0 ? 0 : thetaIn + (from << 3), sigmaOut + (to << 3), thetaOut + (to << 3));
          continue;
        }
        for (let e = 0; e < inner; e++) {
          const rowFrom = (from + <usize>e) * <usize>inSide;
          const rowTo = (to + <usize>e) * <usize>outSide;
          for (let o2 = 0; o2 < outer; o2++) {
            if (contiguous) {
              if (runLength <= 0) continue;
              const src = (rowFrom + <usize>((o2 * inSize + lo + tap - before) * inner)) << 3;
              const dst = (rowTo + <usize>((o2 * outSize + lo) * inner)) << 3;
              addRun(runLength, weight, sigmaIn + src, thetaIn == 0 ? 0 : thetaIn + src, sigmaOut + dst, thetaOut + dst);
              continue;
            }
            for (let p2 = 0; p2 < outSize; p2++) {
              const b = sourceIndex(p2, tap, stride, before, inSize, circular, transposed);
              if (b < 0) continue;
              const src = (rowFrom + <usize>((o2 * inSize + b) * inner)) << 3;
              const dst = (rowTo + <usize>((o2 * outSize + p2) * inner)) << 3;
              addRun(inner, weight, sigmaIn + src, thetaIn == 0 ? 0 : thetaIn + src, sigmaOut + dst, thetaOut + dst);
            }
          }
        }
      }
    }
  }
}

/** Whether spatial axis d of the decoded window moves positions between an input of `inSize` and an output of `outSize`. */
// @ts-ignore: decorator
@inline function axisMoves(d: i32, inSize: i32, outSize: i32): bool {
  return windowFilter(d) != 1 || windowStride(d) != 1 || windowBefore(d) != 0 || inSize != outSize;
}

/**
 * Entries of the largest state between two of a convolution's axis passes (axes done last to first: after axis d, the
 * axes before it keep the input's sizes, the others have the output's), for the decoded window of instruction t (a
 * reads, out writes); 0 with one pass. src/ops/dense.ts (convolutionScratch) asks for 4 such states in opWork.
 */
function intermediateEntries(shapes: usize, a: i32, out: i32, pairs: bool): i32 {
  let passes = 0;
  for (let d = 0; d < SPATIAL_AXES; d++) if (axisMoves(d, spatialSizeOf(shapes, a, d), spatialSizeOf(shapes, out, d))) passes++;
  let largest = 0;
  let done = 0;
  for (let d = SPATIAL_AXES - 1; d >= 0 && done < passes - 1; d--) {
    if (!axisMoves(d, spatialSizeOf(shapes, a, d), spatialSizeOf(shapes, out, d))) continue;
    done++;
    let positions = 1;
    for (let e = 0; e < SPATIAL_AXES; e++) positions *= e < d ? spatialSizeOf(shapes, a, e) : spatialSizeOf(shapes, out, e);
    largest = max(largest, pairs ? positions * positions : positions);
  }
  return largest;
}

/**
 * U(M) of a convolution for Σ and Θ at once into (sigmaOut, thetaOut): every position pair of the output when
 * it is full (the input then full too), else the same positions, read from a full input's diagonal or a
 * diagonal input. One pass per spatial axis the window moves, last axis first, through intermediates in opWork.
 * thetaZero: Θ of the input is zero (the model's input), so only Σ is convolved.
 */
function convolve(
  pair: Pair,
  t: i32,
  a: i32,
  out: i32,
  sigmaIn: usize,
  thetaIn: usize,
  sigmaOut: usize,
  thetaOut: usize,
  thetaZero: bool,
  samePositions: bool = false,
): void {
  decodeWindow(pair.attributes, t);
  const shapes = pair.shapes;
  const stateBytes = pair.stateBytes;
  const between = pair.between;
  // samePositions: the output's same-position entries only, whatever it keeps (unshared weights).
  const pairs = isFull(pair, out) && !samePositions;
  let sigma = sigmaIn;
  let theta: usize = thetaZero ? 0 : thetaIn;
  if (!pairs && isFull(pair, a)) {
    // The same-position entries of a full input.
    const positions = positionsOf(shapes, a);
    for (let p = 0; p < positions; p++) {
      store<f64>(between + ((<usize>p) << 3), f64At(sigmaIn, p * (positions + 1)));
      if (theta != 0) store<f64>(between + stateBytes + ((<usize>p) << 3), f64At(thetaIn, p * (positions + 1)));
    }
    sigma = between;
    theta = theta == 0 ? 0 : between + stateBytes;
  }
  // Σ and Θ of intermediate k at opWork + 2k·halfBytes and + halfBytes.
  const halfBytes = (<usize>intermediateEntries(shapes, a, out, pairs)) << 3;
  let last = -1;
  for (let d = 0; d < SPATIAL_AXES && last < 0; d++) if (axisMoves(d, spatialSizeOf(shapes, a, d), spatialSizeOf(shapes, out, d))) last = d;
  let intermediate = 0;
  for (let d = SPATIAL_AXES - 1; d >= 0; d--) {
    const inSize = spatialSizeOf(shapes, a, d);
    const outSize = spatialSizeOf(shapes, out, d);
    if (!axisMoves(d, inSize, outSize)) continue;
    let outer = 1;
    for (let e = 0; e < d; e++) outer *= spatialSizeOf(shapes, a, e);
    let inner = 1;
    for (let e = d + 1; e < SPATIAL_AXES; e++) inner *= spatialSizeOf(shapes, out, e);
    const target = d == last ? sigmaOut : pair.opWork + 2 * <usize>intermediate * halfBytes;
    const targetTheta = d == last ? thetaOut : target + halfBytes;
    axisPass(
      pairs,
      outer,
      inSize,
      outSize,
      inner,
      windowFilter(d),
      windowStride(d),
      windowBefore(d),
      windowCircular,
      windowTransposed,
      sigma,
      theta,
      target,
      targetTheta,
    );
    sigma = target;
    theta = theta == 0 ? 0 : targetTheta;
    intermediate++;
  }
  if (theta == 0) memory.fill(thetaOut, 0, (<usize>(pairs ? stateSize(pair, out) : positionsOf(shapes, out))) << 3);
}

/**
 * Unshared weights (convLocal): the same-position entries of instruction t's window average of Σ and Θ (at sigma,
 * theta) into (sigmaOut, sigmaOut + stateBytes), one per output position, read from the input's own same-position
 * entries; a 1×1 window copies them.
 */
function sameWindow(pair: Pair, t: i32, a: i32, out: i32, sigma: usize, theta: usize, sigmaOut: usize): void {
  const thetaOut = sigmaOut + pair.stateBytes;
  if (!isPointwise(pair.attributes, t)) {
    convolve(pair, t, a, out, sigma, theta, sigmaOut, thetaOut, a == 0, true);
    return;
  }
  const positions = positionsOf(pair.shapes, a);
  const step = isFull(pair, a) ? positions + 1 : 1;
  for (let p = 0; p < positions; p++) {
    store<f64>(sigmaOut + ((<usize>p) << 3), f64At(sigma, p * step));
    store<f64>(thetaOut + ((<usize>p) << 3), a == 0 ? 0.0 : f64At(theta, p * step));
  }
}

/** Same-position entries (one per position of value v, Σ at entries, Θ a state on) into v's state at target: its diagonal, zeros elsewhere when full. */
function onDiagonal(pair: Pair, v: i32, entries: usize, target: usize): void {
  const positions = positionsOf(pair.shapes, v);
  const bytes = pair.stateBytes;
  if (!isFull(pair, v)) {
    memory.copy(target, entries, (<usize>positions) << 3);
    memory.copy(target + bytes, entries + bytes, (<usize>positions) << 3);
    return;
  }
  memory.fill(target, 0, (<usize>(positions * positions)) << 3);
  memory.fill(target + bytes, 0, (<usize>(positions * positions)) << 3);
  for (let p = 0; p < positions; p++) {
    store<f64>(target + ((<usize>(p * (positions + 1))) << 3), f64At(entries, p));
    store<f64>(target + bytes + ((<usize>(p * (positions + 1))) << 3), f64At(entries + bytes, p));
  }
}

export function pair(pair: Pair, t: i32): void {
  const a = field(pair.program, t, 1);
  const out = field(pair.program, t, 3);
  if (isUnshared(pair.attributes, t)) {
    const input = pairSigma(pair, a);
    if (pair.windowed != out) sameWindow(pair, t, a, out, input, input + pair.stateBytes, pair.work);
    pair.windowed = -1;
    affineRule(pair.attributes, t, positionsOf(pair.shapes, out), pair.work, pair.work + pair.stateBytes, pair.work, pair.work + pair.stateBytes);
    onDiagonal(pair, out, pair.work, pairSigma(pair, out));
    return;
  }
  let sigmaIn = pairSigma(pair, a);
  let thetaIn = sigmaIn + pair.stateBytes;
  if (!isPointwise(pair.attributes, t)) {
    // The pairTangent right before may have left the window of the input in work.
    if (pair.windowed != out) convolve(pair, t, a, out, sigmaIn, thetaIn, pair.work, pair.work + pair.stateBytes, a == 0);
    pair.windowed = -1;
    sigmaIn = pair.work;
    thetaIn = pair.work + pair.stateBytes;
  }
  const sigmaOut = pairSigma(pair, out);
  affineRule(pair.attributes, t, stateSize(pair, out), sigmaIn, thetaIn, sigmaOut, sigmaOut + pair.stateBytes);
}

// A window's tap average is linear: the tangents' average is the average of the tangents (in tangentWork, as pair's in work).
export function pairTangent(pass: Pair, t: i32): void {
  const a = field(pass.program, t, 1);
  const out = field(pass.program, t, 3);
  const bytes = pass.stateBytes;
  if (isUnshared(pass.attributes, t)) {
    const positions = positionsOf(pass.shapes, out);
    const input = pairSigma(pass, a);
    sameWindow(pass, t, a, out, input, input + bytes, pass.work);
    // pair, run next, takes the input's window from work.
    pass.windowed = out;
    for (let h = 0; h < pass.directions; h++) {
      const tangent = pairTangentSigma(pass, a, h);
      const work = pass.tangentWork;
      sameWindow(pass, t, a, out, tangent, tangent + bytes, work);
      affineTangent(pass.attributes, pairDirectionAttributes(pass, h), t, positions, pass.work, pass.work + bytes, work, work + bytes, work, work + bytes);
      onDiagonal(pass, out, work, pairTangentSigma(pass, out, h));
    }
    return;
  }
  const pointwise = isPointwise(pass.attributes, t);
  let sigmaIn = pairSigma(pass, a);
  if (!pointwise) {
    convolve(pass, t, a, out, sigmaIn, sigmaIn + bytes, pass.work, pass.work + bytes, a == 0);
    sigmaIn = pass.work;
    // pair, run next, takes the input's window from work.
    pass.windowed = out;
  }
  const entries = stateSize(pass, out);
  for (let h = 0; h < pass.directions; h++) {
    let dSigmaIn = pairTangentSigma(pass, a, h);
    if (!pointwise) {
      convolve(pass, t, a, out, dSigmaIn, dSigmaIn + bytes, pass.tangentWork, pass.tangentWork + bytes, a == 0);
      dSigmaIn = pass.tangentWork;
    }
    const dSigmaOut = pairTangentSigma(pass, out, h);
    affineTangent(
      pass.attributes,
      pairDirectionAttributes(pass, h),
      t,
      entries,
      sigmaIn,
      sigmaIn + bytes,
      dSigmaIn,
      dSigmaIn + bytes,
      dSigmaOut,
      dSigmaOut + bytes,
    );
  }
}

/** The signals of instruction t: the cotangents of its output (zeros where no path reaches f). */
// @ts-ignore: decorator
@inline function signalsOf(net: Net, t: i32): usize {
  const out = field(net.program, t, 3);
  return cotangentOf(net, out, (<usize>(net.n * net.m) * <usize>sizeOf(net.shapes, out)) << 3);
}

/**
 * Rows of the Jacobian block of instruction t for the pass's n examples and k = m seeds, from its input values
 * and its output's signals: row r = i·k + o gets ∂f_o(x_i)/∂W = c·patchesᵀ·G_r and ∂f_o(x_i)/∂b = s·Σ_positions G_r,
 * at out + (r·ld + column).
 */
export function jacobian(net: Net, t: i32, out: usize, ld: i32, column: i32): void {
  const program = net.program;
  const attributes = net.attributes;
  const shapes = net.shapes;
  const saved = mark();
  const k = net.m;
  const a = field(program, t, 1);
  const o = field(program, t, 3);
  const h = valueOf(net, a);
  const g = signalsOf(net, t);
  const inChannels = channelsOf(shapes, a);
  const width = channelsOf(shapes, o);
  const outPositions = positionsOf(shapes, o);
  const outSize = outPositions * width;
  const inSize = sizeOf(shapes, a);
  const taps = tapCount(attributes, t);
  const fanIn = taps * inChannels;
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const s = attribute(attributes, t, DENSE_BIAS_SCALE);
  const pointwise = isPointwise(attributes, t);
  const unshared = isUnshared(attributes, t);
  const copies = copiesOf(program, attributes, shapes, t);
  const sources: usize = pointwise ? 0 : tapSources(attributes, t, shapes, a, o);
  const buffer: usize = pointwise ? 0 : scratch((<usize>outPositions * <usize>fanIn) << 3);
  for (let i = 0; i < net.n; i++) {
    let patches = rowAt(h, i, inSize);
    if (!pointwise) {
      patchesInto(sources, taps, outPositions, patches, inChannels, buffer, unshared);
      patches = buffer;
    }
    for (let seed = 0; seed < k; seed++) {
      const r = i * k + seed;
      const gRow = rowAt(g, r, outSize);
      const jRow = out + ((<usize>r * <usize>ld + <usize>column) << 3);
      if (outPositions == 1) {
        // ∂f/∂W[a][b] = c·patch[a]·g[b]: row a of the block is g scaled by c·patch[a].
        for (let p = 0; p < fanIn; p++) {
          const dst = jRow + ((<usize>(p * width)) << 3);
          memory.fill(dst, 0, (<usize>width) << 3);
          axpy(width, c * f64At(patches, p), gRow, dst);
        }
      } else {
        weightGradientInto(unshared, outPositions, width, fanIn, c, patches, gRow, 0.0, jRow);
      }
      if (hasBias(attributes, t)) {
        const dst = jRow + ((<usize>(copies * fanIn * width)) << 3);
        memory.fill(dst, 0, (<usize>(copies * width)) << 3);
        for (let p = 0; p < outPositions; p++) axpy(width, s, rowAt(gRow, p, width), copies > 1 ? rowAt(dst, p, width) : dst);
      }
    }
  }
  release(saved);
}

/**
 * Doubles per example of the three arrays of instruction t's term in form `form` (TERM_*), for k outputs: into
 * widths[0..3) (i32). dense: H (fanIn), G (k·width); jacobian: the block (k·parameters); pairs: the patches
 * (positions·fanIn), the signals (k·positions·width) and their sums over positions (k·width).
 */
export function termWidths(program: usize, attributes: usize, shapes: usize, t: i32, form: i32, k: i32, widths: usize): void {
  const fanIn = fanInOf(program, attributes, shapes, t);
  const width = channelsOf(shapes, field(program, t, 3));
  const positions = positionsOf(shapes, field(program, t, 3));
  let first = fanIn;
  let second = k * width;
  let third = 0;
  if (form == TERM_JACOBIAN) {
    first = k * parameterCount(program, attributes, shapes, t);
    second = 0;
  } else if (form == TERM_PAIRS) {
    first = positions * fanIn;
    second = k * positions * width;
    third = k * width;
  }
  store<i32>(widths, first);
  store<i32>(widths + 4, second);
  store<i32>(widths + 8, third);
}

/**
 * Instruction t's term of the structured NTK for the pass's n examples (k = m outputs), in form `form`, as three
 * pointers at table + 4·(d, count + d, 2·count + d). dense: the patches H (n × fanIn), the signals G ((n·k) × width),
 * 0. jacobian: the per-example weight gradients ((n·k) × its parameters), 0, 0. pairs: every example's patches
 * (n × S·fanIn), its signals ('mean': n × S·k·width with the outputs side by side at each position; 'full':
 * (n·k) × S·width) and their sums over positions ((n·k) × width).
 */
export function term(net: Net, t: i32, form: i32, full: bool, table: usize, d: i32, count: i32): void {
  const program = net.program;
  const attributes = net.attributes;
  const shapes = net.shapes;
  const n = net.n;
  const k = net.m;
  const rows = n * k;
  const a = field(program, t, 1);
  const g = signalsOf(net, t);
  const h = valueOf(net, a);
  const fanIn = fanInOf(program, attributes, shapes, t);
  const positions = positionsOf(shapes, field(program, t, 3));
  const width = channelsOf(shapes, field(program, t, 3));
  let first = h;
  let second = g;
  let third: usize = 0;
  if (form == TERM_JACOBIAN) {
    const p = parameterCount(program, attributes, shapes, t);
    first = scratch((<usize>rows * <usize>p) << 3);
    second = 0;
    jacobian(net, t, first, p, 0);
  } else if (form == TERM_PAIRS) {
    first = scratch((<usize>n * <usize>(positions * fanIn)) << 3);
    second = full ? g : scratch((<usize>rows * <usize>(positions * width)) << 3);
    third = scratch((<usize>rows * <usize>width) << 3);
    memory.fill(third, 0, (<usize>rows * <usize>width) << 3);
    const saved = mark();
    const pointwise = isPointwise(attributes, t);
    const sources: usize = pointwise ? 0 : tapSources(attributes, t, shapes, a, field(program, t, 3));
    const taps = tapCount(attributes, t);
    for (let i = 0; i < n; i++) {
      const example = rowAt(h, i, sizeOf(shapes, a));
      if (pointwise) memory.copy(rowAt(first, i, positions * fanIn), example, (<usize>(positions * fanIn)) << 3);
      else patchesInto(sources, taps, positions, example, channelsOf(shapes, a), rowAt(first, i, positions * fanIn));
      for (let o = 0; o < k; o++) {
        const r = i * k + o;
        for (let p = 0; p < positions; p++) {
          const from = rowAt(g, r * positions + p, width);
          axpy(width, 1.0, from, rowAt(third, r, width));
          if (!full) memory.copy(rowAt(second, (i * positions + p) * k + o, width), from, (<usize>width) << 3);
        }
      }
    }
    release(saved);
  } else if (!isPointwise(attributes, t)) {
    // One output position reading a window: its patches are the layer's inputs.
    first = scratch((<usize>n * <usize>fanIn) << 3);
    const saved = mark();
    const sources = tapSources(attributes, t, shapes, a, field(program, t, 3));
    for (let i = 0; i < n; i++) patchesInto(sources, tapCount(attributes, t), 1, rowAt(h, i, sizeOf(shapes, a)), channelsOf(shapes, a), rowAt(first, i, fanIn));
    release(saved);
  }
  store<usize>(table + ((<usize>d) << 2), first);
  store<usize>(table + ((<usize>(count + d)) << 2), second);
  store<usize>(table + ((<usize>(2 * count + d)) << 2), third);
}

// @ts-ignore: decorator
@inline function termAt(table: usize, slot: i32): usize {
  return load<usize>(table + ((<usize>slot) << 2));
}

/**
 * The position-pair form for the examples [r0, r1) of the rows: c²·Σ_{p,p′}(PᵢPⱼᵀ)(GᵢGⱼᵀ) + s²·⟨1ᵀGᵢ, 1ᵀGⱼ⟩ per
 * pair of examples (and of outputs for 'full'; 'mean' sums the outputs inside GᵢGⱼᵀ, then divides by k).
 */
function addPositionPairs(terms: Terms, t: i32, d: i32): void {
  const saved = mark();
  const program = terms.program;
  const attributes = terms.attributes;
  const shapes = terms.shapes;
  const k = terms.k;
  const full = terms.full;
  const symmetric = terms.symmetric;
  const n2 = terms.n2;
  const out = terms.out;
  const count = terms.count;
  const fanIn = fanInOf(program, attributes, shapes, t);
  const positions = positionsOf(shapes, field(program, t, 3));
  const width = channelsOf(shapes, field(program, t, 3));
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const s = attribute(attributes, t, DENSE_BIAS_SCALE);
  const c2 = c * c;
  const s2 = hasBias(attributes, t) ? s * s : 0.0;
  const outCols = full ? n2 * k : n2;
  const patches1 = termAt(terms.rows, d);
  const patches2 = termAt(terms.columns, d);
  const signals1 = termAt(terms.rows, count + d);
  const signals2 = termAt(terms.columns, count + d);
  const sums1 = termAt(terms.rows, 2 * count + d);
  const sums2 = termAt(terms.columns, 2 * count + d);
  const squares = positions * positions;
  const patchProduct = scratch((<usize>squares) << 3);
  const signalProduct = scratch((<usize>squares) << 3);
  const patchBlock = positions * fanIn;
  const columns = full ? width : k * width;
  const signalBlock = positions * columns;
  for (let i = terms.r0; i < terms.r1; i++) {
    const end = symmetric ? i + 1 : n2;
    for (let j = 0; j < end; j++) {
      gemm(0, 1, positions, positions, fanIn, 1.0, rowAt(patches1, i, patchBlock), fanIn, rowAt(patches2, j, patchBlock), fanIn, 0.0, patchProduct, positions);
      if (!full) {
        gemm(
          0,
          1,
          positions,
          positions,
          columns,
          1.0,
          rowAt(signals1, i, signalBlock),
          columns,
          rowAt(signals2, j, signalBlock),
          columns,
          0.0,
          signalProduct,
          positions,
        );
        let bias = 0.0;
        for (let o = 0; o < k; o++) bias += dot(rowAt(sums1, i * k + o, width), rowAt(sums2, j * k + o, width), width);
        const at = out + ((<usize>i * <usize>outCols + <usize>j) << 3);
        store<f64>(at, load<f64>(at) + (c2 * dot(patchProduct, signalProduct, squares) + s2 * bias) / <f64>k);
        continue;
      }
      for (let o = 0; o < k; o++) {
        const last = symmetric && j == i ? o + 1 : k;
        for (let o2 = 0; o2 < last; o2++) {
          gemm(
            0,
            1,
            positions,
            positions,
            width,
            1.0,
            rowAt(signals1, i * k + o, signalBlock),
            width,
            rowAt(signals2, j * k + o2, signalBlock),
            width,
            0.0,
            signalProduct,
            positions,
          );
          const bias = dot(rowAt(sums1, i * k + o, width), rowAt(sums2, j * k + o2, width), width);
          const at = out + ((<usize>(i * k + o) * <usize>outCols + <usize>(j * k + o2)) << 3);
          store<f64>(at, load<f64>(at) + c2 * dot(patchProduct, signalProduct, squares) + s2 * bias);
        }
      }
    }
  }
  release(saved);
}

/**
 * Adds the products of term d (instruction t, form `form`) of both sides into rows [r0, r1) of the NTK: with one
 * output position (c²·H(x1)·H(x2)ᵀ + s²) ⊙ (G(x1)·G(x2)ᵀ), else J(x1)·J(x2)ᵀ or the position-pair form.
 */
export function addTerm(terms: Terms, t: i32, d: i32, form: i32): void {
  if (form == TERM_PAIRS) {
    addPositionPairs(terms, t, d);
    return;
  }
  const saved = mark();
  const program = terms.program;
  const attributes = terms.attributes;
  const shapes = terms.shapes;
  const k = terms.k;
  const full = terms.full;
  const symmetric = terms.symmetric;
  const n1 = terms.n1;
  const n2 = terms.n2;
  const r0 = terms.r0;
  const r1 = terms.r1;
  const out = terms.out;
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const rowStart = full ? r0 * k : r0;
  const rowEnd = full ? r1 * k : r1;
  // Products for this block's rows only; the bases are shifted so row i of the matrix is at base + i·cols.
  const signalProducts = scratch((<usize>(rowEnd - rowStart) * <usize>outCols) << 3) - ((<usize>rowStart * <usize>outCols) << 3);
  const outputWeight = full ? 1.0 : 1.0 / <f64>k;
  const shared = form == TERM_JACOBIAN;
  const fanIn = fanInOf(program, attributes, shapes, t);
  // Signals (or the Jacobian block of a weight-sharing layer): 'mean' views them as n × (k·columns), 'full' as (n·k) × columns.
  const columns = shared ? parameterCount(program, attributes, shapes, t) : channelsOf(shapes, field(program, t, 3));
  const g1 = termAt(terms.rows, shared ? d : terms.count + d);
  const g2 = termAt(terms.columns, shared ? d : terms.count + d);
  const gRows2 = full ? n2 * k : n2;
  const gCols = full ? columns : k * columns;
  if (symmetric) syrkLower(outRows, gCols, g1, signalProducts, rowStart, rowEnd);
  else {
    gemm(
      0,
      1,
      rowEnd - rowStart,
      gRows2,
      gCols,
      1.0,
      g1 + ((<usize>rowStart * <usize>gCols) << 3),
      gCols,
      g2,
      gCols,
      0.0,
      signalProducts + ((<usize>rowStart * <usize>outCols) << 3),
      outCols,
    );
  }
  let inner: usize = 0;
  if (!shared) {
    inner = scratch((<usize>(r1 - r0) * <usize>n2) << 3) - ((<usize>r0 * <usize>n2) << 3);
    const h1 = termAt(terms.rows, d);
    const h2 = termAt(terms.columns, d);
    if (symmetric) syrkLower(n1, fanIn, h1, inner, r0, r1);
    else gemm(0, 1, r1 - r0, n2, fanIn, 1.0, h1 + ((<usize>r0 * <usize>fanIn) << 3), fanIn, h2, fanIn, 0.0, inner + ((<usize>r0 * <usize>n2) << 3), n2);
  }
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const s = attribute(attributes, t, DENSE_BIAS_SCALE);
  const c2 = c * c;
  const s2 = hasBias(attributes, t) ? s * s : 0.0;
  for (let r = rowStart; r < rowEnd; r++) {
    const i = full ? r / k : r;
    const last = symmetric ? r + 1 : outCols;
    const outRow = out + ((<usize>r * <usize>outCols) << 3);
    const productRow = signalProducts + ((<usize>r * <usize>outCols) << 3);
    if (shared) {
      axpy(last, outputWeight, productRow, outRow);
      continue;
    }
    const innerRow = inner + ((<usize>i * <usize>n2) << 3);
    for (let q = 0; q < last; q++) {
      const j = full ? q / k : q;
      const o = outRow + ((<usize>q) << 3);
      store<f64>(o, load<f64>(o) + outputWeight * (c2 * f64At(innerRow, j) + s2) * f64At(productRow, q));
    }
  }
  release(saved);
}
