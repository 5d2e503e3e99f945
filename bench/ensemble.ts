// gradientDescentMseEnsemble as issue 31's figure states it: 'ntk' with covariance, n = 2000 train and 500 test
// points, 10 times, from the kernels as matrices (eigh once, then per time the mean and the covariance), on WASM
// (default configuration), on ts, and numpy's version of neural-tangents' formulas (bench/numpy_peer.py, 1 and 2
// OpenBLAS threads, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset), in one run. Each is a first call in a fresh
// process and then repeated calls.
// Usage: npm run bench:ensemble [-- --no-write]   (writes its table into docs/benchmarks.md)
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendInfo, gradientDescentMseEnsemble, gram, ready } from '../src/index.js';
import { Matrix } from '../src/matrix.js';
import { uniformMatrix } from '../src/random.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs, numpyOnce } from './spawn.js';
import { type BenchCase, medianMs, onBackend } from './suite.js';

const N = 2000;
const M = 500;
const GROUP = `gradientDescentMseEnsemble n=${N} m=${M}, 10 t, ntk covariance`;

/** Kernels of features in [0, 1)^64: the NNGP their Gram matrix / 64, the NTK that plus its square entry by entry. */
function workload() {
  const features = uniformMatrix(N + M, 64, 17);
  const k = gram(features);
  for (let i = 0; i < k.data.length; i++) k.data[i] /= 64;
  const block = (rows: [number, number], cols: [number, number], f: (v: number) => number) =>
    new Matrix(
      rows[1] - rows[0],
      cols[1] - cols[0],
      Float64Array.from({ length: (rows[1] - rows[0]) * (cols[1] - cols[0]) }, (_, e) => {
        const [r, c] = [Math.floor(e / (cols[1] - cols[0])), e % (cols[1] - cols[0])];
        return f(k.data[(rows[0] + r) * (N + M) + cols[0] + c]);
      }),
    );
  const nngp = (v: number) => v;
  const ntk = (v: number) => v + v * v;
  return {
    kTrainTrain: { nngp: block([0, N], [0, N], nngp), ntk: block([0, N], [0, N], ntk) },
    kTestTrain: { nngp: block([N, N + M], [0, N], nngp), ntk: block([N, N + M], [0, N], ntk) },
    kTestTest: { nngp: block([N, N + M], [N, N + M], nngp) },
    y: uniformMatrix(N, 1, 18),
  };
}

export function ensembleCases(): BenchCase[] {
  const { kTrainTrain, kTestTrain, kTestTest, y } = workload();
  const times = Array.from({ length: 10 }, (_, i) => i + 1);
  const run = () => {
    const ensemble = gradientDescentMseEnsemble(kTrainTrain, y, { diagReg: 1e-6, diagRegAbsoluteScale: true });
    const predictions = ensemble.predict({ t: times, computeCov: true, kTestTrain, kTestTest });
    ensemble.dispose();
    return predictions;
  };
  return (['wasm', 'ts'] as const).map((backend) => onBackend(backend, GROUP, undefined, run));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, strict: true });
  await ready();
  // The default configuration, read before the ts cases make ts the active backend.
  const info = backendInfo();
  const cases = ensembleCases();
  const rows: string[] = [];
  for (const c of cases) {
    const first = await firstCallMs('ensemble', c.group, c.impl);
    const median = await medianMs(c, { time: 0, iterations: c.impl.startsWith('ts') ? 1 : 3, warmupTime: 0, warmupIterations: 1 });
    rows.push(`| ${c.impl} | ${(first / 1000).toFixed(2)} | ${(median / 1000).toFixed(2)} |`);
    console.log(rows.at(-1));
  }
  for (const threads of [1, 2]) {
    const { impl, firstMs, ms } = numpyOnce(GROUP, threads);
    rows.push(`| ${impl} | ${(firstMs / 1000).toFixed(2)} | ${(ms / 1000).toFixed(2)} |`);
    console.log(rows.at(-1));
  }
  const markdown = [
    '## The ensemble at 10 times: `npm run bench:ensemble`',
    '',
    `\`gradientDescentMseEnsemble\`, 'ntk' with covariance on ${M} test points, ${N} train points, t = 1 … 10, from the`,
    'kernels as matrices: one eigendecomposition, then per time the mean and the covariance (`bench/ensemble.ts`); numpy',
    "runs neural-tangents' formulas as the products they reduce to (`bench/numpy_peer.py`, OPENBLAS_CORETYPE and",
    `OPENBLAS_L2_SIZE unset). WASM in the default configuration (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads). The first`,
    "call is the first in a fresh process; then medians of repeated calls (3 for WASM, 1 for ts, the peer's own).",
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| implementation | first call s | median s |',
    '|---|---:|---:|',
    ...rows,
  ].join('\n');
  if (!values['no-write']) writeSection('npm run bench:ensemble', markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}
