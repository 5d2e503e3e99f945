import { shapeOf, sizeArgument } from './errors.js';

/** Anything a function accepts as a matrix: a {@link Matrix} or an array of equally long rows. */
export type MatrixInput = Matrix | ArrayLike<ArrayLike<number>>;

/**
 * A dense row-major float64 matrix. Rows are examples. Library functions return new matrices and never
 * keep or modify the ones they are given.
 *
 * @example
 * ```ts
 * const m = Matrix.from([[1, 2, 3], [4, 5, 6]]);
 * m.rows;            // 2
 * m.get(1, 2);       // 6
 * m.transpose().toArray(); // [[1, 4], [2, 5], [3, 6]]
 * ```
 */
export class Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The entries, row by row: element (i, j) is `data[i * cols + j]`. */
  readonly data: Float64Array;

  /**
   * Wraps `data` (not copied) as a `rows × cols` matrix; without `data`, a zero matrix.
   *
   * @example
   * ```ts
   * const m = new Matrix(2, 2, new Float64Array([1, 0, 0, 1]));
   * ```
   */
  constructor(rows: number, cols: number, data?: Float64Array) {
    this.rows = sizeArgument('Matrix', 'rows', rows);
    this.cols = sizeArgument('Matrix', 'cols', cols);
    if (data === undefined) {
      this.data = new Float64Array(rows * cols);
    } else {
      if (!(data instanceof Float64Array)) throw new TypeError('Matrix: data must be a Float64Array');
      if (data.length !== rows * cols) {
        throw new RangeError(`Matrix: data has ${data.length} entries but a ${rows}x${cols} matrix needs ${rows * cols}`);
      }
      this.data = data;
    }
  }

  /**
   * Copies an array of rows into a new matrix.
   *
   * @example
   * ```ts
   * const x = Matrix.from([[0, 1], [1, 0]]);
   * ```
   */
  static from(rows: ArrayLike<ArrayLike<number>>): Matrix {
    return toMatrix('Matrix.from', 'rows', rows);
  }

  /**
   * A `rows × cols` matrix of zeros.
   *
   * @example
   * ```ts
   * Matrix.zeros(2, 3).toArray(); // [[0, 0, 0], [0, 0, 0]]
   * ```
   */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /**
   * The `n × n` identity.
   *
   * @example
   * ```ts
   * Matrix.identity(2).toArray(); // [[1, 0], [0, 1]]
   * ```
   */
  static identity(n: number): Matrix {
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /**
   * Element (i, j).
   *
   * @example
   * ```ts
   * Matrix.identity(3).get(1, 1); // 1
   * ```
   */
  get(i: number, j: number): number {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= this.rows || j >= this.cols) {
      throw new RangeError(`Matrix.get: index (${i}, ${j}) is outside a ${shapeOf(this)} matrix`);
    }
    return this.data[i * this.cols + j];
  }

  /**
   * The rows as plain arrays.
   *
   * @example
   * ```ts
   * Matrix.identity(2).toArray(); // [[1, 0], [0, 1]]
   * ```
   */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /**
   * A new matrix with rows and columns swapped.
   *
   * @example
   * ```ts
   * Matrix.from([[1, 2]]).transpose().toArray(); // [[1], [2]]
   * ```
   */
  transpose(): Matrix {
    const { rows, cols, data } = this;
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
    return new Matrix(cols, rows, out);
  }
}

function firstNonFinite(data: Float64Array): number {
  // x·0 is NaN exactly when x is NaN or ±Infinity; four sums keep the scan at memory speed.
  let p0 = 0,
    p1 = 0,
    p2 = 0,
    p3 = 0;
  const n4 = data.length & ~3;
  for (let i = 0; i < n4; i += 4) {
    p0 += data[i] * 0;
    p1 += data[i + 1] * 0;
    p2 += data[i + 2] * 0;
    p3 += data[i + 3] * 0;
  }
  for (let i = n4; i < data.length; i++) p0 += data[i] * 0;
  if (p0 + p1 + p2 + p3 === 0) return -1;
  return data.findIndex((x) => !Number.isFinite(x));
}

/**
 * Converts and validates a matrix argument: a `Matrix` is checked (shape and finiteness) and returned
 * as is; an array of rows is checked to be rectangular and numeric and copied.
 */
