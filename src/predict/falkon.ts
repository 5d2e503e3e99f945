import { current } from '../backend/registry.js';
import { checkOptions, functionArgument, numberOption, requireFits, shapeOf, signalOption } from '../errors.js';
import type { Kernel } from '../kernels/classic.js';
import { kernelResult, kernelRows } from '../kernels/rows.js';
import { choleskyOf, gramOf, product } from '../linalg.js';
import { Matrix, type MatrixInput, requireNonEmpty, toMatrix } from '../matrix.js';
import { Random } from '../random.js';
import { type TargetsInput, toTargets } from './common.js';

/** Options of {@link Falkon}. */
export interface FalkonOptions {
  /**
   * The regularizer, > 0, with {@link KernelRidge}'s meaning: the fit minimizes
   * ‖K(x, C)·α − y‖² + ridge·αᵀK(C, C)α, which with every training point as a center is `KernelRidge`'s problem.
   */
  ridge: number;
  /**
   * The number m of Nyström centers, drawn uniformly without replacement from the training rows (seeded); or the
   * centers themselves (m × d). Default 1000. Repeated centers (training rows that repeat, or given twice) and
   * centers that depend on others count once: see {@link Falkon.centers}.
   */
  centers?: number | MatrixInput;
  /** Conjugate-gradient iterations at most, ≥ 1 (each is one pass over K(x, C)). Default 20. */
  maxIterations?: number;
  /** Stops when the preconditioned residual, relative to the right-hand side, is at most this (every output column). Default 1e-7. */
  tolerance?: number;
  /** Seed of the center draw. Default 0. */
  seed?: number;
  /** Called between blocks of rows of K(x, C): rows of it evaluated so far, of (maxIterations + 1)·n at most. */
  onProgress?: (rowsDone: number, rows: number) => void;
  /** Stops between blocks of rows when aborted: `fit` throws the signal's reason (an `AbortError`) and the model stays as it was. */
  signal?: AbortSignal;
}

/**
 * Options of one {@link Falkon.fit}, in place of the constructor's. A model in a worker ({@link spawnWorker}) needs
 * them here: a callback or signal crosses to the worker for the duration of the call it is passed to.
 */
export interface FalkonFitOptions {
  /** As {@link FalkonOptions.onProgress}. */
  onProgress?: (rowsDone: number, rows: number) => void;
  /** As {@link FalkonOptions.signal}. */
  signal?: AbortSignal;
}

// A center whose pivot in the Cholesky factorization of K(C, C) (its squared distance, in the kernel's feature
// space, from the span of the centers kept before it) is at most this, times m·max K(c, c), is left out: kernel
// entries are trusted to about 1e-13 relative (the RBF's expansion through norms is held to that), so m of their
// errors can make such a pivot, and the penalty αᵀK(C, C)α along it would be rounding noise. Exact linear
// dependence falls below it, and so does an RBF center within ~3e-7·√m length scales of one kept before it.
const DEPENDENT_PIVOT = 1e-13;

// Added to K(C, C)'s diagonal, relative to its largest entry and per center, before it is factored for the
// preconditioner only (the system solved keeps K(C, C) as it is): the pivots of the centers kept are above the
// threshold, but K(C, C)'s smallest eigenvalue can still be far below it, and the factor's inverse would amplify
// rounding as much.
const PRECONDITIONER_JITTER = 1e-13;

// Columns of K(C, C) factored at a time in JavaScript when centers are left out; the rest of that work is the
// backend's Gram matrices.
const PANEL = 96;

/**
 * Kernel ridge regression on many points: FALKON (Rudi, Carratino and Rosasco, 2017; Meanti et al., 2020).
 * With m Nyström centers C it minimizes ‖K(x, C)·α − y‖² + ridge·αᵀK(C, C)α by conjugate gradients,
 * preconditioned with Cholesky factors of K(C, C) and of (n/m)·K(C, C)² + ridge·K(C, C) in factored form,
 * after leaving out the centers that repeat or depend on others (they would make α non-unique and the solve
 * ill-posed without changing the predictions: see {@link Falkon.centers}),
 * and evaluates K(x, C) by blocks of rows in every iteration instead of storing it: memory is O(n·d + m²),
 * time O(n·m) per iteration. Predictions are `K(x, C)·α`. Works with every {@link Kernel}; the classic
 * kernels run their passes in the backend (WASM threads), any other kernel is called on tiles of rows
 * against the centers. Multi-output `y` (n × k) shares every pass; each column is scaled and converges on its own.
 *
 * @example
 * ```ts
 * const x = randomMatrix(5000, 2, { seed: 1 });
 * const y = Array.from({ length: 5000 }, (_, i) => Math.sin(3 * x.get(i, 0)) + x.get(i, 1));
 * const model = new Falkon(rbfKernel({ lengthscale: 0.5 }), { ridge: 1e-3, centers: 200 }).fit(x, y);
 * model.predict([[0.1, 0.2]]).get(0, 0);
 * model.converged; // whether the residual reached `tolerance` within `maxIterations`
 * ```
 */
