// Thousands of WASM calls, valid and failing mixed: memory does not grow past what the first round
// needed, and the arena is back at its start after every call.
import { expect, it } from 'vitest';
import {
  Falkon,
  Matrix,
  cholesky,
  dualGradientDescent,
  eigh,
  empiricalNtk,
  eulerFlow,
  gpInference,
  gradientDescentMse,
  gram,
  infiniteMlp,
  linearKernel,
  matmul,
  mlp,
  polynomialKernel,
  rbfKernel,
  ready,
  setBackend,
  solveSpd,
  solveTriangular,
} from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { uniformMatrix } from '../../src/random.js';

it('a soak of every WASM op, valid and failing calls mixed, leaves memory and the arena where they were', async () => {
  await ready();
  setBackend('wasm');
  const heap = wasmHeap()!;
  const x = uniformMatrix(9, 3, 1);
  const spd = gram(uniformMatrix(9, 12, 2));
  const y = uniformMatrix(9, 2, 3);
  const net = mlp({ inputDim: 3, widths: [6, 4], outputDim: 2, bStd: 0.1, seed: 4 });
  const notPd = Matrix.from([
    [1, 2],
    [2, 1],
  ]);
  const operations: (() => unknown)[] = [
    () => matmul(x, x, { transB: true }),
    () => matmul(x, new Matrix(4, 4)),
    () => cholesky(spd),
    () => cholesky(notPd),
    () => solveSpd(spd, y),
    () => solveSpd(notPd, [[1], [1]]),
    () => solveTriangular(cholesky(spd), y, { transpose: true }),
    () => eigh(spd),
    () => rbfKernel()(x),
    () => linearKernel()(x, new Matrix(2, 5)),
    () => dualGradientDescent(spd, y, { learningRate: 0.01, steps: 3 }),
    () => {
      const model = gradientDescentMse(spd, y);
      try {
        return model.predict({ t: 1, kTestTrain: spd });
      } finally {
        model.dispose();
      }
    },
    () => gradientDescentMse(notPd, [[1], [1]]).predict({ t: 1 }),
    () =>
      eulerFlow(spd, y, {
        dt: 0.01,
        steps: 3,
        onProgress: () => {
          throw new Error('stop');
        },
      }),
    () => {
      const gp = gpInference({ nngp: spd }, y);
      try {
        return gp.predict('nngp', { nngp: spd }, { nngp: spd });
      } finally {
        gp.dispose();
      }
    },
    () => gpInference({ nngp: notPd }, [[1], [1]]),
    () => {
      const model = gradientDescentMse(spd, y);
      try {
        return model.predict({ kTestTrain: spd }); // t = ∞: a kept Cholesky factor
      } finally {
        model.dispose();
      }
    },
    () => new Falkon(rbfKernel(), { ridge: 1e-2, centers: 2, maxIterations: 3 }).fit(x, y).predict(x),
    () => new Falkon(polynomialKernel({ degree: 9 }), { ridge: 1, centers: [[0.1, 0.2, 0.3]] }).fit(new Matrix(9, 3, new Float64Array(27).fill(1e40)), y),
    () => net.train(x, y, { learningRate: 0.01, steps: 2 }),
    () => net.apply(x, new Float64Array(net.numParams).fill(NaN)),
    () => empiricalNtk(net, x, undefined, { outputs: 'full' }),
    () => empiricalNtk(net, x, x, { implementation: 'jacobian' }),
    () => infiniteMlp({ depth: 3, activation: 'erf' }).kernels(x),
    () => gram(new Matrix(40_000, 1)),
  ];
  const runAll = () => {
    for (const operation of operations) {
      try {
        operation();
      } catch {
        // failing calls are part of the soak
      }
    }
  };
  runAll();
  const bytes = heap.memory.buffer.byteLength;
  const top = heap.top;
  for (let round = 0; round < 300; round++) {
    runAll();
    expect(heap.top).toBe(top);
  }
  expect(heap.memory.buffer.byteLength).toBe(bytes);
}, 120_000);
