// An elementwise activation φ (activation): the finite passes apply φ and φ′ and the infinite-width passes its dual
// map, each dispatched by the activation's id to its unit (assembly/ops/activations/<name>.ts, through
// assembly/generated/activations.ts). The TypeScript twin is src/ops/activation.ts.
import { mark, release, scratch } from "../heap";
import { activateInto, dualRow, mapLanes, parameterPartialsOf, partialsOf } from "../generated/activations";
import { ACTIVATION_FIRST_PARAMETER, ACTIVATION_ID } from "../generated/layout";
import { attribute, attributeAt, field, positionsOf, sizeOf } from "../net/program";
import { PARAMETER_SLOTS, laneK, laneSlope, partialKc, partialKq1, partialKq2, partialSc, partialSq1, partialSq2 } from "./activations/common";
import {
  Net,
  Pair,
  Row,
  adjointNet,
  columnVarianceTangents,
  cotangentOf,
  directionAttributes,
  f64At,
  isFull,
  pairDirectionAttributes,
  pairSigma,
  pairTangentSigma,
  rowAt,
  rowSigma,
  tangentOf,
  tangentSigma,
  varianceAt,
  varianceTangentAt,
} from "./unit";

// Results of the map on one lane, returned through globals to keep the inner loops allocation-free.
let mappedK: f64 = 0.0;
let mappedSlope: f64 = 0.0;

// The map on one lane, so that diagonals and sweeps agree.
function mapOne(id: i32, p: usize, q1: f64, q2: f64, c: f64): void {
  mapLanes(id, p, f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(c));
  mappedK = f64x2.extract_lane(laneK, 0);
  mappedSlope = f64x2.extract_lane(laneSlope, 0);
}

// The id and the parameters of activation instruction t.
// @ts-ignore: decorator
@inline function idOf(attributes: usize, t: i32): i32 {
  return <i32>attribute(attributes, t, ACTIVATION_ID);
}

// @ts-ignore: decorator
@inline function parametersOf(attributes: usize, t: i32): usize {
  return attributeAt(attributes, t, ACTIVATION_FIRST_PARAMETER);
}

/** φ of the input, keeping φ′ at it for the backward pass. */
export function forward(net: Net, t: i32, z: usize): void {
  const id = idOf(net.attributes, t);
  const parameters = parametersOf(net.attributes, t);
  const h = load<usize>(net.values + ((<usize>field(net.program, t, 1)) << 2));
  const size = net.n * sizeOf(net.shapes, field(net.program, t, 3));
  const slope = scratch((<usize>size) << 3);
  activateInto(id, h, z, slope, size, parameters);
  store<usize>(net.kept + ((<usize>field(net.program, t, 3)) << 2), slope);
}

export function backward(net: Net, t: i32, g: usize): void {
  const out = field(net.program, t, 3);
  const size = sizeOf(net.shapes, out);
  const rows = net.n * net.m;
  const target = cotangentOf(net, field(net.program, t, 1), (<usize>rows * <usize>size) << 3);
  const slope = load<usize>(net.kept + ((<usize>out) << 2));
  for (let r = 0; r < rows; r++) {
    const gRow = rowAt(g, r, size);
    const tRow = rowAt(target, r, size);
    const sRow = rowAt(slope, r / net.m, size);
    for (let j = 0; j < size; j++) {
      const at = (<usize>j) << 3;
      store<f64>(tRow + at, load<f64>(tRow + at) + load<f64>(gRow + at) * load<f64>(sRow + at));
    }
  }
}

/** A symmetric Jacobian: the backward pass carries the input's tangent to the output's. */
export function tangent(net: Net, t: i32, z: usize): void {
  backward(adjointNet(net, t, z), t, tangentOf(net, field(net.program, t, 1)));
}

export function variance(attributes: usize, t: i32, v: f64, second: f64): f64 {
  mapOne(idOf(attributes, t), parametersOf(attributes, t), v, v, v);
  return mappedK;
}

