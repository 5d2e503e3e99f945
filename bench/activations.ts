// Every activation at infinite width (issue 27's figure), and fanInProd after relu: NNGP and NTK of a depth-3 model, dense → φ three times
// → dense, on 500 points in 64 dimensions, into `out` (the computation, not the machine's fresh pages), on WASM
// (default configuration) and ts; relu measured next to each activation, so that "÷ relu" compares two timings
// taken side by side. The first call is each case's first after ready() in a fresh process (bench/child.ts). Then the
// ops on positions (convTranspose, convLocal, imageResize, 3-D convolutions) the same way, in depth-3 CNNs on 500 sequences of 16 positions × 4 channels read out
// by globalAvgPool (every pair of positions kept), beside the same CNN with conv.
// Usage: npm run bench:activations [-- --filter <substring>[|<substring>…]] [--no-write]   (writes its table into
// docs/benchmarks.md unless filtered or --no-write)
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type Layer,
  Matrix,
  abRelu,
  abs,
  backendInfo,
  avgPool,
  conv,
  convLocal,
  convTranspose,
  cos,
  dense,
  dropout,
  elementwise,
  elementwiseNumerical,
  erf,
  exp,
  expNormalized,
  fanInProd,
  fanOut,
  gabor,
  gaussian,
  gelu,
  globalAvgPool,
  hermite,
  imageResize,
  infinite,
  leakyRelu,
  monomial,
  parallel,
  polynomial,
  rbf,
  ready,
  rectifiedMonomial,
  relu,
  serial,
  sigmoid,
  sign,
  sin,
  tanh,
} from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { revision, writeSection } from './docs.js';
import { firstCallMs } from './spawn.js';
import { type BenchCase, medianMs, onBackend } from './suite.js';

const N = 500;
const D = 64;

/** Each activation with parameters that keep a depth-3 model's kernels finite on inputs in [−1, 1). */
const ACTIVATIONS: Record<string, () => Layer> = {
  relu: () => relu(),
  leakyRelu: () => leakyRelu(0.1),
  abs: () => abs(),
  'erf({ a: 2, b: 0.5, c: 0.1 })': () => erf({ a: 2, b: 0.5, c: 0.1 }),
  tanh: () => tanh(),
  sigmoid: () => sigmoid(),
  gelu: () => gelu(),
  'sin({ b: 2 })': () => sin({ b: 2 }),
  cos: () => cos(),
  'abRelu({ a: 0.2, b: 1 })': () => abRelu({ a: 0.2, b: 1 }),
  'exp({ b: 0.5 })': () => exp({ b: 0.5 }),
  gaussian: () => gaussian(),
  sign: () => sign(),
  'rbf({ gamma: 0.5 })': () => rbf({ gamma: 0.5 }),
  gabor: () => gabor(),
  'monomial({ degree: 3 })': () => monomial({ degree: 3 }),
  'hermite({ degree: 3 })': () => hermite({ degree: 3 }),
  'rectifiedMonomial({ degree: 2 })': () => rectifiedMonomial({ degree: 2 }),
  'polynomial({ coef: [0.5, -1, 0.4, 0.3] })': () => polynomial({ coef: [0.5, -1, 0.4, 0.3] }),
  'expNormalized({ gamma: 2 })': () => expNormalized({ gamma: 2 }),
  // Not an activation: the product op, as φ = relu followed by the product of two dense branches.
  'relu → fanInProd(dense, dense)': () => serial(relu(), fanOut(2), parallel(dense(1), dense(1)), fanInProd()),
  // Not an activation: dropout after relu (its kernel passes through, the diagonal scaled).
  'relu → dropout(0.8)': () => serial(relu(), dropout(0.8)),
  // φ written in JavaScript: a given dual map (sin's), and quadrature of degree 25 (deg² calls of φ and φ′ per entry).
  'elementwise(Math.sin, { nngpFn, dNngpFn })': () =>
    elementwise(Math.sin, { nngpFn: (c, q1, q2) => Math.exp(-(q1 + q2) / 2) * Math.sinh(c), dNngpFn: (c, q1, q2) => Math.exp(-(q1 + q2) / 2) * Math.cosh(c) }),
  'elementwiseNumerical(Math.sin, { deg: 25 })': () => elementwiseNumerical(Math.sin, { deg: 25, df: Math.cos }),
};

const groupOf = (name: string) => `${name} depth 3 n=${N}`;

/** Depth-3 CNNs on sequences, the layer of each of the three blocks given; the first is the reference. */
const SEQUENCE = [16, 4];
const POSITION_OPS: Record<string, () => Layer> = {
  'conv([3], SAME) (the reference)': () => conv(8, [3], { padding: 'SAME', bStd: 0.1 }),
  'convTranspose([3], SAME)': () => convTranspose(8, [3], { padding: 'SAME', bStd: 0.1 }),
  'convTranspose([4], stride 2, CIRCULAR) after conv([4], stride 2)': () =>
    serial(conv(8, [4], { strides: 2, padding: 'SAME', bStd: 0.1 }), relu(), convTranspose(8, [4], { strides: 2, padding: 'CIRCULAR', bStd: 0.1 })),
  'imageResize to 8 positions (linear, antialiased), conv([3], SAME), imageResize back to 16': () =>
    serial(imageResize({ shape: [8, -1], method: 'linear' }), conv(8, [3], { padding: 'SAME', bStd: 0.1 }), imageResize({ shape: [16, -1], method: 'linear' })),
  'convLocal([3], SAME) (weights per position)': () => convLocal(8, [3], { padding: 'SAME', bStd: 0.1 }),
  '3-D: conv([3, 3, 3], SAME) on volumes 4 × 2 × 2': () => conv(8, [3, 3, 3], { padding: 'SAME', bStd: 0.1 }),
  '3-D: avgPool([2, 2, 2], SAME), conv([3, 3, 3], SAME) on volumes 4 × 2 × 2': () =>
    serial(avgPool([2, 2, 2], { padding: 'SAME' }), conv(8, [3, 3, 3], { padding: 'SAME', bStd: 0.1 })),
};
/** The same numbers per example as volumes: depth × height × width × channels. */
const VOLUME = [4, 2, 2, 4];
const inputShapeOf = (name: string) => (name.startsWith('3-D') ? VOLUME : SEQUENCE);
const REFERENCE_OP = Object.keys(POSITION_OPS)[0];

