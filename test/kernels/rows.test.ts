import { expect, it } from 'vitest';
import { Matrix, customKernel, linearKernel, matmul, polynomialKernel, rbfKernel } from '../../src/index.js';
import type { Kernel } from '../../src/index.js';
import { kernelRows } from '../../src/kernels/rows.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

const rowsOf = (m: Matrix, r0: number, r1: number) => new Matrix(r1 - r0, m.cols, m.data.slice(r0 * m.cols, r1 * m.cols));

describeEachBackend('kernelRows', () => {
  // 37 rows against 11 centers: ranges that start past 0 and hold an odd number of rows, centers past the blocks of eight.
  const x = uniformMatrix(37, 4, 41);
  const centers = uniformMatrix(11, 4, 42);
  const v = uniformMatrix(11, 2, 43);
  const kernels: [string, Kernel][] = [
    ['rbfKernel', rbfKernel({ lengthscale: 0.9 })],
    ['rbfKernel far from the origin', rbfKernel({ lengthscale: 0.9 })],
    ['polynomialKernel', polynomialKernel({ degree: 3, scale: 0.5, bias: 1 })],
    ['linearKernel', linearKernel({ scale: 2, bias: -1 })],
    ['customKernel', customKernel((a, b) => 1 / (1 + (a[0] - b[0]) ** 2 + (a[3] - b[3]) ** 2))],
  ];
  for (const [label, kernel] of kernels) {
    it(`K(x, C)·v, K(x, C)ᵀ·u and K(x, C)ᵀK(x, C)·v over row ranges equal the products with the kernel's matrix: ${label}`, () => {
      const offset = label.includes('far') ? 3e4 : 0;
      const xs = new Matrix(
        37,
        4,
        x.data.map((value) => value + offset),
      );
      const cs = new Matrix(
        11,
        4,
        centers.data.map((value) => value + offset),
      );
      const full = kernel(xs, cs);
      const rows = kernelRows('test', kernel, xs, cs);
      try {
        for (const [r0, r1] of [
          [0, 37],
          [5, 28],
          [36, 37],
        ]) {
          const k = rowsOf(full, r0, r1);
          const u = uniformMatrix(r1 - r0, 2, r0 + 1);
          expectClose(rows.times('test', v, r0, r1), matmul(k, v), 1e-12, `times [${r0}, ${r1})`, 'normwise');
          expectClose(rows.transposeTimes('test', u, r0, r1), matmul(k, u, { transA: true }), 1e-12, `transposeTimes [${r0}, ${r1})`, 'normwise');
          expectClose(rows.normalTimes('test', v, r0, r1), matmul(k, matmul(k, v), { transA: true }), 1e-12, `normalTimes [${r0}, ${r1})`, 'normwise');
        }
      } finally {
        rows.dispose();
      }
      expect(rows.chunkRows).toBeGreaterThan(0);
    });
  }
});