export function toMatrix(fn: string, name: string, input: unknown): Matrix {
  if (input instanceof Matrix) {
    if (input.data.length !== input.rows * input.cols) {
      throw new RangeError(`${fn}: ${name} claims ${shapeOf(input)} but holds ${input.data.length} entries`);
    }
    const bad = firstNonFinite(input.data);
    if (bad >= 0) {
      const i = Math.floor(bad / input.cols);
      throw new TypeError(`${fn}: ${name}[${i}][${bad - i * input.cols}] is ${input.data[bad]}; entries must be finite numbers`);
    }
    return input;
  }
  if (input === null || typeof input !== 'object' || typeof (input as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be a Matrix or an array of rows, got ${input === null ? 'null' : typeof input}`);
  }
  const rowsIn = input as ArrayLike<unknown>;
  const rows = rowsIn.length;
  const first = rows > 0 ? rowsIn[0] : undefined;
  const cols = rows > 0 && first !== null && typeof first === 'object' ? (first as ArrayLike<number>).length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = rowsIn[i] as ArrayLike<unknown> | null;
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
      throw new TypeError(`${fn}: ${name}[${i}] must be an array of numbers, got ${row === null ? 'null' : typeof row}`);
    }
    if (row.length !== cols) {
      throw new RangeError(`${fn}: ${name} is ragged: row 0 has ${cols} entries but row ${i} has ${row.length}`);
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new TypeError(`${fn}: ${name}[${i}][${j}] is ${typeof v === 'number' ? v : typeof v}; entries must be finite numbers`);
      }
      data[i * cols + j] = v;
    }
  }
  return new Matrix(rows, cols, data);
}

/** Throws a RangeError unless the matrix has at least one row and one column. */
export function requireNonEmpty(fn: string, name: string, m: Matrix): void {
  if (m.rows === 0 || m.cols === 0) throw new RangeError(`${fn}: ${name} is ${shapeOf(m)}; it must not be empty`);
}

/** Throws a RangeError unless the matrix is square. */
export function requireSquare(fn: string, name: string, m: Matrix): void {
  if (m.rows !== m.cols) throw new RangeError(`${fn}: ${name} is ${shapeOf(m)}; it must be square`);
}

/**
 * Throws a RangeError unless `m` is symmetric to `tol` relative to its largest entry; the error names
 * the worst pair.
 */
export function requireSymmetric(fn: string, name: string, m: Matrix, tol = 1e-8): void {
  const { rows: n, data } = m;
  let maxAbs = 0;
  for (let i = 0; i < data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(data[i]));
  const limit = tol * Math.max(maxAbs, Number.MIN_VALUE);
  // Tile by tile, so that the transposed reads stay in cache.
  for (let i0 = 0; i0 < n; i0 += SYMMETRY_TILE) {
    const iEnd = Math.min(n, i0 + SYMMETRY_TILE);
    for (let j0 = 0; j0 < iEnd; j0 += SYMMETRY_TILE) {
      for (let i = i0; i < iEnd; i++) {
        const jEnd = Math.min(i, j0 + SYMMETRY_TILE);
        for (let j = j0; j < jEnd; j++) {
          const upper = data[j * n + i];
          const lower = data[i * n + j];
          if (Math.abs(upper - lower) > limit) {
            throw new RangeError(`${fn}: ${name} (${n}x${n}) is not symmetric: ${name}[${j}][${i}] = ${upper} but ${name}[${i}][${j}] = ${lower}`);
          }
        }
      }
    }
  }
}

const SYMMETRY_TILE = 32;

/**
 * The `out` option of a function with a large result: undefined, or a {@link Matrix} of exactly rows × cols whose
 * entries do not overlap those of `inputs`, into which the result is written (a result in memory the process
 * has touched before costs a copy; a fresh one of tens of MB costs the page faults of first touch as well).
 */
export function outOption(fn: string, value: unknown, rows: number, cols: number, inputs: readonly (Matrix | null)[], name = 'out'): Matrix | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Matrix)) throw new TypeError(`${fn}: ${name} must be a Matrix, got ${value === null ? 'null' : typeof value}`);
  if (value.rows !== rows || value.cols !== cols) throw new RangeError(`${fn}: ${name} is ${shapeOf(value)} but the result is ${rows}x${cols}`);
  const start = value.data.byteOffset;
  const end = start + value.data.byteLength;
  for (const input of inputs) {
    if (input !== null && input.data.buffer === value.data.buffer && input.data.byteOffset < end && start < input.data.byteOffset + input.data.byteLength) {
      throw new RangeError(`${fn}: ${name} shares its entries with an input; give it memory of its own`);
    }
  }
  return value;
}

/** `data` as the entries of `out` (copied in unless the backend already wrote them there), or as a new matrix. */
export function resultInto(out: Matrix | undefined, rows: number, cols: number, data: Float64Array): Matrix {
  if (out === undefined) return new Matrix(rows, cols, data);
  if (data !== out.data) out.data.set(data);
  return out;
}