export class Falkon {
  /** The kernel. */
  readonly kernel: Kernel;
  /** The regularizer. */
  readonly ridge: number;
  private readonly centersOption: number | Matrix;
  private readonly maxIterations: number;
  private readonly tolerance: number;
  private readonly seed: number;
  private readonly onProgress: ((rowsDone: number, rows: number) => void) | undefined;
  private readonly signal: AbortSignal | undefined;
  private result: { centers: Matrix; alpha: Matrix; iterations: number; converged: boolean; residual: number } | undefined;

  constructor(kernel: Kernel, options: FalkonOptions) {
    const fn = 'Falkon';
    functionArgument(fn, 'kernel', kernel);
    if (options === undefined) throw new TypeError(`${fn}: options with a ridge are required`);
    const opts = checkOptions(fn, options, ['ridge', 'centers', 'maxIterations', 'tolerance', 'seed', 'onProgress', 'signal']);
    this.kernel = kernel;
    this.ridge = numberOption(fn, 'ridge', opts.ridge, undefined, { above: 0 });
    if (opts.centers === undefined || typeof opts.centers === 'number') {
      this.centersOption = numberOption(fn, 'centers', opts.centers, 1000, { integer: true, min: 1 });
    } else {
      const centers = toMatrix(fn, 'centers', opts.centers);
      requireNonEmpty(fn, 'centers', centers);
      this.centersOption = centers;
    }
    this.maxIterations = numberOption(fn, 'maxIterations', opts.maxIterations, 20, { integer: true, min: 1 });
    this.tolerance = numberOption(fn, 'tolerance', opts.tolerance, 1e-7, { min: 0 });
    this.seed = numberOption(fn, 'seed', opts.seed, 0, { integer: true });
    this.onProgress = opts.onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', opts.onProgress);
    this.signal = signalOption(fn, opts.signal);
  }

