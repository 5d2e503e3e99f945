import { current } from '../backend/registry.js';
import { chunkSize, learningRateHint } from '../chunks.js';
import { checkOptions, functionArgument, numberOption, signalOption } from '../errors.js';
import { symmetricSquare } from '../linalg.js';
import { Matrix, type MatrixInput } from '../matrix.js';
import { initialOutputs, type TargetsInput, testTrainKernel, toTargets } from './common.js';
import { maxLearningRate } from './gradientDescentMse.js';

/** Options of {@link eulerFlow}. */
export interface EulerFlowOptions {
  /** η. Default 1. */
  learningRate?: number;
  /** Time step. Required, > 0. */
  dt: number;
  /** Number of steps. Required. */
  steps: number;
  /** Train outputs at t = 0 (n × k or a number). Default 0. */
  fxTrain0?: MatrixInput | number;
  /** Kernel between test and train points (m × n), to also follow test outputs. */
  kTestTrain?: MatrixInput;
  /** Test outputs at t = 0 (m × k or a number). Default 0. */
  fxTest0?: MatrixInput | number;
  /** Record the outputs every this many steps (and always at the first and last). Default: steps. */
  recordEvery?: number;
  /** Called after each recorded chunk with the steps done and the total. */
  onProgress?: (stepsDone: number, steps: number) => void;
  /** Stops between chunks of steps (about 20 per run) when aborted: the call throws the signal's reason. */
  signal?: AbortSignal;
}

/** The recorded trajectory of {@link eulerFlow}. */
export interface EulerFlowResult {
  /** Training times t = step·dt of the records. */
  times: Float64Array;
  /** Train outputs at each recorded time. */
  train: Matrix[];
  /** Test outputs at each recorded time, when `kTestTrain` was given. */
  test?: Matrix[];
}

/**
 * Forward-Euler integration of gradient flow in function space:
 * `u ← u − (η·dt/N)·K·(u − y)` with `N = y.rows·y.cols`, and test outputs
 * `f_test ← f_test − (η·dt/N)·K_test,train·(u − y)`. The steps run in the backend (in WASM the kernel
 * stays in WASM memory across records). The error against {@link gradientDescentMse} is O(dt).
 *
 * @example
 * ```ts
 * const { times, train } = eulerFlow([[2, 1], [1, 2]], [[1], [-1]], { dt: 0.01, steps: 1000, recordEvery: 100 });
 * times.length;      // 11
 * train[10].get(0, 0); // ≈ 1 − e^{−(1/2)·10} ≈ 0.993
 * ```
 */
export function eulerFlow(kTrainTrain: MatrixInput, yTrain: TargetsInput, options: EulerFlowOptions): EulerFlowResult {
  const fn = 'eulerFlow';
  if (options === undefined) throw new TypeError(`${fn}: options with dt and steps are required`);
  const opts = checkOptions(fn, options, ['learningRate', 'dt', 'steps', 'fxTrain0', 'kTestTrain', 'fxTest0', 'recordEvery', 'onProgress', 'signal']);
  const learningRate = numberOption(fn, 'learningRate', opts.learningRate, 1, { above: 0 });
  const dt = numberOption(fn, 'dt', opts.dt, undefined, { above: 0 });
  const steps = numberOption(fn, 'steps', opts.steps, undefined, { integer: true, min: 0 });
  const recordEvery = numberOption(fn, 'recordEvery', opts.recordEvery, Math.max(steps, 1), { integer: true, min: 1 });
  const onProgress = opts.onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', opts.onProgress);
  const signal = signalOption(fn, opts.signal);
  const k = symmetricSquare(fn, 'kTrainTrain', kTrainTrain);
  const y = toTargets(fn, 'yTrain', yTrain, k.rows, 'kTrainTrain');
  const n = k.rows;
  const outputs = y.cols;
  const u0 = initialOutputs(fn, 'fxTrain0', opts.fxTrain0, n, outputs);
  const kTest = opts.kTestTrain === undefined ? null : testTrainKernel(fn, 'kTestTrain', opts.kTestTrain, n);
  const m = kTest?.rows ?? 0;
  const fTest0 = kTest ? initialOutputs(fn, 'fxTest0', opts.fxTest0, m, outputs) : null;

  const rate = (learningRate * dt) / (n * outputs);
  const session = current().eulerFlow(fn, k.data, kTest?.data ?? null, y.data, u0.data, fTest0?.data ?? null, n, m, outputs, rate);
  const times: number[] = [];
  const train: Matrix[] = [];
  const test: Matrix[] = [];
  const record = (step: number, state: ReturnType<typeof session.read>) => {
    times.push(step * dt);
    train.push(new Matrix(n, outputs, state.train));
    if (state.test) test.push(new Matrix(m, outputs, state.test));
  };
  try {
    record(0, session.read());
    // Records fall on multiples of recordEvery; progress, the signal and divergence are also seen in between.
    const size = chunkSize(steps, onProgress !== undefined || signal !== undefined);
    for (let done = 0; done < steps;) {
      signal?.throwIfAborted();
      const chunk = Math.min(size, recordEvery - (done % recordEvery), steps - done);
      session.advance(chunk);
      done += chunk;
      const state = session.read();
      if (!state.train.every(Number.isFinite) || (state.test && !state.test.every(Number.isFinite))) {
        throw new RangeError(
          `${fn}: the outputs became non-finite by step ${done}; the flow is unstable at this step size. ` +
            learningRateHint(learningRate * dt, () => maxLearningRate(k, { outputs })).replace('learningRate is', 'learningRate·dt is'),
        );
      }
      if (done % recordEvery === 0 || done === steps) record(done, state);
      onProgress?.(done, steps);
    }
  } finally {
    session.dispose();
  }
  return { times: Float64Array.from(times), train, ...(kTest ? { test } : {}) };
}
