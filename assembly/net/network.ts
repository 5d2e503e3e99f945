// A finite network given as a lowered program (src/model/program.ts) on a batch of n rows; the reference is
// src/backend/ts/network.ts. Every export takes the program as (program, attributes, count, shapes, output).
// A value is n rows of positions × channels (channels last); cotangents have n·m rows, row r belonging to
// example ⌊r/m⌋ (m = k output seeds for Jacobians and NTKs, m = 1 for training). Tables hold one pointer per
// value. Dense and conv layers are one affine op: a dense layer is a pointwise (1×1) convolution, whose patches
// are its input rows; a conv layer builds the patches of one example at a time (im2col) for a gemm.
//
// Signals are kept for every output at once: G is (n·k) × size with row i·k + o equal to ∂f_o(x_i)/∂z.
// Viewed as n × (k·size) the same memory puts all outputs of an example in one row, so Σ_o G_o·G_oᵀ is a
// single gemm ('mean' NTK), while the (n·k)-row view gives every output pair ('full').
import { mark, release, scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { axpy, dot } from "../linalg/vector";
import { activate, derivative } from "../generated/activations";
import {
  ACTIVATION_FIRST_PARAMETER, ACTIVATION_ID, DENSE_BIAS_SCALE, DENSE_HAS_BIAS, DENSE_WEIGHT_SCALE, LAYER_NORM_ALL_AXES, OP_ACTIVATION, OP_AVG_POOL, OP_DENSE, OP_FLATTEN, OP_GLOBAL_AVG_POOL,
  OP_LAYER_NORM, OP_SUM, TERM_JACOBIAN, TERM_PAIRS,
} from "../generated/layout";
import { attribute, attributeAt, channelsOf, field, pointerAt, positionsOf, setPointer, sizeOf } from "./program";
import { addPatchesInto, addPooledInto, isPointwise, patchesInto, poolInto, tapCount, tapSources } from "./window";


// @ts-ignore: decorator
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function rowAt(base: usize, row: i32, width: i32): usize {
  return base + (<usize>row * <usize>width << 3);
}

/** Rows of W of affine instruction t: filter taps × input channels. */
// @ts-ignore: decorator
@inline function fanInOf(attributes: usize, shapes: usize, program: usize, t: i32): i32 {
  return tapCount(attributes, t) * channelsOf(shapes, field(program, t, 1));
}

/** Parameters of affine instruction t: W then b. */
function layerParams(program: usize, attributes: usize, shapes: usize, t: i32): i32 {
  const width = channelsOf(shapes, field(program, t, 3));
  return fanInOf(attributes, shapes, program, t) * width + (attribute(attributes, t, DENSE_HAS_BIAS) != 0.0 ? width : 0);
}

/** Parameters of the network: every dense or conv layer's W then b. */
function parameterCount(program: usize, attributes: usize, count: i32, shapes: usize): i32 {
  let total = 0;
  for (let t = 0; t < count; t++) if (field(program, t, 0) == OP_DENSE) total += layerParams(program, attributes, shapes, t);
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

/** A layerNorm's groups per example: 1 over all axes, else one per position. */
// @ts-ignore: decorator
@inline function normGroups(attributes: usize, shapes: usize, t: i32, a: i32): i32 {
  return attribute(attributes, t, LAYER_NORM_ALL_AXES) != 0.0 ? 1 : positionsOf(shapes, a);
}

/**
 * The patches of example i of h for affine instruction t (outPositions × fanIn): the example's own rows when
 * the layer is pointwise, else built into `buffer` from the tap table `sources`.
 */
function patchesOf(pointwise: bool, sources: usize, taps: i32, outPositions: i32, h: usize, i: i32, inSize: i32, inChannels: i32, buffer: usize): usize {
  const example = rowAt(h, i, inSize);
  if (pointwise) return example;
  patchesInto(sources, taps, outPositions, example, inChannels, buffer);
  return buffer;
}

/**
 * The forward pass: values[v] for every value (values[0] = x), slopes[v] = φ′ at the input of every activation
 * output v, inverses[v] = 1/σ per group of every layerNorm output v. Tables of count + 1 pointers.
 */
function forward(
  program: usize, attributes: usize, count: i32, shapes: usize, params: usize, x: usize, n: i32,
  values: usize, slopes: usize, inverses: usize,
): void {
  setPointer(values, 0, x);
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    const a = field(program, t, 1);
    const out = field(program, t, 3);
    const h = pointerAt(values, a);
    const outSize = sizeOf(shapes, out);
    const size = n * outSize;
    const z = scratch(<usize>size << 3);
    if (op == OP_DENSE) {
      const inChannels = channelsOf(shapes, a);
      const width = channelsOf(shapes, out);
      const outPositions = positionsOf(shapes, out);
      const taps = tapCount(attributes, t);
      const fanIn = taps * inChannels;
      const w = params + (<usize>field(program, t, 4) << 3);
      const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
      if (isPointwise(attributes, t)) {
        gemm(0, 0, n * outPositions, width, fanIn, c, h, fanIn, w, width, 0.0, z, width);
      } else {
        const saved = mark();
        const sources = tapSources(attributes, t, shapes, a, out);
        const patches = scratch(<usize>outPositions * <usize>fanIn << 3);
        for (let i = 0; i < n; i++) {
          patchesInto(sources, taps, outPositions, rowAt(h, i, sizeOf(shapes, a)), inChannels, patches);
          gemm(0, 0, outPositions, width, fanIn, c, patches, fanIn, w, width, 0.0, rowAt(z, i, outSize), width);
        }
        release(saved);
      }
      if (attribute(attributes, t, DENSE_HAS_BIAS) != 0.0) {
        const b = w + (<usize>(fanIn * width) << 3);
        const s = attribute(attributes, t, DENSE_BIAS_SCALE);
        for (let r = 0; r < n * outPositions; r++) axpy(width, s, b, rowAt(z, r, width));
      }
    } else if (op == OP_ACTIVATION) {
      const kind = <i32>attribute(attributes, t, ACTIVATION_ID);
      const parameters = attributeAt(attributes, t, ACTIVATION_FIRST_PARAMETER);
      const slope = scratch(<usize>size << 3);
      for (let i = 0; i < size; i++) {
        const v = f64At(h, i);
        store<f64>(slope + (<usize>i << 3), derivative(kind, v, parameters));
        store<f64>(z + (<usize>i << 3), activate(kind, v, parameters));
      }
      setPointer(slopes, out, slope);
    } else if (op == OP_LAYER_NORM) {
      const eps = attribute(attributes, t, 0);
      const groups = n * normGroups(attributes, shapes, t, a);
      const width = size / groups;
      const inverse = scratch(<usize>groups << 3);
      for (let i = 0; i < groups; i++) {
        const row = rowAt(h, i, width);
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
    } else if (op == OP_AVG_POOL) {
      const saved = mark();
      const sources = tapSources(attributes, t, shapes, a, out);
      const inSize = sizeOf(shapes, a);
      for (let i = 0; i < n; i++) {
        poolInto(sources, tapCount(attributes, t), positionsOf(shapes, out), rowAt(h, i, inSize), channelsOf(shapes, a), rowAt(z, i, outSize));
      }
      release(saved);
    } else if (op == OP_GLOBAL_AVG_POOL) {
      const positions = positionsOf(shapes, a);
      memory.fill(z, 0, <usize>size << 3);
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < positions; p++) axpy(outSize, 1.0 / <f64>positions, rowAt(h, i * positions + p, outSize), rowAt(z, i, outSize));
      }
    } else if (op == OP_FLATTEN) {
      memory.copy(z, h, <usize>size << 3);
    } else if (op == OP_SUM) {
      const second = pointerAt(values, field(program, t, 2));
      memory.copy(z, h, <usize>size << 3);
      axpy(size, 1.0, second, z);
    } else {
      abort("unknown opcode");
    }
    setPointer(values, out, z);
  }
}

