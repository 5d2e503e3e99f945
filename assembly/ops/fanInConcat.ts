// The concatenation of two values along the channels or a spatial axis (fanInConcat); the TypeScript twin is
// src/ops/fanInConcat.ts.
import { axpy } from "../linalg/vector";
import { FAN_IN_CONCAT_AXIS, FAN_IN_CONCAT_FIRST_WEIGHT, FAN_IN_CONCAT_SECOND_WEIGHT } from "../generated/layout";
import { attribute, channelsOf, field, positionsOf, sizeOf, spatialSizeOf } from "../net/program";
import { Net, Pair, Row, cotangentOf, isFull, pairSigma, rowAt, rowSigma, stateSize, tangentRows, directionRow, directionPair } from "./unit";

// @ts-ignore: decorator
@inline function axisOf(attributes: usize, t: i32): i32 {
  return <i32>attribute(attributes, t, FAN_IN_CONCAT_AXIS);
}

/** The output position of position p of input `part` (0: the first, 1: the second). */
function placeOf(shapes: usize, axis: i32, a: i32, value: i32, out: i32, part: i32, p: i32): i32 {
  const s1 = spatialSizeOf(shapes, value, 1);
  const s2 = spatialSizeOf(shapes, value, 2);
  // The second input starts after the first along the axis.
  const x0 = p / (s1 * s2) + (part == 1 && axis == 0 ? spatialSizeOf(shapes, a, 0) : 0);
  const x1 = ((p / s2) % s1) + (part == 1 && axis == 1 ? spatialSizeOf(shapes, a, 1) : 0);
  const x2 = (p % s2) + (part == 1 && axis == 2 ? spatialSizeOf(shapes, a, 2) : 0);
  return (x0 * spatialSizeOf(shapes, out, 1) + x1) * spatialSizeOf(shapes, out, 2) + x2;
}

/** The first output channel of input `part`: the first input's channel count for the second along the channels. */
// @ts-ignore: decorator
@inline function channelOf(shapes: usize, axis: i32, a: i32, part: i32): i32 {
  return part == 1 && axis == -1 ? channelsOf(shapes, a) : 0;
}

export function forward(net: Net, t: i32, z: usize): void {
  const shapes = net.shapes;
  const axis = axisOf(net.attributes, t);
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const outChannels = channelsOf(shapes, out);
  const outSize = sizeOf(shapes, out);
  for (let part = 0; part < 2; part++) {
    const value = field(net.program, t, 1 + part);
    const h = load<usize>(net.values + ((<usize>value) << 2));
    const c = channelsOf(shapes, value);
    const positions = positionsOf(shapes, value);
    const first = channelOf(shapes, axis, a, part);
    for (let p = 0; p < positions; p++) {
      const place = placeOf(shapes, axis, a, value, out, part, p);
      for (let i = 0; i < net.n; i++) {
        memory.copy(rowAt(z, i, outSize) + ((<usize>(place * outChannels + first)) << 3), rowAt(h, i * positions + p, c), (<usize>c) << 3);
      }
    }
  }
}

export function backward(net: Net, t: i32, g: usize): void {
  const shapes = net.shapes;
  const axis = axisOf(net.attributes, t);
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const rows = net.n * net.m;
  const outChannels = channelsOf(shapes, out);
  const outSize = sizeOf(shapes, out);
  for (let part = 0; part < 2; part++) {
    const value = field(net.program, t, 1 + part);
    const c = channelsOf(shapes, value);
    const positions = positionsOf(shapes, value);
    const target = cotangentOf(net, value, (<usize>rows * <usize>sizeOf(shapes, value)) << 3);
    const first = channelOf(shapes, axis, a, part);
    for (let p = 0; p < positions; p++) {
      const place = placeOf(shapes, axis, a, value, out, part, p);
      for (let r = 0; r < rows; r++) {
        axpy(c, 1.0, rowAt(g, r, outSize) + ((<usize>(place * outChannels + first)) << 3), rowAt(target, r * positions + p, c));
      }
    }
  }
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

// On vectors only along the channels: each input's kernel weighed by its share of the output's channels.
export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return attribute(attributes, t, FAN_IN_CONCAT_FIRST_WEIGHT) * v + attribute(attributes, t, FAN_IN_CONCAT_SECOND_WEIGHT) * second;
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  return variance(attributes, t, dv, dSecond);
}

