// A finite network given as a lowered program (src/stax/program.ts) on a batch of n rows; the reference is
// src/backend/ts/network.ts. Every export takes the program as (program, attributes, count, widths, output).
// Values are n × width matrices; cotangents have n·m rows, row r belonging to example ⌊r/m⌋ (m = k output
// seeds for Jacobians and NTKs, m = 1 for training). Tables hold one pointer per value.
//
// Signals are kept for every output at once: G is (n·k) × width with row i·k + o equal to ∂f_o(x_i)/∂z.
// Viewed as n × (k·width) the same memory puts all outputs of an example in one row, so Σ_o G_o·G_oᵀ is a
// single gemm ('mean' NTK), while the (n·k)-row view gives every output pair ('full').
import { mark, release, scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { axpy } from "../linalg/vector";
import { activate, derivative } from "../nn/activations";
import { OP_ACTIVATION, OP_DENSE, OP_LAYER_NORM } from "./opcodes";
import { attribute, field, pointerAt, setPointer, widthOf } from "./program";

// dense attributes (src/core/opcodes.ts): has a bias, then the scales c and s of z = c·h·W + s·b.
const HAS_BIAS: i32 = 3;
const WEIGHT_SCALE: i32 = 5;
const BIAS_SCALE: i32 = 6;

// @ts-ignore: decorator
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

/** Parameters of the network: every dense layer's W then b. */
function parameterCount(program: usize, attributes: usize, count: i32, widths: usize): i32 {
  let total = 0;
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const width = widthOf(widths, field(program, t, 3));
    total += widthOf(widths, field(program, t, 1)) * width + (attribute(attributes, t, HAS_BIAS) != 0.0 ? width : 0);
  }
  return total;
}

function denseCount(program: usize, count: i32): i32 {
  let dense = 0;
  for (let t = 0; t < count; t++) if (field(program, t, 0) == OP_DENSE) dense++;
  return dense;
}

/** The highest value id + 1: the input and one per instruction. */
// @ts-ignore: decorator
@inline function valueCount(count: i32): i32 {
  return count + 1;
}

/**
 * The forward pass: values[v] for every value (values[0] = x), slopes[v] = φ′ at the input of every activation
 * output v, inverses[v] = 1/σ per row of every layerNorm output v. Tables of count + 1 pointers.
 */
function forward(
  program: usize, attributes: usize, count: i32, widths: usize, params: usize, x: usize, n: i32,
  values: usize, slopes: usize, inverses: usize,
): void {
  setPointer(values, 0, x);
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    const a = field(program, t, 1);
    const out = field(program, t, 3);
    const h = pointerAt(values, a);
    const width = widthOf(widths, out);
    const size = n * width;
    const z = scratch(<usize>size << 3);
    if (op == OP_DENSE) {
      const fanIn = widthOf(widths, a);
      const w = params + (<usize>field(program, t, 4) << 3);
      gemm(0, 0, n, width, fanIn, attribute(attributes, t, WEIGHT_SCALE), h, fanIn, w, width, 0.0, z, width);
      if (attribute(attributes, t, HAS_BIAS) != 0.0) {
        const b = w + (<usize>(fanIn * width) << 3);
        const s = attribute(attributes, t, BIAS_SCALE);
        for (let i = 0; i < n; i++) axpy(width, s, b, z + (<usize>i * <usize>width << 3));
      }
    } else if (op == OP_ACTIVATION) {
      const kind = <i32>attribute(attributes, t, 0);
      const leak = attribute(attributes, t, 1);
      const slope = scratch(<usize>size << 3);
      for (let i = 0; i < size; i++) {
        const v = f64At(h, i);
        store<f64>(slope + (<usize>i << 3), derivative(kind, v, leak));
        store<f64>(z + (<usize>i << 3), activate(kind, v, leak));
      }
      setPointer(slopes, out, slope);
    } else if (op == OP_LAYER_NORM) {
      const eps = attribute(attributes, t, 0);
      const inverse = scratch(<usize>n << 3);
      for (let i = 0; i < n; i++) {
        const row = h + (<usize>i * <usize>width << 3);
        let mean = 0.0;
        for (let j = 0; j < width; j++) mean += f64At(row, j);
        mean /= <f64>width;
        let variance = 0.0;
        for (let j = 0; j < width; j++) variance += (f64At(row, j) - mean) * (f64At(row, j) - mean);
        const scale = 1.0 / Math.sqrt(eps + variance / <f64>width);
        store<f64>(inverse + (<usize>i << 3), scale);
        for (let j = 0; j < width; j++) store<f64>(z + ((<usize>i * <usize>width + <usize>j) << 3), (f64At(row, j) - mean) * scale);
      }
      setPointer(inverses, out, inverse);
    } else {
      const second = pointerAt(values, field(program, t, 2));
      memory.copy(z, h, <usize>size << 3);
      axpy(size, 1.0, second, z);
    }
    setPointer(values, out, z);
  }
}

