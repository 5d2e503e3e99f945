// A finite network given as a lowered program (src/model/program.ts) on a batch of n rows; the reference is
// src/backend/ts/net/network.ts. Every export takes the program as (program, attributes, count, shapes, output).
// A value is n rows of positions × channels (channels last); cotangents have n·m rows, row r belonging to
// example ⌊r/m⌋ (m = k output seeds for Jacobians and NTKs, m = 1 for training). Each op's passes are its own
// (assembly/ops/<op>.ts), reached through the generated dispatch by opcode; this file names no op.
//
// Signals are kept for every output at once: G is (n·k) × size with row i·k + o equal to ∂f_o(x_i)/∂z.
// Viewed as n × (k·size) the same memory puts all outputs of an example in one row, so Σ_o G_o·G_oᵀ is a
// single gemm ('mean' NTK), while the (n·k)-row view gives every output pair ('full').
import { mark, release, scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower } from "../linalg/syrk";
import { addTermOp, backwardOp, forwardOp, hasParameters, jacobianOp, parameterCountOp, tangentOp, termOp, termWidthsOp } from "../generated/ops";
import { Net, Terms, f64At, rowAt } from "../ops/unit";
import { channelsOf, field, pointerAt, rowWidthOf, setPointer, sideWidthOf, sizeOf } from "./program";
import { LOSS_CROSS_ENTROPY, LOSS_MSE, OPTIMIZER_MOMENTUM, OPTIMIZER_SGD } from "../generated/layout";
import { logF64 } from "../math";

/** Parameters of the network: every parameterized instruction's, in θ's order. */
function parameterCount(program: usize, attributes: usize, count: i32, shapes: usize): i32 {
  let total = 0;
  for (let t = 0; t < count; t++) total += parameterCountOp(field(program, t, 0), program, attributes, shapes, t);
  return total;
}

/** Instructions that carry parameters (the terms of the structured NTK). */
function parameterized(program: usize, count: i32): i32 {
  let terms = 0;
  for (let t = 0; t < count; t++) if (hasParameters(field(program, t, 0))) terms++;
  return terms;
}

/** A pass over n rows (m seeds per example backward), with empty tables of one pointer per value (count + 1). */
function newNet(program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, n: i32, m: i32): Net {
  const net = changetype<Net>(scratch(offsetof<Net>()));
  const tableBytes = (<usize>(count + 1)) << 2;
  net.program = program;
  net.attributes = attributes;
  net.count = count;
  net.shapes = shapes;
  net.output = output;
  net.params = params;
  net.n = n;
  net.m = m;
  net.values = scratch(tableBytes);
  net.kept = scratch(tableBytes);
  net.cotangents = scratch(tableBytes);
  net.gradient = 0;
  net.firstRow = 0;
  net.step = 0;
  return net;
}

/**
 * The forward pass on the pass's n rows at x (each the input's entries, then the side's): every value (values[0] the
 * inputs), the sides, and what each op keeps for its backward.
 */
function forward(net: Net, x: usize): void {
  const width = sideWidthOf(net.shapes, net.count);
  let input = x;
  if (width > 0) {
    const d = sizeOf(net.shapes, 0);
    input = scratch((<usize>net.n * <usize>d) << 3);
    net.side = scratch((<usize>net.n * <usize>width) << 3);
    for (let r = 0; r < net.n; r++) {
      const row = rowAt(x, r, d + width);
      memory.copy(rowAt(input, r, d), row, (<usize>d) << 3);
      memory.copy(rowAt(net.side, r, width), row + ((<usize>d) << 3), (<usize>width) << 3);
    }
  }
  setPointer(net.values, 0, input);
  for (let t = 0; t < net.count; t++) {
    const out = field(net.program, t, 3);
    const z = scratch((<usize>net.n * <usize>sizeOf(net.shapes, out)) << 3);
    forwardOp(field(net.program, t, 0), net, t, z);
    setPointer(net.values, out, z);
  }
}

/**
 * Cotangents of every value (0 where no path reaches the output), from `seed` (n·m × k) at the output. With
 * net.gradient ≠ 0 (m = 1), also adds ∂/∂θ of ⟨seed, f⟩ to it.
 */
