import { describe, expect, it } from 'vitest';
import { Matrix, cholesky, eigh, gram, matmul, ready, setBackend, solveSpd, solveTriangular } from '../src/index.js';
import { BACKENDS, describeEachBackend } from './helpers/backends.js';
import { expectClose, naiveMatmul, randomMatrix } from './helpers/close.js';
import { type Rows, loadFixture } from './helpers/fixtures.js';

const fixtures = await loadFixture<{
  matmul: { a: Rows; b: Rows; transA: boolean; transB: boolean; c: Rows }[];
  gram: { a: Rows; gram: Rows }[];
  cholesky: { a: Rows; l: Rows }[];
  solveSpd: { a: Rows; b: Rows; x: Rows; illConditioned?: boolean; condition?: number }[];
  triangular: { l: Rows; b: Rows; x: Rows; xTransposed: Rows; xUpper: Rows }[];
  eigh: { a: Rows; values: number[]; vectors?: Rows; repeated?: boolean }[];
}>('linalg');

const shape = (rows: Rows) => `${rows.length}x${rows[0].length}`;

/** ‖a·v − v·diag(values)‖ and ‖vᵀv − I‖, the checks that hold even for repeated eigenvalues. */
function expectEigenpairs(a: Matrix, values: Float64Array, vectors: Matrix, tol: number): void {
  const av = matmul(a, vectors);
  const scaled = new Matrix(
    vectors.rows,
    vectors.cols,
    vectors.data.map((x, i) => x * values[i % vectors.cols]),
  );
  expectClose(av, scaled, tol, 'a·v = v·Λ', 'normwise');
  expectClose(matmul(vectors, vectors, { transA: true }), Matrix.identity(vectors.cols), tol, 'vᵀv = I', 'normwise');
}