  /**
   * Fits to inputs `x` (n × d) and targets `y` (n × k, or n numbers). A run that does not reach `tolerance`
   * in `maxIterations` keeps its last iterate, which is the best one (conjugate gradients lower the objective
   * at every step), and sets {@link converged} to false.
   *
   * @throws RangeError when there are more centers than rows, or K(centers, centers) is not positive semidefinite.
   * @example
   * ```ts
   * const model = new Falkon(rbfKernel(), { ridge: 1e-2, centers: [[0], [1], [2]] });
   * model.fit([[0], [0.5], [1], [1.5], [2]], [0, 1, 0, 1, 0]).alpha.rows; // 3
   * model.fit(x, y, { onProgress: (done, total) => console.log(`${done} of ${total} rows`) });
   * ```
   */
  fit(x: MatrixInput, y: TargetsInput, options?: FalkonFitOptions): this {
    const fn = 'Falkon.fit';
    const opts = checkOptions(fn, options, ['onProgress', 'signal']);
    const onProgress = opts.onProgress === undefined ? this.onProgress : functionArgument(fn, 'onProgress', opts.onProgress);
    const signal = opts.signal === undefined ? this.signal : signalOption(fn, opts.signal);
    const mx = toMatrix(fn, 'x', x);
    requireNonEmpty(fn, 'x', mx);
    const my = toTargets(fn, 'y', y, mx.rows, 'x');
    const n = mx.rows;
    const k = my.cols;
    const drawn = this.centersFor(fn, mx);
    // On the centers asked for, before any work: which of them repeat is known only after.
    requireFits(fn, 'K(centers, centers)', drawn.rows, drawn.rows);
    const candidates = distinctRows(drawn);
    signal?.throwIfAborted();

    const kCandidates = kernelResult(fn, this.kernel(candidates), candidates, candidates);
    const kept = independentCenters(fn, kCandidates);
    const m = kept.length;
    const centers = m === candidates.rows ? candidates : rowsAt(candidates, kept);
    const kCenters =
      m === candidates.rows
        ? kCandidates
        : new Matrix(
            m,
            m,
            Float64Array.from({ length: m * m }, (_, i) => kCandidates.data[kept[Math.floor(i / m)] * candidates.rows + kept[i % m]]),
          );
    const { times: preconditioned, transposeTimes: preconditionedT } = preconditioner(fn, kCenters, n, this.ridge);
    const rows = kernelRows(fn, this.kernel, mx, centers);
    const total = n * (this.maxIterations + 1);
    let rowsDone = 0;
    // One pass over the rows of K(x, C): the sum over blocks of rows.
    const pass = (block: (r0: number, r1: number) => Matrix) => {
      const sum = new Matrix(m, k);
      for (let r0 = 0; r0 < n; r0 += rows.chunkRows) {
        signal?.throwIfAborted();
        const r1 = Math.min(n, r0 + rows.chunkRows);
        const part = block(r0, r1).data;
        for (let i = 0; i < part.length; i++) sum.data[i] += part[i];
        rowsDone += r1 - r0;
        onProgress?.(rowsDone, total);
      }
      return sum;
    };
    // α is linear in each column of y: column c is solved for y_c·scale_c, a power of two (exact) that brings its
    // max|y_c| near 1, so that the squared norms of conjugate gradients neither overflow nor underflow for targets
    // of any magnitude, whatever the magnitudes of the other columns.
    const scales = columnScales(my);
    const targets = my.data.map((v, i) => v * scales[i % k]);
    try {
      // The system Bᵀ·H·B·β = Bᵀ·K(x, C)ᵀ·y, H = K(x, C)ᵀK(x, C) + ridge·K(C, C), and α = B·β.
      const b = preconditionedT(pass((r0, r1) => rows.transposeTimes(fn, new Matrix(r1 - r0, k, targets.subarray(r0 * k, r1 * k)), r0, r1)));
      const system = (p: Matrix) => {
        const v = preconditioned(p);
        const normal = pass((r0, r1) => rows.normalTimes(fn, v, r0, r1));
        const regular = product(fn, kCenters, v);
        for (let i = 0; i < normal.data.length; i++) normal.data[i] += this.ridge * regular.data[i];
        return preconditionedT(normal);
      };
      const { solution, iterations, residual } = conjugateGradients(b, system, this.maxIterations, this.tolerance);
      if (rowsDone < total) onProgress?.(total, total);
      const alpha = preconditioned(solution);
      for (let i = 0; i < alpha.data.length; i++) alpha.data[i] /= scales[i % k];
      this.result = { centers, alpha, iterations, converged: residual <= this.tolerance, residual };
    } finally {
      rows.dispose();
    }
    return this;
  }

  /**
   * Predictions `K(x, C)·α` at the rows of `x`, by blocks of rows.
   *
   * @example
   * ```ts
   * const model = new Falkon(rbfKernel(), { ridge: 1e-3, centers: 2 }).fit([[0], [1], [2]], [0, 1, 4]);
   * model.predict([[1.5]]).rows; // 1
   * ```
   */
  predict(x: MatrixInput): Matrix {
    const fn = 'Falkon.predict';
    const { centers, alpha } = this.fitted(fn);
    const mx = toMatrix(fn, 'x', x);
    requireNonEmpty(fn, 'x', mx);
    if (mx.cols !== centers.cols) throw new RangeError(`${fn}: x is ${shapeOf(mx)} but the model was fitted to ${centers.cols} features`);
    const k = alpha.cols;
    const out = new Matrix(mx.rows, k);
    const rows = kernelRows(fn, this.kernel, mx, centers);
    try {
      for (let r0 = 0; r0 < mx.rows; r0 += rows.chunkRows) {
        const r1 = Math.min(mx.rows, r0 + rows.chunkRows);
        out.data.set(rows.times(fn, alpha, r0, r1).data, r0 * k);
      }
    } finally {
      rows.dispose();
    }
    return out;
  }

