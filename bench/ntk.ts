// The empirical NTK by each implementation ('structured', 'jacobian', 'ntkVectorProducts'), 'full' and 'mean', of an
// MLP 32 → 256 → 256 → 10 (ReLU) on n = 100 points with itself, on WASM (default configuration) and ts, beside
// PyTorch's two methods (bench/torch_ntk_peer.py: functorch's Jacobian contraction and NTK-vector products, float64,
// 2 threads) in one run. Each is a first call in a fresh process and then repeated calls.
// Usage: npm run bench:ntk [-- --no-write]   (writes its table into docs/benchmarks.md)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendInfo, empiricalNtk, mlp, ready } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs } from './spawn.js';
import { type BenchCase, medianMs, onBackend } from './suite.js';

const IMPLEMENTATIONS = ['structured', 'jacobian', 'ntkVectorProducts'] as const;
const group = (outputs: 'full' | 'mean', implementation: (typeof IMPLEMENTATIONS)[number]) =>
  `empiricalNtk MLP 32-256-256-10 n=100 ${outputs} ${implementation}`;

export function ntkCases(): BenchCase[] {
  const net = mlp({ inputDim: 32, widths: [256, 256], outputDim: 10, seed: 1 });
  const x = uniformMatrix(100, 32, 2);
  return (['full', 'mean'] as const).flatMap((outputs) =>
    IMPLEMENTATIONS.flatMap((implementation) =>
      (['wasm', 'ts'] as const).map((backend) =>
        onBackend(backend, group(outputs, implementation), undefined, () => empiricalNtk(net, x, undefined, { implementation, outputs })),
      ),
    ),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, strict: true });
  await ready();
  // The default configuration, read before the ts cases make ts the active backend.
  const info = backendInfo();
  const rows: string[] = [];
  for (const c of ntkCases()) {
    const first = await firstCallMs('ntk', c.group, c.impl);
    const median = await medianMs(c, {
      time: 0,
      iterations: c.impl.startsWith('ts') ? 1 : 3,
      warmupTime: 0,
      warmupIterations: c.impl.startsWith('ts') ? 0 : 1,
    });
    rows.push(`| ${c.group.replace('empiricalNtk MLP 32-256-256-10 n=100 ', '')} | ${c.impl} | ${(first / 1000).toFixed(3)} | ${(median / 1000).toFixed(3)} |`);
    console.log(rows.at(-1));
  }
  // PyTorch, when Debian's python3-torch (with functorch) is there.
  try {
    const lines = execFileSync('/usr/bin/python3', [fileURLToPath(new URL('./torch_ntk_peer.py', import.meta.url)), '2'], { encoding: 'utf8' });
    for (const line of lines.trim().split('\n')) {
      const { group: peerGroup, impl, firstMs, ms } = JSON.parse(line) as { group: string; impl: string; firstMs: number; ms: number };
      rows.push(`| ${peerGroup.replace('empiricalNtk MLP 32-256-256-10 n=100 ', '')} | ${impl} | ${(firstMs / 1000).toFixed(3)} | ${(ms / 1000).toFixed(3)} |`);
      console.log(rows.at(-1));
    }
  } catch (error) {
    console.log(`PyTorch peer skipped: ${(error as Error).message.split('\n')[0]}`);
  }
  const markdown = [
    '## The empirical NTK by implementation: `npm run bench:ntk`',
    '',
    "`empiricalNtk(net, x)` of an MLP 32 → 256 → 256 → 10 (ReLU, 76,810 parameters) on 100 points with itself, 'full'",
    "((n·k)² entries) and 'mean', by each implementation (`bench/ntk.ts`), beside PyTorch's two methods from its",
    '"Neural Tangent Kernels" tutorial (functorch\'s `jacrev` + einsum, and `vjp`/`jvp` vector products; float64, 2',
    `threads; \`bench/torch_ntk_peer.py\`). WASM in the default configuration (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads). The`,
    'first call is the first in a fresh process; then medians of repeated calls (3 for WASM and PyTorch, 1 for ts).',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| outputs and implementation | by | first call s | median s |',
    '|---|---|---:|---:|',
    ...rows,
  ].join('\n');
  if (!values['no-write']) writeSection('npm run bench:ntk', markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}
