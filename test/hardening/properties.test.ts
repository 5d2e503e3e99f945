// Property-based checks with fast-check: random shapes and values, both backends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Matrix,
  checkMercer,
  empiricalNtk,
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
} from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { BACKENDS } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

const size = fc.integer({ min: 1, max: 14 });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const runs = { numRuns: 40 };

/** The same computation on both backends. */
async function onBoth<T>(compute: () => T): Promise<T[]> {
  await ready();
  return BACKENDS.map((backend) => {
    setBackend(backend);
    return compute();
  });
}

const isSymmetric = (k: Matrix) => k.data.every((v, i) => v === k.data[(i % k.cols) * k.cols + Math.floor(i / k.cols)]);

// Each property compares sums taken in different orders (blocked against plain loops, one backend against the
// other), whose entries may cancel: they are compared normwise, against the largest entry.
describe('properties', () => {
  it('matmul and gram: wasm equals ts to 1e-12', async () => {
    await fc.assert(
      fc.asyncProperty(size, size, size, seed, async (m, k, n, s) => {
        const a = uniformMatrix(m, k, s, -3, 3);
        const b = uniformMatrix(k, n, s + 1, -3, 3);
        const [wasm, ts] = await onBoth(() => [matmul(a, b), gram(a)]);
        expectClose(wasm[0], ts[0], 1e-12, 'matmul', 'normwise');
        expectClose(wasm[1], ts[1], 1e-12, 'gram', 'normwise');
      }),
      runs,
    );
  });

  it('classic kernels: wasm equals ts; Gram matrices are exactly symmetric and PSD', async () => {
    const kernel = fc.constantFrom(linearKernel({ bias: 1 }), polynomialKernel({ degree: 3, scale: 0.3 }), rbfKernel({ lengthscale: 0.7 }));
    await fc.assert(
      fc.asyncProperty(kernel, size, size, fc.integer({ min: 1, max: 6 }), seed, async (k, n1, n2, d, s) => {
        const x1 = uniformMatrix(n1, d, s, -2, 2);
        const x2 = uniformMatrix(n2, d, s + 1, -2, 2);
        const [wasm, ts] = await onBoth(() => [k(x1), k(x1, x2)]);
        expectClose(wasm[0], ts[0], 1e-12, 'k(x1)', 'normwise');
        expectClose(wasm[1], ts[1], 1e-12, 'k(x1, x2)', 'normwise');
        expect(isSymmetric(wasm[0]) && isSymmetric(ts[0])).toBe(true);
        expect(checkMercer(wasm[0], { tol: 1e-9 }).psd).toBe(true);
      }),
      runs,
    );
  });

  it('solveSpd: the residual of a random SPD system is small on both backends', async () => {
    await fc.assert(
      fc.asyncProperty(size, fc.integer({ min: 1, max: 4 }), seed, async (n, m, s) => {
        const a = gram(uniformMatrix(n, n + 2, s));
        for (let i = 0; i < n; i++) a.data[i * n + i] += 0.1;
        const b = uniformMatrix(n, m, s + 1);
        for (const x of await onBoth(() => solveSpd(a, b))) expectClose(matmul(a, x), b, 1e-9, 'a·x', 'normwise');
      }),
      runs,
    );
  });

  it('empiricalNtk: structured equals jacobian, and wasm equals ts', async () => {
    const activation = fc.constantFrom('relu', 'erf', 'tanh', 'gelu', 'abs' as const);
    await fc.assert(
      fc.asyncProperty(activation, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), size, seed, async (act, d, k, n, s) => {
        const net = mlp({ inputDim: d, widths: [7, 5], outputDim: k, activation: act, bStd: 0.2, seed: s });
        const x = uniformMatrix(n, d, s + 2);
        const [wasm, ts] = await onBoth(() => [
          empiricalNtk(net, x, undefined, { outputs: 'full' }),
          empiricalNtk(net, x, undefined, { outputs: 'full', implementation: 'jacobian' }),
        ]);
        expectClose(wasm[0], wasm[1], 1e-10, 'structured vs jacobian', 'normwise');
        expectClose(wasm[0], ts[0], 1e-12, 'wasm vs ts', 'normwise');
      }),
      runs,
    );
  });

  it('infiniteMlp: wasm equals ts to 1e-12; the NNGP and NTK are symmetric PSD', async () => {
    const activation = fc.constantFrom('relu', 'erf', 'gelu', 'leaky_relu', 'abs', 'identity' as const);
    await fc.assert(
      fc.asyncProperty(activation, fc.integer({ min: 0, max: 4 }), size, fc.integer({ min: 1, max: 5 }), seed, async (act, depth, n, d, s) => {
        const x = uniformMatrix(n, d, s, -2, 2);
        const [wasm, ts] = await onBoth(() => infiniteMlp({ depth, activation: act, wStd: 1.3, bStd: 0.2 }).kernels(x));
        expectClose(wasm.nngp, ts.nngp, 1e-12, 'nngp', 'normwise');
        expectClose(wasm.ntk, ts.ntk, 1e-12, 'ntk', 'normwise');
        expect(isSymmetric(wasm.ntk)).toBe(true);
        expect(checkMercer(wasm.ntk, { tol: 1e-9 }).psd).toBe(true);
      }),
      runs,
    );
  });
});
