// Pooling over windows of positions: the sum over each window over a divisor (avgPool: the window size, for the
// mean), as a position map (assembly/ops/positionMap.ts); the TypeScript twin is src/ops/avgPool.ts.
import { mark, release } from "../heap";
import { AVG_POOL_DIVISOR, AVG_POOL_NORMALIZE_EDGES } from "../generated/layout";
import { attribute, field, positionsOf } from "../net/program";
import { sourceAt, tapCount, tapSources } from "./window";
import { inputCotangent, mapBackward, mapForward, mapPair, mapSourceAt, mapWeightAt, newMap } from "./positionMap";
import { Net, Pair, tangentRows, directionPair } from "./unit";

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
  const saved = mark();
  mapForward(net, t, z, poolMap(net.attributes, t, net.shapes, field(net.program, t, 1), field(net.program, t, 3)));
  release(saved);
}

export function backward(net: Net, t: i32, g: usize): void {
  const target = inputCotangent(net, t);
  const saved = mark();
  mapBackward(net, t, g, poolMap(net.attributes, t, net.shapes, field(net.program, t, 1), field(net.program, t, 3)), target);
  release(saved);
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

/** The pair pass reads the map, made once per call. */
export function preparePair(pair: Pair, t: i32): usize {
  return poolMap(pair.attributes, t, pair.shapes, field(pair.program, t, 1), field(pair.program, t, 3));
}

/** Linear in the states, reading nothing the hyperparameters move: its own pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  for (let h = 0; h < pass.directions; h++) pair(directionPair(pass, h), t);
}

export function pair(pair: Pair, t: i32): void {
  mapPair(pair, t, load<usize>(pair.taps + ((<usize>t) << 2)));
}
