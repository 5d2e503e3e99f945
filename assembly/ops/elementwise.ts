// An activation written in JavaScript (elementwise): every pass calls back into the module's host on whole blocks
// (src/backend/wasm/hosts.ts runs the layer's passes of src/ops/elementwise.ts on views of this memory), so the
// user's φ runs once per entry and the interpreters' state stays here. The host refuses the call on a worker thread.
import { scratch } from "../heap";
import { ELEMENTWISE_HOST } from "../generated/layout";
import { attribute, field, positionsOf, sizeOf } from "../net/program";
import { backward as multiplyBySlope } from "./activation";
import { Net, Pair, Row, adjointNet, isFull, pairSigma, rowSigma, tangentOf, varianceAt } from "./unit";

// z = φ(h) and slope = φ′(h) on count entries.
// @ts-ignore: decorator
@external("env", "hostApply") declare function hostApply(host: i32, h: usize, z: usize, slope: usize, count: i32): void;

// E[φ(u)²] for u ~ N(0, q).
// @ts-ignore: decorator
@external("env", "hostVariance") declare function hostVariance(host: i32, q: f64): f64;

// The dual maps on count entries: q1 at q1 + e·q1Step doubles, q2 and Σ, Θ at entry e; the outputs may be the inputs.
// @ts-ignore: decorator
@external("env", "hostDual") declare function hostDual(
  host: i32,
  q1: usize,
  q1Step: i32,
  q2: usize,
  sigma: usize,
  theta: usize,
  sigmaOut: usize,
  thetaOut: usize,
  count: i32,
): void;

// @ts-ignore: decorator
@inline function hostOf(attributes: usize, t: i32): i32 {
  return <i32>attribute(attributes, t, ELEMENTWISE_HOST);
}

/** φ of the input, keeping φ′ at it for the backward pass. */
export function forward(net: Net, t: i32, z: usize): void {
  const out = field(net.program, t, 3);
  const h = load<usize>(net.values + ((<usize>field(net.program, t, 1)) << 2));
  const size = net.n * sizeOf(net.shapes, out);
  const slope = scratch((<usize>size) << 3);
  hostApply(hostOf(net.attributes, t), h, z, slope, size);
  store<usize>(net.kept + ((<usize>out) << 2), slope);
}

export function backward(net: Net, t: i32, g: usize): void {
  multiplyBySlope(net, t, g);
}

/** A symmetric Jacobian: the backward pass carries the input's tangent to the output's. */
export function tangent(net: Net, t: i32, z: usize): void {
  backward(adjointNet(net, t, z), t, tangentOf(net, field(net.program, t, 1)));
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return hostVariance(hostOf(attributes, t), v);
}

export function row(row: Row, t: i32): void {
  const a = field(row.program, t, 1);
  const sigmaA = rowSigma(row, a);
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  const q1 = row.table1 + ((<usize>a * <usize>row.n1 + <usize>row.i) << 3);
  const q2Row = row.columnTable + ((<usize>a * <usize>row.n2) << 3);
  hostDual(hostOf(row.attributes, t), q1, 0, q2Row, sigmaA, sigmaA + row.rowBytes, sigmaOut, sigmaOut + row.rowBytes, row.end);
}

// Full: row r pairs position r of x with every position of x′; diagonal: each position with itself.
export function pair(pair: Pair, t: i32): void {
  const host = hostOf(pair.attributes, t);
  const a = field(pair.program, t, 1);
  const out = field(pair.program, t, 3);
  const sigmaA = pairSigma(pair, a);
  const sigmaOut = pairSigma(pair, out);
  const positions = positionsOf(pair.shapes, a);
  const q1 = varianceAt(pair, pair.qa, a, pair.i);
  const q2 = varianceAt(pair, pair.qb, a, pair.j);
  if (!isFull(pair, out)) {
    hostDual(host, q1, 1, q2, sigmaA, sigmaA + pair.stateBytes, sigmaOut, sigmaOut + pair.stateBytes, positions);
    return;
  }
  for (let r = 0; r < positions; r++) {
    const at = (<usize>(r * positions)) << 3;
    const q1At = q1 + ((<usize>r) << 3);
    hostDual(host, q1At, 0, q2, sigmaA + at, sigmaA + pair.stateBytes + at, sigmaOut + at, sigmaOut + pair.stateBytes + at, positions);
  }
}