// The cotangent of value v (rows × its width), zeroed on first use.
function cotangentOf(cotangents: usize, v: i32, bytes: usize): usize {
  let g = pointerAt(cotangents, v);
  if (g == 0) {
    g = scratch(bytes);
    memory.fill(g, 0, bytes);
    setPointer(cotangents, v, g);
  }
  return g;
}

/**
 * Cotangents of every value into the table `cotangents` (0 where no path reaches the output), from `seed`
 * (n·m × k) at the output. With gradient ≠ 0 (m = 1), also adds ∂/∂θ of ⟨seed, f⟩ to it.
 */
function backward(
  program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize, n: i32, m: i32,
  seed: usize, values: usize, slopes: usize, inverses: usize, cotangents: usize, gradient: usize,
): void {
  const rows = n * m;
  memory.fill(cotangents, 0, <usize>valueCount(count) << 2);
  setPointer(cotangents, output, seed);
  for (let t = count - 1; t >= 0; t--) {
    const op = field(program, t, 0);
    const a = field(program, t, 1);
    const out = field(program, t, 3);
    const g = pointerAt(cotangents, out);
    if (g == 0) continue;
    const width = widthOf(widths, out);
    const inputBytes = <usize>rows * <usize>widthOf(widths, a) << 3;
    if (op == OP_DENSE) {
      const fanIn = widthOf(widths, a);
      const offset = field(program, t, 4);
      const w = params + (<usize>offset << 3);
      const c = attribute(attributes, t, WEIGHT_SCALE);
      if (gradient != 0) {
        gemm(1, 0, fanIn, width, n, c, pointerAt(values, a), fanIn, g, width, 1.0, gradient + (<usize>offset << 3), width);
        if (attribute(attributes, t, HAS_BIAS) != 0.0) {
          const gb = gradient + (<usize>(offset + fanIn * width) << 3);
          const s = attribute(attributes, t, BIAS_SCALE);
          for (let i = 0; i < n; i++) axpy(width, s, g + (<usize>i * <usize>width << 3), gb);
        }
      }
      // The input's cotangent is needed only if something below it carries parameters.
      if (a != 0) gemm(0, 1, rows, fanIn, width, c, g, width, w, width, 1.0, cotangentOf(cotangents, a, inputBytes), fanIn);
    } else if (op == OP_ACTIVATION) {
      const target = cotangentOf(cotangents, a, inputBytes);
      const slope = pointerAt(slopes, out);
      for (let r = 0; r < rows; r++) {
        const gRow = g + (<usize>r * <usize>width << 3);
        const tRow = target + (<usize>r * <usize>width << 3);
        const sRow = slope + (<usize>(r / m) * <usize>width << 3);
        for (let j = 0; j < width; j++) {
          const at = <usize>j << 3;
          store<f64>(tRow + at, load<f64>(tRow + at) + load<f64>(gRow + at) * load<f64>(sRow + at));
        }
      }
    } else if (op == OP_LAYER_NORM) {
      // y = (h − mean)/σ: ∂h = (g − mean(g) − y·mean(g ⊙ y))/σ per row.
      const target = cotangentOf(cotangents, a, inputBytes);
      const y = pointerAt(values, out);
      const inverse = pointerAt(inverses, out);
      for (let r = 0; r < rows; r++) {
        const i = r / m;
        const gRow = g + (<usize>r * <usize>width << 3);
        const tRow = target + (<usize>r * <usize>width << 3);
        const yRow = y + (<usize>i * <usize>width << 3);
        let meanG = 0.0;
        let meanGy = 0.0;
        for (let j = 0; j < width; j++) {
          meanG += f64At(gRow, j);
          meanGy += f64At(gRow, j) * f64At(yRow, j);
        }
        meanG /= <f64>width;
        meanGy /= <f64>width;
        const scale = f64At(inverse, i);
        for (let j = 0; j < width; j++) {
          const at = <usize>j << 3;
          store<f64>(tRow + at, load<f64>(tRow + at) + scale * (load<f64>(gRow + at) - meanG - load<f64>(yRow + at) * meanGy));
        }
      }
    } else {
      axpy(rows * width, 1.0, g, cotangentOf(cotangents, a, inputBytes));
      axpy(rows * width, 1.0, g, cotangentOf(cotangents, field(program, t, 2), inputBytes));
    }
  }
}