describeEachBackend('matmul', () => {
  for (const c of fixtures.matmul) {
    it(`matches numpy for a ${shape(c.a)}${c.transA ? 'ᵀ' : ''} · b ${shape(c.b)}${c.transB ? 'ᵀ' : ''}`, () => {
      expectClose(matmul(c.a, c.b, { transA: c.transA, transB: c.transB }), c.c, 1e-12);
    });
  }

  it('crosses every blocking boundary (k > 256, m > 128, n > 1024) like the textbook loop', () => {
    const a = randomMatrix(131, 300, 1);
    const b = randomMatrix(300, 1030, 2);
    expectClose(matmul(a, b), naiveMatmul(a, b), 1e-12, 'product', 'normwise');
    expectClose(matmul(a.transpose(), b, { transA: true }), naiveMatmul(a, b), 1e-12, 'aᵀ transposed', 'normwise');
    expectClose(matmul(a, b.transpose(), { transB: true }), naiveMatmul(a, b), 1e-12, 'bᵀ transposed', 'normwise');
  });

  it('handles 1x1 and zero-sized dimensions', () => {
    expect(matmul([[3]], [[4]]).toArray()).toEqual([[12]]);
    const empty = matmul(Matrix.zeros(2, 0), Matrix.zeros(0, 3));
    expect([empty.rows, empty.cols]).toEqual([2, 3]);
    expect(Array.from(empty.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matmul(Matrix.zeros(0, 4), Matrix.zeros(4, 2)).rows).toBe(0);
  });

  it('does not modify its inputs', () => {
    const a = randomMatrix(5, 6, 3);
    const before = a.data.slice();
    matmul(a, a, { transB: true });
    expect(a.data).toEqual(before);
  });

  it('names both shapes when the inner dimensions differ', () => {
    expect(() => matmul(Matrix.zeros(3, 4), Matrix.zeros(5, 2))).toThrow(
      new RangeError('matmul: a is 3x4 but b is 5x2; the inner dimensions (4 and 5) must be equal'),
    );
    expect(() => matmul(Matrix.zeros(3, 4), Matrix.zeros(5, 2), { transA: true })).toThrow(/aᵀ is 4x3 but b is 5x2/);
  });

  it('rejects unknown options and non-boolean flags', () => {
    expect(() => matmul([[1]], [[1]], { transC: true } as never)).toThrow(TypeError);
    expect(() => matmul([[1]], [[1]], { transA: 1 } as never)).toThrow(/transA must be a boolean/);
  });
});

describeEachBackend('gram', () => {
  for (const c of fixtures.gram) {
    it(`matches numpy a·aᵀ for a ${shape(c.a)}`, () => {
      expectClose(gram(c.a), c.gram, 1e-12);
    });
  }

  it('is exactly symmetric across row blocks (n = 520)', () => {
    const g = gram(randomMatrix(520, 33, 4));
    let asymmetric = 0;
    for (let i = 0; i < g.rows; i++) for (let j = 0; j < i; j++) if (g.data[i * g.cols + j] !== g.data[j * g.cols + i]) asymmetric++;
    expect(asymmetric).toBe(0);
    const a = randomMatrix(520, 33, 4);
    expectClose(g, naiveMatmul(a, a.transpose()), 1e-12, 'gram', 'normwise');
  });
});

describeEachBackend('cholesky', () => {
  for (const c of fixtures.cholesky) {
    it(`matches numpy for ${shape(c.a)} (blocks of 64)`, () => {
      expectClose(cholesky(c.a), c.l, 1e-9);
    });
  }

  it('reads only the lower triangle after the symmetry check', () => {
    const l = cholesky([
      [4, 2],
      [2, 3],
    ]);
    expectClose(
      l,
      [
        [2, 0],
        [1, Math.SQRT2],
      ],
      1e-15,
    );
  });

  it('names the failing pivot and suggests a regularizer', () => {
    expect(() =>
      cholesky([
        [1, 2],
        [2, 1],
      ]),
    ).toThrow(RangeError);
    expect(() =>
      cholesky([
        [1, 2],
        [2, 1],
      ]),
    ).toThrow(/pivot 1 is -3 after elimination; add a small multiple of the identity/);
    expect(() => cholesky([[0]])).toThrow(/pivot 0 is 0/);
    const singular = gram(randomMatrix(80, 3, 5)); // rank 3
    expect(() => cholesky(singular)).toThrow(/not positive definite: pivot [3-9]/);
  });

  it('rejects non-square, asymmetric and empty input', () => {
    expect(() => cholesky(Matrix.zeros(2, 3))).toThrow(new RangeError('cholesky: a is 2x3; it must be square'));
    expect(() =>
      cholesky([
        [1, 0],
        [1, 1],
      ]),
    ).toThrow(/not symmetric: a\[0\]\[1\] = 0 but a\[1\]\[0\] = 1/);
    expect(() => cholesky(Matrix.zeros(0, 0))).toThrow(/a is 0x0; it must not be empty/);
  });
});

describeEachBackend('solveTriangular', () => {
  for (const c of fixtures.triangular) {
    it(`matches scipy for L ${shape(c.l)}, b ${shape(c.b)}, all three forms`, () => {
      expectClose(solveTriangular(c.l, c.b), c.x, 1e-10);
      expectClose(solveTriangular(c.l, c.b, { transpose: true }), c.xTransposed, 1e-10);
      const upper = new Matrix(c.l.length, c.l.length, Matrix.from(c.l).transpose().data);
      expectClose(solveTriangular(upper, c.b, { lower: false }), c.xUpper, 1e-10);
    });
  }

  it('rejects a zero on the diagonal and a b with the wrong number of rows', () => {
    expect(() =>
      solveTriangular(
        [
          [1, 0],
          [2, 0],
        ],
        [[1], [1]],
      ),
    ).toThrow(/singular: t\[1\]\[1\] is 0/);
    expect(() =>
      solveTriangular(
        [
          [1, 0],
          [2, 1],
        ],
        [[1]],
      ),
    ).toThrow(/t is 2x2 but b is 1x1; b must have 2 rows/);
  });
});

describeEachBackend('solveSpd', () => {
  for (const c of fixtures.solveSpd) {
    const label = c.illConditioned ? `the 8x8 Hilbert matrix (cond ${c.condition?.toExponential(1)})` : `a ${shape(c.a)}, b ${shape(c.b)}`;
    it(`matches scipy for ${label}`, () => {
      const x = solveSpd(c.a, c.b);
      if (c.illConditioned) {
        // The error bound scales with the condition number (~1.5e10); check the residual instead of x.
        expectClose(matmul(c.a, x), c.b, 1e-6, 'residual');
        expectClose(x, c.x, 1e-3);
      } else {
        expectClose(x, c.x, 1e-9);
      }
    });
  }

  it('names both shapes on mismatch and suggests a regularizer for singular a', () => {
    expect(() =>
      solveSpd(
        [
          [2, 0],
          [0, 2],
        ],
        [[1, 2, 3]],
      ),
    ).toThrow(/solveSpd: a is 2x2 but b is 1x3; b must have 2 rows/);
    expect(() =>
      solveSpd(
        [
          [1, 1],
          [1, 1],
        ],
        [[1], [1]],
      ),
    ).toThrow(/not positive definite.*diagReg/);
  });
});

describeEachBackend('eigh', () => {
  for (const c of fixtures.eigh) {
    it(`matches numpy for ${shape(c.a)}${c.repeated ? ' with repeated eigenvalues' : ''}`, () => {
      const { values, vectors } = eigh(c.a);
      expectClose(values, c.values, 1e-9, 'eigenvalues');
      expectEigenpairs(Matrix.from(c.a), values, vectors, 1e-9);
      if (c.vectors) {
        // Distinct eigenvalues: each eigenvector equals numpy's up to sign.
        const ref = Matrix.from(c.vectors);
        for (let j = 0; j < vectors.cols; j++) {
          let dot = 0;
          for (let i = 0; i < vectors.rows; i++) dot += vectors.get(i, j) * ref.get(i, j);
          expect(Math.abs(dot)).toBeCloseTo(1, 9);
        }
      }
    });
  }

  it('orders eigenvalues ascending and signs each vector by its largest entry, the first among ties', () => {
    const { values, vectors } = eigh([
      [2, 1],
      [1, 2],
    ]);
    expectClose(values, [1, 3], 1e-14);
    expectClose(
      vectors,
      [
        [Math.SQRT1_2, Math.SQRT1_2],
        [-Math.SQRT1_2, Math.SQRT1_2],
      ],
      1e-14,
    );
  });

  it('decomposes a 200x200 Gram matrix with a cluster of zero eigenvalues', () => {
    const a = gram(randomMatrix(200, 20, 6));
    const { values, vectors } = eigh(a);
    expect(values[0]).toBeGreaterThan(-1e-10);
    expectEigenpairs(a, values, vectors, 1e-9);
  });
});

describe('wasm and ts agree', () => {
  async function both<T>(fn: () => T): Promise<[T, T]> {
    await ready();
    const results = BACKENDS.map((backend) => {
      setBackend(backend);
      return fn();
    });
    return [results[0], results[1]];
  }

  it('to 1e-12 on matmul with every transpose', async () => {
    const a = randomMatrix(200, 150, 7);
    const b = randomMatrix(150, 90, 8);
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const [wasm, ts] = await both(() => matmul(transA ? a.transpose() : a, transB ? b.transpose() : b, { transA, transB }));
      expectClose(wasm, ts, 1e-12, `transA=${transA} transB=${transB}`, 'normwise');
    }
  });

  it('to 1e-9 on cholesky, solveSpd and eigh', async () => {
    const a = gram(randomMatrix(150, 170, 9));
    const b = randomMatrix(150, 4, 10);
    const [wasmL, tsL] = await both(() => cholesky(a));
    expectClose(wasmL, tsL, 1e-9, 'cholesky');
    const [wasmX, tsX] = await both(() => solveSpd(a, b));
    expectClose(wasmX, tsX, 1e-9, 'solveSpd');
    const [wasmE, tsE] = await both(() => eigh(a));
    expectClose(wasmE.values, tsE.values, 1e-9, 'eigenvalues');
    expectClose(wasmE.vectors, tsE.vectors, 1e-9, 'eigenvectors');
  });
});

