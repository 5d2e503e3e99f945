// Reference versions of assembly/nn/mlp.ts: the same passes, layouts and blocking on typed arrays.
import { activate, derivative } from '../../nn/activations.js';
import type { DescentResult, MlpLayout } from '../types.js';
import { type Strided, dense, gemmInto } from './gemm.js';
import { mirrorLower, syrkLowerInto } from './linalg.js';

/** Offset of W_l (l = 1..L) in params; l = L + 1 gives the parameter count. */
export function weightOffset(net: MlpLayout, l: number): number {
  let offset = 0;
  for (let m = 1; m < l; m++) offset += net.sizes[m - 1] * net.sizes[m] + (net.hasBias ? net.sizes[m] : 0);
  return offset;
}

interface Pass {
  /** h_0 = x, …, h_{L−1}. */
  inputs: Float64Array[];
  /** φ′(z_l) for l = 1..L−1. */
  slopes: Float64Array[];
  output: Float64Array;
}

function forward(net: MlpLayout, params: Float64Array, x: Float64Array, n: number): Pass {
  const layers = net.sizes.length - 1;
  const inputs: Float64Array[] = [];
  const slopes: Float64Array[] = [];
  let h = x;
  for (let l = 1; l <= layers; l++) {
    const fanIn = net.sizes[l - 1];
    const fanOut = net.sizes[l];
    inputs.push(h);
    const offset = weightOffset(net, l);
    const z = new Float64Array(n * fanOut);
    gemmInto(false, false, n, fanOut, fanIn, net.weightScales[l - 1], dense(h, fanIn), { data: params, offset, ld: fanOut }, 0, dense(z, fanOut));
    if (net.hasBias) {
      const s = net.biasScales[l - 1];
      const b = offset + fanIn * fanOut;
      for (let i = 0; i < n; i++) for (let j = 0; j < fanOut; j++) z[i * fanOut + j] += s * params[b + j];
    }
    if (l === layers) return { inputs, slopes, output: z };
    slopes.push(z.map((v) => derivative(net.activation, v, net.leak)));
    for (let i = 0; i < z.length; i++) z[i] = activate(net.activation, z[i], net.leak);
    h = z;
  }
  throw new Error('unreachable: a network has at least one layer');
}

/** G_l for l = 1..L: (n·k) × width_l, row i·k + o = ∂f_o(x_i)/∂z_l. */
function backwardSignals(net: MlpLayout, params: Float64Array, n: number, slopes: Float64Array[]): Float64Array[] {
  const layers = net.sizes.length - 1;
  const k = net.sizes[layers];
  const rows = n * k;
  const signals: Float64Array[] = new Array(layers);
  const top = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) top[r * k + (r % k)] = 1;
  signals[layers - 1] = top;
  for (let l = layers - 1; l >= 1; l--) {
    const width = net.sizes[l];
    const above = net.sizes[l + 1];
    const g = new Float64Array(rows * width);
    gemmInto(false, true, rows, width, above, net.weightScales[l], dense(signals[l], above),
      { data: params, offset: weightOffset(net, l + 1), ld: above }, 0, dense(g, width));
    const slope = slopes[l - 1];
    for (let r = 0; r < rows; r++) {
      const base = Math.floor(r / k) * width;
      for (let j = 0; j < width; j++) g[r * width + j] *= slope[base + j];
    }
    signals[l - 1] = g;
  }
  return signals;
}

function passWithSignals(net: MlpLayout, params: Float64Array, x: Float64Array, n: number) {
  const pass = forward(net, params, x, n);
  return { inputs: pass.inputs, signals: backwardSignals(net, params, n, pass.slopes) };
}

export function mlpForward(net: MlpLayout, params: Float64Array, x: Float64Array, n: number): Float64Array {
  return forward(net, params, x, n).output;
}

function jacobianRowsInto(net: MlpLayout, params: Float64Array, x: Float64Array, n: number, out: Float64Array, ld: number): void {
  const layers = net.sizes.length - 1;
  const k = net.sizes[layers];
  const { inputs, signals } = passWithSignals(net, params, x, n);
  for (let l = 1; l <= layers; l++) {
    const fanIn = net.sizes[l - 1];
    const width = net.sizes[l];
    const offset = weightOffset(net, l);
    const h = inputs[l - 1];
    const g = signals[l - 1];
    const c = net.weightScales[l - 1];
    const s = net.biasScales[l - 1];
    for (let r = 0; r < n * k; r++) {
      const hRow = Math.floor(r / k) * fanIn;
      const jRow = r * ld + offset;
      for (let a = 0; a < fanIn; a++) {
        const scale = c * h[hRow + a];
        for (let b = 0; b < width; b++) out[jRow + a * width + b] = scale * g[r * width + b];
      }
      if (net.hasBias) for (let b = 0; b < width; b++) out[jRow + fanIn * width + b] = s * g[r * width + b];
    }
  }
}

export function mlpJacobian(net: MlpLayout, params: Float64Array, x: Float64Array, n: number): Float64Array {
  const p = weightOffset(net, net.sizes.length);
  const k = net.sizes[net.sizes.length - 1];
  const out = new Float64Array(n * k * p);
  jacobianRowsInto(net, params, x, n, out, p);
  return out;
}

