// The regression guard: ratios of two timings taken side by side in one run, so that the machine's speed cancels
// out — wasm (on one thread) against the ts backend and against numpy (OpenBLAS, one thread), 2 threads against
// two 1-thread processes at once, and a case's later calls against its first call in a fresh process — compared with bench/baseline.json. A ratio
// fails when it is more than 25 % below its baseline on each of three measurements (the re-measurements wait for
// the shared machine to be quieter). Every implementation runs in a process of its own (bench/child.ts, bench/numpy_peer.py),
// the two of a ratio called in turns, and a ratio is the median of several rounds.
// Usage: npm run bench:check [-- --ci] [--filter <substring>[|<substring>…]] [--update]
//   --ci      the subset .ci/run runs: no python, under a minute
//   --update  measures each ratio three times and rewrites its baseline, the lowest of them (and the table in
//             docs/benchmarks.md)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { revision, writeSection } from './docs.js';
import { otherProcesses } from './load.js';
import { type Timer, numpyGroups, startCase, startNumpy } from './spawn.js';

interface Ratio {
  name: string;
  /** What the number means, for the table in docs/benchmarks.md. */
  meaning: string;
  /** In the subset .ci/run runs. */
  ci: boolean;
  /** What the machine must have, or the ratio is skipped (saying so). */
  needs?: 'numpy' | 'two cores';
  measure: () => Promise<number>;
}

interface Baseline {
  measured: string;
  ratios: Record<string, number>;
}

const TOLERANCE = 0.25;
const ATTEMPTS = 3;
const ROUNDS = 9;
const BASELINE = new URL('./baseline.json', import.meta.url);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The reference's time over the candidate's: both started at once, three calls each to warm up, then rounds in
 * which each makes calls for about 100 ms, the one going first alternating, and the median of the rounds' ratios.
 */
async function speedup(candidate: () => Promise<Timer>, reference: () => Promise<Timer>): Promise<number> {
  const timers = await Promise.all([candidate(), reference()]);
  try {
    const warm = [0, 0];
    for (let i = 0; i < 3; i++) for (const [k, timer] of timers.entries()) warm[k] = (await timer.times(1))[0];
    const calls = warm.map((ms) => Math.max(1, Math.min(20, Math.round(100 / ms))));
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      const ms = [0, 0];
      for (const k of order) ms[k] = median(await timers[k].times(calls[k]));
      ratios.push(ms[1] / ms[0]);
    }
    return median(ratios);
  } finally {
    await Promise.all(timers.map((timer) => timer.close()));
  }
}

/** The median of its next 7 calls over its first call, in each of 3 fresh processes one after another; the median. */
async function laterOverFirst(start: () => Promise<Timer>): Promise<number> {
  const ratios: number[] = [];
  for (let p = 0; p < 3; p++) {
    const timer = await start();
    try {
      const [first, ...later] = await timer.times(8);
      ratios.push(median(later) / first);
    } finally {
      await timer.close();
    }
  }
  return median(ratios);
}

/**
 * What two threads make of the machine against what it gives two processes: two processes each running the
 * one-thread workload at once, their time per call, over twice the two-thread call's time (1 when two threads do as
 * much as two independent processes). Dividing by the two processes' throughput takes out what the machine gives a
 * second thread of this workload (two vCPUs on hyperthreads of one core, a CPU quota, a neighbour /proc does not
 * show), which plain arithmetic in two threads does not reveal. Rounds of each measurement in turn; the median.
 */
async function threadEfficiency(group: string): Promise<number> {
  const [twoThreads, first, second] = await Promise.all([guard(group, 'wasm 2t')(), guard(group, 'wasm 1t')(), guard(group, 'wasm 1t')()]);
  const timers = [twoThreads, first, second];
  try {
    const warm = [0, 0, 0];
    for (let i = 0; i < 3; i++) for (const [k, timer] of timers.entries()) warm[k] = (await timer.times(1))[0];
    const calls = (ms: number) => Math.max(1, Math.min(20, Math.round(100 / ms)));
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const two = median(await twoThreads.times(calls(warm[0])));
      const side = await Promise.all([first.times(calls(warm[1])), second.times(calls(warm[2]))]);
      ratios.push((median(side[0]) + median(side[1])) / 2 / (2 * two));
    }
    return median(ratios);
  } finally {
    await Promise.all(timers.map((timer) => timer.close()));
  }
}

