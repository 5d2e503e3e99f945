import { current } from './backend/registry.js';
import type { ClassicKernelSpec, EigenSession } from './backend/types.js';
import { booleanOption, checkOptions, requireFiniteResult, requireFits, shapeOf } from './errors.js';
import { Matrix, type MatrixInput, outOption, requireNonEmpty, requireSquare, requireSymmetric, resultInto, toMatrix } from './matrix.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use aᵀ in place of a. Default false. */
  transA?: boolean;
  /** Use bᵀ in place of b. Default false. */
  transB?: boolean;
  /**
   * A matrix of the result's shape to write the product into (and return) instead of a new one: repeated
   * products reuse its memory. It must not share entries with a or b; after an error its entries are unspecified.
   */
  out?: Matrix;
}

/** Options of {@link gram}. */
export interface GramOptions {
  /** A matrix of the result's shape to write a·aᵀ into (and return) instead of a new one, as {@link MatmulOptions.out}. */
  out?: Matrix;
}

/**
 * The matrix product op(a)·op(b), where op transposes when asked. Dimensions of size zero are allowed.
 *
 * @example
 * ```ts
 * matmul([[1, 2]], [[3], [4]]).toArray();              // [[11]]
 * matmul([[1, 2]], [[1, 2]], { transB: true }).get(0, 0); // 5
 * const out = new Matrix(1, 1);
 * matmul([[1, 2]], [[3], [4]], { out }) === out;        // true: written into out
 * ```
 */
export function matmul(a: MatrixInput, b: MatrixInput, options?: MatmulOptions): Matrix {
  const opts = checkOptions('matmul', options, ['transA', 'transB', 'out']);
  const transA = booleanOption('matmul', 'transA', opts.transA, false);
  const transB = booleanOption('matmul', 'transB', opts.transB, false);
  const ma = toMatrix('matmul', 'a', a);
  const mb = toMatrix('matmul', 'b', b);
  const [m, k] = transA ? [ma.cols, ma.rows] : [ma.rows, ma.cols];
  const [kb, n] = transB ? [mb.cols, mb.rows] : [mb.rows, mb.cols];
  if (k !== kb) {
    const left = transA ? `aᵀ is ${m}x${k}` : `a is ${shapeOf(ma)}`;
    const right = transB ? `bᵀ is ${kb}x${n}` : `b is ${shapeOf(mb)}`;
    throw new RangeError(`matmul: ${left} but ${right}; the inner dimensions (${k} and ${kb}) must be equal`);
  }
  return product('matmul', ma, mb, transA, transB, outOption('matmul', opts.out, m, n, [ma, mb]));
}

/** @internal op(a)·op(b) of validated matrices whose inner dimensions agree, for `fn` (into a checked `out`). */
export function product(fn: string, a: Matrix, b: Matrix, transA = false, transB = false, out?: Matrix): Matrix {
  const [m, k] = transA ? [a.cols, a.rows] : [a.rows, a.cols];
  const n = transB ? b.rows : b.cols;
  requireFits(fn, 'the product', m, n);
  const result = current().matmul(fn, a.data, b.data, m, n, k, transA, transB, out?.data);
  return resultInto(out, m, n, requireFiniteResult(fn, 'the product', result, n, 'scale the inputs down'));
}

/**
 * The Gram matrix a·aᵀ of the rows of `a` (n × d → n × n), exactly symmetric.
 *
 * @example
 * ```ts
 * gram([[1, 0], [1, 1]]).toArray(); // [[1, 1], [1, 2]]
 * gram([[1, 0], [1, 1]], { out: new Matrix(2, 2) });  // the same, written into the given matrix
 * ```
 */
export function gram(a: MatrixInput, options?: GramOptions): Matrix {
  const opts = checkOptions('gram', options, ['out']);
  const m = toMatrix('gram', 'a', a);
  return gramOf('gram', m, outOption('gram', opts.out, m.rows, m.rows, [m]));
}

/** @internal The Gram matrix of a validated matrix, for `fn` (into a checked `out`). */
export function gramOf(fn: string, a: Matrix, out?: Matrix): Matrix {
  requireFits(fn, 'the Gram matrix', a.rows, a.rows);
  return resultInto(out, a.rows, a.rows, requireFiniteResult(fn, 'a·aᵀ', current().gram(fn, a.data, a.rows, a.cols, out?.data), a.rows, 'scale a down'));
}

