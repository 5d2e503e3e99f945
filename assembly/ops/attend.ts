// The attention op of globalSelfAttention (keys a, values b; its TypeScript twin and the layer are src/ops/attention.ts).
// Per example and head h: logits L = scale·K_hK_hᵀ over the positions, weights G = mechanism(L) row by row (softmax
// over the key positions), heads G·V_h with their channels ordered v·H + h. A forward pass keeps every example's and
// head's weights, then its logits (n·H·S² each). At infinite width each example's G (from its keys' own covariance, in
// pass 1) is kept in its example table, and Σ ← GᵢΣGⱼᵀ, Θ ← GᵢΘGⱼᵀ on the values' states.
import { mark, release, scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { dot } from "../linalg/vector";
import {
  ATTENTION_ABS,
  ATTENTION_IDENTITY,
  ATTENTION_SOFTMAX,
  ATTEND_HEADS,
  ATTEND_KEY_CHANNELS,
  ATTEND_MECHANISM,
  ATTEND_QUERY_KEY_SCALE,
} from "../generated/layout";
import { attribute, channelsOf, field, positionsOf, sizeOf } from "../net/program";
import { Net, Pair, cotangentOf, exampleTableAt, f64At, isFull, pairSigma, rowAt, stateSize, tangentOf } from "./unit";

/** The mechanism on every row of an S × S matrix, logits into weights (the same storage allowed). */
function mechanismRows(mechanism: i32, logits: usize, s: i32, weights: usize): void {
  for (let p = 0; p < s; p++) {
    const from = rowAt(logits, p, s);
    const to = rowAt(weights, p, s);
    if (mechanism == ATTENTION_SOFTMAX) {
      let largest = -Infinity;
      for (let q = 0; q < s; q++) largest = max(largest, f64At(from, q));
      let total = 0.0;
      for (let q = 0; q < s; q++) {
        const w = Math.exp(f64At(from, q) - largest);
        store<f64>(to + ((<usize>q) << 3), w);
        total += w;
      }
      for (let q = 0; q < s; q++) store<f64>(to + ((<usize>q) << 3), f64At(to, q) / total);
      continue;
    }
    for (let q = 0; q < s; q++) {
      const l = f64At(from, q);
      store<f64>(to + ((<usize>q) << 3), mechanism == ATTENTION_IDENTITY ? l : mechanism == ATTENTION_ABS ? abs(l) : max(l, 0.0));
    }
  }
}

/** The mechanism's (symmetric) Jacobian at logits L and weights G on d (S × S) in place; see mechanismJacobian in the twin. */
function mechanismJacobian(mechanism: i32, logits: usize, weights: usize, s: i32, d: usize): void {
  if (mechanism == ATTENTION_IDENTITY) return;
  for (let p = 0; p < s; p++) {
    const row = rowAt(d, p, s);
    if (mechanism == ATTENTION_SOFTMAX) {
      const g = rowAt(weights, p, s);
      const mean = dot(g, row, s);
      for (let q = 0; q < s; q++) store<f64>(row + ((<usize>q) << 3), f64At(g, q) * (f64At(row, q) - mean));
      continue;
    }
    const l = rowAt(logits, p, s);
    for (let q = 0; q < s; q++) {
      const x = f64At(l, q);
      const slope = mechanism == ATTENTION_ABS ? (x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0) : x > 0.0 ? 1.0 : 0.0;
      store<f64>(row + ((<usize>q) << 3), slope * f64At(row, q));
    }
  }
}

/** The sizes of instruction t: positions, heads, key and value channels per head. */
@unmanaged
class Shape {
  s: i32 = 0;
  heads: i32 = 0;
  dk: i32 = 0;
  dv: i32 = 0;
  scale: f64 = 0;
  mechanism: i32 = 0;
}

function shapeOf(program: usize, attributes: usize, shapes: usize, t: i32): Shape {
  const shape = changetype<Shape>(scratch(offsetof<Shape>()));
  shape.s = positionsOf(shapes, field(program, t, 1));
  shape.heads = <i32>attribute(attributes, t, ATTEND_HEADS);
  shape.dk = <i32>attribute(attributes, t, ATTEND_KEY_CHANNELS);
  shape.dv = channelsOf(shapes, field(program, t, 2)) / shape.heads;
  shape.scale = attribute(attributes, t, ATTEND_QUERY_KEY_SCALE) / <f64>shape.dk;
  shape.mechanism = <i32>attribute(attributes, t, ATTEND_MECHANISM);
  return shape;
}

/** Where the weights of example i's head h start in what a forward pass kept (the logits n·H·S² after). */
// @ts-ignore: decorator
@inline function weightsAt(kept: usize, shape: Shape, i: i32, h: i32): usize {
  return kept + ((<usize>(i * shape.heads + h) * <usize>shape.s * <usize>shape.s) << 3);
}

/** Rows of the heads G·V (see mixRows in the twin); with `transpose`, the values' cotangents from the heads'. */
function mixRows(shape: Shape, kept: usize, rows: i32, m: i32, from: usize, out: usize, transpose: bool): void {
  const s = shape.s;
  const heads = shape.heads;
  const dv = shape.dv;
  const width = heads * dv;
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < heads; h++) {
      const g = weightsAt(kept, shape, r / m, h);
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          const weight = f64At(g, p * s + q);
          for (let v = 0; v < dv; v++) {
            const headEntry = (r * s + p) * width + v * heads + h;
            const valueEntry = (r * s + q) * width + h * dv + v;
            if (transpose) {
              const at = out + ((<usize>valueEntry) << 3);
              store<f64>(at, load<f64>(at) + weight * f64At(from, headEntry));
            } else {
              const at = out + ((<usize>headEntry) << 3);
              store<f64>(at, load<f64>(at) + weight * f64At(from, valueEntry));
            }
          }
        }
      }
    }
  }
}

