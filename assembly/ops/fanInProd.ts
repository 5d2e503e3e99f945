// The product of two branches (fanInProd); the TypeScript twin is src/ops/fanInProd.ts.
import { scratch } from "../heap";
import { field, sizeOf } from "../net/program";
import { Net, Pair, Row, cotangentOf, pairSigma, pairTangentSigma, rowAt, rowSigma, stateSize, tangentOf, tangentSigma } from "./unit";

// z = a·b entry by entry, keeping a then b for the backward pass.
export function forward(net: Net, t: i32, z: usize): void {
  const size = net.n * sizeOf(net.shapes, field(net.program, t, 3));
  const bytes = (<usize>size) << 3;
  const a = load<usize>(net.values + ((<usize>field(net.program, t, 1)) << 2));
  const b = load<usize>(net.values + ((<usize>field(net.program, t, 2)) << 2));
  const factors = scratch(2 * bytes);
  memory.copy(factors, a, bytes);
  memory.copy(factors + bytes, b, bytes);
  let e = 0;
  for (; e + 2 <= size; e += 2) {
    const at = (<usize>e) << 3;
    v128.store(z + at, f64x2.mul(v128.load(a + at), v128.load(b + at)));
  }
  for (; e < size; e++) {
    const at = (<usize>e) << 3;
    store<f64>(z + at, load<f64>(a + at) * load<f64>(b + at));
  }
  store<usize>(net.kept + ((<usize>field(net.program, t, 3)) << 2), factors);
}

// The cotangent of a is g·b, of b g·a (row r belongs to example r / m).
export function backward(net: Net, t: i32, g: usize): void {
  const out = field(net.program, t, 3);
  const size = sizeOf(net.shapes, out);
  const rows = net.n * net.m;
  const bytes = (<usize>rows * <usize>size) << 3;
  const targetA = cotangentOf(net, field(net.program, t, 1), bytes);
  const targetB = cotangentOf(net, field(net.program, t, 2), bytes);
  const factors = load<usize>(net.kept + ((<usize>out) << 2));
  const second = factors + ((<usize>net.n * <usize>size) << 3);
  for (let r = 0; r < rows; r++) {
    const gRow = rowAt(g, r, size);
    const aRow = rowAt(targetA, r, size);
    const bRow = rowAt(targetB, r, size);
    const firstFactor = rowAt(factors, r / net.m, size);
    const secondFactor = rowAt(second, r / net.m, size);
    for (let j = 0; j < size; j++) {
      const at = (<usize>j) << 3;
      const gj = load<f64>(gRow + at);
      store<f64>(aRow + at, load<f64>(aRow + at) + gj * load<f64>(secondFactor + at));
      store<f64>(bRow + at, load<f64>(bRow + at) + gj * load<f64>(firstFactor + at));
    }
  }
}

// The product rule: t_a·b + a·t_b, each factor on the rows of its example (row r belongs to example r / m).
export function tangent(net: Net, t: i32, z: usize): void {
  const out = field(net.program, t, 3);
  const size = sizeOf(net.shapes, out);
  const rows = net.n * net.m;
  const tangentA = tangentOf(net, field(net.program, t, 1));
  const tangentB = tangentOf(net, field(net.program, t, 2));
  const factors = load<usize>(net.kept + ((<usize>out) << 2));
  const second = factors + ((<usize>net.n * <usize>size) << 3);
  for (let r = 0; r < rows; r++) {
    const aRow = rowAt(tangentA, r, size);
    const bRow = rowAt(tangentB, r, size);
    const zRow = rowAt(z, r, size);
    const firstFactor = rowAt(factors, r / net.m, size);
    const secondFactor = rowAt(second, r / net.m, size);
    for (let j = 0; j < size; j++) {
      const at = (<usize>j) << 3;
      store<f64>(zRow + at, load<f64>(aRow + at) * load<f64>(secondFactor + at) + load<f64>(firstFactor + at) * load<f64>(bRow + at));
    }
  }
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return v * second;
}