// The cotangent of value v (rows × its size), zeroed on first use.
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
  program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, n: i32, m: i32,
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
    const outSize = sizeOf(shapes, out);
    const inSize = sizeOf(shapes, a);
    const inputBytes = <usize>rows * <usize>inSize << 3;
    if (op == OP_DENSE) {
      const inChannels = channelsOf(shapes, a);
      const width = channelsOf(shapes, out);
      const outPositions = positionsOf(shapes, out);
      const taps = tapCount(attributes, t);
      const fanIn = taps * inChannels;
      const offset = field(program, t, 4);
      const w = params + (<usize>offset << 3);
      const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
      const pointwise = isPointwise(attributes, t);
      // The input's cotangent is needed only if something below it carries parameters.
      const target = a != 0 ? cotangentOf(cotangents, a, inputBytes) : 0;
      const saved = mark();
      const sources: usize = pointwise ? 0 : tapSources(attributes, t, shapes, a, out);
      const buffer: usize = pointwise ? 0 : scratch(<usize>outPositions * <usize>fanIn << 3);
      if (gradient != 0) {
        const gw = gradient + (<usize>offset << 3);
        if (pointwise) gemm(1, 0, fanIn, width, n * outPositions, c, pointerAt(values, a), fanIn, g, width, 1.0, gw, width);
        else {
          for (let i = 0; i < n; i++) {
            const patches = patchesOf(false, sources, taps, outPositions, pointerAt(values, a), i, inSize, inChannels, buffer);
            gemm(1, 0, fanIn, width, outPositions, c, patches, fanIn, rowAt(g, i, outSize), width, 1.0, gw, width);
          }
        }
        if (attribute(attributes, t, DENSE_HAS_BIAS) != 0.0) {
          const gb = gradient + (<usize>(offset + fanIn * width) << 3);
          const s = attribute(attributes, t, DENSE_BIAS_SCALE);
          for (let r = 0; r < n * outPositions; r++) axpy(width, s, rowAt(g, r, width), gb);
        }
      }
      if (target != 0) {
        if (pointwise) gemm(0, 1, rows * outPositions, fanIn, width, c, g, width, w, width, 1.0, target, fanIn);
        else {
          for (let r = 0; r < rows; r++) {
            gemm(0, 1, outPositions, fanIn, width, c, rowAt(g, r, outSize), width, w, width, 0.0, buffer, fanIn);
            addPatchesInto(sources, taps, outPositions, buffer, inChannels, rowAt(target, r, inSize));
          }
        }
      }
      release(saved);
    } else if (op == OP_ACTIVATION) {
      const target = cotangentOf(cotangents, a, inputBytes);
      const slope = pointerAt(slopes, out);
      for (let r = 0; r < rows; r++) {
        const gRow = rowAt(g, r, outSize);
        const tRow = rowAt(target, r, outSize);
        const sRow = rowAt(slope, r / m, outSize);
        for (let j = 0; j < outSize; j++) {
          const at = <usize>j << 3;
          store<f64>(tRow + at, load<f64>(tRow + at) + load<f64>(gRow + at) * load<f64>(sRow + at));
        }
      }
    } else if (op == OP_LAYER_NORM) {
      // y = (h − mean)/σ per group: ∂h = (g − mean(g) − y·mean(g ⊙ y))/σ.
      const target = cotangentOf(cotangents, a, inputBytes);
      const y = pointerAt(values, out);
      const inverse = pointerAt(inverses, out);
      const groups = normGroups(attributes, shapes, t, a);
      const width = outSize / groups;
      for (let r = 0; r < rows; r++) {
        const i = r / m;
        for (let q = 0; q < groups; q++) {
          const gRow = rowAt(g, r * groups + q, width);
          const tRow = rowAt(target, r * groups + q, width);
          const yRow = rowAt(y, i * groups + q, width);
          let meanG = 0.0;
          let meanGy = 0.0;
          for (let j = 0; j < width; j++) {
            meanG += f64At(gRow, j);
            meanGy += f64At(gRow, j) * f64At(yRow, j);
          }
          meanG /= <f64>width;
          meanGy /= <f64>width;
          const scale = f64At(inverse, i * groups + q);
          for (let j = 0; j < width; j++) {
            const at = <usize>j << 3;
            store<f64>(tRow + at, load<f64>(tRow + at) + scale * (load<f64>(gRow + at) - meanG - load<f64>(yRow + at) * meanGy));
          }
        }
      }
    } else if (op == OP_AVG_POOL) {
      const target = cotangentOf(cotangents, a, inputBytes);
      const saved = mark();
      const sources = tapSources(attributes, t, shapes, a, out);
      for (let r = 0; r < rows; r++) {
        addPooledInto(sources, tapCount(attributes, t), positionsOf(shapes, out), rowAt(g, r, outSize), channelsOf(shapes, a), rowAt(target, r, inSize));
      }
      release(saved);
    } else if (op == OP_GLOBAL_AVG_POOL) {
      const target = cotangentOf(cotangents, a, inputBytes);
      const positions = positionsOf(shapes, a);
      for (let r = 0; r < rows; r++) {
        for (let p = 0; p < positions; p++) axpy(outSize, 1.0 / <f64>positions, rowAt(g, r, outSize), rowAt(target, r * positions + p, outSize));
      }
    } else if (op == OP_SUM || op == OP_FLATTEN) {
      axpy(rows * outSize, 1.0, g, cotangentOf(cotangents, a, inputBytes));
      if (op == OP_SUM) axpy(rows * outSize, 1.0, g, cotangentOf(cotangents, field(program, t, 2), inputBytes));
    } else {
      abort("unknown opcode");
    }
  }
}

