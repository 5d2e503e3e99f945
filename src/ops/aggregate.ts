// Aggregation over a graph (neural-tangents' Aggregate; with dense layers, the graph neural tangent kernel of Du et al.
// 2019): every example carries a graph whose vertices are the positions of the aggregated spatial axes, and each vertex
// becomes the weighted sum of its predecessors, z[j] = Σᵢ A[i][j]·h[i], the same on every channel and on every slice of
// the axes not aggregated. Linear and free of parameters: at infinite width Σ ← AᵢᵀΣAⱼ between examples i and j, for which
// the covariance of every pair of positions is kept. The graph travels with the inputs as each example's side (its V × V
// adjacency after the input's entries, src/core/layout.ts GraphFormat); patternRows makes it from neural-tangents'
// `pattern`. Its WASM passes are in assembly/ops/aggregate.ts.
import { type GraphFormat, type Instruction, type Program, SLOTS, SPATIAL_AXES } from '../core/layout.js';
import { describeShape, positionsOf, sideWidthOf, sizeOf, spatialOf } from '../core/shapes.js';
import { checkOptions, enumOption, functionArgument } from '../errors.js';
import { Matrix, type MatrixInput, toMatrix } from '../matrix.js';
import { exampleRows, nestedShape } from '../model/inputs.js';
import { type LayerUnit, type OpUnit, pairEachDirection } from './unit.js';

/** Aggregation of every vertex's predecessors (neural-tangents' `Aggregate`). */
export interface AggregateLayer {
  /** The layer's type tag. */
  readonly kind: 'aggregate';
  /** The axes aggregated over, batch first as neural-tangents counts them, in the pattern's order; null: every spatial axis. */
  readonly aggregationAxes: readonly number[] | null;
  /** The batch axis: 0 (this library's inputs are batch first). */
  readonly batchAxis: number;
  /** The channel axis: −1 (channels last). */
  readonly channelAxis: number;
  /** How a pattern is given: 'DENSE' adjacencies or 'SPARSE' edge lists. */
  readonly implementation: 'DENSE' | 'SPARSE';
  /** Turns a 'DENSE' layer's pattern (the whole batch's) into dense adjacencies; null: it is given dense. */
  readonly toDense: ((pattern: unknown) => unknown) | null;
}

/** Options of {@link aggregate}. */
export interface AggregateOptions {
  /**
   * The axes whose positions are the graph's vertices, counted with the batch first (1 to 3), in the order the pattern
   * nests them (neural-tangents' `aggregate_axis`: `[2, 1]` takes patterns [n][X2][X1][X2][X1]); default every spatial axis.
   */
  aggregationAxes?: number | readonly number[];
  /** Must be 0: inputs are batch first. */
  batchAxis?: number;
  /** Must be −1 (or the last axis): channels last. */
  channelAxis?: number;
  /** For 'DENSE': a function from the pattern given to a call to its dense adjacencies (neural-tangents' `to_dense`). */
  toDense?: (pattern: unknown) => unknown;
  /**
   * How the pattern is given: 'DENSE' (default), per example a V × V adjacency, `p[n][i][j]` the weight of the edge
   * i → j (nested over the aggregated axes for several); 'SPARSE', per example a list of `[tail, head]` edges (each a
   * vertex index, or per aggregated axis for several), an edge with a negative index ignored (padding), repeated edges
   * adding up.
   */
  implementation?: 'DENSE' | 'SPARSE';
}

