// Issue 29's GNTK figure: the infinite-width NNGP and NTK of a graph network of 2 blocks (dense(64) → relu →
// aggregate, twice, then globalSumPool → dense(1), the graph neural tangent kernel of Du et al. 2019) on 500 random
// graphs of 10 to 30 vertices (padded to 30 with vertices without edges, which the sum after an aggregate ignores) with
// 8 features each, on WASM and ts, beside numpy computing the same kernels by the same rules in blocks of pairs
// (bench/numpy_peer.py 'GNTK n=500': its own random graphs of the same sizes and density, batched matmuls).
// Usage: npm run bench:graphs [-- --no-write]   (writes its table into docs/benchmarks.md)
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Matrix, Random, aggregate, backendInfo, dense, globalSumPool, infinite, ready, relu, serial } from '../src/index.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs, numpyOnce } from './spawn.js';
import { type BenchCase, medianMs, onBackend } from './suite.js';

export const GNTK_GRAPHS = 500;
export const GNTK_VERTICES = 30;
const FEATURES = 8;
const GROUP = `GNTK 2 blocks, n=${GNTK_GRAPHS}, ≤${GNTK_VERTICES} vertices`;

/**
 * n random graphs of 10 to `vertices` vertices: each vertex joined to about 3 others at random and to itself, N(0, 1)
 * features; the rest of the `vertices` rows zero and without edges.
 */
export function randomGraphs(n: number, vertices: number, features: number, seed: number): { x: Matrix; pattern: number[][][] } {
  const random = new Random(seed);
  const x = new Matrix(n, vertices * features);
  const pattern = Array.from({ length: n }, (_, i) => {
    const size = 10 + Math.floor(random.uniform() * (vertices - 9));
    const a = Array.from({ length: vertices }, () => new Array<number>(vertices).fill(0));
    for (let v = 0; v < size; v++) {
      a[v][v] = 1;
      for (let e = 0; e < 3; e++) {
        const u = Math.floor(random.uniform() * size);
        a[u][v] = a[v][u] = 1;
      }
      for (let c = 0; c < features; c++) x.data[i * vertices * features + v * features + c] = random.normal();
    }
    return a;
  });
  return { x, pattern };
}

export const gntkModel = () =>
  infinite(serial(dense(64), relu(), aggregate(), dense(64), relu(), aggregate(), globalSumPool(), dense(1)), {
    inputShape: [GNTK_VERTICES, FEATURES],
  });

export function graphCases(): BenchCase[] {
  const { x, pattern } = randomGraphs(GNTK_GRAPHS, GNTK_VERTICES, FEATURES, 29);
  const model = gntkModel();
  return (['wasm', 'ts'] as const).map((backend) => onBackend(backend, GROUP, undefined, () => model.kernels(x, undefined, { pattern: [pattern] })));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, strict: true });
  await ready();
  const info = backendInfo();
  const rows: string[] = [];
  const row = (impl: string, firstMs: number, ms: number) => `| ${GROUP} | ${impl} | ${(firstMs / 1000).toFixed(2)} | ${(ms / 1000).toFixed(2)} |`;
  for (const c of graphCases()) {
    const slow = c.impl === 'ts';
    const first = await firstCallMs('graphs', c.group, c.impl);
    const median = await medianMs(c, { time: 0, iterations: slow ? 1 : 3, warmupTime: 0, warmupIterations: slow ? 0 : 1 });
    rows.push(row(c.impl, first, median));
    console.log(rows.at(-1));
  }
  for (const threads of [1, 2]) {
    try {
      const peer = numpyOnce(`GNTK n=${GNTK_GRAPHS}`, threads);
      rows.push(row(peer.impl, peer.firstMs, peer.ms));
      console.log(rows.at(-1));
    } catch (error) {
      console.log(`numpy peer skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const markdown = [
    '## Graph neural tangent kernels: `npm run bench:graphs`',
    '',
    `The NNGP and NTK (one pass) of \`serial(dense(64), relu(), aggregate(), dense(64), relu(), aggregate(), globalSumPool(), dense(1))\` on`,
    `${GNTK_GRAPHS} random graphs of 10 to ${GNTK_VERTICES} vertices (each joined to about 3 others and to itself; padded to ${GNTK_VERTICES} with vertices`,
    `without edges) with ${FEATURES} features, beside numpy computing the same kernels by neural-tangents' rules in blocks of pairs`,
    "(`bench/numpy_peer.py`, batched matmuls for AᵢᵀΣAⱼ, on OpenBLAS's own kernels; its own random graphs of the same sizes). `bench/graphs.ts`.",
    `WASM in the default configuration (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads). The first call is the first in a fresh`,
    'process; then medians of repeated calls (3 for WASM, 1 for ts, 3 for numpy).',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| workload | implementation | first call s | median s |',
    '|---|---|---:|---:|',
    ...rows,
  ].join('\n');
  if (!values['no-write']) writeSection('npm run bench:graphs', markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}
