import { Matrix } from '../matrix.js';
import type { ExamplesInput } from '../model/inputs.js';
import type { TargetsInput } from '../predict/common.js';
import { type ApplyOptions, Network, type TrainOptions, type TrainResult, applyOptions } from './network.js';

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
  apply(x: ExamplesInput, params?: ArrayLike<number> | ApplyOptions): Matrix {
    const fn = 'LinearizedModel.apply';
    const given = applyOptions(fn, params);
    const theta = this.base.checkedParams(fn, given.params ?? this.params);
    const mx = this.base.inputs(fn, 'x', x, given.pattern);
    const shift = this.shift(theta);
    const f0 = this.base.outputs(fn, this.base.params, mx);
    // J·(θ − θ0) by forward mode: no Jacobian is formed.
    const moved = this.base.tangents(fn, this.base.params, mx, shift).data;
    return new Matrix(
      f0.rows,
      f0.cols,
      f0.data.map((v, i) => v + moved[i]),
    );
  }

  /**
   * Trains the linearized model as {@link Network.train} trains a network (the same losses, optimizers, minibatches
   * and loss curve), updating `params`: each step evaluates f(x; θ0) + J(x; θ0)·(θ − θ0) by forward mode and its
   * gradient J(x; θ0)ᵀ·r by backpropagation at θ0, so no Jacobian is held. A cancelled or diverged run leaves
   * `params` as they were.
   *
   * @example
   * ```ts
   * const { loss } = linearize(net).train(x, y, { learningRate: 0.5, steps: 1000 });
   * const adam = linearize(net).train(x, y, { learningRate: 0.01, steps: 200, optimizer: 'adam', batchSize: 2 });
   * ```
   */
  train(x: ExamplesInput, y: TargetsInput, options: TrainOptions): TrainResult {
    const run = this.base.trainArguments('LinearizedModel.train', x, y, options);
    run.signal?.throwIfAborted();
    const { params, loss } = this.base.trainFrom(run, this.base.checkedParams(run.fn, this.params).slice(), this.base.params);
    this.params = params;
    return { loss };
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