/**
 * Aggregates each vertex's predecessors on a graph given with every example (neural-tangents'
 * `Aggregate(aggregate_axis, batch_axis, channel_axis, to_dense, implementation)`): vertex j becomes Σᵢ A[i][j]·h[i]
 * over the edges i → j of the example's graph, on every channel. The vertices are the positions of the aggregated
 * axes (every spatial axis by default; a sequence of l nodes with c features each is the input shape `[l, c]`). The
 * graphs go with the inputs of each call as the `pattern` option (`net.apply(x, { pattern })`, `kernels(x1, x2,
 * { pattern: [p1, p2] })`); without one every graph is the identity, as in neural-tangents. At infinite width the
 * kernels between two examples are AᵢᵀΣAⱼ on the covariance of every pair of vertices: with dense layers and ReLU,
 * the graph neural tangent kernel. Every aggregate layer of a model reads the same pattern. Both implementations
 * compute the same dense products (O(V³) per pair of examples at infinite width); 'SPARSE' only changes how the
 * pattern is written.
 *
 * @example
 * ```ts
 * // Two graphs of 3 vertices with 2 features each: a path 0 → 1 → 2, and a triangle.
 * const x = [[[1, 0], [0, 1], [1, 1]], [[0.5, 0], [0, 2], [1, -1]]];
 * const self = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
 * const pattern = [
 *   [[1, 1, 0], [0, 1, 1], [0, 0, 1]],
 *   [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
 * ];
 * const gnn = serial(dense(64), relu(), aggregate(), dense(64), relu(), aggregate(), globalSumPool(), dense(1));
 * const { ntk } = infinite(gnn, { inputShape: [3, 2] }).kernels(x, undefined, { pattern: [pattern] });
 * const plain = infinite(gnn, { inputShape: [3, 2] }).kernels(x, undefined, { pattern: [[self, self]] });
 * ```
 */
export function aggregate(options: AggregateOptions = {}): AggregateLayer {
  const fn = 'aggregate';
  const opts = checkOptions(fn, options, ['aggregationAxes', 'batchAxis', 'channelAxis', 'toDense', 'implementation']) as Partial<AggregateOptions>;
  const axes = opts.aggregationAxes;
  const list = axes === undefined || axes === null ? null : typeof axes === 'number' ? [axes] : axes;
  if (list !== null && (!Array.isArray(list) || list.some((a) => typeof a !== 'number' || !Number.isInteger(a)))) {
    throw new TypeError(`${fn}: aggregationAxes must be an integer or an array of integers (axes batch first), got ${JSON.stringify(axes)}`);
  }
  if (opts.batchAxis !== undefined && opts.batchAxis !== 0) {
    throw new RangeError(`${fn}: batchAxis is ${JSON.stringify(opts.batchAxis)} but inputs here are batch first: it must be 0`);
  }
  if (opts.channelAxis !== undefined && (typeof opts.channelAxis !== 'number' || !Number.isInteger(opts.channelAxis))) {
    throw new TypeError(`${fn}: channelAxis must be an integer, got ${JSON.stringify(opts.channelAxis)}`);
  }
  const implementation = enumOption(fn, 'implementation', opts.implementation, ['DENSE', 'SPARSE'] as const, 'DENSE');
  const toDense = opts.toDense === undefined ? null : functionArgument(fn, 'toDense', opts.toDense);
  if (toDense !== null && implementation === 'SPARSE') throw new TypeError(`${fn}: toDense is for implementation 'DENSE'; 'SPARSE' takes edge lists`);
  return Object.freeze({
    kind: 'aggregate',
    aggregationAxes: list === null ? null : Object.freeze([...list]),
    batchAxis: 0,
    channelAxis: opts.channelAxis ?? -1,
    implementation,
    toDense,
  });
}

const S = SLOTS.aggregate;

