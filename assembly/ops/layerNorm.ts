// Layer normalization (layerNorm); the TypeScript twin is src/ops/layerNorm.ts.
import { LAYER_NORM_ALL_AXES, LAYER_NORM_EPS } from "../generated/layout";
import { attribute, field, positionsOf, sizeOf } from "../net/program";
import {
  Net,
  Pair,
  Row,
  adjointNet,
  cotangentOf,
  f64At,
  isFull,
  pairSigma,
  rowAt,
  rowSigma,
  stateSize,
  tangentOf,
  varianceAt,
  columnVarianceTangents,
  entrySum,
  pairTangentSigma,
  rowVarianceTangent,
  tangentSigma,
  varianceTangentAt,
} from "./unit";
import { scratch } from "../heap";

/** A layerNorm's groups per example: 1 over all axes, else one per position. */
// @ts-ignore: decorator
@inline function normGroups(attributes: usize, shapes: usize, t: i32, a: i32): i32 {
  return attribute(attributes, t, LAYER_NORM_ALL_AXES) != 0.0 ? 1 : positionsOf(shapes, a);
}

/** layerNorm divides Σ and Θ by √(eps + q1)·√(eps + q2); the variances by the same expression at q1 = q2. */
// @ts-ignore: decorator
@inline function normScale(eps: f64, q1: f64, q2: f64): f64 {
  return 1.0 / (Math.sqrt(eps + q1) * Math.sqrt(eps + q2));
}

export function forward(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const h = load<usize>(net.values + ((<usize>a) << 2));
  const size = net.n * sizeOf(net.shapes, a);
  const eps = attribute(net.attributes, t, LAYER_NORM_EPS);
  const groups = net.n * normGroups(net.attributes, net.shapes, t, a);
  const width = size / groups;
  const inverse = scratch((<usize>groups) << 3);
  for (let i = 0; i < groups; i++) {
    const row = rowAt(h, i, width);
    let mean = 0.0;
    for (let j = 0; j < width; j++) mean += f64At(row, j);
    mean /= <f64>width;
    let variance = 0.0;
    for (let j = 0; j < width; j++) variance += (f64At(row, j) - mean) * (f64At(row, j) - mean);
    const scale = 1.0 / Math.sqrt(eps + variance / <f64>width);
    store<f64>(inverse + ((<usize>i) << 3), scale);
    for (let j = 0; j < width; j++) store<f64>(z + ((<usize>i * <usize>width + <usize>j) << 3), (f64At(row, j) - mean) * scale);
  }
  store<usize>(net.kept + ((<usize>field(net.program, t, 3)) << 2), inverse);
}

// y = (h − mean)/σ per group: ∂h = (g − mean(g) − y·mean(g ⊙ y))/σ.
export function backward(net: Net, t: i32, g: usize): void {
  const a = field(net.program, t, 1);
  const out = field(net.program, t, 3);
  const rows = net.n * net.m;
  const outSize = sizeOf(net.shapes, out);
  const target = cotangentOf(net, a, (<usize>rows * <usize>sizeOf(net.shapes, a)) << 3);
  const y = load<usize>(net.values + ((<usize>out) << 2));
  const inverse = load<usize>(net.kept + ((<usize>out) << 2));
  const groups = normGroups(net.attributes, net.shapes, t, a);
  const width = outSize / groups;
  for (let r = 0; r < rows; r++) {
    const i = r / net.m;
    for (let q = 0; q < groups; q++) {
      const gRow = rowAt(g, r * groups + q, width);
      const tRow = rowAt(target, r * groups + q, width);
      const yRow = rowAt(y, i * groups + q, width);
      let meanG = 0.0;
      let meanGy = 0.0;
      for (let j = 0; j < width; j++) {
        meanG += f64At(gRow, j);
        meanGy += f64At(gRow, j) * f64At(yRow, j);
      }
      meanG /= <f64>width;
      meanGy /= <f64>width;
      const scale = f64At(inverse, i * groups + q);
      for (let j = 0; j < width; j++) {
        const at = (<usize>j) << 3;
        store<f64>(tRow + at, load<f64>(tRow + at) + scale * (load<f64>(gRow + at) - meanG - load<f64>(yRow + at) * meanGy));
      }
    }
  }
}

