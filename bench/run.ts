// Runs the benchmark suites side by side (one process, one run) and writes docs/benchmarks.md.
// Usage: npm run bench [-- --filter <substring>[|<substring>…]] [--skip <substring>[|<substring>…]] [--time <ms per case>] [--no-write]
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { backendInfo, ready } from '../src/index.js';
import { CNTK_WORKLOADS, cntkCases } from './cntk.js';
import { DENSE_WORKLOADS, denseCases } from './dense.js';
import { infiniteCases } from './infinite.js';
import { kernelCases } from './kernels.js';
import { linalgCases } from './linalg.js';
import { networkCases } from './networks.js';
import { SCALE_WORKLOADS, scaleCases } from './scale.js';
import { threadCases } from './threads.js';
import type { BenchCase } from './suite.js';

interface Row {
  group: string;
  impl: string;
  medianMs: number;
  opsPerSecond: number;
  gflops?: number;
  samples: number;
}

function parseArguments(): { filter: string | undefined; skip: string | undefined; timeMs: number; write: boolean } {
  const usage = 'usage: npm run bench [-- --filter <substring>] [--skip <substring>] [--time <ms per case>] [--no-write]';
  try {
    const { values } = parseArgs({
      options: { filter: { type: 'string' }, skip: { type: 'string' }, time: { type: 'string', default: '1000' }, 'no-write': { type: 'boolean', default: false } },
      strict: true,
    });
    const timeMs = Number(values.time);
    if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`--time must be a positive number of milliseconds, got ${values.time}`);
    return { filter: values.filter, skip: values.skip, timeMs, write: !values['no-write'] };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(1);
  }
}

async function measure(cases: BenchCase[], timeMs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of cases) {
    await c.before?.();
    // One Bench per case: a slow reference gets its minimum iterations without stretching the fast ones.
    const bench = c.slow
      ? new Bench({ time: 0, iterations: 1, warmup: false })
      : new Bench({ time: timeMs, iterations: 3, warmupTime: 500, warmupIterations: 3 });
    bench.add(`${c.group} ${c.impl}`, c.run);
    await bench.run();
    const result = bench.tasks[0].result;
    if (result.state !== 'completed') throw new Error(`${c.group} ${c.impl}: ${result.state}`);
    const medianMs = result.latency.p50;
    rows.push({
      group: c.group,
      impl: c.impl,
      medianMs,
      opsPerSecond: 1000 / medianMs,
      gflops: c.flops === undefined ? undefined : c.flops / (medianMs * 1e6),
      samples: result.latency.samples?.length ?? result.totalTime / result.latency.mean,
    });
    console.log(`${c.group.padEnd(28)} ${c.impl.padEnd(10)} ${medianMs.toFixed(3).padStart(10)} ms` +
      (c.flops === undefined ? '' : `  ${(c.flops / (medianMs * 1e6)).toFixed(2).padStart(7)} GFLOPS`));
  }
  return rows;
}

function table(rows: Row[]): string {
  const lines = [
    '| case | implementation | median ms | ops/s | GFLOPS | speed-up vs ts |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const sameGroupTs = rows.filter((r) => r.group === row.group && r.impl.startsWith('ts'));
    const ts = sameGroupTs.find((r) => r.impl.split(' ')[1] === row.impl.split(' ')[1]) ?? sameGroupTs.find((r) => r.impl === 'ts');
    const speedup = ts ? (ts.medianMs / row.medianMs).toFixed(1) + '×' : '';
    lines.push(`| ${row.group} | ${row.impl} | ${row.medianMs.toFixed(3)} | ${row.opsPerSecond.toFixed(2)} | ` +
      `${row.gflops === undefined ? '' : row.gflops.toFixed(2)} | ${speedup} |`);
  }
  return lines.join('\n');
}

