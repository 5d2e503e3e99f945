// Block sizes that both backends use, so that they run the same algorithm step for step (the WASM side's
// copies in assembly/linalg/ are checked against these by test/core/boundary.test.ts).

/** Reflectors per block of the Householder tridiagonalization and of its back-transformation. */
export const HOUSEHOLDER_BLOCK = 32;
/** Tridiagonal blocks up to this size are solved by QL; larger ones by divide and conquer. */
export const DC_LEAF = 32;
/** Columns per block step of the Cholesky factorization. */
export const CHOLESKY_BLOCK = 128;
