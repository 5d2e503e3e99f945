// Endurance of the arena (npm run test:slow): 10,000 calls of every WASM op leave memory and the arena top where
// the first call left them, and predictors dropped without dispose() keep memory bounded.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cholesky,
  dualGradientDescent,
  eigh,
  empiricalNtk,
  gpInference,
  gradientDescentMse,
  infiniteMlp,
  mlp,
  eulerFlow,
  gram,
  linearKernel,
  linearRegression,
  matmul,
  polynomialKernel,
  rbfKernel,
  ready,
  setBackend,
  solveSpd,
  solveTriangular,
} from '../../../src/index.js';
import { wasmHeap } from '../../../src/backend/registry.js';
import type { WasmHeap } from '../../../src/backend/wasm/heap.js';
import { randomMatrix } from '../../helpers/close.js';

let heap: WasmHeap;

beforeAll(async () => {
  await ready();
  setBackend('wasm');
  heap = wasmHeap()!;
});

const a = randomMatrix(12, 7, 1);
const spd = gram(randomMatrix(12, 15, 2));
const b = randomMatrix(12, 3, 3);
const net = mlp({ inputDim: 7, widths: [9, 5], outputDim: 3, bStd: 0.1, seed: 1 });
const ops: [string, () => unknown][] = [
  ['matmul', () => matmul(a, a, { transB: true })],
  ['gram', () => gram(a)],
  ['cholesky', () => cholesky(spd)],
  ['solveTriangular', () => solveTriangular(cholesky(spd), b)],
  ['solveSpd', () => solveSpd(spd, b)],
  ['eigh', () => eigh(spd)],
  ['linearKernel', () => linearKernel({ bias: 1 })(a, a)],
  ['polynomialKernel', () => polynomialKernel({ degree: 3 })(a)],
  ['rbfKernel', () => rbfKernel()(a, a)],
  ['dualGradientDescent', () => dualGradientDescent(spd, b, { learningRate: 0.1, steps: 3 })],
  ['linearRegression', () => linearRegression(a, b, { solver: 'gradientDescent', learningRate: 0.1, steps: 3 })],
  ['eulerFlow', () => eulerFlow(spd, b, { dt: 0.01, steps: 4, recordEvery: 2, kTestTrain: spd })],
  ['MLP.apply', () => net.apply(a)],
  ['MLP.jacobian', () => net.jacobian(a)],
  ['MLP.train', () => net.clone().train(a, b, { learningRate: 0.1, steps: 2 })],
  ['empiricalNtk structured', () => empiricalNtk(net, a, undefined, { outputs: 'full' })],
  ['infiniteMlp relu', () => infiniteMlp({ depth: 2, activation: 'relu', bStd: 0.1 }).kernels(a, a)],
  ['infiniteMlp tanh', () => infiniteMlp({ depth: 1, activation: 'tanh' }).kernels([[0.1, 0.2]])],
  ['empiricalNtk jacobian', () => empiricalNtk(net, a, a, { implementation: 'jacobian' })],
];

describe('wasm memory over many calls', () => {
  it.each(ops)(
    '%s: 10,000 calls leave memory size and arena top where the first call left them',
    (_name, op) => {
      op();
      const bytes = heap.memory.buffer.byteLength;
      const top = heap.top;
      for (let i = 0; i < 10_000; i++) op();
      expect(heap.memory.buffer.byteLength).toBe(bytes);
      expect(heap.top).toBe(top);
    },
    60_000,
  );

  it('keeps the memory of predictors dropped without dispose() bounded: kept blocks beyond the budget move to JS and come back on use', () => {
    const budget = heap.keptBudgetBytes;
    heap.keptBudgetBytes = 4 << 20;
    try {
      const n = 150; // 180 kB per kept factor or eigenbasis
      const k = rbfKernel({ lengthscale: 0.5 })(randomMatrix(n, 3, 4));
      const y = randomMatrix(n, 1, 5);
      const kTest = rbfKernel({ lengthscale: 0.5 })(randomMatrix(3, 3, 6), randomMatrix(n, 3, 4));
      const first = gpInference({ nngp: k }, y, { diagReg: 1e-3 });
      const flow = gradientDescentMse(k, y, { diagReg: 1e-3 });
      const before = [first.predict('nngp', { nngp: kTest }).mean, flow.predict({ t: 5, kTestTrain: kTest }).test!];
      const bytes = heap.memory.buffer.byteLength;
      const top = heap.top;
      // 200 predictors of each kind, dropped: 72 MB kept if nothing moved out.
      for (let i = 0; i < 200; i++) {
        gpInference({ nngp: k }, y, { diagReg: 1e-3 }).predict('nngp', { nngp: kTest });
        gradientDescentMse(k, y, { diagReg: 1e-3 }).predict({ t: 5, kTestTrain: kTest });
        expect(heap.pinnedBytes, `kept bytes after ${i + 1} rounds`).toBeLessThanOrEqual(4 << 20);
      }
      expect(heap.memory.buffer.byteLength - bytes, 'WASM memory growth').toBeLessThanOrEqual(8 << 20);
      expect(heap.top - top, 'arena growth').toBeLessThanOrEqual(4 << 20);
      // The first two were moved out long ago; they come back with the same bits.
      const after = [first.predict('nngp', { nngp: kTest }).mean, flow.predict({ t: 5, kTestTrain: kTest }).test!];
      after.forEach((m, i) => expect(Array.from(m.data)).toEqual(Array.from(before[i].data)));
      first.dispose();
      flow.dispose();
    } finally {
      heap.keptBudgetBytes = budget;
    }
  });
});