/** Θ ← Θa·Σb + Σa·Θb, Σ ← Σa·Σb on two entries at a time (the rows are padded to an even length). */
function multiplyPairs(entries: i32, sigmaA: usize, thetaA: usize, sigmaB: usize, thetaB: usize, sigmaOut: usize, thetaOut: usize): void {
  for (let e = 0; e < entries; e += 2) {
    const at = (<usize>e) << 3;
    const sA = v128.load(sigmaA + at);
    const sB = v128.load(sigmaB + at);
    const theta = f64x2.add(f64x2.mul(v128.load(thetaA + at), sB), f64x2.mul(sA, v128.load(thetaB + at)));
    v128.store(thetaOut + at, theta);
    v128.store(sigmaOut + at, f64x2.mul(sA, sB));
  }
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  return dv * second + v * dSecond;
}

// The product rule on Σ = Σa·Σb and Θ = Θa·Σb + Σa·Θb.
// The product rule on Σ′ = Σa·Σb and Θ′ = Θa·Σb + Σa·Θb, `entries` entries (a whole number of vectors) of one
// direction's tangents (Θ thetaBytes after Σ).
function productTangent(entries: i32, sigmaA: usize, sigmaB: usize, dSigmaA: usize, dSigmaB: usize, dSigmaOut: usize, thetaBytes: usize): void {
  for (let e = 0; e < entries; e += 2) {
    const at = (<usize>e) << 3;
    const sA = v128.load(sigmaA + at);
    const sB = v128.load(sigmaB + at);
    const dsA = v128.load(dSigmaA + at);
    const dsB = v128.load(dSigmaB + at);
    const dTheta = f64x2.add(
      f64x2.add(f64x2.mul(v128.load(dSigmaA + thetaBytes + at), sB), f64x2.mul(v128.load(sigmaA + thetaBytes + at), dsB)),
      f64x2.add(f64x2.mul(dsA, v128.load(sigmaB + thetaBytes + at)), f64x2.mul(sA, v128.load(dSigmaB + thetaBytes + at))),
    );
    v128.store(dSigmaOut + thetaBytes + at, dTheta);
    v128.store(dSigmaOut + at, f64x2.add(f64x2.mul(dsA, sB), f64x2.mul(sA, dsB)));
  }
}

export function rowTangent(row: Row, t: i32): void {
  const a = field(row.program, t, 1);
  const b = field(row.program, t, 2);
  const out = field(row.program, t, 3);
  for (let h = 0; h < row.directions; h++) {
    productTangent(row.end, rowSigma(row, a), rowSigma(row, b), tangentSigma(row, a, h), tangentSigma(row, b, h), tangentSigma(row, out, h), row.rowBytes);
  }
}

export function pairTangent(pass: Pair, t: i32): void {
  const a = field(pass.program, t, 1);
  const b = field(pass.program, t, 2);
  const out = field(pass.program, t, 3);
  const entries = stateSize(pass, out);
  for (let h = 0; h < pass.directions; h++) {
    productTangent(
      entries,
      pairSigma(pass, a),
      pairSigma(pass, b),
      pairTangentSigma(pass, a, h),
      pairTangentSigma(pass, b, h),
      pairTangentSigma(pass, out, h),
      pass.stateBytes,
    );
  }
}

export function row(row: Row, t: i32): void {
  const sigmaA = rowSigma(row, field(row.program, t, 1));
  const sigmaB = rowSigma(row, field(row.program, t, 2));
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  multiplyPairs(row.end, sigmaA, sigmaA + row.rowBytes, sigmaB, sigmaB + row.rowBytes, sigmaOut, sigmaOut + row.rowBytes);
}

export function pair(pair: Pair, t: i32): void {
  const sigmaA = pairSigma(pair, field(pair.program, t, 1));
  const sigmaB = pairSigma(pair, field(pair.program, t, 2));
  const out = field(pair.program, t, 3);
  const sigmaOut = pairSigma(pair, out);
  multiplyPairs(stateSize(pair, out), sigmaA, sigmaA + pair.stateBytes, sigmaB, sigmaB + pair.stateBytes, sigmaOut, sigmaOut + pair.stateBytes);
}
