// Infinite-width NNGP and NTK of a model on spatial inputs (sequences, images), one pair of examples at a
// time, by neural-tangents' layer rules on the covariance of every pair of positions (or of the same
// positions only, where the program's fullSpatial flag allows); the reference is src/backend/ts/spatial.ts.
//   conv:        U(M)[p, p′] = (1/T)·Σ_t M[src(p, t), src(p′, t)], then the dense rules on U(Σ), U(Θ)
//   avgPool:     Σ ← BΣBᵀ (B the window mean);  globalAvgPool: the mean of all entries
//   flatten:     the mean of the same-position entries;  the rest entry by entry, as for vectors
// Memory: each input's variances (n × Σ_v S_v doubles, pass 1) and, per thread, one Σ and Θ per storage slot
// (S² doubles when full) — never n²·S².
import { scratch } from "../heap";
import { dot } from "../linalg/vector";
import { ACTIVATION_FIRST_PARAMETER, OP_ACTIVATION, OP_AVG_POOL, OP_DENSE, OP_FLATTEN, OP_GLOBAL_AVG_POOL, OP_LAYER_NORM, OP_SUM } from "../generated/layout";
import { attribute, attributeAt, channelsOf, field, heightOf, positionsOf, sizeOf, spatialWidthOf } from "../net/program";
import {
  decodeWindow, isPointwise, sourceAt, sourceIndex, tapCount, tapSources, windowCircular, windowKh, windowKw, windowLeft, windowSh, windowSw, windowTop,
} from "../net/window";
import { laneK, laneSlope, useMixture } from "../ops/activations/common";
import { affineRule, mapActivation, mapLanesAt, mappedK, mappedSlope, normScale } from "./infinite";

// The program of the running call and its per-thread storage, set at each kernel's entry.
let program: usize = 0;
let attributes: usize = 0;
let count: i32 = 0;
let shapes: usize = 0;
let full: usize = 0;
let slots: usize = 0;
let states: usize = 0; // slot s: Σ at states + 2·s·stateBytes, Θ right after
let stateBytes: usize = 0;
let work: usize = 0; // Σ and Θ of a windowed op's result before it lands in its slot
let between: usize = 0; // Σ and Θ between the two axis passes of a convolution
let half: usize = 0; // avgPool: M·Bᵀ
let taps: usize = 0; // per instruction: its tap table (avgPool; 0 elsewhere)
let qOffsets: usize = 0; // per value: where its variances start within an example's block
let qStride: i32 = 0; // doubles per example in a variance table
let output: i32 = 0;

// @ts-ignore: decorator
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function isFull(v: i32): bool {
  return load<i32>(full + (<usize>v << 2)) != 0;
}

// @ts-ignore: decorator
@inline function sigmaOf(v: i32): usize {
  return states + 2 * <usize>load<i32>(slots + (<usize>v << 2)) * stateBytes;
}

/** Entries of value v's per-pair state: S² when full, else S. */
// @ts-ignore: decorator
@inline function stateSize(v: i32): i32 {
  const s = positionsOf(shapes, v);
  return isFull(v) ? s * s : s;
}

/** Where the variances of value v of example i start in table q. */
// @ts-ignore: decorator
@inline function varianceAt(q: usize, v: i32, i: i32): usize {
  return q + ((<usize>i * <usize>qStride + <usize>load<i32>(qOffsets + (<usize>v << 2))) << 3);
}

function begin(
  programArg: usize, attributesArg: usize, countArg: i32, shapesArg: usize, outputArg: i32, fullArg: usize, slotsArg: usize, slotCount: i32,
  largest: i32, largestHalf: i32, offsets: usize, stride: i32, scales: usize, weights: usize, ruleSize: i32,
): void {
  program = programArg;
  output = outputArg;
  attributes = attributesArg;
  count = countArg;
  shapes = shapesArg;
  full = fullArg;
  slots = slotsArg;
  qOffsets = offsets;
  qStride = stride;
  useMixture(scales, weights, ruleSize);
  // An even number of doubles per state, so whole vectors may run one entry past its end.
  stateBytes = <usize>((largest + 1) & ~1) << 3;
  states = scratch(2 * <usize>slotCount * stateBytes);
  work = scratch(2 * stateBytes);
  between = scratch(2 * stateBytes);
  half = scratch(<usize>max(largestHalf, 1) << 3);
  taps = scratch(<usize>count << 2);
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    // Convolutions work axis by axis from their window; only pooling reads a tap table.
    store<usize>(taps + (<usize>t << 2), op == OP_AVG_POOL ? tapSources(attributes, t, shapes, field(program, t, 1), field(program, t, 3)) : 0);
  }
}

