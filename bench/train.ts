// Network.train as issue 28's figure states it: one epoch of Adam on shuffled minibatches of 128 (79 steps) of an MLP
// 64 → 512 → 512 → 10 (ReLU) on 10,000 examples with cross-entropy, on WASM (default configuration) and ts, beside
// PyTorch's usual loop (bench/torch_train_peer.py, float64, 1 and 2 threads) in one run. Each is a first call in a
// fresh process and then repeated calls.
// Usage: npm run bench:train [-- --no-write]   (writes its table into docs/benchmarks.md)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Matrix, backendInfo, dense, network, ready, relu, serial } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs } from './spawn.js';
import { type BenchCase, medianMs, onBackend } from './suite.js';

const N = 10_000;
const GROUP = `train MLP 64-512-512-10 adam batch 128 n=${N}, one epoch`;

export function trainCases(): BenchCase[] {
  const x = uniformMatrix(N, 64, 1);
  const labels = uniformMatrix(N, 1, 2, 0, 1);
  const y = new Matrix(N, 10);
  for (let i = 0; i < N; i++) y.data[i * 10 + Math.min(9, Math.floor(labels.data[i] * 10))] = 1;
  const net = network(serial(dense(512), relu(), dense(512), relu(), dense(10)), { inputShape: [64], seed: 0 });
  let epoch = 0;
  const run = () => net.train(x, y, { learningRate: 1e-3, steps: Math.ceil(N / 128), optimizer: 'adam', loss: 'crossEntropy', batchSize: 128, seed: epoch++ });
  return (['wasm', 'ts'] as const).map((backend) => onBackend(backend, GROUP, undefined, run));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, strict: true });
  await ready();
  // The default configuration, read before the ts cases make ts the active backend.
  const info = backendInfo();
  const rows: string[] = [];
  for (const c of trainCases()) {
    const first = await firstCallMs('train', c.group, c.impl);
    const median = await medianMs(c, {
      time: 0,
      iterations: c.impl.startsWith('ts') ? 1 : 3,
      warmupTime: 0,
      warmupIterations: c.impl.startsWith('ts') ? 0 : 1,
    });
    rows.push(`| ${c.impl} | ${(first / 1000).toFixed(2)} | ${(median / 1000).toFixed(2)} |`);
    console.log(rows.at(-1));
  }
  for (const threads of [1, 2]) {
    try {
      const line = execFileSync('/usr/bin/python3', [fileURLToPath(new URL('./torch_train_peer.py', import.meta.url)), String(threads)], { encoding: 'utf8' });
      const { impl, firstMs, ms } = JSON.parse(line) as { impl: string; firstMs: number; ms: number };
      rows.push(`| ${impl} | ${(firstMs / 1000).toFixed(2)} | ${(ms / 1000).toFixed(2)} |`);
      console.log(rows.at(-1));
    } catch (error) {
      console.log(`PyTorch peer skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const markdown = [
    '## Training a network: `npm run bench:train`',
    '',
    "`net.train(x, y, { optimizer: 'adam', loss: 'crossEntropy', batchSize: 128, … })` for one epoch (79 steps) of an",
    `MLP 64 → 512 → 512 → 10 (ReLU, 300,554 parameters) on ${N.toLocaleString('en')} examples (\`bench/train.ts\`), beside PyTorch's usual`,
    'loop on the same shapes (`bench/torch_train_peer.py`: `Adam`, `CrossEntropyLoss`, float64, 1 and 2 threads).',
    `WASM in the default configuration (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads). The first call is the first in a fresh`,
    'process; then medians of repeated calls (3 for WASM and PyTorch, 1 for ts).',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| implementation | first epoch s | median s |',
    '|---|---:|---:|',
    ...rows,
  ].join('\n');
  if (!values['no-write']) writeSection('npm run bench:train', markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}
