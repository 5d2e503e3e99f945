// Dropout in 'train' mode (dropout): at finite width each entry kept with probability rate and divided by it, by the
// masks of the counter-based hash in src/ops/dropout.ts (the network's seed, the layer, the step, the example's row,
// the unit), so both backends and every thread split draw the same ones; at infinite width the kernel passes through,
// divided by rate where a pair is one input twice (its same-position entries) and in every variance.
import { scratch } from "../heap";
import { DROPOUT_RATE, DROPOUT_SEED } from "../generated/layout";
import { attribute, field, positionsOf, sizeOf } from "../net/program";
import { backward as multiplyBySlope } from "./activation";
import { Net, Pair, Row, adjointNet, copyRow, f64At, isFull, pairSigma, rowSigma, stateSize, tangentOf, directionRow, directionPair } from "./unit";

// MurmurHash3's 32-bit finalizer.
// @ts-ignore: decorator
@inline function mix(h: i32): i32 {
  h ^= h >>> 16;
  h *= <i32>0x85ebca6b;
  h ^= h >>> 13;
  h *= <i32>0xc2b2ae35;
  return h ^ (h >>> 16);
}

// The hash of h followed by v.
// @ts-ignore: decorator
@inline function combine(h: i32, v: i32): i32 {
  return mix((h ^ (v * <i32>0x9e3779b1)) + 0x7f4a7c15);
}

/** Entries kept with probability rate, divided by it; the scale (1/rate or 0) kept for the backward pass. */
export function forward(net: Net, t: i32, z: usize): void {
  const out = field(net.program, t, 3);
  const h = load<usize>(net.values + ((<usize>field(net.program, t, 1)) << 2));
  const size = sizeOf(net.shapes, out);
  const rate = attribute(net.attributes, t, DROPOUT_RATE);
  const seed = <i64>attribute(net.attributes, t, DROPOUT_SEED);
  const threshold = rate * 4294967296.0;
  const scale = 1.0 / rate;
  const kept = scratch((<usize>net.n * <usize>size) << 3);
  const seedKey = combine(mix(<i32>seed), <i32>(seed >> 32));
  for (let r = 0; r < net.n; r++) {
    const key = combine(combine(combine(seedKey, out), net.step), net.firstRow + r);
    for (let u = 0; u < size; u++) {
      const at = (<usize>(r * size + u)) << 3;
      const keep = <f64>(<u32>combine(key, u)) < threshold;
      store<f64>(z + at, keep ? load<f64>(h + at) / rate : 0.0);
      store<f64>(kept + at, keep ? scale : 0.0);
    }
  }
  store<usize>(net.kept + ((<usize>out) << 2), kept);
}

export function backward(net: Net, t: i32, g: usize): void {
  multiplyBySlope(net, t, g);
}

/** A symmetric Jacobian: the backward pass carries the input's tangent to the output's. */
export function tangent(net: Net, t: i32, z: usize): void {
  backward(adjointNet(net, t, z), t, tangentOf(net, field(net.program, t, 1)));
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  return v / attribute(attributes, t, DROPOUT_RATE);
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  return dv / attribute(attributes, t, DROPOUT_RATE);
}

// Linear in Σ and Θ: its row pass on each direction's tangents.
export function rowTangent(row: Row, t: i32): void {
  for (let h = 0; h < row.directions; h++) rowPass(directionRow(row, h), t);
}

// Σ and Θ as they are; when the columns are the rows' inputs (one table), the last entry of row i is input i with itself.
export function row(row: Row, t: i32): void {
  rowPass(row, t);
}

function rowPass(row: Row, t: i32): void {
  copyRow(row, t);
  if (row.columnTable != row.table1) return;
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  const rate = attribute(row.attributes, t, DROPOUT_RATE);
  const at = (<usize>row.i) << 3;
  store<f64>(sigmaOut + at, load<f64>(sigmaOut + at) / rate);
  store<f64>(sigmaOut + row.rowBytes + at, load<f64>(sigmaOut + row.rowBytes + at) / rate);
}

// Σ and Θ as they are; for one input with itself (one variance table, i = j), its same-position entries divided by rate.
/** Linear in the states, reading nothing the hyperparameters move: its own pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  for (let h = 0; h < pass.directions; h++) pair(directionPair(pass, h), t);
}

export function pair(pair: Pair, t: i32): void {
  const out = field(pair.program, t, 3);
  const sigmaA = pairSigma(pair, field(pair.program, t, 1));
  const sigmaOut = pairSigma(pair, out);
  const bytes = (<usize>stateSize(pair, out)) << 3;
  memory.copy(sigmaOut, sigmaA, bytes);
  memory.copy(sigmaOut + pair.stateBytes, sigmaA + pair.stateBytes, bytes);
  if (pair.qa != pair.qb || pair.i != pair.j) return;
  const rate = attribute(pair.attributes, t, DROPOUT_RATE);
  const positions = positionsOf(pair.shapes, out);
  // Full: entry p·S + p is position p with itself; diagonal: every entry.
  const step = isFull(pair, out) ? positions + 1 : 1;
  for (let p = 0; p < positions; p++) {
    const at = (<usize>(p * step)) << 3;
    store<f64>(sigmaOut + at, f64At(sigmaOut, p * step) / rate);
    store<f64>(sigmaOut + pair.stateBytes + at, f64At(sigmaOut + pair.stateBytes, p * step) / rate);
  }
}
