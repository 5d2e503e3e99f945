// Long loops report progress and stop at an aborted signal, leaving their inputs as they were.
import { expect, it } from 'vitest';
import { eulerFlow, linearize, mlp, monteCarloNtk } from '../src/index.js';
import { describeEachBackend } from './helpers/backends.js';

const x = [[-1], [0], [1]];
const y = [[1], [0], [1]];

/** A controller that aborts at the `at`-th progress call, and the list of progress calls. */
function abortAt(at: number) {
  const controller = new AbortController();
  const calls: number[] = [];
  return {
    signal: controller.signal,
    calls,
    onProgress: (done: number) => {
      calls.push(done);
      if (calls.length === at) controller.abort();
    },
  };
}

describeEachBackend('cancellation', () => {
  it('MLP.train stops at the next chunk and leaves the parameters unchanged', () => {
    const net = mlp({ inputDim: 1, widths: [32], seed: 1 });
    const before = net.params.slice();
    const { signal, calls, onProgress } = abortAt(2);
    expect(() => net.train(x, y, { learningRate: 0.1, steps: 100, onProgress, signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(calls).toEqual([5, 10]);
    expect(net.params).toEqual(before);
    // Not aborted: the same call with a signal gives the same loss curve as without one.
    const watched = net.clone().train(x, y, { learningRate: 0.1, steps: 100, signal: new AbortController().signal }).loss;
    expect(watched).toEqual(net.clone().train(x, y, { learningRate: 0.1, steps: 100 }).loss);
  });

  it('LinearizedModel.train, eulerFlow and monteCarloNtk stop too', () => {
    const model = linearize(mlp({ inputDim: 1, widths: [16], seed: 2 }));
    const first = abortAt(1);
    expect(() => model.train(x, y, { learningRate: 0.1, steps: 40, onProgress: first.onProgress, signal: first.signal })).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
    const flow = abortAt(3);
    expect(() =>
      eulerFlow(
        [
          [2, 1],
          [1, 2],
        ],
        [[1], [0]],
        { dt: 0.01, steps: 200, recordEvery: 50, onProgress: flow.onProgress, signal: flow.signal },
      ),
    ).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(flow.calls).toEqual([10, 20, 30]);
    const samples = abortAt(2);
    expect(() => monteCarloNtk({ inputDim: 1, widths: [8] }, x, undefined, { samples: 5, onProgress: samples.onProgress, signal: samples.signal })).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
    expect(samples.calls).toEqual([1, 2]);
  });

  it('an already aborted signal stops before any work; the reason is what is thrown', () => {
    const reason = new Error('stop now');
    const net = mlp({ inputDim: 1, widths: [8], seed: 3 });
    expect(() => net.train(x, y, { learningRate: 0.1, steps: 10, signal: AbortSignal.abort(reason) })).toThrow(reason);
  });

  it('eulerFlow records the same times with a signal, while chunks are smaller', () => {
    const options = { dt: 0.01, steps: 200, recordEvery: 50 };
    const plain = eulerFlow(
      [
        [2, 1],
        [1, 2],
      ],
      [[1], [0]],
      options,
    );
    const watched = eulerFlow(
      [
        [2, 1],
        [1, 2],
      ],
      [[1], [0]],
      { ...options, signal: new AbortController().signal },
    );
    expect(watched.times).toEqual(plain.times);
    expect(watched.train.map((m) => Array.from(m.data))).toEqual(plain.train.map((m) => Array.from(m.data)));
  });

  it('rejects a signal that is not an AbortSignal', () => {
    const net = mlp({ inputDim: 1, widths: [8] });
    expect(() => net.train(x, y, { learningRate: 0.1, steps: 1, signal: {} as AbortSignal })).toThrow(
      new TypeError('MLP.train: signal must be an AbortSignal, got an object'),
    );
  });
});
