// C ← alpha·op(A)·op(B) + beta·C, row-major with leading dimensions, f64.
// Goto/BLIS structure: op(B) is packed into panels of NR columns, op(A) into panels of MR rows,
// and a 2×8 register tile (8 f64x2 accumulators) runs over the packed panels.
import { mark, release, scratch } from "../heap";
import { madd } from "../math";
import { axpy, dot } from "./vector";

const MR: i32 = 2;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;

@inline function minI(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

// op(A)[i0.., p0..] (mc × kc) into panels of MR rows: panel r holds, for each p, the MR values of its rows.
function packA(transA: bool, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = minI(MR, mc - ir);
    const panel = dst + ((<usize>ir * <usize>kc) << 3);
    if (transA) {
      // op(A)(i, p) = a[p·lda + i]: the MR values of one p are adjacent.
      let src = a + ((<usize>p0 * <usize>lda + <usize>(i0 + ir)) << 3);
      const step = (<usize>lda) << 3;
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(panel + ((<usize>p) << 4), v128.load(src));
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f64>(panel + ((<usize>p) << 4), load<f64>(src));
          store<f64>(panel + ((<usize>p) << 4), 0.0, 8);
          src += step;
        }
      }
    } else {
      const row0 = a + ((<usize>(i0 + ir) * <usize>lda + <usize>p0) << 3);
      if (rows == MR) {
        const row1 = row0 + ((<usize>lda) << 3);
        for (let p = 0; p < kc; p++) {
          const off = (<usize>p) << 3;
          store<f64>(panel + (off << 1), load<f64>(row0 + off));
          store<f64>(panel + (off << 1), load<f64>(row1 + off), 8);
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const off = (<usize>p) << 3;
          store<f64>(panel + (off << 1), load<f64>(row0 + off));
          store<f64>(panel + (off << 1), 0.0, 8);
        }
      }
    }
  }
}

// op(B)[p0.., j0..] (kc × nc) into panels of NR columns: panel c holds, for each p, its NR values.
function packB(transB: bool, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = minI(NR, nc - jr);
    const panel = dst + ((<usize>jr * <usize>kc) << 3);
    if (!transB && cols == NR) {
      let src = b + ((<usize>p0 * <usize>ldb + <usize>(j0 + jr)) << 3);
      const step = (<usize>ldb) << 3;
      for (let p = 0; p < kc; p++) {
        const out = panel + ((<usize>p) << 6);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        v128.store(out, v128.load(src, 32), 32);
        v128.store(out, v128.load(src, 48), 48);
        src += step;
      }
    } else if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * <usize>ldb + <usize>(j0 + jr)) << 3);
        const out = panel + ((<usize>p) << 6);
        for (let c = 0; c < NR; c++) {
          store<f64>(out + ((<usize>c) << 3), c < cols ? load<f64>(src + ((<usize>c) << 3)) : 0.0);
        }
      }
    } else {
      // op(B)(p, j) = b[j·ldb + p]: walk each source row (one output column) contiguously.
      for (let c = 0; c < NR; c++) {
        if (c < cols) {
          const src = b + ((<usize>(j0 + jr + c) * <usize>ldb + <usize>p0) << 3);
          for (let p = 0; p < kc; p++) {
            store<f64>(panel + ((<usize>p) << 6) + ((<usize>c) << 3), load<f64>(src + ((<usize>p) << 3)));
          }
        } else {
          for (let p = 0; p < kc; p++) store<f64>(panel + ((<usize>p) << 6) + ((<usize>c) << 3), 0.0);
        }
      }
    }
  }
}

// 2×8 tile: C[0..2][0..8] += alpha · Apanel · Bpanel over kc.
function tile(kc: i32, pa: usize, pb: usize, alpha: f64, c: usize, ldc: i32): void {
  let c00 = f64x2.splat(0.0),
    c01 = f64x2.splat(0.0),
    c02 = f64x2.splat(0.0),
    c03 = f64x2.splat(0.0);
  let c10 = f64x2.splat(0.0),
    c11 = f64x2.splat(0.0),
    c12 = f64x2.splat(0.0),
    c13 = f64x2.splat(0.0);
  for (let p = 0; p < kc; p++) {
    const a0 = v128.load64_splat(pa);
    const a1 = v128.load64_splat(pa, 8);
    let b = v128.load(pb);
    c00 = madd(a0, b, c00);
    c10 = madd(a1, b, c10);
    b = v128.load(pb, 16);
    c01 = madd(a0, b, c01);
    c11 = madd(a1, b, c11);
    b = v128.load(pb, 32);
    c02 = madd(a0, b, c02);
    c12 = madd(a1, b, c12);
    b = v128.load(pb, 48);
    c03 = madd(a0, b, c03);
    c13 = madd(a1, b, c13);
    pa += 16;
    pb += 64;
  }
  const al = f64x2.splat(alpha);
  const c1 = c + ((<usize>ldc) << 3);
  v128.store(c, madd(al, c00, v128.load(c)));
  v128.store(c, madd(al, c01, v128.load(c, 16)), 16);
  v128.store(c, madd(al, c02, v128.load(c, 32)), 32);
  v128.store(c, madd(al, c03, v128.load(c, 48)), 48);
  v128.store(c1, madd(al, c10, v128.load(c1)));
  v128.store(c1, madd(al, c11, v128.load(c1, 16)), 16);
  v128.store(c1, madd(al, c12, v128.load(c1, 32)), 32);
  v128.store(c1, madd(al, c13, v128.load(c1, 48)), 48);
}

