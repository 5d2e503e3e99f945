// Aggregation over each example's graph (neural-tangents' Aggregate); the TypeScript twin is src/ops/aggregate.ts.
// Vertex j of every slice (the positions that differ only along the aggregated axes) becomes Σᵢ A[i][j]·h[i], A the
// example's V × V adjacency in its side. A vertex table in scratch: V, the slices, whether slice-vertex order is the
// positions' own (the aggregated axes are the last), then per position its column slice·V + vertex (i32), then per
// column its position.
import { mark, release, scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { axpy } from "../linalg/vector";
import { AGGREGATE_AXES, SPATIAL_AXES } from "../generated/layout";
import { attribute, channelsOf, field, positionsOf, sizeOf, spatialSizeOf } from "../net/program";
import { Net, Pair, cotangentOf, f64At, isFull, linearStatePair, linearStateTangent, rowAt, tangentOf } from "./unit";

// @ts-ignore: decorator
@inline function tableVertices(table: usize): i32 {
  return load<i32>(table);
}

// @ts-ignore: decorator
@inline function tableSlices(table: usize): i32 {
  return load<i32>(table, 4);
}

// @ts-ignore: decorator
@inline function tableInOrder(table: usize): bool {
  return load<i32>(table, 8) != 0;
}

/** The column (slice·V + vertex) of position p. */
// @ts-ignore: decorator
@inline function columnOf(table: usize, p: i32): i32 {
  return load<i32>(table + 16 + ((<usize>p) << 2));
}

/** The position of column `column`. */
// @ts-ignore: decorator
@inline function memberOf(table: usize, positions: i32, column: i32): i32 {
  return load<i32>(table + 16 + ((<usize>(positions + column)) << 2));
}

/** The vertex table of instruction t's input, in scratch: its aggregated axes in the pattern's order from the axes slot on. */
function vertexTable(attributes: usize, t: i32, shapes: usize, a: i32): usize {
  const positions = positionsOf(shapes, a);
  const table = scratch(16 + ((<usize>(2 * positions)) << 2));
  let vertices = 1;
  for (let k = 0; k < SPATIAL_AXES; k++) {
    const axis = <i32>attribute(attributes, t, AGGREGATE_AXES + k);
    if (axis >= 0) vertices *= spatialSizeOf(shapes, a, axis);
  }
  const size1 = spatialSizeOf(shapes, a, 1);
  const size2 = spatialSizeOf(shapes, a, 2);
  let inOrder = 1;
  for (let p = 0; p < positions; p++) {
    // Row-major coordinates; the vertex over the aggregated axes in their order, the slice over the others in theirs.
    const c2 = p % size2;
    const c1 = (p / size2) % size1;
    const c0 = p / (size1 * size2);
    let vertex = 0;
    let aggregated = 0;
    for (let k = 0; k < SPATIAL_AXES; k++) {
      const axis = <i32>attribute(attributes, t, AGGREGATE_AXES + k);
      if (axis < 0) continue;
      vertex = vertex * spatialSizeOf(shapes, a, axis) + (axis == 0 ? c0 : axis == 1 ? c1 : c2);
      aggregated |= 1 << axis;
    }
    let slice = 0;
    if ((aggregated & 1) == 0) slice = c0;
    if ((aggregated & 2) == 0) slice = slice * size1 + c1;
    if ((aggregated & 4) == 0) slice = slice * size2 + c2;
    const column = slice * vertices + vertex;
    if (column != p) inOrder = 0;
    store<i32>(table + 16 + ((<usize>p) << 2), column);
    store<i32>(table + 16 + ((<usize>(positions + column)) << 2), p);
  }
  store<i32>(table, vertices);
  store<i32>(table, positions / vertices, 4);
  store<i32>(table, inOrder, 8);
  return table;
}

/**
 * Rows of values (positions × c; row r of example ⌊r/m⌋, whose adjacency is row ⌊r/m⌋ of side): out[j] += Σᵢ A[i][j]·h[i]
 * within every slice; with `transpose`, out[i] += Σⱼ A[i][j]·h[j].
 */
function aggregateRows(table: usize, side: usize, rows: i32, m: i32, h: usize, c: i32, out: usize, transpose: bool): void {
  const v = tableVertices(table);
  const slices = tableSlices(table);
  const positions = v * slices;
  const size = positions * c;
  for (let r = 0; r < rows; r++) {
    const adjacency = rowAt(side, r / m, v * v);
    const from = rowAt(h, r, size);
    const to = rowAt(out, r, size);
    for (let g = 0; g < slices; g++) {
      for (let i = 0; i < v; i++) {
        for (let j = 0; j < v; j++) {
          const weight = f64At(adjacency, i * v + j);
          if (weight == 0.0) continue;
          const source = memberOf(table, positions, g * v + (transpose ? j : i));
          const target = memberOf(table, positions, g * v + (transpose ? i : j));
          axpy(c, weight, from + ((<usize>(source * c)) << 3), to + ((<usize>(target * c)) << 3));
        }
      }
    }
  }
}

export function forward(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const saved = mark();
  const table = vertexTable(net.attributes, t, net.shapes, a);
  memory.fill(z, 0, (<usize>net.n * <usize>sizeOf(net.shapes, a)) << 3);
  aggregateRows(table, net.side, net.n, 1, load<usize>(net.values + ((<usize>a) << 2)), channelsOf(net.shapes, a), z, false);
  release(saved);
}

export function backward(net: Net, t: i32, g: usize): void {
  const a = field(net.program, t, 1);
  const target = cotangentOf(net, a, (<usize>(net.n * net.m) * <usize>sizeOf(net.shapes, a)) << 3);
  const saved = mark();
  const table = vertexTable(net.attributes, t, net.shapes, a);
  aggregateRows(table, net.side, net.n * net.m, net.m, g, channelsOf(net.shapes, a), target, true);
  release(saved);
}

/** Linear: the tangent of row i·m + d is example i's map on the input's tangent. */
export function tangent(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const saved = mark();
  const table = vertexTable(net.attributes, t, net.shapes, a);
  memory.fill(z, 0, (<usize>(net.n * net.m) * <usize>sizeOf(net.shapes, a)) << 3);
  aggregateRows(table, net.side, net.n * net.m, net.m, tangentOf(net, a), channelsOf(net.shapes, a), z, false);
  release(saved);
}

export function preparePair(pair: Pair, t: i32): usize {
  return vertexTable(pair.attributes, t, pair.shapes, field(pair.program, t, 1));
}

/**
 * Aᵢᵀ·M·Aⱼ within slices for one state M (full over the S input positions) into `out` (every position pair when
 * instruction t's output is full, else the same positions), in slice-vertex order through opWork: M′ there (unless already in order), then
 * M′·blockdiag(Aⱼ) after it, by gemm per slice.
 */
function sandwich(pair: Pair, table: usize, t: i32, input: usize, out: usize): void {
  const outFull = isFull(pair, field(pair.program, t, 3));
  const v = tableVertices(table);
  const slices = tableSlices(table);
  const s = v * slices;
  const squareBytes = (<usize>s * <usize>s) << 3;
  let ordered = input;
  if (!tableInOrder(table)) {
    ordered = pair.opWork;
    for (let p1 = 0; p1 < s; p1++) {
      const row = rowAt(ordered, columnOf(table, p1), s);
      for (let p2 = 0; p2 < s; p2++) store<f64>(row + ((<usize>columnOf(table, p2)) << 3), f64At(input, p1 * s + p2));
    }
  }
  const half = pair.opWork + squareBytes;
  for (let g = 0; g < slices; g++) gemm(0, 0, s, v, v, 1.0, ordered + ((<usize>(g * v)) << 3), s, pair.sideB, v, 0.0, half + ((<usize>(g * v)) << 3), s);
  if (!outFull) {
    for (let p = 0; p < s; p++) {
      const column = columnOf(table, p);
      const b = column % v;
      const first = column - b;
      let sum = 0.0;
      for (let i = 0; i < v; i++) sum += f64At(pair.sideA, i * v + b) * f64At(half, (first + i) * s + column);
      store<f64>(out + ((<usize>p) << 3), sum);
    }
    return;
  }
  // Into opWork's first square (M′ is read no more), then to positions' order.
  const product = tableInOrder(table) ? out : pair.opWork;
  for (let g = 0; g < slices; g++) {
    const rows = (<usize>(g * v * s)) << 3;
    gemm(1, 0, v, s, v, 1.0, pair.sideA, v, half + rows, s, 0.0, product + rows, s);
  }
  if (product == out) return;
  for (let p1 = 0; p1 < s; p1++) {
    const row = rowAt(product, columnOf(table, p1), s);
    for (let p2 = 0; p2 < s; p2++) store<f64>(out + ((<usize>(p1 * s + p2)) << 3), f64At(row, columnOf(table, p2)));
  }
}

/** Σ ← AᵢᵀΣAⱼ and Θ ← AᵢᵀΘAⱼ. */
export function pair(pair: Pair, t: i32): void {
  linearStatePair(pair, t, sandwich);
}

/** Linear in the states, reading nothing the hyperparameters move: its pair pass on each direction's tangents. */
export function pairTangent(pass: Pair, t: i32): void {
  linearStateTangent(pass, t, sandwich);
}
