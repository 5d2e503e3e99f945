// Reference versions of assembly/net/network.ts: a finite network given as a lowered program
// (src/model/program.ts) on a batch of n rows. A value is n rows of positions × channels (channels last);
// cotangents have n·m rows, row r belonging to example ⌊r/m⌋ (m = k output seeds for Jacobians and NTKs, m = 1
// for training). Dense and conv layers are one affine op: a dense layer is a pointwise (1×1) convolution.
import { activationUnit } from '../../ops/activations/index.js';
import { OP, SLOTS, TERM, type Instruction, instructionsOf, unknownOp } from '../../core/layout.js';
import { channelsOf, isPointwise, positionsOf, sizeOf, spatialOf, termForm, windowOf } from '../../core/shapes.js';
import type { DescentResult } from '../types.js';
import type { Program } from '../../core/layout.js';
import { type Strided, dense, gemmInto } from './gemm.js';
import { mirrorLower, syrkLowerInto } from './linalg.js';
import { type Taps, addPatchesInto, addPooledInto, patchesInto, poolInto, tapsOf } from './net/window.js';

/** An affine (dense or conv) instruction with its sizes: z = c·patches(h)·W + s·b at every output position. */
interface Affine {
  offset: number;
  inChannels: number;
  outChannels: number;
  inSize: number;
  outPositions: number;
  /** Taps × input channels: the rows of W. */
  fanIn: number;
  weightScale: number;
  biasScale: number;
  hasBias: boolean;
  /** null for a pointwise layer, whose patches are its input rows. */
  taps: Taps | null;
}

function affineOf(program: Program, { a, out, offset, attrs }: Instruction): Affine {
  const window = windowOf(attrs);
  const inChannels = channelsOf(program, a);
  return {
    offset, inChannels, outChannels: channelsOf(program, out), inSize: sizeOf(program, a), outPositions: positionsOf(program, out),
    fanIn: window.kh * window.kw * inChannels, weightScale: attrs[5], biasScale: attrs[6], hasBias: attrs[3] !== 0,
    taps: isPointwise(window) ? null : tapsOf(window, ...spatialOf(program, a), ...spatialOf(program, out)),
  };
}

/** The patches of example i (outPositions × fanIn): its own rows for a pointwise layer, else built in `buffer`. */
function patchesOf(layer: Affine, h: Float64Array, i: number, buffer: Float64Array): Strided {
  if (layer.taps === null) return { data: h, offset: i * layer.inSize, ld: layer.fanIn };
  patchesInto(layer.taps, h, i * layer.inSize, layer.inChannels, buffer);
  return dense(buffer, layer.fanIn);
}

const weightsOf = (layer: Affine, params: Float64Array): Strided => ({ data: params, offset: layer.offset, ld: layer.outChannels });

/** Pooling taps of an avgPool instruction. */
const poolTaps = (program: Program, { a, out, attrs }: Instruction) => tapsOf(windowOf(attrs), ...spatialOf(program, a), ...spatialOf(program, out));

/** A layerNorm's groups per example (1 over all axes, else one per position) and the numbers in each. */
const normGroups = (program: Program, { a, attrs }: Instruction) =>
  attrs[1] !== 0 ? { groups: 1, groupSize: sizeOf(program, a) } : { groups: positionsOf(program, a), groupSize: channelsOf(program, a) };

/** The forward pass: every value, φ′ at every activation's input, and 1/σ per group at every layerNorm. */
interface Pass {
  values: Float64Array[];
  slopes: Float64Array[];
  inverseScales: Float64Array[];
}