/** A symmetric Jacobian: the backward pass carries the input's tangent to the output's. */
export function tangent(net: Net, t: i32, z: usize): void {
  backward(adjointNet(net, t, z), t, tangentOf(net, field(net.program, t, 1)));
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return v * normScale(attribute(attributes, t, LAYER_NORM_EPS), v, v);
}

// d(q/(eps + q)) = eps·dq/(eps + q)².
export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  const eps = attribute(attributes, t, LAYER_NORM_EPS);
  return (eps * dv) / ((eps + v) * (eps + v));
}

// Σ′ = Σ·s with s = 1/√((eps + q1)(eps + q2)): ds = −s·(dq1/(eps + q1) + dq2/(eps + q2))/2.
// Σ′ = Σ·s with s = 1/√((eps + q1)(eps + q2)) at one entry (`at` in every state; Θ thetaBytes after Σ), for one
// direction: ds = −s·(dq1/(eps + q1) + dq2/(eps + q2))/2.
// @ts-ignore: decorator
@inline function normTangent(
  eps: f64,
  q1: f64,
  q2: f64,
  dq1: f64,
  dq2: f64,
  sigmaA: usize,
  dSigmaA: usize,
  dSigmaOut: usize,
  thetaBytes: usize,
  at: usize,
): void {
  const scale = normScale(eps, q1, q2);
  const dScale = -0.5 * scale * (dq1 / (eps + q1) + dq2 / (eps + q2));
  store<f64>(dSigmaOut + at, load<f64>(dSigmaA + at) * scale + load<f64>(sigmaA + at) * dScale);
  store<f64>(dSigmaOut + thetaBytes + at, load<f64>(dSigmaA + thetaBytes + at) * scale + load<f64>(sigmaA + thetaBytes + at) * dScale);
}

export function rowTangent(row: Row, t: i32): void {
  const a = field(row.program, t, 1);
  const out = field(row.program, t, 3);
  const eps = attribute(row.attributes, t, LAYER_NORM_EPS);
  const sigmaA = rowSigma(row, a);
  const q1 = load<f64>(row.table1 + ((<usize>a * <usize>row.n1 + <usize>row.i) << 3));
  const q2Row = row.columnTable + ((<usize>a * <usize>row.n2) << 3);
  for (let h = 0; h < row.directions; h++) {
    const dq1 = rowVarianceTangent(row, a, h);
    const dq2Row = columnVarianceTangents(row, a, h);
    for (let j = 0; j < row.end; j++) {
      const at = (<usize>j) << 3;
      normTangent(eps, q1, load<f64>(q2Row + at), dq1, load<f64>(dq2Row + at), sigmaA, tangentSigma(row, a, h), tangentSigma(row, out, h), row.rowBytes, at);
    }
  }
}