/**
 * Rows of the Jacobian block of affine instruction t for n examples with inputs h and signals g ((n·k) × size):
 * row r = i·k + o gets ∂f_o(x_i)/∂W = c·patchesᵀ·G_r and ∂f_o(x_i)/∂b = s·Σ_positions G_r, at out + (r·ld + column).
 */
function layerJacobianRows(program: usize, attributes: usize, shapes: usize, t: i32, h: usize, g: usize, n: i32, k: i32, out: usize, ld: i32, column: i32): void {
  const saved = mark();
  const a = field(program, t, 1);
  const o = field(program, t, 3);
  const inChannels = channelsOf(shapes, a);
  const width = channelsOf(shapes, o);
  const outPositions = positionsOf(shapes, o);
  const outSize = outPositions * width;
  const inSize = sizeOf(shapes, a);
  const taps = tapCount(attributes, t);
  const fanIn = taps * inChannels;
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const s = attribute(attributes, t, DENSE_BIAS_SCALE);
  const hasBias = attribute(attributes, t, DENSE_HAS_BIAS) != 0.0;
  const pointwise = isPointwise(attributes, t);
  const sources: usize = pointwise ? 0 : tapSources(attributes, t, shapes, a, o);
  const buffer: usize = pointwise ? 0 : scratch(<usize>outPositions * <usize>fanIn << 3);
  for (let i = 0; i < n; i++) {
    const patches = patchesOf(pointwise, sources, taps, outPositions, h, i, inSize, inChannels, buffer);
    for (let seed = 0; seed < k; seed++) {
      const r = i * k + seed;
      const gRow = rowAt(g, r, outSize);
      const jRow = out + ((<usize>r * <usize>ld + <usize>column) << 3);
      if (outPositions == 1) {
        // ∂f/∂W[a][b] = c·patch[a]·g[b]: row a of the block is g scaled by c·patch[a].
        for (let p = 0; p < fanIn; p++) {
          const dst = jRow + (<usize>(p * width) << 3);
          memory.fill(dst, 0, <usize>width << 3);
          axpy(width, c * f64At(patches, p), gRow, dst);
        }
      } else {
        gemm(1, 0, fanIn, width, outPositions, c, patches, fanIn, gRow, width, 0.0, jRow, width);
      }
      if (hasBias) {
        const dst = jRow + (<usize>(fanIn * width) << 3);
        memory.fill(dst, 0, <usize>width << 3);
        for (let p = 0; p < outPositions; p++) axpy(width, s, rowAt(gRow, p, width), dst);
      }
    }
  }
  release(saved);
}