const guard = (group: string, impl: string) => () => startCase('guard', group, impl);
// WASM on one thread against the single-threaded references, so that another process busy on one core slows both
// alike (it would slow the two threads' slower share); the threads' gain has ratios of its own. The result copy
// is measured on the default configuration, where results come out of shared memory.
const wasmVsTs = (group: string, ci = false, impl = 'wasm 1t'): Ratio => ({
  name: `wasm vs ts: ${group}`,
  meaning: `ts time ÷ wasm time (${impl === 'wasm' ? 'default configuration' : '1 thread'})`,
  ci,
  measure: () => speedup(guard(group, impl), guard(group, 'ts')),
});
const threads = (group: string, ci = false): Ratio => ({
  name: `2 threads vs 2 processes: ${group}`,
  meaning: 'time per call of two 1-thread processes running at once ÷ twice the time on 2 threads',
  ci,
  needs: 'two cores',
  measure: () => threadEfficiency(group),
});
const numpy = (group: string): Ratio => ({
  name: `wasm vs numpy: ${group}`,
  meaning: 'numpy time ÷ wasm time, both on 1 thread (OpenBLAS)',
  ci: false,
  needs: 'numpy',
  measure: () => speedup(guard(group, 'wasm 1t'), () => startNumpy(group, 1)),
});
const firstCall = (group: string, ci = false): Ratio => ({
  name: `first call: ${group}`,
  ci,
  meaning: 'wasm (default configuration), median of calls 2–8 ÷ call 1 after ready() in a fresh process',
  measure: () => laterOverFirst(guard(group, 'wasm')),
});

const RATIOS: Ratio[] = [
  wasmVsTs('matmul 2000×1 by 1×2000', true, 'wasm'),
  wasmVsTs('matmul n=256', true),
  wasmVsTs('infiniteMlp relu depth 3 n=1000 d=64', true),
  wasmVsTs('empiricalNtk n=200 [512,512] k=1', true),
  wasmVsTs('cholesky n=1024'),
  wasmVsTs('eigh n=512'),
  wasmVsTs('rbf Gram n=2000 d=64'),
  threads('infiniteMlp relu depth 3 n=1000 d=64', true),
  threads('matmul n=1024'),
  threads('empiricalNtk n=1000 [512,512] k=1'),
  numpy('matmul n=1024'),
  numpy('cholesky n=1024'),
  numpy('eigh n=512'),
  firstCall('infiniteMlp relu depth 3 n=1000 d=64', true),
  firstCall('matmul 2000×1 by 1×2000'),
  firstCall('empiricalNtk n=1000 [512,512] k=1'),
];

/** Waits, a second at a time and `maxMs` at most, until the machine's other processes keep less than half a core busy. */
async function quieter(maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    const others = otherProcesses();
    await sleep(1000);
    if (!(others() > 0.5) || Date.now() >= until) return;
  }
}