function notPositiveDefinite(fn: string, name: string, n: number, pivot: number, value: number): RangeError {
  return new RangeError(
    `${fn}: ${name} (${n}x${n}) is not positive definite: pivot ${pivot} is ${value} after elimination; ` +
      `add a small multiple of the identity to the diagonal (diagReg / ridge) to regularize it`,
  );
}

/** A validated non-empty symmetric square matrix (internal). */
export function symmetricSquare(fn: string, name: string, input: MatrixInput): Matrix {
  const m = toMatrix(fn, name, input);
  requireNonEmpty(fn, name, m);
  requireSquare(fn, name, m);
  requireSymmetric(fn, name, m);
  return m;
}

/**
 * The Cholesky factor: lower-triangular L with a = L·Lᵀ, for symmetric positive definite `a`.
 *
 * @throws RangeError naming the failing pivot when `a` is not positive definite.
 * @example
 * ```ts
 * cholesky([[4, 2], [2, 3]]).toArray(); // [[2, 0], [1, 1.414…]]
 * ```
 */
export function cholesky(a: MatrixInput): Matrix {
  return choleskyOf('cholesky', 'a', symmetricSquare('cholesky', 'a', a));
}

/**
 * A power of two `s` with `s·max|x|` near 1, so that a factorization of `s·x` neither overflows nor
 * underflows, and multiplying by it is exact (LAPACK scales the same way); 1 for a zero matrix and for
 * entries well inside float64's range, where scaling by a power of two would change no bit of the
 * result. `square` asks for a power of four, whose square root is exact too.
 */
function unitScale(data: Float64Array, square = false): number {
  let maxAbs = 0;
  for (let i = 0; i < data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(data[i]));
  if (maxAbs === 0 || (maxAbs >= SAFE_MIN && maxAbs <= SAFE_MAX)) return 1;
  let exponent = Math.min(1022, Math.max(-1022, -Math.round(Math.log2(maxAbs))));
  if (square) exponent = 2 * Math.trunc(exponent / 2);
  return 2 ** exponent;
}

// Within these, squares and sums of n² products neither overflow nor reach the subnormals.
const SAFE_MIN = 2 ** -200;
const SAFE_MAX = 2 ** 200;

function scaled(data: Float64Array, s: number): Float64Array {
  if (s === 1) return data;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * s;
  return out;
}

/**
 * The power of two {@link unitScale} gives each column of b (a solve treats the columns one by one, so columns
 * of different magnitudes, 1e-160 beside 1e160, each keep their digits).
 */
function columnScales(b: Matrix): Float64Array {
  return Float64Array.from({ length: b.cols }, (_, j) => unitScale(Float64Array.from({ length: b.rows }, (_, i) => b.data[i * b.cols + j])));
}

/** data (rows × scales.length) with column j times scales[j] · factor (data itself when every product is 1). */
function scaledColumns(data: Float64Array, scales: Float64Array, factor: number): Float64Array {
  if (scales.every((s) => s * factor === 1)) return data;
  const cols = scales.length;
  return data.map((v, i) => v * scales[i % cols] * factor);
}

/**
 * The smallest pivot Cholesky accepts, the same rule on both backends: `n·ε·max(diag)` (LAPACK's default
 * tolerance in `dpstrf`). Smaller pivots are rounding noise, whose sign would otherwise depend on the order
 * of the sums.
 */
function minimumPivot(data: Float64Array, n: number): number {
  let maxDiagonal = 0;
  for (let i = 0; i < n; i++) maxDiagonal = Math.max(maxDiagonal, data[i * n + i]);
  return n * Number.EPSILON * maxDiagonal;
}

/** Cholesky of a validated symmetric matrix, scaled internally; errors name `fn` and `name` (internal). */
export function choleskyOf(fn: string, name: string, a: Matrix): Matrix {
  const n = a.rows;
  const s = unitScale(a.data, true);
  const input = scaled(a.data, s);
  const { factor, failedPivot, pivotValue } = current().cholesky(fn, input, n, minimumPivot(input, n));
  if (failedPivot >= 0) throw notPositiveDefinite(fn, name, n, failedPivot, pivotValue / s);
  return new Matrix(n, n, scaled(factor, 1 / Math.sqrt(s)));
}