export function forward(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const b = field(net.program, t, 2);
  const out = field(net.program, t, 3);
  const shape = shapeOf(net.program, net.attributes, net.shapes, t);
  const s = shape.s;
  const width = shape.heads * shape.dk;
  const block = <usize>net.n * <usize>shape.heads * <usize>s * <usize>s;
  const kept = scratch(block << 4);
  const keys = load<usize>(net.values + ((<usize>a) << 2));
  for (let i = 0; i < net.n; i++) {
    for (let h = 0; h < shape.heads; h++) {
      const weights = weightsAt(kept, shape, i, h);
      const logits = weights + (block << 3);
      for (let p = 0; p < s; p++) {
        const kp = rowAt(keys, i * s + p, width) + ((<usize>(h * shape.dk)) << 3);
        for (let q = 0; q < s; q++) {
          const kq = rowAt(keys, i * s + q, width) + ((<usize>(h * shape.dk)) << 3);
          store<f64>(rowAt(logits, p, s) + ((<usize>q) << 3), shape.scale * dot(kp, kq, shape.dk));
        }
      }
      mechanismRows(shape.mechanism, logits, s, weights);
    }
  }
  store<usize>(net.kept + ((<usize>out) << 2), kept);
  memory.fill(z, 0, (<usize>net.n * <usize>sizeOf(net.shapes, out)) << 3);
  mixRows(shape, kept, net.n, 1, load<usize>(net.values + ((<usize>b) << 2)), z, false);
}

/** What backward and forward mode read per row and head: the forward pass's keys and values, the seeds (g or tK), the target. */
@unmanaged
class HeadPass {
  shape: Shape | null = null;
  keys: usize = 0;
  values: usize = 0;
  seeds: usize = 0;
  target: usize = 0;
}

/** One step of a row r (example i) and head h on d, the S × S derivative with respect to the weights (then the logits). */
type HeadStep = (pass: HeadPass, r: i32, i: i32, h: i32, d: usize) => void;

/**
 * What backward and forward mode share (throughMechanism in the twin): for every row and head, `fill` writes d, the
 * mechanism's Jacobian takes it to the logits, and `use` reads it there.
 */