function backward(net: Net, seed: usize): void {
  memory.fill(net.cotangents, 0, (<usize>(net.count + 1)) << 2);
  setPointer(net.cotangents, net.output, seed);
  for (let t = net.count - 1; t >= 0; t--) {
    const g = pointerAt(net.cotangents, field(net.program, t, 3));
    if (g != 0) backwardOp(field(net.program, t, 0), net, t, g);
  }
}

/** Forward pass and signals (m = k seeds, one per output) for n rows of x, the first being example firstRow of the call. */
function signalPass(program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, x: usize, n: i32, firstRow: i32): Net {
  const k = channelsOf(shapes, output);
  const net = newNet(program, attributes, count, shapes, output, params, n, k);
  net.firstRow = firstRow;
  forward(net, x);
  const rows = n * k;
  const seed = scratch((<usize>rows * <usize>k) << 3);
  memory.fill(seed, 0, (<usize>rows * <usize>k) << 3);
  for (let r = 0; r < rows; r++) store<f64>(seed + ((<usize>r * <usize>k + <usize>(r % k)) << 3), 1.0);
  backward(net, seed);
  return net;
}

/** Outputs for rows [r0, r1) of x into the same rows of out (n × k), so threads can share one call. */
export function netForward(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x: usize,
  r0: i32,
  r1: i32,
  out: usize,
): void {
  const saved = mark();
  const k = <usize>channelsOf(shapes, output);
  const net = newNet(program, attributes, count, shapes, output, params, r1 - r0, 1);
  net.firstRow = r0;
  forward(net, rowAt(x, r0, rowWidthOf(shapes, count)));
  memory.copy(out + ((<usize>r0 * k) << 3), pointerAt(net.values, output), (<usize>(r1 - r0) * k) << 3);
  release(saved);
}

/**
 * Pass 1 of the structured NTK for rows [r0, r1) of x, so threads can share one pass: the terms of those rows
 * (each parameterized instruction's in the form `forms` gives it, see its op's term pass), copied into the
 * full-size arrays of `table` (3D pointers in the same layout; an array that is x itself is not copied).
 */
export function netSignals(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x: usize,
  r0: i32,
  r1: i32,
  table: usize,
  forms: usize,
  full: i32,
): void {
  const saved = mark();
  const k = channelsOf(shapes, output);
  const rows = <usize>(r1 - r0);
  const terms = parameterized(program, count);
  const net = signalPass(program, attributes, count, shapes, output, params, rowAt(x, r0, rowWidthOf(shapes, count)), r1 - r0, r0);
  const block = scratch((<usize>(3 * terms)) << 2);
  const widths = scratch(3 << 2);
  let d = 0;
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    if (!hasParameters(op)) continue;
    const form = load<i32>(forms + ((<usize>d) << 2));
    termOp(op, net, t, form, full != 0, block, d, terms);
    termWidthsOp(op, program, attributes, shapes, t, form, k, widths);
    for (let part = 0; part < 3; part++) {
      const width = <usize>load<i32>(widths + ((<usize>part) << 2));
      const slot = part * terms + d;
      const target = pointerAt(table, slot);
      if (width != 0 && target != x) memory.copy(target + ((<usize>r0 * width) << 3), pointerAt(block, slot), (rows * width) << 3);
    }
    d++;
  }
  release(saved);
}

/**
 * Pass 2 of the structured NTK (no Jacobian) for example rows [r0, r1) of x1, from the tables of netSignals: the
 * sum over parameterized instructions of their term's products (forms: one TERM_* per such instruction).
 * full = 0: n1 × n2, averaged over outputs; full = 1: (n1·k) × (n2·k). t2 = 0: x2 is x1 (symmetric; the
 * lower triangle is computed and mirrored).
 */
