// Positions and channels as one vector (flatten); the TypeScript twin is src/ops/flatten.ts.
import { axpy } from "../linalg/vector";
import { field, positionsOf, sizeOf } from "../net/program";
import { Net, Pair, Row, copyRow, cotangentOf, entrySum, isFull, pairSigma, tangentRows, directionRow, directionPair } from "./unit";

export function forward(net: Net, t: i32, z: usize): void {
  memory.copy(z, load<usize>(net.values + ((<usize>field(net.program, t, 1)) << 2)), (<usize>(net.n * sizeOf(net.shapes, field(net.program, t, 3)))) << 3);
}

export function backward(net: Net, t: i32, g: usize): void {
  const entries = net.n * net.m * sizeOf(net.shapes, field(net.program, t, 3));
  axpy(entries, 1.0, g, cotangentOf(net, field(net.program, t, 1), (<usize>entries) << 3));
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return v;
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  return dv;
}

export function rowTangent(row: Row, t: i32): void {
  for (let h = 0; h < row.directions; h++) copyRow(directionRow(row, h), t);
}

// One position: the flattened vector has the same kernel.
export function row(row: Row, t: i32): void {
  copyRow(row, t);
}

// The mean of the same-position entries.
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
  const stride = isFull(pair, a) ? positions + 1 : 1;
  store<f64>(sigmaOut, entrySum(sigmaA, positions, stride) / <f64>positions);
  store<f64>(sigmaOut + pair.stateBytes, entrySum(thetaA, positions, stride) / <f64>positions);
}