function structuredNtk(net: MlpLayout, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean): Float64Array {
  const layers = net.sizes.length - 1;
  const k = net.sizes[layers];
  const symmetric = x2 === null;
  const t1 = passWithSignals(net, params, x1, n1);
  const t2 = x2 === null ? t1 : passWithSignals(net, params, x2, n2);
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const out = new Float64Array(outRows * outCols);
  const inner = new Float64Array(n1 * n2);
  const products = new Float64Array(outRows * outCols);
  const outputWeight = full ? 1 : 1 / k;
  for (let l = 1; l <= layers; l++) {
    const fanIn = net.sizes[l - 1];
    const width = net.sizes[l];
    // 'mean' views G as n × (k·width); 'full' as (n·k) × width.
    const gCols = full ? width : k * width;
    if (symmetric) {
      syrkLowerInto(t1.inputs[l - 1], n1, fanIn, inner);
      syrkLowerInto(t1.signals[l - 1], outRows, gCols, products);
    } else {
      gemmInto(false, true, n1, n2, fanIn, 1, dense(t1.inputs[l - 1], fanIn), dense(t2.inputs[l - 1], fanIn), 0, dense(inner, n2));
      gemmInto(false, true, outRows, outCols, gCols, 1, dense(t1.signals[l - 1], gCols), dense(t2.signals[l - 1], gCols), 0, dense(products, outCols));
    }
    const c2 = net.weightScales[l - 1] ** 2;
    const s2 = net.hasBias ? net.biasScales[l - 1] ** 2 : 0;
    for (let r = 0; r < outRows; r++) {
      const i = full ? Math.floor(r / k) : r;
      const last = symmetric ? r + 1 : outCols;
      for (let q = 0; q < last; q++) {
        const j = full ? Math.floor(q / k) : q;
        out[r * outCols + q] += outputWeight * (c2 * inner[i * n2 + j] + s2) * products[r * outCols + q];
      }
    }
  }
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

function jacobianNtk(net: MlpLayout, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean, block: number): Float64Array {
  const d = net.sizes[0];
  const k = net.sizes[net.sizes.length - 1];
  const p = weightOffset(net, net.sizes.length);
  const symmetric = x2 === null;
  const second = x2 ?? x1;
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const out = new Float64Array(outRows * outCols);
  const j1 = new Float64Array(block * k * p);
  const j2 = new Float64Array(block * k * p);
  for (let jb = 0; jb < n2; jb += block) {
    const cols = Math.min(block, n2 - jb);
    jacobianRowsInto(net, params, second.subarray(jb * d, (jb + cols) * d), cols, j2, p);
    for (let ib = symmetric ? jb : 0; ib < n1; ib += block) {
      const rows = Math.min(block, n1 - ib);
      jacobianRowsInto(net, params, x1.subarray(ib * d, (ib + rows) * d), rows, j1, p);
      // 'mean' views a Jacobian block as examples × (k·P); 'full' as (examples·k) × P.
      const inner = full ? p : k * p;
      const c: Strided = { data: out, offset: (full ? ib * k : ib) * outCols + (full ? jb * k : jb), ld: outCols };
      gemmInto(false, true, full ? rows * k : rows, full ? cols * k : cols, inner, full ? 1 : 1 / k, dense(j1, inner), dense(j2, inner), 0, c);
    }
  }
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

export function mlpNtk(
  net: MlpLayout, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number,
  full: boolean, implementation: 'structured' | 'jacobian', block: number,
): Float64Array {
  return implementation === 'structured' ? structuredNtk(net, params, x1, n1, x2, n2, full) : jacobianNtk(net, params, x1, n1, x2, n2, full, block);
}

export function mlpTrain(
  net: MlpLayout, initial: Float64Array, x: Float64Array, y: Float64Array, n: number, steps: number, rate: number, lossScale: number,
): DescentResult {
  const layers = net.sizes.length - 1;
  const params = initial.slice();
  const gradient = new Float64Array(params.length);
  const losses = new Float64Array(steps + 1);
  for (let t = 0; t <= steps; t++) {
    const { inputs, slopes, output: f } = forward(net, params, x, n);
    let loss = 0;
    for (let i = 0; i < f.length; i++) {
      f[i] -= y[i];
      loss += f[i] * f[i];
    }
    losses[t] = loss * lossScale;
    if (t === steps) break;
    let delta = f;
    for (let l = layers; l >= 1; l--) {
      const fanIn = net.sizes[l - 1];
      const width = net.sizes[l];
      const offset = weightOffset(net, l);
      const c = net.weightScales[l - 1];
      gemmInto(true, false, fanIn, width, n, c, dense(inputs[l - 1], fanIn), dense(delta, width), 0, { data: gradient, offset, ld: width });
      if (net.hasBias) {
        const s = net.biasScales[l - 1];
        const b = offset + fanIn * width;
        gradient.fill(0, b, b + width);
        for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) gradient[b + j] += s * delta[i * width + j];
      }
      if (l === 1) break;
      const below = new Float64Array(n * fanIn);
      gemmInto(false, true, n, fanIn, width, c, dense(delta, width), { data: params, offset, ld: width }, 0, dense(below, fanIn));
      const slope = slopes[l - 2];
      for (let i = 0; i < below.length; i++) below[i] *= slope[i];
      delta = below;
    }
    for (let i = 0; i < params.length; i++) params[i] -= rate * gradient[i];
  }
  return { params, losses };
}
