// Reference versions of assembly/net/network.ts: a finite network given as a lowered program
// (src/stax/program.ts) on a batch of n rows. Values are n × width matrices; cotangents have n·m rows, row
// r belonging to example ⌊r/m⌋ (m = k output seeds for Jacobians and NTKs, m = 1 for training).
import { activate, derivative } from '../../core/activations.js';
import { OP, instructionsOf } from '../../core/opcodes.js';
import type { DescentResult, Program } from '../types.js';
import { type Strided, dense, gemmInto } from './gemm.js';
import { mirrorLower, syrkLowerInto } from './linalg.js';

/** The forward pass: every value, φ′ at every activation's input, and 1/σ per row at every layerNorm. */
interface Pass {
  values: Float64Array[];
  slopes: Float64Array[];
  inverseScales: Float64Array[];
}

function forward(program: Program, params: Float64Array, x: Float64Array, n: number): Pass {
  const { widths } = program;
  const pass: Pass = { values: [x], slopes: [], inverseScales: [] };
  for (const { op, a, b, out, offset, attrs } of instructionsOf(program)) {
    const h = pass.values[a];
    const width = widths[out];
    const z = new Float64Array(n * width);
    if (op === OP.dense) {
      const fanIn = widths[a];
      gemmInto(false, false, n, width, fanIn, attrs[5], dense(h, fanIn), { data: params, offset, ld: width }, 0, dense(z, width));
      if (attrs[3]) {
        const bias = offset + fanIn * width;
        for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) z[i * width + j] += attrs[6] * params[bias + j];
      }
    } else if (op === OP.activation) {
      pass.slopes[out] = h.map((v) => derivative(attrs[0], v, attrs[1]));
      for (let i = 0; i < z.length; i++) z[i] = activate(attrs[0], h[i], attrs[1]);
    } else if (op === OP.layerNorm) {
      const inverse = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const row = h.subarray(i * width, (i + 1) * width);
        const mean = row.reduce((sum, v) => sum + v, 0) / width;
        const variance = row.reduce((sum, v) => sum + (v - mean) * (v - mean), 0) / width;
        inverse[i] = 1 / Math.sqrt(attrs[0] + variance);
        for (let j = 0; j < width; j++) z[i * width + j] = (row[j] - mean) * inverse[i];
      }
      pass.inverseScales[out] = inverse;
    } else {
      const second = pass.values[b];
      for (let i = 0; i < z.length; i++) z[i] = h[i] + second[i];
    }
    pass.values[out] = z;
  }
  return pass;
}

/**
 * Cotangents of every value from `seed` (n·m × k) at the output. With `gradient` (m = 1), also accumulates
 * ∂/∂θ of ⟨seed, f⟩ into it.
 */