// The tangent of parameter slot `slot` of instruction t along one direction (its attributes' tangents at dAttributes):
// what parameterPartialsOf's results multiply.
// @ts-ignore: decorator
@inline function parameterTangent(dAttributes: usize, t: i32, slot: i32): f64 {
  return attribute(dAttributes, t, ACTIVATION_FIRST_PARAMETER + slot);
}

export function varianceTangent(attributes: usize, dAttributes: usize, t: i32, v: f64, dv: f64, second: f64, dSecond: f64): f64 {
  const id = idOf(attributes, t);
  const parameters = parametersOf(attributes, t);
  mapOne(id, parameters, v, v, v);
  partialsOf(id, parameters, v, v, v, mappedK, mappedSlope);
  let dk = (partialKq1 + partialKq2 + partialKc) * dv;
  const saved = mark();
  const moved = scratch(PARAMETER_SLOTS << 2);
  const count = movedSlots(dAttributes, 0, 1, t, moved);
  if (count > 0) {
    const partials = scratch(PARAMETER_SLOTS << 4);
    parameterPartialsOf(id, parameters, v, v, v, mappedK, mappedSlope, partials);
    for (let m = 0; m < count; m++) {
      const slot = load<i32>(moved + ((<usize>m) << 2));
      dk += parameterTangent(dAttributes, t, slot) * load<f64>(partials + ((<usize>slot) << 4));
    }
  }
  release(saved);
  return dk;
}

// The parameter slots of activation instruction t that some direction moves (attributes' tangents `step` bytes apart),
// into `moved` (i32s); returns how many.
function movedSlots(dAttributes: usize, step: usize, directions: i32, t: i32, moved: usize): i32 {
  let count = 0;
  for (let slot = 0; slot < PARAMETER_SLOTS; slot++) {
    let moves = false;
    for (let h = 0; h < directions; h++) moves = moves || parameterTangent(dAttributes + <usize>h * step, t, slot) != 0.0;
    if (!moves) continue;
    store<i32>(moved + ((<usize>count) << 2), slot);
    count++;
  }
  return count;
}

// Σ′ = K(q1, q2, Σ), Θ′ = Θ·K̇ at one entry: the chain rule through the map's partials for every direction. The map and
// its partials at the entry are in the globals, its parameter partials for the `count` slots listed in `moved` in
// `partials`; direction h's tangents lie h steps after direction 0's: the attributes' (attributesStep bytes apart), the
// variances' at dq1 and dq2, the states' at dSigmaIn and dSigmaOut (Θ's thetaBytes after Σ's).
function entryTangents(
  t: i32,
  directions: i32,
  dAttributes: usize,
  attributesStep: usize,
  count: i32,
  moved: usize,
  partials: usize,
  theta: f64,
  dq1: usize,
  dq1Step: usize,
  dq2: usize,
  dq2Step: usize,
  dSigmaIn: usize,
  dSigmaOut: usize,
  stateStep: usize,
  thetaBytes: usize,
): void {
  const kq1 = partialKq1;
  const kq2 = partialKq2;
  const kc = partialKc;
  const sq1 = partialSq1;
  const sq2 = partialSq2;
  const sc = partialSc;
  for (let h = 0; h < directions; h++) {
    const dq1h = load<f64>(dq1 + <usize>h * dq1Step);
    const dq2h = load<f64>(dq2 + <usize>h * dq2Step);
    const sigmaIn = dSigmaIn + <usize>h * stateStep;
    const sigmaOut = dSigmaOut + <usize>h * stateStep;
    const dc = load<f64>(sigmaIn);
    let dSlope = sq1 * dq1h + sq2 * dq2h + sc * dc;
    let dk = kq1 * dq1h + kq2 * dq2h + kc * dc;
    for (let m = 0; m < count; m++) {
      const slot = load<i32>(moved + ((<usize>m) << 2));
      const d = parameterTangent(dAttributes + <usize>h * attributesStep, t, slot);
      const at = partials + ((<usize>slot) << 4);
      dk += d * load<f64>(at);
      dSlope += d * load<f64>(at, 8);
    }
    store<f64>(sigmaOut + thetaBytes, load<f64>(sigmaIn + thetaBytes) * mappedSlope + theta * dSlope);
    store<f64>(sigmaOut, dk);
  }
}

