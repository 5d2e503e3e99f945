import { describe, expect, it, vi } from 'vitest';
import {
  Matrix,
  avgPool,
  backendInfo,
  conv,
  aggregate,
  convLocal,
  globalSelfAttention,
  relu,
  dense,
  empiricalNtk,
  erf,
  flatten,
  globalAvgPool,
  gram,
  infinite,
  infiniteMlp,
  linearKernel,
  matmul,
  mlp,
  network,
  polynomialKernel,
  rbfKernel,
  ready,
  serial,
} from '../../../src/index.js';
import { wasmHeap } from '../../../src/backend/registry.js';
import { splitRows } from '../../../src/backend/wasm/index.js';
import { loadModule } from '../../../src/backend/wasm/loader.js';
import { WorkerPool, type WorkerKernel } from '../../../src/backend/wasm/pool.js';
import { KERNEL_SCRATCH_BYTES, WasmHeap } from '../../../src/backend/wasm/heap.js';
import { uniformMatrix } from '../../../src/random.js';
import { expectClose, expectSameBits } from '../../helpers/close.js';

// Sizes large enough that every parallel op is split (at least 4·10⁶ flops per share), with rows that
// are not multiples of the row alignment.
function parallelResults(): Record<string, Matrix> {
  const a = uniformMatrix(261, 203, 1);
  const b = uniformMatrix(203, 190, 2);
  const x = uniformMatrix(403, 64, 3);
  const z = uniformMatrix(77, 64, 4);
  const net = mlp({ inputDim: 16, widths: [128, 128], outputDim: 3, activation: 'tanh', seed: 5 });
  const xNet = uniformMatrix(261, 16, 6);
  const zNet = uniformMatrix(131, 16, 7);
  const relu = infiniteMlp({ depth: 2, activation: 'relu', wStd: 1.4, bStd: 0.1 });
  const tanh = infiniteMlp({ depth: 2, activation: 'tanh', wStd: 1.2, bStd: 0.2 });
  return {
    matmul: matmul(a, b),
    matmulTransposed: matmul(a, a, { transA: true }),
    gram: gram(a),
    linear: linearKernel({ scale: 0.5, bias: 1 })(x),
    polynomial: polynomialKernel({ degree: 3 })(x, z),
    rbf: rbfKernel({ lengthscale: 4 })(x),
    rbfCross: rbfKernel({ lengthscale: 4 })(x, z),
    ntkMean: empiricalNtk(net, xNet),
    ntkFull: empiricalNtk(net, xNet, zNet, { outputs: 'full' }),
    ntkCross: empiricalNtk(net, xNet, zNet),
    // 80 × 40 examples: 16 blocks of 5 rows split over the threads, several blocks of columns.
    ntkVectorProducts: empiricalNtk(net, rowsOf(xNet, 80), rowsOf(zNet, 40), { outputs: 'full', implementation: 'ntkVectorProducts' }),
    jvp: net.jvp(
      xNet,
      Float64Array.from({ length: net.numParams }, (_, i) => Math.sin(i)),
    ),
    trained: trained(net, xNet),
    infiniteRelu: relu.kernels(x).ntk,
    infiniteReluNngp: relu.kernels(x, z).nngp,
    infiniteTanh: tanh.kernels(uniformMatrix(40, 64, 8), uniformMatrix(30, 64, 9)).ntk,
    ...gradientsOf(x, z),
    ...convGradientsOf(),
    // A 3-D CNN with a convLocal, ending in globalAvgPool (every pair of positions, three axis passes per window), 40 volumes 3×4×3×2.
    volumes: infinite(
      serial(
        conv(3, [2, 2, 2], { padding: 'SAME', bStd: 0.1 }),
        erf({ b: 0.8 }),
        conv(3, [3, 2, 2], { strides: [1, 2, 1], padding: 'CIRCULAR' }),
        erf(),
        convLocal(2, [2, 1, 2], { padding: 'SAME', bStd: 0.2 }),
        erf(),
        globalAvgPool(),
        dense(1),
      ),
      { inputShape: [3, 4, 3, 2] },
    ).ntk(uniformMatrix(40, 72, 11)),
    ...graphsOf(),
    ...attentionOf(),
  };
}