function backward(program: Program, params: Float64Array, pass: Pass, n: number, m: number, seed: Float64Array, gradient?: Float64Array): Float64Array[] {
  const { widths } = program;
  const rows = n * m;
  const cotangents: Float64Array[] = [];
  cotangents[program.output] = seed;
  const into = (value: number) => (cotangents[value] ??= new Float64Array(rows * widths[value]));
  for (const { op, a, b, out, offset, attrs } of instructionsOf(program).reverse()) {
    const g = cotangents[out];
    if (g === undefined) continue;
    const width = widths[out];
    if (op === OP.dense) {
      const fanIn = widths[a];
      if (gradient) {
        gemmInto(true, false, fanIn, width, n, attrs[5], dense(pass.values[a], fanIn), dense(g, width), 1, { data: gradient, offset, ld: width });
        if (attrs[3]) {
          const bias = offset + fanIn * width;
          for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) gradient[bias + j] += attrs[6] * g[i * width + j];
        }
      }
      // The input's cotangent is needed only if something below it carries parameters.
      if (a !== 0) gemmInto(false, true, rows, fanIn, width, attrs[5], dense(g, width), { data: params, offset, ld: width }, 1, dense(into(a), fanIn));
    } else if (op === OP.activation) {
      const target = into(a);
      const slope = pass.slopes[out];
      for (let r = 0; r < rows; r++) {
        const base = Math.floor(r / m) * width;
        for (let j = 0; j < width; j++) target[r * width + j] += g[r * width + j] * slope[base + j];
      }
    } else if (op === OP.layerNorm) {
      // y = (h − mean)/σ: ∂h = (g − mean(g) − y·mean(g ⊙ y))/σ per row.
      const target = into(a);
      const y = pass.values[out];
      const inverse = pass.inverseScales[out];
      for (let r = 0; r < rows; r++) {
        const i = Math.floor(r / m);
        let meanG = 0;
        let meanGy = 0;
        for (let j = 0; j < width; j++) {
          meanG += g[r * width + j];
          meanGy += g[r * width + j] * y[i * width + j];
        }
        meanG /= width;
        meanGy /= width;
        for (let j = 0; j < width; j++) target[r * width + j] += inverse[i] * (g[r * width + j] - meanG - y[i * width + j] * meanGy);
      }
    } else {
      for (const input of [a, b]) {
        const target = into(input);
        for (let i = 0; i < g.length; i++) target[i] += g[i];
      }
    }
  }
  return cotangents;
}

/** Per dense layer: its input H (n × fanIn) and the signals G at its output ((n·k) × width). */
interface DenseTerm {
  offset: number;
  fanIn: number;
  width: number;
  weightScale: number;
  biasScale: number;
  hasBias: boolean;
  h: Float64Array;
  g: Float64Array;
}

function denseTerms(program: Program, params: Float64Array, x: Float64Array, n: number): DenseTerm[] {
  const k = program.widths[program.output];
  const pass = forward(program, params, x, n);
  const seed = new Float64Array(n * k * k);
  for (let r = 0; r < n * k; r++) seed[r * k + (r % k)] = 1;
  const signals = backward(program, params, pass, n, k, seed);
  return instructionsOf(program).filter((i) => i.op === OP.dense).map(({ a, out, offset, attrs }) => ({
    offset, fanIn: program.widths[a], width: program.widths[out], weightScale: attrs[5], biasScale: attrs[6], hasBias: attrs[3] !== 0,
    h: pass.values[a], g: signals[out] ?? new Float64Array(n * k * program.widths[out]),
  }));
}