function forward(program: Program, params: Float64Array, x: Float64Array, n: number): Pass {
  const pass: Pass = { values: [x], slopes: [], inverseScales: [] };
  for (const instruction of instructionsOf(program)) {
    const { op, a, b, out, attrs } = instruction;
    const h = pass.values[a];
    const size = sizeOf(program, out);
    const z = new Float64Array(n * size);
    if (op === OP.dense) {
      const layer = affineOf(program, instruction);
      const w = weightsOf(layer, params);
      if (layer.taps === null) {
        gemmInto(false, false, n * layer.outPositions, layer.outChannels, layer.fanIn, layer.weightScale, dense(h, layer.fanIn), w, 0, dense(z, layer.outChannels));
      } else {
        const buffer = new Float64Array(layer.outPositions * layer.fanIn);
        for (let i = 0; i < n; i++) {
          gemmInto(false, false, layer.outPositions, layer.outChannels, layer.fanIn, layer.weightScale, patchesOf(layer, h, i, buffer), w, 0,
            { data: z, offset: i * size, ld: layer.outChannels });
        }
      }
      if (layer.hasBias) {
        const bias = layer.offset + layer.fanIn * layer.outChannels;
        for (let r = 0; r < n * layer.outPositions; r++) {
          for (let j = 0; j < layer.outChannels; j++) z[r * layer.outChannels + j] += layer.biasScale * params[bias + j];
        }
      }
    } else if (op === OP.activation) {
      const unit = activationUnit(attrs[SLOTS.activation.id]);
      const parameters = attrs.subarray(SLOTS.activation.firstParameter);
      const slope = unit.slope(parameters);
      const phi = unit.phi(parameters);
      pass.slopes[out] = h.map((v) => slope(v));
      for (let i = 0; i < z.length; i++) z[i] = phi(h[i]);
    } else if (op === OP.layerNorm) {
      const { groups, groupSize } = normGroups(program, instruction);
      const inverse = new Float64Array(n * groups);
      for (let g = 0; g < n * groups; g++) {
        const group = h.subarray(g * groupSize, (g + 1) * groupSize);
        const mean = group.reduce((sum, v) => sum + v, 0) / groupSize;
        const variance = group.reduce((sum, v) => sum + (v - mean) * (v - mean), 0) / groupSize;
        inverse[g] = 1 / Math.sqrt(attrs[0] + variance);
        for (let j = 0; j < groupSize; j++) z[g * groupSize + j] = (group[j] - mean) * inverse[g];
      }
      pass.inverseScales[out] = inverse;
    } else if (op === OP.avgPool) {
      const taps = poolTaps(program, instruction);
      for (let i = 0; i < n; i++) poolInto(taps, h, i * sizeOf(program, a), channelsOf(program, a), z, i * size);
    } else if (op === OP.globalAvgPool) {
      const positions = positionsOf(program, a);
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < positions; p++) for (let ch = 0; ch < size; ch++) z[i * size + ch] += h[(i * positions + p) * size + ch] / positions;
      }
    } else if (op === OP.flatten) {
      z.set(h);
    } else if (op === OP.sum) {
      const second = pass.values[b];
      for (let i = 0; i < z.length; i++) z[i] = h[i] + second[i];
    } else {
      throw unknownOp('network (forward)', op);
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
  const rows = n * m;
  const cotangents: Float64Array[] = [];
  cotangents[program.output] = seed;
  const into = (value: number) => (cotangents[value] ??= new Float64Array(rows * sizeOf(program, value)));
  for (const instruction of instructionsOf(program).reverse()) {
    const { op, a, b, out } = instruction;
    const g = cotangents[out];
    if (g === undefined) continue;
    const size = sizeOf(program, out);
    const inSize = sizeOf(program, a);
    if (op === OP.dense) {
      const layer = affineOf(program, instruction);
      const w = weightsOf(layer, params);
      const { outPositions, outChannels, fanIn, weightScale } = layer;
      const buffer = new Float64Array(outPositions * fanIn);
      if (gradient) {
        const gradientW = { data: gradient, offset: layer.offset, ld: outChannels };
        if (layer.taps === null) {
          gemmInto(true, false, fanIn, outChannels, n * outPositions, weightScale, dense(pass.values[a], fanIn), dense(g, outChannels), 1, gradientW);
        } else {
          for (let i = 0; i < n; i++) {
            gemmInto(true, false, fanIn, outChannels, outPositions, weightScale, patchesOf(layer, pass.values[a], i, buffer),
              { data: g, offset: i * size, ld: outChannels }, 1, gradientW);
          }
        }
        if (layer.hasBias) {
          const bias = layer.offset + fanIn * outChannels;
          for (let r = 0; r < n * outPositions; r++) for (let j = 0; j < outChannels; j++) gradient[bias + j] += layer.biasScale * g[r * outChannels + j];
        }
      }
      // The input's cotangent is needed only if something below it carries parameters.
      if (a === 0) continue;
      const target = into(a);
      if (layer.taps === null) {
        gemmInto(false, true, rows * outPositions, fanIn, outChannels, weightScale, dense(g, outChannels), w, 1, dense(target, fanIn));
      } else {
        for (let r = 0; r < rows; r++) {
          gemmInto(false, true, outPositions, fanIn, outChannels, weightScale, { data: g, offset: r * size, ld: outChannels }, w, 0, dense(buffer, fanIn));
          addPatchesInto(layer.taps, buffer, layer.inChannels, target, r * inSize);
        }
      }
    } else if (op === OP.activation) {
      const target = into(a);
      const slope = pass.slopes[out];
      for (let r = 0; r < rows; r++) {
        const base = Math.floor(r / m) * size;
        for (let j = 0; j < size; j++) target[r * size + j] += g[r * size + j] * slope[base + j];
      }
    } else if (op === OP.layerNorm) {
      // y = (h − mean)/σ per group: ∂h = (g − mean(g) − y·mean(g ⊙ y))/σ.
      const target = into(a);
      const y = pass.values[out];
      const inverse = pass.inverseScales[out];
      const { groups, groupSize } = normGroups(program, instruction);
      for (let r = 0; r < rows; r++) {
        for (let q = 0; q < groups; q++) {
          const at = r * size + q * groupSize;
          const yAt = Math.floor(r / m) * size + q * groupSize;
          let meanG = 0;
          let meanGy = 0;
          for (let j = 0; j < groupSize; j++) {
            meanG += g[at + j];
            meanGy += g[at + j] * y[yAt + j];
          }
          meanG /= groupSize;
          meanGy /= groupSize;
          const scale = inverse[Math.floor(r / m) * groups + q];
          for (let j = 0; j < groupSize; j++) target[at + j] += scale * (g[at + j] - meanG - y[yAt + j] * meanGy);
        }
      }
    } else if (op === OP.avgPool) {
      const taps = poolTaps(program, instruction);
      const target = into(a);
      for (let r = 0; r < rows; r++) addPooledInto(taps, g, r * size, channelsOf(program, a), target, r * inSize);
    } else if (op === OP.globalAvgPool) {
      const target = into(a);
      const positions = positionsOf(program, a);
      for (let r = 0; r < rows; r++) {
        for (let p = 0; p < positions; p++) for (let ch = 0; ch < size; ch++) target[(r * positions + p) * size + ch] += g[r * size + ch] / positions;
      }
    } else if (op === OP.sum || op === OP.flatten) {
      for (const input of op === OP.sum ? [a, b] : [a]) {
        const target = into(input);
        for (let i = 0; i < g.length; i++) target[i] += g[i];
      }
    } else {
      throw unknownOp('network (backward)', op);
    }
  }
  return cotangents;
}