export function netNtkRows(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  t1: usize,
  n1: i32,
  t2: usize,
  n2: i32,
  full: i32,
  out: usize,
  r0: i32,
  r1: i32,
  forms: usize,
): void {
  const saved = mark();
  const symmetric = t2 == 0;
  const k = channelsOf(shapes, output);
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const rowStart = full ? r0 * k : r0;
  const rowEnd = full ? r1 * k : r1;
  // Only the part this block computes: when symmetric, the upper triangle of these rows belongs to the
  // mirrors of later blocks, which may already have written it.
  for (let r = rowStart; r < rowEnd; r++) {
    memory.fill(out + ((<usize>r * <usize>outCols) << 3), 0, (<usize>(symmetric ? r + 1 : outCols)) << 3);
  }
  const terms = changetype<Terms>(scratch(offsetof<Terms>()));
  terms.program = program;
  terms.attributes = attributes;
  terms.shapes = shapes;
  terms.rows = t1;
  terms.columns = symmetric ? t1 : t2;
  terms.count = parameterized(program, count);
  terms.n1 = n1;
  terms.n2 = n2;
  terms.k = k;
  terms.full = full != 0;
  terms.symmetric = symmetric;
  terms.out = out;
  terms.r0 = r0;
  terms.r1 = r1;
  let d = 0;
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    if (!hasParameters(op)) continue;
    addTermOp(op, terms, t, d, load<i32>(forms + ((<usize>d) << 2)));
    d++;
  }
  if (symmetric) mirrorLower(outRows, out, rowStart, rowEnd);
  release(saved);
}

/** Jacobian rows for n rows of x (example firstRow of the call first) into out ((n·k) × P, leading dimension ld ≥ P). */
function jacobianRows(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x: usize,
  n: i32,
  firstRow: i32,
  out: usize,
  ld: i32,
): void {
  const saved = mark();
  const net = signalPass(program, attributes, count, shapes, output, params, x, n, firstRow);
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    if (hasParameters(op)) jacobianOp(op, net, t, out, ld, field(program, t, 4));
  }
  release(saved);
}

/** Jacobian rows of the examples [r0, r1) of x into the same rows of out ((n·k) × P), so threads can share one call. */
export function netJacobian(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x: usize,
  r0: i32,
  r1: i32,
  out: usize,
): void {
  const p = parameterCount(program, attributes, count, shapes);
  const rowBytes = (<usize>channelsOf(shapes, output) * <usize>p) << 3;
  jacobianRows(program, attributes, count, shapes, output, params, rowAt(x, r0, rowWidthOf(shapes, count)), r1 - r0, r0, out + <usize>r0 * rowBytes, p);
}

/**
 * Empirical NTK by Jacobian contraction, J(x1)·J(x2)ᵀ, for the example rows [r0, r1) of x1 (so threads can share
 * one call), in blocks of `block` examples so that at most two Jacobian blocks live at once. full and x2 = 0 as in
 * netNtkRows (symmetric: the lower triangle of these rows, then mirrored).
 */
export function netNtkJacobian(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x1: usize,
  n1: i32,
  x2: usize,
  n2: i32,
  full: i32,
  block: i32,
  out: usize,
  r0: i32,
  r1: i32,
): void {
  const saved = mark();
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  const d = rowWidthOf(shapes, count);
  const k = channelsOf(shapes, output);
  const p = parameterCount(program, attributes, count, shapes);
  const outCols = full ? n2 * k : n2;
  const j1 = scratch((<usize>block * <usize>k * <usize>p) << 3);
  const j2 = scratch((<usize>block * <usize>k * <usize>p) << 3);
  const scale = full ? 1.0 : 1.0 / <f64>k;
  // 'mean' views a Jacobian block as examples × (k·P); 'full' as (examples·k) × P.
  const inner = full ? p : k * p;
  for (let ib = r0; ib < r1; ib += block) {
    const rows = min(block, r1 - ib);
    jacobianRows(program, attributes, count, shapes, output, params, rowAt(x1, ib, d), rows, ib, j1, p);
    const columnEnd = symmetric ? ib + rows : n2;
    for (let jb = 0; jb < columnEnd; jb += block) {
      const cols = min(block, columnEnd - jb);
      jacobianRows(program, attributes, count, shapes, output, params, rowAt(second, jb, d), cols, jb, j2, p);
      const c = out + ((<usize>(full ? ib * k : ib) * <usize>outCols + <usize>(full ? jb * k : jb)) << 3);
      gemm(0, 1, full ? rows * k : rows, full ? cols * k : cols, inner, scale, j1, inner, j2, inner, 0.0, c, outCols);
    }
  }
  if (symmetric) mirrorLower(full ? n1 * k : n1, out, full ? r0 * k : r0, full ? r1 * k : r1);
  release(saved);
}

