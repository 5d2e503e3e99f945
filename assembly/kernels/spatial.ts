// Infinite-width NNGP and NTK of a model on spatial inputs (sequences, images), one pair of examples at a
// time, by neural-tangents' layer rules on the covariance of every pair of positions (or of the same
// positions only, where the program's fullSpatial flag allows); the reference is src/backend/ts/kernels/spatial.ts.
//   conv:        U(M)[p, p′] = (1/T)·Σ_t M[src(p, t), src(p′, t)], then the dense rules on U(Σ), U(Θ)
//   avgPool:     Σ ← BΣBᵀ (B the window mean);  globalAvgPool: the mean of all entries
//   flatten:     the mean of the same-position entries;  the rest entry by entry, as for vectors
// Each op's rules on positions are its own (assembly/ops/<op>.ts: `pair`), reached through the generated dispatch
// by opcode; this file names no op.
// Memory: each input's variances (n × Σ_v S_v doubles, pass 1) and, per thread, one Σ and Θ per storage slot
// (S² doubles when full) — never n²·S².
import { scratch } from "../heap";
import { dot } from "../linalg/vector";
import { pairOp, pairTangentOp, preparePairOp } from "../generated/ops";
import { useMixture } from "../ops/activations/common";
import { Pair, f64At, isFull, pairSigma, pairTangentSigma, parameterPartialsScratch, varianceAt, varianceTangentAt } from "../ops/unit";
import { channelsOf, field, positionsOf, rowWidthOf, sizeOf } from "../net/program";

/** The record of the running call: the program and its per-thread storage. */
function begin(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  full: usize,
  slots: usize,
  slotCount: i32,
  largest: i32,
  largestOpWork: i32,
  offsets: usize,
  stride: i32,
  scales: usize,
  weights: usize,
  ruleSize: i32,
  dAttributes: usize,
  directions: i32,
): Pair {
  useMixture(scales, weights, ruleSize);
  const pair = changetype<Pair>(scratch(offsetof<Pair>()));
  pair.program = program;
  pair.attributes = attributes;
  pair.count = count;
  pair.shapes = shapes;
  pair.output = output;
  pair.full = full;
  pair.slots = slots;
  pair.qOffsets = offsets;
  pair.qStride = stride;
  // An even number of doubles per state, so whole vectors may run one entry past its end.
  pair.stateBytes = (<usize>((largest + 1) & ~1)) << 3;
  pair.states = scratch(2 * <usize>slotCount * pair.stateBytes);
  pair.work = scratch(2 * pair.stateBytes);
  pair.between = scratch(2 * pair.stateBytes);
  pair.windowed = -1;
  pair.opWork = scratch((<usize>max(largestOpWork, 1)) << 3);
  pair.taps = scratch((<usize>count) << 2);
  for (let t = 0; t < count; t++) store<usize>(pair.taps + ((<usize>t) << 2), preparePairOp(field(program, t, 0), pair, t));
  // Forward mode along hyperparameters: a tangent state per slot and direction, and a Pair per direction.
  pair.directions = directions;
  pair.slotCount = slotCount;
  pair.dAttributes = dAttributes;
  if (directions > 0) {
    pair.tangents = scratch(<usize>directions * 2 * <usize>slotCount * pair.stateBytes);
    pair.directionPairs = scratch(<usize>directions * offsetof<Pair>());
    pair.tangentWork = scratch(2 * pair.stateBytes);
    pair.parameterPartials = parameterPartialsScratch();
    pair.movedSlots = parameterPartialsScratch();
  }
  return pair;
}

/** Pass 1: the same-position entries of value v's Σ become example i's variances, and its tangents' theirs (in dq). */
function recordVariances(pair: Pair, q: usize, dq: usize, v: i32, i: i32): void {
  const s = positionsOf(pair.shapes, v);
  const stride = isFull(pair, v) ? s + 1 : 1;
  for (let h = -1; h < pair.directions; h++) {
    const row = h < 0 ? varianceAt(pair, q, v, i) : varianceTangentAt(pair, dq, v, i, h);
    const sigma = h < 0 ? pairSigma(pair, v) : pairTangentSigma(pair, v, h);
    for (let p = 0; p < s; p++) store<f64>(row + ((<usize>p) << 3), f64At(sigma, p * stride));
  }
}

/**
 * Runs the program on the pair (row i of xa, row j of xb) with the variance tables qa, qb and their tangents' dqa,
 * dqb; with `record` (pass 1: xa = xb, i = j, qa = qb), writes every value's same-position entries into qa and dqa as
 * it goes. Returns the output's Σ (Θ right after).
 */