// The map and its partials at one entry, into the globals entryTangents reads (and `partials`, when parameters move).
function partialsAt(id: i32, parameters: usize, moved: bool, q1: f64, q2: f64, c: f64, partials: usize): void {
  mapOne(id, parameters, q1, q2, c);
  partialsOf(id, parameters, q1, q2, c, mappedK, mappedSlope);
  if (moved) parameterPartialsOf(id, parameters, q1, q2, c, mappedK, mappedSlope, partials);
}

export function rowTangent(row: Row, t: i32): void {
  const id = idOf(row.attributes, t);
  const parameters = parametersOf(row.attributes, t);
  const a = field(row.program, t, 1);
  const out = field(row.program, t, 3);
  const sigmaA = rowSigma(row, a);
  const thetaA = sigmaA + row.rowBytes;
  const q1 = load<f64>(row.table1 + ((<usize>a * <usize>row.n1 + <usize>row.i) << 3));
  const q2Row = row.columnTable + ((<usize>a * <usize>row.n2) << 3);
  const attributesStep = directionAttributes(row, 1) - directionAttributes(row, 0);
  const count = movedSlots(row.dAttributes, attributesStep, row.directions, t, row.movedSlots);
  // Direction h's tangents, h steps on from direction 0's.
  const dq1 = row.dTable1 + ((<usize>a * <usize>row.n1 + <usize>row.i) << 3);
  const dq2Row = columnVarianceTangents(row, a, 0);
  const dq1Step = (<usize>row.values * <usize>row.n1) << 3;
  const dq2Step = (<usize>row.values * <usize>row.n2) << 3;
  const dSigmaA = tangentSigma(row, a, 0);
  const dSigmaOut = tangentSigma(row, out, 0);
  const stateStep = 2 * <usize>row.slotCount * row.rowBytes;
  for (let j = 0; j < row.end; j++) {
    const at = (<usize>j) << 3;
    partialsAt(id, parameters, count > 0, q1, load<f64>(q2Row + at), load<f64>(sigmaA + at), row.parameterPartials);
    entryTangents(
      t,
      row.directions,
      row.dAttributes,
      attributesStep,
      count,
      row.movedSlots,
      row.parameterPartials,
      load<f64>(thetaA + at),
      dq1,
      dq1Step,
      dq2Row + at,
      dq2Step,
      dSigmaA + at,
      dSigmaOut + at,
      stateStep,
      row.rowBytes,
    );
  }
}

// The same on positions: q1 at the entry's first position, q2 at its second.
export function pairTangent(pass: Pair, t: i32): void {
  const id = idOf(pass.attributes, t);
  const parameters = parametersOf(pass.attributes, t);
  const a = field(pass.program, t, 1);
  const out = field(pass.program, t, 3);
  const sigmaA = pairSigma(pass, a);
  const thetaA = sigmaA + pass.stateBytes;
  const positions = positionsOf(pass.shapes, a);
  const q1 = varianceAt(pass, pass.qa, a, pass.i);
  const q2 = varianceAt(pass, pass.qb, a, pass.j);
  const attributesStep = pairDirectionAttributes(pass, 1) - pairDirectionAttributes(pass, 0);
  const count = movedSlots(pass.dAttributes, attributesStep, pass.directions, t, pass.movedSlots);
  const dq1 = varianceTangentAt(pass, pass.dqa, a, pass.i, 0);
  const dq2 = varianceTangentAt(pass, pass.dqb, a, pass.j, 0);
  const dqStep = (<usize>pass.qStride) << 3;
  const dSigmaA = pairTangentSigma(pass, a, 0);
  const dSigmaOut = pairTangentSigma(pass, out, 0);
  const stateStep = 2 * <usize>pass.slotCount * pass.stateBytes;
  // Full: row r pairs position r of x with every position of x′; diagonal: position c with itself.
  const rows = isFull(pass, out) ? positions : 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < positions; c++) {
      const at = (<usize>(r * positions + c)) << 3;
      const first = (<usize>(rows > 1 ? r : c)) << 3;
      const second = (<usize>c) << 3;
      partialsAt(id, parameters, count > 0, load<f64>(q1 + first), load<f64>(q2 + second), load<f64>(sigmaA + at), pass.parameterPartials);
      entryTangents(
        t,
        pass.directions,
        pass.dAttributes,
        attributesStep,
        count,
        pass.movedSlots,
        pass.parameterPartials,
        load<f64>(thetaA + at),
        dq1 + first,
        dqStep,
        dq2 + second,
        dqStep,
        dSigmaA + at,
        dSigmaOut + at,
        stateStep,
        pass.stateBytes,
      );
    }
  }
}

