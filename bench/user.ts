// What a user sees, call by call (issue 25's figures): each workload in a fresh process, its calls timed in
// order from the first after ready(), on the default configuration (relaxed SIMD, every core), with and without
// `out` where results are large. Prints a Markdown table; `--skip falkon` leaves out the 45-second Falkon fits.
// Usage: node --experimental-wasm-relaxed-simd --import tsx bench/user.ts [--skip <name>[,<name>…]]
//        npm run bench:user [-- --skip <name>,…] (builds what is stale first)
import { execFileSync } from 'node:child_process';
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

const n2000 = () => uniformMatrix(2000, 64, 10);
const reluMlp = () => infiniteMlp({ depth: 3, activation: 'relu', wStd: Math.SQRT2, bStd: 0.1 });
const column = () => uniformMatrix(2000, 1, 1);
const row = () => uniformMatrix(1, 2000, 2);

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
  infiniteMlp: {
    name: 'infiniteMlp relu depth 3, n=2000 d=64, `kernels(x)`',
    calls: 20,
    make: () => {
      const x = n2000();
      const kernel = reluMlp();
      return () => kernel.kernels(x);
    },
    summary: tenAndTen,
  },
  infiniteMlpOut: {
    name: 'same, into `out`',
    calls: 20,
    make: () => {
      const x = n2000();
      const kernel = reluMlp();
      const out = { nngp: new Matrix(2000, 2000), ntk: new Matrix(2000, 2000) };
      return () => kernel.kernels(x, undefined, { out });
    },
    summary: tenAndTen,
  },
  infiniteMlpTs: {
    name: 'same, ts backend',
    calls: 3,
    make: () => {
      setBackend('ts');
      const x = n2000();
      const kernel = reluMlp();
      return () => kernel.kernels(x);
    },
    summary: (values) => `median ${ms(median(values))} (${list(values)} ms)`,
  },
  gram: {
    name: '`gram` of 2000×1 (a 4-million-double result)',
    calls: 9,
    make: () =>
      (
        (a) => () =>
          gram(a)
      )(column()),
    summary: meanOf,
  },
  gramOut: {
    name: 'same, into `out`',
    calls: 9,
    make: () =>
      (
        (a, out) => () =>
          gram(a, { out })
      )(column(), new Matrix(2000, 2000)),
    summary: meanOf,
  },
  matmul: {
    name: '`matmul` of 2000×1 by 1×2000',
    calls: 9,
    make: () =>
      (
        (a, b) => () =>
          matmul(a, b)
      )(column(), row()),
    summary: meanOf,
  },
  matmulOut: {
    name: 'same, into `out`',
    calls: 9,
    make: () =>
      (
        (a, b, out) => () =>
          matmul(a, b, { out })
      )(column(), row(), new Matrix(2000, 2000)),
    summary: meanOf,
  },
  rbf: {
    name: '`rbfKernel()` of 2000×1',
    calls: 9,
    make: () =>
      (
        (a, k) => () =>
          k(a)
      )(column(), rbfKernel({ lengthscale: 1 })),
    summary: meanOf,
  },
  rbfOut: {
    name: 'same, into `out`',
    calls: 9,
    make: () =>
      (
        (a, k, out) => () =>
          k(a, undefined, { out })
      )(column(), rbfKernel({ lengthscale: 1 }), new Matrix(2000, 2000)),
    summary: meanOf,
  },
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

const { values } = parseArgs({ options: { workload: { type: 'string' }, skip: { type: 'string', default: '' } }, strict: true });
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
console.log('| workload | calls, from the first after `ready()` |\n|---|---|');
for (const [key, workload] of Object.entries(WORKLOADS)) {
  if (skipped.includes(key)) continue;
  const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--workload', key], { encoding: 'utf8' });
  console.log(`| ${workload.name} | ${workload.summary(JSON.parse(output.trim().split('\n').at(-1)!))} |`);
}