/** A Cholesky factorization kept by the backend for repeated solves; dispose it when done (internal). */
export interface Factor {
  /** x with a·x = b for validated b of a's rows, scaled internally; errors name `fn`. */
  solve(fn: string, b: Matrix): Matrix;
  dispose(): void;
}

/** The factorization of a validated symmetric matrix, kept by the backend; errors name `fn` and `name` (internal). */
export function factorOf(fn: string, name: string, a: Matrix): Factor {
  const n = a.rows;
  const s = unitScale(a.data, true);
  const input = scaled(a.data, s);
  const { session, failedPivot, pivotValue } = current().choleskySession(fn, input, n, minimumPivot(input, n));
  if (session === null) throw notPositiveDefinite(fn, name, n, failedPivot, pivotValue / s);
  return {
    solve(solveFn, b) {
      const sb = columnScales(b);
      // (s·a)·y = sb·b gives y = (sb/s)·x, column by column.
      const y = session.solve(solveFn, scaledColumns(b.data, sb, 1), b.cols);
      return new Matrix(
        n,
        b.cols,
        requireFiniteResult(
          solveFn,
          'the solution',
          scaledColumns(
            y,
            sb.map((v) => 1 / v),
            s,
          ),
          b.cols,
          `${name} is too ill-conditioned for float64`,
        ),
      );
    },
    dispose: () => session.dispose(),
  };
}

/**
 * The inverse of a validated symmetric positive definite matrix into `out`, the solution of a·x = b (n × m) into
 * `solution`, and log det a, from one factorization (internal: the marginal likelihood of src/infinite/fit.ts, whose
 * arrays are reused across calls; `identity` is the n × n identity). Errors name `fn` and `name`.
 */
export function spdInverseInto(
  fn: string,
  name: string,
  a: Float64Array,
  n: number,
  b: Float64Array,
  m: number,
  identity: Float64Array,
  out: Float64Array,
  solution: Float64Array,
): number {
  const s = unitScale(a, true);
  const input = scaled(a, s);
  const { session, failedPivot, pivotValue } = current().choleskySession(fn, input, n, minimumPivot(input, n));
  if (session === null) throw notPositiveDefinite(fn, name, n, failedPivot, pivotValue / s);
  try {
    // (s·a)⁻¹ = a⁻¹/s.
    session.solve(fn, identity, n, out);
    session.solve(fn, b, m, solution);
    if (s !== 1) {
      for (let e = 0; e < out.length; e++) out[e] *= s;
      for (let e = 0; e < solution.length; e++) solution[e] *= s;
    }
    return session.logDeterminant() - n * Math.log(s);
  } finally {
    session.dispose();
  }
}

/** Options of {@link solveTriangular}. */
export interface SolveTriangularOptions {
  /** `t` is lower-triangular (default true); false: upper-triangular. Only that triangle is read. */
  lower?: boolean;
  /** Solve tᵀ·x = b instead of t·x = b. Default false. */
  transpose?: boolean;
}

/**
 * Solves t·x = b (or tᵀ·x = b) for triangular `t` (n × n) and `b` (n × m) by substitution.
 *
 * @throws RangeError when a diagonal entry of `t` is zero.
 * @example
 * ```ts
 * const l = cholesky([[4, 2], [2, 3]]);
 * // a·x = b as two triangular solves: L·y = b, then Lᵀ·x = y
 * const y = solveTriangular(l, [[2], [1]]);
 * const x = solveTriangular(l, y, { transpose: true });
 * ```
 */