/** Two softmax attention blocks on 50 and 20 sequences of 6 positions with 4 features: the NNGP, the NTK and the empirical NTK. */
function attentionOf(): Record<string, Matrix> {
  const model = serial(
    globalSelfAttention(8, 8, 8, 2, { bStd: 0.1 }),
    relu(),
    globalSelfAttention(8, 4, 4, 2, { attentionMechanism: 'RELU' }),
    erf(),
    globalAvgPool(),
    dense(2),
  );
  const [x, z] = [uniformMatrix(50, 24, 17), uniformMatrix(20, 24, 18)];
  const kernels = infinite(model, { inputShape: [6, 4] }).kernels(x, z);
  return {
    attentionNngp: kernels.nngp,
    attentionNtk: kernels.ntk,
    attentionEmpiricalNtk: empiricalNtk(network(model, { inputShape: [6, 4], seed: 7 }), x, z, { outputs: 'full' }),
  };
}

/** A graph network of 8 vertices with 3 features on 60 and 20 random graphs: the GNTK, the empirical NTK and training. */
function graphsOf(): Record<string, Matrix> {
  const patterns = (n: number, seed: number) =>
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: 8 }, (_, a) => Array.from({ length: 8 }, (_, b) => (a === b || uniformMatrix(n, 64, seed).data[i * 64 + a * 8 + b] > 0.6 ? 1 : 0))),
    );
  const [x, z] = [uniformMatrix(60, 24, 12), uniformMatrix(20, 24, 13)];
  const [px, pz] = [patterns(60, 14), patterns(20, 15)];
  const model = serial(dense(16, { bStd: 0.1 }), erf(), aggregate(), dense(16), erf(), aggregate(), globalAvgPool(), dense(2));
  const net = network(model, { inputShape: [8, 3], seed: 6 });
  const copy = net.clone();
  const { loss } = copy.train(x, uniformMatrix(60, 2, 16), { learningRate: 0.05, steps: 4, batchSize: 25, pattern: px });
  return {
    gntk: infinite(model, { inputShape: [8, 3] }).ntk(x, z, { pattern: [px, pz] }),
    gntkSelf: infinite(model, { inputShape: [8, 3] }).nngp(x, undefined, { pattern: [px] }),
    graphNtk: empiricalNtk(net, x, z, { pattern: [px, pz], outputs: 'full' }),
    graphTrained: new Matrix(1, copy.numParams + loss.length, Float64Array.from([...copy.params, ...loss])),
  };
}

/** The hyperparameter derivatives of a depth-2 erf model (wStd, bStd and erf's b), x with itself and with z. */
function gradientsOf(x: Matrix, z: Matrix): Record<string, Matrix> {
  const model = infinite(serial(dense(8, { wStd: 1.3, bStd: 0.2 }), erf({ b: 0.7 }), dense(8, { wStd: 1.1, bStd: 0.1 }), erf(), dense(1)), {
    inputShape: [64],
  });
  const names = ['model.serial[0].wStd', 'model.serial[1].b', 'model.serial[2].bStd'];
  const symmetric = model.kernelGradients(x, undefined, { hyperparameters: names }).gradients;
  const cross = model.kernelGradients(x, z, { hyperparameters: names }).gradients;
  return Object.fromEntries(
    names.flatMap((name) => [
      [`gradient ${name}`, symmetric[name].ntk],
      [`gradient ${name} x·z`, cross[name].nngp],
    ]),
  );
}

/** The same of a 1-D CNN on positions (the pair interpreter's tangents), 60 sequences of 8 positions × 2 channels. */
function convGradientsOf(): Record<string, Matrix> {
  const model = infinite(
    serial(conv(4, [3], { wStd: 1.2, bStd: 0.2, padding: 'SAME' }), erf({ a: 1.1 }), avgPool([2]), conv(4, [2], { bStd: 0.1 }), erf(), flatten(), dense(1)),
    { inputShape: [8, 2] },
  );
  const names = ['model.serial[0].wStd', 'model.serial[1].a', 'model.serial[3].bStd'];
  const { gradients } = model.kernelGradients(uniformMatrix(60, 16, 10), undefined, { hyperparameters: names });
  return Object.fromEntries(names.map((name) => [`gradient ${name} on positions`, gradients[name].ntk]));
}

const rowsOf = (m: Matrix, rows: number) => new Matrix(rows, m.cols, m.data.subarray(0, rows * m.cols));

