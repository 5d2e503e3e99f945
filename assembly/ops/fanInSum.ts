// The sum of two branches (fanInSum); the TypeScript twin is src/ops/fanInSum.ts.
import { axpy } from "../linalg/vector";
import { field, sizeOf } from "../net/program";
import { Net, Pair, Row, cotangentOf, pairSigma, rowSigma, stateSize, tangentRows, directionRow, directionPair } from "./unit";

export function forward(net: Net, t: i32, z: usize): void {
  const size = net.n * sizeOf(net.shapes, field(net.program, t, 3));
  memory.copy(z, load<usize>(net.values + ((<usize>field(net.program, t, 1)) << 2)), (<usize>size) << 3);
  axpy(size, 1.0, load<usize>(net.values + ((<usize>field(net.program, t, 2)) << 2)), z);
}

export function backward(net: Net, t: i32, g: usize): void {
  const entries = net.n * net.m * sizeOf(net.shapes, field(net.program, t, 3));
  const bytes = (<usize>entries) << 3;
  axpy(entries, 1.0, g, cotangentOf(net, field(net.program, t, 1), bytes));
  axpy(entries, 1.0, g, cotangentOf(net, field(net.program, t, 2), bytes));
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return v + second;
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  return dv + dSecond;
}

// Linear in Σ and Θ: its row pass on each direction's tangents.
export function rowTangent(row: Row, t: i32): void {
  for (let h = 0; h < row.directions; h++) rowPass(directionRow(row, h), t);
}

/** Σ ← Σa + Σb, Θ ← Θa + Θb on two vectors at a time (the rows are padded to an even length). */
function addPairs(entries: i32, sigmaA: usize, thetaA: usize, sigmaB: usize, thetaB: usize, sigmaOut: usize, thetaOut: usize): void {
  for (let e = 0; e < entries; e += 2) {
    const at = (<usize>e) << 3;
    v128.store(sigmaOut + at, f64x2.add(v128.load(sigmaA + at), v128.load(sigmaB + at)));
    v128.store(thetaOut + at, f64x2.add(v128.load(thetaA + at), v128.load(thetaB + at)));
  }
}

export function row(row: Row, t: i32): void {
  rowPass(row, t);
}

function rowPass(row: Row, t: i32): void {
  const sigmaA = rowSigma(row, field(row.program, t, 1));
  const sigmaB = rowSigma(row, field(row.program, t, 2));
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  addPairs(row.end, sigmaA, sigmaA + row.rowBytes, sigmaB, sigmaB + row.rowBytes, sigmaOut, sigmaOut + row.rowBytes);
}

/** Linear in the states, reading nothing the hyperparameters move: its own pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  for (let h = 0; h < pass.directions; h++) pair(directionPair(pass, h), t);
}

export function pair(pair: Pair, t: i32): void {
  const sigmaA = pairSigma(pair, field(pair.program, t, 1));
  const sigmaB = pairSigma(pair, field(pair.program, t, 2));
  const out = field(pair.program, t, 3);
  const sigmaOut = pairSigma(pair, out);
  addPairs(stateSize(pair, out), sigmaA, sigmaA + pair.stateBytes, sigmaB, sigmaB + pair.stateBytes, sigmaOut, sigmaOut + pair.stateBytes);
}
