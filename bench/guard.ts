// The workloads of the regression guard (bench/check.ts): a few hundred ms per call at most, so that each ratio
// takes seconds. Their inputs are plain loops, not library calls, so a fresh process's first call is the library's first.
import { cholesky, eigh, empiricalNtk, infiniteMlp, matmul, mlp, rbfKernel } from '../src/index.js';
import { Matrix } from '../src/matrix.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend } from './suite.js';

/** A symmetric matrix with entries in [-1, 1) plus `shift` on the diagonal (positive definite for shift ≥ n). */
function symmetric(n: number, seed: number, shift: number): Matrix {
  const x = uniformMatrix(n, n, seed);
  const a = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.data[i * n + j] = 0.5 * (x.data[i * n + j] + x.data[j * n + i]) + (i === j ? shift : 0);
  return a;
}

export function guardCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  // On the ts backend, and on WASM in the default configuration of ready() and on 1 and 2 threads.
  const add = (group: string, body: () => unknown) => {
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, group, undefined, body));
    for (const count of [1, 2]) cases.push({ ...onBackend('wasm', group, undefined, body, { threads: count }), impl: `wasm ${count}t` });
  };
  {
    // Trivial work, a 4-million-double result: what copying a result out of WASM memory costs.
    const a = uniformMatrix(2000, 1, 1);
    const b = uniformMatrix(1, 2000, 2);
    add('matmul 2000×1 by 1×2000', () => matmul(a, b));
  }
  {
    const a = uniformMatrix(256, 256, 3);
    const b = uniformMatrix(256, 256, 4);
    add('matmul n=256', () => matmul(a, b));
    const c = uniformMatrix(1024, 1024, 5);
    const d = uniformMatrix(1024, 1024, 6);
    add('matmul n=1024', () => matmul(c, d));
  }
  {
    const a = symmetric(1024, 7, 1024);
    add('cholesky n=1024', () => cholesky(a));
    const b = symmetric(512, 8, 512);
    add('eigh n=512', () => eigh(b));
  }
  {
    const x = uniformMatrix(2000, 64, 9);
    const kernel = rbfKernel({ lengthscale: 4 });
    // Into `out`, as the kernel and thread ratios below: they measure the computation, not how fast this
    // machine hands out fresh pages for a new result (the copy ratio above measures that).
    const out = new Matrix(2000, 2000);
    add('rbf Gram n=2000 d=64', () => kernel(x, undefined, { out }));
  }
  {
    const x = uniformMatrix(1000, 64, 10);
    const kernel = infiniteMlp({ depth: 3, activation: 'relu', wStd: Math.SQRT2, bStd: 0.1 });
    const out = { nngp: new Matrix(1000, 1000), ntk: new Matrix(1000, 1000) };
    add('infiniteMlp relu depth 3 n=1000 d=64', () => kernel.kernels(x, undefined, { out }));
  }
  {
    const net = mlp({ inputDim: 64, widths: [512, 512], activation: 'relu', seed: 0 });
    const x = uniformMatrix(200, 64, 11);
    add('empiricalNtk n=200 [512,512] k=1', () => empiricalNtk(net, x));
    const y = uniformMatrix(1000, 64, 12);
    add('empiricalNtk n=1000 [512,512] k=1', () => empiricalNtk(net, y));
  }
  return cases;
}