/** The parameters after Adam on shuffled minibatches of 100 (the last of each epoch 61), as a matrix. */
function trained(net: ReturnType<typeof mlp>, x: Matrix): Matrix {
  const copy = net.clone();
  const y = uniformMatrix(x.rows, 3, 10);
  const { loss } = copy.train(x, y, { learningRate: 0.01, steps: 6, optimizer: 'adam', batchSize: 100, seed: 3 });
  return new Matrix(1, copy.numParams + loss.length, Float64Array.from([...copy.params, ...loss]));
}

describe('threads and builds', { timeout: 60_000 }, () => {
  it('gives the same bits on 1 and 2 threads, and relaxed SIMD agrees with standard to 1e-12', async () => {
    await ready({ threads: 1, simd: 'standard' });
    const reference = parallelResults();
    for (const [simd, threads] of [
      ['standard', 2],
      ['relaxed', 1],
      ['relaxed', 2],
    ] as const) {
      await ready({ threads, simd });
      expect(backendInfo()).toMatchObject({ backend: 'wasm', simd, threads });
      const results = parallelResults();
      for (const [name, matrix] of Object.entries(results)) {
        if (simd === 'standard') expectSameBits(matrix.data, reference[name].data, `${name} (${simd}, ${threads} threads)`);
        else expectClose(matrix, reference[name], 1e-12, `${name} (${simd}, ${threads} threads)`, 'normwise');
      }
      if (simd === 'relaxed' && threads === 2) {
        // Races between row blocks would show as runs that differ: repeat.
        const repeats = [parallelResults(), parallelResults(), parallelResults()];
        await ready({ threads: 1, simd: 'relaxed' });
        const single = parallelResults();
        for (const run of [results, ...repeats]) {
          for (const [name, matrix] of Object.entries(run)) expectSameBits(matrix.data, single[name].data, `${name} (relaxed, 1 vs 2 threads)`);
        }
      }
    }
  });

  it('splits rows into aligned, increasing blocks of equal work', () => {
    expect(splitRows(1000, 2, false)).toEqual([0, 504, 1000]);
    expect(splitRows(1000, 2, true)).toEqual([0, 704, 1000]); // 707² ≈ 1000²/2
    expect(splitRows(5, 4, true)).toEqual([0, 0, 0, 5, 5]); // empty blocks are skipped by the caller
    for (const [n, parts] of [
      [1, 2],
      [17, 3],
      [2000, 8],
    ] as const) {
      for (const triangular of [false, true]) {
        const bounds = splitRows(n, parts, triangular);
        expect(bounds.length).toBe(parts + 1);
        expect(bounds[0]).toBe(0);
        expect(bounds[parts]).toBe(n);
        for (let t = 1; t <= parts; t++) expect(bounds[t]).toBeGreaterThanOrEqual(bounds[t - 1]);
      }
    }
  });
});