/**
 * Forward pass and signals (m = k seeds) for n rows of x: returns a table of 2D pointers for the D dense
 * layers in order, their inputs H then the signals G at their outputs (zeros where no path reaches f).
 */
function denseTerms(program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize, x: usize, n: i32): usize {
  const k = widthOf(widths, output);
  const tableBytes = <usize>valueCount(count) << 2;
  const values = scratch(tableBytes);
  const slopes = scratch(tableBytes);
  const inverses = scratch(tableBytes);
  const cotangents = scratch(tableBytes);
  forward(program, attributes, count, widths, params, x, n, values, slopes, inverses);
  const rows = n * k;
  const seed = scratch(<usize>rows * <usize>k << 3);
  memory.fill(seed, 0, <usize>rows * <usize>k << 3);
  for (let r = 0; r < rows; r++) store<f64>(seed + ((<usize>r * <usize>k + <usize>(r % k)) << 3), 1.0);
  backward(program, attributes, count, widths, output, params, n, k, seed, values, slopes, inverses, cotangents, 0);
  const dense = denseCount(program, count);
  const table = scratch(<usize>(2 * dense) << 2);
  let d = 0;
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const out = field(program, t, 3);
    setPointer(table, d, pointerAt(values, field(program, t, 1)));
    setPointer(table, dense + d, cotangentOf(cotangents, out, <usize>rows * <usize>widthOf(widths, out) << 3));
    d++;
  }
  return table;
}

/** Outputs for rows [r0, r1) of x into the same rows of out (n × k), so threads can share one call. */
export function netForward(program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize, x: usize, r0: i32, r1: i32, out: usize): void {
  const saved = mark();
  const tableBytes = <usize>valueCount(count) << 2;
  const values = scratch(tableBytes);
  const k = <usize>widthOf(widths, output);
  forward(program, attributes, count, widths, params, x + (<usize>r0 * <usize>widthOf(widths, 0) << 3), r1 - r0, values, scratch(tableBytes), scratch(tableBytes));
  memory.copy(out + (<usize>r0 * k << 3), pointerAt(values, output), <usize>(r1 - r0) * k << 3);
  release(saved);
}

/**
 * Pass 1 of the structured NTK for rows [r0, r1) of x, so threads can share one pass: the dense layers'
 * inputs and signals of those rows, copied into the full-size arrays of `table` (2D pointers as denseTerms
 * returns; an H that is x itself is not copied).
 */
export function netSignals(
  program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize,
  x: usize, r0: i32, r1: i32, table: usize,
): void {
  const saved = mark();
  const k = widthOf(widths, output);
  const rows = <usize>(r1 - r0);
  const block = denseTerms(program, attributes, count, widths, output, params, x + (<usize>r0 * <usize>widthOf(widths, 0) << 3), r1 - r0);
  const dense = denseCount(program, count);
  let d = 0;
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const a = field(program, t, 1);
    const fanIn = <usize>widthOf(widths, a);
    const signalRow = <usize>k * <usize>widthOf(widths, field(program, t, 3));
    if (a != 0) memory.copy(pointerAt(table, d) + (<usize>r0 * fanIn << 3), pointerAt(block, d), rows * fanIn << 3);
    memory.copy(pointerAt(table, dense + d) + (<usize>r0 * signalRow << 3), pointerAt(block, dense + d), rows * signalRow << 3);
    d++;
  }
  release(saved);
}

/**
 * Pass 2 of the structured NTK (no Jacobian) for example rows [r0, r1) of x1, from the tables of netSignals:
 * Θ = Σ over dense layers of (c²·H(x1)·H(x2)ᵀ + s²) ⊙ (G(x1)·G(x2)ᵀ).
 * full = 0: n1 × n2, averaged over outputs; full = 1: (n1·k) × (n2·k). t2 = 0: x2 is x1 (symmetric; the
 * lower triangle is computed and mirrored).
 */