/**
 * Forward pass and signals (m = k seeds) for n rows of x: returns the table of values (count + 1 pointers),
 * followed in memory by the table of cotangents (cotangentTable).
 */
function signalPass(program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, x: usize, n: i32): usize {
  const k = channelsOf(shapes, output);
  const tableBytes = <usize>valueCount(count) << 2;
  const values = scratch(2 * tableBytes);
  const cotangents = values + tableBytes;
  const slopes = scratch(tableBytes);
  const inverses = scratch(tableBytes);
  forward(program, attributes, count, shapes, params, x, n, values, slopes, inverses);
  const rows = n * k;
  const seed = scratch(<usize>rows * <usize>k << 3);
  memory.fill(seed, 0, <usize>rows * <usize>k << 3);
  for (let r = 0; r < rows; r++) store<f64>(seed + ((<usize>r * <usize>k + <usize>(r % k)) << 3), 1.0);
  backward(program, attributes, count, shapes, output, params, n, k, seed, values, slopes, inverses, cotangents, 0);
  return values;
}

/** The cotangent table that follows the value table signalPass returns. */
// @ts-ignore: decorator
@inline function cotangentTable(values: usize, count: i32): usize {
  return values + (<usize>valueCount(count) << 2);
}

/** The signals of affine instruction t (zeros where no path reaches f). */
// @ts-ignore: decorator
@inline function signalsOf(program: usize, shapes: usize, cotangents: usize, t: i32, rows: i32): usize {
  const out = field(program, t, 3);
  return cotangentOf(cotangents, out, <usize>rows * <usize>sizeOf(shapes, out) << 3);
}