export function solveTriangular(t: MatrixInput, b: MatrixInput, options?: SolveTriangularOptions): Matrix {
  const fn = 'solveTriangular';
  const opts = checkOptions(fn, options, ['lower', 'transpose']);
  const lower = booleanOption(fn, 'lower', opts.lower, true);
  const transpose = booleanOption(fn, 'transpose', opts.transpose, false);
  const mt = toMatrix(fn, 't', t);
  const mb = toMatrix(fn, 'b', b);
  requireNonEmpty(fn, 't', mt);
  requireSquare(fn, 't', mt);
  if (mb.rows !== mt.rows) {
    throw new RangeError(`${fn}: t is ${shapeOf(mt)} but b is ${shapeOf(mb)}; b must have ${mt.rows} rows`);
  }
  const n = mt.rows;
  for (let i = 0; i < n; i++) {
    if (mt.data[i * n + i] === 0) throw new RangeError(`${fn}: t (${n}x${n}) is singular: t[${i}][${i}] is 0`);
  }
  // An upper U is handled as the lower Uᵀ with the transpose flipped: U·x = b ⟺ (Uᵀ)ᵀ·x = b.
  const lowerFactor = lower ? mt : mt.transpose();
  const data = lowerFactor.data.slice();
  for (let i = 0; i < n; i++) data.fill(0, i * n + i + 1, (i + 1) * n);
  return new Matrix(n, mb.cols, current().trsmLower(fn, data, mb.data, n, mb.cols, lower ? transpose : !transpose));
}

/**
 * Solves a·x = b for symmetric positive definite `a` (n × n) and `b` (n × m) through Cholesky.
 *
 * @throws RangeError when `a` is not positive definite (suggesting a diagonal regularizer).
 * @example
 * ```ts
 * solveSpd([[4, 2], [2, 3]], [[2], [1]]).toArray(); // [[0.5], [0]]
 * ```
 */
export function solveSpd(a: MatrixInput, b: MatrixInput): Matrix {
  const ma = symmetricSquare('solveSpd', 'a', a);
  const mb = toMatrix('solveSpd', 'b', b);
  const n = ma.rows;
  if (mb.rows !== n) {
    throw new RangeError(`solveSpd: a is ${shapeOf(ma)} but b is ${shapeOf(mb)}; b must have ${n} rows`);
  }
  return spdSolve('solveSpd', 'a', ma, mb);
}

/** a·x = b for validated symmetric a and b with matching rows; errors name `fn` and `name` (internal). */
export function spdSolve(fn: string, name: string, a: Matrix, b: Matrix): Matrix {
  const n = a.rows;
  const sa = unitScale(a.data);
  const sb = columnScales(b);
  const input = scaled(a.data, sa);
  // (sa·a)·y = sb·b gives y = (sb/sa)·x, column by column.
  const { solution, failedPivot, pivotValue } = current().solveSpd(fn, input, scaledColumns(b.data, sb, 1), n, b.cols, minimumPivot(input, n));
  if (failedPivot >= 0) throw notPositiveDefinite(fn, name, n, failedPivot, pivotValue / sa);
  return new Matrix(
    n,
    b.cols,
    requireFiniteResult(
      fn,
      'the solution',
      scaledColumns(
        solution,
        sb.map((v) => 1 / v),
        sa,
      ),
      b.cols,
      `${name} is too ill-conditioned for float64`,
    ),
  );
}

/**
 * (K + ridge·I)⁻¹·y for K the RBF Gram matrix of the rows of x, which the backend builds, factors and solves
 * in place; the same result as spdSolve on the kernel's matrix plus the ridge (internal).
 */
export function rbfRidgeSolve(fn: string, name: string, spec: ClassicKernelSpec, x: Matrix, y: Matrix, ridge: number): Matrix {
  const n = x.rows;
  // exp(−γd²) ∈ [0, 1] with a unit diagonal: no scaling, and the pivot floor of minimumPivot.
  const minPivot = n * Number.EPSILON * (1 + ridge);
  const sy = columnScales(y);
  const { solution, failedPivot, pivotValue } = current().kernelRidgeFit(fn, spec, x.data, n, x.cols, scaledColumns(y.data, sy, 1), y.cols, ridge, minPivot);
  if (failedPivot >= 0) throw notPositiveDefinite(fn, name, n, failedPivot, pivotValue);
  return new Matrix(
    n,
    y.cols,
    requireFiniteResult(
      fn,
      'the solution',
      scaledColumns(
        solution,
        sy.map((v) => 1 / v),
        1,
      ),
      y.cols,
      `${name} is too ill-conditioned for float64`,
    ),
  );
}

/** Eigenvalues in ascending order, with the eigenvectors in the columns of `vectors`. */
export interface EighResult {
  /** The eigenvalues, ascending. */
  values: Float64Array;
  /** Orthonormal eigenvectors: column j belongs to `values[j]`. */
  vectors: Matrix;
}

