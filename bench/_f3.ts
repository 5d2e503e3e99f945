import { ready, randomMatrix } from '../src/index.js';
import { current } from '../src/backend/registry.js';
for (const threads of [1, 2]) {
await ready({ threads });
const n = 50_000, d = 8, m = 2000;
const x = randomMatrix(n, d, { seed: 1 });
const c = randomMatrix(m, d, { seed: 2 });
for (const kind of ['rbf', 'linear'] as const) {
  const spec = { kind, scale: 1, bias: 0, degree: 1, gamma: 0.1 };
  const s = current().nystromSession('x', spec, x.data, n, d, c.data, m);
  const v = new Float64Array(m).fill(1);
  for (const mode of ['times', 'normal'] as const) {
    let best = 1e9;
    for (let r = 0; r < 3; r++) { const t = performance.now(); s.rows('x', mode, v, 1, 0, n); best = Math.min(best, performance.now() - t); }
    console.log(threads, kind, mode, (best / (n * m) * 1e6).toFixed(2), 'ns/entry');
  }
  s.dispose();
}
}
process.exit(0);
