// Validation and small helpers shared by the kernel machines and the training-dynamics predictors.
import { booleanOption, numberOption, shapeOf } from '../errors.js';
import { Matrix, type MatrixInput, requireNonEmpty, toMatrix } from '../matrix.js';

/** Targets: a matrix (n × k) or a flat array of n numbers, taken as one output column. */
export type TargetsInput = MatrixInput | ArrayLike<number>;

/** Converts targets; a flat numeric array becomes an n × 1 column. Checks `rows` when given. */
export function toTargets(fn: string, name: string, y: unknown, rows?: number, rowsOf?: string): Matrix {
  const flat =
    y !== null &&
    typeof y === 'object' &&
    typeof (y as ArrayLike<unknown>).length === 'number' &&
    (y as ArrayLike<unknown>).length > 0 &&
    typeof (y as ArrayLike<unknown>)[0] === 'number';
  const m = flat
    ? toMatrix(
        fn,
        name,
        Array.from(y as ArrayLike<number>, (v) => [v]),
      )
    : toMatrix(fn, name, y);
  requireNonEmpty(fn, name, m);
  if (rows !== undefined && m.rows !== rows) {
    throw new RangeError(`${fn}: ${rowsOf} has ${rows} rows but ${name} is ${shapeOf(m)}; ${name} needs one row per training point`);
  }
  return m;
}

/** A kernel between m test points (rows) and the n training points (columns). */
export function testTrainKernel(fn: string, name: string, k: MatrixInput, n: number): Matrix {
  const m = toMatrix(fn, name, k);
  requireNonEmpty(fn, name, m);
  if (m.cols !== n) {
    throw new RangeError(`${fn}: ${name} is ${shapeOf(m)} but there are ${n} training points; it must have ${n} columns`);
  }
  return m;
}

/** Initial outputs: a number broadcast to rows × cols, or a matrix of exactly that shape. */
export function initialOutputs(fn: string, name: string, value: unknown, rows: number, cols: number): Matrix {
  if (value === undefined || typeof value === 'number') {
    const fill = numberOption(fn, name, value, 0);
    return new Matrix(rows, cols, new Float64Array(rows * cols).fill(fill));
  }
  const m = toMatrix(fn, name, value);
  if (m.rows !== rows || m.cols !== cols) {
    throw new RangeError(`${fn}: ${name} is ${shapeOf(m)} but the outputs are ${rows}x${cols}`);
  }
  return m;
}

/** neural-tangents' diagonal regularizer: K + diagReg·trace(K)/n·I, or K + diagReg·I when absolute. */
export function addDiagonal(fn: string, k: Matrix, diagRegValue: unknown, absoluteValue: unknown): Matrix {
  const diagReg = numberOption(fn, 'diagReg', diagRegValue, 0, { min: 0 });
  const absolute = booleanOption(fn, 'diagRegAbsoluteScale', absoluteValue, false);
  const n = k.rows;
  if (diagReg === 0) return k;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += k.data[i * n + i];
  const shift = absolute ? diagReg : (diagReg * trace) / n;
  const out = new Matrix(n, n, k.data.slice());
  for (let i = 0; i < n; i++) out.data[i * n + i] += shift;
  return out;
}

/** a + b·scale, elementwise, as a new matrix. */
export function addScaled(a: Matrix, b: Matrix, scale: number): Matrix {
  return new Matrix(
    a.rows,
    a.cols,
    a.data.map((v, i) => v + scale * b.data[i]),
  );
}

// Backend-held results (kept eigenvectors, Cholesky factors) of predictors dropped without dispose().
const finalizers = new FinalizationRegistry<{ dispose(): void }>((held) => held.dispose());

/** Disposes `held` when `owner` is garbage-collected, unless {@link forgetHeld} is called first. */
export function disposeWhenCollected(owner: object, held: { dispose(): void }): void {
  finalizers.register(owner, held, owner);
}

/** Cancels every {@link disposeWhenCollected} of `owner` (which is disposing them itself). */
export function forgetHeld(owner: object): void {
  finalizers.unregister(owner);
}

/** One time or several, each ≥ 0 (Infinity allowed); undefined is Infinity. */
export function timesOption(fn: string, value: unknown): number[] {
  if (value === undefined) return [Infinity];
  if (!Array.isArray(value)) return [value === Infinity ? Infinity : numberOption(fn, 't', value, undefined, { min: 0 })];
  if (value.length === 0) throw new RangeError(`${fn}: t is an empty array; give at least one time`);
  return value.map((t, i) => (t === Infinity ? Infinity : numberOption(fn, `t[${i}]`, t, undefined, { min: 0 })));
}

/** (A + Aᵀ)/2 in place, A square: a covariance exactly symmetric, since (i, j) and (j, i) round differently. */
export function symmetrize(a: Matrix): Matrix {
  const n = a.rows;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) a.data[i * n + j] = a.data[j * n + i] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
  }
  return a;
}
