// Runs the benchmark suites side by side (one process, one run), then each case's first call alone in a fresh
// process, and writes its part of docs/benchmarks.md, the same table as the part `bench` of docs/figures.json, and
// then the figures README.md and docs/guide.md quote from it (scripts/figures.mjs).
// Usage: npm run bench [-- --filter <substring>[|<substring>…]] [--skip <substring>[|<substring>…]] [--time <ms per case>] [--no-first] [--no-write]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { benchFromMarkdown, updateDocuments, writeFigures } from '../scripts/figures.mjs';
import { backendInfo, ready } from '../src/index.js';
import { CNTK_WORKLOADS } from './cntk.js';
import { DENSE_WORKLOADS } from './dense.js';
import { revision, writeSection } from './docs.js';
import { otherProcesses } from './load.js';
import { SCALE_WORKLOADS } from './scale.js';
import { numpyGroups, numpyOnce, openblasEnv, startCase } from './spawn.js';
import type { BenchCase } from './suite.js';
import { SUITES } from './suites.js';

interface Row {
  group: string;
  impl: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** The first call after ready() in a fresh process; undefined where not measured. */
  firstMs?: number;
  gflops?: number;
  samples: number;
}

type Case = BenchCase & { suite: string };

function parseArguments(): { filter: string | undefined; skip: string | undefined; timeMs: number; first: boolean; write: boolean } {
  const usage = 'usage: npm run bench [-- --filter <substring>] [--skip <substring>] [--time <ms per case>] [--no-first] [--no-write]';
  try {
    const { values } = parseArgs({
      options: {
        filter: { type: 'string' },
        skip: { type: 'string' },
        time: { type: 'string', default: '1000' },
        'no-first': { type: 'boolean', default: false },
        'no-write': { type: 'boolean', default: false },
      },
      strict: true,
    });
    const timeMs = Number(values.time);
    if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`--time must be a positive number of milliseconds, got ${values.time}`);
    return { filter: values.filter, skip: values.skip, timeMs, first: !values['no-first'], write: !values['no-write'] };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(1);
  }
}

const log = (row: Row, what = '') =>
  console.log(
    `${row.group.padEnd(28)} ${row.impl.padEnd(10)} ${row.medianMs.toFixed(3).padStart(10)} ms` +
      (row.gflops === undefined ? '' : `  ${row.gflops.toFixed(2).padStart(7)} GFLOPS`) +
      what,
  );

async function measure(cases: Case[], timeMs: number): Promise<Row[]> {
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
    const { p50, min, max } = result.latency;
    rows.push({
      group: c.group,
      impl: c.impl,
      medianMs: p50,
      minMs: min,
      maxMs: max,
      gflops: c.flops === undefined ? undefined : c.flops / (p50 * 1e6),
      samples: result.latency.samples?.length ?? result.totalTime / result.latency.mean,
    });
    log(rows.at(-1)!);
  }
  return rows;
}

/**
 * Each case once more, alone in a fresh process (bench/child.ts): its first call after ready(). Not for ts cases
 * that run once (seconds to minutes each, their one call in the run close to a first call anyway), nor for
 * cases that need the case before them.
 */
async function firstCalls(cases: Case[], rows: Row[]): Promise<void> {
  for (const c of cases) {
    if (c.firstCall === false || (c.slow && c.impl.startsWith('ts'))) continue;
    const timer = await startCase(c.suite, c.group, c.impl);
    const [ms] = await timer.times(1);
    await timer.close();
    const row = rows.find((r) => r.group === c.group && r.impl === c.impl)!;
    row.firstMs = ms;
    console.log(`${c.group.padEnd(28)} ${c.impl.padEnd(10)} first call ${ms.toFixed(3).padStart(10)} ms, median ${row.medianMs.toFixed(3)} ms`);
  }
}

const fixed = (ms: number | undefined) => (ms === undefined ? '' : ms < 10 ? ms.toFixed(2) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0));

