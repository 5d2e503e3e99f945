import { empiricalNtk, infiniteMlp, matmul, mlp, rbfKernel, type SimdLevel } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { structuredFlops } from './networks.js';
import { type BenchCase, onBackend } from './suite.js';

/**
 * The four parallel kernels at the sizes of issue 8, on the standard and relaxed builds with 1 and
 * `threads` threads, beside the TypeScript backend.
 */
export function threadCases(threads: number): BenchCase[] {
  const x = uniformMatrix(2000, 64, 1);
  const a = uniformMatrix(1024, 1024, 2);
  const b = uniformMatrix(1024, 1024, 3);
  const net = mlp({ inputDim: 64, widths: [512, 512], activation: 'relu', seed: 0 });
  const xNet = uniformMatrix(1000, 64, 4);
  const rbf = rbfKernel();
  const relu = infiniteMlp({ depth: 3, activation: 'relu', wStd: Math.SQRT2, bStd: 0.1 });
  const problems: { group: string; flops?: number; body: () => unknown }[] = [
    { group: 'threads: matmul n=1024', flops: 2 * 1024 ** 3, body: () => matmul(a, b) },
    { group: 'threads: RBF Gram n=2000 d=64', flops: 2000 * 2001 * 64, body: () => rbf(x) },
    { group: 'threads: structured NTK n=1000 [512,512]', flops: structuredFlops(1000, 1), body: () => empiricalNtk(net, xNet) },
    { group: 'threads: analytic relu NTK depth 3 n=2000', body: () => relu.kernels(x) },
  ];
  const configurations: [SimdLevel, number][] = [
    ['standard', 1],
    ['relaxed', 1],
    ['standard', threads],
    ['relaxed', threads],
  ];
  const cases: BenchCase[] = [];
  for (const { group, flops, body } of problems) {
    for (const [simd, count] of configurations) {
      cases.push({ ...onBackend('wasm', group, flops, body, { simd, threads: count }), impl: `wasm ${simd} ${count}t` });
    }
    // TypeScript's matmul at n = 1024 takes about a second: measured once.
    cases.push({ ...onBackend('ts', group, flops, body), slow: group.includes('matmul') });
  }
  return cases;
}
