// Dense networks z_l = c_l·h_{l−1}·W_l + s_l·b_l, h_l = φ(z_l), f = z_L, on a batch of n rows.
// A network is passed as flat arguments: `layers` = L, `sizes` (L + 1 i32: input, widths, outputs),
// `scales` (2L f64: c_1..c_L then s_1..s_L), `hasBias`, `activation` and `leak`; `params` holds, layer by
// layer, W_l (fanIn × fanOut, row-major) then b_l when hasBias.
//
// Backpropagated signals are kept for every output at once: G_l is (n·k) × width_l with row i·k + o equal
// to ∂f_o(x_i)/∂z_l. Viewed as n × (k·width_l) the same memory puts all outputs of an example in one row,
// so Σ_o G_o·G_oᵀ is a single gemm ('mean' NTK), while the (n·k)-row view gives every output pair ('full').
import { mark, release, scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { axpy } from "../linalg/vector";
import { activate, derivative } from "./activations";

// @ts-ignore: decorator
@inline function sizeAt(sizes: usize, l: i32): i32 {
  return load<i32>(sizes + (<usize>l << 2));
}

// @ts-ignore: decorator
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function ptrAt(table: usize, i: i32): usize {
  return load<usize>(table + (<usize>i << 2));
}

/** Offset (in doubles) of W_l in params, for l = 1..L; l = L + 1 gives the parameter count. */
function weightOffset(sizes: usize, hasBias: i32, l: i32): i32 {
  let offset = 0;
  for (let m = 1; m < l; m++) offset += sizeAt(sizes, m - 1) * sizeAt(sizes, m) + (hasBias ? sizeAt(sizes, m) : 0);
  return offset;
}

/**
 * Forward pass over n rows of x. Fills `inputs` (table of L pointers: h_0 = x, h_1, …, h_{L−1}) and
 * `slopes` (table of L pointers: φ′(z_l) for l = 1..L−1) when they are non-zero; writes f (n × k) to out.
 */
function forward(
  layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64,
  params: usize, x: usize, n: i32, inputs: usize, slopes: usize, out: usize,
): void {
  let h = x;
  for (let l = 1; l <= layers; l++) {
    const fanIn = sizeAt(sizes, l - 1);
    const fanOut = sizeAt(sizes, l);
    if (inputs != 0) store<usize>(inputs + (<usize>(l - 1) << 2), h);
    const w = params + (<usize>weightOffset(sizes, hasBias, l) << 3);
    const z = l == layers ? out : scratch(<usize>n * <usize>fanOut << 3);
    gemm(0, 0, n, fanOut, fanIn, f64At(scales, l - 1), h, fanIn, w, fanOut, 0.0, z, fanOut);
    if (hasBias) {
      const b = w + (<usize>(fanIn * fanOut) << 3);
      const s = f64At(scales, layers + l - 1);
      for (let i = 0; i < n; i++) axpy(fanOut, s, b, z + (<usize>i * <usize>fanOut << 3));
    }
    if (l == layers) break;
    const count = n * fanOut;
    if (slopes != 0) {
      const slope = scratch(<usize>count << 3);
      for (let i = 0; i < count; i++) store<f64>(slope + (<usize>i << 3), derivative(activation, f64At(z, i), leak));
      store<usize>(slopes + (<usize>(l - 1) << 2), slope);
    }
    for (let i = 0; i < count; i++) store<f64>(z + (<usize>i << 3), activate(activation, f64At(z, i), leak));
    h = z;
  }
}

/** G_l for l = 1..L into the table `signals` (L pointers), from a forward pass that kept `slopes`. */
function backwardSignals(layers: i32, sizes: usize, scales: usize, hasBias: i32, params: usize, n: i32, slopes: usize, signals: usize): void {
  const k = sizeAt(sizes, layers);
  const rows = n * k;
  const top = scratch(<usize>rows * <usize>k << 3);
  memory.fill(top, 0, <usize>rows * <usize>k << 3);
  for (let r = 0; r < rows; r++) store<f64>(top + ((<usize>r * <usize>k + <usize>(r % k)) << 3), 1.0);
  store<usize>(signals + (<usize>(layers - 1) << 2), top);
  for (let l = layers - 1; l >= 1; l--) {
    const width = sizeAt(sizes, l);
    const above = sizeAt(sizes, l + 1);
    const w = params + (<usize>weightOffset(sizes, hasBias, l + 1) << 3);
    const g = scratch(<usize>rows * <usize>width << 3);
    gemm(0, 1, rows, width, above, f64At(scales, l), ptrAt(signals, l), above, w, above, 0.0, g, width);
    const slope = ptrAt(slopes, l - 1);
    for (let r = 0; r < rows; r++) {
      const gRow = g + (<usize>r * <usize>width << 3);
      const sRow = slope + (<usize>(r / k) * <usize>width << 3);
      for (let j = 0; j < width; j++) {
        const q = gRow + (<usize>j << 3);
        store<f64>(q, load<f64>(q) * f64At(sRow, j));
      }
    }
    store<usize>(signals + (<usize>(l - 1) << 2), g);
  }
}

/** Forward pass and signals for n rows of x: returns a table of 2L pointers (inputs, then signals). */
function activationsAndSignals(layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64, params: usize, x: usize, n: i32): usize {
  const k = sizeAt(sizes, layers);
  const table = scratch(<usize>(2 * layers) << 2);
  const slopes = scratch(<usize>layers << 2);
  const out = scratch(<usize>n * <usize>k << 3);
  forward(layers, sizes, scales, hasBias, activation, leak, params, x, n, table, slopes, out);
  backwardSignals(layers, sizes, scales, hasBias, params, n, slopes, table + (<usize>layers << 2));
  return table;
}

export function mlpForward(layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64, params: usize, x: usize, n: i32, out: usize): void {
  const saved = mark();
  forward(layers, sizes, scales, hasBias, activation, leak, params, x, n, 0, 0, out);
  release(saved);
}

/**
 * Pass 1 of the structured NTK for rows [r0, r1) of x, so threads can share one pass: the forward pass and
 * signals of those rows, copied into full-size arrays. `table` holds 2L pointers: H_0 = x (not copied),
 * H_1..H_{L−1} (n × fanIn each), then G_1..G_L ((n·k) × width each).
 */
export function mlpSignals(
  layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64, params: usize,
  x: usize, r0: i32, r1: i32, table: usize,
): void {
  const saved = mark();
  const k = sizeAt(sizes, layers);
  const rows = <usize>(r1 - r0);
  const block = activationsAndSignals(layers, sizes, scales, hasBias, activation, leak, params, x + (<usize>r0 * <usize>sizeAt(sizes, 0) << 3), r1 - r0);
  for (let l = 1; l <= layers; l++) {
    const fanIn = <usize>sizeAt(sizes, l - 1);
    const width = <usize>sizeAt(sizes, l);
    if (l > 1) memory.copy(ptrAt(table, l - 1) + (<usize>r0 * fanIn << 3), ptrAt(block, l - 1), rows * fanIn << 3);
    const signalRow = <usize>k * width;
    memory.copy(ptrAt(table, layers + l - 1) + (<usize>r0 * signalRow << 3), ptrAt(block, layers + l - 1), rows * signalRow << 3);
  }
  release(saved);
}

/**
 * Pass 2 of the structured NTK (no Jacobian) for example rows [r0, r1) of x1, from the tables of mlpSignals:
 * Θ = Σ_l (c_l²·H_{l−1}(x1)·H_{l−1}(x2)ᵀ + s_l²) ⊙ (G_l(x1)·G_l(x2)ᵀ).
 * full = 0: n1 × n2, averaged over outputs; full = 1: (n1·k) × (n2·k). t2 = 0: x2 is x1 (symmetric; the
 * lower triangle is computed and mirrored).
 */
export function mlpNtkRows(
  layers: i32, sizes: usize, scales: usize, hasBias: i32,
  t1: usize, n1: i32, t2: usize, n2: i32, full: i32, out: usize, r0: i32, r1: i32,
): void {
  const saved = mark();
  const symmetric = t2 == 0;
  const second = symmetric ? t1 : t2;
  const k = sizeAt(sizes, layers);
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
  for (let l = 1; l <= layers; l++) {
    const fanIn = sizeAt(sizes, l - 1);
    const width = sizeAt(sizes, l);
    const h1 = ptrAt(t1, l - 1);
    const h2 = ptrAt(second, l - 1);
    const g1 = ptrAt(t1, layers + l - 1);
    const g2 = ptrAt(second, layers + l - 1);
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
    const c = f64At(scales, l - 1);
    const s = f64At(scales, layers + l - 1);
    const c2 = c * c;
    const s2 = hasBias ? s * s : 0.0;
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
  }
  if (symmetric) mirrorLower(outRows, out, rowStart, rowEnd);
  release(saved);
}

/** Jacobian rows for n rows of x into out ((n·k) × P, leading dimension ld ≥ P). */
function jacobianRows(layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64, params: usize, x: usize, n: i32, out: usize, ld: i32): void {
  const saved = mark();
  const k = sizeAt(sizes, layers);
  const table = activationsAndSignals(layers, sizes, scales, hasBias, activation, leak, params, x, n);
  for (let l = 1; l <= layers; l++) {
    const fanIn = sizeAt(sizes, l - 1);
    const width = sizeAt(sizes, l);
    const offset = weightOffset(sizes, hasBias, l);
    const h = ptrAt(table, l - 1);
    const g = ptrAt(table, layers + l - 1);
    const c = f64At(scales, l - 1);
    const s = f64At(scales, layers + l - 1);
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
  }
  release(saved);
}

export function mlpJacobian(layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64, params: usize, x: usize, n: i32, out: usize): void {
  jacobianRows(layers, sizes, scales, hasBias, activation, leak, params, x, n, out, weightOffset(sizes, hasBias, layers + 1));
}

/**
 * Empirical NTK by Jacobian contraction, J(x1)·J(x2)ᵀ, in blocks of `block` examples so that at most two
 * Jacobian blocks live at once. full and x2 = 0 as in mlpNtk.
 */
export function mlpNtkJacobian(
  layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64, params: usize,
  x1: usize, n1: i32, x2: usize, n2: i32, full: i32, block: i32, out: usize,
): void {
  const saved = mark();
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  const d = sizeAt(sizes, 0);
  const k = sizeAt(sizes, layers);
  const p = weightOffset(sizes, hasBias, layers + 1);
  const outCols = full ? n2 * k : n2;
  const j1 = scratch(<usize>block * <usize>k * <usize>p << 3);
  const j2 = scratch(<usize>block * <usize>k * <usize>p << 3);
  const scale = full ? 1.0 : 1.0 / <f64>k;
  for (let jb = 0; jb < n2; jb += block) {
    const cols = min(block, n2 - jb);
    jacobianRows(layers, sizes, scales, hasBias, activation, leak, params, second + (<usize>(jb * d) << 3), cols, j2, p);
    for (let ib = symmetric ? jb : 0; ib < n1; ib += block) {
      const rows = min(block, n1 - ib);
      jacobianRows(layers, sizes, scales, hasBias, activation, leak, params, x1 + (<usize>(ib * d) << 3), rows, j1, p);
      // 'mean' views a Jacobian block as examples × (k·P); 'full' as (examples·k) × P.
      const m = full ? rows * k : rows;
      const nn = full ? cols * k : cols;
      const inner = full ? p : k * p;
      const c = out + ((<usize>(full ? ib * k : ib) * <usize>outCols + <usize>(full ? jb * k : jb)) << 3);
      gemm(0, 1, m, nn, inner, scale, j1, inner, j2, inner, 0.0, c, outCols);
    }
  }
  if (symmetric) mirrorLower(full ? n1 * k : n1, out, 0, full ? n1 * k : n1);
  release(saved);
}

/**
 * Full-batch gradient descent on L = ‖f − y‖²·lossScale: θ ← θ − rate·∇θ(‖f − y‖²/2), so rate = η/N and
 * lossScale = 1/(2N). Updates params in place; writes steps + 1 losses.
 */
export function mlpTrain(
  layers: i32, sizes: usize, scales: usize, hasBias: i32, activation: i32, leak: f64, params: usize,
  x: usize, y: usize, n: i32, steps: i32, rate: f64, lossScale: f64, losses: usize,
): void {
  const k = sizeAt(sizes, layers);
  const p = weightOffset(sizes, hasBias, layers + 1);
  const gradient = scratch(<usize>p << 3);
  const f = scratch(<usize>n * <usize>k << 3);
  const inputs = scratch(<usize>layers << 2);
  const slopes = scratch(<usize>layers << 2);
  for (let t = 0; t <= steps; t++) {
    const saved = mark();
    forward(layers, sizes, scales, hasBias, activation, leak, params, x, n, inputs, slopes, f);
    let loss = 0.0;
    for (let i = 0; i < n * k; i++) {
      const r = f64At(f, i) - f64At(y, i);
      store<f64>(f + (<usize>i << 3), r);
      loss += r * r;
    }
    store<f64>(losses + (<usize>t << 3), loss * lossScale);
    if (t == steps) {
      release(saved);
      break;
    }
    // delta_l = ∂(‖f − y‖²/2)/∂z_l, from delta_L = f − y downwards.
    let delta = f;
    for (let l = layers; l >= 1; l--) {
      const fanIn = sizeAt(sizes, l - 1);
      const width = sizeAt(sizes, l);
      const offset = weightOffset(sizes, hasBias, l);
      const c = f64At(scales, l - 1);
      const w = params + (<usize>offset << 3);
      gemm(1, 0, fanIn, width, n, c, ptrAt(inputs, l - 1), fanIn, delta, width, 0.0, gradient + (<usize>offset << 3), width);
      if (hasBias) {
        const gb = gradient + (<usize>(offset + fanIn * width) << 3);
        memory.fill(gb, 0, <usize>width << 3);
        const s = f64At(scales, layers + l - 1);
        for (let i = 0; i < n; i++) axpy(width, s, delta + (<usize>i * <usize>width << 3), gb);
      }
      if (l == 1) break;
      const below = scratch(<usize>n * <usize>fanIn << 3);
      gemm(0, 1, n, fanIn, width, c, delta, width, w, width, 0.0, below, fanIn);
      const slope = ptrAt(slopes, l - 2);
      for (let i = 0; i < n * fanIn; i++) store<f64>(below + (<usize>i << 3), f64At(below, i) * f64At(slope, i));
      delta = below;
    }
    axpy(p, -rate, gradient, params);
    release(saved);
  }
}