/** dst[0..len) += w·src[0..len) for Σ and Θ (Θ skipped when thetaSrc is 0). */
// @ts-ignore: decorator
@inline function addRun(len: i32, w: f64, sigmaSrc: usize, thetaSrc: usize, sigmaDst: usize, thetaDst: usize): void {
  const w2 = f64x2.splat(w);
  let q = 0;
  for (; q + 2 <= len; q += 2) {
    const at = <usize>q << 3;
    v128.store(sigmaDst + at, f64x2.add(v128.load(sigmaDst + at), f64x2.mul(w2, v128.load(sigmaSrc + at))));
    if (thetaSrc != 0) v128.store(thetaDst + at, f64x2.add(v128.load(thetaDst + at), f64x2.mul(w2, v128.load(thetaSrc + at))));
  }
  for (; q < len; q++) {
    const at = <usize>q << 3;
    store<f64>(sigmaDst + at, load<f64>(sigmaDst + at) + w * load<f64>(sigmaSrc + at));
    if (thetaSrc != 0) store<f64>(thetaDst + at, load<f64>(thetaDst + at) + w * load<f64>(thetaSrc + at));
  }
}

/**
 * One axis of a convolution's tap average on position-pair (`pairs`) or same-position states laid out as
 * [outer][axis][inner] per side: the window along `axis` (size `inSize` → `outSize`, filter k, stride, padding
 * before, circular) averages entries displaced by the same tap on both sides. A 2-D convolution is the width
 * pass then the height pass (the taps of a 2-D filter are pairs of axis taps), S²·(kh + kw) work instead of S²·kh·kw.
 */
function axisPass(
  pairs: bool, outer: i32, inSize: i32, outSize: i32, inner: i32, k: i32, stride: i32, before: i32, circular: bool,
  sigmaIn: usize, thetaIn: usize, sigmaOut: usize, thetaOut: usize,
): void {
  const weight = 1.0 / <f64>k;
  const inSide = outer * inSize * inner;
  const outSide = outer * outSize * inner;
  const entries = pairs ? outSide * outSide : outSide;
  memory.fill(sigmaOut, 0, <usize>entries << 3);
  if (thetaIn != 0) memory.fill(thetaOut, 0, <usize>entries << 3);
  // With stride 1 and no wrapping, outputs [lo, hi) of a row read contiguous inputs: one run per row.
  const contiguous = stride == 1 && !circular;
  for (let tap = 0; tap < k; tap++) {
    const lo = max(0, before - tap);
    const hi = min(outSize, inSize + before - tap);
    const runLength = (hi - lo) * inner;
    for (let o = 0; o < outer; o++) {
      if (!pairs && contiguous) {
        if (runLength > 0) {
          const from = <usize>((o * inSize + lo + tap - before) * inner) << 3;
          const to = <usize>((o * outSize + lo) * inner) << 3;
          addRun(runLength, weight, sigmaIn + from, thetaIn == 0 ? 0 : thetaIn + from, sigmaOut + to, thetaOut + to);
        }
        continue;
      }
      for (let p = 0; p < outSize; p++) {
        const a = sourceIndex(p, tap, stride, before, inSize, circular);
        if (a < 0) continue;
        // Row (o, p, ·) of one side reads row (o, a, ·): `inner` contiguous entries.
        const from = <usize>((o * inSize + a) * inner);
        const to = <usize>((o * outSize + p) * inner);
        if (!pairs) {
          addRun(inner, weight, sigmaIn + (from << 3), thetaIn == 0 ? 0 : thetaIn + (from << 3), sigmaOut + (to << 3), thetaOut + (to << 3));
          continue;
        }
        for (let e = 0; e < inner; e++) {
          const rowFrom = (from + <usize>e) * <usize>inSide;
          const rowTo = (to + <usize>e) * <usize>outSide;
          for (let o2 = 0; o2 < outer; o2++) {
            if (contiguous) {
              if (runLength <= 0) continue;
              const src = (rowFrom + <usize>((o2 * inSize + lo + tap - before) * inner)) << 3;
              const dst = (rowTo + <usize>((o2 * outSize + lo) * inner)) << 3;
              addRun(runLength, weight, sigmaIn + src, thetaIn == 0 ? 0 : thetaIn + src, sigmaOut + dst, thetaOut + dst);
              continue;
            }
            for (let p2 = 0; p2 < outSize; p2++) {
              const b = sourceIndex(p2, tap, stride, before, inSize, circular);
              if (b < 0) continue;
              const src = (rowFrom + <usize>((o2 * inSize + b) * inner)) << 3;
              const dst = (rowTo + <usize>((o2 * outSize + p2) * inner)) << 3;
              addRun(inner, weight, sigmaIn + src, thetaIn == 0 ? 0 : thetaIn + src, sigmaOut + dst, thetaOut + dst);
            }
          }
        }
      }
    }
  }
}