export const aggregateLayer: LayerUnit<AggregateLayer> = {
  kind: 'aggregate',
  rebuild: (l) =>
    aggregate({
      ...(l.aggregationAxes === null ? {} : { aggregationAxes: l.aggregationAxes }),
      batchAxis: l.batchAxis,
      channelAxis: l.channelAxis,
      implementation: l.implementation,
      ...(l.toDense === null ? {} : { toDense: l.toDense }),
    }),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    const fn = lowering.fn;
    const ndim = input.shape.length + 1; // with the batch
    const canonical = (axis: number, name: string) => {
      if (axis < -ndim || axis >= ndim) throw new RangeError(`${fn}: ${where} has ${name} ${axis}, outside the ${ndim} axes of its inputs (batch first)`);
      return (axis + ndim) % ndim;
    };
    if (canonical(layer.channelAxis, 'channelAxis') !== ndim - 1) {
      throw new RangeError(`${fn}: ${where} has channelAxis ${layer.channelAxis} but inputs here are channels last: it must be -1 (or ${ndim - 1})`);
    }
    const spatial = input.shape.slice(0, -1);
    const axes = layer.aggregationAxes === null ? spatial.map((_, d) => d + 1) : layer.aggregationAxes.map((a) => canonical(a, 'aggregation axis'));
    axes.forEach((axis, i) => {
      if (axis === 0 || axis === ndim - 1) {
        throw new RangeError(
          `${fn}: ${where} aggregates over axis ${layer.aggregationAxes![i]}, the ${axis === 0 ? 'batch' : 'channel'} axis: only spatial axes (1 to ${ndim - 2}) hold vertices`,
        );
      }
      if (axes.indexOf(axis) !== i) throw new RangeError(`${fn}: ${where} names axis ${axis} twice in aggregationAxes`);
    });
    // The vertices in the order the axes are given, as neural-tangents' pattern (batch, X_i1, …, X_iK, X_i1, …, X_iK).
    lowering.graph({ nodeShape: axes.map((axis) => spatial[axis - 1]), implementation: layer.implementation, toDense: layer.toDense }, where);
    const attributes = [];
    for (let k = 0; k < SPATIAL_AXES; k++) attributes[S.axes + k] = k < axes.length ? axes[k] - 1 : -1;
    return {
      values: [{ id: lowering.define(aggregateOp, [input.id], input.shape, attributes), shape: input.shape, gaussian: input.gaussian }],
      branched: false,
    };
  },
};

/**
 * The positions of a value grouped by the slices of the axes not aggregated: position p is vertex vertexOf[p] of
 * slice sliceOf[p], and members[g·V + v] is the position of vertex v in slice g (V vertices, `slices` slices).
 */
export interface VertexTable {
  vertices: number;
  slices: number;
  vertexOf: Int32Array;
  sliceOf: Int32Array;
  members: Int32Array;
}

/** The vertex table of instruction `ins`'s input (its aggregated axes, in the pattern's order, from its axes slot on). */
export function vertexTable(program: Program, { a, attrs }: Instruction): VertexTable {
  const sizes = spatialOf(program, a);
  const order = Array.from(attrs.subarray(S.axes, S.axes + SPATIAL_AXES)).filter((axis) => axis >= 0);
  const aggregated = (d: number) => order.includes(d);
  const vertices = order.reduce((p, d) => p * sizes[d], 1);
  const positions = positionsOf(program, a);
  const [vertexOf, sliceOf] = [new Int32Array(positions), new Int32Array(positions)];
  const members = new Int32Array(positions);
  for (let p = 0; p < positions; p++) {
    // Row-major coordinates, split between the aggregated axes (the vertex) and the others (the slice).
    let [rest, vertex, slice] = [p, 0, 0];
    const coordinates = new Array<number>(SPATIAL_AXES);
    for (let d = SPATIAL_AXES - 1; d >= 0; d--) {
      coordinates[d] = rest % sizes[d];
      rest = Math.floor(rest / sizes[d]);
    }
    for (const d of order) vertex = vertex * sizes[d] + coordinates[d];
    for (let d = 0; d < SPATIAL_AXES; d++) if (!aggregated(d)) slice = slice * sizes[d] + coordinates[d];
    [vertexOf[p], sliceOf[p]] = [vertex, slice];
    members[slice * vertices + vertex] = p;
  }
  return { vertices, slices: positions / vertices, vertexOf, sliceOf, members };
}

/**
 * Rows of values (positions × c each, row r of example ⌊r/m⌋ with adjacency A at side[⌊r/m⌋·V²]): out[j] += Σᵢ A[i][j]·h[i]
 * within every slice; with `transpose`, out[i] += Σⱼ A[i][j]·h[j] (the backward pass).
 */