function parseArguments(): { ci: boolean; filter: string | undefined; update: boolean } {
  try {
    const { values } = parseArgs({
      options: { ci: { type: 'boolean', default: false }, filter: { type: 'string' }, update: { type: 'boolean', default: false } },
      strict: true,
    });
    return { ci: values.ci, filter: values.filter, update: values.update };
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: npm run bench:check [-- --ci] [--filter <substring>] [--update]`);
    process.exit(1);
  }
}

const { ci, filter, update } = parseArguments();
const baseline: Baseline = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) : { measured: 'none yet', ratios: {} };
// Why a machine cannot measure the ratios that need something, if it cannot.
const unmet: Record<NonNullable<Ratio['needs']>, () => string | undefined> = {
  numpy: () => (numpyGroups().length === 0 ? 'python3 with numpy and scipy not found' : undefined),
  'two cores': () => (os.availableParallelism() < 2 ? 'this machine has one core' : undefined),
};
let selected = RATIOS.filter((r) => (!ci || r.ci) && (!filter || filter.split('|').some((part) => r.name.includes(part))));
for (const [needs, why] of Object.entries(unmet)) {
  const wanting = selected.filter((r) => r.needs === needs);
  const reason = wanting.length > 0 ? why() : undefined;
  if (reason === undefined) continue;
  console.log(`${reason}: skipping ${wanting.map((r) => r.name).join(', ')}`);
  selected = selected.filter((r) => r.needs !== needs);
}
const started = performance.now();
const rows: string[] = [];
const failed: string[] = [];
for (const ratio of selected) {
  const base = baseline.ratios[ratio.name];
  const threshold = base === undefined ? 0 : (1 - TOLERANCE) * base;
  // A check measures a ratio below its threshold again, once the machine is quieter, and keeps the best
  // measurement. --update measures every ratio that many times, each once the machine is quieter, and keeps the
  // lowest: some ratios have two modes (calls that copy their result fast or slowly), and the baseline is the lower.
  const attempts: { value: number; others: number }[] = [];
  do {
    if (update || attempts.length > 0) await quieter(update ? 30_000 : 10_000);
    const others = otherProcesses();
    const value = await ratio.measure();
    attempts.push({ value, others: others() });
  } while (attempts.length < ATTEMPTS && (update || Math.max(...attempts.map((a) => a.value)) < threshold));
  const kept = attempts.reduce((a, b) => ((update ? b.value < a.value : b.value > a.value) ? b : a));
  const change = base === undefined ? '' : `${((kept.value / base - 1) * 100).toFixed(0)} %`;
  // Two threads wait for the slower of them, two processes do not: while other processes hold one of the two
  // cores, a thread ratio is not judged.
  const busy = ratio.needs === 'two cores' && attempts.every((a) => a.others > 0.5);
  const verdict = update
    ? 'updated'
    : base === undefined
      ? 'new: no baseline'
      : kept.value >= threshold
        ? 'ok'
        : busy
          ? 'not judged: other processes held a core'
          : 'FAIL';
  if (verdict === 'FAIL') failed.push(ratio.name);
  if (update) baseline.ratios[ratio.name] = Number(kept.value.toPrecision(3));
  const shown = kept.value.toFixed(3) + (attempts.length === 1 ? '' : ` (of ${attempts.map((a) => a.value.toFixed(3)).join(', ')})`);
  rows.push(`| ${ratio.name} | ${base?.toFixed(3) ?? ''} | ${shown} | ${change} | ${kept.others.toFixed(1)} | ${verdict} |`);
  console.log(rows.at(-1));
}
const table = ['| ratio | baseline | now | change | other processes, cores | |', '|---|---:|---:|---:|---:|---|', ...rows].join('\n');
console.log(
  `\n${table}\n\n${selected.length} ratios in ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
    `a ratio fails below ${(1 - TOLERANCE) * 100} % of its baseline (baseline: ${baseline.measured})`,
);
if (failed.length > 0) console.log(`\nFAILED: ${failed.length} ratio(s) more than 25 % below the baseline: ${failed.join('; ')}`);
if (update) {
  const command = ['npm run bench:check --', ...process.argv.slice(2)].join(' ');
  baseline.measured =
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ` +
    `Node ${process.version}, \`${command}\` on ${revision()}`;
  writeFileSync(BASELINE, JSON.stringify(baseline, undefined, 2) + '\n');
  writeSection(
    'npm run bench:check',
    [
      '## Regression guard: `npm run bench:check`',
      '',
      'Ratios of two timings taken side by side in one run, so that the speed of the machine cancels out, checked',
      'against the baseline in `bench/baseline.json`: a ratio more than 25 % below its baseline fails the check',
      '(exit code 1, with a table of the ratios, baseline against now). Each implementation runs alone in a fresh',
      'process (`bench/child.ts` on the workloads of `bench/guard.ts`, `bench/numpy_peer.py --serve`); the two of a',
      'ratio are called in turns, after three warm-up calls each, in 9 rounds of about 100 ms each, and the ratio',
      'is the median of the rounds. WASM runs on one thread against ts and numpy (one thread too), so that another',
      'process busy on one core slows both sides alike. A thread ratio compares 2 threads with what the machine',
      'gives two processes running the 1-thread workload at once: their time per call over twice the time of the',
      '2-thread call, 1 when two threads do the work of two processes. The second thread gets what the machine has',
      'to give (two vCPUs on hyperthreads of one core gain less on SIMD code than on anything else, and a CPU quota',
      'or a neighbour in the same VM shows nowhere in /proc), so the ratio is of the threading alone. And',
      'the result copy (`matmul 2000×1 by 1×2000`, a 4-million-double result of trivial work) runs on the default',
      'configuration, where results come out of shared memory. "first call" ratios are the median, over 3 fresh',
      'processes, of calls 2–8 over call 1. A failing ratio is measured again, up to three times in all, each time',
      'after waiting (at most 10 s) for the other processes on the machine to use less than half a core; the best',
      'of the measurements counts, and the table shows how many cores the other processes kept busy during it. A',
      'thread ratio below its threshold while other processes kept more than half a core busy during each of its',
      "measurements is not judged (two threads wait for the slower), and says so. The guard's",
      'kernel workloads write into `out`, so that they measure the computation, not how fast the machine hands out',
      'fresh pages for a new result (which the copy ratio measures). `--ci` runs the subset marked',
      'below (no python; 20 to 30 s on this machine when it is quiet, under a minute while other processes keep a',
      'core busy; `.ci/run` runs it after the tests). Without numpy the numpy ratios are skipped, and on one core',
      'the thread ratios, saying so. `npm run bench:check -- --update` measures each ratio three times, each once',
      'the machine is quieter (waiting 30 s at most), keeps the lowest, and rewrites the baseline and this table:',
      'some ratios have two modes (calls that copy their result out of WASM memory fast or slowly, issue 25), and',
      'the baseline is the lower. `npm run bench:check` first builds what is older than its sources',
      '(`scripts/build-if-stale.mjs`). The whole check takes about 2 minutes, `--update` 6 to 12.',
      '',
      `Baseline: ${baseline.measured}.`,
      '',
      '| ratio | what it divides | CI | baseline |',
      '|---|---|---|---:|',
      ...RATIOS.filter((r) => baseline.ratios[r.name] !== undefined).map(
        (r) => `| ${r.name} | ${r.meaning} | ${r.ci ? 'yes' : ''} | ${baseline.ratios[r.name].toFixed(3)} |`,
      ),
    ].join('\n'),
  );
  console.log('wrote bench/baseline.json and its table in docs/benchmarks.md');
}
process.exit(failed.length > 0 ? 1 : 0);