  /**
   * The Nyström centers C of the last fit, one per row of {@link alpha}: the ones drawn or given, in their order,
   * without (1) a row equal bit for bit to an earlier one, and (2) a center that depends on the ones kept before
   * it, that is, whose pivot in the Cholesky factorization of K(C, C) (its squared distance, in the kernel's
   * feature space, from their span) is at most 1e-13·m·max K(c, c) for the m centers left after (1). Such centers
   * add nothing to the predictions, or less than float64 resolves in K(C, C): an RBF center within ~3e-7·√m
   * length scales of another is one. So there can be fewer than `centers` asked for, and the prediction is
   * the one with the distinct, independent centers.
   *
   * @example
   * ```ts
   * new Falkon(rbfKernel(), { ridge: 1e-2, centers: 2 }).fit([[0], [1], [2]], [0, 1, 0]).centers.rows; // 2
   * new Falkon(rbfKernel(), { ridge: 1e-2, centers: [[0], [1], [0]] }).fit([[0], [1], [2]], [0, 1, 0]).centers.toArray(); // [[0], [1]]
   * ```
   */
  get centers(): Matrix {
    return this.fitted('Falkon.centers').centers;
  }

  /**
   * The coefficients α (m × k), one row per center in {@link centers}: predictions are K(x, C)·α.
   *
   * @example
   * ```ts
   * new Falkon(rbfKernel(), { ridge: 1e-2, centers: 2 }).fit([[0], [1], [2]], [[0, 1], [1, 0], [0, 1]]).alpha.cols; // 2
   * ```
   */
  get alpha(): Matrix {
    return this.fitted('Falkon.alpha').alpha;
  }

  /**
   * Conjugate-gradient iterations the last fit ran.
   *
   * @example
   * ```ts
   * new Falkon(rbfKernel(), { ridge: 1e-2, centers: 2, maxIterations: 5 }).fit([[0], [1], [2]], [0, 1, 0]).iterations; // ≤ 5
   * ```
   */
  get iterations(): number {
    return this.fitted('Falkon.iterations').iterations;
  }

  /**
   * Whether the last fit reached `tolerance`; false means it stopped at `maxIterations` with its best iterate.
   *
   * @example
   * ```ts
   * const model = new Falkon(rbfKernel(), { ridge: 1e-6, centers: 3, maxIterations: 1, tolerance: 1e-12 }).fit([[0], [1], [2]], [0, 1, 0]);
   * if (!model.converged) console.log(`stopped at residual ${model.residual}`);
   * ```
   */
  get converged(): boolean {
    return this.fitted('Falkon.converged').converged;
  }

  /**
   * The last fit's preconditioned residual relative to the right-hand side, the largest over output columns.
   *
   * @example
   * ```ts
   * new Falkon(rbfKernel(), { ridge: 1e-2, centers: 3 }).fit([[0], [1], [2]], [0, 1, 0]).residual; // ≤ 1e-7 when converged
   * ```
   */
  get residual(): number {
    return this.fitted('Falkon.residual').residual;
  }

  private fitted(fn: string) {
    if (!this.result) throw new Error(`${fn}: call fit(x, y) first`);
    return this.result;
  }

  private centersFor(fn: string, x: Matrix): Matrix {
    const option = this.centersOption;
    if (option instanceof Matrix) {
      if (option.cols !== x.cols) throw new RangeError(`${fn}: centers are ${shapeOf(option)} but x is ${shapeOf(x)}; both need the same number of columns`);
      return option;
    }
    const n = x.rows;
    if (option > n) throw new RangeError(`${fn}: centers is ${option} but x has ${n} rows; there can be at most one center per training row`);
    return drawRows(x, option, this.seed);
  }
}

/** Per column of y, 2^e with 2^e·max|y_c| in [0.5, 1) (e within ±1022, so that 2^e is a normal number), or 1 for a zero column. */
function columnScales(y: Matrix): number[] {
  return Array.from({ length: y.cols }, (_, c) => {
    let largest = 0;
    for (let i = c; i < y.data.length; i += y.cols) largest = Math.max(largest, Math.abs(y.data[i]));
    return largest === 0 ? 1 : 2 ** Math.max(-1022, Math.min(1022, -Math.floor(Math.log2(largest)) - 1));
  });
}

