// Indexing (index): output position (i₀, i₁, i₂) reads input position (start_d + step_d·i_d per spatial axis d),
// channel k reads channel start_c + step_c·k; at infinite width the kept positions' covariance. The TypeScript twin
// is src/ops/gather.ts.
import { GATHER_AXES, GATHER_C_START, GATHER_C_STEP } from "../generated/layout";
import { attribute, channelsOf, field, positionsOf, spatialSizeOf } from "../net/program";
import { Net, Pair, Row, copyRow, cotangentOf, f64At, isFull, pairSigma, stateSize, tangentRows, directionRow, directionPair } from "./unit";

// Axis d's first index, step and count among instruction t's attributes.
// @ts-ignore: decorator
@inline function axisSlot(attributes: usize, t: i32, d: i32, k: i32): i32 {
  return <i32>attribute(attributes, t, GATHER_AXES + 3 * d + k);
}

// The input position output position p of instruction t reads (its input value a).
function sourceOf(attributes: usize, t: i32, shapes: usize, a: i32, p: i32): i32 {
  const c1 = axisSlot(attributes, t, 1, 2);
  const c2 = axisSlot(attributes, t, 2, 2);
  const x2 = p % c2;
  const x1 = (p / c2) % c1;
  const x0 = p / (c1 * c2);
  const s0 = axisSlot(attributes, t, 0, 0) + axisSlot(attributes, t, 0, 1) * x0;
  const s1 = axisSlot(attributes, t, 1, 0) + axisSlot(attributes, t, 1, 1) * x1;
  const s2 = axisSlot(attributes, t, 2, 0) + axisSlot(attributes, t, 2, 1) * x2;
  return (s0 * spatialSizeOf(shapes, a, 1) + s1) * spatialSizeOf(shapes, a, 2) + s2;
}

// Output positions of instruction t.
// @ts-ignore: decorator
@inline function outPositions(attributes: usize, t: i32): i32 {
  return axisSlot(attributes, t, 0, 2) * axisSlot(attributes, t, 1, 2) * axisSlot(attributes, t, 2, 2);
}

export function forward(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const h = load<usize>(net.values + ((<usize>a) << 2));
  const cIn = channelsOf(net.shapes, a);
  const cOut = channelsOf(net.shapes, out);
  const sizeIn = positionsOf(net.shapes, a) * cIn;
  const positions = outPositions(net.attributes, t);
  const sizeOut = positions * cOut;
  const cStart = <i32>attribute(net.attributes, t, GATHER_C_START);
  const cStep = <i32>attribute(net.attributes, t, GATHER_C_STEP);
  for (let r = 0; r < net.n; r++) {
    for (let p = 0; p < positions; p++) {
      const from = r * sizeIn + sourceOf(net.attributes, t, net.shapes, a, p) * cIn + cStart;
      const to = r * sizeOut + p * cOut;
      for (let k = 0; k < cOut; k++) store<f64>(z + ((<usize>(to + k)) << 3), f64At(h, from + cStep * k));
    }
  }
}

export function backward(net: Net, t: i32, g: usize): void {
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const cIn = channelsOf(net.shapes, a);
  const cOut = channelsOf(net.shapes, out);
  const sizeIn = positionsOf(net.shapes, a) * cIn;
  const positions = outPositions(net.attributes, t);
  const sizeOut = positions * cOut;
  const rows = net.n * net.m;
  const target = cotangentOf(net, a, (<usize>rows * <usize>sizeIn) << 3);
  const cStart = <i32>attribute(net.attributes, t, GATHER_C_START);
  const cStep = <i32>attribute(net.attributes, t, GATHER_C_STEP);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < positions; p++) {
      const to = r * sizeIn + sourceOf(net.attributes, t, net.shapes, a, p) * cIn + cStart;
      const from = r * sizeOut + p * cOut;
      for (let k = 0; k < cOut; k++) {
        const at = target + ((<usize>(to + cStep * k)) << 3);
        store<f64>(at, load<f64>(at) + f64At(g, from + k));
      }
    }
  }
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

// On vectors (at infinite width the channels stay whole) it is the identity.
export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return v;
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  return dv;
}

export function rowTangent(row: Row, t: i32): void {
  for (let h = 0; h < row.directions; h++) copyRow(directionRow(row, h), t);
}

export function row(row: Row, t: i32): void {
  copyRow(row, t);
}

// The kept positions' entries, staged in pair.work: the output may share its slot with the input.
/** Linear in the states, reading nothing the hyperparameters move: its own pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  for (let h = 0; h < pass.directions; h++) pair(directionPair(pass, h), t);
}

export function pair(pair: Pair, t: i32): void {
  const a = field(pair.program, t, 1);
  const out = field(pair.program, t, 3);
  const sigmaA = pairSigma(pair, a);
  const sigmaOut = pairSigma(pair, out);
  const positionsIn = positionsOf(pair.shapes, a);
  const positions = outPositions(pair.attributes, t);
  const size = stateSize(pair, out);
  const fullOut = isFull(pair, out);
  const fullIn = isFull(pair, a);
  const workTheta = pair.work + pair.stateBytes;
  for (let e = 0; e < size; e++) {
    let from: i32;
    if (fullOut) from = sourceOf(pair.attributes, t, pair.shapes, a, e / positions) * positionsIn + sourceOf(pair.attributes, t, pair.shapes, a, e % positions);
    else from = fullIn ? sourceOf(pair.attributes, t, pair.shapes, a, e) * (positionsIn + 1) : sourceOf(pair.attributes, t, pair.shapes, a, e);
    store<f64>(pair.work + ((<usize>e) << 3), f64At(sigmaA, from));
    store<f64>(workTheta + ((<usize>e) << 3), f64At(sigmaA + pair.stateBytes, from));
  }
  memory.copy(sigmaOut, pair.work, (<usize>size) << 3);
  memory.copy(sigmaOut + pair.stateBytes, workTheta, (<usize>size) << 3);
}
