// Issue 29's attention figure: the infinite-width NNGP and NTK of 2 self-attention blocks (globalSelfAttention(64, 64,
// 64, 4) → relu, twice, then globalAvgPool → dense(1); softmax, linear scaling) on 200 sequences of 32 positions with 16
// features, on WASM and ts, beside numpy computing the same kernels by neural-tangents' rule in blocks of pairs
// (bench/numpy_peer.py 'attention n=200': its own random inputs of the same sizes, batched matmuls). neural-tangents
// itself cannot be installed here (no PyPI); its time for this workload is not measured.
// Usage: npm run bench:attention [-- --no-write]   (writes its table into docs/benchmarks.md)
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendInfo, dense, globalAvgPool, globalSelfAttention, infinite, randomMatrix, ready, relu, serial } from '../src/index.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs, numpyOnce } from './spawn.js';
import { type BenchCase, medianMs, onBackend } from './suite.js';

const N = 200;
const LENGTH = 32;
const FEATURES = 16;
const GROUP = `attention 2 blocks, n=${N}, length ${LENGTH}, ${FEATURES} features`;

export const attentionModel = () =>
  infinite(serial(globalSelfAttention(64, 64, 64, 4), relu(), globalSelfAttention(64, 64, 64, 4), relu(), globalAvgPool(), dense(1)), {
    inputShape: [LENGTH, FEATURES],
  });

export function attentionCases(): BenchCase[] {
  const x = randomMatrix(N, LENGTH * FEATURES, { seed: 32, distribution: 'normal' });
  const model = attentionModel();
  return (['wasm', 'ts'] as const).map((backend) => onBackend(backend, GROUP, undefined, () => model.kernels(x)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, strict: true });
  await ready();
  const info = backendInfo();
  const rows: string[] = [];
  const row = (impl: string, firstMs: number, ms: number) => `| ${GROUP} | ${impl} | ${(firstMs / 1000).toFixed(2)} | ${(ms / 1000).toFixed(2)} |`;
  for (const c of attentionCases()) {
    const slow = c.impl === 'ts';
    const first = await firstCallMs('attention', c.group, c.impl);
    const median = await medianMs(c, { time: 0, iterations: slow ? 1 : 3, warmupTime: 0, warmupIterations: slow ? 0 : 1 });
    rows.push(row(c.impl, first, median));
    console.log(rows.at(-1));
  }
  for (const threads of [1, 2]) {
    try {
      const peer = numpyOnce(`attention n=${N}`, threads);
      rows.push(row(peer.impl, peer.firstMs, peer.ms));
      console.log(rows.at(-1));
    } catch (error) {
      console.log(`numpy peer skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const markdown = [
    '## Attention kernels: `npm run bench:attention`',
    '',
    `The NNGP and NTK (one pass) of \`serial(globalSelfAttention(64, 64, 64, 4), relu(), globalSelfAttention(64, 64, 64, 4), relu(), globalAvgPool(), dense(1))\``,
    `on ${N} sequences of ${LENGTH} positions with ${FEATURES} normal features, beside numpy computing the same kernels by neural-tangents'`,
    "GlobalSelfAttention rule in blocks of pairs (`bench/numpy_peer.py`, batched matmuls, OpenBLAS's own kernels; its own random inputs).",
    'neural-tangents cannot be installed in this environment, so its own time is not in the table. `bench/attention.ts`.',
    `WASM in the default configuration (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads). The first call is the first in a fresh`,
    'process; then medians of repeated calls (3 for WASM, 1 for ts, 3 for numpy).',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| workload | implementation | first call s | median s |',
    '|---|---|---:|---:|',
    ...rows,
  ].join('\n');
  if (!values['no-write']) writeSection('npm run bench:attention', markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}