function aggregateRows(
  table: VertexTable,
  side: Float64Array,
  rows: number,
  m: number,
  h: Float64Array,
  c: number,
  out: Float64Array,
  transpose: boolean,
): void {
  const { vertices: v, slices, members } = table;
  const size = members.length * c;
  for (let r = 0; r < rows; r++) {
    const adjacency = Math.floor(r / m) * v * v;
    for (let g = 0; g < slices; g++) {
      for (let i = 0; i < v; i++) {
        for (let j = 0; j < v; j++) {
          const weight = side[adjacency + i * v + j];
          if (weight === 0) continue;
          const [from, to] = transpose ? [members[g * v + j], members[g * v + i]] : [members[g * v + i], members[g * v + j]];
          for (let ch = 0; ch < c; ch++) out[r * size + to * c + ch] += weight * h[r * size + from * c + ch];
        }
      }
    }
  }
}

/**
 * Aᵢᵀ·M·Aⱼ within slices (M full over the input's positions) into `out`: every position pair when `outputFull`, else
 * the same positions. `half` (positions²) holds M·Aⱼ with its columns in slice-vertex order.
 */
function sandwich(
  table: VertexTable,
  rowsA: Float64Array,
  columnsA: Float64Array,
  input: Float64Array,
  outputFull: boolean,
  half: Float64Array,
  out: Float64Array,
): void {
  const { vertices: v, slices, members, vertexOf, sliceOf } = table;
  const s = members.length;
  half.fill(0, 0, s * s);
  for (let q = 0; q < s; q++) {
    for (let g = 0; g < slices; g++) {
      for (let a = 0; a < v; a++) {
        const weight = input[q * s + members[g * v + a]];
        if (weight === 0) continue;
        for (let b = 0; b < v; b++) half[q * s + g * v + b] += weight * columnsA[a * v + b];
      }
    }
  }
  out.fill(0, 0, outputFull ? s * s : s);
  for (let p = 0; p < s; p++) {
    const [g, b] = [sliceOf[p], vertexOf[p]];
    for (let a = 0; a < v; a++) {
      const weight = rowsA[a * v + b];
      if (weight === 0) continue;
      const from = members[g * v + a] * s;
      if (!outputFull) out[p] += weight * half[from + g * v + b];
      else for (let p2 = 0; p2 < s; p2++) out[p * s + p2] += weight * half[from + sliceOf[p2] * v + vertexOf[p2]];
    }
  }
}

export const aggregateOp: OpUnit = {
  name: 'aggregate',
  forward({ program, n, values, side }, ins) {
    const table = vertexTable(program, ins);
    const z = new Float64Array(n * sizeOf(program, ins.out));
    aggregateRows(table, side, n, 1, values[ins.a], sizeOf(program, ins.a) / table.members.length, z, false);
    return z;
  },
  backward({ program, forward, rows, m, cotangent }, ins, g) {
    const table = vertexTable(program, ins);
    aggregateRows(table, forward.side, rows, m, g, sizeOf(program, ins.a) / table.members.length, cotangent(ins.a), true);
  },
  // Linear: the tangent of row i·m + d is the map of example i on the input's tangent.
  tangent({ program, forward, rows, m, tangents }, ins) {
    const table = vertexTable(program, ins);
    const z = new Float64Array(rows * sizeOf(program, ins.out));
    aggregateRows(table, forward.side, rows, m, tangents[ins.a], sizeOf(program, ins.a) / table.members.length, z, false);
    return z;
  },
  needsPositions: () => true,
  // As neural-tangents (diagonal_spatial NO): vertices mix, so the input's covariance is read between every pair.
  fullSpatial: (_program, { a }, _full, set) => set(a, 1),
  // The vertex table, and the product M·Aⱼ the sandwich works in.
  prepare: (program, ins) => ({ table: vertexTable(program, ins), half: new Float64Array(positionsOf(program, ins.a) ** 2) }),
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, aggregateOp, prepared),
  pair(pass, { a, out }, prepared) {
    const { table, half } = prepared as { table: VertexTable; half: Float64Array };
    const [source, target] = [pass.state(a), pass.state(out)];
    const size = pass.size(out);
    for (const part of ['sigma', 'theta'] as const) {
      sandwich(table, pass.sideA, pass.sideB, source[part], pass.full(out), half, pass.scratch[part]);
      target[part].set(pass.scratch[part].subarray(0, size));
    }
  },
  cost: {
    entryFlops: (program, ins) => 4 * vertexTable(program, ins).vertices,
    // The vertex table (three i32 per position).
    passDoubles: (program, ins) => 2 * positionsOf(program, ins.a) + 2,
    // The WASM pass works in slice-vertex order: the input reordered, then its product with Aⱼ.
    pairScratch: (program, ins) => ({ prepared: 2 * positionsOf(program, ins.a) + 2, work: 2 * positionsOf(program, ins.a) ** 2 }),
  },
};

