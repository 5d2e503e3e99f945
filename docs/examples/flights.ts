// Flight delays at scale: kernel regression on the three million US flights of 2001 in vega-datasets
// (flights-3m.parquet, read with hyparquet; airport coordinates from airports.csv), and on flights-200k.json.
// Features of each flight: hour of day, weekday, month, distance, and the latitude and longitude of both airports
// (the 200k file has hour and distance only); target: the arrival delay in minutes. Every feature is standardized
// on the training rows and the targets centered. A random tenth of the flights is held out for testing.
//
// Compared on the same test rows: predicting the mean; linear regression; exact KernelRidge on 15,000 training
// rows (its 15,000² Gram matrix is 1.8 GB, and the exact solve costs n³/3 flops, so this is about where exact
// kernel regression stops on a laptop); and Falkon (Nyström centers + preconditioned conjugate gradients) on
// growing numbers of training rows up to all of them (m = 2000 centers), and on all of them with m = 1000 and
// m = 5000. Prints a table, draws test RMSE against training-set size and against fit time
// (flights-size.svg, flights-time.svg), and reports the peak resident memory of loading the data and the full fit.
//
// Usage: npm run example -- flights [--centers 2000] [--time-limit <s>]: m of the size sweep (default 2000); a time
// limit cancels every Falkon fit that runs longer, through its AbortSignal. About 25 minutes on two cores.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { Falkon, KernelRidge, Matrix, Random, linearRegression, rbfKernel } from 'ntk-wasm';
import { savePlot } from './output.js';

const { values: args } = parseArgs({ options: { centers: { type: 'string', default: '2000' }, 'time-limit': { type: 'string' } }, allowPositionals: true });
const m = Number(args.centers);
if (!Number.isInteger(m) || m < 1) throw new Error(`--centers must be a positive integer, got ${args.centers}`);
const timeLimit = args['time-limit'] === undefined ? Infinity : Number(args['time-limit']);
if (!(timeLimit > 0)) throw new Error(`--time-limit must be a positive number of seconds, got ${args['time-limit']}`);

const dataFile = (name: string) => new URL(`../../node_modules/vega-datasets/data/${name}`, import.meta.url);
// RBF length scale (in standard deviations of the features) and ridge per training row (Falkon's λ, so that the
// same amount of smoothing holds at every size), chosen on flights-3m (and used as they are for the 200k file) by
// validation grids inside the training rows (their first 20,000 as validation, never the test rows): KernelRidge
// on 6,000 rows over ℓ ∈ {0.5, 1, 1.5, 2, 2.5} × λ ∈ {1e-5 … 1e-2} (best ℓ 2, λ 1e-3: 31.831, ℓ 1.5 and 2.5 within
// 0.005), Falkon on 300,000 rows over ℓ ∈ {1.5, 2, 2.5} × λ ∈ {1e-4, 1e-5, 1e-6} (best ℓ 2, λ 1e-6: 30.986).
const LENGTHSCALE = 2;
const FALKON_RIDGE_PER_ROW = 1e-6;
const KERNEL_RIDGE_PER_ROW = 1e-3;
const KERNEL_RIDGE_ROWS = 15_000;

interface Flights {
  /** n × d, row-major. */
  features: Float64Array;
  delay: Float64Array;
  n: number;
  d: number;
}

/** Latitude and longitude of every airport by IATA code (the last two columns; names may hold quoted commas). */
function airports(): Map<string, [number, number]> {
  const lines = readFileSync(dataFile('airports.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((line) => {
    const fields = line.split(',');
    return [fields[0], [Number(fields[fields.length - 2]), Number(fields[fields.length - 1])]];
  }));
}

