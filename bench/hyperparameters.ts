// Issue 28's figures on hyperparameters, on real data: the first 2000 flights of vega-datasets' flights-2k.json (hour
// of departure, weekday, distance and the two airports' longitudes as features, standardized; the arrival delay as the
// target, standardized). (1) The NNGP and NTK of a depth-3 ReLU network (4 dense layers, wStd and bStd each: 8
// hyperparameters) with all 16 derivatives, beside the kernels alone, on WASM and ts, and PyTorch computing the same
// kernels and derivatives by forward-mode autodiff (bench/torch_hyperparameters_peer.py, float64, 1 and 2 threads).
// (2) fitHyperparameters on the NNGP of that network with one wStd and one bStd shared by its layers and the noise,
// beside scikit-learn's GaussianProcessRegressor fitting RBF + WhiteKernel on the same data (a different model: the
// time of the usual tool for the same task). Each is a first call in a fresh process, then repeated calls.
// Usage: npm run bench:hyperparameters [-- --no-write]   (writes its table into docs/benchmarks.md)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Matrix, backendInfo, dense, fitHyperparameters, infinite, logMarginalLikelihood, ready, relu, serial } from '../src/index.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs } from './spawn.js';
import { type BenchCase, medianMs, onBackend } from './suite.js';

const N = 2000;
const KERNELS = `NNGP+NTK depth-3 ReLU, n=${N}`;
const FIT = `fitHyperparameters depth-3 ReLU NNGP, n=${N}`;
const EVALUATION = `logMarginalLikelihood with its gradient, n=${N}`;

interface Flight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

