// Memory of a loop that makes gpInference and gradientDescentMse predictors and drops them without dispose():
// WASM memory, the bytes kept in it, and the process's resident set every 10 s.
// Usage: node --experimental-wasm-relaxed-simd --import tsx bench/dropped-predictors.ts [seconds, default 60]
import { gpInference, gradientDescentMse, rbfKernel, ready } from '../src/index.js';
import { wasmHeap } from '../src/backend/registry.js';
import { uniformMatrix } from '../src/random.js';

const seconds = Number(process.argv[2] ?? 60);
await ready();
const heap = wasmHeap()!;
const n = 300; // 0.7 MB per kept factor or eigenbasis
const kernel = rbfKernel({ lengthscale: 0.5 });
const x = uniformMatrix(n, 3, 1);
const k = kernel(x);
const y = uniformMatrix(n, 1, 2);
const kTest = kernel(uniformMatrix(5, 3, 3), x);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const report = (elapsed: number, made: number) =>
  console.log(
    `${elapsed.toFixed(0).padStart(3)} s  ${String(made).padStart(6)} predictors  WASM memory ${mb(heap.memory.buffer.byteLength).padStart(7)} MB  ` +
      `kept ${mb(heap.pinnedBytes).padStart(6)} MB  RSS ${mb(process.memoryUsage().rss).padStart(7)} MB`,
  );
const start = performance.now();
let made = 0;
let next = 0;
report(0, 0);
while ((performance.now() - start) / 1000 < seconds) {
  gpInference({ nngp: k }, y, { diagReg: 1e-3 }).predict('nngp', { nngp: kTest });
  gradientDescentMse(k, y, { diagReg: 1e-3 }).predict({ t: 5, kTestTrain: kTest });
  made += 2;
  const elapsed = (performance.now() - start) / 1000;
  if (elapsed >= next + 10) report((next += 10), made);
  // Let finalizers run between rounds, as an application's event loop would.
  if (made % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
}
report((performance.now() - start) / 1000, made);
