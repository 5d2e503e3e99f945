import type { Program } from '../core/layout.js';
import type { MixtureRule } from '../ops/activations/unit.js';

/** Names of the compute backends. */
export type BackendName = 'wasm' | 'ts';

/** Where the module bytes may come from: embedded (default), raw bytes, or a URL to fetch. */
export type WasmSource = ArrayBuffer | Uint8Array | URL | string;

/**
 * Which SIMD instructions the module uses: `'relaxed'` fuses the multiply-adds of the gemm, Gram and
 * Nyström micro-kernels and of the SIMD exp (`f64x2.relaxed_madd`; faster, and whether it rounds once or twice depends on the CPU),
 * `'standard'` multiplies then adds (the same bits on every machine).
 */
export type SimdLevel = 'relaxed' | 'standard';

/** Result of a Cholesky kernel: the factor, or the first pivot that was not positive. */
/** How `networkTrain` trains: its loss, its optimizer (PyTorch's) and the minibatch of every step. */
export interface TrainPlan {
  /** LOSS (src/core/layout.ts): ‖f − y‖²/(2·rows·k) per minibatch, or the mean cross-entropy of softmax(f) against y. */
  loss: number;
  /** OPTIMIZER (src/core/layout.ts): SGD, SGD with momentum, Adam. */
  optimizer: number;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /**
   * Step s trains on the examples indices[starts[s] … starts[s + 1]); steps = starts.length − 1. indices null: every
   * step on all n examples in order (full batch).
   */
  indices: Int32Array | null;
  starts: Int32Array;
  /** The optimizer's state: the momentum buffer, or Adam's two moments (2·P doubles), updated in place. */
  state: Float64Array;
  /** Steps taken before this call (Adam's bias corrections and dropout's masks count from there). */
  stepsBefore: number;
  /** θ0 of a linearized model, trained as f(θ0) + J(θ0)·(θ − θ0) (by forward mode, no Jacobian); null for the network. */
  base: Float64Array | null;
  /**
   * For LOSS.custom: the minibatch's loss of outputs f (rows × k) against targets y, writing ∂loss/∂f into gradient;
   * it runs on the calling thread, on the whole minibatch at once.
   */
  customLoss: TrainingLoss | null;
}

/** A training loss in JavaScript, on row-major arrays of a minibatch: returns the loss and writes its gradient in f. */
export type TrainingLoss = (f: Float64Array, y: Float64Array, rows: number, k: number, gradient: Float64Array) => number;

/** How the empirical NTK is computed (src/finite/network.ts documents each). */
export type NtkImplementationName = 'structured' | 'jacobian' | 'ntkVectorProducts';

/** Examples per block of the empirical NTK: of x1 (rows) and of x2 (columns). */
export interface NtkBlocks {
  rows: number;
  columns: number;
}

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

/** Unsorted eigenpairs: column j of `vectors` (row-major n × n) belongs to `values[j]`; null when not asked for. */
export interface EighResult {
  values: Float64Array;
  vectors: Float64Array | null;
  converged: boolean;
}

/**
 * Eigenpairs held by a backend for repeated products with the eigenvectors V (the WASM backend keeps V in
 * its memory, so a product reads it there instead of copying it in). Always `dispose()` it.
 */
export interface EigenSession {
  /** The eigenvalues, unsorted: value j belongs to column j of V. */
  readonly values: Float64Array;
  /** Vᵀ·b for b of n × m (row-major). */
  transposeTimes(fn: string, b: Float64Array, m: number): Float64Array;
  /** V·c for c of n × m (row-major). */
  times(fn: string, c: Float64Array, m: number): Float64Array;
  dispose(): void;
}

/**
 * A Cholesky factor L held by a backend for repeated solves (the WASM backend keeps it in its memory).
 * Always `dispose()` it.
 */
export interface CholeskySession {
  /** X with L·Lᵀ·X = B for B of n × m (row-major); into `out` when given (repeated solves reuse its memory). */
  solve(fn: string, b: Float64Array, m: number, out?: Float64Array): Float64Array;
  /** log det(L·Lᵀ) = 2·Σ log Lᵢᵢ. */
  logDeterminant(): number;
  dispose(): void;
}

