import { ready, Matrix } from './src/index.js';
import { current } from './src/backend/registry.js';
import { uniformMatrix } from './src/random.js';
await ready();
const n = 2000;
const x = uniformMatrix(n, n, 1);
const a = new Float64Array(n*n); for (let i=0;i<n;i++) for (let j=0;j<n;j++) a[i*n+j] = (x.data[i*n+j] + x.data[j*n+i])/2;
const b = current() as any;
for (let r = 0; r < 3; r++) {
  let t0 = performance.now(); b.eigh('e', a, n, false); const tv = performance.now() - t0;
  t0 = performance.now(); b.eigh('e', a, n, true); const tf = performance.now() - t0;
  console.log(`values only ${tv.toFixed(0)} ms, full ${tf.toFixed(0)} ms`);
}
