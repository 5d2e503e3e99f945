// Network.train's and LinearizedModel.train's losses, optimizers and minibatches against PyTorch (test/fixtures/make_training.py: torch.optim's
// SGD, SGD with momentum and Adam on 0.5·MSELoss and CrossEntropyLoss, float64), from the same parameters on the
// same minibatches.
import { describe, expect, it } from 'vitest';
import { Matrix, type TrainOptions, dense, linearize, network, ready, serial, setBackend, tanh } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { BACKENDS, describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

interface TrainingCase {
  name: string;
  loss: 'mse' | 'crossEntropy' | 'huber';
  optimizer: 'sgd' | 'momentum' | 'adam';
  options: { learningRate: number; momentum?: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };
  minibatches: boolean;
  linearized: boolean;
  losses: number[];
  params: number[];
}
const fixture = await loadFixture<{
  sizes: number[];
  wStd: number;
  bStd: number;
  steps: number;
  x: Rows;
  yReal: Rows;
  yOneHot: Rows;
  batches: number[][];
  initial: number[];
  cases: TrainingCase[];
}>('training');

/** PyTorch's SmoothL1Loss (beta 1, the mean over every entry) as a loss of the library's own. */
const huber = {
  value: (f: Matrix, y: Matrix) =>
    f.data.reduce((sum, v, i) => sum + (Math.abs(v - y.data[i]) < 1 ? 0.5 * (v - y.data[i]) ** 2 : Math.abs(v - y.data[i]) - 0.5), 0) / f.data.length,
  gradient: (f: Matrix, y: Matrix) =>
    new Matrix(
      f.rows,
      f.cols,
      f.data.map((v, i) => Math.max(-1, Math.min(1, v - y.data[i])) / f.data.length),
    ),
};

function fixtureNetwork() {
  const layer = { wStd: fixture.wStd, bStd: fixture.bStd };
  const [, first, second, out] = fixture.sizes;
  const net = network(serial(dense(first, layer), tanh(), dense(second, layer), tanh(), dense(out, layer)), { inputShape: [fixture.sizes[0]] });
  net.params = Float64Array.from(fixture.initial);
  return net;
}

describeEachBackend('Network.train and LinearizedModel.train: losses, optimizers and minibatches as PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: the parameters after ${fixture.steps} steps to 1e-13 of their norm, and every step's loss to 1e-12`, () => {
      const net = fixtureNetwork();
      const options: TrainOptions = {
        steps: fixture.steps,
        loss: c.loss === 'huber' ? huber : c.loss,
        optimizer: c.optimizer,
        ...c.options,
        ...(c.minibatches ? { batches: fixture.batches } : {}),
      };
      const model = c.linearized ? linearize(net) : net;
      const { loss } = model.train(fixture.x, c.loss === 'crossEntropy' ? fixture.yOneHot : fixture.yReal, options);
      // Normwise: weight decay drives some parameters to near 0, where they keep the rounding of the O(1) terms that
      // cancelled in them (6e-5 off by 1e-16); every entry also to 1e-10 of itself.
      expectClose(model.params, c.params, 1e-13, `${c.name}: parameters (${net.numParams})`, 'normwise');
      expectClose(model.params, c.params, 1e-10, `${c.name}: parameters (${net.numParams}), entry by entry`);
      expectClose(loss, c.losses, 1e-12, `${c.name}: losses (${fixture.steps} + 1)`);
    });
  }
});

describeEachBackend('Network.train: minibatches and bad options', () => {
  it('shuffles by its seed: the same seed gives the same bits, another seed other batches; a last batch takes what is left', () => {
    const options: TrainOptions = { learningRate: 0.05, steps: 7, optimizer: 'adam', batchSize: 5, seed: 4 };
    const run = (extra: Partial<TrainOptions> = {}) => {
      const net = fixtureNetwork();
      const { loss } = net.train(fixture.x, fixture.yReal, { ...options, ...extra });
      return { params: Array.from(net.params), loss: Array.from(loss) };
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(run({ seed: 5 }).params).not.toEqual(first.params);
    expect(first.loss).toHaveLength(8);
    // One batch of every example per epoch is full-batch training, up to the order of the sums.
    const whole = run({ batchSize: 12, optimizer: 'sgd', beta1: undefined });
    const net = fixtureNetwork();
    net.train(fixture.x, fixture.yReal, { learningRate: 0.05, steps: 7 });
    expectClose(whole.params, net.params, 1e-13, 'batchSize = n vs full batch', 'normwise');
  });

  it('names the argument of a bad option, before any work, and leaves the parameters as they were', () => {
    const net = fixtureNetwork();
    const before = Array.from(net.params);
    const train = (options: Record<string, unknown>, y: Rows = fixture.yReal) =>
      net.train(fixture.x, y, { learningRate: 0.1, steps: 3, ...options } as unknown as TrainOptions);
    expect(() => train({ loss: 'hinge' })).toThrow(new TypeError("Network.train: loss must be one of 'mse', 'crossEntropy', got \"hinge\""));
    expect(() => train({ optimizer: 'rmsprop' })).toThrow(new TypeError("Network.train: optimizer must be one of 'sgd', 'momentum', 'adam', got \"rmsprop\""));
    expect(() => train({ batchSize: 0 })).toThrow(new RangeError('Network.train: batchSize must be ≥ 1, got 0'));
    expect(() => train({ batchSize: 13 })).toThrow(new RangeError('Network.train: batchSize is 13 but x has 12 examples'));
    expect(() => train({ batchSize: 2.5 })).toThrow(new RangeError('Network.train: batchSize must be an integer, got 2.5'));
    expect(() =>
      train({
        batches: [
          [0, 1],
          [2, 12],
        ],
      }),
    ).toThrow(new RangeError('Network.train: batches[1][1] must be ≤ 11, got 12'));
    expect(() => train({ batches: [[0, 1], []] })).toThrow(new TypeError('Network.train: batches[1] must be a non-empty array of example indices'));
    expect(() => train({ batches: [[0]], batchSize: 2 })).toThrow(/^Network\.train: give either batches or batchSize/);
    expect(() => train({ seed: 3 })).toThrow(/^Network\.train: seed shuffles the minibatches of batchSize/);
    expect(() => train({ momentum: 0.9 })).toThrow(new TypeError("Network.train: momentum applies to optimizer 'momentum', not 'sgd'"));
    expect(() => train({ optimizer: 'momentum', beta1: 0.9 })).toThrow(new TypeError("Network.train: beta1 applies to optimizer 'adam', not 'momentum'"));
    expect(() => train({ optimizer: 'adam', beta2: 1 })).toThrow(/^Network\.train: beta2 must be ≤ 0\.9999/);
    expect(() => train({ optimizer: 'adam', eps: 0 })).toThrow(new RangeError('Network.train: eps must be > 0, got 0'));
    expect(() => train({ weightDecay: -1 })).toThrow(new RangeError('Network.train: weightDecay must be ≥ 0, got -1'));
    expect(() => train({ weightDecay: Number.NaN })).toThrow(new TypeError('Network.train: weightDecay must be a number, got NaN'));
    expect(() => train({ loss: 'crossEntropy' })).toThrow(/^Network\.train: y\[0\]\[\d\] is -0\.\d+; loss 'crossEntropy' takes one-hot rows or probabilities$/);
    const halves = fixture.yOneHot.map((row) => row.map((v) => v / 2));
    expect(() => train({ loss: 'crossEntropy' }, halves)).toThrow(
      /^Network\.train: y\[0\] sums to 0\.5; loss 'crossEntropy' takes one-hot rows or probabilities/,
    );
    expect(() => train({ lr: 0.1 })).toThrow(/^Network\.train: unknown option 'lr'/);
    expect(Array.from(net.params)).toEqual(before);
    // A run that diverges throws and keeps the parameters.
    expect(() => train({ learningRate: 1e200, steps: 5, optimizer: 'momentum' })).toThrow(/^Network\.train: the loss became/);
    expect(Array.from(net.params)).toEqual(before);
  });

  it('a loss of your own that fails is reported with what it returned; the parameters and the WASM memory stay as they were', () => {
    const net = fixtureNetwork();
    const before = Array.from(net.params);
    const heap = wasmHeap();
    const top = heap?.top;
    const train = (loss: unknown) => net.train(fixture.x, fixture.yReal, { learningRate: 0.1, steps: 3, batchSize: 5, loss: loss as never });
    expect(() => train({ value: huber.value })).toThrow(new TypeError('Network.train: loss.gradient must be a function, got undefined'));
    expect(() => train({ ...huber, hessian: () => 0 })).toThrow(/^Network\.train: unknown option 'hessian'; expected one of 'value', 'gradient'/);
    expect(() => train(3)).toThrow(new TypeError("Network.train: loss must be 'mse', 'crossEntropy' or { value(f, y), gradient(f, y) }, got number"));
    expect(() => train({ ...huber, gradient: () => [[1, 2]] })).toThrow(
      new RangeError('Network.train: loss.gradient(f, y) is 1x2 for a minibatch of 5x3 outputs'),
    );
    expect(() => train({ ...huber, gradient: (f: Matrix) => f.toArray().map((row) => row.map(() => Number.NaN)) })).toThrow(
      /^Network\.train: loss\.gradient\(f, y\)\[0\]\[0\] is NaN/,
    );
    expect(() => train({ ...huber, value: () => 'small' })).toThrow(new TypeError('Network.train: loss.value(f, y) must return a number, got string'));
    expect(() =>
      train({
        ...huber,
        gradient: () => {
          throw new Error('out of ideas');
        },
      }),
    ).toThrow('out of ideas');
    expect(Array.from(net.params)).toEqual(before);
    if (heap) expect(heap.top).toBe(top);
    // And it still trains.
    expect(train(huber).loss).toHaveLength(4);
  });

  it("refuses 'crossEntropy' with one output", () => {
    const net = network(serial(dense(4), tanh(), dense(1)), { inputShape: [2] });
    expect(() => net.train([[1, 2]], [[1]], { learningRate: 0.1, steps: 1, loss: 'crossEntropy' })).toThrow(
      new RangeError("Network.train: loss 'crossEntropy' needs at least 2 outputs (a softmax over them), but y is 1x1"),
    );
  });
});

describe("crossEntropy's log-sum-exp in WASM (its own logarithm) against the ts backend (Math.log)", () => {
  it('50 classes, logits from −40 to 40: every step loss to 1e-14 and the parameters to 1e-13 of their norm', async () => {
    const x = uniformMatrix(40, 6, 11, -3, 3);
    const y = new Matrix(40, 50);
    for (let i = 0; i < 40; i++) y.data[i * 50 + ((7 * i) % 50)] = 1;
    const runs = [];
    for (const backend of BACKENDS) {
      await ready();
      setBackend(backend);
      const net = network(serial(dense(32, { wStd: 4 }), tanh(), dense(50, { wStd: 8, bStd: 2 })), { inputShape: [6], seed: 2 });
      const { loss } = net.train(x, y, { learningRate: 0.05, steps: 5, loss: 'crossEntropy', batchSize: 16, seed: 1 });
      runs.push({ loss, params: net.params });
    }
    await ready();
    expectClose(runs[0].loss, runs[1].loss, 1e-14, 'losses, wasm vs ts');
    expectClose(runs[0].params, runs[1].params, 1e-13, 'parameters, wasm vs ts', 'normwise');
    expect(Math.max(...runs[0].loss)).toBeGreaterThan(10);
  });
});
