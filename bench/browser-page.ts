// The page bench/browser.ts opens for the worker API: spawnWorker(), then ten calls of one op in a row, each
// timed from this page; ?op=small multiplies 8 × 8 matrices, ?op=medium 512 × 512 ones. The times go to
// window.benchResult.
import { Matrix, spawnWorker } from 'ntk-wasm';

export interface WorkerTimes {
  spawnMs: number;
  callsMs: number[];
  backend: string;
}

const n = new URLSearchParams(location.search).get('op') === 'medium' ? 512 : 8;
const random = () =>
  new Matrix(
    n,
    n,
    Float64Array.from({ length: n * n }, () => Math.random() * 2 - 1),
  );
const a = random();
const b = random();
const started = performance.now();
// The worker script, bundled by scripts/demo.mjs, is served beside the demo's page.
const ntk = await spawnWorker({ workerUrl: new URL('/dist/host.js', location.href) });
const spawnMs = performance.now() - started;
const callsMs: number[] = [];
for (let i = 0; i < 10; i++) {
  const start = performance.now();
  await ntk.matmul(a, b);
  callsMs.push(performance.now() - start);
}
const { backend, simd, threads } = await ntk.backendInfo();
await ntk.terminate();
const result: WorkerTimes = { spawnMs, callsMs, backend: `${backend} (${simd} SIMD, ${threads} threads, in a worker)` };
(window as unknown as { benchResult: WorkerTimes }).benchResult = result;