describeEachBackend('out', () => {
  it('matmul and gram write into out: the entries of a new result, the given matrix returned; its shape and memory checked', () => {
    const a = randomMatrix(7, 5, 1);
    const b = randomMatrix(5, 6, 2);
    const product = new Matrix(7, 6);
    expect(matmul(a, b, { out: product })).toBe(product);
    expect(Array.from(product.data)).toEqual(Array.from(matmul(a, b).data));
    const g = new Matrix(7, 7);
    expect(gram(a, { out: g })).toBe(g);
    expect(Array.from(g.data)).toEqual(Array.from(gram(a).data));
    expect(() => matmul(a, b, { out: new Matrix(6, 7) })).toThrow(new RangeError('matmul: out is 6x7 but the result is 7x6'));
    const square = randomMatrix(4, 4, 3);
    expect(() => matmul(square, square, { out: square })).toThrow(new RangeError('matmul: out shares its entries with an input; give it memory of its own'));
    const shared = new Float64Array(32);
    expect(() => matmul(new Matrix(4, 4, shared.subarray(0, 16)), square, { out: new Matrix(4, 4, shared.subarray(8, 24)) })).toThrow(/out shares its entries/);
    expect(() => gram(a, { out: [[1]] as never })).toThrow(new TypeError('gram: out must be a Matrix, got object'));
    expect(() => gram(a, { ot: g } as never)).toThrow(/gram: unknown option 'ot'/);
  });
});