export function networkForward(program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array {
  return forward(program, params, x, n).values[program.output];
}

function jacobianRowsInto(program: Program, params: Float64Array, x: Float64Array, n: number, out: Float64Array, ld: number): void {
  const k = program.widths[program.output];
  for (const { offset, fanIn, width, weightScale, biasScale, hasBias, h, g } of denseTerms(program, params, x, n)) {
    for (let r = 0; r < n * k; r++) {
      const hRow = Math.floor(r / k) * fanIn;
      const jRow = r * ld + offset;
      for (let a = 0; a < fanIn; a++) {
        const scale = weightScale * h[hRow + a];
        for (let b = 0; b < width; b++) out[jRow + a * width + b] = scale * g[r * width + b];
      }
      if (hasBias) for (let b = 0; b < width; b++) out[jRow + fanIn * width + b] = biasScale * g[r * width + b];
    }
  }
}

export function networkJacobian(program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array {
  const k = program.widths[program.output];
  const out = new Float64Array(n * k * program.paramCount);
  jacobianRowsInto(program, params, x, n, out, program.paramCount);
  return out;
}

/** Θ = Σ over dense layers of (c²·H1H2ᵀ + s²) ⊙ (G1G2ᵀ), never forming the Jacobian. */
function structuredNtk(program: Program, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean): Float64Array {
  const k = program.widths[program.output];
  const symmetric = x2 === null;
  const terms1 = denseTerms(program, params, x1, n1);
  const terms2 = x2 === null ? terms1 : denseTerms(program, params, x2, n2);
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const out = new Float64Array(outRows * outCols);
  const inner = new Float64Array(n1 * n2);
  const products = new Float64Array(outRows * outCols);
  const outputWeight = full ? 1 : 1 / k;
  terms1.forEach((t1, l) => {
    const t2 = terms2[l];
    // 'mean' views G as n × (k·width); 'full' as (n·k) × width.
    const gCols = full ? t1.width : k * t1.width;
    if (symmetric) {
      syrkLowerInto(t1.h, n1, t1.fanIn, inner);
      syrkLowerInto(t1.g, outRows, gCols, products);
    } else {
      gemmInto(false, true, n1, n2, t1.fanIn, 1, dense(t1.h, t1.fanIn), dense(t2.h, t1.fanIn), 0, dense(inner, n2));
      gemmInto(false, true, outRows, outCols, gCols, 1, dense(t1.g, gCols), dense(t2.g, gCols), 0, dense(products, outCols));
    }
    const c2 = t1.weightScale ** 2;
    const s2 = t1.hasBias ? t1.biasScale ** 2 : 0;
    for (let r = 0; r < outRows; r++) {
      const i = full ? Math.floor(r / k) : r;
      const last = symmetric ? r + 1 : outCols;
      for (let q = 0; q < last; q++) {
        const j = full ? Math.floor(q / k) : q;
        out[r * outCols + q] += outputWeight * (c2 * inner[i * n2 + j] + s2) * products[r * outCols + q];
      }
    }
  });
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

function jacobianNtk(program: Program, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean, block: number): Float64Array {
  const d = program.widths[0];
  const k = program.widths[program.output];
  const p = program.paramCount;
  const symmetric = x2 === null;
  const second = x2 ?? x1;
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const out = new Float64Array(outRows * outCols);
  const j1 = new Float64Array(block * k * p);
  const j2 = new Float64Array(block * k * p);
  for (let jb = 0; jb < n2; jb += block) {
    const cols = Math.min(block, n2 - jb);
    jacobianRowsInto(program, params, second.subarray(jb * d, (jb + cols) * d), cols, j2, p);
    for (let ib = symmetric ? jb : 0; ib < n1; ib += block) {
      const rows = Math.min(block, n1 - ib);
      jacobianRowsInto(program, params, x1.subarray(ib * d, (ib + rows) * d), rows, j1, p);
      // 'mean' views a Jacobian block as examples × (k·P); 'full' as (examples·k) × P.
      const inner = full ? p : k * p;
      const c: Strided = { data: out, offset: (full ? ib * k : ib) * outCols + (full ? jb * k : jb), ld: outCols };
      gemmInto(false, true, full ? rows * k : rows, full ? cols * k : cols, inner, full ? 1 : 1 / k, dense(j1, inner), dense(j2, inner), 0, c);
    }
  }
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

export function networkNtk(
  program: Program, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number,
  full: boolean, implementation: 'structured' | 'jacobian', block: number,
): Float64Array {
  return implementation === 'structured' ? structuredNtk(program, params, x1, n1, x2, n2, full) : jacobianNtk(program, params, x1, n1, x2, n2, full, block);
}

export function networkTrain(
  program: Program, initial: Float64Array, x: Float64Array, y: Float64Array, n: number, steps: number, rate: number, lossScale: number,
): DescentResult {
  const params = initial.slice();
  const gradient = new Float64Array(params.length);
  const losses = new Float64Array(steps + 1);
  for (let t = 0; t <= steps; t++) {
    const pass = forward(program, params, x, n);
    const residual = pass.values[program.output].slice();
    let loss = 0;
    for (let i = 0; i < residual.length; i++) {
      residual[i] -= y[i];
      loss += residual[i] * residual[i];
    }
    losses[t] = loss * lossScale;
    if (t === steps) break;
    gradient.fill(0);
    backward(program, params, pass, n, 1, residual, gradient);
    for (let i = 0; i < params.length; i++) params[i] -= rate * gradient[i];
  }
  return { params, losses };
}