/** flights-3m.parquet, column chunk by column chunk into typed arrays (no row objects). */
async function loadParquet(): Promise<Flights> {
  const file = await asyncBufferFromFile(dataFile('flights-3m.parquet').pathname);
  const n = Number((await parquetMetadataAsync(file)).num_rows);
  const d = 8;
  const features = new Float64Array(n * d);
  const delay = new Float64Array(n);
  const coordinates = airports();
  const unknown = new Set<string>();
  const place = (code: string): [number, number] => {
    const found = coordinates.get(code);
    if (found === undefined) unknown.add(code);
    return found ?? [NaN, NaN];
  };
  await parquetRead({
    file,
    compressors,
    columns: ['date', 'delay', 'distance', 'origin', 'destination'],
    onChunk({ columnName, columnData, rowStart, rowEnd }) {
      for (let i = rowStart; i < rowEnd; i++) {
        const value = columnData[i - rowStart];
        const row = i * d;
        if (columnName === 'date') {
          const date = value as Date;
          features[row] = date.getUTCHours() + date.getUTCMinutes() / 60;
          features[row + 1] = date.getUTCDay();
          features[row + 2] = date.getUTCMonth();
        } else if (columnName === 'delay') {
          delay[i] = Number(value);
        } else if (columnName === 'distance') {
          features[row + 3] = Number(value);
        } else {
          const [latitude, longitude] = place(value as string);
          const at = row + (columnName === 'origin' ? 4 : 6);
          features[at] = latitude;
          features[at + 1] = longitude;
        }
      }
    },
  });
  if (unknown.size > 0) console.log(`  airports without coordinates (their flights are dropped): ${[...unknown].join(', ')}`);
  return dropIncomplete({ features, delay, n, d });
}

/** flights-200k.json: hour of day (`time`) and distance. */
function loadJson(): Flights {
  const rows = JSON.parse(readFileSync(dataFile('flights-200k.json'), 'utf8')) as { delay: number; distance: number; time: number }[];
  const d = 2;
  const features = new Float64Array(rows.length * d);
  rows.forEach((row, i) => {
    features[i * d] = row.time;
    features[i * d + 1] = row.distance;
  });
  return { features, delay: Float64Array.from(rows, (row) => row.delay), n: rows.length, d };
}

function dropIncomplete(data: Flights): Flights {
  const keep: number[] = [];
  for (let i = 0; i < data.n; i++) {
    let ok = Number.isFinite(data.delay[i]);
    for (let c = 0; c < data.d && ok; c++) ok = Number.isFinite(data.features[i * data.d + c]);
    if (ok) keep.push(i);
  }
  return take(data, keep);
}

function take(data: Flights, rows: ArrayLike<number>): Flights {
  const { d } = data;
  const features = new Float64Array(rows.length * d);
  const delay = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    features.set(data.features.subarray(rows[r] * d, (rows[r] + 1) * d), r * d);
    delay[r] = data.delay[rows[r]];
  }
  return { features, delay, n: rows.length, d };
}