function table(rows: Row[]): string {
  const lines = [
    '| case | implementation | first call ms | median ms | min–max ms | calls | first ÷ median | GFLOPS | speed-up vs ts |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const sameGroupTs = rows.filter((r) => r.group === row.group && r.impl.startsWith('ts'));
    const ts = sameGroupTs.find((r) => r.impl.split(' ')[1] === row.impl.split(' ')[1]) ?? sameGroupTs.find((r) => r.impl === 'ts');
    const speedup = ts ? (ts.medianMs / row.medianMs).toFixed(1) + '×' : '';
    const spread = row.samples > 1 ? `${fixed(row.minMs)}–${fixed(row.maxMs)}` : '';
    const firstOverMedian = row.firstMs === undefined ? '' : (row.firstMs / row.medianMs).toFixed(2);
    lines.push(
      `| ${row.group} | ${row.impl} | ${fixed(row.firstMs)} | ${fixed(row.medianMs)} | ${spread} | ${Math.round(row.samples)} | ` +
        `${firstOverMedian} | ${row.gflops === undefined ? '' : row.gflops.toFixed(2)} | ${speedup} |`,
    );
  }
  return lines.join('\n');
}

const { filter, skip, timeMs, first, write } = parseArguments();
const started = performance.now();
const others = otherProcesses();
const phases: [string, number][] = [];
const phase = (name: string) => phases.push([name, performance.now()]);
// --filter and --skip take one substring or several separated by '|'.
const anyOf = (list: string, name: string) => list.split('|').some((part) => name.includes(part));
const matches = (name: string) => (!filter || anyOf(filter, name)) && !(skip && anyOf(skip, name));
await ready();
const defaults = backendInfo();
const cases: Case[] = Object.entries(SUITES)
  .flatMap(([suite, make]) => make().map((c) => ({ ...c, suite })))
  .filter((c) => matches(`${c.group} ${c.impl}`));
const rows = await measure(cases, timeMs);
phase('warm calls');
const keepGroupOrder = () =>
  rows.sort((a, b) => (a.group === b.group ? 0 : rows.findIndex((r) => r.group === a.group) - rows.findIndex((r) => r.group === b.group)));
// numpy/scipy on OpenBLAS for the groups it has a workload of, in this same run, on one and on two threads, each
// workload in a fresh process. OpenBLAS picks its own kernels: the machine's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
// are dropped for this command only.
const peerGroups = numpyGroups().filter((group) => rows.some((r) => r.group === group));
if (rows.length > 0 && peerGroups.length === 0)
  console.log('numpy: python3 with numpy and scipy not found, or no group of this run has a workload; not measured');