export function netNtkRows(
  program: usize, attributes: usize, count: i32, widths: usize, output: i32,
  t1: usize, n1: i32, t2: usize, n2: i32, full: i32, out: usize, r0: i32, r1: i32,
): void {
  const saved = mark();
  const symmetric = t2 == 0;
  const second = symmetric ? t1 : t2;
  const k = widthOf(widths, output);
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const rowStart = full ? r0 * k : r0;
  const rowEnd = full ? r1 * k : r1;
  const blockBytes = <usize>(rowEnd - rowStart) * <usize>outCols << 3;
  // Only the part this block computes: when symmetric, the upper triangle of these rows belongs to the
  // mirrors of later blocks, which may already have written it.
  for (let r = rowStart; r < rowEnd; r++) {
    memory.fill(out + (<usize>r * <usize>outCols << 3), 0, <usize>(symmetric ? r + 1 : outCols) << 3);
  }
  // Products for this block's rows only; the bases are shifted so row i of the matrix is at base + i·cols.
  const inner = scratch(<usize>(r1 - r0) * <usize>n2 << 3) - (<usize>r0 * <usize>n2 << 3);
  const signalProducts = scratch(blockBytes) - (<usize>rowStart * <usize>outCols << 3);
  const outputWeight = full ? 1.0 : 1.0 / <f64>k;
  const dense = denseCount(program, count);
  let d = 0;
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const fanIn = widthOf(widths, field(program, t, 1));
    const width = widthOf(widths, field(program, t, 3));
    const h1 = pointerAt(t1, d);
    const h2 = pointerAt(second, d);
    const g1 = pointerAt(t1, dense + d);
    const g2 = pointerAt(second, dense + d);
    // 'mean' views G as n × (k·width); 'full' as (n·k) × width.
    const gRows2 = full ? n2 * k : n2;
    const gCols = full ? width : k * width;
    if (symmetric) {
      syrkLower(n1, fanIn, h1, inner, r0, r1);
      syrkLower(outRows, gCols, g1, signalProducts, rowStart, rowEnd);
    } else {
      gemm(0, 1, r1 - r0, n2, fanIn, 1.0, h1 + (<usize>r0 * <usize>fanIn << 3), fanIn, h2, fanIn, 0.0, inner + (<usize>r0 * <usize>n2 << 3), n2);
      gemm(0, 1, rowEnd - rowStart, gRows2, gCols, 1.0, g1 + (<usize>rowStart * <usize>gCols << 3), gCols, g2, gCols, 0.0,
        signalProducts + (<usize>rowStart * <usize>outCols << 3), outCols);
    }
    const c = attribute(attributes, t, WEIGHT_SCALE);
    const s = attribute(attributes, t, BIAS_SCALE);
    const c2 = c * c;
    const s2 = attribute(attributes, t, HAS_BIAS) != 0.0 ? s * s : 0.0;
    for (let r = rowStart; r < rowEnd; r++) {
      const i = full ? r / k : r;
      const last = symmetric ? r + 1 : outCols;
      const outRow = out + (<usize>r * <usize>outCols << 3);
      const productRow = signalProducts + (<usize>r * <usize>outCols << 3);
      const innerRow = inner + (<usize>i * <usize>n2 << 3);
      for (let q = 0; q < last; q++) {
        const j = full ? q / k : q;
        const o = outRow + (<usize>q << 3);
        store<f64>(o, load<f64>(o) + outputWeight * (c2 * f64At(innerRow, j) + s2) * f64At(productRow, q));
      }
    }
    d++;
  }
  if (symmetric) mirrorLower(outRows, out, rowStart, rowEnd);
  release(saved);
}

/** Jacobian rows for n rows of x into out ((n·k) × P, leading dimension ld ≥ P). */
function jacobianRows(program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize, x: usize, n: i32, out: usize, ld: i32): void {
  const saved = mark();
  const k = widthOf(widths, output);
  const table = denseTerms(program, attributes, count, widths, output, params, x, n);
  const dense = denseCount(program, count);
  let d = 0;
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const fanIn = widthOf(widths, field(program, t, 1));
    const width = widthOf(widths, field(program, t, 3));
    const offset = field(program, t, 4);
    const h = pointerAt(table, d);
    const g = pointerAt(table, dense + d);
    const c = attribute(attributes, t, WEIGHT_SCALE);
    const s = attribute(attributes, t, BIAS_SCALE);
    const hasBias = attribute(attributes, t, HAS_BIAS) != 0.0;
    for (let r = 0; r < n * k; r++) {
      const gRow = g + (<usize>r * <usize>width << 3);
      const hRow = h + (<usize>(r / k) * <usize>fanIn << 3);
      const jRow = out + ((<usize>r * <usize>ld + <usize>offset) << 3);
      // ∂f/∂W[a][b] = c·h[a]·g[b]: row a of the block is g scaled by c·h[a].
      for (let a = 0; a < fanIn; a++) {
        const dst = jRow + (<usize>(a * width) << 3);
        memory.fill(dst, 0, <usize>width << 3);
        axpy(width, c * f64At(hRow, a), gRow, dst);
      }
      if (hasBias) {
        const dst = jRow + (<usize>(fanIn * width) << 3);
        memory.fill(dst, 0, <usize>width << 3);
        axpy(width, s, gRow, dst);
      }
    }
    d++;
  }
  release(saved);
}

