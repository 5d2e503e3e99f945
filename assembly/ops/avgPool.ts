// Pooling over windows of positions: the sum over each window over a divisor (avgPool: the window size, for the
// mean), as a position map (assembly/ops/positionMap.ts); the TypeScript twin is src/ops/avgPool.ts.
import { AVG_POOL_DIVISOR, AVG_POOL_NORMALIZE_EDGES } from "../generated/layout";
import { attribute, positionsOf } from "../net/program";
import { sourceAt, tapCount, tapSources } from "./window";
import { mapOpBackward, mapOpForward, mapOpPair, mapOpPairTangent, mapOpPrepare, mapSourceAt, mapWeightAt, newMap } from "./positionMap";
import { Net, Pair, tangentRows } from "./unit";

/**
 * The map of avgPool instruction t (input value a, output out): each tap inside the input weighs 1/divisor (the window
 * size for a mean, 1 for a sum), or with normalizeEdges 1/(its output position's taps inside the input).
 */
function poolMap(attributes: usize, t: i32, shapes: usize, a: i32, out: i32): usize {
  const sources = tapSources(attributes, t, shapes, a, out);
  const taps = tapCount(attributes, t);
  const outPositions = positionsOf(shapes, out);
  const map = newMap(taps, outPositions);
  const normalize = attribute(attributes, t, AVG_POOL_NORMALIZE_EDGES) != 0.0;
  for (let p = 0; p < outPositions; p++) {
    let inside = 0;
    for (let tap = 0; tap < taps; tap++) if (sourceAt(sources, outPositions, tap, p) >= 0) inside++;
    const weight = 1.0 / (normalize ? <f64>inside : attribute(attributes, t, AVG_POOL_DIVISOR));
    for (let tap = 0; tap < taps; tap++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (source < 0) continue;
      store<i32>(mapSourceAt(map, tap, p), source);
      store<f64>(mapWeightAt(map, tap, p), weight);
    }
  }
  return map;
}

export function forward(net: Net, t: i32, z: usize): void {
  mapOpForward(net, t, z, poolMap);
}

export function backward(net: Net, t: i32, g: usize): void {
  mapOpBackward(net, t, g, poolMap);
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

export function preparePair(pair: Pair, t: i32): usize {
  return mapOpPrepare(pair, t, poolMap);
}

export function pairTangent(pass: Pair, t: i32): void {
  mapOpPairTangent(pass, t);
}

export function pair(pair: Pair, t: i32): void {
  mapOpPair(pair, t);
}