function throughMechanism(pass: HeadPass, kept: usize, n: i32, rows: i32, m: i32, fill: HeadStep, use: HeadStep): void {
  const shape = changetype<Shape>(pass.shape);
  const s = shape.s;
  const block = <usize>n * <usize>shape.heads * <usize>s * <usize>s;
  const d = scratch((<usize>s * <usize>s) << 3);
  for (let r = 0; r < rows; r++) {
    const i = r / m;
    for (let h = 0; h < shape.heads; h++) {
      fill(pass, r, i, h, d);
      const weights = weightsAt(kept, shape, i, h);
      mechanismJacobian(shape.mechanism, weights + (block << 3), weights, s, d);
      use(pass, r, i, h, d);
    }
  }
}

/** Where head h of row (or example) r's keys at position p start. */
// @ts-ignore: decorator
@inline function keyAt(keys: usize, shape: Shape, r: i32, p: i32, h: i32): usize {
  return rowAt(keys, r * shape.s + p, shape.heads * shape.dk) + ((<usize>(h * shape.dk)) << 3);
}

/** Backward: dG[p][q] = Σ_v g[p][v·H + h]·V[q][h·dv + v]. */
function cotangentWeights(pass: HeadPass, r: i32, i: i32, h: i32, d: usize): void {
  const shape = changetype<Shape>(pass.shape);
  const s = shape.s;
  const width = shape.heads * shape.dv;
  for (let p = 0; p < s; p++) {
    for (let q = 0; q < s; q++) {
      let sum = 0.0;
      for (let v = 0; v < shape.dv; v++)
        sum += f64At(pass.seeds, (r * s + p) * width + v * shape.heads + h) * f64At(pass.values, (i * s + q) * width + h * shape.dv + v);
      store<f64>(d + ((<usize>(p * s + q)) << 3), sum);
    }
  }
}

/** Backward: dK[p] += scale·Σ_q (dL[p][q] + dL[q][p])·K[q]. */
function addKeyCotangents(pass: HeadPass, r: i32, i: i32, h: i32, d: usize): void {
  const shape = changetype<Shape>(pass.shape);
  const s = shape.s;
  for (let p = 0; p < s; p++) {
    const target = keyAt(pass.target, shape, r, p, h);
    for (let q = 0; q < s; q++) {
      const both = shape.scale * (f64At(d, p * s + q) + f64At(d, q * s + p));
      const kq = keyAt(pass.keys, shape, i, q, h);
      for (let k = 0; k < shape.dk; k++) {
        const at = target + ((<usize>k) << 3);
        store<f64>(at, load<f64>(at) + both * f64At(kq, k));
      }
    }
  }
}

/** Forward mode: tL = scale·(tK·Kᵀ + K·tKᵀ). */
function logitTangents(pass: HeadPass, r: i32, i: i32, h: i32, d: usize): void {
  const shape = changetype<Shape>(pass.shape);
  const s = shape.s;
  for (let p = 0; p < s; p++) {
    const tp = keyAt(pass.seeds, shape, r, p, h);
    const kp = keyAt(pass.keys, shape, i, p, h);
    for (let q = 0; q < s; q++) {
      const value = dot(tp, keyAt(pass.keys, shape, i, q, h), shape.dk) + dot(kp, keyAt(pass.seeds, shape, r, q, h), shape.dk);
      store<f64>(d + ((<usize>(p * s + q)) << 3), shape.scale * value);
    }
  }
}

/** Forward mode: the heads' tangents += tG·V. */
function addWeightTangents(pass: HeadPass, r: i32, i: i32, h: i32, d: usize): void {
  const shape = changetype<Shape>(pass.shape);
  const s = shape.s;
  const width = shape.heads * shape.dv;
  for (let p = 0; p < s; p++) {
    for (let q = 0; q < s; q++) {
      const w = f64At(d, p * s + q);
      for (let v = 0; v < shape.dv; v++) {
        const at = pass.target + ((<usize>((r * s + p) * width + v * shape.heads + h)) << 3);
        store<f64>(at, load<f64>(at) + w * f64At(pass.values, (i * s + q) * width + h * shape.dv + v));
      }
    }
  }
}

/** The record of a backward or forward-mode pass of instruction t. */
function headPass(net: Net, t: i32, seeds: usize, target: usize): HeadPass {
  const pass = changetype<HeadPass>(scratch(offsetof<HeadPass>()));
  pass.shape = shapeOf(net.program, net.attributes, net.shapes, t);
  pass.keys = load<usize>(net.values + ((<usize>field(net.program, t, 1)) << 2));
  pass.values = load<usize>(net.values + ((<usize>field(net.program, t, 2)) << 2));
  pass.seeds = seeds;
  pass.target = target;
  return pass;
}

