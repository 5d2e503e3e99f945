// The sum over all positions per channel over a divisor (globalAvgPool: the positions, for the mean); the
// TypeScript twin is src/ops/globalAvgPool.ts.
import { axpy } from "../linalg/vector";
import { GLOBAL_AVG_POOL_DIVISOR } from "../generated/layout";
import { attribute, field, positionsOf, sizeOf } from "../net/program";
import { Net, Pair, cotangentOf, entrySum, pairSigma, rowAt, tangentRows, directionPair } from "./unit";

export function forward(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const outSize = sizeOf(net.shapes, field(net.program, t, 3));
  const h = load<usize>(net.values + ((<usize>a) << 2));
  const positions = positionsOf(net.shapes, a);
  const weight = 1.0 / attribute(net.attributes, t, GLOBAL_AVG_POOL_DIVISOR);
  memory.fill(z, 0, (<usize>(net.n * outSize)) << 3);
  for (let i = 0; i < net.n; i++) {
    for (let p = 0; p < positions; p++) axpy(outSize, weight, rowAt(h, i * positions + p, outSize), rowAt(z, i, outSize));
  }
}

export function backward(net: Net, t: i32, g: usize): void {
  const a = field(net.program, t, 1);
  const outSize = sizeOf(net.shapes, field(net.program, t, 3));
  const rows = net.n * net.m;
  const target = cotangentOf(net, a, (<usize>rows * <usize>sizeOf(net.shapes, a)) << 3);
  const positions = positionsOf(net.shapes, a);
  const weight = 1.0 / attribute(net.attributes, t, GLOBAL_AVG_POOL_DIVISOR);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < positions; p++) axpy(outSize, weight, rowAt(g, r, outSize), rowAt(target, r * positions + p, outSize));
  }
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

// The sum of every entry of the position-pair state over the divisor squared.
/** Linear in the states, reading nothing the hyperparameters move: its own pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  for (let h = 0; h < pass.directions; h++) pair(directionPair(pass, h), t);
}

export function pair(pair: Pair, t: i32): void {
  const a = field(pair.program, t, 1);
  const sigmaA = pairSigma(pair, a);
  const thetaA = sigmaA + pair.stateBytes;
  const sigmaOut = pairSigma(pair, field(pair.program, t, 3));
  const positions = positionsOf(pair.shapes, a);
  const entries = positions * positions;
  const divisor = attribute(pair.attributes, t, GLOBAL_AVG_POOL_DIVISOR);
  store<f64>(sigmaOut, entrySum(sigmaA, entries, 1) / (divisor * divisor));
  store<f64>(sigmaOut + pair.stateBytes, entrySum(thetaA, entries, 1) / (divisor * divisor));
}