/** What a pass over rows of K(x, C) computes; see {@link NystromSession.rows}. */
export type NystromMode = 'times' | 'transpose' | 'normal';

/**
 * A classic kernel between the rows of x (n × d) and m fixed centers, held by a backend for passes over row
 * ranges, K(x, C) (n × m) never stored whole (the WASM backend keeps x and the centers in its memory). Always
 * `dispose()` it.
 */
export interface NystromSession {
  /**
   * For rows [r0, r1) of x, with K_r their rows of K(x, C): `'times'` K_r·v (rows × k, v m × k), `'transpose'`
   * K_rᵀ·v (m × k, v rows × k), `'normal'` K_rᵀ·K_r·v (m × k, v m × k); all row-major.
   */
  rows(fn: string, mode: NystromMode, v: Float64Array, k: number, r0: number, r1: number): Float64Array;
  dispose(): void;
}

/** Which classic kernel a Gram matrix is of, with its parameters (already validated). */
export interface ClassicKernelSpec {
  kind: 'linear' | 'polynomial' | 'rbf';
  /** linear/polynomial: scale·x·z + bias. */
  scale: number;
  bias: number;
  /** polynomial: positive integer power. */
  degree: number;
  /** rbf: exp(−gamma·‖x − z‖²). */
  gamma: number;
}

/** Parameters after full-batch gradient descent, with the loss before the first step and after each. */
export interface DescentResult {
  params: Float64Array;
  losses: Float64Array;
}

/**
 * Forward-Euler gradient flow held by a backend between steps (the WASM backend keeps the kernel
 * matrices in its memory). Always `dispose()` it, also after an error.
 */
export interface EulerSession {
  /** Takes `steps` Euler steps. */
  advance(steps: number): void;
  /** Copies of the current train outputs (n × k) and test outputs (m × k, or null). */
  read(): { train: Float64Array; test: Float64Array | null };
  dispose(): void;
}

/** Dense linear algebra: products, Cholesky and triangular solves, the symmetric eigendecomposition. */
export interface LinalgBackend {
  /** op(A)·op(B) where op(A) is m × k and op(B) is k × n. */
  matmul(fn: string, a: Float64Array, b: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean, out?: Float64Array): Float64Array;
  /** A·Aᵀ for A of n × k, exactly symmetric. */
  gram(fn: string, a: Float64Array, n: number, k: number, out?: Float64Array): Float64Array;
  /** Cholesky of the lower triangle of a symmetric n × n matrix. */
  /** Fails at the first pivot not above `minPivot`. */
  cholesky(fn: string, a: Float64Array, n: number, minPivot: number): CholeskyResult;
  /** L·X = B (or Lᵀ·X = B when `transpose`) for lower-triangular L (n × n) and B (n × m). */
  trsmLower(fn: string, l: Float64Array, b: Float64Array, n: number, m: number, transpose: boolean): Float64Array;
  /**
   * The Cholesky factor of a symmetric n × n matrix, kept for repeated solves; `session` is null when the
   * pivot `failedPivot` was not above `minPivot` (its value in `pivotValue`).
   */
  choleskySession(fn: string, a: Float64Array, n: number, minPivot: number): { session: CholeskySession | null; failedPivot: number; pivotValue: number };
  /** a·X = b through Cholesky, for symmetric positive definite a (n × n) and b (n × m). */
  solveSpd(fn: string, a: Float64Array, b: Float64Array, n: number, m: number, minPivot: number): SolveResult;
  /**
   * The eigenvalues of a symmetric n × n matrix (only its upper triangle is read) and, when `vectors`, the
   * eigenvectors: Householder tridiagonalization, then divide and conquer (or QL for the values alone).
   */
  eigh(fn: string, a: Float64Array, n: number, vectors: boolean): EighResult;
  /** The eigendecomposition of a symmetric n × n matrix, kept for products; null when it did not converge. */
  eighSession(fn: string, a: Float64Array, n: number): EigenSession | null;
}

