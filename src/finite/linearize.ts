import { current } from '../backend/registry.js';
import { shapeOf } from '../errors.js';
import { product } from '../linalg.js';
import { Matrix } from '../matrix.js';
import type { ExamplesInput } from '../model/inputs.js';
import { type TargetsInput, toTargets } from '../predict/common.js';
import { maxLearningRate } from '../predict/gradientDescentMse.js';
import { chunkSize, learningRateHint, runInChunks } from '../chunks.js';
import { Network, type TrainOptions, type TrainResult, trainOptions } from './network.js';

/**
 * The first-order Taylor model of a network around its parameters θ0:
 * `f_lin(x; θ) = f(x; θ0) + J(x; θ0)·(θ − θ0)`. Linear in θ, so gradient descent on it is kernel
 * gradient descent with the fixed kernel Θ0 = J·Jᵀ: its training outputs follow `u ← u − (η/N)·Θ0·(u − y)`.
 *
 * @example
 * ```ts
 * const net = mlp({ inputDim: 1, widths: [512], seed: 0 });
 * const lin = linearize(net);
 * lin.train([[-1], [1]], [1, -1], { learningRate: 1, steps: 100 });
 * lin.apply([[0.5]]);
 * ```
 */
export class LinearizedModel {
  /** Current parameters θ. */
  params: Float64Array;
  /** The network at θ0 (a copy; training the original does not move it). */
  readonly base: Network;

  constructor(net: Network) {
    if (!(net instanceof Network)) throw new TypeError('linearize: net must be a Network (from network(), mlp() or fromWeights())');
    this.base = net.clone();
    this.params = net.params.slice();
  }

  /** Number of parameters. */
  get numParams(): number {
    return this.base.numParams;
  }

  /**
   * f(x; θ0) + J(x; θ0)·(θ − θ0), with the current parameters or `params`.
   *
   * @example
   * ```ts
   * linearize(net).apply([[0.1]]); // equals net.apply([[0.1]]) before any training
   * ```
   */
  apply(x: ExamplesInput, params?: ArrayLike<number>): Matrix {
    const fn = 'LinearizedModel.apply';
    const theta = this.base.checkedParams(fn, params ?? this.params);
    const mx = this.base.inputs(fn, 'x', x);
    const shift = this.shift(theta);
    const f0 = this.base.apply(mx);
    // J·(θ − θ0) by forward mode: no Jacobian is formed.
    const moved = this.base.tangents(fn, this.base.params, mx, shift).data;
    return new Matrix(
      f0.rows,
      f0.cols,
      f0.data.map((v, i) => v + moved[i]),
    );
  }

  /**
   * Full-batch gradient descent on `‖f_lin(X) − Y‖²/(2N)`, updating `params`; the Jacobian at θ0 is
   * computed once.
   *
   * @example
   * ```ts
   * const { loss } = linearize(net).train(x, y, { learningRate: 0.5, steps: 1000 });
   * ```
   */
  train(x: ExamplesInput, y: TargetsInput, options: TrainOptions): TrainResult {
    const fn = 'LinearizedModel.train';
    const mx = this.base.inputs(fn, 'x', x);
    const my = toTargets(fn, 'y', y, mx.rows, 'x');
    if (my.cols !== this.base.outputDim) throw new RangeError(`${fn}: y is ${shapeOf(my)} but the model has ${this.base.outputDim} outputs`);
    const { learningRate, steps, onProgress, signal } = trainOptions(fn, options);
    signal?.throwIfAborted();
    const backend = current();
    const rows = my.rows * my.cols;
    const p = this.numParams;
    // Rows i·k + o of J match the row-major order of f and y, so the model is one linear regression in
    // δ = θ − θ0 towards y − f(x; θ0); every chunk continues from the δ the last one reached, so chunks (when
    // someone watches) give the bits of one run.
    const j = this.jacobianOf(mx, signal);
    const f0 = this.base.apply(mx).data;
    const target = my.data.map((v, i) => v - f0[i]);
    // Trained on a copy, so that a cancelled or diverged run leaves the model as it was.
    let delta = this.shift(this.params);
    const loss = runInChunks(
      fn,
      steps,
      onProgress,
      signal,
      (chunk) => {
        const result = backend.primalDescent(fn, j, target, rows, p, 1, chunk, learningRate / rows, 0, 1 / (2 * rows), delta);
        delta = result.params;
        return result.losses;
      },
      () => learningRateHint(learningRate, () => maxLearningRate(product(fn, new Matrix(rows, p, j), new Matrix(rows, p, j), false, true))),
    );
    this.params = delta.map((v, i) => this.base.params[i] + v);
    return { loss };
  }

  /** J(x; θ0), in about 20 blocks of examples with `signal` seen between them when there is one. */
  private jacobianOf(mx: Matrix, signal: AbortSignal | undefined): Float64Array {
    if (signal === undefined) return this.base.jacobian(mx).data;
    const k = this.base.outputDim;
    const p = this.numParams;
    const j = new Float64Array(mx.rows * k * p);
    const block = chunkSize(mx.rows, true);
    for (let r0 = 0; r0 < mx.rows; r0 += block) {
      signal.throwIfAborted();
      const r1 = Math.min(mx.rows, r0 + block);
      j.set(this.base.jacobian(new Matrix(r1 - r0, mx.cols, mx.data.subarray(r0 * mx.cols, r1 * mx.cols))).data, r0 * k * p);
    }
    return j;
  }

  private shift(theta: Float64Array): Float64Array {
    return theta.map((v, i) => v - this.base.params[i]);
  }
}

/**
 * The linearization of `net` around its current parameters.
 *
 * @example
 * ```ts
 * const lin = linearize(mlp({ inputDim: 2, widths: [128], seed: 1 }));
 * ```
 */
export function linearize(net: Network): LinearizedModel {
  return new LinearizedModel(net);
}