/** The rows of x at m distinct indices, uniformly (Floyd's algorithm), in their order in x. */
function drawRows(x: Matrix, m: number, seed: number): Matrix {
  const n = x.rows;
  const random = new Random(seed);
  const chosen = new Set<number>();
  for (let j = n - m; j < n; j++) {
    const t = Math.floor(random.uniform() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return rowsAt(
    x,
    [...chosen].sort((a, b) => a - b),
  );
}

/** The rows of x at `indices`, in that order. */
function rowsAt(x: Matrix, indices: number[]): Matrix {
  const d = x.cols;
  const out = new Matrix(indices.length, d);
  indices.forEach((row, i) => out.data.set(x.data.subarray(row * d, (row + 1) * d), i * d));
  return out;
}

/** The rows of c without the ones equal bit for bit to an earlier row, in their order in c. */
function distinctRows(c: Matrix): Matrix {
  const d = c.cols;
  const words = new Uint32Array(c.data.buffer, c.data.byteOffset, 2 * c.data.length);
  const seen = new Set<string>();
  const first: number[] = [];
  for (let i = 0; i < c.rows; i++) {
    const key = words.subarray(2 * d * i, 2 * d * (i + 1)).join();
    if (seen.has(key)) continue;
    seen.add(key);
    first.push(i);
  }
  return first.length === c.rows ? c : rowsAt(c, first);
}

/**
 * The indices, in order, of the centers that Cholesky of K = K(C, C) (m × m) keeps when it leaves out every center
 * whose pivot is at most DEPENDENT_PIVOT·m·max K(c, c) (the pivot is its squared distance, in the kernel's feature
 * space, from the span of the centers kept before it, which later kept centers only shorten; a left-out center
 * changes nothing else). The backend's factorization tells when every pivot is above that (the usual case);
 * otherwise by panels of columns: the panel in JavaScript, where centers are left out, and the update of the
 * columns after it by the backend's Gram matrix of the panel's kept columns.
 *
 * @throws RangeError when the kernel is zero on the centers, or a pivot is below −threshold (K is not positive semidefinite).
 */
function independentCenters(fn: string, kCenters: Matrix): number[] {
  const m = kCenters.rows;
  let largest = 0;
  for (let i = 0; i < m; i++) largest = Math.max(largest, kCenters.data[i * m + i]);
  if (!(largest > 0)) throw new RangeError(`${fn}: K(centers, centers) (${m}x${m}) has no positive diagonal entry; the kernel is zero on the centers`);
  const threshold = DEPENDENT_PIVOT * m * largest;
  if (current().cholesky(fn, kCenters.data, m, threshold).failedPivot < 0) return Array.from({ length: m }, (_, i) => i);
  // The lower triangle of a: the Schur complement still to factor.
  const a = kCenters.data.slice();
  const kept: number[] = [];
  for (let j0 = 0; j0 < m; j0 += PANEL) {
    const j1 = Math.min(m, j0 + PANEL);
    const height = m - j0;
    // The panel's columns, column-major (rows j0 … m − 1), so that the loops below run along columns.
    const panel = new Float64Array((j1 - j0) * height);
    for (let i = 0; i < height; i++) for (let c = 0; c < j1 - j0; c++) panel[c * height + i] = a[(j0 + i) * m + j0 + c];
    const panelKept: number[] = [];
    for (let c = 0; c < j1 - j0; c++) {
      const column = panel.subarray(c * height);
      const pivot = column[c];
      if (pivot < -threshold) {
        throw new RangeError(
          `${fn}: K(centers, centers) (${m}x${m}) is not positive semidefinite: pivot ${j0 + c} is ${pivot} after elimination; the kernel must be positive semidefinite`,
        );
      }
      if (pivot <= threshold) continue;
      const root = Math.sqrt(pivot);
      for (let i = c; i < height; i++) column[i] /= root;
      for (let later = c + 1; later < j1 - j0; later++) {
        const target = panel.subarray(later * height);
        const factor = column[later];
        for (let i = later; i < height; i++) target[i] -= column[i] * factor;
      }
      panelKept.push(c);
      kept.push(j0 + c);
    }
    const below = m - j1;
    if (panelKept.length === 0 || below === 0) continue;
    const l21 = new Matrix(below, panelKept.length);
    for (let i = 0; i < below; i++) panelKept.forEach((c, p) => (l21.data[i * panelKept.length + p] = panel[c * height + (j1 - j0) + i]));
    const update = gramOf(fn, l21).data;
    for (let i = 0; i < below; i++) for (let c = 0; c <= i; c++) a[(j1 + i) * m + j1 + c] -= update[i * below + c];
  }
  return kept;
}

/**
 * B with Bᵀ·((n/m)·K² + ridge·K)·B = I for K = K(C, C) (m × m): B = T⁻¹A⁻¹ with TᵀT = K and
 * AᵀA = (n/m)·TTᵀ + ridge·I, from the lower Cholesky factors L = Tᵀ and L_A = Aᵀ. `times` is B·v, `transposeTimes` Bᵀ·v.
 */
function preconditioner(fn: string, kCenters: Matrix, n: number, ridge: number): { times: (v: Matrix) => Matrix; transposeTimes: (v: Matrix) => Matrix } {
  const m = kCenters.rows;
  let largest = 0;
  for (let i = 0; i < m; i++) largest = Math.max(largest, kCenters.data[i * m + i]);
  const jittered = new Matrix(m, m, kCenters.data.slice());
  for (let i = 0; i < m; i++) jittered.data[i * m + i] += PRECONDITIONER_JITTER * m * largest;
  const l = choleskyOf(fn, 'K(centers, centers)', jittered);
  const inner = gramOf(fn, l.transpose()); // TTᵀ = LᵀL
  for (let i = 0; i < inner.data.length; i++) inner.data[i] *= n / m;
  for (let i = 0; i < m; i++) inner.data[i * m + i] += ridge;
  const lA = choleskyOf(fn, '(n/m)·K(centers, centers)² + ridge·K(centers, centers)', inner);
  const solve = (factor: Matrix, v: Matrix, transpose: boolean) => new Matrix(m, v.cols, current().trsmLower(fn, factor.data, v.data, m, v.cols, transpose));
  return {
    times: (v) => solve(l, solve(lA, v, true), true), // L⁻ᵀ·L_A⁻ᵀ·v
    transposeTimes: (v) => solve(lA, solve(l, v, false), false), // L_A⁻¹·L⁻¹·v
  };
}

/**
 * Conjugate gradients for S·β = b (S symmetric positive semidefinite), one run per column of b sharing each
 * product with S; a column stops when its residual relative to its right-hand side is at most `tolerance`.
 * `residual` is the largest such ratio at the end.
 */
function conjugateGradients(b: Matrix, system: (p: Matrix) => Matrix, maxIterations: number, tolerance: number) {
  const { rows: m, cols: k } = b;
  const beta = new Matrix(m, k);
  const r = new Matrix(m, k, b.data.slice());
  const p = new Matrix(m, k, b.data.slice());
  // Σ over the m rows of column c of f(offset).
  const column = (c: number, f: (offset: number) => number) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += f(i * k + c);
    return s;
  };
  const bNorm = Array.from({ length: k }, (_, c) => Math.sqrt(column(c, (o) => b.data[o] ** 2)));
  const rs = bNorm.map((v) => v * v);
  const ratio = () => Math.max(...rs.map((v, c) => (bNorm[c] === 0 ? 0 : Math.sqrt(v) / bNorm[c])));
  // β = 0 starts every column at the ratio 1 (0 for a zero column, which is solved already).
  const active = bNorm.map((v) => v > 0 && tolerance < 1);
  let iterations = 0;
  while (iterations < maxIterations && active.some(Boolean)) {
    const q = system(p);
    iterations++;
    for (let c = 0; c < k; c++) {
      if (!active[c]) continue;
      const curvature = column(c, (o) => p.data[o] * q.data[o]);
      // A direction S does not bend along (rounding, or a kernel that is not positive semidefinite) ends the column.
      if (!(curvature > 0)) {
        active[c] = false;
        continue;
      }
      const step = rs[c] / curvature;
      for (let i = 0; i < m; i++) {
        const o = i * k + c;
        beta.data[o] += step * p.data[o];
        r.data[o] -= step * q.data[o];
      }
      const rsNext = column(c, (o) => r.data[o] ** 2);
      const momentum = rsNext / rs[c];
      rs[c] = rsNext;
      for (let i = 0; i < m; i++) p.data[i * k + c] = r.data[i * k + c] + momentum * p.data[i * k + c];
      if (Math.sqrt(rsNext) <= tolerance * bNorm[c]) active[c] = false;
    }
    // Finished columns are left out of later products.
    for (let c = 0; c < k; c++) if (!active[c]) for (let i = 0; i < m; i++) p.data[i * k + c] = 0;
  }
  return { solution: beta, iterations, residual: ratio() };
}
