/** Names of the compute backends. */
export type BackendName = 'wasm' | 'ts';

/** Result of a Cholesky kernel: the factor, or the first pivot that was not positive. */
export interface CholeskyResult {
  /** Lower-triangular L (row-major n × n, upper triangle zero); meaningful when `failedPivot < 0`. */
  factor: Float64Array;
  /** -1 on success, else the index of the first non-positive pivot. */
  failedPivot: number;
  /** The value of the failed pivot (NaN or ≤ 0); 0 on success. */
  pivotValue: number;
}

/** Result of a symmetric positive definite solve. */
export interface SolveResult {
  /** X with a·X = b (row-major n × m); meaningful when `failedPivot < 0`. */
  solution: Float64Array;
  failedPivot: number;
  pivotValue: number;
}

/** Unsorted eigenpairs: `vectorsT` holds one eigenvector per row. */
export interface EighResult {
  values: Float64Array;
  vectorsT: Float64Array;
  converged: boolean;
}

/**
 * One method per kernel. Inputs are row-major `Float64Array`s that the kernel must not modify;
 * outputs are fresh arrays. Shapes are validated by the ops before a kernel is called.
 */
export interface Backend {
  readonly name: BackendName;
  /** op(A)·op(B) where op(A) is m × k and op(B) is k × n. */
  matmul(a: Float64Array, b: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean): Float64Array;
  /** A·Aᵀ for A of n × k, exactly symmetric. */
  gram(a: Float64Array, n: number, k: number): Float64Array;
  /** Cholesky of the lower triangle of a symmetric n × n matrix. */
  cholesky(a: Float64Array, n: number): CholeskyResult;
  /** L·X = B (or Lᵀ·X = B when `transpose`) for lower-triangular L (n × n) and B (n × m). */
  trsmLower(l: Float64Array, b: Float64Array, n: number, m: number, transpose: boolean): Float64Array;
  /** a·X = b through Cholesky, for symmetric positive definite a (n × n) and b (n × m). */
  solveSpd(a: Float64Array, b: Float64Array, n: number, m: number): SolveResult;
  /** All eigenpairs of a symmetric n × n matrix. */
  eigh(a: Float64Array, n: number): EighResult;
}