/**
 * The structured NTK's terms for n rows of x: a table of 3D pointers for the D affine layers in order, each
 * in the form forms[d] says (src/core/shapes.ts, termForm). dense: the patches H (n × fanIn), the signals G
 * ((n·k) × width), 0. jacobian: the per-example weight gradients (the Jacobian block, (n·k) × its parameters),
 * 0, 0. pairs: every example's patches (n × S·fanIn), its signals ('mean': n × S·k·width with the outputs
 * side by side at each position; 'full': (n·k) × S·width) and their sums over positions ((n·k) × width).
 */
function denseTerms(program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, x: usize, n: i32, forms: usize, full: bool): usize {
  const k = channelsOf(shapes, output);
  const values = signalPass(program, attributes, count, shapes, output, params, x, n);
  const cotangents = cotangentTable(values, count);
  const rows = n * k;
  const dense = denseCount(program, count);
  const table = scratch(<usize>(3 * dense) << 2);
  let d = 0;
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const a = field(program, t, 1);
    const g = signalsOf(program, shapes, cotangents, t, rows);
    const h = pointerAt(values, a);
    const form = load<i32>(forms + (<usize>d << 2));
    const fanIn = fanInOf(attributes, shapes, program, t);
    const positions = positionsOf(shapes, field(program, t, 3));
    const width = channelsOf(shapes, field(program, t, 3));
    setPointer(table, 2 * dense + d, 0);
    if (form == TERM_JACOBIAN) {
      const p = layerParams(program, attributes, shapes, t);
      const block = scratch(<usize>rows * <usize>p << 3);
      layerJacobianRows(program, attributes, shapes, t, h, g, n, k, block, p, 0);
      setPointer(table, d, block);
      setPointer(table, dense + d, 0);
    } else if (form == TERM_PAIRS) {
      const patches = scratch(<usize>n * <usize>(positions * fanIn) << 3);
      const signals = full ? g : scratch(<usize>rows * <usize>(positions * width) << 3);
      const sums = scratch(<usize>rows * <usize>width << 3);
      memory.fill(sums, 0, <usize>rows * <usize>width << 3);
      const saved = mark();
      const pointwise = isPointwise(attributes, t);
      const sources: usize = pointwise ? 0 : tapSources(attributes, t, shapes, a, field(program, t, 3));
      const taps = tapCount(attributes, t);
      for (let i = 0; i < n; i++) {
        const example = rowAt(h, i, sizeOf(shapes, a));
        if (pointwise) memory.copy(rowAt(patches, i, positions * fanIn), example, <usize>(positions * fanIn) << 3);
        else patchesInto(sources, taps, positions, example, channelsOf(shapes, a), rowAt(patches, i, positions * fanIn));
        for (let o = 0; o < k; o++) {
          const r = i * k + o;
          for (let p = 0; p < positions; p++) {
            const from = rowAt(g, r * positions + p, width);
            axpy(width, 1.0, from, rowAt(sums, r, width));
            if (!full) memory.copy(rowAt(signals, (i * positions + p) * k + o, width), from, <usize>width << 3);
          }
        }
      }
      release(saved);
      setPointer(table, d, patches);
      setPointer(table, dense + d, signals);
      setPointer(table, 2 * dense + d, sums);
    } else {
      let patches = h;
      if (!isPointwise(attributes, t)) {
        // One output position reading a window: its patches are the layer's inputs.
        patches = scratch(<usize>n * <usize>fanIn << 3);
        const saved = mark();
        const sources = tapSources(attributes, t, shapes, a, field(program, t, 3));
        for (let i = 0; i < n; i++) patchesInto(sources, tapCount(attributes, t), 1, rowAt(h, i, sizeOf(shapes, a)), channelsOf(shapes, a), rowAt(patches, i, fanIn));
        release(saved);
      }
      setPointer(table, d, patches);
      setPointer(table, dense + d, g);
    }
    d++;
  }
  return table;
}

/** Outputs for rows [r0, r1) of x into the same rows of out (n × k), so threads can share one call. */
export function netForward(program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, x: usize, r0: i32, r1: i32, out: usize): void {
  const saved = mark();
  const tableBytes = <usize>valueCount(count) << 2;
  const values = scratch(tableBytes);
  const k = <usize>channelsOf(shapes, output);
  forward(program, attributes, count, shapes, params, rowAt(x, r0, sizeOf(shapes, 0)), r1 - r0, values, scratch(tableBytes), scratch(tableBytes));
  memory.copy(out + (<usize>r0 * k << 3), pointerAt(values, output), <usize>(r1 - r0) * k << 3);
  release(saved);
}