/**
 * Each example's side for a program with aggregate layers: its V × V adjacency from neural-tangents' `pattern` for
 * the n examples (`name` names it in errors): 'DENSE' as nested [n][vertices…][vertices…] arrays or n flat rows of V²,
 * after the layer's toDense; 'SPARSE' as [n][edges][2] (one aggregated axis) or [n][edges][K][2] vertex indices, an
 * edge with a negative index ignored, repeated edges adding up. Absent: the identity for every example.
 */
export function patternRows(fn: string, name: string, program: Program, pattern: unknown, n: number): Float64Array {
  const graph = program.graph!;
  const v = graph.nodeShape.reduce((p, size) => p * size, 1);
  const sides = new Float64Array(n * v * v);
  if (pattern === undefined || pattern === null) {
    for (let i = 0; i < n; i++) for (let a = 0; a < v; a++) sides[i * v * v + a * v + a] = 1;
    return sides;
  }
  if (graph.implementation === 'SPARSE') return sparseRows(fn, name, graph, pattern, n, sides);
  const dense = graph.toDense === null ? pattern : graph.toDense(pattern);
  const shape = [...graph.nodeShape, ...graph.nodeShape];
  if (!(dense instanceof Matrix) && (!Array.isArray(dense) || (dense.length > 0 && !Array.isArray(dense[0])))) {
    throw new TypeError(`${fn}: ${name} must be ${n} adjacencies of shape ${describeShape(shape)} (nested arrays, or a Matrix of ${n} rows of ${v * v})`);
  }
  if (Array.isArray(dense) && dense.length !== n) {
    throw new RangeError(`${fn}: ${name} has ${dense.length} adjacencies but the inputs have ${n} examples`);
  }
  const nested = Array.isArray(dense) && n > 0 && nestedShape(dense[0]).length === shape.length;
  const matrix = toMatrix(fn, name, nested || shape.length === 2 ? exampleRows(fn, name, dense as MatrixInput, shape, 'an adjacency') : (dense as MatrixInput));
  if (matrix.rows !== n || matrix.cols !== v * v) {
    throw new RangeError(
      `${fn}: ${name} is ${matrix.rows}x${matrix.cols} but ${n} examples of ${v} vertices need ${n} adjacencies of ${describeShape(shape)} (${v * v} entries each)`,
    );
  }
  sides.set(matrix.data);
  return sides;
}