/** The flights as standardized features and targets (also what the Python peers read, from bench/flights-2k.json). */
export function flightData(): { x: Matrix; y: Matrix } {
  const flights = JSON.parse(readFileSync(new URL('../node_modules/vega-datasets/data/flights-2k.json', import.meta.url), 'utf8')) as Flight[];
  const airports = new Map(
    readFileSync(new URL('../node_modules/vega-datasets/data/airports.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','))
      .map((fields) => [fields[0], Number(fields.at(-1))] as const),
  );
  const rows = flights.slice(0, N).map((f) => {
    const when = new Date(`${f.date.replaceAll('/', '-').replace(' ', 'T')}Z`);
    return [
      when.getUTCHours() + when.getUTCMinutes() / 60,
      when.getUTCDay(),
      Math.log(f.distance),
      airports.get(f.origin) ?? 0,
      airports.get(f.destination) ?? 0,
    ];
  });
  const standardize = (columns: number[][]) => {
    const d = columns[0].length;
    const mean = Array.from({ length: d }, (_, j) => columns.reduce((s, r) => s + r[j], 0) / columns.length);
    const sd = Array.from({ length: d }, (_, j) => Math.sqrt(columns.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / columns.length) || 1);
    return Matrix.from(columns.map((r) => r.map((v, j) => (v - mean[j]) / sd[j])));
  };
  return { x: standardize(rows), y: standardize(flights.slice(0, N).map((f) => [f.delay])) };
}

export const hyperparameterModel = () =>
  infinite(
    serial(
      dense(512, { wStd: 1.4, bStd: 0.1 }),
      relu(),
      dense(512, { wStd: 1.4, bStd: 0.1 }),
      relu(),
      dense(512, { wStd: 1.4, bStd: 0.1 }),
      relu(),
      dense(1, { wStd: 1.4, bStd: 0.1 }),
    ),
    { inputShape: [5] },
  );

export function hyperparameterCases(): BenchCase[] {
  const { x, y } = flightData();
  const model = hyperparameterModel();
  const names = Object.keys(model.hyperparameters());
  const groups = [names.filter((name) => name.endsWith('wStd')), names.filter((name) => name.endsWith('bStd'))];
  // The ts backend's fit would take its one evaluation's time (below) some 30 times over: one evaluation is timed instead.
  return [
    ...(['wasm', 'ts'] as const).flatMap((backend) => [
      onBackend(backend, KERNELS, undefined, () => model.kernels(x)),
      { ...onBackend(backend, KERNELS, undefined, () => model.kernelGradients(x)), impl: `${backend} with 16 derivatives` },
      onBackend(backend, EVALUATION, undefined, () => logMarginalLikelihood(model, x, y, { noise: 0.5 })),
    ]),
    onBackend('wasm', FIT, undefined, () => fitHyperparameters(model, x, y, { hyperparameters: groups, noise: 0.5 })),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, strict: true });
  await ready();
  const info = backendInfo();
  const rows: string[] = [];
  const row = (group: string, impl: string, firstMs: number, ms: number | null, note = '') =>
    `| ${group} | ${impl} | ${(firstMs / 1000).toFixed(2)} | ${ms === null ? '—' : (ms / 1000).toFixed(2)} | ${note} |`;
  for (const c of hyperparameterCases()) {
    const slow = c.impl.startsWith('ts');
    const first = await firstCallMs('hyperparameters', c.group, c.impl);
    const median = await medianMs(c, { time: 0, iterations: slow ? 1 : 3, warmupTime: 0, warmupIterations: slow ? 0 : 1 });
    rows.push(row(c.group, c.impl, first, median));
    console.log(rows.at(-1));
  }
  const fit = fitHyperparameters(hyperparameterModel(), flightData().x, flightData().y, {
    hyperparameters: [
      ['model.serial[0].wStd', 'model.serial[2].wStd', 'model.serial[4].wStd', 'model.serial[6].wStd'],
      ['model.serial[0].bStd', 'model.serial[2].bStd', 'model.serial[4].bStd', 'model.serial[6].bStd'],
    ],
    noise: 0.5,
  });
  const fitNote = `${fit.iterations} iterations, ${fit.evaluations} evaluations: wStd ${fit.hyperparameters['model.serial[0].wStd'].toFixed(3)}, bStd ${fit.hyperparameters['model.serial[0].bStd'].toFixed(3)}, noise ${fit.noise.toFixed(3)}, log p(y) ${fit.logMarginalLikelihood.toFixed(2)}`;
  rows.push(`| ${FIT} | (the fit) | | | ${fitNote} |`);
  for (const threads of [1, 2]) {
    try {
      const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
      const line = execFileSync('/usr/bin/python3', [fileURLToPath(new URL('./torch_hyperparameters_peer.py', import.meta.url)), String(threads)], {
        encoding: 'utf8',
        env,
        input: JSON.stringify(flightData().x.toArray()),
      });
      const { impl, firstMs, ms } = JSON.parse(line) as { impl: string; firstMs: number; ms: number };
      rows.push(row(KERNELS, impl, firstMs, ms));
      console.log(rows.at(-1));
    } catch (error) {
      console.log(`PyTorch peer skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  try {
    const { x, y } = flightData();
    const line = execFileSync('/usr/bin/python3', [fileURLToPath(new URL('./sklearn_gp_peer.py', import.meta.url))], {
      encoding: 'utf8',
      input: JSON.stringify({ x: x.toArray(), y: y.toArray() }),
    });
    const { impl, firstMs, note } = JSON.parse(line) as { impl: string; firstMs: number; note: string };
    rows.push(row(FIT, impl, firstMs, null, note));
    console.log(rows.at(-1));
  } catch (error) {
    console.log(`scikit-learn peer skipped: ${(error as Error).message.split('\n')[0]}`);
  }
  const markdown = [
    '## Hyperparameter derivatives and fits: `npm run bench:hyperparameters`',
    '',
    `On the first ${N} flights of vega-datasets' \`flights-2k.json\` (5 standardized features; the delay as target), the`,
    'NNGP and NTK of a depth-3 ReLU network (`dense(512) → relu` three times, then `dense(1)`: 8 hyperparameters) alone and with',
    'their 16 derivatives (`kernelGradients`), beside PyTorch computing the same kernels and derivatives by forward-mode',
    "autodiff (functorch's `jvp`, once per direction, `bench/torch_hyperparameters_peer.py`, float64; a first call and a second); and",
    '`fitHyperparameters` on that NNGP with one wStd and one bStd shared by the layers plus the noise, beside',
    "scikit-learn's `GaussianProcessRegressor(RBF() + WhiteKernel())` fit on the same data (`bench/sklearn_gp_peer.py`: another model,",
    'the usual tool for the task). `bench/hyperparameters.ts`.',
    `WASM in the default configuration (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads). The first call is the first in a fresh`,
    'process; then medians of repeated calls (3 for WASM, 1 for ts). The ts backend is timed on one evaluation of the',
    'likelihood with its gradient (`logMarginalLikelihood`) rather than on the whole fit, which makes about 30 of them.',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| workload | implementation | first call s | median s | notes |',
    '|---|---|---:|---:|---|',
    ...rows,
  ].join('\n');
  if (!values['no-write']) writeSection('npm run bench:hyperparameters', markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}