/**
 * U(M) of a convolution for Σ and Θ at once into (sigmaOut, thetaOut): every position pair of the output when
 * it is full (the input then full too), else the same positions, read from a full input's diagonal or a
 * diagonal input. thetaZero: Θ of the input is zero (the model's input), so only Σ is convolved.
 */
function convolve(t: i32, a: i32, out: i32, sigmaIn: usize, thetaIn: usize, sigmaOut: usize, thetaOut: usize, thetaZero: bool): void {
  decodeWindow(attributes, t);
  const inH = heightOf(shapes, a);
  const inW = spatialWidthOf(shapes, a);
  const outH = heightOf(shapes, out);
  const outW = spatialWidthOf(shapes, out);
  const pairs = isFull(out);
  let sigma = sigmaIn;
  let theta: usize = thetaZero ? 0 : thetaIn;
  if (!pairs && isFull(a)) {
    // The same-position entries of a full input.
    const positions = inH * inW;
    for (let p = 0; p < positions; p++) {
      store<f64>(between + (<usize>p << 3), f64At(sigmaIn, p * (positions + 1)));
      if (theta != 0) store<f64>(between + stateBytes + (<usize>p << 3), f64At(thetaIn, p * (positions + 1)));
    }
    sigma = between;
    theta = theta == 0 ? 0 : between + stateBytes;
  }
  const widthMoves = windowKw != 1 || windowSw != 1 || windowLeft != 0 || inW != outW;
  const heightMoves = windowKh != 1 || windowSh != 1 || windowTop != 0 || inH != outH;
  if (widthMoves && heightMoves) {
    // Width into the intermediate (whose own buffer `sigma` may be), then height into the result.
    const intermediate = sigma == between ? sigmaOut : between;
    axisPass(pairs, inH, inW, outW, 1, windowKw, windowSw, windowLeft, windowCircular, sigma, theta, intermediate, intermediate + stateBytes);
    sigma = intermediate;
    theta = theta == 0 ? 0 : intermediate + stateBytes;
    if (intermediate == sigmaOut) {
      memory.copy(between, sigmaOut, stateBytes);
      if (theta != 0) memory.copy(between + stateBytes, thetaOut, stateBytes);
      sigma = between;
      theta = theta == 0 ? 0 : between + stateBytes;
    }
    axisPass(pairs, 1, inH, outH, outW, windowKh, windowSh, windowTop, windowCircular, sigma, theta, sigmaOut, thetaOut);
  } else if (widthMoves) {
    axisPass(pairs, inH, inW, outW, 1, windowKw, windowSw, windowLeft, windowCircular, sigma, theta, sigmaOut, thetaOut);
  } else {
    axisPass(pairs, 1, inH, outH, outW, windowKh, windowSh, windowTop, windowCircular, sigma, theta, sigmaOut, thetaOut);
  }
  if (theta == 0) memory.fill(thetaOut, 0, <usize>stateSize(out) << 3);
}