// Linear in Σ and Θ: its row pass on each direction's tangents.
export function rowTangent(row: Row, t: i32): void {
  for (let h = 0; h < row.directions; h++) rowPass(directionRow(row, h), t);
}

/** Σ ← wa·Σa + wb·Σb and Θ alike on `entries` entries, two at a time (the arrays hold an even count). */
function weighPairs(
  attributes: usize,
  t: i32,
  entries: i32,
  sigmaA: usize,
  thetaA: usize,
  sigmaB: usize,
  thetaB: usize,
  sigmaOut: usize,
  thetaOut: usize,
): void {
  const wa = f64x2.splat(attribute(attributes, t, FAN_IN_CONCAT_FIRST_WEIGHT));
  const wb = f64x2.splat(attribute(attributes, t, FAN_IN_CONCAT_SECOND_WEIGHT));
  for (let e = 0; e < entries; e += 2) {
    const at = (<usize>e) << 3;
    v128.store(sigmaOut + at, f64x2.add(f64x2.mul(wa, v128.load(sigmaA + at)), f64x2.mul(wb, v128.load(sigmaB + at))));
    v128.store(thetaOut + at, f64x2.add(f64x2.mul(wa, v128.load(thetaA + at)), f64x2.mul(wb, v128.load(thetaB + at))));
  }
}

export function row(row: Row, t: i32): void {
  rowPass(row, t);
}

function rowPass(row: Row, t: i32): void {
  const sigmaA = rowSigma(row, field(row.program, t, 1));
  const sigmaB = rowSigma(row, field(row.program, t, 2));
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  weighPairs(row.attributes, t, row.end, sigmaA, sigmaA + row.rowBytes, sigmaB, sigmaB + row.rowBytes, sigmaOut, sigmaOut + row.rowBytes);
}

/** Linear in the states, reading nothing the hyperparameters move: its own pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  for (let h = 0; h < pass.directions; h++) pair(directionPair(pass, h), t);
}

export function pair(pair: Pair, t: i32): void {
  const shapes = pair.shapes;
  const axis = axisOf(pair.attributes, t);
  const a = field(pair.program, t, 1);
  const out = field(pair.program, t, 3);
  const sigmaOut = pairSigma(pair, out);
  const thetaOut = sigmaOut + pair.stateBytes;
  if (axis == -1) {
    const sigmaA = pairSigma(pair, a);
    const sigmaB = pairSigma(pair, field(pair.program, t, 2));
    weighPairs(pair.attributes, t, stateSize(pair, out), sigmaA, sigmaA + pair.stateBytes, sigmaB, sigmaB + pair.stateBytes, sigmaOut, thetaOut);
    return;
  }
  // Each input's state is a diagonal block of the output's, the blocks between inputs zero; built in the work
  // state, as the output may take an input's storage.
  const outPositions = positionsOf(shapes, out);
  const full = isFull(pair, out);
  const bytes = (<usize>stateSize(pair, out)) << 3;
  const sigmaWork = pair.work;
  const thetaWork = pair.work + pair.stateBytes;
  memory.fill(sigmaWork, 0, bytes);
  memory.fill(thetaWork, 0, bytes);
  for (let part = 0; part < 2; part++) {
    const value = field(pair.program, t, 1 + part);
    const sigmaIn = pairSigma(pair, value);
    const thetaIn = sigmaIn + pair.stateBytes;
    const s = positionsOf(shapes, value);
    for (let p = 0; p < s; p++) {
      const placeP = placeOf(shapes, axis, a, value, out, part, p);
      const last = full ? s : p + 1;
      for (let q = full ? 0 : p; q < last; q++) {
        const from = (<usize>(full ? p * s + q : p)) << 3;
        const to = (<usize>(full ? placeP * outPositions + placeOf(shapes, axis, a, value, out, part, q) : placeP)) << 3;
        store<f64>(sigmaWork + to, load<f64>(sigmaIn + from));
        store<f64>(thetaWork + to, load<f64>(thetaIn + from));
      }
    }
  }
  memory.copy(sigmaOut, sigmaWork, bytes);
  memory.copy(thetaOut, thetaWork, bytes);
}
