import { expect, it, vi } from 'vitest';
import { Matrix, empiricalNtk, eulerFlow, linearize, mlp, trainWithNtkChange } from '../../src/index.js';
import { current } from '../../src/backend/registry.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

describeEachBackend('linearize', () => {
  const x = uniformMatrix(6, 3, 1);
  const y = uniformMatrix(6, 2, 2);

  it('equals the network at θ0 and moves by J·(θ − θ0)', () => {
    const net = mlp({ inputDim: 3, widths: [24], outputDim: 2, activation: 'tanh', bStd: 0.1, seed: 3 });
    const lin = linearize(net);
    expectClose(lin.apply(x), net.apply(x), 1e-13);
    const shift = Float64Array.from({ length: net.numParams }, (_, i) => 1e-3 * Math.sin(i));
    const moved = lin.apply(
      x,
      lin.params.map((v, i) => v + shift[i]),
    );
    const j = net.jacobian(x);
    const expected = net.apply(x).data.map((v, r) => v + j.data.subarray(r * j.cols, (r + 1) * j.cols).reduce((s, jr, p) => s + jr * shift[p], 0));
    expectClose(moved, new Matrix(6, 2, expected), 1e-12);
  });

  it('trained by GD follows u ← u − (η/N)·Θ0·(u − y) step for step (to 1e-8)', () => {
    const net = mlp({ inputDim: 3, widths: [32], outputDim: 2, bStd: 0.2, seed: 4 });
    const lin = linearize(net);
    const learningRate = 0.3;
    const steps = 30;
    const { loss } = lin.train(x, y, { learningRate, steps });
    // Kernel flow with the full NTK on the flattened outputs (row i·k + o), dt = 1.
    const theta0 = empiricalNtk(net, x, undefined, { outputs: 'full' });
    const flat = (m: Matrix) => new Matrix(m.rows * m.cols, 1, m.data.slice());
    const flow = eulerFlow(theta0, flat(y), { learningRate, dt: 1, steps, recordEvery: 1, fxTrain0: flat(net.apply(x)) });
    const flowLoss = flow.train.map((u) => u.data.reduce((s, v, i) => s + (v - y.data[i]) ** 2, 0) / (2 * 12));
    expectClose(loss, flowLoss, 1e-8, 'loss per step');
    expectClose(flat(lin.apply(x)), flow.train[steps], 1e-8, 'final train outputs');
  });

  it('continues from where it stopped: two runs of 10 steps equal one of 20', () => {
    const net = mlp({ inputDim: 3, widths: [16], outputDim: 2, seed: 5 });
    const once = linearize(net);
    once.train(x, y, { learningRate: 0.2, steps: 20 });
    const twice = linearize(net);
    twice.train(x, y, { learningRate: 0.2, steps: 10 });
    twice.train(x, y, { learningRate: 0.2, steps: 10 });
    expectClose(twice.params, once.params, 1e-11);
    expect(() => linearize({} as never)).toThrow(/net must be a Network/);
  });

  it('watching does not change the result: a signal or onProgress gives the bits of the unwatched run', () => {
    const net = mlp({ inputDim: 3, widths: [16], outputDim: 2, seed: 6 });
    const plain = linearize(net);
    const plainLoss = plain.train(x, y, { learningRate: 0.2, steps: 37 }).loss;
    const watched = linearize(net);
    const watchedLoss = watched.train(x, y, { learningRate: 0.2, steps: 37, signal: new AbortController().signal, onProgress: () => {} }).loss;
    expect(Array.from(watched.params)).toEqual(Array.from(plain.params));
    expect(Array.from(watchedLoss)).toEqual(Array.from(plainLoss));
  });

  it('honours the signal before any work and between chunks of steps; the model stays as it was', () => {
    const net = mlp({ inputDim: 3, widths: [16], outputDim: 2, seed: 7 });
    const lin = linearize(net);
    const before = Array.from(lin.params);
    const train = vi.spyOn(current(), 'networkTrain');
    try {
      expect(() => lin.train(x, y, { learningRate: 0.2, steps: 10, signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }));
      expect(train).not.toHaveBeenCalled();
      // Aborted after the first chunk of steps: no further chunk runs, and θ is as before the call.
      const controller = new AbortController();
      const onProgress = () => controller.abort();
      expect(() => lin.train(x, y, { learningRate: 0.2, steps: 40, signal: controller.signal, onProgress })).toThrow(
        expect.objectContaining({ name: 'AbortError' }),
      );
      expect(train).toHaveBeenCalledTimes(1);
      expect(Array.from(lin.params)).toEqual(before);
    } finally {
      train.mockRestore();
    }
  });

  it('trainWithNtkChange checks its options in its own name, and an aborted signal, before computing any kernel', () => {
    const net = mlp({ inputDim: 3, widths: [8], outputDim: 2, seed: 8 });
    const ntk = vi.spyOn(current(), 'networkNtk');
    try {
      expect(() => trainWithNtkChange(net, x, y, { learningRate: -1, steps: 1 })).toThrow(
        new RangeError('trainWithNtkChange: learningRate must be > 0, got -1'),
      );
      expect(() => trainWithNtkChange(net, x, [[1]], { learningRate: 1, steps: 1 })).toThrow(/^trainWithNtkChange: x has 6 rows but y/);
      expect(() => trainWithNtkChange(net, x, y, { learningRate: 1, steps: 1, signal: AbortSignal.abort() })).toThrow(
        expect.objectContaining({ name: 'AbortError' }),
      );
      expect(ntk).not.toHaveBeenCalled();
    } finally {
      ntk.mockRestore();
    }
  });
});