// A training loss given in JavaScript (src/backend/wasm/hosts.ts): the loss of rows × k outputs f against targets y,
// writing its gradient in f.
@external("env", "hostLoss") declare function hostLoss(f: usize, y: usize, rows: i32, k: i32, gradient: usize): f64;

/**
 * Forward mode along m directions of θ (m × p at `directions`) for the examples of a forward pass: the tangent of every
 * value on rows i·m + d; returns the outputs' ((n·m) × k).
 */
function tangentPass(net: Net, directions: usize, m: i32, p: i32): usize {
  const rows = net.n * m;
  const forwardMode = changetype<Net>(scratch(offsetof<Net>()));
  memory.copy(changetype<usize>(forwardMode), changetype<usize>(net), offsetof<Net>());
  const tableBytes = (<usize>(net.count + 1)) << 2;
  forwardMode.m = m;
  forwardMode.tangents = scratch(tableBytes);
  forwardMode.directions = directions;
  forwardMode.directionLength = p;
  const inputBytes = (<usize>rows * <usize>sizeOf(net.shapes, 0)) << 3;
  const input = scratch(inputBytes);
  memory.fill(input, 0, inputBytes);
  setPointer(forwardMode.tangents, 0, input);
  for (let t = 0; t < net.count; t++) {
    const out = field(net.program, t, 3);
    const z = scratch((<usize>rows * <usize>sizeOf(net.shapes, out)) << 3);
    tangentOp(field(net.program, t, 0), forwardMode, t, z);
    setPointer(forwardMode.tangents, out, z);
  }
  return pointerAt(forwardMode.tangents, net.output);
}

/** Forward mode for rows [r0, r1) of x along the m directions of θ (m × P): rows i·m + d of out ((n·m) × k), so threads can share one call. */
export function netTangents(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x: usize,
  r0: i32,
  r1: i32,
  directions: usize,
  m: i32,
  out: usize,
): void {
  const saved = mark();
  const k = channelsOf(shapes, output);
  const net = newNet(program, attributes, count, shapes, output, params, r1 - r0, 1);
  net.firstRow = r0;
  forward(net, rowAt(x, r0, rowWidthOf(shapes, count)));
  const tangents = tangentPass(net, directions, m, parameterCount(program, attributes, count, shapes));
  memory.copy(rowAt(out, r0 * m, k), tangents, (<usize>(r1 - r0) * <usize>m * <usize>k) << 3);
  release(saved);
}

/**
 * Empirical NTK by vector products for the example rows [r0, r1) of x1, whole blocks of `rowBlock` rows counted from 0
 * (threads share blocks, so every product has the same shape for any split), never holding more of a Jacobian than
 * the rows of `columnBlock` examples of x2: per block of x1, one primal pass; per block of x2, its Jacobian rows as
 * directions and one forward-mode pass along them, whose output tangents are J(x1)·J(x2)ᵀ. full and x2 = 0 as in
 * netNtkRows.
 */