/**
 * Pass 1 of the structured NTK for rows [r0, r1) of x, so threads can share one pass: the terms of those rows
 * (as denseTerms returns them, in the forms `forms` gives), copied into the full-size arrays of `table` (3D
 * pointers in the same layout; an H that is x itself is not copied).
 */
export function netSignals(
  program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize,
  x: usize, r0: i32, r1: i32, table: usize, forms: usize, full: i32,
): void {
  const saved = mark();
  const k = channelsOf(shapes, output);
  const rows = <usize>(r1 - r0);
  const block = denseTerms(program, attributes, count, shapes, output, params, rowAt(x, r0, sizeOf(shapes, 0)), r1 - r0, forms, full != 0);
  const dense = denseCount(program, count);
  let d = 0;
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const form = load<i32>(forms + (<usize>d << 2));
    const fanIn = <usize>fanInOf(attributes, shapes, program, t);
    const width = <usize>channelsOf(shapes, field(program, t, 3));
    const positions = <usize>positionsOf(shapes, field(program, t, 3));
    // Per example, the doubles of each of the three arrays.
    let first = fanIn;
    let second = <usize>k * width;
    let third: usize = 0;
    if (form == TERM_JACOBIAN) {
      first = <usize>k * <usize>layerParams(program, attributes, shapes, t);
      second = 0;
    } else if (form == TERM_PAIRS) {
      first = positions * fanIn;
      second = <usize>k * positions * width;
      third = <usize>k * width;
    }
    if (pointerAt(table, d) != x) memory.copy(pointerAt(table, d) + (<usize>r0 * first << 3), pointerAt(block, d), rows * first << 3);
    if (second != 0) memory.copy(pointerAt(table, dense + d) + (<usize>r0 * second << 3), pointerAt(block, dense + d), rows * second << 3);
    if (third != 0) memory.copy(pointerAt(table, 2 * dense + d) + (<usize>r0 * third << 3), pointerAt(block, 2 * dense + d), rows * third << 3);
    d++;
  }
  release(saved);
}

/**
 * The position-pair form of affine instruction t (term d of the tables) for example rows [r0, r1), added into
 * out (the lower triangle when symmetric): c²·Σ_{p,p′}(PᵢPⱼᵀ)(GᵢGⱼᵀ) + s²·⟨1ᵀGᵢ, 1ᵀGⱼ⟩ per pair of examples
 * (and of outputs for 'full'; 'mean' sums the outputs inside GᵢGⱼᵀ, then divides by k).
 */
function addPositionPairs(
  program: usize, attributes: usize, shapes: usize, t: i32, d: i32, dense: i32, t1: usize, t2: usize, n2: i32, k: i32, full: bool,
  symmetric: bool, out: usize, r0: i32, r1: i32,
): void {
  const saved = mark();
  const fanIn = fanInOf(attributes, shapes, program, t);
  const positions = positionsOf(shapes, field(program, t, 3));
  const width = channelsOf(shapes, field(program, t, 3));
  const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
  const s = attribute(attributes, t, DENSE_BIAS_SCALE);
  const c2 = c * c;
  const s2 = attribute(attributes, t, DENSE_HAS_BIAS) != 0.0 ? s * s : 0.0;
  const outCols = full ? n2 * k : n2;
  const patches1 = pointerAt(t1, d);
  const patches2 = pointerAt(t2, d);
  const signals1 = pointerAt(t1, dense + d);
  const signals2 = pointerAt(t2, dense + d);
  const sums1 = pointerAt(t1, 2 * dense + d);
  const sums2 = pointerAt(t2, 2 * dense + d);
  const squares = positions * positions;
  const patchProduct = scratch(<usize>squares << 3);
  const signalProduct = scratch(<usize>squares << 3);
  const patchBlock = positions * fanIn;
  const columns = full ? width : k * width;
  const signalBlock = positions * columns;
  for (let i = r0; i < r1; i++) {
    const end = symmetric ? i + 1 : n2;
    for (let j = 0; j < end; j++) {
      gemm(0, 1, positions, positions, fanIn, 1.0, rowAt(patches1, i, patchBlock), fanIn, rowAt(patches2, j, patchBlock), fanIn, 0.0, patchProduct, positions);
      if (!full) {
        gemm(0, 1, positions, positions, columns, 1.0, rowAt(signals1, i, signalBlock), columns, rowAt(signals2, j, signalBlock), columns, 0.0, signalProduct, positions);
        let bias = 0.0;
        for (let o = 0; o < k; o++) bias += dot(rowAt(sums1, i * k + o, width), rowAt(sums2, j * k + o, width), width);
        const at = out + ((<usize>i * <usize>outCols + <usize>j) << 3);
        store<f64>(at, load<f64>(at) + (c2 * dot(patchProduct, signalProduct, squares) + s2 * bias) / <f64>k);
        continue;
      }
      for (let o = 0; o < k; o++) {
        const last = symmetric && j == i ? o + 1 : k;
        for (let o2 = 0; o2 < last; o2++) {
          gemm(0, 1, positions, positions, width, 1.0, rowAt(signals1, i * k + o, signalBlock), width, rowAt(signals2, j * k + o2, signalBlock), width, 0.0,
            signalProduct, positions);
          const bias = dot(rowAt(sums1, i * k + o, width), rowAt(sums2, j * k + o2, width), width);
          const at = out + ((<usize>(i * k + o) * <usize>outCols + <usize>(j * k + o2)) << 3);
          store<f64>(at, load<f64>(at) + c2 * dot(patchProduct, signalProduct, squares) + s2 * bias);
        }
      }
    }
  }
  release(saved);
}