const { filter, skip, timeMs, write } = parseArguments();
// --filter and --skip take one substring or several separated by '|'.
const anyOf = (list: string, name: string) => list.split('|').some((part) => name.includes(part));
const matches = (name: string) => (!filter || anyOf(filter, name)) && !(skip && anyOf(skip, name));
await ready();
const defaults = backendInfo();
const cases = [...linalgCases(), ...denseCases(), ...kernelCases(), ...networkCases(), ...infiniteCases(), ...cntkCases(), ...threadCases(defaults.threads), ...scaleCases()].filter((c) => matches(`${c.group} ${c.impl}`));
const rows = await measure(cases, timeMs);
// numpy/scipy on OpenBLAS for the dense groups, in this same run, on one and on two threads. OpenBLAS picks its
// own kernels: the machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are dropped for this command only.
const denseGroups = new Set(rows.map((r) => r.group));
if ([...denseGroups].some((g) => /^(eigh|eigenvalues only|cholesky|gradientDescentMse|KernelRidge) n=/.test(g))) {
  for (const threads of ['1', '2']) {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: threads };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const args = [new URL('./numpy_peer.py', import.meta.url).pathname, ...(denseGroups.has(Object.keys(DENSE_WORKLOADS)[0]) ? ['--ridge'] : [])];
    const output = execFileSync('python3', args, { encoding: 'utf8', env });
    for (const line of output.trim().split('\n')) {
      const { group, impl, ms } = JSON.parse(line) as { group: string; impl: string; ms: number };
      if (!denseGroups.has(group)) continue;
      const flops = group === 'cholesky n=2000' ? 2000 ** 3 / 3 : undefined;
      rows.push({ group, impl, medianMs: ms, opsPerSecond: 1000 / ms, gflops: flops === undefined ? undefined : flops / (ms * 1e6), samples: 0 });
      console.log(`${group.padEnd(28)} ${impl.padEnd(10)} ${ms.toFixed(3).padStart(10)} ms`);
    }
  }
  rows.sort((a, b) => (a.group === b.group ? 0 : rows.findIndex((r) => r.group === a.group) - rows.findIndex((r) => r.group === b.group)));
}
// scikit-learn's Nystroem + Ridge for the scale groups, in this same run, each size in a process of its own, on one
// and on two OpenBLAS threads (Debian's python, which has scikit-learn).
const peerPeaks: string[] = [];
const scaleSizes = [...new Set(rows.map((r) => /^scale n=(\d+) /.exec(r.group)?.[1]).filter((v) => v !== undefined))];
if (scaleSizes.length > 0 && !existsSync('/usr/bin/python3')) console.log('scale: /usr/bin/python3 not found; scikit-learn not measured');
for (const n of existsSync('/usr/bin/python3') ? scaleSizes : []) {
  for (const threads of ['1', '2']) {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: threads };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const output = execFileSync('/usr/bin/python3', [new URL('./sklearn_peer.py', import.meta.url).pathname, n], { encoding: 'utf8', env });
    for (const line of output.trim().split('\n')) {
      const { group, impl, ms, peakMB } = JSON.parse(line) as { group: string; impl: string; ms?: number; peakMB?: number };
      if (peakMB !== undefined) {
        peerPeaks.push(`| ${group} (${impl}) | ${peakMB.toFixed(0)} |`);
        console.log(`${group.padEnd(40)} ${impl} peak RSS ${peakMB.toFixed(0)} MB`);
        continue;
      }
      rows.push({ group, impl, medianMs: ms!, opsPerSecond: 1000 / ms!, samples: 1 });
      console.log(`${group.padEnd(28)} ${impl.padEnd(10)} ${ms!.toFixed(3).padStart(10)} ms`);
    }
  }
  rows.sort((a, b) => (a.group === b.group ? 0 : rows.findIndex((r) => r.group === a.group) - rows.findIndex((r) => r.group === b.group)));
}
// Peak memory of each convolutional, dense and scale workload, alone in a process of its own (wasm, default configuration).
const peaks = [...Object.keys(CNTK_WORKLOADS), ...Object.keys(DENSE_WORKLOADS), ...Object.keys(SCALE_WORKLOADS)].filter(matches).map((name) => {
  const output = execFileSync(process.execPath, [...process.execArgv, new URL('./peak.ts', import.meta.url).pathname, name], { encoding: 'utf8' });
  const mb = Number(output.trim().split('\n').pop());
  console.log(`${name.padEnd(40)} peak RSS ${mb} MB`);
  return `| ${name} | ${mb} |`;
});
peaks.push(...peerPeaks);
const peakTable = peaks.length === 0 ? [] : ['', '## Peak memory of the convolutional, dense and scale workloads', '',
  'Each workload alone in a fresh Node process (`bench/peak.ts`, wasm, default configuration): its peak resident set',
  '(Linux VmHWM), which includes Node, tsx and the worker thread (about 100 MB after `ready()`) and the WASM memory the call grows.', '',
  '| workload | peak RSS, MB |', '|---|---:|', ...peaks];
const peers = [
  '', '## Peers measured on this machine', '',
  'neural-tangents cannot be installed in this project\'s environment; these are its times on this 2-core machine',
  '(JAX 0.10.2, float64, median, the machine busy), measured for the same workloads when the convolutional layers',
  'were planned, quoted here rather than re-run:', '',
  '| workload | neural-tangents |', '|---|---:|',
  '| CNTK globalAvgPool 8x8 n=200 (`kernel_fn`, nngp + ntk) | 30–40 s, peak RSS near 15 GB |',
  '| CNTK flatten 8x8 n=500 | 3.4–3.8 s |',
  '| empiricalNtk CNN 64 channels 8x8 n=200 (`empirical_ntk_fn`, implementation 1) | 34–47 s (a hand-written per-example-gradient loop in JAX: 1.1 s) |',
];
const command = ['npm run bench', ...process.argv.slice(2)].join(' ');
const markdown = [
  '# Benchmarks',
  '',
  'Median time per call, measured side by side in one run with tinybench; GFLOPS count the',
  'textbook flops (matmul 2n³, gram and RBF Gram n(n+1)d, cholesky n³/3, Euler 2n² per step and output;',
  'structured NTK n²·Σ(fanIn + k·width), Jacobian NTK n²·k·P, training 6·n·P per step). Cases marked',
  '"jacobian" that take seconds run once, without warm-up. Speed-ups compare with the ts row of the same',
  'implementation.',
  '`ts` is the pure-TypeScript backend,',
  '`wasm` the AssemblyScript SIMD module, `ml-matrix` and `ml-kernel` the popular JavaScript references.',
  `Plain \`wasm\` rows run the default configuration of \`ready()\`: ${defaults.simd} SIMD on ${defaults.threads} threads.`,
  'Rows `wasm <simd> <n>t` fix the build and the number of threads (`ready({ simd, threads })`); their',
  'speed-ups compare with `ts`. Node 20 validates relaxed SIMD only with `--experimental-wasm-relaxed-simd`,',
  'which `npm run bench` passes (Node 22 and current Chromium have it on by default).',
  '',
  `Command: \`${command}\``,
  '',
  `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ` +
    `${new Date().toISOString().slice(0, 10)}.`,
  '',
  table(rows),
  ...peakTable,
  ...peers,
  '',
].join('\n');
console.log('\n' + table(rows));
if (write) {
  writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), markdown);
  console.log('\nwrote docs/benchmarks.md');
}