/** The forward pass and the signals of all k outputs (cotangents with one seed per output). */
function signals(program: Program, params: Float64Array, x: Float64Array, n: number): { pass: Pass; cotangents: Float64Array[] } {
  const k = channelsOf(program, program.output);
  const pass = forward(program, params, x, n);
  const seed = new Float64Array(n * k * k);
  for (let r = 0; r < n * k; r++) seed[r * k + (r % k)] = 1;
  return { pass, cotangents: backward(program, params, pass, n, k, seed) };
}

const affineInstructions = (program: Program) => instructionsOf(program).filter((i) => i.op === OP.dense);

/** One affine layer's block of Jacobian rows: ∂f_o(x_i)/∂W = c·patchesᵀ·G and ∂f_o(x_i)/∂b = s·Σ_positions G. */
function layerJacobianInto(layer: Affine, h: Float64Array, g: Float64Array, n: number, k: number, out: Float64Array, ld: number, column: number): void {
  const { outPositions, outChannels, fanIn } = layer;
  const buffer = new Float64Array(outPositions * fanIn);
  const gSize = outPositions * outChannels;
  for (let i = 0; i < n; i++) {
    const patches = patchesOf(layer, h, i, buffer);
    for (let o = 0; o < k; o++) {
      const r = i * k + o;
      gemmInto(true, false, fanIn, outChannels, outPositions, layer.weightScale, patches, { data: g, offset: r * gSize, ld: outChannels }, 0,
        { data: out, offset: r * ld + column, ld: outChannels });
      if (!layer.hasBias) continue;
      const bias = r * ld + column + fanIn * outChannels;
      out.fill(0, bias, bias + outChannels);
      for (let p = 0; p < outPositions; p++) for (let j = 0; j < outChannels; j++) out[bias + j] += layer.biasScale * g[r * gSize + p * outChannels + j];
    }
  }
}

const layerParams = (layer: Affine) => layer.fanIn * layer.outChannels + (layer.hasBias ? layer.outChannels : 0);

