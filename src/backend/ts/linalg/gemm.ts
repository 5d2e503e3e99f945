// Reference gemm in plain TypeScript: packed panels and a 4×4 register tile, the same blocking as the
// WASM kernel with scalar accumulators instead of f64x2.

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 1024;

/** A strided row-major view: element (i, j) is `data[offset + i·ld + j]`. */
export interface Strided {
  data: Float64Array;
  offset: number;
  ld: number;
}

function packA(trans: boolean, a: Strided, i0: number, p0: number, mc: number, kc: number, dst: Float64Array): void {
  const { data, offset, ld } = a;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    let out = ir * kc;
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < MR; r++) {
        const i = i0 + ir + r;
        dst[out++] = r < rows ? (trans ? data[offset + (p0 + p) * ld + i] : data[offset + i * ld + p0 + p]) : 0;
      }
    }
  }
}

function packB(trans: boolean, b: Strided, p0: number, j0: number, kc: number, nc: number, dst: Float64Array): void {
  const { data, offset, ld } = b;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    let out = jr * kc;
    for (let p = 0; p < kc; p++) {
      for (let q = 0; q < NR; q++) {
        const j = j0 + jr + q;
        dst[out++] = q < cols ? (trans ? data[offset + j * ld + p0 + p] : data[offset + (p0 + p) * ld + j]) : 0;
      }
    }
  }
}

function tile(
  kc: number,
  pa: Float64Array,
  ia: number,
  pb: Float64Array,
  ib: number,
  alpha: number,
  c: Float64Array,
  cOff: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia],
      a1 = pa[ia + 1],
      a2 = pa[ia + 2],
      a3 = pa[ia + 3];
    const b0 = pb[ib],
      b1 = pb[ib + 1],
      b2 = pb[ib + 2],
      b3 = pb[ib + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ia += MR;
    ib += NR;
  }
  if (rows === MR && cols === NR) {
    let o = cOff;
    c[o] += alpha * c00;
    c[o + 1] += alpha * c01;
    c[o + 2] += alpha * c02;
    c[o + 3] += alpha * c03;
    o += ldc;
    c[o] += alpha * c10;
    c[o + 1] += alpha * c11;
    c[o + 2] += alpha * c12;
    c[o + 3] += alpha * c13;
    o += ldc;
    c[o] += alpha * c20;
    c[o + 1] += alpha * c21;
    c[o + 2] += alpha * c22;
    c[o + 3] += alpha * c23;
    o += ldc;
    c[o] += alpha * c30;
    c[o + 1] += alpha * c31;
    c[o + 2] += alpha * c32;
    c[o + 3] += alpha * c33;
    return;
  }
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) c[cOff + r * ldc + q] += alpha * acc[r * NR + q];
  }
}

// One output column: dot products over rows of A, or axpys over rows of Aᵀ (see assembly/linalg/gemm.ts).
function gemv(transA: boolean, m: number, k: number, alpha: number, a: Strided, b: Strided, incB: number, c: Strided): void {
  const { data: aData, offset: aOff, ld: lda } = a;
  const { data: bData, offset: bOff } = b;
  const { data: cData, offset: cOff, ld: ldc } = c;
  if (!transA) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += aData[aOff + i * lda + p] * bData[bOff + p * incB];
      cData[cOff + i * ldc] += alpha * s;
    }
  } else {
    for (let p = 0; p < k; p++) {
      const scaled = alpha * bData[bOff + p * incB];
      const row = aOff + p * lda;
      for (let i = 0; i < m; i++) cData[cOff + i * ldc] += scaled * aData[row + i];
    }
  }
}

/** C ← alpha·op(A)·op(B) + beta·C with op(A) m × k and op(B) k × n (BLAS dgemm semantics). */
export function gemmInto(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Strided,
  b: Strided,
  beta: number,
  c: Strided,
): void {
  const { data: cData, offset: cOff, ld: ldc } = c;
  if (beta !== 1) {
    for (let i = 0; i < m; i++) {
      const row = cOff + i * ldc;
      // beta = 0 overwrites, so NaN in C does not survive.
      for (let j = 0; j < n; j++) cData[row + j] = beta === 0 ? 0 : beta * cData[row + j];
    }
  }
  if (m === 0 || n === 0 || k === 0 || alpha === 0) return;
  if (n === 1) {
    gemv(transA, m, k, alpha, a, b, transB ? 1 : b.ld, c);
    return;
  }
  const kcMax = Math.min(KC, k);
  const packedB = new Float64Array(kcMax * Math.min(NC, Math.ceil(n / NR) * NR));
  const packedA = new Float64Array(kcMax * Math.min(MC, Math.ceil(m / MR) * MR));
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(transB, b, pc, jc, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(transA, a, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            tile(kc, packedA, ir * kc, packedB, jr * kc, alpha, cData, cOff + (ic + ir) * ldc + jc + jr, ldc, rows, cols);
          }
        }
      }
    }
  }
}

/** A whole row-major matrix as a strided view. */
export function dense(data: Float64Array, cols: number): Strided {
  return { data, offset: 0, ld: cols };
}
