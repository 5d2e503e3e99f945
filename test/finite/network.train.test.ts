// Network.train's losses, optimizers and minibatches against PyTorch (test/fixtures/make_training.py: torch.optim's
// SGD, SGD with momentum and Adam on 0.5·MSELoss and CrossEntropyLoss, float64), from the same parameters on the
// same minibatches.
import { expect, it } from 'vitest';
import { type TrainOptions, dense, network, serial, tanh } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

interface TrainingCase {
  name: string;
  loss: 'mse' | 'crossEntropy';
  optimizer: 'sgd' | 'momentum' | 'adam';
  options: { learningRate: number; momentum?: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };
  minibatches: boolean;
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

function fixtureNetwork() {
  const layer = { wStd: fixture.wStd, bStd: fixture.bStd };
  const [, first, second, out] = fixture.sizes;
  const net = network(serial(dense(first, layer), tanh(), dense(second, layer), tanh(), dense(out, layer)), { inputShape: [fixture.sizes[0]] });
  net.params = Float64Array.from(fixture.initial);
  return net;
}

describeEachBackend('Network.train: losses, optimizers and minibatches as PyTorch', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: the parameters after ${fixture.steps} steps to 1e-13 of their norm, and every step's loss to 1e-12`, () => {
      const net = fixtureNetwork();
      const options: TrainOptions = {
        steps: fixture.steps,
        loss: c.loss,
        optimizer: c.optimizer,
        ...c.options,
        ...(c.minibatches ? { batches: fixture.batches } : {}),
      };
      const { loss } = net.train(fixture.x, c.loss === 'mse' ? fixture.yReal : fixture.yOneHot, options);
      // Normwise: weight decay drives some parameters to near 0, where they keep the rounding of the O(1) terms that
      // cancelled in them (6e-5 off by 1e-16); every entry also to 1e-10 of itself.
      expectClose(net.params, c.params, 1e-13, `${c.name}: parameters (${net.numParams})`, 'normwise');
      expectClose(net.params, c.params, 1e-10, `${c.name}: parameters (${net.numParams}), entry by entry`);
      expectClose(loss, c.losses, 1e-12, `${c.name}: losses (${fixture.steps} + 1)`);
    });
  }
});