export function netNtkVectorProducts(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x1: usize,
  n1: i32,
  x2: usize,
  n2: i32,
  full: i32,
  rowBlock: i32,
  columnBlock: i32,
  out: usize,
  r0: i32,
  r1: i32,
): void {
  const saved = mark();
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  const d = rowWidthOf(shapes, count);
  const k = channelsOf(shapes, output);
  const p = parameterCount(program, attributes, count, shapes);
  const outCols = full ? n2 * k : n2;
  const directions = scratch((<usize>columnBlock * <usize>k * <usize>p) << 3);
  for (let ib = r0; ib < r1; ib += rowBlock) {
    const rows = min(rowBlock, r1 - ib);
    const block = mark();
    const net = newNet(program, attributes, count, shapes, output, params, rows, 1);
    net.firstRow = ib;
    forward(net, rowAt(x1, ib, d));
    const columnEnd = symmetric ? ib + rows : n2;
    for (let jb = 0; jb < columnEnd; jb += columnBlock) {
      const cols = min(columnBlock, columnEnd - jb);
      const pass = mark();
      jacobianRows(program, attributes, count, shapes, output, params, rowAt(second, jb, d), cols, jb, directions, p);
      const m = cols * k;
      const tangents = tangentPass(net, directions, m, p);
      // Row i·m + j·k + o of the tangents: example ib + i along ∂f_o(x2_{jb+j}).
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const base = tangents + ((<usize>(i * m + j * k) * <usize>k) << 3);
          if (full) {
            for (let a = 0; a < k; a++) {
              const target = out + ((<usize>((ib + i) * k + a) * <usize>outCols + <usize>((jb + j) * k)) << 3);
              for (let o = 0; o < k; o++) store<f64>(target + ((<usize>o) << 3), f64At(base, o * k + a));
            }
          } else {
            let sum = 0.0;
            for (let o = 0; o < k; o++) sum += f64At(base, o * k + o);
            store<f64>(out + ((<usize>(ib + i) * <usize>outCols + <usize>(jb + j)) << 3), sum / <f64>k);
          }
        }
      }
      release(pass);
    }
    release(block);
  }
  if (symmetric) mirrorLower(full ? n1 * k : n1, out, full ? r0 * k : r0, full ? r1 * k : r1);
  release(saved);
}

/**
 * One share of training step `step` (which dropout's masks follow): rows [r0, r1) of the step's minibatch, whose
 * example indices are at `indices` (Int32; 0: the minibatch is every example in order); with base ≠ 0, of the model linearized at θ0 = base (f(θ0) + J(θ0)·(θ − θ0),
 * whose gradient is J(θ0)ᵀ·r). Writes the share's summed loss to `loss` (Σ‖f − y‖² for LOSS_MSE,
 * Σ −y·log softmax(f) for LOSS_CROSS_ENTROPY, otherwise the host's loss of the share, then the whole minibatch) and,
 * when gradient ≠ 0, ∂/∂θ of half that sum (mse), of that sum (cross-entropy) or of the host's loss over the share
 * (P doubles) to `gradient`.
 */
