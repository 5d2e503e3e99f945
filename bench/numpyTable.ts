// The table of a workload on WASM and ts beside a numpy peer (bench/numpy_peer.py) on 1 and 2 OpenBLAS threads, each a
// first call in a fresh process and then the median of repeated calls, written into docs/benchmarks.md under `command`
// (bench/graphs.ts, bench/attention.ts).
import os from 'node:os';
import { backendInfo } from '../src/index.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs, numpyOnce } from './spawn.js';
import { type BenchCase, medianMs } from './suite.js';

export async function tableBesideNumpy(
  suite: string,
  cases: BenchCase[],
  numpyGroup: string,
  { command, heading, description, write }: { command: string; heading: string; description: readonly string[]; write: boolean },
): Promise<void> {
  const info = backendInfo();
  const rows: string[] = [];
  const row = (group: string, impl: string, firstMs: number, ms: number) =>
    `| ${group} | ${impl} | ${(firstMs / 1000).toFixed(2)} | ${(ms / 1000).toFixed(2)} |`;
  for (const c of cases) {
    const slow = c.impl === 'ts';
    const first = await firstCallMs(suite, c.group, c.impl);
    const median = await medianMs(c, { time: 0, iterations: slow ? 1 : 3, warmupTime: 0, warmupIterations: slow ? 0 : 1 });
    rows.push(row(c.group, c.impl, first, median));
    console.log(rows.at(-1));
  }
  for (const threads of [1, 2]) {
    try {
      const peer = numpyOnce(numpyGroup, threads);
      rows.push(row(cases[0].group, peer.impl, peer.firstMs, peer.ms));
      console.log(rows.at(-1));
    } catch (error) {
      console.log(`numpy peer skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const markdown = [
    `## ${heading}: \`${command}\``,
    '',
    ...description,
    `WASM in the default configuration (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads). The first call is the first in a fresh`,
    'process; then medians of repeated calls (3 for WASM, 1 for ts, 3 for numpy).',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| workload | implementation | first call s | median s |',
    '|---|---|---:|---:|',
    ...rows,
  ].join('\n');
  if (write) writeSection(command, markdown);
  console.log(`\n${markdown}`);
}