/** The classic kernels: Gram matrices, kernel ridge fits, Nyström passes. */
export interface KernelBackend {
  /**
   * X with (K + ridge·I)·X = y for K the Gram matrix of a classic kernel between the rows of x (n × d) and
   * y of n × m, building, factoring and solving in place (failure as {@link Backend.solveSpd}).
   */
  kernelRidgeFit(
    fn: string,
    spec: ClassicKernelSpec,
    x: Float64Array,
    n: number,
    d: number,
    y: Float64Array,
    m: number,
    ridge: number,
    minPivot: number,
  ): SolveResult;
  /** A classic kernel between the rows of x (n × d) and m centers (m × d), for passes over row ranges. */
  nystromSession(fn: string, spec: ClassicKernelSpec, x: Float64Array, n: number, d: number, centers: Float64Array, m: number): NystromSession;
  /** Gram matrix (n1 × n2) of a classic kernel between the rows of x1 and x2 (x2 null: x1 itself, symmetric). */
  classicGram(
    fn: string,
    spec: ClassicKernelSpec,
    x1: Float64Array,
    n1: number,
    x2: Float64Array | null,
    n2: number,
    d: number,
    out?: Float64Array,
  ): Float64Array;
}

/** Gradient flows and descents on kernels and features. */
export interface FlowBackend {
  /**
   * From α = 0: α ← α − rate·(K·α − y + ridge·α), K n × n, y n × k; losses are ‖K·α − y‖²·lossScale.
   */
  dualDescent(
    fn: string,
    kernel: Float64Array,
    y: Float64Array,
    n: number,
    k: number,
    steps: number,
    rate: number,
    ridge: number,
    lossScale: number,
  ): DescentResult;
  /**
   * From θ0 (p × k; null: 0): θ ← θ − rate·(Φᵀ(Φ·θ − y) + ridge·θ), Φ n × p, y n × k; losses are ‖Φ·θ − y‖²·lossScale.
   * A run continued from its own θ gives the bits of one run of all the steps.
   */
  primalDescent(
    fn: string,
    features: Float64Array,
    y: Float64Array,
    n: number,
    p: number,
    k: number,
    steps: number,
    rate: number,
    ridge: number,
    lossScale: number,
    theta0: Float64Array | null,
  ): DescentResult;
  /**
   * u ← u − rate·K·(u − y) and fTest ← fTest − rate·kTest·(u − y); K n × n, kTest m × n (or null),
   * y and u n × k, fTest m × k.
   */
  eulerFlow(
    fn: string,
    kernel: Float64Array,
    kTest: Float64Array | null,
    y: Float64Array,
    u0: Float64Array,
    fTest0: Float64Array | null,
    n: number,
    m: number,
    k: number,
    rate: number,
  ): EulerSession;
}

/** The inputs' kernels an infinite-width program on vectors starts from (neural-tangents' Kernel inputs). */
export interface InputKernels {
  /** Σ between the rows' and the columns' inputs (n1 × n2; the lower triangle when symmetric). */
  sigma: Float64Array;
  /** Θ between them (n1 × n2), or null for 0. */
  theta: Float64Array | null;
  /** Each row input's variance (n1). */
  q1: Float64Array;
  /** Each column input's variance (n2), or null when the columns are the rows' inputs (symmetric). */
  q2: Float64Array | null;
  n1: number;
  n2: number;
}

/** Forward-mode directions through a program's hyperparameters: per direction, the tangent of every instruction's attributes. */
export interface HyperparameterDirections {
  /** directions × instructions × PROGRAM_ATTRIBUTES. */
  dAttributes: Float64Array;
  directions: number;
}

/**
 * Where infiniteGradients writes its results: the kernels, and one n1 × n2 array per direction of each kernel's
 * derivatives (null: that kernel's are not wanted). One array per matrix, so that the memory of an earlier call's
 * results (below glibc's largest mmap threshold, 32 MiB) is reused instead of touched afresh.
 */
