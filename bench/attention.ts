// Issue 29's attention figure: the infinite-width NNGP and NTK of 2 self-attention blocks (globalSelfAttention(64, 64,
// 64, 4) → relu, twice, then globalAvgPool → dense(1); softmax, linear scaling) on 200 sequences of 32 positions with 16
// features, on WASM and ts, beside numpy computing the same kernels by neural-tangents' rule in blocks of pairs
// (bench/numpy_peer.py 'attention n=200': its own random inputs of the same sizes, batched matmuls). neural-tangents
// itself cannot be installed here (no PyPI); its time for this workload is not measured.
// Usage: npm run bench:attention [-- --no-write]   (writes its table into docs/benchmarks.md)
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dense, globalAvgPool, globalSelfAttention, infinite, randomMatrix, ready, relu, serial } from '../src/index.js';
import { tableBesideNumpy } from './numpyTable.js';
import { type BenchCase, onBackend } from './suite.js';

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
  await tableBesideNumpy('attention', attentionCases(), `attention n=${N}`, {
    command: 'npm run bench:attention',
    heading: 'Attention kernels',
    write: !values['no-write'],
    description: [
      `The NNGP and NTK (one pass) of \`serial(globalSelfAttention(64, 64, 64, 4), relu(), globalSelfAttention(64, 64, 64, 4), relu(), globalAvgPool(), dense(1))\``,
      `on ${N} sequences of ${LENGTH} positions with ${FEATURES} normal features, beside numpy computing the same kernels by neural-tangents'`,
      "GlobalSelfAttention rule in blocks of pairs (`bench/numpy_peer.py`, batched matmuls, OpenBLAS's own kernels; its own random inputs).",
      'neural-tangents cannot be installed in this environment, so its own time is not in the table. `bench/attention.ts`.',
    ],
  });
  process.exit(0);
}