/** B·M·Bᵀ of an avgPool (M full): every position pair when the output is full, else the same positions. */
function pool(t: i32, a: i32, out: i32, input: usize, output: usize): void {
  const sources = load<usize>(taps + (<usize>t << 2));
  const tapTotal = tapCount(attributes, t);
  const weight = 1.0 / <f64>tapTotal;
  const inPositions = positionsOf(shapes, a);
  const outPositions = positionsOf(shapes, out);
  memory.fill(half, 0, <usize>inPositions * <usize>outPositions << 3);
  for (let tap = 0; tap < tapTotal; tap++) {
    for (let q = 0; q < outPositions; q++) {
      const b = sourceAt(sources, outPositions, tap, q);
      if (b < 0) continue;
      for (let p = 0; p < inPositions; p++) {
        const to = half + ((<usize>p * <usize>outPositions + <usize>q) << 3);
        store<f64>(to, load<f64>(to) + weight * f64At(input, p * inPositions + b));
      }
    }
  }
  const outFull = isFull(out);
  memory.fill(output, 0, <usize>stateSize(out) << 3);
  for (let tap = 0; tap < tapTotal; tap++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sourceAt(sources, outPositions, tap, p);
      if (source < 0) continue;
      const from = half + (<usize>source * <usize>outPositions << 3);
      if (!outFull) {
        const to = output + (<usize>p << 3);
        store<f64>(to, load<f64>(to) + weight * f64At(from, p));
        continue;
      }
      const to = output + (<usize>p * <usize>outPositions << 3);
      for (let q = 0; q < outPositions; q++) store<f64>(to + (<usize>q << 3), load<f64>(to + (<usize>q << 3)) + weight * f64At(from, q));
    }
  }
}

/** The mean over positions of value v's variances for example i (layerNorm over all axes). */
function meanVariance(q: usize, v: i32, i: i32): f64 {
  const s = positionsOf(shapes, v);
  const row = varianceAt(q, v, i);
  let sum = 0.0;
  for (let p = 0; p < s; p++) sum += f64At(row, p);
  return sum / <f64>s;
}

/**
 * Runs the program on the pair (row i of xa, row j of xb) with the variance tables qa, qb; with `record`
 * (pass 1: xa = xb, i = j, qa = qb), writes every value's same-position entries into qa as it goes.
 * Returns the output's Σ (Θ right after).
 */
