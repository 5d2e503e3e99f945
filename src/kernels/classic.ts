import { current } from '../backend/registry.js';
import type { ClassicKernelSpec } from '../backend/types.js';
import { checkOptions, functionArgument, numberOption, requireFiniteResult, requireFits, shapeOf } from '../errors.js';
import { Matrix, type MatrixInput, outOption, requireNonEmpty, resultInto, toMatrix } from '../matrix.js';

/**
 * A kernel: returns the Gram matrix `K[i][j] = k(x1[i], x2[j])` between the rows of `x1` and `x2`
 * (`x2` defaults to `x1`, and then `K` is exactly symmetric), in `options.out` when given.
 */
export type Kernel = (x1: MatrixInput, x2?: MatrixInput, options?: KernelCallOptions) => Matrix;

/** Options of a {@link Kernel} call. */
export interface KernelCallOptions {
  /**
   * A matrix of the result's shape (rows of x1 × rows of x2) to write the kernel matrix into (and return)
   * instead of a new one: repeated calls reuse its memory. It must not share entries with x1 or x2; after an
   * error its entries are unspecified.
   */
  out?: Matrix;
}

/** The `out` of a kernel call's options, checked against the result's shape. */
export function kernelOut(fn: string, options: KernelCallOptions | undefined, m1: Matrix, m2: Matrix | null): Matrix | undefined {
  const opts = checkOptions(fn, options, ['out']);
  return outOption(fn, opts.out, m1.rows, m2?.rows ?? m1.rows, [m1, m2]);
}

/** The two point sets of a kernel call, validated: non-empty and with the same number of columns. */
export function kernelArguments(fn: string, x1: MatrixInput, x2: MatrixInput | undefined): { m1: Matrix; m2: Matrix | null } {
  const m1 = toMatrix(fn, 'x1', x1);
  requireNonEmpty(fn, 'x1', m1);
  if (x2 === undefined) {
    requireFits(fn, 'the Gram matrix', m1.rows, m1.rows);
    return { m1, m2: null };
  }
  const m2 = toMatrix(fn, 'x2', x2);
  requireNonEmpty(fn, 'x2', m2);
  if (m2.cols !== m1.cols) {
    throw new RangeError(`${fn}: x1 is ${shapeOf(m1)} but x2 is ${shapeOf(m2)}; both need the same number of columns`);
  }
  requireFits(fn, 'the kernel matrix', m1.rows, m2.rows);
  return { m1, m2 };
}

// The spec behind each classic kernel, so that a kernel machine can have the backend build its Gram matrix in place.
const SPECS = new WeakMap<Kernel, ClassicKernelSpec>();

/**
 * The spec of an RBF kernel made by {@link rbfKernel}, when the backend's Gram matrix of the rows of `x` is
 * what the kernel itself returns (points near the origin relative to the length scale); otherwise null (internal).
 */
export function rbfGramSpec(kernel: Kernel, x: Matrix): ClassicKernelSpec | null {
  const spec = SPECS.get(kernel);
  return spec !== undefined && spec.kind === 'rbf' && nearOrigin(spec.gamma, x) ? spec : null;
}

/** The length scale of a kernel made by {@link rbfKernel}; null for any other kernel (internal). */
export function rbfLengthscaleOf(kernel: Kernel): number | null {
  const spec = SPECS.get(kernel);
  return spec !== undefined && spec.kind === 'rbf' ? 1 / Math.sqrt(2 * spec.gamma) : null;
}

/**
 * The spec of a kernel made by {@link linearKernel}, {@link polynomialKernel} or {@link rbfKernel}, with the
 * points the backend can take for K(x, centers) through norms and inner products: for the RBF both moved by
 * the centers' mean (distances do not change), and null when even then they are too far apart for that to be
 * accurate, or when the kernel is not a classic one (internal).
 */
export function classicRowsSpec(kernel: Kernel, x: Matrix, centers: Matrix): { spec: ClassicKernelSpec; x: Matrix; centers: Matrix } | null {
  const spec = SPECS.get(kernel);
  if (spec === undefined) return null;
  if (spec.kind !== 'rbf' || (nearOrigin(spec.gamma, x) && nearOrigin(spec.gamma, centers))) return { spec, x, centers };
  const mean = meanRow([centers]);
  const shifted = { spec, x: minusRow(x, mean), centers: minusRow(centers, mean) };
  return nearOrigin(spec.gamma, shifted.x) && nearOrigin(spec.gamma, shifted.centers) ? shifted : null;
}

