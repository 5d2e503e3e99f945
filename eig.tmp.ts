import { eigh, ready, setBackend, Matrix, matmul } from '/work/main/src/index.js';
import { uniformMatrix } from '/work/main/src/random.js';
await ready();
function check(name: string, a: Matrix) {
  const n = a.rows;
  for (const b of ['wasm', 'ts'] as const) {
    if (b === 'ts' && n > 1000) continue;
    setBackend(b);
    const t0 = performance.now();
    const { values, vectors } = eigh(a);
    const t = performance.now() - t0;
    const av = matmul(a, vectors);
    let anorm = 0; for (const v of a.data) anorm = Math.max(anorm, Math.abs(v));
    let res = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) res = Math.max(res, Math.abs(av.data[i*n+j] - vectors.data[i*n+j]*values[j]));
    const vtv = matmul(vectors, vectors, { transA: true });
    let orth = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) orth = Math.max(orth, Math.abs(vtv.data[i*n+j] - (i===j?1:0)));
    console.log(name, b, n, `${t.toFixed(0)} ms`, 'res/(|A|n)', (res/anorm/n).toExponential(2), 'orth/n', (orth/n).toExponential(2));
  }
}
for (const n of [100, 500, 1000, 2000]) {
  const x = uniformMatrix(n, n, 1);
  const a = new Matrix(n, n); for (let i=0;i<n;i++) for (let j=0;j<n;j++) a.data[i*n+j] = x.data[i*n+j] + x.data[j*n+i];
  check('random', a);
}
{ const n = 301; const a = new Matrix(n,n); for (let i=0;i<n;i++){ a.data[i*n+i]=Math.abs(i-(n-1)/2); if(i+1<n){a.data[i*n+i+1]=1;a.data[(i+1)*n+i]=1;} } check('wilkinson', a); }
{ const n = 300; const a = new Matrix(n,n); for (let i=0;i+1<n;i++){ const v=Math.sqrt((i+1)*(n-1-i)); a.data[i*n+i+1]=v;a.data[(i+1)*n+i]=v;} check('clement', a); }
{ const n = 400; const x = uniformMatrix(n, 5, 3); const a = matmul(x, x, {transB: true}); check('rank5 (repeated 0)', a); }
{ const n = 400; const a = new Matrix(n,n); for (let i=0;i<n;i++) for (let j=0;j<n;j++) a.data[i*n+j] = Math.exp(-Math.pow((i-j)/40, 2)); check('rbf gram', a); }
{ const n = 300; const a = new Matrix(n,n); for (let i=0;i<n;i++) for (let j=0;j<n;j++) a.data[i*n+j] = 0; const x = uniformMatrix(n,n,5); 
  // graded: D^(1/2) R D^(1/2)
  for (let i=0;i<n;i++) for (let j=0;j<n;j++) a.data[i*n+j] = (x.data[i*n+j]+x.data[j*n+i]) * Math.pow(10, -(i+j)/40);
  check('graded', a); }