function runPair(xa: usize, i: i32, xb: usize, j: i32, qa: usize, qb: usize, record: bool): usize {
  const channels = channelsOf(shapes, 0);
  const inputSize = <usize>sizeOf(shapes, 0);
  const s0 = positionsOf(shapes, 0);
  const inputFull = isFull(0);
  const sigma0 = sigmaOf(0);
  const theta0 = sigma0 + stateBytes;
  const rowA = xa + (<usize>i * inputSize << 3);
  const rowB = xb + (<usize>j * inputSize << 3);
  for (let p = 0; p < s0; p++) {
    const a = rowA + (<usize>(p * channels) << 3);
    const first = inputFull ? 0 : p;
    const last = inputFull ? s0 : p + 1;
    for (let p2 = first; p2 < last; p2++) {
      const at = <usize>(inputFull ? p * s0 + p2 : p) << 3;
      store<f64>(sigma0 + at, dot(a, rowB + (<usize>(p2 * channels) << 3), channels) / <f64>channels);
      store<f64>(theta0 + at, 0.0);
    }
  }
  if (record) recordVariances(qa, 0, i);
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    const a = field(program, t, 1);
    const out = field(program, t, 3);
    const sigmaA = sigmaOf(a);
    const thetaA = sigmaA + stateBytes;
    const sigmaOut = sigmaOf(out);
    const thetaOut = sigmaOut + stateBytes;
    const size = stateSize(out);
    const first = attribute(attributes, t, 0);
    const second = attribute(attributes, t, 1);
    if (op == OP_DENSE) {
      let sigmaIn = sigmaA;
      let thetaIn = thetaA;
      if (!isPointwise(attributes, t)) {
        convolve(t, a, out, sigmaA, thetaA, work, work + stateBytes, a == 0);
        sigmaIn = work;
        thetaIn = work + stateBytes;
      }
      affineRule(attributes, t, size, sigmaIn, thetaIn, sigmaOut, thetaOut);
    } else if (op == OP_ACTIVATION) {
      activate(<i32>first, attributeAt(attributes, t, ACTIVATION_FIRST_PARAMETER), a, out, i, j, qa, qb, sigmaA, thetaA, sigmaOut, thetaOut);
    } else if (op == OP_LAYER_NORM) {
      const all = second != 0.0;
      const mean1 = all ? meanVariance(qa, a, i) : 0.0;
      const mean2 = all ? meanVariance(qb, a, j) : 0.0;
      const positions = positionsOf(shapes, a);
      const outFull = isFull(out);
      const q1 = varianceAt(qa, a, i);
      const q2 = varianceAt(qb, a, j);
      for (let e = 0; e < size; e++) {
        const at = <usize>e << 3;
        const row = outFull ? e / positions : e;
        const column = outFull ? e % positions : e;
        const scale = normScale(first, all ? mean1 : f64At(q1, row), all ? mean2 : f64At(q2, column));
        store<f64>(sigmaOut + at, load<f64>(sigmaA + at) * scale);
        store<f64>(thetaOut + at, load<f64>(thetaA + at) * scale);
      }
    } else if (op == OP_AVG_POOL) {
      pool(t, a, out, sigmaA, work);
      pool(t, a, out, thetaA, work + stateBytes);
      memory.copy(sigmaOut, work, <usize>size << 3);
      memory.copy(thetaOut, work + stateBytes, <usize>size << 3);
    } else if (op == OP_GLOBAL_AVG_POOL || op == OP_FLATTEN) {
      // The mean of all entries, or of the same-position ones.
      const positions = positionsOf(shapes, a);
      const entries = op == OP_FLATTEN ? positions : positions * positions;
      const stride = op == OP_FLATTEN && isFull(a) ? positions + 1 : 1;
      let sumSigma = 0.0;
      let sumTheta = 0.0;
      for (let e = 0; e < entries; e++) {
        sumSigma += f64At(sigmaA, e * stride);
        sumTheta += f64At(thetaA, e * stride);
      }
      store<f64>(sigmaOut, sumSigma / <f64>entries);
      store<f64>(thetaOut, sumTheta / <f64>entries);
    } else if (op == OP_SUM) {
      const sigmaB = sigmaOf(field(program, t, 2));
      const thetaB = sigmaB + stateBytes;
      for (let e = 0; e < size; e += 2) {
        const at = <usize>e << 3;
        v128.store(sigmaOut + at, f64x2.add(v128.load(sigmaA + at), v128.load(sigmaB + at)));
        v128.store(thetaOut + at, f64x2.add(v128.load(thetaA + at), v128.load(thetaB + at)));
      }
    } else {
      abort("unknown opcode");
    }
    if (record) recordVariances(qa, out, i);
  }
  return sigmaOf(output);
}

/** Pass 1: the same-position entries of value v's Σ become example i's variances there. */
function recordVariances(q: usize, v: i32, i: i32): void {
  const s = positionsOf(shapes, v);
  const stride = isFull(v) ? s + 1 : 1;
  const row = varianceAt(q, v, i);
  const sigma = sigmaOf(v);
  for (let p = 0; p < s; p++) store<f64>(row + (<usize>p << 3), f64At(sigma, p * stride));
}