function classicKernel(fn: string, spec: ClassicKernelSpec): Kernel {
  const kernel: Kernel = (x1, x2, options) => {
    const args = kernelArguments(fn, x1, x2);
    const out = kernelOut(fn, options, args.m1, args.m2);
    // RBF: far from the origin (relative to the length scale) the expansion through norms cancels.
    const far = spec.kind === 'rbf' && (!nearOrigin(spec.gamma, args.m1) || (args.m2 !== null && !nearOrigin(spec.gamma, args.m2)));
    const { m1, m2 } = far ? centered(args.m1, args.m2) : args;
    const n2 = m2?.rows ?? m1.rows;
    const k = resultInto(out, m1.rows, n2, current().classicGram(fn, spec, m1.data, m1.rows, m2?.data ?? null, n2, m1.cols, out?.data));
    if (spec.kind === 'rbf') {
      if (far) refineDistances(k.data, spec.gamma, m1, m2 ?? m1, args.m1, args.m2 ?? args.m1);
      return k; // exp(−γd²) ∈ [0, 1]: nothing can overflow
    }
    requireFiniteResult(fn, 'the kernel matrix', k.data, n2, 'scale the inputs down (or lower the degree)');
    return k;
  };
  SPECS.set(kernel, spec);
  return kernel;
}

// Relative accuracy asked of each RBF entry; the expansion's error is about ε·γ·(‖x‖² + ‖z‖²).
const RBF_TOLERANCE = 1e-13;

/** ‖row‖² of every row. */
function squaredNorms(m: Matrix): Float64Array {
  const d = m.cols;
  return Float64Array.from({ length: m.rows }, (_, i) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += m.data[i * d + c] ** 2;
    return s;
  });
}

/** Whether every point is close enough to the origin that the expansion through norms is accurate. */
function nearOrigin(gamma: number, m: Matrix): boolean {
  return squaredNorms(m).every((squared) => squared <= RBF_TOLERANCE / (2 * Number.EPSILON * gamma));
}

/**
 * Both point sets minus their common mean. Distances do not change (every point moves by the same
 * vector), but ‖x‖² + ‖z‖² − 2x·z no longer cancels for data far from the origin (timestamps, say).
 */
function centered(m1: Matrix, m2: Matrix | null): { m1: Matrix; m2: Matrix | null } {
  const mean = meanRow(m2 ? [m1, m2] : [m1]);
  return { m1: minusRow(m1, mean), m2: m2 && minusRow(m2, mean) };
}

/** The mean of all rows of the sets. */
function meanRow(sets: Matrix[]): Float64Array {
  const d = sets[0].cols;
  const mean = new Float64Array(d);
  let count = 0;
  for (const m of sets) {
    for (let i = 0; i < m.data.length; i++) mean[i % d] += m.data[i];
    count += m.rows;
  }
  for (let c = 0; c < d; c++) mean[c] /= count;
  return mean;
}

function minusRow(m: Matrix, row: Float64Array): Matrix {
  return new Matrix(
    m.rows,
    m.cols,
    m.data.map((v, i) => v - row[i % m.cols]),
  );
}

/**
 * Recomputes `exp(−γ‖x − z‖²)` from the differences of the raw points for the entries where the expansion
 * through the centred points' norms can lose more than {@link RBF_TOLERANCE} (points far from the mean,
 * relative to the length scale). Raw, not centred: subtracting a mean far from a point rounds it.
 */
function refineDistances(k: Float64Array, gamma: number, m1: Matrix, m2: Matrix, raw1: Matrix, raw2: Matrix): void {
  const d = m1.cols;
  const norms1 = squaredNorms(m1);
  const norms2 = m1 === m2 ? norms1 : squaredNorms(m2);
  const limit = RBF_TOLERANCE / (Number.EPSILON * gamma);
  let largest2 = 0;
  for (const v of norms2) largest2 = Math.max(largest2, v);
  for (let i = 0; i < m1.rows; i++) {
    if (norms1[i] + largest2 <= limit) continue;
    for (let j = 0; j < m2.rows; j++) {
      const o = i * m2.rows + j;
      if (norms1[i] + norms2[j] <= limit || k[o] === 0) continue;
      let distance = 0;
      for (let c = 0; c < d; c++) distance += (raw1.data[i * d + c] - raw2.data[j * d + c]) ** 2;
      k[o] = Math.exp(-gamma * distance);
    }
  }
}

/** Options of {@link linearKernel}. */
export interface LinearKernelOptions {
  /** Multiplies x·z. Default 1. */
  scale?: number;
  /** Added to every entry. Default 0. */
  bias?: number;
}

/**
 * The linear kernel `k(x, z) = scale·x·z + bias`. With `bias = 1` it is the NTK of the linear model
 * `f(x) = w·x + b`.
 *
 * @example
 * ```ts
 * const k = linearKernel({ bias: 1 });
 * k([[1], [2]]).toArray(); // [[2, 3], [3, 5]]
 * ```
 */