/**
 * All eigenpairs of a symmetric matrix: ascending eigenvalues and orthonormal eigenvectors in columns.
 * Each eigenvector is signed so that its largest-magnitude entry (the first, among ties) is positive,
 * which makes the output deterministic across backends.
 *
 * @example
 * ```ts
 * const { values, vectors } = eigh([[2, 1], [1, 2]]);
 * values;         // Float64Array [1, 3]
 * vectors.get(0, 0); // 0.7071… (the eigenvector of 1 is [1, −1]/√2)
 * ```
 */
export function eigh(a: MatrixInput): EighResult {
  return eighOf('eigh', 'a', symmetricSquare('eigh', 'a', a));
}

/** Eigenpairs of a validated symmetric matrix; errors name `fn` and `name` (internal). */
export function eighOf(fn: string, name: string, ma: Matrix): EighResult {
  const n = ma.rows;
  const { values, vectors, scale } = decompose(fn, name, ma, true);
  const order = Array.from(values.keys()).sort((i, j) => values[i] - values[j]);
  const sortedValues = new Float64Array(n);
  const sortedVectors = new Float64Array(n * n);
  order.forEach((src, col) => {
    sortedValues[col] = values[src] / scale;
    let maxAbs = 0;
    for (let r = 0; r < n; r++) maxAbs = Math.max(maxAbs, Math.abs(vectors![r * n + src]));
    // The first entry within rounding of the largest, so ties (e.g. ±1/√2) resolve the same on both backends.
    let lead = 0;
    while (Math.abs(vectors![lead * n + src]) < maxAbs * (1 - 1e-6)) lead++;
    const sign = vectors![lead * n + src] < 0 ? -1 : 1;
    for (let r = 0; r < n; r++) sortedVectors[r * n + col] = sign * vectors![r * n + src];
  });
  return { values: sortedValues, vectors: new Matrix(n, n, sortedVectors) };
}

/** The eigenvalues alone, ascending, of a validated symmetric matrix (no eigenvectors are formed; internal). */
export function eigenvaluesOf(fn: string, name: string, ma: Matrix): Float64Array {
  const { values, scale } = decompose(fn, name, ma, false);
  return values.map((v) => v / scale).sort();
}

/** Eigenpairs kept by the backend for products with the eigenvectors (internal). */
export interface Spectrum {
  /** The eigenvalues, in the order of the session's eigenvector columns (unsorted). */
  values: Float64Array;
  session: EigenSession;
}

/** The eigendecomposition of a validated symmetric matrix, kept by the backend; dispose its session (internal). */
export function spectrumOf(fn: string, name: string, ma: Matrix): Spectrum {
  const { sym, scale } = symmetricUnit(ma);
  const session = current().eighSession(fn, sym, ma.rows);
  if (session === null) throw notConverged(fn, name, ma.rows);
  return { values: session.values.map((v) => v / scale), session };
}

const notConverged = (fn: string, name: string, n: number) => new RangeError(`${fn}: the QL iteration did not converge for ${name} (${n}x${n})`);

// The backend's eigendecomposition of the exactly symmetric, unit-scaled matrix.
function decompose(fn: string, name: string, ma: Matrix, vectors: boolean) {
  const { sym, scale } = symmetricUnit(ma);
  const result = current().eigh(fn, sym, ma.rows, vectors);
  if (!result.converged) throw notConverged(fn, name, ma.rows);
  return { ...result, scale };
}

/** (a + aᵀ)/2 exactly symmetric, times a power of two that brings its entries to unit size. */
function symmetricUnit(ma: Matrix): { sym: Float64Array; scale: number } {
  const n = ma.rows;
  // Exact symmetry, so that the triangle the kernel reads stands for the matrix.
  const sym = ma.data.slice();
  const tile = 32;
  for (let i0 = 0; i0 < n; i0 += tile) {
    for (let j0 = 0; j0 <= i0; j0 += tile) {
      for (let i = i0; i < Math.min(n, i0 + tile); i++) {
        for (let j = j0; j < Math.min(i, j0 + tile); j++) sym[i * n + j] = sym[j * n + i] = 0.5 * (ma.data[i * n + j] + ma.data[j * n + i]);
      }
    }
  }
  // Scaled to unit size, so that entries anywhere in float64's range neither overflow nor underflow.
  const scale = unitScale(sym);
  return { sym: scaled(sym, scale), scale };
}
