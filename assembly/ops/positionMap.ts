// A linear map over positions, the same on every channel: output position p is Σ_t weight·input[source] over its taps
// (a source −1 reads nothing); pooling and image resizing build one each (assembly/ops/avgPool.ts, imageResize.ts) and
// run these passes on it. The TypeScript twin is src/ops/positionMap.ts. A map in scratch: its taps and output
// positions (two i32), then the sources (taps × outPositions i32, tap-major), then the weights (the same, f64, 8-aligned).
import { mark, release, scratch } from "../heap";
import { axpy } from "../linalg/vector";
import { channelsOf, field, positionsOf, sizeOf } from "../net/program";
import { Net, Pair, cotangentOf, f64At, isFull, linearStatePair, linearStateTangent, rowAt, stateSize } from "./unit";

// @ts-ignore: decorator
@inline export function mapTaps(map: usize): i32 {
  return load<i32>(map);
}

// @ts-ignore: decorator
@inline function mapOutPositions(map: usize): i32 {
  return load<i32>(map, 4);
}

/** Where entry (tap, p)'s source is. */
// @ts-ignore: decorator
@inline export function mapSourceAt(map: usize, tap: i32, p: i32): usize {
  return map + 8 + ((<usize>(tap * mapOutPositions(map) + p)) << 2);
}

/** Where entry (tap, p)'s weight is. */
// @ts-ignore: decorator
@inline export function mapWeightAt(map: usize, tap: i32, p: i32): usize {
  const entries = <usize>(mapTaps(map) * mapOutPositions(map));
  return map + 8 + (((entries << 2) + 7) & ~7) + ((<usize>(tap * mapOutPositions(map) + p)) << 3);
}

/** A map of `taps` taps over `outPositions` outputs in scratch, every source −1 and weight 0. */
export function newMap(taps: i32, outPositions: i32): usize {
  const entries = <usize>(taps * outPositions);
  const map = scratch(8 + (((entries << 2) + 7) & ~7) + (entries << 3));
  store<i32>(map, taps);
  store<i32>(map, outPositions, 4);
  memory.fill(map + 8, 0xff, entries << 2);
  memory.fill(mapWeightAt(map, 0, 0), 0, entries << 3);
  return map;
}

/** Rows of values (positions × c each): out[p] = Σ_tap weight·h[source]; with `transpose`, adds weight·h[p] onto target[source] instead. */
function mapRows(map: usize, rows: i32, h: usize, hSize: i32, c: i32, out: usize, outSize: i32, transpose: bool): void {
  const taps = mapTaps(map);
  const outPositions = mapOutPositions(map);
  const channelBytes = (<usize>c) << 3;
  for (let r = 0; r < rows; r++) {
    const from = rowAt(h, r, hSize);
    const to = rowAt(out, r, outSize);
    if (!transpose) memory.fill(to, 0, (<usize>outSize) << 3);
    for (let tap = 0; tap < taps; tap++) {
      for (let p = 0; p < outPositions; p++) {
        const source = load<i32>(mapSourceAt(map, tap, p));
        if (source < 0) continue;
        const weight = load<f64>(mapWeightAt(map, tap, p));
        if (transpose) axpy(c, weight, from + <usize>p * channelBytes, to + <usize>source * channelBytes);
        else axpy(c, weight, from + <usize>source * channelBytes, to + <usize>p * channelBytes);
      }
    }
  }
}

/** Builds the map of instruction t (input value a, output out) in scratch: what each position-map op supplies. */
export type MapBuilder = (attributes: usize, t: i32, shapes: usize, a: i32, out: i32) => usize;

/** The map on the pass's n examples of instruction t's input. */
function mapForward(net: Net, t: i32, z: usize, map: usize): void {
  const a = field(net.program, t, 1);
  const h = load<usize>(net.values + ((<usize>a) << 2));
  mapRows(map, net.n, h, sizeOf(net.shapes, a), channelsOf(net.shapes, a), z, sizeOf(net.shapes, field(net.program, t, 3)), false);
}

/** The op's forward: its map, built for the pass, on the n examples. */
export function mapOpForward(net: Net, t: i32, z: usize, build: MapBuilder): void {
  const saved = mark();
  mapForward(net, t, z, build(net.attributes, t, net.shapes, field(net.program, t, 1), field(net.program, t, 3)));
  release(saved);
}

/** The op's backward: the map's transpose on the cotangents g (n·m rows), added into the input's (taken before the map, which is released). */
export function mapOpBackward(net: Net, t: i32, g: usize, build: MapBuilder): void {
  const a = field(net.program, t, 1);
  const inSize = sizeOf(net.shapes, a);
  const target = cotangentOf(net, a, (<usize>(net.n * net.m) * <usize>inSize) << 3);
  const saved = mark();
  const map = build(net.attributes, t, net.shapes, a, field(net.program, t, 3));
  mapRows(map, net.n * net.m, g, sizeOf(net.shapes, field(net.program, t, 3)), channelsOf(net.shapes, a), target, inSize, true);
  release(saved);
}

/** The op's preparePair: the map, made once per call. */
export function mapOpPrepare(pair: Pair, t: i32, build: MapBuilder): usize {
  return build(pair.attributes, t, pair.shapes, field(pair.program, t, 1), field(pair.program, t, 3));
}

/** B·M·Bᵀ (M full, inPositions²) into output: every position pair when the output is full, else the same positions. */
function sandwich(pair: Pair, map: usize, t: i32, input: usize, output: usize): void {
  const inPositions = positionsOf(pair.shapes, field(pair.program, t, 1));
  const out = field(pair.program, t, 3);
  const outFull = isFull(pair, out);
  const entries = stateSize(pair, out);
  const taps = mapTaps(map);
  const outPositions = mapOutPositions(map);
  const half = pair.opWork; // M·Bᵀ
  memory.fill(half, 0, (<usize>inPositions * <usize>outPositions) << 3);
  for (let tap = 0; tap < taps; tap++) {
    for (let q = 0; q < outPositions; q++) {
      const b = load<i32>(mapSourceAt(map, tap, q));
      if (b < 0) continue;
      const weight = load<f64>(mapWeightAt(map, tap, q));
      for (let p = 0; p < inPositions; p++) {
        const to = half + ((<usize>p * <usize>outPositions + <usize>q) << 3);
        store<f64>(to, load<f64>(to) + weight * f64At(input, p * inPositions + b));
      }
    }
  }
  memory.fill(output, 0, (<usize>entries) << 3);
  for (let tap = 0; tap < taps; tap++) {
    for (let p = 0; p < outPositions; p++) {
      const source = load<i32>(mapSourceAt(map, tap, p));
      if (source < 0) continue;
      const weight = load<f64>(mapWeightAt(map, tap, p));
      const from = half + ((<usize>source * <usize>outPositions) << 3);
      if (!outFull) {
        const to = output + ((<usize>p) << 3);
        store<f64>(to, load<f64>(to) + weight * f64At(from, p));
        continue;
      }
      axpy(outPositions, weight, from, output + ((<usize>p * <usize>outPositions) << 3));
    }
  }
}

/** The op's pair pass: Σ ← BΣBᵀ and Θ ← BΘBᵀ with its prepared map. */
export function mapOpPair(pair: Pair, t: i32): void {
  linearStatePair(pair, t, sandwich);
}

/** The op's pairTangent: its pair pass on each direction's tangents. */
export function mapOpPairTangent(pass: Pair, t: i32): void {
  linearStateTangent(pass, t, sandwich);
}
