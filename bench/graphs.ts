// Issue 29's GNTK figure: the infinite-width NNGP and NTK of a graph network of 2 blocks (dense(64) → relu →
// aggregate, twice, then globalSumPool → dense(1), the graph neural tangent kernel of Du et al. 2019) on 500 random
// graphs of 10 to 30 vertices (padded to 30 with vertices without edges, which the sum after an aggregate ignores) with
// 8 features each, on WASM and ts, beside numpy computing the same kernels by the same rules in blocks of pairs
// (bench/numpy_peer.py 'GNTK n=500': its own random graphs of the same sizes and density, batched matmuls).
// Usage: npm run bench:graphs [-- --no-write]   (writes its table into docs/benchmarks.md)
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Matrix, Random, aggregate, dense, globalSumPool, infinite, ready, relu, serial } from '../src/index.js';
import { tableBesideNumpy } from './numpyTable.js';
import { type BenchCase, onBackend } from './suite.js';

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
  await tableBesideNumpy('graphs', graphCases(), `GNTK n=${GNTK_GRAPHS}`, {
    command: 'npm run bench:graphs',
    heading: 'Graph neural tangent kernels',
    write: !values['no-write'],
    description: [
      `The NNGP and NTK (one pass) of \`serial(dense(64), relu(), aggregate(), dense(64), relu(), aggregate(), globalSumPool(), dense(1))\` on`,
      `${GNTK_GRAPHS} random graphs of 10 to ${GNTK_VERTICES} vertices (each joined to about 3 others and to itself; padded to ${GNTK_VERTICES} with vertices`,
      `without edges) with ${FEATURES} features, beside numpy computing the same kernels by neural-tangents' rules in blocks of pairs`,
      "(`bench/numpy_peer.py`, batched matmuls for AᵢᵀΣAⱼ, on OpenBLAS's own kernels; its own random graphs of the same sizes). `bench/graphs.ts`.",
    ],
  });
  process.exit(0);
}
