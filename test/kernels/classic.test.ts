import { describe, expect, it } from 'vitest';
import { Matrix, customKernel, linearKernel, polynomialKernel, rbfKernel, ready, setBackend } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { BACKENDS, describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

const { kernels } = await loadFixture<{
  kernels: {
    x1: Rows;
    x2: Rows;
    linear: { scale: number; bias: number; k12: Rows; k11: Rows };
    polynomial: { degree: number; scale: number; bias: number; k12: Rows; k11: Rows };
    rbf: { lengthscale: number; k12: Rows; k11: Rows };
  };
}>('kernels');

describeEachBackend('classic kernels', () => {
  const cases = [
    ['linear', linearKernel({ scale: kernels.linear.scale, bias: kernels.linear.bias }), kernels.linear],
    ['polynomial', polynomialKernel({ degree: 3, scale: 0.5, bias: 1 }), kernels.polynomial],
    ['rbf', rbfKernel({ lengthscale: kernels.rbf.lengthscale }), kernels.rbf],
  ] as const;
  for (const [name, kernel, ref] of cases) {
    it(`${name} matches scikit-learn between two sets and on one set`, () => {
      expectClose(kernel(kernels.x1, kernels.x2), ref.k12, 1e-12, 'k(x1, x2)');
      expectClose(kernel(kernels.x1), ref.k11, 1e-12, 'k(x1)');
    });
  }

  it('gives exactly symmetric Gram matrices and an RBF diagonal of exactly 1 (n = 301, crossing row blocks)', () => {
    const x = uniformMatrix(301, 5, 1, -3, 3);
    for (const kernel of [linearKernel({ bias: 2 }), polynomialKernel({ degree: 4, scale: 0.1 }), rbfKernel({ lengthscale: 0.7 })]) {
      const k = kernel(x);
      let asymmetric = 0;
      for (let i = 0; i < k.rows; i++) for (let j = 0; j < i; j++) if (k.data[i * k.cols + j] !== k.data[j * k.cols + i]) asymmetric++;
      expect(asymmetric).toBe(0);
    }
    const k = rbfKernel()(x);
    for (let i = 0; i < k.rows; i++) expect(k.get(i, i)).toBe(1);
  });

  it('hand-checkable values: the linear model NTK x·x′ + 1, (11 + 1)², e^{−1/2}', () => {
    expectClose(
      linearKernel({ bias: 1 })([[1], [2]]),
      [
        [2, 3],
        [3, 5],
      ],
      1e-15,
    );
    expect(polynomialKernel({ degree: 2 })([[1, 2]], [[3, 4]]).get(0, 0)).toBe(144);
    expectClose(rbfKernel({ lengthscale: 2 })([[0, 0]], [[2, 0]]), [[Math.exp(-0.5)]], 1e-15);
  });

  it('RBF underflows to 0 far away and stays in [0, 1]', () => {
    const k = rbfKernel({ lengthscale: 0.01 })([[0], [1], [40]], [[0], [0.005], [1e3]]);
    for (const v of k.data) expect(v >= 0 && v <= 1).toBe(true);
    expect(k.get(2, 0)).toBe(0);
    expectClose([k.get(0, 1)], [Math.exp(-0.125)], 1e-14);
  });

  it('customKernel runs the callback, mirrors the symmetric case and protects the inputs', () => {
    const laplace = customKernel((x, z) => Math.exp(-Math.abs(x[0] - z[0])));
    expectClose(
      laplace([[0], [1], [3]]),
      [
        [1, Math.exp(-1), Math.exp(-3)],
        [Math.exp(-1), 1, Math.exp(-2)],
        [Math.exp(-3), Math.exp(-2), 1],
      ],
      1e-15,
    );
    const x = Matrix.from([[1], [2]]);
    customKernel((a) => {
      a[0] = 99;
      return 0;
    })(x);
    expect(x.get(0, 0)).toBe(1);
    expect(() => customKernel(() => NaN)([[1]])).toThrow(new TypeError('customKernel: k(x1[0], x2[0]) returned NaN; it must return a finite number'));
  });

  it('names both shapes when x1 and x2 have different dimensions', () => {
    expect(() => rbfKernel()(Matrix.zeros(3, 4), Matrix.zeros(5, 2))).toThrow(
      new RangeError('rbfKernel: x1 is 3x4 but x2 is 5x2; both need the same number of columns'),
    );
    expect(() => linearKernel()(Matrix.zeros(0, 2))).toThrow(/linearKernel: x1 is 0x2; it must not be empty/);
  });

  it('validates options when the kernel is made', () => {
    expect(() => polynomialKernel({ degree: 2.5 })).toThrow(new RangeError('polynomialKernel: degree must be an integer, got 2.5'));
    expect(() => polynomialKernel({ degree: 0 })).toThrow(/degree must be ≥ 1/);
    expect(() => polynomialKernel(undefined as never)).toThrow(/degree are required/);
    expect(() => rbfKernel({ lengthscale: 0 })).toThrow(/lengthscale must be > 0/);
    expect(() => rbfKernel({ lengthscale: 1e-200 })).toThrow(/too small/);
    expect(() => rbfKernel({ gamma: 1 } as never)).toThrow(/unknown option 'gamma'/);
    expect(() => linearKernel({ scale: NaN })).toThrow(TypeError);
    expect(() => customKernel(3 as never)).toThrow(/k must be a function/);
  });
});

describe('classic kernels: wasm and ts agree to 1e-12 at n = 333 (odd widths exercise the SIMD tail)', () => {
  it.each(['linear', 'polynomial', 'rbf'] as const)('%s', async (kind) => {
    await ready();
    const x1 = uniformMatrix(333, 17, 2);
    const x2 = uniformMatrix(101, 17, 3);
    const kernel =
      kind === 'linear'
        ? linearKernel({ scale: 0.3, bias: -1 })
        : kind === 'polynomial'
          ? polynomialKernel({ degree: 5, scale: 0.2 })
          : rbfKernel({ lengthscale: 1.7 });
    const results = BACKENDS.map((backend) => {
      setBackend(backend);
      return [kernel(x1), kernel(x1, x2)];
    });
    expectClose(results[0][0], results[1][0], 1e-12, 'symmetric');
    expectClose(results[0][1], results[1][1], 1e-12, 'cross');
  });
});

describeEachBackend('kernels with out', () => {
  it('write the kernel matrix into out (classic, far-from-origin RBF and custom kernels), checked like any out', () => {
    const x = uniformMatrix(9, 3, 11);
    const z = uniformMatrix(4, 3, 12);
    const far = x.data.map((v) => v + 1e6);
    for (const kernel of [rbfKernel({ lengthscale: 0.7 }), polynomialKernel({ degree: 3 }), linearKernel({ bias: 1 }), customKernel((a, b) => a[0] * b[0])]) {
      const out = new Matrix(9, 4);
      expect(kernel(x, z, { out })).toBe(out);
      expect(Array.from(out.data)).toEqual(Array.from(kernel(x, z).data));
      expect(() => kernel(x, undefined, { out })).toThrow(/out is 9x4 but the result is 9x9/);
    }
    const rbf = rbfKernel({ lengthscale: 0.7 });
    const farX = new Matrix(9, 3, far);
    const out = new Matrix(9, 9);
    expect(Array.from(rbf(farX, undefined, { out }).data)).toEqual(Array.from(rbf(farX).data));
  });
});