function scaleC(m: i32, n: i32, beta: f64, c: usize, ldc: i32): void {
  if (beta == 1.0) return;
  for (let i = 0; i < m; i++) {
    const row = c + ((<usize>i * <usize>ldc) << 3);
    for (let j = 0; j < n; j++) {
      const q = row + ((<usize>j) << 3);
      // beta = 0 overwrites, so NaN or garbage in C does not survive.
      store<f64>(q, beta == 0.0 ? 0.0 : beta * load<f64>(q));
    }
  }
}

// One output column (a matrix-vector product, as in every gradient step on one output): packed panels
// of 8 columns would waste 7/8 of the tile, so use dot products (rows of A) or axpys (rows of Aᵀ).
function gemv(transA: bool, m: i32, k: i32, alpha: f64, a: usize, lda: i32, b: usize, incB: i32, c: usize, ldc: i32): void {
  const saved = mark();
  let x = b;
  if (incB != 1) {
    x = scratch((<usize>k) << 3);
    for (let p = 0; p < k; p++) store<f64>(x + ((<usize>p) << 3), load<f64>(b + ((<usize>p * <usize>incB) << 3)));
  }
  if (!transA) {
    for (let i = 0; i < m; i++) {
      const q = c + ((<usize>i * <usize>ldc) << 3);
      store<f64>(q, load<f64>(q) + alpha * dot(a + ((<usize>i * <usize>lda) << 3), x, k));
    }
  } else {
    // c (m, stride ldc) += alpha · Σ_p x_p · A[p][:]
    const y = ldc == 1 ? c : scratch((<usize>m) << 3);
    if (ldc != 1) memory.fill(y, 0, (<usize>m) << 3);
    for (let p = 0; p < k; p++) axpy(m, alpha * load<f64>(x + ((<usize>p) << 3)), a + ((<usize>p * <usize>lda) << 3), y);
    if (ldc != 1) {
      for (let i = 0; i < m; i++) {
        const q = c + ((<usize>i * <usize>ldc) << 3);
        store<f64>(q, load<f64>(q) + load<f64>(y + ((<usize>i) << 3)));
      }
    }
  }
  release(saved);
}

export function gemm(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: f64,
  c: usize,
  ldc: i32,
): void {
  scaleC(m, n, beta, c, ldc);
  if (m == 0 || n == 0 || k == 0 || alpha == 0.0) return;
  if (n == 1) {
    gemv(transA != 0, m, k, alpha, a, lda, b, transB != 0 ? 1 : ldb, c, ldc);
    return;
  }
  const saved = mark();
  const ncMax = minI(NC, ((n + NR - 1) / NR) * NR);
  const mcMax = minI(MC, ((m + MR - 1) / MR) * MR);
  const kcMax = minI(KC, k);
  const packedB = scratch((<usize>kcMax * <usize>ncMax) << 3);
  const packedA = scratch((<usize>kcMax * <usize>mcMax) << 3);
  const edge = scratch((<usize>(MR * NR)) << 3); // full tile for the ragged edges of C
  for (let jc = 0; jc < n; jc += NC) {
    const nc = minI(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = minI(KC, k - pc);
      packB(transB != 0, b, ldb, pc, jc, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = minI(MC, m - ic);
        packA(transA != 0, a, lda, ic, pc, mc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = minI(NR, nc - jr);
          const pb = packedB + ((<usize>jr * <usize>kc) << 3);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = minI(MR, mc - ir);
            const pa = packedA + ((<usize>ir * <usize>kc) << 3);
            const cTile = c + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 3);
            if (rows == MR && cols == NR) {
              tile(kc, pa, pb, alpha, cTile, ldc);
            } else {
              memory.fill(edge, 0, (<usize>(MR * NR)) << 3);
              tile(kc, pa, pb, alpha, edge, NR);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = cTile + ((<usize>r * <usize>ldc + <usize>q) << 3);
                  store<f64>(dst, load<f64>(dst) + load<f64>(edge + ((<usize>(r * NR + q)) << 3)));
                }
              }
            }
          }
        }
      }
    }
  }
  release(saved);
}
