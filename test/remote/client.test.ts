// spawnWorker in Node (worker_threads). The worker runs the built package (dist/, made by `npm test`
// before Vitest), so this test uses dist/ throughout. In browsers the demo test drives it (test/browser/demo.slow.test.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Matrix, type RemoteNtk, conv, dense, flatten, infinite, mlp, rbfKernel, relu, serial, spawnWorker } from '../../dist/index.js';
import { expectClose } from '../helpers/close.js';

const x = [[0], [0.5], [1]];
const y = [[0], [1], [0]];

describe('spawnWorker', () => {
  let ntk: RemoteNtk;
  beforeAll(async () => {
    ntk = await spawnWorker({ threads: 2 });
  });
  afterAll(() => ntk.terminate());

  it('runs the library in a worker: the same names, promises of the same results', async () => {
    expect(await ntk.backendInfo()).toMatchObject({ backend: 'wasm', threads: 2 });
    const product = await ntk.matmul([[1, 2]], [[3], [4]]);
    expect(product).toBeInstanceOf(Matrix);
    expect(product.toArray()).toEqual([[11]]);
    const { values, vectors } = await ntk.eigh([
      [2, 1],
      [1, 2],
    ]);
    expect(Array.from(values)).toEqual([1, 3].map((v) => expect.closeTo(v, 14)));
    expect(vectors).toBeInstanceOf(Matrix);
  });

  it('keeps kernels, networks and models in the worker as handles, usable like the local objects', async () => {
    const kernel = await ntk.rbfKernel({ lengthscale: 0.5 });
    expectClose((await kernel(x)).data, rbfKernel({ lengthscale: 0.5 })(x).data, 1e-15, 'rbf in the worker');
    const model = await new ntk.KernelRidge(kernel, { ridge: 1e-6 });
    const fitted = await model.fit(x, [0, 1, 0]);
    expect((await fitted.predict([[0.5]])).get(0, 0)).toBeCloseTo(1, 5);

    const net = await ntk.mlp({ inputDim: 1, widths: [64], seed: 3 });
    expect(await net.numParams).toBe(mlp({ inputDim: 1, widths: [64], seed: 3 }).numParams);
    const local = mlp({ inputDim: 1, widths: [64], seed: 3 });
    expectClose((await net.apply(x)).data, local.apply(x).data, 1e-13, 'apply in the worker');
    // A handle passed back as an argument is the worker's object.
    expect((await ntk.empiricalNtk(net, x)).data).toEqual(expect.any(Float64Array));
  });

  it("takes models as plain objects (a conv layer's out field crosses), and refuses an out matrix", async () => {
    const model = serial(conv(2, [2], { padding: 'SAME' }), relu(), flatten(), dense(1));
    const images = [
      [0.1, 0.4, -0.3],
      [0.7, -0.2, 0.5],
    ];
    const remote = await ntk.infinite(model, { inputShape: [3, 1] });
    const local = infinite(model, { inputShape: [3, 1] }).kernels(images);
    const { ntk: theta } = await remote.kernels(images);
    expectClose(theta.data, local.ntk.data, 1e-15, 'the CNTK of a [2, 3, 1] batch in the worker');
    await expect(ntk.matmul([[1]], [[2]], { out: new Matrix(1, 1) })).rejects.toThrow('spawnWorker: out cannot cross to the worker');
  });

  it('reports progress through onProgress callbacks', async () => {
    const net = await ntk.mlp({ inputDim: 1, widths: [32], seed: 1 });
    const seen: number[] = [];
    const { loss } = await net.train(x, y, { learningRate: 0.5, steps: 40, onProgress: (done: number) => seen.push(done) });
    expect(loss.length).toBe(41);
    expect(seen).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40]);
  });

  it('fits Falkon in the worker, with progress, and reads its fields there', async () => {
    const kernel = await ntk.rbfKernel({ lengthscale: 0.5 });
    const seen: number[] = [];
    // A callback lives as long as the call it is passed to: fit's options, not the constructor's.
    const model = await new ntk.Falkon(kernel, { ridge: 1e-6, centers: 3, maxIterations: 10 });
    const fitted = await model.fit(x, [0, 1, 0], { onProgress: (done: number) => seen.push(done) });
    expect((await fitted.predict([[0.5]])).get(0, 0)).toBeCloseTo(1, 4);
    expect(await fitted.converged).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('keeps this thread free while the worker computes', async () => {
    const net = await ntk.mlp({ inputDim: 1, widths: [2048], seed: 2 });
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 10);
    const started = performance.now();
    await net.train(x, y, { learningRate: 0.5, steps: 10_000 });
    clearInterval(timer);
    expect(performance.now() - started).toBeGreaterThan(200);
    expect(gaps.length).toBeGreaterThan(10);
    expect(Math.max(...gaps)).toBeLessThan(100);
  });

  it('cancels with an AbortSignal; the worker stops between chunks and the network is unchanged', async () => {
    const net = await ntk.mlp({ inputDim: 1, widths: [1024], seed: 4 });
    const before = await net.params;
    const controller = new AbortController();
    let reported = 0;
    const training = net.train(x, y, {
      learningRate: 0.5,
      steps: 100_000,
      signal: controller.signal,
      onProgress: (done: number) => {
        reported = done;
        controller.abort();
      },
    });
    await expect(training).rejects.toMatchObject({ name: 'AbortError' });
    expect(reported).toBeGreaterThan(0);
    expect(await net.params).toEqual(before);
    // The same worker and handles go on.
    expect((await net.apply([[0.25]])).rows).toBe(1);
    await expect(net.train(x, y, { learningRate: 0.5, steps: 5, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('gives errors of the same class and message, and goes on working', async () => {
    await expect(ntk.matmul([[1, 2]], [[1, 2]])).rejects.toThrow(new RangeError('matmul: a is 1x2 but b is 1x2; the inner dimensions (2 and 1) must be equal'));
    await expect(ntk.gram([[Number.NaN]])).rejects.toBeInstanceOf(TypeError);
    await expect(new ntk.KernelRidge(((a: number[][]) => a) as never, {})).rejects.toThrow(/only callbacks \(onProgress, …\) can cross to the worker/);
    expect((await ntk.gram([[2]])).get(0, 0)).toBe(4);
  });

  it('releases handles; a released handle rejects', async () => {
    const kernel = await ntk.linearKernel();
    await ntk.release(kernel);
    await expect(kernel([[1]])).rejects.toThrow(/was released/);
    await expect(ntk.release({} as never)).rejects.toThrow('release: expected a handle returned by the worker');
  });

  it('rejects unknown options, and options that ready() rejects in the worker, with the same error', async () => {
    await expect(spawnWorker({ cores: 2 } as never)).rejects.toThrow(/spawnWorker: unknown option 'cores'/);
    await expect(spawnWorker({ threads: 0 })).rejects.toThrow(new TypeError('ready: threads must be an integer from 1 to 256, got 0'));
    await expect(spawnWorker({ workerUrl: 5 as never })).rejects.toThrow(new TypeError('spawnWorker: workerUrl must be a string or a URL'));
  });
});

describe('spawnWorker without shared memory (a page that is not cross-origin isolated)', () => {
  it('cancels by stopping the worker; the next call starts a fresh one and old handles reject', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const ntk = await spawnWorker({ threads: 1 });
    vi.unstubAllGlobals();
    try {
      const net = await ntk.mlp({ inputDim: 1, widths: [1024], seed: 5 });
      const controller = new AbortController();
      const training = net.train(x, y, { learningRate: 0.5, steps: 100_000, signal: controller.signal, onProgress: () => controller.abort() });
      await expect(training).rejects.toMatchObject({ name: 'AbortError' });
      await expect(net.apply(x)).rejects.toThrow('ntk-wasm worker: this handle belonged to a worker that has stopped; create it again');
      expect((await ntk.gram([[3]])).get(0, 0)).toBe(9);
    } finally {
      await ntk.terminate();
    }
    await expect(ntk.gram([[3]])).rejects.toThrow('ntk-wasm worker: terminated; spawn a new one with spawnWorker()');
  });
});