/**
 * Pass 2 of the structured NTK (no Jacobian) for example rows [r0, r1) of x1, from the tables of netSignals:
 * Θ = Σ over layers with one output position of (c²·H(x1)·H(x2)ᵀ + s²) ⊙ (G(x1)·G(x2)ᵀ), plus Σ over
 * weight-sharing layers of J(x1)·J(x2)ᵀ or their position-pair form (forms: one TERM_* per affine layer).
 * full = 0: n1 × n2, averaged over outputs; full = 1: (n1·k) × (n2·k). t2 = 0: x2 is x1 (symmetric; the
 * lower triangle is computed and mirrored).
 */
export function netNtkRows(
  program: usize, attributes: usize, count: i32, shapes: usize, output: i32,
  t1: usize, n1: i32, t2: usize, n2: i32, full: i32, out: usize, r0: i32, r1: i32, forms: usize,
): void {
  const saved = mark();
  const symmetric = t2 == 0;
  const second = symmetric ? t1 : t2;
  const k = channelsOf(shapes, output);
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
    const form = load<i32>(forms + (<usize>d << 2));
    if (form == TERM_PAIRS) {
      addPositionPairs(program, attributes, shapes, t, d, dense, t1, second, n2, k, full != 0, symmetric, out, r0, r1);
      d++;
      continue;
    }
    const shared = form == TERM_JACOBIAN;
    const fanIn = fanInOf(attributes, shapes, program, t);
    // Signals (or the Jacobian block of a weight-sharing layer): 'mean' views them as n × (k·columns), 'full' as (n·k) × columns.
    const columns = shared ? layerParams(program, attributes, shapes, t) : channelsOf(shapes, field(program, t, 3));
    const g1 = pointerAt(t1, shared ? d : dense + d);
    const g2 = pointerAt(second, shared ? d : dense + d);
    const gRows2 = full ? n2 * k : n2;
    const gCols = full ? columns : k * columns;
    if (symmetric) syrkLower(outRows, gCols, g1, signalProducts, rowStart, rowEnd);
    else {
      gemm(0, 1, rowEnd - rowStart, gRows2, gCols, 1.0, g1 + (<usize>rowStart * <usize>gCols << 3), gCols, g2, gCols, 0.0,
        signalProducts + (<usize>rowStart * <usize>outCols << 3), outCols);
    }
    if (!shared) {
      const h1 = pointerAt(t1, d);
      const h2 = pointerAt(second, d);
      if (symmetric) syrkLower(n1, fanIn, h1, inner, r0, r1);
      else gemm(0, 1, r1 - r0, n2, fanIn, 1.0, h1 + (<usize>r0 * <usize>fanIn << 3), fanIn, h2, fanIn, 0.0, inner + (<usize>r0 * <usize>n2 << 3), n2);
    }
    const c = attribute(attributes, t, DENSE_WEIGHT_SCALE);
    const s = attribute(attributes, t, DENSE_BIAS_SCALE);
    const c2 = c * c;
    const s2 = attribute(attributes, t, DENSE_HAS_BIAS) != 0.0 ? s * s : 0.0;
    for (let r = rowStart; r < rowEnd; r++) {
      const i = full ? r / k : r;
      const last = symmetric ? r + 1 : outCols;
      const outRow = out + (<usize>r * <usize>outCols << 3);
      const productRow = signalProducts + (<usize>r * <usize>outCols << 3);
      if (shared) {
        axpy(last, outputWeight, productRow, outRow);
        continue;
      }
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
function jacobianRows(program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, x: usize, n: i32, out: usize, ld: i32): void {
  const saved = mark();
  const k = channelsOf(shapes, output);
  const values = signalPass(program, attributes, count, shapes, output, params, x, n);
  const cotangents = cotangentTable(values, count);
  for (let t = 0; t < count; t++) {
    if (field(program, t, 0) != OP_DENSE) continue;
    const g = signalsOf(program, shapes, cotangents, t, n * k);
    layerJacobianRows(program, attributes, shapes, t, pointerAt(values, field(program, t, 1)), g, n, k, out, ld, field(program, t, 4));
  }
  release(saved);
}

/** Jacobian rows of the examples [r0, r1) of x into the same rows of out ((n·k) × P), so threads can share one call. */
export function netJacobian(program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize, x: usize, r0: i32, r1: i32, out: usize): void {
  const p = parameterCount(program, attributes, count, shapes);
  const rowBytes = <usize>channelsOf(shapes, output) * <usize>p << 3;
  jacobianRows(program, attributes, count, shapes, output, params, rowAt(x, r0, sizeOf(shapes, 0)), r1 - r0, out + <usize>r0 * rowBytes, p);
}

/**
 * Empirical NTK by Jacobian contraction, J(x1)·J(x2)ᵀ, for the example rows [r0, r1) of x1 (so threads can share
 * one call), in blocks of `block` examples so that at most two Jacobian blocks live at once. full and x2 = 0 as in
 * netNtkRows (symmetric: the lower triangle of these rows, then mirrored).
 */
export function netNtkJacobian(
  program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize,
  x1: usize, n1: i32, x2: usize, n2: i32, full: i32, block: i32, out: usize, r0: i32, r1: i32,
): void {
  const saved = mark();
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  const d = sizeOf(shapes, 0);
  const k = channelsOf(shapes, output);
  const p = parameterCount(program, attributes, count, shapes);
  const outCols = full ? n2 * k : n2;
  const j1 = scratch(<usize>block * <usize>k * <usize>p << 3);
  const j2 = scratch(<usize>block * <usize>k * <usize>p << 3);
  const scale = full ? 1.0 : 1.0 / <f64>k;
  // 'mean' views a Jacobian block as examples × (k·P); 'full' as (examples·k) × P.
  const inner = full ? p : k * p;
  for (let ib = r0; ib < r1; ib += block) {
    const rows = min(block, r1 - ib);
    jacobianRows(program, attributes, count, shapes, output, params, rowAt(x1, ib, d), rows, j1, p);
    const columnEnd = symmetric ? ib + rows : n2;
    for (let jb = 0; jb < columnEnd; jb += block) {
      const cols = min(block, columnEnd - jb);
      jacobianRows(program, attributes, count, shapes, output, params, rowAt(second, jb, d), cols, j2, p);
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
  program: usize, attributes: usize, count: i32, shapes: usize, output: i32, params: usize,
  x: usize, y: usize, r0: i32, r1: i32, gradient: usize, loss: usize,
): void {
  const saved = mark();
  const k = channelsOf(shapes, output);
  const n = r1 - r0;
  const tableBytes = <usize>valueCount(count) << 2;
  const values = scratch(tableBytes);
  const slopes = scratch(tableBytes);
  const inverses = scratch(tableBytes);
  forward(program, attributes, count, shapes, params, rowAt(x, r0, sizeOf(shapes, 0)), n, values, slopes, inverses);
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
    memory.fill(gradient, 0, <usize>parameterCount(program, attributes, count, shapes) << 3);
    backward(program, attributes, count, shapes, output, params, n, 1, residual, values, slopes, inverses, scratch(tableBytes), gradient);
  }
  release(saved);
}

/** θ ← θ − rate·Σ of the `parts` partial gradients (p doubles each, one after the other). */
export function netDescend(params: usize, gradients: usize, parts: i32, p: i32, rate: f64): void {
  for (let part = 0; part < parts; part++) axpy(p, -rate, gradients + (<usize>part * <usize>p << 3), params);
}