/** A random permutation of 0 … n − 1 (seeded). */
function permutation(n: number, seed: number): Int32Array {
  const random = new Random(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Standardizes features with the training rows' means and deviations, and centers the delays on theirs. */
function standardize(train: Flights, test: Flights): { x: Matrix; y: Matrix; xTest: Matrix; yTest: Float64Array; meanDelay: number } {
  const { d } = train;
  const mean = new Float64Array(d);
  const deviation = new Float64Array(d);
  for (let i = 0; i < train.n; i++) for (let c = 0; c < d; c++) mean[c] += train.features[i * d + c] / train.n;
  for (let i = 0; i < train.n; i++) for (let c = 0; c < d; c++) deviation[c] += (train.features[i * d + c] - mean[c]) ** 2 / train.n;
  const scaled = (f: Float64Array) => f.map((v, i) => (v - mean[i % d]) / Math.sqrt(deviation[i % d]));
  const meanDelay = train.delay.reduce((s, v) => s + v, 0) / train.n;
  return {
    x: new Matrix(train.n, d, scaled(train.features)),
    y: new Matrix(train.n, 1, train.delay.map((v) => v - meanDelay)),
    xTest: new Matrix(test.n, d, scaled(test.features)),
    yTest: test.delay,
    meanDelay,
  };
}

const rmse = (predicted: ArrayLike<number>, offset: number, actual: Float64Array) => {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (predicted[i] + offset - actual[i]) ** 2;
  return Math.sqrt(sum / actual.length);
};

/** The first `rows` rows of x and y (the training rows are in random order already). */
const head = (x: Matrix, y: Matrix, rows: number) => [new Matrix(rows, x.cols, x.data.subarray(0, rows * x.cols)), new Matrix(rows, 1, y.data.subarray(0, rows))] as const;

/** A progress bar on the terminal (stderr), redrawn in place. */
function progressBar(label: string) {
  const started = performance.now();
  let last = -1;
  return (done: number, total: number) => {
    const percent = Math.floor((100 * done) / total);
    if (percent === last || !process.stderr.isTTY) return;
    last = percent;
    const filled = Math.round(percent / 4);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    process.stderr.write(`\r  ${label} [${'#'.repeat(filled)}${'.'.repeat(25 - filled)}] ${String(percent).padStart(3)}% ${seconds} s`);
    if (done >= total) process.stderr.write('\r\x1b[K');
  };
}

/** The resident set's high-water mark so far (Linux), in MB. */
function peakRssMb(): number | undefined {
  if (!existsSync('/proc/self/status')) return undefined;
  const found = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return found ? Number(found[1]) / 1024 : undefined;
}

interface Result { method: string; rows: number; seconds: number; rmse: number; note?: string }

/**
 * Falkon with m centers on growing numbers of training rows up to all of them, and on all of them with each of
 * `otherCenters`; then the mean, linear regression and (when `withKernelRidge`) exact KernelRidge. `reportPeak`: the
 * process's memory high-water mark after the first fit (the first study only: later ones inherit the earlier peak).
 */
async function study(name: string, data: Flights, sizes: number[], otherCenters: number[], withKernelRidge: boolean, reportPeak: boolean): Promise<Result[]> {
  const order = permutation(data.n, 7);
  const testRows = Math.round(data.n / 10);
  const test = take(data, order.subarray(0, testRows));
  const train = take(data, order.subarray(testRows));
  const { x, y, xTest, yTest, meanDelay } = standardize(train, test);
  console.log(`\n${name}: ${train.n.toLocaleString('en-US')} training and ${test.n.toLocaleString('en-US')} test flights, ${data.d} features`);
  const results: Result[] = [];
  const report = (result: Result) => {
    results.push(result);
    console.log(`  ${result.method.padEnd(34)} ${result.rows.toLocaleString('en-US').padStart(10)} rows  ${result.seconds.toFixed(1).padStart(7)} s  RMSE ${result.rmse.toFixed(3)} min${result.note ? `  (${result.note})` : ''}`);
  };
  const kernel = rbfKernel({ lengthscale: LENGTHSCALE });

  // The full fit first, so that the memory high-water mark is that of loading the data and this fit.
  const runs = [...[...sizes.filter((s) => s < train.n), train.n].reverse().map((rows) => ({ rows, centers: m })), ...otherCenters.map((centers) => ({ rows: train.n, centers }))];
  for (const [i, { rows, centers }] of runs.entries()) {
    const [xs, ys] = head(x, y, rows);
    const started = performance.now();
    const bar = progressBar(`Falkon, ${rows.toLocaleString('en-US')} rows, m = ${centers}`);
    // The fit runs on this thread, so the time limit aborts its signal from the fit's own progress reports; the
    // fit then stops before its next block of rows.
    const controller = new AbortController();
    const onProgress = (done: number, total: number) => {
      bar(done, total);
      if (performance.now() - started > 1000 * timeLimit) controller.abort(new DOMException(`longer than the ${timeLimit} s time limit`, 'AbortError'));
    };
    let model: Falkon;
    try {
      model = new Falkon(kernel, { ridge: FALKON_RIDGE_PER_ROW * rows, centers: Math.min(centers, rows), maxIterations: 20, onProgress, signal: controller.signal }).fit(xs, ys);
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      console.log(`  Falkon, m = ${centers}, ${rows.toLocaleString('en-US')} rows: cancelled after ${((performance.now() - started) / 1000).toFixed(1)} s (${(error as Error).message})`);
      continue;
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = reportPeak && i === 0 ? peakRssMb() : undefined;
    const convergence = `${model.iterations} iterations, residual ${model.residual.toExponential(1)}${model.converged ? '' : ', not converged'}`;
    report({ method: `Falkon, m = ${centers}`, rows, seconds, rmse: rmse(model.predict(xTest).data, meanDelay, yTest), note: peak === undefined ? convergence : `${convergence}; peak RSS ${peak.toFixed(0)} MB` });
  }
  report({ method: 'the training mean', rows: train.n, seconds: 0, rmse: rmse(new Float64Array(test.n), meanDelay, yTest) });
  {
    const started = performance.now();
    const withBias = (features: Matrix) => new Matrix(features.rows, features.cols + 1, Float64Array.from({ length: features.rows * (features.cols + 1) }, (_, i) => {
      const c = i % (features.cols + 1);
      return c === features.cols ? 1 : features.data[Math.floor(i / (features.cols + 1)) * features.cols + c];
    }));
    const model = linearRegression(withBias(x), y, { ridge: 1e-9 });
    report({ method: 'linear regression', rows: train.n, seconds: (performance.now() - started) / 1000, rmse: rmse(model.predict(withBias(xTest)).data, meanDelay, yTest) });
  }
  if (withKernelRidge) {
    const rows = Math.min(KERNEL_RIDGE_ROWS, train.n);
    const [xs, ys] = head(x, y, rows);
    const started = performance.now();
    const model = new KernelRidge(kernel, { ridge: KERNEL_RIDGE_PER_ROW * rows }).fit(xs, ys);
    // Predicted in blocks of test rows: all of them at once would be a test × 15,000 matrix.
    const predicted = new Float64Array(test.n);
    for (let r0 = 0; r0 < test.n; r0 += 2000) {
      const r1 = Math.min(test.n, r0 + 2000);
      predicted.set(model.predict(new Matrix(r1 - r0, xTest.cols, xTest.data.subarray(r0 * xTest.cols, r1 * xTest.cols))).data, r0);
    }
    report({ method: 'exact KernelRidge', rows, seconds: (performance.now() - started) / 1000, rmse: rmse(predicted, meanDelay, yTest) });
  }
  return results;
}

const results3m = await study('flights-3m.parquet', await loadParquet(), [10_000, 30_000, 100_000, 300_000, 1_000_000], [1000, 5000], true, true);
const results200k = await study('flights-200k.json', loadJson(), [10_000, 30_000, 100_000], [1000, 5000], false, false);

const falkonSeries = (results: Result[], label: string, color: string, against: 'rows' | 'seconds') => {
  const points = results.filter((r) => r.method === `Falkon, m = ${m}`).sort((a, b) => a.rows - b.rows);
  return { label, x: points.map((p) => p[against]), y: points.map((p) => p.rmse), markers: true, color };
};
const single = (results: Result[], method: string) => results.find((r) => r.method === method)!;
for (const [against, xLabel, suffix] of [['rows', 'training flights', 'size'], ['seconds', 'fit time (s)', 'time']] as const) {
  const references = ['the training mean', 'linear regression', 'exact KernelRidge'].map((method, i) => {
    const r = single(results3m, method);
    const x = against === 'rows' ? r.rows : Math.max(r.seconds, 0.1);
    return { label: `${method} (3M)`, x: [x], y: [r.rmse], style: 'points' as const, color: ['#7f7f7f', '#ff7f0e', '#2ca02c'][i] };
  });
  await savePlot(`flights-${suffix}`, {
    title: `Flight delays: test RMSE against ${against === 'rows' ? 'training-set size' : 'fit time'} (m = ${m})`,
    xLabel,
    yLabel: 'test RMSE (minutes)',
    logX: true,
    series: [falkonSeries(results3m, `Falkon, flights-3m (8 features, m = ${m})`, '#1f77b4', against), falkonSeries(results200k, `Falkon, flights-200k (2 features, m = ${m})`, '#d62728', against), ...references],
  });
}
// The largest Falkon fit that finished (all training rows unless --time-limit cancelled it).
const falkonFull = results3m.filter((r) => r.method === `Falkon, m = ${m}`).sort((a, b) => b.rows - a.rows)[0];
const exact = single(results3m, 'exact KernelRidge');
if (falkonFull === undefined) {
  console.log(`\nEvery Falkon fit was cancelled (--time-limit ${timeLimit}); exact KernelRidge on ${exact.rows.toLocaleString('en-US')}: ${exact.rmse.toFixed(3)}`);
} else {
  console.log(`\nFalkon on ${falkonFull.rows.toLocaleString('en-US')} training flights: RMSE ${falkonFull.rmse.toFixed(3)} in ${falkonFull.seconds.toFixed(0)} s; ` +
    `exact KernelRidge on ${exact.rows.toLocaleString('en-US')}: ${exact.rmse.toFixed(3)} (${falkonFull.rmse <= exact.rmse ? 'Falkon is better' : 'KernelRidge is better'})`);
}