function runPair(pair: Pair, xa: usize, i: i32, xb: usize, j: i32, qa: usize, qb: usize, dqa: usize, dqb: usize, record: bool): usize {
  const shapes = pair.shapes;
  const channels = channelsOf(shapes, 0);
  const inputSize = <usize>sizeOf(shapes, 0);
  // A row of the inputs: the input's entries, then the example's side.
  const rowWidth = <usize>rowWidthOf(shapes, pair.count);
  const s0 = positionsOf(shapes, 0);
  const inputFull = isFull(pair, 0);
  const sigma0 = pairSigma(pair, 0);
  const theta0 = sigma0 + pair.stateBytes;
  const rowA = xa + ((<usize>i * rowWidth) << 3);
  const rowB = xb + ((<usize>j * rowWidth) << 3);
  pair.sideA = rowA + (inputSize << 3);
  pair.sideB = rowB + (inputSize << 3);
  for (let p = 0; p < s0; p++) {
    const a = rowA + ((<usize>(p * channels)) << 3);
    const first = inputFull ? 0 : p;
    const last = inputFull ? s0 : p + 1;
    for (let p2 = first; p2 < last; p2++) {
      const at = (<usize>(inputFull ? p * s0 + p2 : p)) << 3;
      store<f64>(sigma0 + at, dot(a, rowB + ((<usize>(p2 * channels)) << 3), channels) / <f64>channels);
      store<f64>(theta0 + at, 0.0);
    }
  }
  pair.i = i;
  pair.j = j;
  pair.recording = record;
  pair.qa = qa;
  pair.qb = qb;
  pair.dqa = dqa;
  pair.dqb = dqb;
  // No hyperparameter moves the inputs.
  for (let h = 0; h < pair.directions; h++) memory.fill(pairTangentSigma(pair, 0, h), 0, 2 * pair.stateBytes);
  if (record) recordVariances(pair, qa, dqa, 0, i);
  for (let t = 0; t < pair.count; t++) {
    const op = field(pair.program, t, 0);
    // The tangents first: they read the inputs' states, which the op's own rule may overwrite.
    if (pair.directions > 0) pairTangentOp(op, pair, t);
    pairOp(op, pair, t);
    if (record) recordVariances(pair, qa, dqa, field(pair.program, t, 3), i);
  }
  return pairSigma(pair, pair.output);
}

/**
 * Pass 1 for examples [r0, r1) of x: every value's variances into table (n × qStride doubles; value v of
 * example i at i·qStride + qOffsets[v]). largest: the largest per-pair state in doubles; largestOpWork: the
 * most scratch an op's pair pass works in (avgPool: input × output positions), in doubles.
 */
export function spatialVariances(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  full: usize,
  slots: usize,
  slotCount: i32,
  largest: i32,
  largestOpWork: i32,
  offsets: usize,
  stride: i32,
  scales: usize,
  weights: usize,
  ruleSize: i32,
  x: usize,
  table: usize,
  r0: i32,
  r1: i32,
  dAttributes: usize,
  directions: i32,
  dTable: usize,
): void {
  const pair = begin(
    program,
    attributes,
    count,
    shapes,
    output,
    full,
    slots,
    slotCount,
    largest,
    largestOpWork,
    offsets,
    stride,
    scales,
    weights,
    ruleSize,
    dAttributes,
    directions,
  );
  for (let i = r0; i < r1; i++) runPair(pair, x, i, x, i, table, table, dTable, dTable, true);
}

/**
 * Pass 2: rows [r0, r1) of the NNGP and NTK (n1 × n2; x2 = 0 means x1 with itself: the lower triangle, then
 * mirrored), from the variance tables of pass 1. rowFinite[i]: 0 when row i of both results is finite.
 */
export function spatialRows(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  full: usize,
  slots: usize,
  slotCount: i32,
  largest: i32,
  largestOpWork: i32,
  offsets: usize,
  stride: i32,
  scales: usize,
  weights: usize,
  ruleSize: i32,
  x1: usize,
  n1: i32,
  x2: usize,
  n2: i32,
  table1: usize,
  table2: usize,
  nngp: usize,
  ntk: usize,
  r0: i32,
  r1: i32,
  rowFinite: usize,
  dAttributes: usize,
  directions: i32,
  dTable1: usize,
  dTable2: usize,
  dNngp: usize,
  dNtk: usize,
): void {
  const pair = begin(
    program,
    attributes,
    count,
    shapes,
    output,
    full,
    slots,
    slotCount,
    largest,
    largestOpWork,
    offsets,
    stride,
    scales,
    weights,
    ruleSize,
    dAttributes,
    directions,
  );
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  const secondTable = symmetric ? table1 : table2;
  const secondTangents = symmetric ? dTable1 : dTable2;
  const block = (<usize>n1 * <usize>n2) << 3;
  for (let i = r0; i < r1; i++) {
    const end = symmetric ? i + 1 : n2;
    let finite = 0.0;
    for (let j = 0; j < end; j++) {
      const at = (<usize>i * <usize>n2 + <usize>j) << 3;
      const mirrored = (<usize>j * <usize>n2 + <usize>i) << 3;
      const result = runPair(pair, x1, i, second, j, table1, secondTable, dTable1, secondTangents, false);
      finite += storeEntry(result, pair.stateBytes, nngp, ntk, at, mirrored, symmetric);
      for (let h = 0; h < directions; h++) {
        const offset = <usize>h * block;
        finite += storeEntry(pairTangentSigma(pair, output, h), pair.stateBytes, dNngp + offset, dNtk + offset, at, mirrored, symmetric);
      }
    }
    store<f64>(rowFinite + ((<usize>i) << 3), finite);
  }
}

/**
 * Entry `at` of both results (and `mirrored` when symmetric) from an output state's Σ (Θ thetaBytes after); returns
 * x − x summed over both: 0 when finite, NaN otherwise.
 */
function storeEntry(state: usize, thetaBytes: usize, nngp: usize, ntk: usize, at: usize, mirrored: usize, symmetric: bool): f64 {
  const sigma = load<f64>(state);
  const theta = load<f64>(state + thetaBytes);
  store<f64>(nngp + at, sigma);
  store<f64>(ntk + at, theta);
  if (symmetric) {
    store<f64>(nngp + mirrored, sigma);
    store<f64>(ntk + mirrored, theta);
  }
  return sigma - sigma + (theta - theta);
}