export function networkForward(program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array {
  return forward(program, params, x, n).values[program.output];
}

function jacobianRowsInto(program: Program, params: Float64Array, x: Float64Array, n: number, out: Float64Array, ld: number): void {
  const k = channelsOf(program, program.output);
  const { pass, cotangents } = signals(program, params, x, n);
  for (const instruction of affineInstructions(program)) {
    const layer = affineOf(program, instruction);
    const g = cotangents[instruction.out] ?? new Float64Array(n * k * sizeOf(program, instruction.out));
    layerJacobianInto(layer, pass.values[instruction.a], g, n, k, out, ld, layer.offset);
  }
}

export function networkJacobian(program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array {
  const k = channelsOf(program, program.output);
  const out = new Float64Array(n * k * program.paramCount);
  jacobianRowsInto(program, params, x, n, out, program.paramCount);
  return out;
}

/**
 * One affine layer's part of the structured NTK (src/core/shapes.ts, termForm). dense (one output position):
 * its patches H (n × fanIn) and signals G ((n·k) × out). jacobian: its per-example weight gradients (the
 * layer's Jacobian block, (n·k) × its parameters). pairs: every example's patches (S × fanIn), its signals
 * ('mean': S × k·out, the outputs side by side at each position; 'full': (k·S) × out) and their sums over
 * positions ((n·k) × out, for the bias).
 */
type LayerTerm =
  | { form: typeof TERM.dense; layer: Affine; h: Float64Array; g: Float64Array }
  | { form: typeof TERM.jacobian; layer: Affine; jacobian: Float64Array }
  | { form: typeof TERM.pairs; layer: Affine; patches: Float64Array; signals: Float64Array; sums: Float64Array };

function layerTerms(program: Program, params: Float64Array, x: Float64Array, n: number, full: boolean): LayerTerm[] {
  const k = channelsOf(program, program.output);
  const { pass, cotangents } = signals(program, params, x, n);
  return affineInstructions(program).map((instruction): LayerTerm => {
    const layer = affineOf(program, instruction);
    const { outPositions: positions, outChannels: channels, fanIn } = layer;
    const h = pass.values[instruction.a];
    const g = cotangents[instruction.out] ?? new Float64Array(n * k * sizeOf(program, instruction.out));
    const form = termForm(positions, fanIn, channels, k, full);
    if (form === TERM.jacobian) {
      const p = layerParams(layer);
      const jacobian = new Float64Array(n * k * p);
      layerJacobianInto(layer, h, g, n, k, jacobian, p, 0);
      return { form, layer, jacobian };
    }
    if (form === TERM.pairs) {
      const patches = new Float64Array(n * positions * fanIn);
      const buffer = new Float64Array(positions * fanIn);
      const sums = new Float64Array(n * k * channels);
      const signalsOf = full ? g : new Float64Array(g.length);
      for (let i = 0; i < n; i++) {
        const rows = patchesOf(layer, h, i, buffer);
        patches.set(rows.data.subarray(rows.offset, rows.offset + positions * fanIn), i * positions * fanIn);
        for (let o = 0; o < k; o++) {
          for (let p = 0; p < positions; p++) {
            for (let ch = 0; ch < channels; ch++) {
              const v = g[((i * k + o) * positions + p) * channels + ch];
              sums[(i * k + o) * channels + ch] += v;
              if (!full) signalsOf[((i * positions + p) * k + o) * channels + ch] = v;
            }
          }
        }
      }
      return { form, layer, patches, signals: signalsOf, sums };
    }
    if (layer.taps === null) return { form: TERM.dense, layer, h, g };
    // One output position reading a window of the input: its patches are the layer's inputs.
    const patches = new Float64Array(n * fanIn);
    for (let i = 0; i < n; i++) patchesInto(layer.taps, h, i * layer.inSize, layer.inChannels, patches.subarray(i * fanIn));
    return { form: TERM.dense, layer, h: patches, g };
  });
}

/**
 * The position-pair form of a weight-sharing layer's term, added into out (lower triangle when symmetric):
 * c²·Σ_{p,p′}(PᵢPⱼᵀ)(GᵢGⱼᵀ) + s²·⟨1ᵀGᵢ, 1ᵀGⱼ⟩ per pair of examples (and of outputs for 'full'; 'mean' sums the
 * outputs inside GᵢGⱼᵀ, then divides by k).
 */
function addPositionPairs(t1: Extract<LayerTerm, { form: 2 }>, t2: Extract<LayerTerm, { form: 2 }>, n1: number, n2: number, k: number, full: boolean, symmetric: boolean, out: Float64Array): void {
  const { outPositions: positions, outChannels: channels, fanIn, weightScale, biasScale, hasBias } = t1.layer;
  const outCols = full ? n2 * k : n2;
  const c2 = weightScale ** 2;
  const s2 = hasBias ? biasScale ** 2 : 0;
  const patchProduct = new Float64Array(positions * positions);
  const signalProduct = new Float64Array(positions * positions);
  const sumsDot = (r: number, q: number) => {
    let sum = 0;
    for (let ch = 0; ch < channels; ch++) sum += t1.sums[r * channels + ch] * t2.sums[q * channels + ch];
    return sum;
  };
  const weightTerm = () => patchProduct.reduce((sum, v, e) => sum + v * signalProduct[e], 0);
  const block = positions * (full ? channels : k * channels);
  const columns = full ? channels : k * channels;
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < (symmetric ? i + 1 : n2); j++) {
      gemmInto(false, true, positions, positions, fanIn, 1, { data: t1.patches, offset: i * positions * fanIn, ld: fanIn },
        { data: t2.patches, offset: j * positions * fanIn, ld: fanIn }, 0, dense(patchProduct, positions));
      if (!full) {
        gemmInto(false, true, positions, positions, columns, 1, { data: t1.signals, offset: i * block, ld: columns },
          { data: t2.signals, offset: j * block, ld: columns }, 0, dense(signalProduct, positions));
        let bias = 0;
        for (let o = 0; o < k; o++) bias += sumsDot(i * k + o, j * k + o);
        out[i * outCols + j] += (c2 * weightTerm() + s2 * bias) / k;
        continue;
      }
      for (let o = 0; o < k; o++) {
        for (let o2 = 0; o2 < (symmetric && j === i ? o + 1 : k); o2++) {
          gemmInto(false, true, positions, positions, channels, 1, { data: t1.signals, offset: (i * k + o) * block, ld: channels },
            { data: t2.signals, offset: (j * k + o2) * block, ld: channels }, 0, dense(signalProduct, positions));
          out[(i * k + o) * outCols + j * k + o2] += c2 * weightTerm() + s2 * sumsDot(i * k + o, j * k + o2);
        }
      }
    }
  }
}