/** The cases, one per activation and backend (bench/child.ts runs one of them alone). */
export function activationCases(): BenchCase[] {
  const x = uniformMatrix(N, D, 1);
  const out = { nngp: new Matrix(N, N), ntk: new Matrix(N, N) };
  return Object.entries(ACTIVATIONS).flatMap(([name, layer]) => {
    const kernel = infinite(serial(dense(1), layer(), dense(1), layer(), dense(1), layer(), dense(1)), { inputShape: [D] });
    return (['wasm', 'ts'] as const).map((backend) => onBackend(backend, groupOf(name), undefined, () => kernel.kernels(x, undefined, { out })));
  });
}

/** The ops on positions, one case per op and backend. */
export function positionOpCases(): BenchCase[] {
  const x = uniformMatrix(N, SEQUENCE[0] * SEQUENCE[1], 2);
  const out = { nngp: new Matrix(N, N), ntk: new Matrix(N, N) };
  return Object.entries(POSITION_OPS).flatMap(([name, layer]) => {
    const kernel = infinite(serial(layer(), relu(), layer(), relu(), layer(), relu(), globalAvgPool(), dense(1)), { inputShape: inputShapeOf(name) });
    return (['wasm', 'ts'] as const).map((backend) => onBackend(backend, groupOf(name), undefined, () => kernel.kernels(x, undefined, { out })));
  });
}

/** Table rows for `names` of `cases`: first call, WASM and ts medians, and the WASM median over `reference`'s. */
async function tableRows(suite: string, cases: BenchCase[], names: string[], reference: string): Promise<string[]> {
  const find = (name: string, impl: string) => cases.find((c) => c.group === groupOf(name) && c.impl === impl)!;
  const rows: string[] = [];
  for (const name of names) {
    const options = { time: 500, iterations: 3, warmupTime: 200, warmupIterations: 2 };
    const [wasm, ts, referenceWasm] = [
      await medianMs(find(name, 'wasm'), options),
      await medianMs(find(name, 'ts'), options),
      await medianMs(find(reference, 'wasm'), options),
    ];
    const first = await firstCallMs(suite, groupOf(name), 'wasm');
    const row = `| ${name} | ${first.toFixed(1)} | ${wasm.toFixed(2)} | ${ts.toFixed(1)} | ${(ts / wasm).toFixed(1)}× | ${(wasm / referenceWasm).toFixed(2)} |`;
    console.log(row);
    rows.push(row);
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { filter: { type: 'string' }, 'no-write': { type: 'boolean', default: false } }, strict: true });
  await ready();
  // The default configuration, read before the ts cases make ts the active backend.
  const info = backendInfo();
  const chosen = (names: string[]) => names.filter((key) => !values.filter || values.filter.split('|').some((part) => key.includes(part)));
  const rows = await tableRows('activations', activationCases(), chosen(Object.keys(ACTIVATIONS)), 'relu');
  const opRows = await tableRows('positionOps', positionOpCases(), chosen(Object.keys(POSITION_OPS)), REFERENCE_OP);
  const markdown = [
    '## Activations at infinite width: `npm run bench:activations`',
    '',
    `NNGP and NTK of dense → φ → dense → φ → dense → φ → dense on ${N} points in ${D} dimensions (inputs in [−1, 1)),`,
    'into `out`, for every activation (`bench/activations.ts`). WASM in the default configuration',
    `(${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads} threads); "÷ relu" is the WASM median over relu's, measured`,
    'right after it; the first call is the first after `ready()` in a fresh process. Medians of tinybench runs of',
    `0.5 s. ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}, ${revision()}.`,
    '',
    '| activation | WASM first call ms | WASM median ms | ts median ms | WASM vs ts | ÷ relu |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Ops on positions: the NNGP and NTK of a depth-3 CNN, (layer → relu) three times → globalAvgPool → dense, on ${N}`,
    `sequences of ${SEQUENCE[0]} positions × ${SEQUENCE[1]} channels (the 3-D rows: the same numbers as volumes ${VOLUME.slice(0, 3).join(' × ')} × ${VOLUME[3]})`,
    `(every pair of positions kept), each block's layer as named; "÷ conv" is`,
    'the WASM median over the same CNN with `conv([3], SAME)`, measured right after it.',
    '',
    '| layer of each block | WASM first call ms | WASM median ms | ts median ms | WASM vs ts | ÷ conv |',
    '|---|---:|---:|---:|---:|---:|',
    ...opRows,
  ].join('\n');
  if (!values['no-write'] && !values.filter) writeSection('npm run bench:activations', markdown);
  console.log(`\n${markdown}`);
  process.exit(0);
}