/** Jacobian rows of the examples [r0, r1) of x into the same rows of out ((n·k) × P), so threads can share one call. */
export function netJacobian(program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize, x: usize, r0: i32, r1: i32, out: usize): void {
  const p = parameterCount(program, attributes, count, widths);
  const rowBytes = <usize>widthOf(widths, output) * <usize>p << 3;
  jacobianRows(program, attributes, count, widths, output, params, x + (<usize>r0 * <usize>widthOf(widths, 0) << 3), r1 - r0, out + <usize>r0 * rowBytes, p);
}

/**
 * Empirical NTK by Jacobian contraction, J(x1)·J(x2)ᵀ, for the example rows [r0, r1) of x1 (so threads can share
 * one call), in blocks of `block` examples so that at most two Jacobian blocks live at once. full and x2 = 0 as in
 * netNtkRows (symmetric: the lower triangle of these rows, then mirrored).
 */
export function netNtkJacobian(
  program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize,
  x1: usize, n1: i32, x2: usize, n2: i32, full: i32, block: i32, out: usize, r0: i32, r1: i32,
): void {
  const saved = mark();
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  const d = widthOf(widths, 0);
  const k = widthOf(widths, output);
  const p = parameterCount(program, attributes, count, widths);
  const outCols = full ? n2 * k : n2;
  const j1 = scratch(<usize>block * <usize>k * <usize>p << 3);
  const j2 = scratch(<usize>block * <usize>k * <usize>p << 3);
  const scale = full ? 1.0 : 1.0 / <f64>k;
  // 'mean' views a Jacobian block as examples × (k·P); 'full' as (examples·k) × P.
  const inner = full ? p : k * p;
  for (let ib = r0; ib < r1; ib += block) {
    const rows = min(block, r1 - ib);
    jacobianRows(program, attributes, count, widths, output, params, x1 + (<usize>(ib * d) << 3), rows, j1, p);
    const columnEnd = symmetric ? ib + rows : n2;
    for (let jb = 0; jb < columnEnd; jb += block) {
      const cols = min(block, columnEnd - jb);
      jacobianRows(program, attributes, count, widths, output, params, second + (<usize>(jb * d) << 3), cols, j2, p);
      const c = out + ((<usize>(full ? ib * k : ib) * <usize>outCols + <usize>(full ? jb * k : jb)) << 3);
      gemm(0, 1, full ? rows * k : rows, full ? cols * k : cols, inner, scale, j1, inner, j2, inner, 0.0, c, outCols);
    }
  }
  if (symmetric) mirrorLower(full ? n1 * k : n1, out, full ? r0 * k : r0, full ? r1 * k : r1);
  release(saved);
}

/**
 * One share of a full-batch gradient step, rows [r0, r1): writes Σ‖f − y‖² over those rows to `loss` and,
 * when gradient ≠ 0, the gradient of Σ‖f − y‖²/2 over them (P doubles) to `gradient`.
 */
export function netGradient(
  program: usize, attributes: usize, count: i32, widths: usize, output: i32, params: usize,
  x: usize, y: usize, r0: i32, r1: i32, gradient: usize, loss: usize,
): void {
  const saved = mark();
  const k = widthOf(widths, output);
  const n = r1 - r0;
  const tableBytes = <usize>valueCount(count) << 2;
  const values = scratch(tableBytes);
  const slopes = scratch(tableBytes);
  const inverses = scratch(tableBytes);
  forward(program, attributes, count, widths, params, x + (<usize>r0 * <usize>widthOf(widths, 0) << 3), n, values, slopes, inverses);
  const f = pointerAt(values, output);
  const targets = y + (<usize>r0 * <usize>k << 3);
  const residual = scratch(<usize>n * <usize>k << 3);
  let sum = 0.0;
  for (let i = 0; i < n * k; i++) {
    const r = f64At(f, i) - f64At(targets, i);
    store<f64>(residual + (<usize>i << 3), r);
    sum += r * r;
  }
  store<f64>(loss, sum);
  if (gradient != 0) {
    memory.fill(gradient, 0, <usize>parameterCount(program, attributes, count, widths) << 3);
    backward(program, attributes, count, widths, output, params, n, 1, residual, values, slopes, inverses, scratch(tableBytes), gradient);
  }
  release(saved);
}

/** θ ← θ − rate·Σ of the `parts` partial gradients (p doubles each, one after the other). */
export function netDescend(params: usize, gradients: usize, parts: i32, p: i32, rate: f64): void {
  for (let part = 0; part < parts; part++) axpy(p, -rate, gradients + (<usize>part * <usize>p << 3), params);
}