export interface GradientArrays {
  nngp: Float64Array;
  ntk: Float64Array;
  dNngp: Float64Array[] | null;
  dNtk: Float64Array[] | null;
}

/** Programs of layers (src/model/program.ts): finite networks and their infinite-width kernels. */
export interface NetworkBackend {
  /** Network outputs (n × k) for n rows of x. */
  networkForward(fn: string, program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array;
  /** Per-example Jacobian ((n·k) × P): row i·k + o is ∂f_o(x_i)/∂θ. */
  networkJacobian(fn: string, program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array;
  /** Forward mode: J(x)·v for the m directions v of θ (m × P), row i·m + d of the result ((n·m) × k) for example i and direction d. */
  networkTangents(fn: string, program: Program, params: Float64Array, x: Float64Array, n: number, directions: Float64Array, m: number): Float64Array;
  /**
   * Empirical NTK, 'structured' (per-layer Gram products), by Jacobian contraction in blocks of `blocks.rows`
   * examples, or by vector products (forward mode over blocks of `blocks.rows` examples of x1 along the Jacobian rows
   * of `blocks.columns` examples of x2); `full`: (n1·k) × (n2·k), else n1 × n2 averaged over outputs. x2 null: x1
   * itself.
   */
  networkNtk(
    fn: string,
    program: Program,
    params: Float64Array,
    x1: Float64Array,
    n1: number,
    x2: Float64Array | null,
    n2: number,
    full: boolean,
    implementation: NtkImplementationName,
    blocks: NtkBlocks,
    out?: Float64Array,
  ): Float64Array;
  /**
   * Training steps on minibatches (src/finite/network.ts builds the plan): losses[s] is step s's minibatch loss
   * before its update and the last entry the last minibatch's after it (all n examples' without steps); `plan.state`
   * is updated in place.
   */
  networkTrain(fn: string, program: Program, params: Float64Array, x: Float64Array, y: Float64Array, n: number, plan: TrainPlan): DescentResult;
  /**
   * Analytic NNGP and NTK (n1 × n2) of a lowered model between the rows of x1 and x2 (null: x1 itself), inputs
   * of dimension d; `finite` is false when either result holds Infinity or NaN.
   */
  infinite(
    fn: string,
    program: Program,
    rule: MixtureRule,
    x1: Float64Array,
    n1: number,
    x2: Float64Array | null,
    n2: number,
    d: number,
    out?: { nngp: Float64Array; ntk: Float64Array },
  ): { nngp: Float64Array; ntk: Float64Array; finite: boolean };
  /** The same for a program on vectors from given input kernels instead of inputs. */
  infiniteFromKernels(fn: string, program: Program, rule: MixtureRule, start: InputKernels): { nngp: Float64Array; ntk: Float64Array; finite: boolean };
  /**
   * The same with the kernels' tangents along hyperparameter directions (forward mode through the program): dNngp and
   * dNtk hold one n1 × n2 array per direction; `finite` covers them too. With `out`, the results are written into its
   * arrays (a null list is not returned: an empty one takes its place), so that repeated calls reuse their memory.
   */
  infiniteGradients(
    fn: string,
    program: Program,
    rule: MixtureRule,
    x1: Float64Array,
    n1: number,
    x2: Float64Array | null,
    n2: number,
    d: number,
    gradients: HyperparameterDirections,
    out?: GradientArrays,
  ): { nngp: Float64Array; ntk: Float64Array; dNngp: Float64Array[]; dNtk: Float64Array[]; finite: boolean };
}

/**
 * One method per kernel, by family. Inputs are row-major `Float64Array`s that the kernel must not modify;
 * outputs are fresh arrays, or the `out` arrays given, which a backend may fill instead (the WASM backend does). Shapes
 * are validated by the ops before a kernel is called. Every method takes first the name of the public function the user
 * called, which errors raised inside carry.
 */
export interface Backend extends LinalgBackend, KernelBackend, FlowBackend, NetworkBackend {
  readonly name: BackendName;
}