for (const group of peerGroups) {
  const flops = cases.find((c) => c.group === group && c.flops !== undefined)?.flops;
  for (const threads of [1, 2]) {
    const { impl, firstMs, ms, minMs, maxMs, calls } = numpyOnce(group, threads);
    rows.push({ group, impl, medianMs: ms, minMs, maxMs, firstMs, gflops: flops === undefined ? undefined : flops / (ms * 1e6), samples: calls });
    log(rows.at(-1)!, `, first call ${firstMs.toFixed(3)} ms`);
  }
}
keepGroupOrder();
// scikit-learn's Nystroem + Ridge for the scale groups, in this same run, each size in a process of its own, on one
// and on two OpenBLAS threads (Debian's python, which has scikit-learn).
const peerPeaks: string[] = [];
const scaleSizes = [...new Set(rows.map((r) => /^scale n=(\d+) /.exec(r.group)?.[1]).filter((v) => v !== undefined))];
if (scaleSizes.length > 0 && !existsSync('/usr/bin/python3')) console.log('scale: /usr/bin/python3 not found; scikit-learn not measured');
for (const n of existsSync('/usr/bin/python3') ? scaleSizes : []) {
  for (const threads of [1, 2]) {
    const output = execFileSync('/usr/bin/python3', [new URL('./sklearn_peer.py', import.meta.url).pathname, n], {
      encoding: 'utf8',
      env: openblasEnv(threads),
    });
    for (const line of output.trim().split('\n')) {
      const { group, impl, ms, peakMB } = JSON.parse(line) as { group: string; impl: string; ms?: number; peakMB?: number };
      if (peakMB !== undefined) {
        peerPeaks.push(`| ${group} (${impl}) | ${peakMB.toFixed(0)} |`);
        console.log(`${group.padEnd(40)} ${impl} peak RSS ${peakMB.toFixed(0)} MB`);
        continue;
      }
      rows.push({ group, impl, medianMs: ms!, minMs: ms!, maxMs: ms!, samples: 1 });
      log(rows.at(-1)!);
    }
  }
}
keepGroupOrder();
phase('numpy and scikit-learn');
if (first) await firstCalls(cases, rows);
phase('first calls');
// Peak memory of each convolutional, dense and scale workload, alone in a process of its own (wasm, default configuration).
const peaks = [...Object.keys(CNTK_WORKLOADS), ...Object.keys(DENSE_WORKLOADS), ...Object.keys(SCALE_WORKLOADS)].filter(matches).map((name) => {
  const output = execFileSync(process.execPath, [...process.execArgv, new URL('./peak.ts', import.meta.url).pathname, name], { encoding: 'utf8' });
  const mb = Number(output.trim().split('\n').pop());
  console.log(`${name.padEnd(40)} peak RSS ${mb} MB`);
  return `| ${name} | ${mb} |`;
});
peaks.push(...peerPeaks);
phase('peak memory');
const peakTable =
  peaks.length === 0
    ? []
    : [
        '',
        '### Peak memory of the convolutional, dense and scale workloads',
        '',
        'Each workload alone in a fresh Node process (`bench/peak.ts`, wasm, default configuration): its peak resident set',
        '(Linux VmHWM), which includes Node, tsx and the worker thread (about 100 MB after `ready()`) and the WASM memory the call grows.',
        '',
        '| workload | peak RSS, MB |',
        '|---|---:|',
        ...peaks,
      ];
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
const took = phases.map(([name, at], i) => `${minutes(at - (i === 0 ? started : phases[i - 1][1]))} ${name}`).join(', ');
const command = ['npm run bench', ...process.argv.slice(2)].join(' ');
const markdown = [
  '## All cases: `npm run bench`',
  '',
  'Median time per call, measured side by side in one run with tinybench (at least 3 calls and 1 s per case,',
  'after 3 calls and 0.5 s of warm-up), with the fastest and slowest of those calls; GFLOPS count the',
  'textbook flops (matmul 2n³, gram and RBF Gram n(n+1)d, cholesky n³/3, Euler 2n² per step and output;',
  'structured NTK n²·Σ(fanIn + k·width), Jacobian NTK n²·k·P, training 6·n·P per step) of the median. Cases',
  'marked "jacobian" and others that take seconds run once, without warm-up. Speed-ups compare with the ts row of',
  'the same implementation.',
  '`ts` is the pure-TypeScript backend,',
  '`wasm` the AssemblyScript SIMD module, `ml-matrix` and `ml-kernel` the popular JavaScript references.',
  `Plain \`wasm\` rows run the default configuration of \`ready()\`: ${defaults.simd} SIMD on ${defaults.threads} threads.`,
  'Rows `wasm <simd> <n>t` fix the build and the number of threads (`ready({ simd, threads })`); their',
  'speed-ups compare with `ts`. Node 20 validates relaxed SIMD only with `--experimental-wasm-relaxed-simd`,',
  'which `npm run bench` passes (Node 22 and current Chromium have it on by default).',
  '',
  '**First call**: after the run, each case once more alone in a fresh Node process (`bench/child.ts`), the time',
  'of its first call after `await ready()` — what a user who calls a function once sees. The inputs are made',
  'first; where the library makes them (`gram()` of a random matrix) it does so on the backend not measured (the',
  'ts backend before `ready()` for wasm rows), so that the call timed is the first the measured backend makes.',
  'Not measured for ts rows that run once (seconds to minutes each; their one call is close to a first call)',
  'and for rows that need the row before them (predict after fit). numpy rows (numpy/scipy on OpenBLAS, 1 and 2',
  'threads, `bench/numpy_peer.py`, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for that command only): each',
  'workload in a fresh python process, its first call after the inputs are made, then its repeated calls.',
  'scikit-learn rows (`bench/sklearn_peer.py`) run once each, in a process per size.',
  `\`npm run bench -- --no-first\` leaves the first calls out. This run took ${minutes(performance.now() - started)}: ${took}.`,
  '',
  `Command: \`${command}\`, on ${revision()}.`,
  '',
  `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ` +
    `${new Date().toISOString().slice(0, 10)}; other processes kept ${others().toFixed(1)} cores busy on average meanwhile.`,
  '',
  table(rows),
  ...peakTable,
].join('\n');
console.log('\n' + table(rows));
if (write) {
  writeSection('npm run bench', markdown);
  writeFigures('bench', benchFromMarkdown(markdown));
  console.log('\nwrote its part of docs/benchmarks.md and of docs/figures.json');
  try {
    const changed = updateDocuments();
    console.log(changed.length === 0 ? 'README.md and docs/guide.md already show these figures' : `rewrote the figures of ${changed.join(' and ')}`);
  } catch (error) {
    // A run of a subset (--filter, --skip) lacks rows the docs quote.
    console.log(`README.md and docs/guide.md not rewritten: ${(error as Error).message}`);
  }
}
