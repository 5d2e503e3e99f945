// Prints, for every public function (test/helpers/public-results.ts), whether 2 and 3 threads give the bits of
// 1 thread, with the largest difference relative to the largest entry where they do not.
// Usage: node --experimental-wasm-relaxed-simd --import tsx scripts/determinism.ts
import { ready } from '../src/index.js';
import { bits, publicResults } from '../test/helpers/public-results.js';

await ready({ threads: 1 });
const reference = publicResults();
const rows: Record<string, string[]> = {};
for (const threads of [2, 3]) {
  await ready({ threads });
  for (const [name, result] of Object.entries(publicResults())) {
    const a = bits(result);
    const b = bits(reference[name]);
    const largest = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let worst = 0;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) worst = Math.max(worst, Math.abs(a[i] - b[i]) / largest || Number.MIN_VALUE);
    (rows[name] ??= []).push(worst === 0 ? 'identical' : `differs (${worst.toExponential(1)})`);
  }
}
console.log('| function | 2 threads vs 1 | 3 threads vs 1 |\n|---|---|---|');
for (const [name, cells] of Object.entries(rows)) console.log(`| ${name} | ${cells.join(' | ')} |`);
process.exit(0);