/** 'SPARSE' patterns: per example, edges [tail, head] (K = 1) or [[tail per axis], …] as [edges][K][2], into dense sides. */
function sparseRows(fn: string, name: string, graph: GraphFormat, pattern: unknown, n: number, sides: Float64Array): Float64Array {
  const { nodeShape } = graph;
  const k = nodeShape.length;
  const v = nodeShape.reduce((p, size) => p * size, 1);
  if (!Array.isArray(pattern) || pattern.length !== n) {
    throw new RangeError(`${fn}: ${name} must hold one edge list per example (${n}), got ${Array.isArray(pattern) ? pattern.length : typeof pattern}`);
  }
  const integer = (value: unknown, where: string) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${fn}: ${where} is ${JSON.stringify(value)}; vertex indices are integers`);
    return value;
  };
  pattern.forEach((edges: unknown, i) => {
    if (!Array.isArray(edges)) throw new TypeError(`${fn}: ${name}[${i}] must be an array of [tail, head] edges`);
    edges.forEach((edge: unknown, e) => {
      const where = `${name}[${i}][${e}]`;
      // [tail, head] for one axis; [[tail, head] per axis] for K (neural-tangents' (K, 2)).
      const pairs = k === 1 && Array.isArray(edge) && !Array.isArray(edge[0]) ? [edge] : edge;
      if (!Array.isArray(pairs) || pairs.length !== k || pairs.some((pair) => !Array.isArray(pair) || pair.length !== 2)) {
        throw new RangeError(`${fn}: ${where} must be [tail, head]${k > 1 ? ` per aggregated axis (${k} pairs)` : ''}, got ${JSON.stringify(edge)}`);
      }
      let [tail, head, padding] = [0, 0, false];
      (pairs as unknown[][]).forEach(([t, h], d) => {
        const [ti, hi] = [integer(t, `${where} tail`), integer(h, `${where} head`)];
        if (ti < 0 || hi < 0) padding = true;
        if (ti >= nodeShape[d] || hi >= nodeShape[d]) {
          throw new RangeError(`${fn}: ${where} = ${JSON.stringify(edge)} has a vertex index beyond ${nodeShape[d] - 1}, the last along aggregated axis ${d}`);
        }
        [tail, head] = [tail * nodeShape[d] + ti, head * nodeShape[d] + hi];
      });
      if (!padding) sides[i * v * v + tail * v + head] += 1;
    });
  });
  return sides;
}

/** Rows of x (n × input entries) followed by each example's side, as the backends take them; x itself without a graph. */
export function withSides(program: Program, x: Float64Array, n: number, sides: Float64Array): Float64Array {
  const width = sideWidthOf(program);
  if (width === 0) return x;
  const d = x.length / n;
  const rows = new Float64Array(n * (d + width));
  for (let i = 0; i < n; i++) {
    rows.set(x.subarray(i * d, (i + 1) * d), i * (d + width));
    rows.set(sides.subarray(i * width, (i + 1) * width), i * (d + width) + d);
  }
  return rows;
}

/**
 * @hidden The `pattern` option of a kernel call: the graphs of x1's and x2's examples (`second`: x2 is given), each
 * undefined where left out; a RangeError for a model without aggregate layers.
 */
export function patternOption(fn: string, program: Program, pattern: unknown, second: boolean): [unknown, unknown] {
  if (pattern === undefined) return [undefined, undefined];
  if (program.graph === null) throw new RangeError(`${fn}: pattern is given but the model has no aggregate layer to read it`);
  if (!Array.isArray(pattern) || pattern.length < 1 || pattern.length > 2) {
    throw new TypeError(`${fn}: pattern must be [p1, p2], the graphs of x1's and x2's examples (or [p1] without x2)`);
  }
  if (!second && pattern.length === 2 && pattern[1] !== undefined && pattern[1] !== null) {
    throw new RangeError(`${fn}: pattern has graphs for x2 (pattern[1]) but x2 is not given`);
  }
  return [pattern[0], pattern[1]];
}

/** @hidden Rows of m followed by each example's graph (its adjacency from `pattern`), or m itself for a model without aggregate layers. */
export function withGraphs(fn: string, name: string, program: Program, m: Matrix, pattern: unknown): Matrix {
  if (program.graph === null) return m;
  const rows = withSides(program, m.data, m.rows, patternRows(fn, name, program, pattern, m.rows));
  return new Matrix(m.rows, rows.length / m.rows, rows);
}