export function linearKernel(options?: LinearKernelOptions): Kernel {
  const fn = 'linearKernel';
  const opts = checkOptions(fn, options, ['scale', 'bias']);
  const scale = numberOption(fn, 'scale', opts.scale, 1);
  const bias = numberOption(fn, 'bias', opts.bias, 0);
  return classicKernel(fn, { kind: 'linear', scale, bias, degree: 1, gamma: 0 });
}

/** Options of {@link polynomialKernel}. */
export interface PolynomialKernelOptions {
  /** Positive integer power. Required. */
  degree: number;
  /** Multiplies x·z. Default 1. */
  scale?: number;
  /** Added before the power. Default 1. */
  bias?: number;
}

/**
 * The polynomial kernel `k(x, z) = (scale·x·z + bias)^degree`.
 *
 * @example
 * ```ts
 * const k = polynomialKernel({ degree: 2 });
 * k([[1, 2]], [[3, 4]]).get(0, 0); // (11 + 1)² = 144
 * ```
 */
export function polynomialKernel(options: PolynomialKernelOptions): Kernel {
  const fn = 'polynomialKernel';
  if (options === undefined) throw new TypeError(`${fn}: options with a degree are required`);
  const opts = checkOptions(fn, options, ['degree', 'scale', 'bias']);
  const degree = numberOption(fn, 'degree', opts.degree, undefined, { integer: true, min: 1 });
  const scale = numberOption(fn, 'scale', opts.scale, 1);
  const bias = numberOption(fn, 'bias', opts.bias, 1);
  return classicKernel(fn, { kind: 'polynomial', scale, bias, degree, gamma: 0 });
}

/** Options of {@link rbfKernel}. */
export interface RbfKernelOptions {
  /** Length scale ℓ > 0. Default 1. */
  lengthscale?: number;
}

/**
 * The Gaussian (RBF) kernel `k(x, z) = exp(−‖x − z‖² / (2ℓ²))`, computed from squared norms and one
 * matrix product (scikit-learn's `gamma` is `1 / (2ℓ²)`).
 *
 * @example
 * ```ts
 * const k = rbfKernel({ lengthscale: 2 });
 * k([[0, 0]], [[2, 0]]).get(0, 0); // exp(−4 / 8) = 0.6065…
 * ```
 */
export function rbfKernel(options?: RbfKernelOptions): Kernel {
  const fn = 'rbfKernel';
  const opts = checkOptions(fn, options, ['lengthscale']);
  const lengthscale = numberOption(fn, 'lengthscale', opts.lengthscale, 1, { above: 0 });
  const gamma = 1 / (2 * lengthscale * lengthscale);
  if (!Number.isFinite(gamma)) throw new RangeError(`${fn}: lengthscale ${lengthscale} is too small; 1/(2ℓ²) overflows`);
  return classicKernel(fn, { kind: 'rbf', scale: 1, bias: 0, degree: 1, gamma });
}

/**
 * A kernel from a function of two points. It runs in JavaScript on either backend; with one argument it
 * evaluates the upper triangle only and mirrors it.
 *
 * @throws TypeError when the function returns something other than a finite number.
 * @example
 * ```ts
 * const laplace = customKernel((x, z) => Math.exp(-Math.abs(x[0] - z[0])));
 * laplace([[0], [1]]).get(0, 1); // e⁻¹
 * ```
 */
export function customKernel(k: (x: Float64Array, z: Float64Array) => number): Kernel {
  const fn = 'customKernel';
  functionArgument(fn, 'k', k);
  return (x1, x2, options) => {
    const { m1, m2 } = kernelArguments(fn, x1, x2);
    const into = kernelOut(fn, options, m1, m2);
    // Fresh row copies, so the callback cannot write into the caller's matrices.
    const rows = (m: Matrix) => Array.from({ length: m.rows }, (_, i) => m.data.slice(i * m.cols, (i + 1) * m.cols));
    const rows1 = rows(m1);
    const rows2 = m2 === null ? rows1 : rows(m2);
    // Filled on the side, so that a callback that throws leaves `into` as it was.
    const out = new Matrix(rows1.length, rows2.length);
    for (let i = 0; i < rows1.length; i++) {
      for (let j = m2 === null ? i : 0; j < rows2.length; j++) {
        const value = k(rows1[i], rows2[j]);
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new TypeError(`${fn}: k(x1[${i}], x2[${j}]) returned ${String(value)}; it must return a finite number`);
        }
        out.data[i * out.cols + j] = value;
        if (m2 === null) out.data[j * out.cols + i] = value;
      }
    }
    return resultInto(into, out.rows, out.cols, out.data);
  };
}