// Σ ← E[φ(u)φ(v)], Θ ← Θ·E[φ′(u)φ′(v)]; the lanes stop before the diagonal, which takes the one-lane path as the
// variances did.
export function row(row: Row, t: i32): void {
  const id = idOf(row.attributes, t);
  const parameters = parametersOf(row.attributes, t);
  const a = field(row.program, t, 1);
  const sigmaA = rowSigma(row, a);
  const thetaA = sigmaA + row.rowBytes;
  const sigmaOut = rowSigma(row, field(row.program, t, 3));
  const thetaOut = sigmaOut + row.rowBytes;
  const q1 = load<f64>(row.table1 + ((<usize>a * <usize>row.n1 + <usize>row.i) << 3));
  const q2Row = row.columnTable + ((<usize>a * <usize>row.n2) << 3);
  const laneEnd = row.laneEnd & ~1;
  const end = row.end;
  dualRow(id, parameters, f64x2.splat(q1), q2Row, sigmaA, thetaA, sigmaOut, thetaOut, laneEnd);
  let j = laneEnd;
  for (; j < end; j++) {
    const at = (<usize>j) << 3;
    mapOne(id, parameters, q1, load<f64>(q2Row + at), load<f64>(sigmaA + at));
    store<f64>(thetaOut + at, load<f64>(thetaA + at) * mappedSlope);
    store<f64>(sigmaOut + at, mappedK);
  }
}

// The dual maps on every entry, with q1 at the entry's first position and q2 at its second.
export function pair(pair: Pair, t: i32): void {
  const id = idOf(pair.attributes, t);
  const parameters = parametersOf(pair.attributes, t);
  const a = field(pair.program, t, 1);
  const out = field(pair.program, t, 3);
  const sigmaA = pairSigma(pair, a);
  const thetaA = sigmaA + pair.stateBytes;
  const sigmaOut = pairSigma(pair, out);
  const thetaOut = sigmaOut + pair.stateBytes;
  const positions = positionsOf(pair.shapes, a);
  const q1 = varianceAt(pair, pair.qa, a, pair.i);
  const q2 = varianceAt(pair, pair.qb, a, pair.j);
  const rows = isFull(pair, out) ? positions : 1;
  const columns = positions;
  for (let r = 0; r < rows; r++) {
    const base = (<usize>(r * columns)) << 3;
    let c = 0;
    // Full: row r pairs position r of x with every position of x′; diagonal: position c with itself.
    for (; c + 2 <= columns; c += 2) {
      const at = base + ((<usize>c) << 3);
      const q1Lanes = rows > 1 ? f64x2.splat(f64At(q1, r)) : v128.load(q1 + ((<usize>c) << 3));
      mapLanes(id, parameters, q1Lanes, v128.load(q2 + ((<usize>c) << 3)), v128.load(sigmaA + at));
      v128.store(thetaOut + at, f64x2.mul(v128.load(thetaA + at), laneSlope));
      v128.store(sigmaOut + at, laneK);
    }
    for (; c < columns; c++) {
      const at = base + ((<usize>c) << 3);
      mapOne(id, parameters, rows > 1 ? f64At(q1, r) : f64At(q1, c), f64At(q2, c), load<f64>(sigmaA + at));
      store<f64>(thetaOut + at, load<f64>(thetaA + at) * mappedSlope);
      store<f64>(sigmaOut + at, mappedK);
    }
  }
}
