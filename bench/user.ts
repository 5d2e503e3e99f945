// What a user sees, call by call (issue 25's figures): each workload in a fresh process, its calls timed in
// order from the first after ready(), on the default configuration (relaxed SIMD, every core), with and without
// `out` where results are large. Prints a Markdown table and writes it into docs/benchmarks.md (not with --skip or
// --no-write); `--skip falkon` leaves out the 45-second Falkon fits.
// Usage: node --experimental-wasm-relaxed-simd --import tsx bench/user.ts [--skip <name>[,<name>…]]
//        npm run bench:user [-- --skip <name>,…] (builds what is stale first)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  Falkon,
  Matrix,
  conv,
  dense,
  empiricalNtk,
  globalAvgPool,
  gram,
  infinite,
  infiniteMlp,
  matmul,
  mlp,
  rbfKernel,
  ready,
  relu,
  serial,
  setBackend,
} from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { revision, writeSection } from './docs.js';

interface Workload {
  /** What the row says. */
  name: string;
  /** Calls to time, in order. */
  calls: number;
  /** Makes the inputs (not timed) and returns one call. */
  make: () => () => unknown;
  /** How the row sums the calls up. */
  summary: (ms: number[]) => string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 100 ? 1 : 0)} ms`);
const list = (values: number[]) => values.map((v) => (v >= 1000 ? (v / 1000).toFixed(2) : v.toFixed(0))).join(' ');

/** First call against the later ones. */
const firstVsLater = (values: number[]) => {
  const later = median(values.slice(1));
  return `first ${ms(values[0])}, later ${list(values.slice(1))} (median ${ms(later)}), first/later ${(values[0] / later).toFixed(2)}`;
};
/** Calls 1–10 against the median of calls 11–20. */
const tenAndTen = (values: number[]) => {
  const steady = median(values.slice(10));
  return `calls 1–10: ${list(values.slice(0, 10))} ms; median of 11–20 ${ms(steady)}; worst of 1–10 / that ${(Math.max(...values.slice(0, 10)) / steady).toFixed(2)}`;
};
const meanOf = (values: number[]) => `mean ${ms(mean(values))} (${list(values)} ms)`;

/** The NNGP and NTK of a depth-3 relu MLP on 2000 points in 64 dimensions, into `out` if given. */
function reluKernels(out?: { nngp: Matrix; ntk: Matrix }): () => unknown {
  const x = uniformMatrix(2000, 64, 10);
  const kernel = infiniteMlp({ depth: 3, activation: 'relu', wStd: Math.SQRT2, bStd: 0.1 });
  return () => kernel.kernels(x, undefined, { out });
}
const column = () => uniformMatrix(2000, 1, 1);
const row = () => uniformMatrix(1, 2000, 2);

/**
 * A 2000 × 2000 result of trivial work, as two workloads: a new matrix per call (`out` undefined), and into the
 * same `out`. 9 calls each, summed up by their mean.
 */
function largeResult(key: string, name: string, make: (out: Matrix | undefined) => () => unknown): Record<string, Workload> {
  return {
    [key]: { name, calls: 9, make: () => make(undefined), summary: meanOf },
    [`${key}Out`]: { name: 'same, into `out`', calls: 9, make: () => make(new Matrix(2000, 2000)), summary: meanOf },
  };
}

const WORKLOADS: Record<string, Workload> = {
  train: {
    name: '`train` 100 steps, mlp 64→[512,512]→1, n=1000 (after a 2-step call)',
    calls: 3,
    make: () => {
      const net = mlp({ inputDim: 64, widths: [512, 512], outputDim: 1, activation: 'relu', seed: 0 });
      const x = uniformMatrix(1000, 64, 1);
      const y = uniformMatrix(1000, 1, 2);
      net.train(x, y, { steps: 2, learningRate: 0.01 });
      return () => net.train(x, y, { steps: 100, learningRate: 0.01 });
    },
    summary: firstVsLater,
  },
  infiniteMlp: { name: 'infiniteMlp relu depth 3, n=2000 d=64, `kernels(x)`', calls: 20, make: () => reluKernels(), summary: tenAndTen },
  infiniteMlpOut: {
    name: 'same, into `out`',
    calls: 20,
    make: () => reluKernels({ nngp: new Matrix(2000, 2000), ntk: new Matrix(2000, 2000) }),
    summary: tenAndTen,
  },
  infiniteMlpTs: {
    name: 'same, ts backend',
    calls: 3,
    make: () => {
      setBackend('ts');
      return reluKernels();
    },
    summary: (values) => `median ${ms(median(values))} (${list(values)} ms)`,
  },
  ...largeResult('gram', '`gram` of 2000×1 (a 4-million-double result)', (out) => {
    const a = column();
    return () => gram(a, { out });
  }),
  ...largeResult('matmul', '`matmul` of 2000×1 by 1×2000', (out) => {
    const [a, b] = [column(), row()];
    return () => matmul(a, b, { out });
  }),
  ...largeResult('rbf', '`rbfKernel()` of 2000×1', (out) => {
    const [a, kernel] = [column(), rbfKernel({ lengthscale: 1 })];
    return () => kernel(a, undefined, { out });
  }),
  structuredNtk: {
    name: 'structured empirical NTK, n=1000 [512,512]',
    calls: 5,
    make: () =>
      (
        (net, x) => () =>
          empiricalNtk(net, x)
      )(mlp({ inputDim: 64, widths: [512, 512], activation: 'relu', seed: 0 }), uniformMatrix(1000, 64, 11)),
    summary: firstVsLater,
  },
  cntk: {
    name: 'CNTK globalAvgPool 8×8, n=200 (3×3 SAME conv + relu, ×3)',
    calls: 3,
    make: () => {
      const block = () => [conv(1, [3, 3], { padding: 'SAME' }), relu()];
      const kernel = infinite(serial(...block(), ...block(), ...block(), globalAvgPool(), dense(1)), { inputShape: [8, 8, 1] });
      const x = uniformMatrix(200, 64, 1);
      return () => kernel.kernels(x);
    },
    summary: firstVsLater,
  },
  falkon: {
    name: 'Falkon n=200,000 d=8, 2000 centers, 20 iterations (RBF ℓ=2)',
    calls: 3,
    make: () => {
      const x = uniformMatrix(200_000, 8, 1);
      const y = uniformMatrix(200_000, 1, 2);
      const kernel = rbfKernel({ lengthscale: 2 });
      return () => new Falkon(kernel, { ridge: 1, centers: 2000, maxIterations: 20, tolerance: 0 }).fit(x, y);
    },
    summary: firstVsLater,
  },
};

const { values } = parseArgs({
  options: { workload: { type: 'string' }, skip: { type: 'string', default: '' }, 'no-write': { type: 'boolean', default: false } },
  strict: true,
});
if (values.workload !== undefined) {
  // One workload, in this fresh process: prints its call times.
  await ready();
  const workload = WORKLOADS[values.workload];
  const call = workload.make();
  const times: number[] = [];
  for (let i = 0; i < workload.calls; i++) {
    const start = performance.now();
    call();
    times.push(performance.now() - start);
  }
  console.log(JSON.stringify(times));
  process.exit(0);
}
const skipped = values.skip.split(',').filter((name) => name !== '');
const rows = ['| workload | calls, from the first after `ready()` |', '|---|---|'];
console.log(rows.join('\n'));
for (const [key, workload] of Object.entries(WORKLOADS)) {
  if (skipped.includes(key)) continue;
  const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--workload', key], { encoding: 'utf8' });
  rows.push(`| ${workload.name} | ${workload.summary(JSON.parse(output.trim().split('\n').at(-1)!))} |`);
  console.log(rows.at(-1));
}
if (!values['no-write'] && skipped.length === 0) {
  writeSection(
    'npm run bench:user',
    [
      '## Call by call, as a user sees it: `npm run bench:user`',
      '',
      'Each workload alone in a fresh process, its calls timed in order from the first after `ready()` on the default',
      'configuration (relaxed SIMD, both cores), with and without `out` where results are large (bench/user.ts). A',
      'first call pays for every page of memory it touches first: this machine (a Firecracker VM) faults fresh memory',
      'in at about 2.7 ms per MB, and WASM memory grows on the first call at a size; a new result pays the same where',
      'the C allocator has handed freed memory back to the system, which makes calls without `out` alternate.',
      '',
      `Command: \`npm run bench:user\`, on commit ${revision()}, ${new Date().toISOString().slice(0, 10)}, ` +
        `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}.`,
      '',
      ...rows,
    ].join('\n'),
  );
  console.log('wrote its table in docs/benchmarks.md');
}
