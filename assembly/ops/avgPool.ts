// Pooling over windows of positions: the sum over each window over a divisor (avgPool: the window size, for the
// mean); the TypeScript twin is src/ops/avgPool.ts.
import { mark, release } from "../heap";
import { axpy } from "../linalg/vector";
import { AVG_POOL_DIVISOR, AVG_POOL_NORMALIZE_EDGES } from "../generated/layout";
import { attribute, channelsOf, field, positionsOf, sizeOf } from "../net/program";
import { sourceAt, tapCount, tapSources } from "./window";
import { Net, Pair, cotangentOf, f64At, isFull, pairSigma, rowAt, stateSize, tangentRows, directionPair } from "./unit";

/**
 * What the taps of output position p are weighed by: 1/divisor (the window size for a mean, 1 for a sum), or with
 * normalizeEdges 1/(its taps inside the input).
 */
function weightAt(attributes: usize, t: i32, sources: usize, taps: i32, outPositions: i32, p: i32): f64 {
  if (attribute(attributes, t, AVG_POOL_NORMALIZE_EDGES) == 0.0) return 1.0 / attribute(attributes, t, AVG_POOL_DIVISOR);
  let inside = 0;
  for (let tap = 0; tap < taps; tap++) if (sourceAt(sources, outPositions, tap, p) >= 0) inside++;
  return 1.0 / <f64>inside;
}

/** One example: out[p] = weight(p)·Σ_tap h[source] over channels (padding counts as zero). */
function poolInto(attributes: usize, t: i32, sources: usize, taps: i32, outPositions: i32, h: usize, c: i32, out: usize): void {
  const channelBytes = (<usize>c) << 3;
  memory.fill(out, 0, <usize>outPositions * channelBytes);
  for (let p = 0; p < outPositions; p++) {
    const weight = weightAt(attributes, t, sources, taps, outPositions, p);
    for (let tap = 0; tap < taps; tap++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (source >= 0) axpy(c, weight, h + <usize>source * channelBytes, out + <usize>p * channelBytes);
    }
  }
}

/** The transpose of poolInto: adds weight(p)·g[p] onto every position output p read. */
function addPooledInto(attributes: usize, t: i32, sources: usize, taps: i32, outPositions: i32, g: usize, c: i32, target: usize): void {
  const channelBytes = (<usize>c) << 3;
  for (let p = 0; p < outPositions; p++) {
    const weight = weightAt(attributes, t, sources, taps, outPositions, p);
    for (let tap = 0; tap < taps; tap++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (source >= 0) axpy(c, weight, g + <usize>p * channelBytes, target + <usize>source * channelBytes);
    }
  }
}

export function forward(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const h = load<usize>(net.values + ((<usize>a) << 2));
  const inSize = sizeOf(net.shapes, a);
  const outSize = sizeOf(net.shapes, out);
  const saved = mark();
  const sources = tapSources(net.attributes, t, net.shapes, a, out);
  for (let i = 0; i < net.n; i++) {
    poolInto(
      net.attributes,
      t,
      sources,
      tapCount(net.attributes, t),
      positionsOf(net.shapes, out),
      rowAt(h, i, inSize),
      channelsOf(net.shapes, a),
      rowAt(z, i, outSize),
    );
  }
  release(saved);
}

export function backward(net: Net, t: i32, g: usize): void {
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const rows = net.n * net.m;
  const inSize = sizeOf(net.shapes, a);
  const outSize = sizeOf(net.shapes, out);
  const target = cotangentOf(net, a, (<usize>rows * <usize>inSize) << 3);
  const saved = mark();
  const sources = tapSources(net.attributes, t, net.shapes, a, out);
  for (let r = 0; r < rows; r++) {
    addPooledInto(
      net.attributes,
      t,
      sources,
      tapCount(net.attributes, t),
      positionsOf(net.shapes, out),
      rowAt(g, r, outSize),
      channelsOf(net.shapes, a),
      rowAt(target, r, inSize),
    );
  }
  release(saved);
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

/** The pair pass reads the window's tap table, made once per call. */
export function preparePair(pair: Pair, t: i32): usize {
  return tapSources(pair.attributes, t, pair.shapes, field(pair.program, t, 1), field(pair.program, t, 3));
}

/** B·M·Bᵀ of an avgPool, B the window sum times its weights (M full): every position pair when the output is full, else the same positions. */
function pool(pair: Pair, t: i32, a: i32, out: i32, input: usize, output: usize): void {
  const sources = load<usize>(pair.taps + ((<usize>t) << 2));
  const tapTotal = tapCount(pair.attributes, t);
  const inPositions = positionsOf(pair.shapes, a);
  const outPositions = positionsOf(pair.shapes, out);
  const half = pair.opWork;
  memory.fill(half, 0, (<usize>inPositions * <usize>outPositions) << 3);
  for (let q = 0; q < outPositions; q++) {
    const weight = weightAt(pair.attributes, t, sources, tapTotal, outPositions, q);
    for (let tap = 0; tap < tapTotal; tap++) {
      const b = sourceAt(sources, outPositions, tap, q);
      if (b < 0) continue;
      for (let p = 0; p < inPositions; p++) {
        const to = half + ((<usize>p * <usize>outPositions + <usize>q) << 3);
        store<f64>(to, load<f64>(to) + weight * f64At(input, p * inPositions + b));
      }
    }
  }
  const outFull = isFull(pair, out);
  memory.fill(output, 0, (<usize>stateSize(pair, out)) << 3);
  for (let p = 0; p < outPositions; p++) {
    const weight = weightAt(pair.attributes, t, sources, tapTotal, outPositions, p);
    for (let tap = 0; tap < tapTotal; tap++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (source < 0) continue;
      const from = half + ((<usize>source * <usize>outPositions) << 3);
      if (!outFull) {
        const to = output + ((<usize>p) << 3);
        store<f64>(to, load<f64>(to) + weight * f64At(from, p));
        continue;
      }
      const to = output + ((<usize>p * <usize>outPositions) << 3);
      for (let q = 0; q < outPositions; q++) store<f64>(to + ((<usize>q) << 3), load<f64>(to + ((<usize>q) << 3)) + weight * f64At(from, q));
    }
  }
}

/** Linear in the states, reading nothing the hyperparameters move: its own pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  for (let h = 0; h < pass.directions; h++) pair(directionPair(pass, h), t);
}

export function pair(pair: Pair, t: i32): void {
  const a = field(pair.program, t, 1);
  const out = field(pair.program, t, 3);
  const sigmaA = pairSigma(pair, a);
  const sigmaOut = pairSigma(pair, out);
  const size = (<usize>stateSize(pair, out)) << 3;
  pool(pair, t, a, out, sigmaA, pair.work);
  pool(pair, t, a, out, sigmaA + pair.stateBytes, pair.work + pair.stateBytes);
  memory.copy(sigmaOut, pair.work, size);
  memory.copy(sigmaOut + pair.stateBytes, pair.work + pair.stateBytes, size);
}