/** An activation's dual maps on every entry, with q1 at the entry's first position and q2 at its second. */
function activate(kind: i32, parameters: usize, a: i32, out: i32, i: i32, j: i32, qa: usize, qb: usize, sigmaA: usize, thetaA: usize, sigmaOut: usize, thetaOut: usize): void {
  const positions = positionsOf(shapes, a);
  const q1 = varianceAt(qa, a, i);
  const q2 = varianceAt(qb, a, j);
  const rows = isFull(out) ? positions : 1;
  const columns = positions;
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * columns) << 3;
    let c = 0;
    // Full: row r pairs position r of x with every position of x′; diagonal: position c with itself.
    for (; c + 2 <= columns; c += 2) {
      const at = base + (<usize>c << 3);
      mapLanesAt(kind, parameters, q1 + (<usize>(rows > 1 ? r : c) << 3), rows > 1, q2 + (<usize>c << 3), sigmaA + at);
      v128.store(thetaOut + at, f64x2.mul(v128.load(thetaA + at), laneSlope));
      v128.store(sigmaOut + at, laneK);
    }
    for (; c < columns; c++) {
      const at = base + (<usize>c << 3);
      mapActivation(kind, parameters, rows > 1 ? f64At(q1, r) : f64At(q1, c), f64At(q2, c), load<f64>(sigmaA + at));
      store<f64>(thetaOut + at, load<f64>(thetaA + at) * mappedSlope);
      store<f64>(sigmaOut + at, mappedK);
    }
  }
}

/**
 * Pass 1 for examples [r0, r1) of x: every value's variances into table (n × qStride doubles; value v of
 * example i at i·qStride + qOffsets[v]). largest: the largest per-pair state in doubles; largestHalf: the
 * largest avgPool intermediate (input positions × output positions).
 */
export function spatialVariances(
  programArg: usize, attributesArg: usize, countArg: i32, shapesArg: usize, outputArg: i32, fullArg: usize, slotsArg: usize, slotCount: i32,
  largest: i32, largestHalf: i32, offsets: usize, stride: i32, scales: usize, weights: usize, ruleSize: i32,
  x: usize, table: usize, r0: i32, r1: i32,
): void {
  begin(programArg, attributesArg, countArg, shapesArg, outputArg, fullArg, slotsArg, slotCount, largest, largestHalf, offsets, stride, scales, weights, ruleSize);
  for (let i = r0; i < r1; i++) runPair(x, i, x, i, table, table, true);
}

/**
 * Pass 2: rows [r0, r1) of the NNGP and NTK (n1 × n2; x2 = 0 means x1 with itself: the lower triangle, then
 * mirrored), from the variance tables of pass 1. rowFinite[i]: 0 when row i of both results is finite.
 */
export function spatialRows(
  programArg: usize, attributesArg: usize, countArg: i32, shapesArg: usize, outputArg: i32, fullArg: usize, slotsArg: usize, slotCount: i32,
  largest: i32, largestHalf: i32, offsets: usize, stride: i32, scales: usize, weights: usize, ruleSize: i32,
  x1: usize, n1: i32, x2: usize, n2: i32, table1: usize, table2: usize, nngp: usize, ntk: usize, r0: i32, r1: i32, rowFinite: usize,
): void {
  begin(programArg, attributesArg, countArg, shapesArg, outputArg, fullArg, slotsArg, slotCount, largest, largestHalf, offsets, stride, scales, weights, ruleSize);
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  const secondTable = symmetric ? table1 : table2;
  for (let i = r0; i < r1; i++) {
    const end = symmetric ? i + 1 : n2;
    let finite = 0.0;
    for (let j = 0; j < end; j++) {
      const result = runPair(x1, i, second, j, table1, secondTable, false);
      const sigma = load<f64>(result);
      const theta = load<f64>(result + stateBytes);
      store<f64>(nngp + ((<usize>i * <usize>n2 + <usize>j) << 3), sigma);
      store<f64>(ntk + ((<usize>i * <usize>n2 + <usize>j) << 3), theta);
      if (symmetric) {
        store<f64>(nngp + ((<usize>j * <usize>n2 + <usize>i) << 3), sigma);
        store<f64>(ntk + ((<usize>j * <usize>n2 + <usize>i) << 3), theta);
      }
      finite += (sigma - sigma) + (theta - theta);
    }
    store<f64>(rowFinite + (<usize>i << 3), finite);
  }
}