/** Θ = Σ over affine layers of their terms, never forming the whole Jacobian. */
function structuredNtk(program: Program, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean): Float64Array {
  const k = channelsOf(program, program.output);
  const symmetric = x2 === null;
  const terms1 = layerTerms(program, params, x1, n1, full);
  const terms2 = x2 === null ? terms1 : layerTerms(program, params, x2, n2, full);
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const out = new Float64Array(outRows * outCols);
  const inner = new Float64Array(n1 * n2);
  const products = new Float64Array(outRows * outCols);
  const outputWeight = full ? 1 : 1 / k;
  // 'mean' views (n·k)-row blocks as n × (k·columns); 'full' as (n·k) × columns.
  const productInto = (a: Float64Array, b: Float64Array, columns: number, target: Float64Array) => {
    const cols = full ? columns : k * columns;
    if (symmetric) syrkLowerInto(a, outRows, cols, target);
    else gemmInto(false, true, outRows, outCols, cols, 1, dense(a, cols), dense(b, cols), 0, dense(target, outCols));
  };
  terms1.forEach((t1, l) => {
    const t2 = terms2[l];
    if (t1.form === TERM.pairs) {
      addPositionPairs(t1, t2 as typeof t1, n1, n2, k, full, symmetric, out);
      return;
    }
    if (t1.form === TERM.jacobian) {
      productInto(t1.jacobian, (t2 as typeof t1).jacobian, layerParams(t1.layer), products);
      for (let r = 0; r < outRows; r++) {
        for (let q = 0, last = symmetric ? r + 1 : outCols; q < last; q++) out[r * outCols + q] += outputWeight * products[r * outCols + q];
      }
      return;
    }
    const { fanIn, outChannels, weightScale, biasScale, hasBias } = t1.layer;
    if (symmetric) syrkLowerInto(t1.h, n1, fanIn, inner);
    else gemmInto(false, true, n1, n2, fanIn, 1, dense(t1.h, fanIn), dense((t2 as typeof t1).h, fanIn), 0, dense(inner, n2));
    productInto(t1.g, (t2 as typeof t1).g, outChannels, products);
    const c2 = weightScale ** 2;
    const s2 = hasBias ? biasScale ** 2 : 0;
    for (let r = 0; r < outRows; r++) {
      const i = full ? Math.floor(r / k) : r;
      for (let q = 0, last = symmetric ? r + 1 : outCols; q < last; q++) {
        const j = full ? Math.floor(q / k) : q;
        out[r * outCols + q] += outputWeight * (c2 * inner[i * n2 + j] + s2) * products[r * outCols + q];
      }
    }
  });
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

function jacobianNtk(program: Program, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean, block: number): Float64Array {
  const d = sizeOf(program, 0);
  const k = channelsOf(program, program.output);
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