describe('worker pool', () => {
  async function pool2() {
    const loaded = await loadModule({ simd: 'standard', shared: true });
    const pool = await WorkerPool.create(loaded.module, loaded.memory, loaded.exports, 2);
    return { pool, heap: new WasmHeap(loaded.exports, loaded.memory, 2) };
  }

  // C = A·B for 64 × 64 matrices of ones, rows split between the two threads.
  function gemmShares(heap: WasmHeap, scratchBytes: number) {
    const n = 64;
    const a = heap.copyIn('test', new Float64Array(n * n).fill(1));
    const c = heap.alloc('test', n * n);
    const share = (r0: number, r1: number) => ({
      kernel: 'gemm' as const,
      args: [0, 0, r1 - r0, n, n, 1, a + 8 * r0 * n, n, a, n, 0, c + 8 * r0 * n, n],
      scratchBytes,
    });
    return { calls: [share(0, 32), share(32, 64)], result: () => heap.copyOut(c, n * n) };
  }

  it('turns a failing call in a worker into an error in the caller, and keeps working', async () => {
    const { pool, heap } = await pool2();
    const top = heap.top;
    // Too little scratch for the packed panels: the worker's kernel traps.
    expect(() => heap.frame('test', 0, () => pool.run(heap, 'test', gemmShares(heap, 1024).calls))).toThrow(
      /^test: the WASM kernel ran out of memory in worker 1 \(RuntimeError: unreachable\)$/,
    );
    expect(heap.top).toBe(top);
    expect(() =>
      heap.frame('test', 0, () => {
        const valid = gemmShares(heap, KERNEL_SCRATCH_BYTES).calls[0];
        pool.run(heap, 'test', [valid, { ...valid, kernel: 'nope' as WorkerKernel }]);
      }),
    ).toThrow(/^test: worker 1 failed: Error: unknown kernel undefined$/);
    // More calls than threads: each runs once, on whichever thread is free.
    const four = heap.frame('test', 0, () => {
      const first = gemmShares(heap, KERNEL_SCRATCH_BYTES);
      const second = gemmShares(heap, KERNEL_SCRATCH_BYTES);
      pool.run(heap, 'test', [...first.calls, ...second.calls]);
      return [...first.result(), ...second.result()];
    });
    expect(four.every((value) => value === 64)).toBe(true);
    // The same pool computes correctly afterwards, many times.
    for (let round = 0; round < 50; round++) {
      const values = heap.frame('test', 0, () => {
        const { calls, result } = gemmShares(heap, KERNEL_SCRATCH_BYTES);
        pool.run(heap, 'test', calls);
        return result();
      });
      expect(values.every((value) => value === 64)).toBe(true);
    }
    expect(heap.top).toBe(top);
    await pool.terminate();
    // After terminate (a reload replaced the module), objects made before it still compute, on this thread.
    const alone = heap.frame('test', 0, () => {
      const { calls, result } = gemmShares(heap, KERNEL_SCRATCH_BYTES);
      pool.run(heap, 'test', calls);
      return result();
    });
    expect(alone.every((value) => value === 64)).toBe(true);
    expect(heap.top).toBe(top);
  });

  // Node reports every end of a worker ('exit'); browsers report only errors, so a worker ended silently from
  // outside, as this test does, is seen in Node only.
  it.runIf(typeof window === 'undefined')(
    'survives a worker that dies during a call: the call fails with a clear error, the worker is replaced, and work goes on',
    async () => {
      const { pool, heap } = await pool2();
      const top = heap.top;
      // C = A·A for 2000 × 2000 ones, half on the worker (about 8·10⁹ flops): long enough to end it mid-share.
      const n = 2000;
      const bigShares = () => {
        const a = heap.copyIn('test', new Float64Array(n * n).fill(1));
        const c = heap.alloc('test', n * n);
        const share = (r0: number, r1: number) => ({
          kernel: 'gemm' as const,
          args: [0, 0, r1 - r0, n, n, 1, a + 8 * r0 * n, n, a, n, 0, c + 8 * r0 * n, n],
          scratchBytes: KERNEL_SCRATCH_BYTES,
        });
        return { calls: [share(0, n / 2), share(n / 2, n)], result: () => heap.copyOut(c, n * n) };
      };
      pool.endWorker(1, 0);
      expect(() => heap.frame('test', 2 * n * n, () => pool.run(heap, 'test', bigShares().calls))).toThrow(
        /^test: worker 1 failed: Error: the worker stopped unexpectedly \(exit code 1\); it is being restarted$/,
      );
      expect(heap.top).toBe(top);
      // While the replacement starts, its shares run on this thread; results stay right.
      const first = heap.frame('test', 0, () => {
        const { calls, result } = gemmShares(heap, KERNEL_SCRATCH_BYTES);
        pool.run(heap, 'test', calls);
        return result();
      });
      expect(first.every((value) => value === 64)).toBe(true);
      await vi.waitFor(() => expect(pool.healthy).toBe(true), { timeout: 10_000 });
      const again = heap.frame('test', 2 * n * n, () => {
        const { calls, result } = bigShares();
        pool.run(heap, 'test', calls);
        return result();
      });
      expect(again.every((value) => value === n)).toBe(true);
      expect(heap.top).toBe(top);
      await pool.terminate();
    },
  );

  it('leaks no arena memory over many parallel public calls', async () => {
    await ready({ threads: 2 });
    const heap = wasmHeap()!;
    const x = uniformMatrix(300, 64, 8);
    const rbf = rbfKernel();
    rbf(x);
    const top = heap.top;
    const bytes = heap.memory.buffer.byteLength;
    for (let i = 0; i < 100; i++) rbf(x);
    expect(heap.top).toBe(top);
    expect(heap.memory.buffer.byteLength).toBe(bytes);
  });
});
