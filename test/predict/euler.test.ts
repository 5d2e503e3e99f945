import { expect, it } from 'vitest';
import { Matrix, eulerFlow, gradientDescentMse, rbfKernel } from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

function maxAbsDifference(a: Matrix, b: Matrix): number {
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst;
}

describeEachBackend('eulerFlow', (backend) => {
  const x = uniformMatrix(16, 2, 1, -2, 2);
  const kernel = rbfKernel({ lengthscale: 0.9 });
  const k = kernel(x);
  const kTest = kernel(uniformMatrix(5, 2, 2, -2, 2), x);
  const y = uniformMatrix(16, 2, 3);
  const fxTrain0 = uniformMatrix(16, 2, 4, -0.1, 0.1);
  const fxTest0 = uniformMatrix(5, 2, 5, -0.1, 0.1);
  const time = 4;

  it('converges to the closed form with error O(dt): halving dt halves the error', () => {
    const exact = gradientDescentMse(k, y, { learningRate: 2 }).predict({ t: time, fxTrain0, fxTest0, kTestTrain: kTest });
    const errors = [0.02, 0.01, 0.005].map((dt) => {
      const run = eulerFlow(k, y, { learningRate: 2, dt, steps: Math.round(time / dt), fxTrain0, kTestTrain: kTest, fxTest0 });
      return [maxAbsDifference(run.train.at(-1)!, exact.train), maxAbsDifference(run.test!.at(-1)!, exact.test!)];
    });
    for (const part of [0, 1]) {
      expect(errors[0][part]).toBeLessThan(1e-2);
      expect(errors[0][part] / errors[1][part]).toBeCloseTo(2, 1);
      expect(errors[1][part] / errors[2][part]).toBeCloseTo(2, 1);
    }
  });

  it('records at t = 0, every recordEvery steps and the last step, and reports progress', () => {
    const progress: number[] = [];
    const run = eulerFlow(k, y, { dt: 0.1, steps: 25, recordEvery: 10, onProgress: (done, total) => progress.push(done / total) });
    expectClose(run.times, [0, 1, 2, 2.5], 1e-15);
    expect(run.train.length).toBe(4);
    expect(run.test).toBeUndefined();
    // About 20 progress calls (every ⌈25/20⌉ = 2 steps), and the last step.
    expect(progress).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25].map((done) => done / 25));
    expectClose(run.train[0], new Matrix(16, 2), 0);
  });

  it('one step by hand: u₁ = u₀ − (η·dt/N)·K·(u₀ − y)', () => {
    const run = eulerFlow(
      [
        [2, 1],
        [1, 2],
      ],
      [[1], [-1]],
      { learningRate: 1, dt: 0.5, steps: 1 },
    );
    // N = 2: u₁ = 0 − 0.25·K·[−1, 1] = [0.25, −0.25]
    expectClose(run.train[1], [[0.25], [-0.25]], 1e-15);
  });

  it('an error thrown by onProgress ends the flow and frees its memory', () => {
    const top = backend === 'wasm' ? wasmHeap()!.top : 0;
    expect(() =>
      eulerFlow(k, y, {
        dt: 0.1,
        steps: 10,
        recordEvery: 2,
        onProgress: () => {
          throw new Error('stop');
        },
      }),
    ).toThrow('stop');
    if (backend === 'wasm') expect(wasmHeap()!.top).toBe(top);
  });

  it('validates options', () => {
    expect(() => eulerFlow(k, y, { dt: 0, steps: 1 })).toThrow(/dt must be > 0/);
    expect(() => eulerFlow(k, y, { dt: 1, steps: -1 })).toThrow(/steps must be ≥ 0/);
    expect(() => eulerFlow(k, y, { dt: 1, steps: 1, recordEvery: 0 })).toThrow(/recordEvery must be ≥ 1/);
    expect(() => eulerFlow(k, y, { dt: 1, steps: 1, onProgress: 1 as never })).toThrow(/onProgress must be a function/);
    expect(() => eulerFlow(k, y, { dt: 1, steps: 1, kTestTrain: [[1]] })).toThrow(/kTestTrain is 1x1 but there are 16 training points/);
    expect(() => eulerFlow(k, y, undefined as never)).toThrow(/dt and steps are required/);
  });
});
