// Cancelling spawnWorker calls: the worker's verdict decides. These tests run from src — the worker loads
// src/remote/host.ts through tsx (host.mjs) — so they need no build, unlike client.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RemoteNtk, mlp, spawnWorker } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

const workerUrl = new URL('./host.mjs', import.meta.url);
const x = [[0], [0.5], [1]];
const y = [[0], [1], [0]];
const shape = { inputDim: 1, widths: [256], seed: 6 };
const steps = 400; // 20 chunks of 20 steps when watched

/** Parameters after the whole training, in this thread on the same backend. */
function trained(): Float64Array {
  const local = mlp(shape);
  local.train(x, y, { learningRate: 0.5, steps });
  return local.params;
}

describeEachBackend('spawnWorker cancellation', (backend) => {
  let ntk: RemoteNtk;
  beforeAll(async () => {
    ntk = await spawnWorker({ threads: 1, workerUrl });
    await ntk.setBackend(backend);
  });
  afterAll(() => ntk.terminate());

  it('resolves, as in this thread, when the abort comes inside the last onProgress: the worker had committed', async () => {
    // In this thread: the last chunk is done when onProgress reports it, so train returns and keeps its result.
    const local = mlp(shape);
    const localController = new AbortController();
    const localLoss = local.train(x, y, {
      learningRate: 0.5,
      steps,
      signal: localController.signal,
      onProgress: (done, total) => done === total && localController.abort(),
    }).loss;
    expect(localController.signal.aborted).toBe(true);

    const net = await ntk.mlp(shape);
    const controller = new AbortController();
    const { loss } = await net.train(x, y, {
      learningRate: 0.5,
      steps,
      signal: controller.signal,
      onProgress: (done: number, total: number) => done === total && controller.abort(),
    });
    expect(controller.signal.aborted).toBe(true);
    expectClose(loss, localLoss, 1e-12, 'loss');
    expectClose(await net.params, local.params, 1e-12, 'parameters');
  });

  it('rejects with the reason and changes nothing when the abort comes before the worker starts the call', async () => {
    const net = await ntk.mlp(shape);
    const before = await net.params;
    const controller = new AbortController();
    const training = net.train(x, y, { learningRate: 0.5, steps, signal: controller.signal });
    const reason = new Error('stopped by the test');
    controller.abort(reason); // before the request reaches the worker, which is still idle
    await expect(training).rejects.toBe(reason);
    expect(await net.params).toEqual(before);
  });

  it('never both: an abort at any onProgress either wins (parameters as before) or resolves with the trained ones', async () => {
    const full = trained();
    for (const at of [1, 10, 19, 20]) {
      const net = await ntk.mlp(shape);
      const before = await net.params;
      const controller = new AbortController();
      const settled = await net
        .train(x, y, {
          learningRate: 0.5,
          steps,
          signal: controller.signal,
          onProgress: (done: number, total: number) => done === (at * total) / 20 && controller.abort(),
        })
        .then(
          () => 'resolved',
          (error: unknown) => error,
        );
      expect(controller.signal.aborted, `abort at chunk ${at}`).toBe(true);
      if (settled === 'resolved') expectClose(await net.params, full, 1e-12, `parameters after a late abort at chunk ${at}`);
      else {
        expect(settled, `abort at chunk ${at}`).toMatchObject({ name: 'AbortError' });
        expect(await net.params, `parameters after an abort at chunk ${at}`).toEqual(before);
      }
      await ntk.release(net);
    }
  });
});

describe('spawnWorker cancellation without shared memory', () => {
  it('lets the abort win even inside the last onProgress: the worker stops, and what it committed with it', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const ntk = await spawnWorker({ threads: 1, workerUrl });
    vi.unstubAllGlobals();
    try {
      const net = await ntk.mlp(shape);
      const controller = new AbortController();
      const training = net.train(x, y, {
        learningRate: 0.5,
        steps: 20,
        signal: controller.signal,
        onProgress: (done: number, total: number) => done === total && controller.abort(),
      });
      await expect(training).rejects.toMatchObject({ name: 'AbortError' });
      await expect(net.params).rejects.toThrow('ntk-wasm worker: this handle belonged to a worker that has stopped; create it again');
    } finally {
      await ntk.terminate();
    }
  });
});