// On positions: the variances at the entry's two positions, or over all axes their means over the positions.
export function pairTangent(pass: Pair, t: i32): void {
  const a = field(pass.program, t, 1);
  const out = field(pass.program, t, 3);
  const eps = attribute(pass.attributes, t, LAYER_NORM_EPS);
  const all = attribute(pass.attributes, t, LAYER_NORM_ALL_AXES) != 0.0;
  const positions = positionsOf(pass.shapes, a);
  const outFull = isFull(pass, out);
  const q1 = varianceAt(pass, pass.qa, a, pass.i);
  const q2 = varianceAt(pass, pass.qb, a, pass.j);
  const mean1 = all ? meanVariance(pass, pass.qa, a, pass.i) : 0.0;
  const mean2 = all ? meanVariance(pass, pass.qb, a, pass.j) : 0.0;
  const sigmaA = pairSigma(pass, a);
  const size = stateSize(pass, out);
  for (let h = 0; h < pass.directions; h++) {
    const dq1 = varianceTangentAt(pass, pass.dqa, a, pass.i, h);
    const dq2 = varianceTangentAt(pass, pass.dqb, a, pass.j, h);
    // The tangents' mean, as meanVariance takes the variances'.
    const dMean1 = all ? entrySum(dq1, positions, 1) / <f64>positions : 0.0;
    const dMean2 = all ? entrySum(dq2, positions, 1) / <f64>positions : 0.0;
    const dSigmaA = pairTangentSigma(pass, a, h);
    const dSigmaOut = pairTangentSigma(pass, out, h);
    for (let e = 0; e < size; e++) {
      const row = outFull ? e / positions : e;
      const column = outFull ? e % positions : e;
      const first = all ? mean1 : f64At(q1, row);
      const second = all ? mean2 : f64At(q2, column);
      const dFirst = all ? dMean1 : f64At(dq1, row);
      const dSecond = all ? dMean2 : f64At(dq2, column);
      normTangent(eps, first, second, dFirst, dSecond, sigmaA, dSigmaA, dSigmaOut, pass.stateBytes, (<usize>e) << 3);
    }
  }
}

export function row(row: Row, t: i32): void {
  const a = field(row.program, t, 1);
  const eps = attribute(row.attributes, t, LAYER_NORM_EPS);
  const sigmaA = rowSigma(row, a);
  const thetaA = sigmaA + row.rowBytes;
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  const thetaOut = sigmaOut + row.rowBytes;
  const q1 = load<f64>(row.table1 + ((<usize>a * <usize>row.n1 + <usize>row.i) << 3));
  const q2Row = row.columnTable + ((<usize>a * <usize>row.n2) << 3);
  const end = row.end;
  for (let j = 0; j < end; j++) {
    const at = (<usize>j) << 3;
    const scale = normScale(eps, q1, load<f64>(q2Row + at));
    store<f64>(sigmaOut + at, load<f64>(sigmaA + at) * scale);
    store<f64>(thetaOut + at, load<f64>(thetaA + at) * scale);
  }
}

/** The mean over positions of value v's variances for example i (layerNorm over all axes). */
function meanVariance(pair: Pair, q: usize, v: i32, i: i32): f64 {
  const s = positionsOf(pair.shapes, v);
  return entrySum(varianceAt(pair, q, v, i), s, 1) / <f64>s;
}

export function pair(pair: Pair, t: i32): void {
  const a = field(pair.program, t, 1);
  const out = field(pair.program, t, 3);
  const eps = attribute(pair.attributes, t, LAYER_NORM_EPS);
  const all = attribute(pair.attributes, t, LAYER_NORM_ALL_AXES) != 0.0;
  const mean1 = all ? meanVariance(pair, pair.qa, a, pair.i) : 0.0;
  const mean2 = all ? meanVariance(pair, pair.qb, a, pair.j) : 0.0;
  const positions = positionsOf(pair.shapes, a);
  const outFull = isFull(pair, out);
  const q1 = varianceAt(pair, pair.qa, a, pair.i);
  const q2 = varianceAt(pair, pair.qb, a, pair.j);
  const sigmaA = pairSigma(pair, a);
  const thetaA = sigmaA + pair.stateBytes;
  const sigmaOut = pairSigma(pair, out);
  const thetaOut = sigmaOut + pair.stateBytes;
  const size = stateSize(pair, out);
  for (let e = 0; e < size; e++) {
    const at = (<usize>e) << 3;
    const row = outFull ? e / positions : e;
    const column = outFull ? e % positions : e;
    const scale = normScale(eps, all ? mean1 : f64At(q1, row), all ? mean2 : f64At(q2, column));
    store<f64>(sigmaOut + at, load<f64>(sigmaA + at) * scale);
    store<f64>(thetaOut + at, load<f64>(thetaA + at) * scale);
  }
}