export function backward(net: Net, t: i32, g: usize): void {
  const a = field(net.program, t, 1);
  const b = field(net.program, t, 2);
  const rows = net.n * net.m;
  const valueTarget = cotangentOf(net, b, (<usize>rows * <usize>sizeOf(net.shapes, b)) << 3);
  const keyTarget = cotangentOf(net, a, (<usize>rows * <usize>sizeOf(net.shapes, a)) << 3);
  const saved = mark();
  const kept = load<usize>(net.kept + ((<usize>field(net.program, t, 3)) << 2));
  const pass = headPass(net, t, g, keyTarget);
  mixRows(changetype<Shape>(pass.shape), kept, rows, net.m, g, valueTarget, true);
  // dG, through the mechanism to dL, then dK = scale·(dL + dLᵀ)·K.
  throughMechanism(pass, kept, net.n, rows, net.m, cotangentWeights, addKeyCotangents);
  release(saved);
}

export function tangent(net: Net, t: i32, z: usize): void {
  const out = field(net.program, t, 3);
  const rows = net.n * net.m;
  const saved = mark();
  const kept = load<usize>(net.kept + ((<usize>out) << 2));
  const pass = headPass(net, t, tangentOf(net, field(net.program, t, 1)), z);
  memory.fill(z, 0, (<usize>rows * <usize>sizeOf(net.shapes, out)) << 3);
  // G·tV, then tG·V with tG the mechanism's Jacobian on tL = scale·(tK·Kᵀ + K·tKᵀ).
  mixRows(changetype<Shape>(pass.shape), kept, rows, net.m, tangentOf(net, field(net.program, t, 2)), z, false);
  throughMechanism(pass, kept, net.n, rows, net.m, logitTangents, addWeightTangents);
  release(saved);
}

/**
 * Σ ← GᵢΣGⱼᵀ and Θ ← GᵢΘGⱼᵀ on the values' states, through the work states; in pass 1 (recording) Gᵢ is made first from
 * the keys' state, the input's own covariance, and kept in its example table.
 */
export function pair(pair: Pair, t: i32): void {
  const a = field(pair.program, t, 1);
  const b = field(pair.program, t, 2);
  const out = field(pair.program, t, 3);
  const s = positionsOf(pair.shapes, a);
  const rowsG = exampleTableAt(pair, pair.qa, out, pair.i);
  if (pair.recording) {
    const keys = pairSigma(pair, a);
    const scale = attribute(pair.attributes, t, ATTEND_QUERY_KEY_SCALE);
    for (let e = 0; e < s * s; e++) store<f64>(rowsG + ((<usize>e) << 3), scale * f64At(keys, e));
    mechanismRows(<i32>attribute(pair.attributes, t, ATTEND_MECHANISM), rowsG, s, rowsG);
  }
  const columnsG = pair.recording ? rowsG : exampleTableAt(pair, pair.qb, out, pair.j);
  const full = isFull(pair, out);
  const values = pairSigma(pair, b);
  // Gⱼ·Mᵀ into opWork, then Gᵢ·(Gⱼ·Mᵀ)ᵀ (or its diagonal).
  for (let part = 0; part < 2; part++) {
    const m = values + <usize>part * pair.stateBytes;
    const result = pair.work + <usize>part * pair.stateBytes;
    gemm(0, 1, s, s, s, 1.0, columnsG, s, m, s, 0.0, pair.opWork, s);
    if (full) gemm(0, 1, s, s, s, 1.0, rowsG, s, pair.opWork, s, 0.0, result, s);
    else for (let p = 0; p < s; p++) store<f64>(result + ((<usize>p) << 3), dot(rowAt(rowsG, p, s), rowAt(pair.opWork, p, s), s));
  }
  const entries = stateSize(pair, out);
  const target = pairSigma(pair, out);
  memory.copy(target, pair.work, (<usize>entries) << 3);
  memory.copy(target + pair.stateBytes, pair.work + pair.stateBytes, (<usize>entries) << 3);
}