export function netGradient(
  program: usize,
  attributes: usize,
  count: i32,
  shapes: usize,
  output: i32,
  params: usize,
  x: usize,
  y: usize,
  indices: usize,
  r0: i32,
  r1: i32,
  gradient: usize,
  loss: usize,
  step: i32,
  lossCode: i32,
  base: usize,
): void {
  const saved = mark();
  const k = channelsOf(shapes, output);
  const d = rowWidthOf(shapes, count);
  const n = r1 - r0;
  const p = parameterCount(program, attributes, count, shapes);
  // The share's examples: rows [r0, r1) of x and y as they are (indices = 0, full batch), or gathered.
  let rows = rowAt(x, r0, d);
  let targets = rowAt(y, r0, k);
  if (indices != 0) {
    rows = scratch((<usize>n * <usize>d) << 3);
    targets = scratch((<usize>n * <usize>k) << 3);
    for (let r = 0; r < n; r++) {
      const example = load<i32>(indices + ((<usize>(r0 + r)) << 2));
      memory.copy(rowAt(rows, r, d), rowAt(x, example, d), (<usize>d) << 3);
      memory.copy(rowAt(targets, r, k), rowAt(y, example, k), (<usize>k) << 3);
    }
  }
  // A linearized model runs the network at θ0 (base) and adds J(θ0)·(θ − θ0) by forward mode.
  const net = newNet(program, attributes, count, shapes, output, base != 0 ? base : params, n, 1);
  net.firstRow = r0;
  net.step = step;
  forward(net, rows);
  let f = pointerAt(net.values, output);
  if (base != 0) {
    const direction = scratch((<usize>p) << 3);
    for (let i = 0; i < p; i++) store<f64>(direction + ((<usize>i) << 3), f64At(params, i) - f64At(base, i));
    const moved = tangentPass(net, direction, 1, p);
    const linear = scratch((<usize>n * <usize>k) << 3);
    for (let e = 0; e < n * k; e++) store<f64>(linear + ((<usize>e) << 3), f64At(f, e) + f64At(moved, e));
    f = linear;
  }
  const residual = scratch((<usize>n * <usize>k) << 3);
  let sum = 0.0;
  if (lossCode != LOSS_MSE && lossCode != LOSS_CROSS_ENTROPY) sum = hostLoss(f, targets, n, k, residual);
  else
    for (let r = 0; r < n; r++) {
      const fRow = rowAt(f, r, k);
      const yRow = rowAt(targets, r, k);
      const out = rowAt(residual, r, k);
      if (lossCode == LOSS_MSE) {
        for (let o = 0; o < k; o++) {
          const e = f64At(fRow, o) - f64At(yRow, o);
          store<f64>(out + ((<usize>o) << 3), e);
          sum += e * e;
        }
      } else {
        // log Σ exp f by the largest output; the gradient of −y·log softmax(f) is softmax(f) − y.
        let largest = f64At(fRow, 0);
        for (let o = 1; o < k; o++) largest = max(largest, f64At(fRow, o));
        let total = 0.0;
        for (let o = 0; o < k; o++) total += Math.exp(f64At(fRow, o) - largest);
        const logZ = largest + logF64(total);
        for (let o = 0; o < k; o++) {
          const target = f64At(yRow, o);
          if (target != 0.0) sum += target * (logZ - f64At(fRow, o));
          store<f64>(out + ((<usize>o) << 3), Math.exp(f64At(fRow, o) - logZ) - target);
        }
      }
    }
  store<f64>(loss, sum);
  if (gradient != 0) {
    memory.fill(gradient, 0, (<usize>p) << 3);
    net.gradient = gradient;
    backward(net, residual);
  }
  release(saved);
}

/**
 * One optimizer step, as PyTorch's: g = scale·Σ of the `parts` partial gradients (p doubles each, summed in order) +
 * weightDecay·θ; then SGD θ ← θ − rate·g, SGD with momentum (b ← g at the first step t = 1, else momentum·b + g;
 * θ ← θ − rate·b), or Adam (moments m, v; θ ← θ − rate/(1 − β1^t)·m/(√v/√(1 − β2^t) + eps)). `state` holds b, or m
 * then v (2p doubles); correction1 = 1 − β1^t and correction2 = √(1 − β2^t) come from the caller (Math.pow would bring
 * in kilobytes of code).
 */
export function netUpdate(
  params: usize,
  gradients: usize,
  parts: i32,
  p: i32,
  scale: f64,
  optimizer: i32,
  rate: f64,
  momentum: f64,
  beta1: f64,
  beta2: f64,
  eps: f64,
  weightDecay: f64,
  state: usize,
  t: i32,
  correction1: f64,
  correction2: f64,
): void {
  const second = state + ((<usize>p) << 3);
  for (let i = 0; i < p; i++) {
    const at = (<usize>i) << 3;
    let sum = load<f64>(gradients + at);
    for (let part = 1; part < parts; part++) sum += load<f64>(gradients + ((<usize>part * <usize>p) << 3) + at);
    const theta = load<f64>(params + at);
    let g = scale * sum;
    if (weightDecay != 0.0) g += weightDecay * theta;
    if (optimizer == OPTIMIZER_SGD) {
      store<f64>(params + at, theta - rate * g);
    } else if (optimizer == OPTIMIZER_MOMENTUM) {
      const b = t == 1 ? g : momentum * load<f64>(state + at) + g;
      store<f64>(state + at, b);
      store<f64>(params + at, theta - rate * b);
    } else {
      const m = beta1 * load<f64>(state + at) + (1.0 - beta1) * g;
      const v = beta2 * load<f64>(second + at) + (1.0 - beta2) * (g * g);
      store<f64>(state + at, m);
      store<f64>(second + at, v);
      store<f64>(params + at, theta - (rate / correction1) * (m / (Math.sqrt(v) / correction2 + eps)));
    }
  }
}
