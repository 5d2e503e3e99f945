// One case of a benchmark suite alone in a fresh process, for the first call after ready() (`npm run bench`)
// and for calls interleaved with another process's (`npm run bench:check`). Prints {"ready": true} once the
// case can run, then answers each line n on stdin with the times of n calls, {"ms": [...]}.
// Usage: node --experimental-wasm-relaxed-simd --import tsx bench/child.ts <suite> <group> <implementation>
import { createInterface } from 'node:readline';
import { ready } from '../src/index.js';
import { activationCases, positionOpCases } from './activations.js';
import { ensembleCases } from './ensemble.js';
import { attentionCases } from './attention.js';
import { graphCases } from './graphs.js';
import { guardCases } from './guard.js';
import { hyperparameterCases } from './hyperparameters.js';
import { ntkCases } from './ntk.js';
import { trainCases } from './train.js';
import type { BenchCase } from './suite.js';
import { SUITES } from './suites.js';

const suites: Record<string, () => BenchCase[]> = {
  ...SUITES,
  guard: guardCases,
  activations: activationCases,
  positionOps: positionOpCases,
  ensemble: ensembleCases,
  ntk: ntkCases,
  train: trainCases,
  hyperparameters: hyperparameterCases,
  graphs: graphCases,
  attention: attentionCases,
};
const [suite, group, impl] = process.argv.slice(2);
if (!(suite in suites) || impl === undefined) {
  console.error(`usage: bench/child.ts <suite> <group> <implementation>, the suite one of ${Object.keys(suites).join(', ')}`);
  process.exit(1);
}
// Some inputs are made by the library (gram() of a random matrix): on the backend that is not measured, so
// that the timed call is the first the measured one makes. Before ready() the library runs on ts.
const onWasm = impl.startsWith('wasm');
if (!onWasm) await ready();
const found = suites[suite]().find((c) => c.group === group && c.impl === impl);
if (found === undefined) {
  console.error(`no case '${group}' '${impl}' in suite ${suite}`);
  process.exit(1);
}
await (found.before?.() ?? ready());
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  const ms: number[] = [];
  for (let i = 0; i < Number(line); i++) {
    const start = performance.now();
    await found.run();
    ms.push(performance.now() - start);
  }
  console.log(JSON.stringify({ ms }));
}
// At once, whatever the library leaves running (the worker threads of the WASM pool).
process.exit(0);
